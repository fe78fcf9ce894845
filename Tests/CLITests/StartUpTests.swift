import Foundation
import TestSupport
import Testing

/// What `serve` and `routes` do at start-up (docs/reference.md sections 6-8): the log names the env
/// files loaded, never their values; an invalid config file stops start-up with exit status 1.
@Suite struct StartUpTests {
    static let route = ["pages/api/env.lua": "return function(req, res) res.json({ token = env.TOKEN }) end"]

    /// `serve` on a free port with extra process environment; stderr goes to a file.
    func startServe(root: String, environment: [String: String]) throws -> (process: ChildProcess, port: Int, stderrPath: String) {
        let port = try freeLoopbackPort()
        let stderrPath = NSTemporaryDirectory() + "luaroutes-startup-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = ChildProcess()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", String(port), "--threads", "1", "--root", root]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        return (process, port, stderrPath)
    }

    @Test func serveNamesTheEnvFilesButNeverTheirValues() async throws {
        let root = try CLI.project(Self.route.merging([
            ".env": "TOKEN=dotenv-value-4f2a\nOTHER=\"quoted-value-77c1\"",
            ".env.local": "export TOKEN=local-value-9e3b # from .env.local",
        ]) { $1 })
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (process, port, stderrPath) = try startServe(root: root, environment: ["PROCESS_SECRET": "process-value-5d0c"])
        defer { try? FileManager.default.removeItem(atPath: stderrPath) }
        var answer: (status: Int, body: String)?
        for _ in 0..<1000 where answer == nil && process.isRunning {
            answer = try? HTTPGet.get(port: port, path: "/api/env")
            if answer == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        process.terminate()   // SIGTERM
        process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        #expect(answer?.body == #"{"token":"local-value-9e3b"}"#, "the values are loaded: \(stderr)")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "SIGTERM is a clean stop: \(stderr)")
        let listening = stderr.split(separator: "\n").filter { $0.contains("listening on http://127.0.0.1:\(port)") }
        #expect(listening.count == 1, "\(stderr)")
        #expect(stderr.split(separator: "\n").contains { $0.contains(".env") && $0.contains(".env.local") }, "the files are named: \(stderr)")
        for value in ["dotenv-value-4f2a", "quoted-value-77c1", "local-value-9e3b", "process-value-5d0c"] {
            #expect(!stderr.contains(value), "\(value) leaked into the log")
        }
    }

    @Test(arguments: ["routes", "serve"])
    func invalidConfigFileExits1NamingTheKey(command: String) throws {
        let root = try CLI.project(Self.route.merging(["luaroutes.config.lua": #"return { bodyParser = { sizeLimit = "12 parsecs" } }"#]) { $1 })
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try CLI.run([command, "--root", root] + (command == "serve" ? ["--port", "0"] : []))
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"error: luaroutes.config.lua: bodyParser.sizeLimit: "12 parsecs" is not a size"#), "\(result.stderr)")
    }

    @Test func configFileThatDoesNotCompileExits1WithTheLine() throws {
        let root = try CLI.project(Self.route.merging(["luaroutes.config.lua": "return {\n  cors = {\n    origin = ,\n  },\n}"]) { $1 })
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try CLI.run(["routes", "--root", root])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: luaroutes.config.lua:3: unexpected symbol near ','"), "\(result.stderr)")
    }

    @Test func invalidRouteConfigIsReportedAndTheOthersAreListed() throws {
        let root = try CLI.project(Self.route.merging([
            "pages/api/bad.lua": "return { config = { cors = { origin = 'a.com' } }, handler = function(req, res) end }",
        ]) { $1 })
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try CLI.run(["routes", "--root", root])
        #expect(result.status == 1)
        #expect(result.stdout.contains("/api/env"))
        #expect(result.stderr.contains(#"pages/api/bad.lua: config.cors.origin: "a.com" is not an origin"#), "\(result.stderr)")
    }
}
