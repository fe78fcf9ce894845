/// The HTTP/1.1 rules a request head must pass before it is routed (RFC 9110, RFC 9112), and
/// what the connection must do about it, from what the parser recorded while reading the fields.
struct RequestHeadRules {
    /// Content-Length, when sent (the parser has checked it is one valid number).
    var contentLength: Int?
    /// `Expect: 100-continue` from an HTTP/1.1 client: answer `100 Continue` before the body.
    /// Never to HTTP/1.0 (RFC 9110 section 15.2: it does not know interim answers).
    var sendContinue = false
    /// Answer, then close: after an upgrade or CONNECT (the decoder stops reading the stream at
    /// such a request, as if the next bytes were another protocol), and after HTTP/1.0 with
    /// Transfer-Encoding (RFC 9112 section 6.1: its framing is faulty).
    var closeAfterAnswer = false
    /// Set when the head is refused: the host's answer, after which the connection closes.
    var refusal: (status: Int, error: String)?

    /// Reads what the parser recorded about the fields (``RequestHead/Facts``): no second pass.
    init(_ head: RequestHead) {
        let facts = head.facts
        contentLength = facts.contentLength
        let http11 = head.version.major == 1 && head.version.minor >= 1
        sendContinue = facts.expectContinue && http11
        closeAfterAnswer = facts.upgrade || head.method == "CONNECT" || (!http11 && facts.transferCodings > 0)
        // RFC 9112 section 3.2: 400 for HTTP/1.1 without Host, and for any request with more
        // than one Host or an invalid one. HTTP/1.0 without Host is fine.
        if facts.hosts > 1 || !facts.hostValid || (facts.hosts == 0 && http11) {
            refusal = (400, "Bad Request")
        } else if facts.transferCodings > 0 && !(facts.transferCodings == 1 && facts.onlyChunked) {
            // RFC 9112 section 6.1: a coding the server does not understand is 501. Only
            // `chunked` is undone here; gzip bytes must never reach a handler as if plain.
            refusal = (501, "Not Implemented")
        }
    }

    /// RFC 9110 section 7.2: `uri-host [ ":" port ]`, where uri-host is a bracketed IP literal,
    /// or a reg-name / IPv4 address (unreserved, percent-encoded and sub-delims bytes). Not empty.
    static func isValidHost(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return false }
        var index = 0
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
            guard bytes[1..<close].allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
                                                || isUnreserved($0) || isSubDelimiter($0) }) else { return false }
            index = close + 1
        } else {
            while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else { return false }
                    index += 3
                    continue
                }
                guard isUnreserved(byte) || isSubDelimiter(byte) else { return false }
                index += 1
            }
            guard index > 0 else { return false }
        }
        guard index < bytes.count else { return true }
        // ":" port, digits only (possibly none: RFC 3986 allows an empty port).
        guard bytes[index] == UInt8(ascii: ":") else { return false }
        return bytes[(index + 1)...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func isSubDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
