import NIOHTTP1

/// The HTTP/1.1 rules a request head must pass before it is routed (RFC 9110, RFC 9112), and
/// what the connection must do about it. One pass over the header fields, whatever the parser.
struct RequestHeadRules {
    /// Content-Length, when sent (the parser has checked it is one valid number).
    var contentLength: Int?
    /// `Expect: 100-continue` from an HTTP/1.1 client: answer `100 Continue` before the body.
    /// Never to HTTP/1.0 (RFC 9110 section 15.2: it does not know interim answers).
    var sendContinue = false
    /// Answer, then close: after an upgrade or CONNECT (the parser stops reading the stream at
    /// such a request, as if the next bytes were another protocol), and after HTTP/1.0 with
    /// Transfer-Encoding (RFC 9112 section 6.1: its framing is faulty).
    var closeAfterAnswer = false
    /// Set when the head is refused: the host's answer, after which the connection closes.
    var refusal: (status: Int, error: String)?

    init(_ head: HTTPRequestHead) {
        var hosts = 0
        var hostValid = true
        var transferCodings = 0
        var onlyChunked = true
        var upgrade = false
        for (name, value) in head.headers {
            switch name.utf8.count {
            case 4 where name.caseInsensitiveEquals("host"):
                hosts += 1
                hostValid = hostValid && Self.isValidHost(value)
            case 6 where name.caseInsensitiveEquals("expect"):
                sendContinue = value.caseInsensitiveEquals("100-continue")
            case 7 where name.caseInsensitiveEquals("upgrade"):
                upgrade = true
            case 14 where name.caseInsensitiveEquals("content-length"):
                contentLength = contentLength ?? Int(value)
            case 17 where name.caseInsensitiveEquals("transfer-encoding"):
                for coding in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                    transferCodings += 1
                    onlyChunked = onlyChunked && Self.isChunked(coding)
                }
            default:
                continue
            }
        }
        let http11 = head.version.major == 1 && head.version.minor >= 1
        sendContinue = sendContinue && http11
        closeAfterAnswer = upgrade || head.method == .CONNECT || (!http11 && transferCodings > 0)
        // RFC 9112 section 3.2: 400 for HTTP/1.1 without Host, and for any request with more
        // than one Host or an invalid one. HTTP/1.0 without Host is fine.
        if hosts > 1 || !hostValid || (hosts == 0 && http11) {
            refusal = (400, "Bad Request")
        } else if transferCodings > 0 && !(transferCodings == 1 && onlyChunked) {
            // RFC 9112 section 6.1: a coding the server does not understand is 501. Only
            // `chunked` is undone here; gzip bytes must never reach a handler as if plain.
            refusal = (501, "Not Implemented")
        }
    }

    private static func isChunked(_ coding: Substring.UTF8View) -> Bool {
        let trimmed = coding.drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }
        return trimmed.count == 7 && zip(trimmed.reversed(), "chunked".utf8).allSatisfy { $0 | 0x20 == $1 }
    }

    /// RFC 9110 section 7.2: `uri-host [ ":" port ]`, where uri-host is a bracketed IP literal,
    /// or a reg-name / IPv4 address (unreserved, percent-encoded and sub-delims bytes). Not empty.
    static func isValidHost(_ value: String) -> Bool {
        var value = value
        return value.withUTF8(isValidHost)   // the bytes in place: no copy per request
    }

    private static func isValidHost(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
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
