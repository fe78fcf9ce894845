import Foundation
import Testing
@testable import LuaRoutesHurl
import LuaRoutes

/// Runs each `Fixtures/{ok,failed,parse-error}/name.hurl` against ``fixtureAPI`` and compares the
/// whole report with `name.out`, as Hurl's integration tests do. Paths are shown relative to
/// `Fixtures/` (the ROOT here), e.g. `failed/status.hurl`.
/// Set `HURL_FIXTURES_RECORD=1` to rewrite the `.out` files after a deliberate change, then review the diff.
@Suite struct HurlFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func names(_ folder: String) -> [String] {
        let url = fixtures.appendingPathComponent(folder)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return files.filter { $0.hasSuffix(".hurl") }.sorted().map { "\(folder)/\($0)" }
    }

    static let all = names("ok") + names("failed") + names("parse-error")

    @Test(arguments: all)
    func fixture(_ name: String) async throws {
        let result = await HurlSuite.run(files: [name], root: Self.fixtures.path, variables: [:], environment: [:],
                                         responder: fixtureAPI)
        let expectedURL = Self.fixtures.appendingPathComponent(name.replacingOccurrences(of: ".hurl", with: ".out"))
        if ProcessInfo.processInfo.environment["HURL_FIXTURES_RECORD"] == "1" {
            try result.output.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(result.output == expected)
        #expect(result.passed == (name.hasPrefix("ok/") ? 1 : 0))
        #expect(result.failed == (name.hasPrefix("ok/") ? 0 : 1))
    }

    @Test func everyFixtureHasAnExpectedOutput() {
        #expect(Self.all.count >= 13)
    }
}
