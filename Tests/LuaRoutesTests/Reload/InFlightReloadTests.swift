import Foundation
import Synchronization
import Testing
@testable import LuaRoutes

/// A reload while a request waits on fetch: that request finishes on the old generation.
@Suite struct InFlightReloadTests {
    final class Seen: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func aRequestInFlightFinishesOnTheOldVersion() async throws {
        let seen = Seen()
        let upstream = try await Upstream { _ in
            seen.count.add(1, ordering: .relaxed)
            return UpstreamReply(body: Array("slow".utf8), delay: .milliseconds(300))
        }
        let files = ["pages/api/hello.lua": "return function(req, res) local r = fetch(env.UP) res.send('v1:' .. r.body) end"]
        try await withProject(files, environment: ["UP": "http://127.0.0.1:\(upstream.port)/"]) { app in
            async let slow = app.request("GET", "/api/hello")
            let deadline = ContinuousClock.now + .seconds(10)
            while seen.count.load(ordering: .relaxed) == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            try app.write("pages/api/hello.lua", "return function(req, res) res.send('v2') end")
            #expect(app.dispatcher.reload() == .reloaded(routes: 1))
            #expect(await app.request("GET", "/api/hello").text == "v2")
            let answer = await slow
            #expect(answer.status == 200)
            #expect(answer.text == "v1:slow")
        }
        try await upstream.close()
    }
}
