import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 13, part 2: Lua 5.4.4 overflows the C stack (segfault) when closing a coroutine whose
/// to-be-closed variable closes another, 20,000 deep. Through `luaroutes serve` and a real
/// socket, such a request must be answered, and the process must keep serving.
@Suite struct CoroutineCloseChainTests {
    /// Each link yields with a to-be-closed variable whose __close closes the previous link.
    static let chainRoute = """
        local function chain(n, nest)
          local prev
          for i = 1, n do
            local inner = prev
            local co = coroutine.create(function()
              local x <close> = setmetatable({}, { __close = function()
                -- nest: C calls held while the next link closes (Lua counts them anew in
                -- every coroutine, so they add up over the chain)
                local function deep(k)
                  if k > 0 then return select(2, pcall(deep, k - 1)) end
                  if inner then coroutine.close(inner) end
                end
                deep(nest)
              end })
              coroutine.yield()
            end)
            coroutine.resume(co)
            prev = co
          end
          return prev
        end
        return function(req, res)
          local top = chain(tonumber(req.query.n), tonumber(req.query.nest) or 0)
          local closed, err = coroutine.close(top)
          res.json({ closed = closed, err = err and tostring(err) or json.null })
        end
        """

    /// The same chain, but each link is a coroutine.wrap body that fails: wrap closes it, and its
    /// __close calls the next wrapped function.
    static let wrapChainRoute = """
        local function link(k)
          return coroutine.wrap(function()
            local x <close> = setmetatable({}, { __close = function()
              if k > 0 then pcall(link(k - 1)) end
            end })
            error("fail " .. k)
          end)
        end
        return function(req, res)
          local ok, err = pcall(link(tonumber(req.query.n)))
          res.json({ ok = ok, err = tostring(err) })
        end
        """

    @Test(arguments: ["/api/chain?n=20000", "/api/chain?n=1000&nest=150", "/api/wrapchain?n=20000"])
    func deepCloseChainIsAnsweredAndTheHostKeepsServing(_ path: String) async throws {
        let root = try CLI.project([
            "pages/api/chain.lua": Self.chainRoute,
            "pages/api/wrapchain.lua": Self.wrapChainRoute,
            "pages/api/ping.lua": "return function(req, res) res.send('pong') end",
            "luaroutes.config.lua": "return { limits = { cpu = '20s', timeout = '30s', memory = '1gb' } }",
        ])
        let server = try ServeProcess(root: root)
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")

        let answer = try HTTPGet.get(port: server.port, path: path, timeout: 60)
        #expect(answer.status == 200 || answer.status == 500, "\(answer)")
        #expect(server.process.isRunning, "\(server.stderr)")
        // A healthy route on the same loops answers within a second, and the process is alive.
        let started = ContinuousClock.now
        let ping = try HTTPGet.get(port: server.port, path: "/api/ping", timeout: 5)
        #expect(ping.status == 200 && ping.body == "pong")
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(server.process.isRunning, "\(server.stderr)")
        // And SIGTERM still stops it cleanly, within --grace (10 s by default).
        kill(server.process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(15)
        while server.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!server.process.isRunning)
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
    }

    /// A short chain closes completely, as in stock Lua: the guard only stops deep ones.
    @Test func shortChainClosesEveryLink() async throws {
        let root = try CLI.project(["pages/api/chain.lua": Self.chainRoute])
        let server = try ServeProcess(root: root)
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        let answer = try HTTPGet.get(port: server.port, path: "/api/chain?n=100", timeout: 30)
        #expect(answer.status == 200)
        #expect(answer.body.contains(#""closed":true"#) && answer.body.contains(#""err":null"#), "\(answer.body)")
    }
}
