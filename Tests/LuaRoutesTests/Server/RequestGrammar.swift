/// Requests for the differential parser test (ParserDifferentialTests): valid ones from a
/// small grammar of HTTP/1.1, pipelined, then (most of the time) mutated, with mutations aimed
/// at the request-smuggling shapes as well as blind byte edits.
enum RequestGrammar {
    static let knownMethods = ["GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    static let unknownMethods = ["FROBNICATE", "X-CUSTOM", "get", "Q.1"]
    static let targets = ["/", "/api/users/42", "/api/x?b=c&d=%20e", "/a/b/c/", "/api/%41%42", "/?q=\u{7E}*'()!$&+,;=:@",
                          "http://example.com/api", "/%C3%BC"]
    static let names = ["Accept", "User-Agent", "X-Request-Id", "Cookie", "content-type", "X-A", "x_b", "If-None-Match",
                        "Accept-Encoding", "Origin", "X-Forwarded-For", "Cache-Control", "Authorization", "Trailer"]
    static let values = ["*/*", "curl/8.0", "a=1; b=2", "application/json", "", " padded ", "a\tb", "\"q\"", "x, y",
                         "text/html;q=0.9", "tab\t", "caf\u{E9}", "1", "W/\"abc\""]
    static let hosts = ["x", "example.com", "example.com:8080", "[::1]:3000", "127.0.0.1"]

    static func input(using random: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let unknown = Int.random(in: 0..<8, using: &random) == 0
            let method = unknown ? unknownMethods.randomElement(using: &random)! : knownMethods.randomElement(using: &random)!
            if Int.random(in: 0..<12, using: &random) == 0 { bytes += Array("\r\n".utf8) }
            bytes += Array(method.utf8) + request(method: method, using: &random)
        }
        guard Int.random(in: 0..<10, using: &random) < 7 else { return bytes }
        for _ in 0..<Int.random(in: 1...2, using: &random) { bytes = mutate(bytes, using: &random) }
        return bytes
    }

