import Foundation
import LuaRoutes

extension HurlSuite {
    /// Runs each file against a responder made for it alone (`luaroutes test` gives each file
    /// fresh module state and a fresh temporary database, docs/testing.md), and reports them
    /// together as ``run(files:root:variables:responder:)`` does.
    /// `responderPerFile(file)` answers the responder and what to do once the file ran; that
    /// answers the fetches that found no mock, each of which fails the file.
    /// `transcript` (`--verbose`) receives every request and answer as text.
    public static func run(files: [String], root: String, variables: [String: String],
                           transcript: (@Sendable (String) -> Void)? = nil,
                           responderPerFile: (String) async throws -> (responder: any Responder, done: () async -> [String])) async throws -> HurlSuiteResult {
        let commandLine = HurlVariables.commandLine(variables: variables, environment: ProcessInfo.processInfo.environment)
        return try await runAll(files: files, root: root, commandLine: commandLine, transcript: transcript.map(HurlTranscript.init),
                                prepare: responderPerFile)
    }
}
