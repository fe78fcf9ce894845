/// The id every answer carries in `X-Request-Id` and every log line of the request shows: the
/// client's own id when it is safe to log and echo, else the host's counter in hex.
enum RequestID {
    static let maxLength = 128

    /// The client's X-Request-Id if it is 1-128 bytes of HTTP token characters (letters, digits,
    /// and ! # $ % & ' * + - . ^ _ ` | ~): nothing that could split a log line or a header.
    static func fromClient(_ request: APIRequest) -> String? {
        guard let value = request.header("x-request-id"), !value.isEmpty, value.utf8.count <= maxLength,
              value.allUTF8(isTokenByte) else { return nil }
        return value
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
