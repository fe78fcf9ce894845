import Testing
@testable import LuaRoutes

/// `res` (docs/reference.md section 5): every function, dot and colon calls, and the HTTP rules the
/// host enforces on whatever the handler sent.
@Suite struct ResponseObjectTests {
    func answer(_ body: String, method: String = "GET", dev: Bool = true) async throws -> APIResponse {
        try await withProject(["pages/api/r.lua": "return function(req, res)\n\(body)\nend"], dev: dev) { app in
            await app.request(method, "/api/r")
        }
    }

    @Test func chainsWithDotAndColonCalls() async throws {
        let dot = try await answer("res.status(201).setHeader('X-A', '1').json({ a = 1 })")
        let colon = try await answer("res:status(201):setHeader('X-A', '1'):json({ a = 1 })")
        for response in [dot, colon] {
            #expect(response.status == 201)
            #expect(response.header("x-a") == "1")
            #expect(response.header("content-type") == "application/json; charset=utf-8")
            #expect(response.text == #"{"a":1}"#)
            #expect(response.header("content-length") == "7")
        }
    }

    @Test func jsonOfNilSendsNull() async throws {
        #expect(try await answer("res.json()").text == "null")
        #expect(try await answer("res.json(nil)").text == "null")
    }

    @Test func sendFollowsTypes() async throws {
        let text = try await answer("res.send('hi')")
        #expect(text.text == "hi")
        #expect(text.header("content-type") == "text/plain; charset=utf-8")
        let typed = try await answer("res.setHeader('Content-Type', 'text/html').send('<p>')")
        #expect(typed.header("content-type") == "text/html")
        #expect(try await answer("res.send({ 1, 2 })").text == "[1,2]")
        #expect(try await answer("res.send(42)").text == "42")
        #expect(try await answer("res.send(true)").header("content-type") == "application/json; charset=utf-8")
        let empty = try await answer("res.send()")
        #expect(empty.body.isEmpty)
        #expect(empty.header("content-length") == "0")
    }

    @Test func headerFunctions() async throws {
        let response = try await answer("""
            res.setHeader('Set-Cookie', { 'a=1', 'b=2' })
            res.setHeader('X-Gone', 'x')
            res.removeHeader('x-GONE')
            res.setHeader('X-Num', 5)
            assert(res.getHeader('set-cookie')[2] == 'b=2')
            assert(res.getHeader('X-Missing') == nil)
            res.send('ok')
            """)
        #expect(response.status == 200)
        #expect(response.headerValues("set-cookie") == ["a=1", "b=2"])
        #expect(response.header("x-gone") == nil)
        #expect(response.header("x-num") == "5")
    }

    @Test(arguments: [
        ("res.setHeader('X-A', 'a\\r\\nInjected: 1')", "CR or LF in header value"),
        ("res.setHeader('X-A\\n', 'a')", "CR or LF in header name"),
        ("res.setHeader('X-A', { 'ok', 'b\\nc' })", "CR or LF in header value"),
        ("res.redirect('/x\\r\\nSet-Cookie: a=1')", "CR or LF in header value"),
        ("res.status(42)", "bad argument #1 to 'status' (100-599 expected, got 42)"),
        ("res.status('abc')", "bad argument #1 to 'status' (100-599 expected, got abc)"),
        ("res.redirect(200, '/x')", "bad argument #1 to 'redirect' (300-399 expected, got 200)"),
        ("res.redirect(301, 5)", "bad argument to 'redirect' (url string expected, got number)"),
        ("res.setHeader('X', function() end)", "bad argument #2 to 'setHeader'"),
        ("res.send(function() end)", "bad argument #1 to 'send'"),
        ("res.json({ f = function() end })", "json.encode"),
    ])
    func badArgumentsRaise(code: String, message: String) async throws {
        let response = try await answer(code)
        #expect(response.status == 500)
        #expect(response.text.contains(message), "\(code): \(response.text)")
        #expect(response.text.contains("pages/api/r.lua:2:"), "the error points at the handler's line")
    }

    @Test func redirect() async throws {
        let plain = try await answer("res.redirect('/login')")
        #expect(plain.status == 307)
        #expect(plain.header("location") == "/login")
        let permanent = try await answer("res.redirect(308, 'https://example.com/')")
        #expect(permanent.status == 308)
        #expect(permanent.header("location") == "https://example.com/")
    }

    @Test func finishAndEnd() async throws {
        #expect(try await answer("res.status(202).finish('done')").text == "done")
        #expect(try await answer("res.status(202)['end']('done')").text == "done")
        #expect(try await answer("res['end']()").body.isEmpty)
    }

    @Test func noContentAndNotModifiedCarryNoBody() async throws {
        for status in [204, 304] {
            let response = try await answer("res.status(\(status)).json({ ignored = true })")
            #expect(response.status == status)
            #expect(response.body.isEmpty)
            #expect(response.header("content-type") == nil)
            #expect(response.header("content-length") == nil)
        }
    }

    @Test func headSendsNoBodyButTheLength() async throws {
        let response = try await answer("res.json({ a = 1 })", method: "HEAD")
        #expect(response.body.isEmpty)
        #expect(response.header("content-length") == "7")
    }

    @Test func userContentLengthIsReplaced() async throws {
        let response = try await answer("res.setHeader('Content-Length', '999').send('abc')")
        #expect(response.headerValues("content-length") == ["3"])
    }

    @Test func staleResFromAnEarlierRequestCannotSendAgain() async throws {
        let source = """
            local saved
            return function(req, res)
              if saved then
                local ok, err = pcall(saved.send, 'from the past')
                return res.json({ ok = ok, err = err })
              end
              saved = res
              res.send('first')
            end
            """
        try await withProject(["pages/api/s.lua": source]) { app in
            #expect(await app.request("GET", "/api/s").text == "first")
            let second = await app.request("GET", "/api/s")
            #expect(second.text.contains(#""ok":false"#))
            #expect(second.text.contains("response already sent"))
        }
    }

    @Test func methodTables() async throws {
        let source = "return { GET = function(req, res) res.send('get') end, POST = function(req, res) res.send('post') end }"
        try await withProject(["pages/api/m.lua": source]) { app in
            #expect(await app.request("GET", "/api/m").text == "get")
            #expect(await app.request("POST", "/api/m").text == "post")
            let head = await app.request("HEAD", "/api/m")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            let put = await app.request("PUT", "/api/m")
            #expect(put.status == 405)
            #expect(put.text == #"{"error":"Method Not Allowed"}"#)
            #expect(put.header("allow") == "GET, HEAD, OPTIONS, POST")
            let options = await app.request("OPTIONS", "/api/m")
            #expect(options.status == 204)
            #expect(options.header("allow") == "GET, HEAD, OPTIONS, POST")
        }
    }

    @Test func plainFunctionSeesEveryMethod() async throws {
        try await withProject(["pages/api/f.lua": "return function(req, res) res.send(req.method) end"]) { app in
            for method in ["GET", "POST", "DELETE", "PATCH", "OPTIONS"] {
                #expect(await app.request(method, "/api/f").text == method)
            }
        }
    }
}
