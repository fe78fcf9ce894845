import Foundation
import Testing
import TestSupport
@testable import LuaRoutes

#if canImport(Glibc)
import Glibc
#endif

/// Mutated requests (byte flips, splices, truncations, repeats) sent in random pieces over a
/// real socket, for a bounded time: the server must never crash (the test process would die),
/// never leave a connection hanging, never answer one request twice, and keep answering a clean
/// request. The corpus is seeded with the cases of issue 14 and the framing tests.
/// `LUAROUTES_FUZZ_SECONDS` and `LUAROUTES_FUZZ_SEED` override the time and the seed.
@Suite struct RequestFuzzTests {
    static let seeds: [String] = [
        "GET /api/user HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/users/%41?x=1&y=%zz HTTP/1.1\r\nHost: example.com:80\r\nCookie: a=1; b=2\r\nAccept: */*\r\n\r\n",
        "GET http://x/api/user HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\":[1,2,3]}",
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n",
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
        "POST /api/echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
        "POST /api/echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /api/user HTTP/1.0\r\n\r\n",
        "GET /api/user HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /api/user HTTP/1.0\r\n\r\n",
        "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\nGET /api/user HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "GET /api/user HTTP/1.1\r\n\r\n",
        "GET /api/user HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /api/user HTTP/1.1\r\nHost: a b\r\n\r\n",
        "FROBNICATE /api/user HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/user\r\n",
        "GET /api/user HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
        "GET /api/user HTTP/1.1\r\nHost: x\r\n\r\nPOST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /api/users/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ]

    static let interesting: [UInt8] = Array("\r\n :;,\t0-9aAfF/%?#\u{0}".utf8) + [0x7f, 0x80, 0xff]

    static func mutate(_ input: [UInt8], random: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !bytes.isEmpty else { return Array(seeds.randomElement(using: &random)!.utf8) }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1: bytes[at] = interesting.randomElement(using: &random)!
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
            case 3: bytes.insert(contentsOf: (0..<Int.random(in: 1...4, using: &random)).map { _ in interesting.randomElement(using: &random)! }, at: at)
            case 4:
                let other = Array(seeds.randomElement(using: &random)!.utf8)
                bytes = Array(bytes[..<at]) + other[Int.random(in: 0..<other.count, using: &random)...]
            case 5: bytes = Array(bytes[..<at])
            case 6:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[at..<end], at: end)
            default: bytes += Array(seeds.randomElement(using: &random)!.utf8)
            }
        }
        return bytes
    }

    /// The answers in `text`, interim ones (100 Continue) left out; nil when the stream does not
    /// parse as whole HTTP/1.x responses, or an answer follows one that said `Connection: close`.
    static func answerCount(_ text: [UInt8]) -> Int? {
        var position = 0
        var count = 0
        var closed = false
        let separator = Array("\r\n\r\n".utf8)
        while position < text.count {
            guard !closed, text[position...].starts(with: "HTTP/1.".utf8),
                  let headEnd = text[position...].firstRange(of: separator)?.upperBound else { return nil }
            let head = String(decoding: text[position..<headEnd], as: UTF8.self)
            closed = head.contains("\r\nConnection: close\r\n")
            let status = head.dropFirst(9).prefix(3)
            var length = 0
            for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            }
            if status.hasPrefix("1") { length = 0 } else { count += 1 }
            position = headEnd + length
        }
        return position == text.count ? count : nil
    }

    static func occurrences(of needle: String, in bytes: [UInt8]) -> Int {
        let needle = Array(needle.utf8)
        var count = 0
        var index = bytes.startIndex
        while let found = bytes[index...].firstRange(of: needle) {
            count += 1
            index = found.upperBound
        }
        return count
    }

    @Test func mutatedRequestsNeverCrashHangOrGetTwoAnswers() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = Double(environment["LUAROUTES_FUZZ_SECONDS"] ?? "") ?? 12
        let seed = UInt64(environment["LUAROUTES_FUZZ_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970 * 1000)
        let files = [
            "luaroutes.config.lua": "return { server = { headerTimeout = '1s', idleTimeout = '1s' } }",
            "pages/api/user.lua": "return function(req, res) res.json({ name = 'John Doe' }) end",
            "pages/api/echo.lua": "return function(req, res) res.send(req.rawBody or '') end",
            "pages/api/users/[id].lua": "return function(req, res) res.json({ id = req.query.id }) end",
        ]
        let (cases, failures) = try await withServer(files) { port in
            var random = SplitMix64(seed: seed)
            var failures: [String] = []
            var cases = 0
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < deadline, failures.count < 5 {
                let input = Self.mutate(Array(Self.seeds.randomElement(using: &random)!.utf8), random: &random)
                if Self.occurrences(of: "HEAD", in: input) > 0 { continue }   // answers without bodies: not countable here
                cases += 1
                let client = try RawConnection(port: port)
                var offset = 0
                while offset < input.count {
                    let piece = min(input.count - offset, Int.random(in: 1...max(1, input.count), using: &random))
                    guard client.send(Array(input[offset..<(offset + piece)])) else { break }
                    offset += piece
                    if Bool.random(using: &random) { usleep(300) }   // often a read of its own on the server
                }
                client.shutdownWrite()
                let (bytes, end) = client.readBytesToEnd(seconds: 5)
                let text = String(decoding: bytes, as: UTF8.self)
                let described = "seed \(seed), input \(String(decoding: input, as: UTF8.self).debugDescription)"
                if end == .timedOut {
                    failures.append("hang: \(described), got \(text.debugDescription)")
                } else if let answers = Self.answerCount(bytes) {
                    // Each request line holds "HTTP/1."; bytes left over after them (a body
                    // the framing did not claim) may earn one 400, which closes the connection.
                    let requests = Self.occurrences(of: "HTTP/1.", in: input) + 1
                    if answers > requests { failures.append("\(answers) answers to \(requests) requests: \(described), got \(text.debugDescription)") }
                } else {
                    failures.append("unparseable answer, or one after Connection: close: \(described), got \(text.debugDescription)")
                }
                if cases % 50 == 0, !(try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").hasPrefix("HTTP/1.1 200")) {
                    failures.append("a clean request was not answered after \(described)")
                }
            }
            let clean = try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if !clean.hasPrefix("HTTP/1.1 200") { failures.append("a clean request was not answered at the end: \(clean)") }
            return (cases, failures)
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(cases > 100, "only \(cases) cases ran")
    }
}
