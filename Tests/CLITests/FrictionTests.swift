import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Small frictions a newcomer met on day one (issue 19), each through the real binary.
@Suite struct FrictionTests {
    /// One raw request with `Connection: close`: the status line and headers as text, and the body.
    static func exchange(port: Int, _ head: String) throws -> (head: String, body: String) {
        let fd = try connectLoopback(port: port, readTimeout: 30)
        defer { close(fd) }
        let bytes = Array(head.utf8)
        guard sendAll(fd, bytes) == bytes.count else { throw LoopbackError.send }
        let text = String(decoding: receiveAll(fd), as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return (text, "") }
        return (String(text[..<split.lowerBound]), String(text[split.upperBound...]))
    }

    static func header(_ name: String, in head: String) -> String? {
        for line in head.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name.lowercased() else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    @Test func aPortInUseSaysWhichAndHowToPickAnother() async throws {
        let root = try CLI.project(["pages/api/hello.lua": "return function(req, res) res.send('hi') end"])
        let first = try ServeProcess(root: root)
        defer { first.stop() }
        #expect(try await first.waitUntilListening(), "\(first.stderr)")
        let port = first.port
        let second = try await onOwnThread { try CLI.run(["serve", "--root", root, "--port", String(port)]) }
        #expect(second.status == 1)
        #expect(second.stderr.contains("error: port \(port) on 127.0.0.1 is already in use"), "\(second.stderr)")
        #expect(second.stderr.contains("pick another port with --port, e.g. --port \(port + 1)"))
    }

    @Test func requestDefaultsToGETAndTakesX() throws {
        let root = try CLI.project(["pages/api/echo.lua": "return function(req, res) res.json({ method = req.method, raw = req.rawBody or '' }) end"])
        func body(_ arguments: [String]) throws -> [String: String] {
            let result = try CLI.run(["request", "--root", root] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String]) ?? [:]
        }
        #expect(try body(["/api/echo"]) == ["method": "GET", "raw": ""])
        #expect(try body(["-X", "put", "/api/echo"]) == ["method": "PUT", "raw": ""])
        #expect(try body(["/api/echo", "-d", "-1"]) == ["method": "POST", "raw": "-1"], "a body starting with - and POST with a body")
        #expect(try body(["-X", "PATCH", "/api/echo", "-d", "--x"]) == ["method": "PATCH", "raw": "--x"])
        #expect(try body(["DELETE", "/api/echo"]) == ["method": "DELETE", "raw": ""], "the METHOD URL form still works")
        let twice = try CLI.run(["request", "--root", root, "-X", "POST", "GET", "/api/echo"])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("give the method once"))
    }

    @Test func benchOnARouteThatFetchesSaysWhy() throws {
        let closed = try freeLoopbackPort()
        let root = try CLI.project([
            "pages/api/up.lua": "return function(req, res) local r = fetch('http://127.0.0.1:\(closed)/') res.status(r and 200 or 502).send('') end",
        ])
        let result = try CLI.run(["bench", "--root", root, "GET", "/api/up", "-n", "100"])
        #expect(result.status == 1, "exits with a message, not a crash: \(result.stderr)")
        #expect(result.stderr.contains("GET /api/up did not answer at once: its handler waits (fetch)"), "\(result.stderr)")
    }

    @Test func serveInAFolderWithoutPagesApiSaysSo() async throws {
        let root = try CLI.project(["README.md": "not a project"])
        let server = try ServeProcess(root: root)
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        #expect(server.stderr.contains("has no pages/api folder, so every request answers 404"), "\(server.stderr)")
    }

    @Test func jsonLogsKeepNumbersAsNumbers() async throws {
        let root = try CLI.project([
            // `fake` and `split` come from the request in real code: a string that looks like the
            // host's JSON mark, or holds a NUL, stays one string field.
            "pages/api/log.lua": #"return function(req, res) log.info('counted', { n = 5, ok = true, t = { a = 1.5 }, s = '7', fake = '\1{"admin":true}', split = 'a\0injected\0b' }) res.send('') end"#,
        ])
        let server = try ServeProcess(root: root, arguments: ["--log-format", "json"])
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        let port = server.port
        _ = try await onOwnThread { try HTTPGet.get(port: port, path: "/api/log") }
        server.process.terminate()
        server.process.waitUntilExit()
        let objects = server.stderr.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let line = try #require(objects.first { $0["msg"] as? String == "counted" }, "\(server.stderr)")
        #expect(line["n"] as? Int == 5)
        #expect(line["ok"] as? Bool == true)
        #expect((line["t"] as? [String: Any])?["a"] as? Double == 1.5)
        #expect(line["s"] as? String == "7", "a string stays a string")
        #expect(line["fake"] as? String == "\u{1}{\"admin\":true}", "\(line)")
        #expect(line["split"] as? String == "a\\0injected\\0b" && line["injected"] == nil, "\(line)")
    }

    @Test func everyAnswerCarriesARequestIdAndTheAccessLogTheClient() async throws {
        let root = try CLI.project(["pages/api/hello.lua": "return function(req, res) log.info('in handler') res.send('hi') end"])
        let server = try ServeProcess(root: root)
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        let port = server.port
        func get(_ path: String, _ extra: String = "") async throws -> (head: String, body: String) {
            try await onOwnThread {
                try Self.exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: x\r\nUser-Agent: friction-test/1\r\n\(extra)Connection: close\r\n\r\n")
            }
        }
        let plain = try await get("/api/hello")
        let generated = try #require(Self.header("X-Request-Id", in: plain.head), "\(plain.head)")
        #expect(generated.allSatisfy { $0.isHexDigit })

        let kept = try await get("/api/hello", "X-Request-Id: trace-42.A_b\r\n")
        #expect(Self.header("X-Request-Id", in: kept.head) == "trace-42.A_b")
        let unsafe = try await get("/api/hello", "X-Request-Id: a b\"c\r\n")
        let replaced = Self.header("X-Request-Id", in: unsafe.head) ?? ""
        #expect(!replaced.isEmpty && replaced.allSatisfy { $0.isHexDigit }, "\(unsafe.head)")
        let tooLong = try await get("/api/hello", "X-Request-Id: \(String(repeating: "a", count: 129))\r\n")
        #expect(Self.header("X-Request-Id", in: tooLong.head)?.count ?? 0 < 129)
        let missing = try await get("/api/nothing")
        #expect(missing.head.hasPrefix("HTTP/1.1 404") && Self.header("X-Request-Id", in: missing.head) != nil)
        let malformed = try await onOwnThread { try Self.exchange(port: port, "GET /api/hello HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n") }
        #expect(malformed.head.hasPrefix("HTTP/1.1 400") && Self.header("X-Request-Id", in: malformed.head) != nil, "\(malformed.head)")

        server.process.terminate()
        server.process.waitUntilExit()
        let access = server.stderr.split(separator: "\n").filter { $0.contains("log=access") && $0.contains("request=trace-42.A_b") }
        #expect(access.count == 1, "\(server.stderr)")
        #expect(access.first?.contains("client=127.0.0.1") == true)
        #expect(access.first?.contains(#"user_agent="friction-test/1""#) == true)
        #expect(server.stderr.contains("request=trace-42.A_b") && server.stderr.contains("in handler"))
    }
}
