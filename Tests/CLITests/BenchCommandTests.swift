import Foundation
import Testing

/// `luaroutes bench`: the same dispatch as serve, and `--no-limits` turning the limits off
/// through the project's own configuration (no process-wide switch).
@Suite struct BenchCommandTests {
    /// 16 MB of string in a state whose memory limit is 8 MB.
    static let app = [
        "pages/api/big.lua": """
            return { config = { limits = { memory = "8mb" } },
                     handler = function(req, res) res.send(#string.rep("x", 16 * 1024 * 1024)) end }
            """,
    ]

    @Test func limitsHoldUnlessTurnedOff() throws {
        let root = try CLI.project(Self.app)
        let limited = try CLI.run(["bench", "--root", root, "GET", "/api/big", "-n", "2"])
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(limited.stdout.contains("statuses 500×2"), "\(limited.stdout)")

        let unlimited = try CLI.run(["bench", "--root", root, "GET", "/api/big", "-n", "2", "--no-limits"])
        #expect(unlimited.status == 0, "\(unlimited.stderr)")
        #expect(unlimited.stdout.contains("(no limits)"), "\(unlimited.stdout)")
        #expect(unlimited.stdout.contains("statuses 200×2"), "\(unlimited.stdout)")
    }
}
