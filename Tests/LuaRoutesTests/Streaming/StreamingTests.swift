import Foundation
import Testing
import TestSupport
@testable import LuaRoutes

/// Streamed answers (docs/streaming.md): res.write, res.flush, res.finish and res.sse through a
/// real socket and through the path `luaroutes request` and `test` take.
@Suite struct StreamingTests {
    static let config = #"return { shared = { s = "1mb" } }"#

    /// A chunked body, decoded: the chunks' bytes joined, and whether the last chunk came.
    static func dechunk(_ bytes: ArraySlice<UInt8>) -> (body: [UInt8], complete: Bool) {
        var body: [UInt8] = []
        var i = bytes.startIndex
        while let lineEnd = bytes[i...].firstIndex(of: 13), lineEnd + 1 < bytes.endIndex {
            let size = Int(String(decoding: bytes[i..<lineEnd], as: UTF8.self), radix: 16) ?? -1
            if size == 0 { return (body, true) }
            let start = lineEnd + 2
            guard size > 0, start + size + 2 <= bytes.endIndex else { return (body, false) }
            body += bytes[start..<(start + size)]
            i = start + size + 2
        }
        return (body, false)
    }

    /// Head and body of one raw answer.
    static func split(_ bytes: [UInt8]) -> (head: String, body: ArraySlice<UInt8>) {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard let at = (0...(max(0, bytes.count - 4))).first(where: { Array(bytes[$0..<min(bytes.count, $0 + 4)]) == marker }) else {
            return (String(decoding: bytes, as: UTF8.self), [])
        }
        return (String(decoding: bytes[..<at], as: UTF8.self), bytes[(at + 4)...])
    }

