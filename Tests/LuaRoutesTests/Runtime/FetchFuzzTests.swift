import Foundation
import Testing
@testable import LuaRoutes

/// Issue 13, part 3: no argument of `fetch` may trap the process. A route runs `fetch` on Lua
/// arguments sent in the request body (so NaN, math.huge, odd tables and raw bytes can be
/// sent), through a real socket; every request must be answered and the server must keep
/// serving. Only loopback is ever contacted: the fuzzed route may reach the test's own
/// upstream alone (fetch.allow, checked before any connection), and the route without an
/// allow list only gets URLs whose host is a loopback address.
@Suite struct FetchFuzzTests {
    /// The seed of the random cases; LUAROUTES_FUZZ_SEED=n replays another run.
    static let seed = UInt64(ProcessInfo.processInfo.environment["LUAROUTES_FUZZ_SEED"] ?? "") ?? 0x13_2026
    static let randomCases = 300

    static func files(upstreamPort: Int) -> [String: String] {
        let handler = """
            handler = function(req, res)
              local make, compileError = load("return " .. req.rawBody)
              if not make then return res.status(400).json({ compile = compileError }) end
              local ok, r, err = pcall(function() return fetch(make()) end)
              if not ok then return res.json({ raised = tostring(r) }) end
              if r == nil then return res.json({ err = err }) end
              res.json({ status = r.status })
            end
            """
        return [
            "pages/api/fuzz.lua": """
                return { config = { fetch = { timeout = "2s", allow = { "127.0.0.1:\(upstreamPort)", "::1:\(upstreamPort)" } } },
                \(handler) }
                """,
            "pages/api/open.lua": "return { config = { fetch = { timeout = \"2s\" } },\n\(handler) }",
            "pages/api/ok.lua": "return function(req, res) res.send('ok') end",
        ]
    }

    static func upstream() async throws -> Upstream {
        try await Upstream { request in
            switch request.uri {
            case "/to-port-99999": return UpstreamReply(status: 302, headers: [("Location", "http://127.0.0.1:99999/")])
            case "/to-port-0": return UpstreamReply(status: 302, headers: [("Location", "http://127.0.0.1:0/")])
            case "/to-bracket": return UpstreamReply(status: 302, headers: [("Location", "http://[::1/")])
            case "/to-userinfo": return UpstreamReply(status: 307, headers: [("Location", "http://a:b@127.0.0.1:99999/")])
            case "/to-space": return UpstreamReply(status: 302, headers: [("Location", "/a b")])
            default: return UpstreamReply(body: Array("up".utf8))
            }
        }
    }

