import Foundation
import LuaRoutes

extension HurlSuite {
    /// Runs each file against a responder made for it alone (`luaroutes test` gives each file a
    /// fresh temporary database, docs/data.md ("Tests")), and reports them together as ``run(files:root:variables:responder:)`` does.
    /// `responder(file)` answers the responder and what to do once the file ran.
    public static func run(files: [String], root: String, variables: [String: String],
                           responderPerFile: (String) async throws -> (responder: any Responder, done: () async -> Void)) async throws -> HurlSuiteResult {
        let commandLine = HurlVariables.commandLine(variables: variables, environment: ProcessInfo.processInfo.environment)
        let rootURL = URL(fileURLWithPath: root, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
        var results: [HurlReport.FileResult] = []
        for file in files {
            let url = URL(fileURLWithPath: file, relativeTo: rootURL).standardizedFileURL
            let (responder, done) = try await responderPerFile(file)
            results.append(await runFile(url, shown: displayPath(url, root: rootURL), variables: commandLine, responder: responder))
            await done()
        }
        let passed = results.filter(\.passed).count
        return HurlSuiteResult(output: HurlReport.render(results), passed: passed, failed: results.count - passed)
    }
}