    /// Everything after the method: target, version, fields and body.
    static func request(method: String, using random: inout some RandomNumberGenerator) -> [UInt8] {
        let http10 = Int.random(in: 0..<5, using: &random) == 0
        var text = " \(targets.randomElement(using: &random)!) HTTP/1.\(http10 ? 0 : 1)\r\n"
        var fields: [(String, String)] = []
        if !http10 || Bool.random(using: &random) { fields.append(("Host", hosts.randomElement(using: &random)!)) }
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            fields.append((names.randomElement(using: &random)!, values.randomElement(using: &random)!))
        }
        switch Int.random(in: 0..<8, using: &random) {
        case 0: fields.append(("Connection", "close"))
        case 1: fields.append(("Connection", "keep-alive"))
        case 2: fields.append(("connection", "Keep-Alive, Foo"))
        case 3: fields.append(("Expect", "100-continue"))
        default: break
        }
        let body = (0..<Int.random(in: 0...24, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        var bodyBytes: [UInt8] = []
        switch Int.random(in: 0..<4, using: &random) {
        case 0 where !body.isEmpty:
            fields.append(("Content-Length", "\(body.count)"))
            bodyBytes = body
        case 1:
            fields.append(("Transfer-Encoding", Bool.random(using: &random) ? "chunked" : "Chunked"))
            var rest = body[...]
            while !rest.isEmpty {
                let size = Int.random(in: 1...rest.count, using: &random)
                let ext = Int.random(in: 0..<4, using: &random) == 0 ? ";name=value" : Int.random(in: 0..<6, using: &random) == 0 ? ";a=\"b c\"" : ""
                bodyBytes += Array((String(size, radix: 16, uppercase: Bool.random(using: &random)) + ext + "\r\n").utf8)
                bodyBytes += rest.prefix(size) + Array("\r\n".utf8)
                rest = rest.dropFirst(size)
            }
            bodyBytes += Array((Bool.random(using: &random) ? "0\r\n\r\n" : "0\r\nX-Trailer: t\r\n\r\n").utf8)
        case 2:
            fields.append(("Content-Length", "0"))
        default:
            break
        }
        fields.shuffle(using: &random)
        for (name, value) in fields { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8) + bodyBytes
    }

    static let interesting: [UInt8] = Array("\r\n :;,\t0-9aAfF/%?#\"".utf8) + [0, 1, 0x7f, 0x80, 0xff, 0x0b, 0x0c]

    /// Smuggling shapes: each finds a place in the request and bends it.
    static func aimed(_ b: inout [UInt8], using r: inout some RandomNumberGenerator) {
        switch Int.random(in: 0..<10, using: &r) {
        case 0: insertField(&b, "Content-Length: \(Int.random(in: 0...5, using: &r))", &r)
        case 1: insertField(&b, "Transfer-Encoding: chunked", &r)
        case 2: insertField(&b, ["Transfer-Encoding: chunked, gzip", "Transfer-Encoding: gzip", "Transfer-Encoding: gzip, chunked",
                                 "Transfer-Encoding:", "Transfer-Encoding: chunked,", "Transfer-Encoding: identity"].randomElement(using: &r)!, &r)
        case 3: insertField(&b, ["Content-Length: +1", "Content-Length: 1 1", "Content-Length: -1", "Content-Length: 0x1",
                                 "Content-Length:", "Content-Length: 1,1", "Content-Length: 99999999999999999999",
                                 "Content-Length: 01"].randomElement(using: &r)!, &r)
        case 4: insertField(&b, ["X-Fold: a\r\n b", "X-Fold: a\r\n\tb", " X: y", "\tX: y"].randomElement(using: &r)!, &r)
        case 5: insertField(&b, ["X :y", "X\t: y", ": y", "X y: z", "X\u{0}: y", "X: a\u{0}b", "X: a\u{7f}b", "X: a\u{1b}b",
                                 "X: \u{0c}"].randomElement(using: &r)!, &r)
        case 6: replaceCRLF(&b, with: ["\n", "\r", "\r\r\n", "\n\r"].randomElement(using: &r)!, &r)
        case 7: replaceChunkSize(&b, with: ["fffffffffffffffff", "ffffffffffffffff", "7fffffffffffffff", "-1", "0x1", " 1", "1 ",
                                            "1;", "1;a=", "1;a=\"b", "1 ;a=b", "1; a = b", "g", "1\u{0}"].randomElement(using: &r)!, &r)
        case 8: replaceVersion(&b, with: ["HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/1.1 ", "http/1.1", "HTTP/1", "HTTP/11",
                                          "HTTP/1.1x", ""].randomElement(using: &r)!, &r)
        default: insertField(&b, ["Host: a", "Host: a b", "Upgrade: websocket", "Connection: upgrade", "Connection: close",
                                  "Expect: 100-continue"].randomElement(using: &r)!, &r)
        }
    }

    static func mutate(_ input: [UInt8], using random: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return bytes }
        if Bool.random(using: &random) {
            aimed(&bytes, using: &random)
            return bytes
        }
        let at = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1: bytes[at] = interesting.randomElement(using: &random)!
        case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...4, using: &random)))
        case 3: bytes.insert(interesting.randomElement(using: &random)!, at: at)
        case 4:
            let end = min(bytes.count, at + Int.random(in: 1...12, using: &random))
            bytes.insert(contentsOf: bytes[at..<end], at: end)
        default: bytes = Array(bytes[..<at])
        }
        return bytes
    }

    /// Line starts after the request line of some request (where a field may go).
    private static func fieldStarts(_ bytes: [UInt8]) -> [Int] {
        var starts: [Int] = []
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 13, bytes[i + 1] == 10, i + 2 < bytes.count, bytes[i + 2] != 13 { starts.append(i + 2) }
            i += 1
        }
        return starts
    }

    private static func insertField(_ bytes: inout [UInt8], _ field: String, _ random: inout some RandomNumberGenerator) {
        guard let at = fieldStarts(bytes).randomElement(using: &random) else { return }
        bytes.insert(contentsOf: Array((field + "\r\n").utf8), at: at)
    }

    private static func replaceCRLF(_ bytes: inout [UInt8], with replacement: String, _ random: inout some RandomNumberGenerator) {
        let positions = (0..<max(0, bytes.count - 1)).filter { bytes[$0] == 13 && bytes[$0 + 1] == 10 }
        guard let at = positions.randomElement(using: &random) else { return }
        bytes.replaceSubrange(at..<at + 2, with: Array(replacement.utf8))
    }

    /// Replaces a chunk-size line's content (a line of hex digits after a CRLF, in a chunked body).
    private static func replaceChunkSize(_ bytes: inout [UInt8], with size: String, _ random: inout some RandomNumberGenerator) {
        var lines: [Range<Int>] = []
        var i = 0
        while i + 3 < bytes.count {
            if bytes[i] == 10, HTTPHexLine.isHex(bytes[i + 1]) {
                var end = i + 1
                while end < bytes.count, bytes[end] != 13 { end += 1 }
                if end < bytes.count, bytes[(i + 1)..<end].allSatisfy({ HTTPHexLine.isHex($0) || $0 == 59 || $0 == 61 || $0 > 96 }) {
                    lines.append((i + 1)..<end)
                }
            }
            i += 1
        }
        guard let line = lines.randomElement(using: &random) else { return }
        bytes.replaceSubrange(line, with: Array(size.utf8))
    }

    private static func replaceVersion(_ bytes: inout [UInt8], with version: String, _ random: inout some RandomNumberGenerator) {
        let marker = Array(" HTTP/1.".utf8)
        let positions = (0..<max(0, bytes.count - marker.count - 1)).filter { bytes[$0..<($0 + marker.count)].elementsEqual(marker) }
        guard let at = positions.randomElement(using: &random) else { return }
        bytes.replaceSubrange((at + 1)..<(at + marker.count + 1), with: Array(version.utf8))
    }

    /// Random cut points: the same bytes arrive in up to five reads, or now and then a byte a read.
    static func splits(of count: Int, using random: inout some RandomNumberGenerator) -> [Int] {
        guard count > 1 else { return [] }
        if Int.random(in: 0..<40, using: &random) == 0 { return Array(1..<count) }
        return (0..<Int.random(in: 0...4, using: &random)).map { _ in Int.random(in: 1..<count, using: &random) }.sorted()
    }
}

enum HTTPHexLine {
    static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte | 0x20 >= 97 && byte | 0x20 <= 102)
    }
}