    /// A Lua string literal holding exactly `bytes` (every byte but letters and digits as \ddd).
    static func luaString(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += "\\" + String(format: "%03d", byte)
            }
        }
        return text + "\""
    }

    static func luaString(_ text: String) -> String { luaString(Array(text.utf8)) }

    /// POSTs the Lua argument list `arguments` to `path`; the status line and the body.
    static func call(port: Int, _ path: String, _ arguments: String) throws -> (status: String, body: String) {
        let body = Array(arguments.utf8)
        let head = "POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let answer = try rawHTTP(port: port, Array(head.utf8) + body, readTimeout: 10)
        let status = answer.components(separatedBy: "\r\n").first ?? ""
        let text = answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) } ?? ""
        return (status, text)
    }

    /// Nasty URLs whose host is a loopback address (or that must be refused before any host
    /// is looked at), sent to the route without an allow list: port 99999 took the whole
    /// process down (NIO's SocketAddress trapped), here and through a redirect.
    static func openCorpus(upstreamPort up: Int) -> [(arguments: String, expected: String)] {
        [
            (luaString("http://127.0.0.1:99999/"), "the port must be a number from 1 to 65535"),
            (luaString("http://127.0.0.1:65536/"), "the port must be a number from 1 to 65535"),
            (luaString("http://127.0.0.1:0/"), "the port must be a number from 1 to 65535"),
            (luaString("http://127.0.0.1:-1/"), "the port must be a number from 1 to 65535"),
            (luaString("http://127.0.0.1:18446744073709551617/"), "the port must be a number from 1 to 65535"),
            (luaString("http://[::1]:99999/"), "the port must be a number from 1 to 65535"),
            (luaString("http://[::1"), "a [ without ] in the host"),
            (luaString("http://[fe80::1%25lo]:80/"), "IPv6 zone identifiers are not supported"),
            (luaString("http://a:b@127.0.0.1:99999/"), "user name or password"),
            (luaString("http://127.0.0.1:\(up)/to-port-99999"), "the port must be a number from 1 to 65535"),
            (luaString("http://127.0.0.1:\(up)/to-port-0"), "the port must be a number from 1 to 65535"),
            (luaString("http://127.0.0.1:\(up)/to-bracket"), "invalid redirect location"),
            (luaString("http://127.0.0.1:\(up)/to-userinfo"), "user name or password"),
            (luaString("http://127.0.0.1:\(up)/to-space"), "{"),
            (luaString("http://127.0.0.1:\(up)/hello"), #""status":200"#),
        ]
    }

    /// Arguments refused whatever the host: sent to the allow-listed route.
    static let argumentCorpus: [String] = [
        "nil", "1", "{}", "true", "function() end", "''", "'http:'", "'http://'", "'http:///'", "'//127.0.0.1/'",
        "'http://@/'", "'http://%31%32%37.0.0.1/'", "'http://\\u{4F8B}.jp/'", "'http://127.0.0.1/\\0'", "'http://127.0.0.1/a b'",
        "'http://127.0.0.1/\\r\\nX: y'", "'http://127.0.0.1/' .. string.rep('a', 100000)", "'ftp://127.0.0.1/'", "'HTTP://127.0.0.1:0'",
        "'http://[v1.x]/'", "'http://[]/'", "'http://1.2.3.4.5/'", "'http://256.0.0.1/'", "'http://' .. string.rep('a', 64) .. '.com/'",
        "'http://127.0.0.1:80:80/'", "'http://127.0.0.1:+80/'", "'http://127.0.0.1:0x50/'", "'http://127.0.0.1/%zz'", "'http://127.0.0.1/<x>'",
    ]

    /// Options: a bad value of every field, sent with a good URL to the test's upstream.
    static let optionCorpus: [String] = [
        "{ timeout = 0/0 }", "{ timeout = math.huge }", "{ timeout = -math.huge }", "{ timeout = -1 }", "{ timeout = 1e308 }",
        "{ timeout = math.mininteger }", "{ timeout = math.maxinteger }", "{ timeout = '99999999999999999999999s' }", "{ timeout = '0ms' }",
        "{ timeout = '...s' }", "{ timeout = {} }", "{ method = 'G E T' }", "{ method = string.rep('A', 100000) }", "{ method = '' }",
        "{ method = 42 }", "{ method = 'pAtCh' }", "{ method = '\\u{393}ET' }", "{ headers = { [1] = 'x' } }", "{ headers = { ['a b'] = 'c' } }",
        "{ headers = { X = 'a\\0b' } }", "{ headers = { X = {} } }", "{ headers = { ['\\255'] = 'v' } }", "{ headers = { X = '\\255\\254' } }",
        "{ headers = { X = string.rep('v', 100000) } }", "{ headers = { [''] = 'v' } }", "{ headers = 'x' }",
        "{ headers = setmetatable({}, { __pairs = function() error('boom') end }) }", "{ headers = { Host = 'elsewhere' } }",
        "{ headers = { ['Content-Length'] = '-5' }, body = 'abc' }", "{ headers = { ['Transfer-Encoding'] = 'chunked' }, body = 'abc' }",
        "{ headers = { ['Content-Length'] = '99999999999999999999' } }", "{ body = function() end }", "{ body = { [true] = 1 } }",
        "{ body = string.rep('x', 1000000) }", "{ body = setmetatable({}, { __index = function() error('x') end }) }",
        "{ redirect = 'manual', follow = false }", "setmetatable({}, { __index = function() error('opts') end })",
    ]

    @Test func nastyArgumentsNeverTrap() async throws {
        let up = try await Self.upstream()
        let upstreamPort = up.port
        try await withServer(Self.files(upstreamPort: upstreamPort)) { port in
            for (arguments, expected) in Self.openCorpus(upstreamPort: upstreamPort) {
                let answer = try Self.call(port: port, "/api/open", arguments)
                #expect(answer.status == "HTTP/1.1 200 OK", "\(arguments): \(answer)")
                #expect(answer.body.contains(expected), "\(arguments): \(answer.body)")
            }
            let good = Self.luaString("http://127.0.0.1:\(upstreamPort)/hello")
            for arguments in Self.argumentCorpus + Self.optionCorpus.map({ "\(good), \($0)" }) {
                let answer = try Self.call(port: port, "/api/fuzz", arguments)
                #expect(answer.status == "HTTP/1.1 200 OK", "\(arguments.prefix(200)): \(answer.status) \(answer.body.prefix(300))")
            }
            let ok = try rawHTTP(port: port, "GET /api/ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(ok.hasSuffix("\r\n\r\nok"))
        }
        try await up.close()
    }

    /// Seeded random URLs and options built from good ones by byte-level mutations.
    @Test func randomArgumentsNeverTrap() async throws {
        let up = try await Self.upstream()
        let upstreamPort = up.port
        var random = SplitMix64(seed: Self.seed)
        let cases = (0..<Self.randomCases).map { _ in FuzzCase.make(upstreamPort: upstreamPort, using: &random) }
        let seed = Self.seed
        try await withServer(Self.files(upstreamPort: upstreamPort)) { port in
            var answered = 0
            for fuzz in cases {
                let answer = try Self.call(port: port, "/api/fuzz", fuzz.arguments)
                #expect(answer.status == "HTTP/1.1 200 OK", "seed \(seed): \(fuzz.arguments.prefix(300)): \(answer.status) \(answer.body.prefix(300))")
                #expect(answer.body.hasPrefix("{"), "seed \(seed): \(fuzz.arguments.prefix(300)): \(answer.body.prefix(300))")
                if answer.status == "HTTP/1.1 200 OK" { answered += 1 }
            }
            #expect(answered == cases.count)
            let ok = try rawHTTP(port: port, "GET /api/ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(ok.hasSuffix("\r\n\r\nok"))
        }
        try await up.close()
    }
}

/// One random call: a URL mutated from a good one, and maybe options from the corpus.
struct FuzzCase {
    let arguments: String

    static let bytesWorthInserting: [[UInt8]] = [
        [0], [9], [10], [13], [32], [127], [255], [0xC3, 0xA9], [0xE4, 0xBE, 0x8B], [0xE2, 0x80, 0xAE],
        Array("%".utf8), Array("%2".utf8), Array("%25".utf8), Array("@".utf8), Array(":".utf8), Array("[".utf8), Array("]".utf8),
        Array("/".utf8), Array("?".utf8), Array("#".utf8), Array(".".utf8), Array("\\".utf8), Array("\"".utf8), Array("<".utf8),
    ]
    static let ports = ["", "0", "-1", "65535", "65536", "99999", "4294967296", "18446744073709551616", "+80", "0x50", " 80", "80a", "٣"]
    static let hosts = ["", "[::1", "::1]", "[fe80::1%25eth0]", "%31%32%37.0.0.1", "a:b@127.0.0.1", "127.0.0.1.", "[::ffff:127.0.0.1]",
                        "[v1.x]", "1.2.3.4.5", "256.0.0.1", "0x7f.1", "\u{4F8B}\u{3048}.jp", String(repeating: "a", count: 64),
                        String(repeating: "a.", count: 150), "[::1]", "127.0.0.1"]

    static func make(upstreamPort: Int, using random: inout SplitMix64) -> FuzzCase {
        let bases = ["http://127.0.0.1:\(upstreamPort)/hello", "http://[::1]:\(upstreamPort)/x?y=1", "https://127.0.0.1:\(upstreamPort)/",
                     "HTTP://127.0.0.1:\(upstreamPort)/a/b%20c#frag"]
        var url = Array(bases.randomElement(using: &random)!.utf8)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<7, using: &random) {
            case 0:
                let at = Int.random(in: 0...url.count, using: &random)
                url.insert(contentsOf: bytesWorthInserting.randomElement(using: &random)!, at: at)
            case 1 where !url.isEmpty:
                let start = Int.random(in: 0..<url.count, using: &random)
                url.removeSubrange(start..<min(url.count, start + Int.random(in: 1...8, using: &random)))
            case 2 where !url.isEmpty:
                let start = Int.random(in: 0..<url.count, using: &random)
                let piece = url[start..<min(url.count, start + Int.random(in: 1...12, using: &random))]
                url.insert(contentsOf: piece, at: Int.random(in: 0...url.count, using: &random))
            case 3:
                url = replacing(url, after: Array(":".utf8), upTo: Array("/".utf8), with: ports.randomElement(using: &random)!)
            case 4:
                url = replacing(url, after: Array("//".utf8), upTo: Array(":".utf8), with: hosts.randomElement(using: &random)!)
            case 5:
                url += Array(String(repeating: "a", count: [10, 1000, 9000, 100_000].randomElement(using: &random)!).utf8)
            default:
                if url.isEmpty { url = [UInt8(ascii: "h")] }
                url[Int.random(in: 0..<url.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
        }
        var arguments = FetchFuzzTests.luaString(url)
        if Bool.random(using: &random) { arguments += ", " + FetchFuzzTests.optionCorpus.randomElement(using: &random)! }
        return FuzzCase(arguments: arguments)
    }

    /// `url` with the bytes between the last `after` before the path and the next `upTo`
    /// replaced by `text` (the port or the host of a URL); unchanged when there is no such span.
    static func replacing(_ url: [UInt8], after: [UInt8], upTo: [UInt8], with text: String) -> [UInt8] {
        guard let start = firstIndex(of: after, in: url, from: after == Array(":".utf8) ? 7 : 0) else { return url }
        let from = start + after.count
        let end = firstIndex(of: upTo, in: url, from: from) ?? url.count
        return Array(url[..<from]) + Array(text.utf8) + Array(url[end...])
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count, from <= haystack.count - needle.count else { return nil }
        return (from...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}
