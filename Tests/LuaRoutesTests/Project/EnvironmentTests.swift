import Testing
@testable import LuaRoutes

/// `.env`, `.env.local` and the process environment, as handlers read them through `env`
/// (docs/reference.md section 6).
@Suite struct EnvironmentTests {
    static let show = "return function(req, res) res.json({ a = env.A, b = env.B, c = env.C, d = env.D }) end"

    @Test func localOverridesDotEnvAndTheProcessOverridesBoth() async throws {
        try await withProject([
            ".env": "A=from-env\nB=from-env\nC=from-env",
            ".env.local": "B=from-local\nC=from-local",
            "pages/api/env.lua": Self.show,
        ], environment: ["C": "from-process", "D": "process-only"]) { app in
            #expect(await app.request("GET", "/api/env").sortedJSON == #"{"a":"from-env","b":"from-local","c":"from-process","d":"process-only"}"#)
            #expect(app.dispatcher.project.envFiles == [".env", ".env.local"])
        }
    }

    @Test func eitherFileMayBeMissing() async throws {
        try await withProject([".env.local": "A=only-local", "pages/api/env.lua": Self.show]) { app in
            #expect(await app.request("GET", "/api/env").text == #"{"a":"only-local"}"#)
            #expect(app.dispatcher.project.envFiles == [".env.local"])
        }
        try await withProject(["pages/api/env.lua": Self.show]) { app in
            #expect(app.dispatcher.project.envFiles == [])
        }
    }

    @Test func envIsReadOnlyAndNotSharedBetweenRequests() async throws {
        let route = "return function(req, res) local ok, err = pcall(function() env.A = 'changed' end) res.json({ ok = ok, a = env.A }) end"
        try await withProject([".env": "A=1", "pages/api/x.lua": route]) { app in
            for _ in 0..<2 {
                let text = await app.request("GET", "/api/x").text
                #expect(text.contains(#""ok":false"#) && text.contains(#""a":"1""#), "\(text)")
            }
        }
    }

    @Test(arguments: [
        ("A=plain", "plain"),
        ("A = spaced  ", "spaced"),
        ("export A=exported", "exported"),
        ("A=cut # a comment", "cut"),
        ("A=kept#hash", "kept#hash"),
        ("A=", ""),
        ("A= # only a comment", ""),
        ("A='single $HOME \\n'", "single $HOME \\n"),
        ("A='single' # comment", "single"),
        ("A=\"double\\nline \\\"q\\\" \\\\n\"", "double\nline \"q\" \\n"),
        ("A=\"double # not a comment\" # comment", "double # not a comment"),
        ("A=\"unclosed", "\"unclosed"),
        ("A=x=y", "x=y"),
        ("A=\"\"", ""),
    ])
    func valueSyntax(line: String, value: String) {
        let parsed = DotEnv.parse(line)
        #expect(parsed.count == 1 && parsed.first?.0 == "A" && parsed.first?.1 == value, "\(line) -> \(parsed)")
    }

    @Test func linesThatAreNotAssignmentsAreSkipped() {
        let text = "# comment\n\n   \nNOEQUALS\n=nokey\nBAD KEY=x\nA=1\r\nexport B=2\n  # indented comment\nA=3"
        let parsed = DotEnv.parse(text)
        #expect(parsed.map(\.0) == ["A", "B", "A"])
        #expect(parsed.map(\.1) == ["1", "2", "3"], "the last assignment wins when loaded")
    }
}