    static func get(_ port: Int, _ path: String) throws -> String {
        try rawHTTP(port: port, "GET \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    }

    // MARK: the request path (`luaroutes request`, `luaroutes test`)

    @Test func requestSeesTheWholeStreamedBody() async throws {
        try await withProject(["pages/api/s.lua": """
            return function(req, res)
              res.status(201).setHeader("X-Kind", "stream")
              assert(res.write("one,") == res)
              res.write(2)
              res.finish(",three")
            end
            """]) { app in
            let response = await app.request("GET", "/api/s")
            #expect(response.status == 201)
            #expect(response.text == "one,2,three")
            #expect(response.header("x-kind") == "stream")
            #expect(response.header("content-length") == "11")
            let head = await app.request("HEAD", "/api/s")
            #expect(head.status == 201 && head.body.isEmpty)
        }
    }

    @Test func sseFramesEventsAndSplitsMultiLineData() async throws {
        try await withProject(["pages/api/sse.lua": """
            return function(req, res)
              res.sse({ event = "greeting", id = "1", retry = 1500, data = "line one\\nline two\\r\\nthree" })
              res.sse({ data = { n = 1 } })
              res.sse("plain")
              res.sse({ comment = "ping" })
              -- a handler that returns after writes ends the body
            end
            """]) { app in
            let response = await app.request("GET", "/api/sse")
            #expect(response.status == 200)
            #expect(response.header("content-type") == "text/event-stream; charset=utf-8")
            #expect(response.header("cache-control") == "no-cache")
            #expect(response.text == "event: greeting\nid: 1\nretry: 1500\ndata: line one\ndata: line two\ndata: three\n\n"
                        + "data: {\"n\":1}\n\n" + "data: plain\n\n" + ": ping\n\n")
        }
    }

    @Test func misuseReadsClearly() async throws {
        try await withProject([
            "pages/api/twice.lua": "return function(req, res) res.write('a'); res.json({}) end",
            "pages/api/after.lua": "return function(req, res) res.write('a'); res.finish(); res.write('b') end",
            "pages/api/badsse.lua": "return function(req, res) res.sse({ event = 'a\\nb', data = 'x' }) end",
            "pages/api/badchunk.lua": "return function(req, res) res.write({}) end",
        ]) { app in
            #expect(await app.request("GET", "/api/twice").text == "a")   // cut off: the head was out
            #expect(app.logText.contains("response already sent"))
            _ = await app.request("GET", "/api/after")
            #expect(app.logText.contains("response already finished"))
            #expect(await app.request("GET", "/api/badsse").status == 500)
            #expect(app.logText.contains("event must be one line"))
            #expect(await app.request("GET", "/api/badchunk").status == 500)
            #expect(app.logText.contains("bad argument #1 to 'write' (string expected, got table)"))
        }
    }

    // MARK: a real socket

    @Test func chunkedOverTheSocketWithHeadOnlyForHEADAnd204() async throws {
        try await withServer(["pages/api/s.lua": """
            return function(req, res)
              if req.query.empty then res.status(204) end
              res.flush()
              res.write("hello ")
              res.write("world")
            end
            """,
            "pages/api/len.lua": "return function(req, res) res.setHeader('Content-Length', 5); res.write('ab'); res.write('cde') end",
        ]) { port in
            let raw = try Self.get(port, "/api/s")
            let (head, body) = Self.split(Array(raw.utf8))
            #expect(head.hasPrefix("HTTP/1.1 200 OK"))
            #expect(head.contains("Transfer-Encoding: chunked"))
            #expect(!head.contains("Content-Length"))
            let decoded = Self.dechunk(body)
            #expect(String(decoding: decoded.body, as: UTF8.self) == "hello world" && decoded.complete)

            let headOnly = try rawHTTP(port: port, "HEAD /api/s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(headOnly.hasPrefix("HTTP/1.1 200 OK") && headOnly.hasSuffix("\r\n\r\n"))
            let empty = try Self.get(port, "/api/s?empty=1")
            #expect(empty.hasPrefix("HTTP/1.1 204") && empty.hasSuffix("\r\n\r\n") && !empty.contains("chunked"))

            let fixed = try Self.get(port, "/api/len")
            #expect(fixed.contains("Content-Length: 5\r\n") && !fixed.contains("chunked") && fixed.hasSuffix("\r\n\r\nabcde"))
        }
    }

    /// Each write yields: a request on another connection of the same (only) event loop is
    /// answered while the stream runs, and the handler sees what it did.
    @Test func sseRouteKeepsTheLoopServingOthers() async throws {
        try await withServer(["luaroutes.config.lua": Self.config,
            "pages/api/feed.lua": """
            return function(req, res)
              shared.s:set("stop", false)
              for i = 1, 200000 do
                if shared.s:get("stop") then res.sse({ event = "bye", data = i }); return end
                if not res.sse({ id = i, data = "tick" }) then return end
              end
              res.sse({ event = "cap" })
            end
            """,
            "pages/api/stop.lua": "return function(req, res) shared.s:set('stop', true); res.send('stopped') end",
        ]) { port in
            try await onOwnThread {
                let feed = try RawConnection(port: port)
                feed.send("GET /api/feed HTTP/1.1\r\nHost: t\r\n\r\n")
                var first = ""
                for _ in 0..<50 where !first.contains("data: tick") { first += feed.readFor(seconds: 0.1).text }
                #expect(first.contains("Content-Type: text/event-stream") && first.contains("data: tick"))
                #expect(try Self.get(port, "/api/stop").hasSuffix("stopped"))
                var rest = ""
                var reads = 0
                while !rest.contains("\r\n0\r\n\r\n"), reads < 200 {
                    rest += feed.readFor(seconds: 0.1).text
                    reads += 1
                }
                #expect(rest.contains("event: bye"))
                #expect(!rest.contains("event: cap"))
            }
        }
    }

    /// A client that leaves mid-stream: the handler's next write returns nil, "closed", it ends,
    /// and the host keeps serving.
    @Test func clientLeavingMidStreamEndsTheHandler() async throws {
        try await withServer(["luaroutes.config.lua": Self.config,
            "pages/api/forever.lua": """
            return function(req, res)
              local n = 0
              while true do
                local ok, err = res.write(string.rep("x", 1024))
                if not ok then shared.s:set("ended", err .. " after " .. n); return end
                n = n + 1
              end
            end
            """,
            "pages/api/status.lua": "return function(req, res) res.send(shared.s:get('ended') or 'running') end",
        ]) { port in
            try await onOwnThread {
                do {
                    let client = try RawConnection(port: port)
                    client.send("GET /api/forever HTTP/1.1\r\nHost: t\r\n\r\n")
                    var head = ""
                    for _ in 0..<50 where !head.contains("\r\n\r\n") { head += client.readFor(seconds: 0.1).text }
                    #expect(head.contains("Transfer-Encoding: chunked"))
                }   // closed here, mid-stream
                var status = ""
                for _ in 0..<50 {
                    status = try Self.get(port, "/api/status")
                    if status.hasSuffix("closed") || status.contains("closed after") { break }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                #expect(status.contains("closed after"))
                #expect(try Self.get(port, "/api/status").hasPrefix("HTTP/1.1 200"))
            }
        }
    }

    /// 10 MB to a client that stops reading: the handler waits on the connection (its progress
    /// stalls far short of the whole body) instead of the server buffering it, and once the
    /// client reads, every byte arrives.
    @Test func tenMegabytesToASlowReaderStayBounded() async throws {
        try await withServer(["luaroutes.config.lua": Self.config,
            "pages/api/big.lua": """
            return { config = { limits = { timeout = "60s" } }, handler = function(req, res)
              local chunk = string.rep("0123456789abcdef", 4096)   -- 64 KiB
              for i = 1, 160 do
                assert(res.write(chunk))
                shared.s:set("sent", i * #chunk)
              end
            end }
            """,
            "pages/api/sent.lua": "return function(req, res) res.send(tostring(shared.s:get('sent') or 0)) end",
        ]) { port in
            try await onOwnThread {
                let client = try RawConnection(port: port, receiveBuffer: 16 * 1024)
                client.send("GET /api/big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                // Not reading: wait until the handler's progress stops moving (bounded wait).
                func sent() throws -> Int { Int(try Self.get(port, "/api/sent").components(separatedBy: "\r\n\r\n").last ?? "") ?? -1 }
                var last = -1, now = try sent(), polls = 0
                while (now != last || now == 0), polls < 100 {
                    Thread.sleep(forTimeInterval: 0.1)
                    last = now
                    now = try sent()
                    polls += 1
                }
                // The bound: the kernel's send buffer (its autotuning maximum, tcp_wmem) and the
                // client's small receive buffer, plus the one chunk the host holds.
                let sendBufferMax = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_wmem", encoding: .utf8))
                    .flatMap { $0.split(whereSeparator: \.isWhitespace).last.flatMap { Int($0) } } ?? 4 << 20
                print("streaming: handler progress with a client not reading: \(now) of \(160 * 65536) bytes (send buffer max \(sendBufferMax))")
                #expect(now > 0 && now <= sendBufferMax + 256 * 1024 + 65536)
                #expect(now < 160 * 65536)
                let (bytes, end) = client.readBytesToEnd()
                #expect(end == .closed)
                let (_, body) = Self.split(bytes)
                let decoded = Self.dechunk(body)
                #expect(decoded.complete && decoded.body.count == 160 * 65536)
                #expect(decoded.body.prefix(16) == Array("0123456789abcdef".utf8)[...])
                var final = try sent()
                for _ in 0..<50 where final != 160 * 65536 {   // the handler's last set follows its last write
                    Thread.sleep(forTimeInterval: 0.1)
                    final = try sent()
                }
                #expect(final == 160 * 65536)
            }
        }
    }

    /// limits.timeout covers the whole stream: a handler parked on a client that never reads is
    /// cut off when it passes, the body ends without its last chunk, and the route serves again.
    @Test func timeoutCutsAStreamOff() async throws {
        try await withServer(["pages/api/s.lua": """
            return { config = { limits = { timeout = "300ms" } }, handler = function(req, res)
              if req.query.short then return res.send("short") end
              local chunk = string.rep("x", 65536)
              while res.write(chunk) do end
            end }
            """]) { port in
            try await onOwnThread {
                let client = try RawConnection(port: port, receiveBuffer: 16 * 1024)
                client.send("GET /api/s HTTP/1.1\r\nHost: t\r\n\r\n")
                Thread.sleep(forTimeInterval: 0.5)   // not reading: the handler is parked until its timeout
                let (bytes, end) = client.readBytesToEnd()
                #expect(end == .closed)
                let (head, body) = Self.split(bytes)
                #expect(head.hasPrefix("HTTP/1.1 200") && head.contains("chunked"))
                #expect(!Self.dechunk(body).complete)
                #expect(try Self.get(port, "/api/s?short=1").hasSuffix("short"))
            }
        }
    }

    /// After a streamed answer the kept-alive connection serves the next (pipelined) request;
    /// HTTP/1.0 gets the bytes unframed and a close; a body short of its Content-Length closes.
    @Test func keepAliveHTTP10AndShortContentLength() async throws {
        try await withServer(["pages/api/s.lua": "return function(req, res) res.write('ab'); res.write('cd') end",
                              "pages/api/short.lua": "return function(req, res) res.setHeader('Content-Length', 10); res.write('abc') end",
                              "pages/api/ok.lua": "return function(req, res) res.send('ok') end"]) { port in
            try await onOwnThread {
                let both = try rawHTTP(port: port, "GET /api/s HTTP/1.1\r\nHost: t\r\n\r\nGET /api/ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                #expect(both.hasPrefix("HTTP/1.1 200 OK\r\n") && both.contains("\r\nTransfer-Encoding: chunked\r\n"))
                #expect(both.contains("\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"))
                #expect(both.hasSuffix("\r\n\r\nok"))

                let old = try rawHTTP(port: port, "GET /api/s HTTP/1.0\r\nHost: t\r\n\r\n")
                #expect(old.hasPrefix("HTTP/1.0 200 OK\r\n") && !old.contains("chunked") && old.hasSuffix("\r\n\r\nabcd"))

                let client = try RawConnection(port: port)
                client.send("GET /api/short HTTP/1.1\r\nHost: t\r\n\r\n")
                let (text, end) = client.readToEnd()
                #expect(end == .closed && text.contains("Content-Length: 10\r\n") && text.hasSuffix("\r\n\r\nabc"))
            }
        }
    }

    @Test func errorAfterTheHeadCutsTheBodyOff() async throws {
        try await withServer(["pages/api/s.lua": "return function(req, res) res.write('partial'); error('boom') end"]) { port in
            let raw = try Self.get(port, "/api/s")
            let (head, body) = Self.split(Array(raw.utf8))
            #expect(head.hasPrefix("HTTP/1.1 200"))
            let decoded = Self.dechunk(body)
            #expect(String(decoding: decoded.body, as: UTF8.self) == "partial" && !decoded.complete)
            #expect(try Self.get(port, "/api/s").hasPrefix("HTTP/1.1 200"))   // the host keeps serving
        }
    }
}
