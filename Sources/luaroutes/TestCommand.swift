import ArgumentParser
import Foundation
import Logging
import LuaRoutes
import LuaRoutesHurl
import NIOPosix

struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run tests/**.hurl (or the FILES given) in-process against the project.",
        discussion: "Prints each failure located by file:line and the closing line 'N passed, N failed'. Exit 1 when any file failed or none was found."
    )

    @OptionGroup var root: RootOption

    @Argument(help: "Hurl files to run (default: every tests/**.hurl under the root).")
    var files: [String] = []

    @Option(name: .customLong("variable"), help: ArgumentHelp("A template variable, name=value; repeat for more.", valueName: "name=value"))
    var variables: [String] = []

    @Flag(inversion: .prefixedNo, help: "Development mode (the default for tests): a failing handler's message and traceback reach the failure report.")
    var dev = true

    func validate() throws {
        for variable in variables where !variable.contains("=") {
            throw ValidationError("--variable takes name=value, got '\(variable)'")
        }
    }

    @Option(name: .customLong("db"), help: ArgumentHelp("Run against this database instead of a fresh temporary SQLite file (sqlite:PATH or postgres://...).", valueName: "URL"))
    var database: String?

    func run() async throws {
        var logger = Logger(label: "luaroutes")
        logger.logLevel = .warning
        var values: [String: String] = [:]
        for variable in variables {
            let eq = variable.firstIndex(of: "=")!
            values[String(variable[..<eq])] = String(variable[variable.index(after: eq)...])
        }
        if let database { setenv(DatabaseLocation.overrideVariable, database, 1) }
        let project = try root.loadProject(logger: logger, database: database != nil)
        let found: [String]
        do {
            found = try HurlSuite.discover(root: project.root, files: files)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        // One event loop: module state lives per route per loop, and a test file expects the
        // state its earlier entries left (as one keep-alive connection to `serve` would see).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let result: HurlSuiteResult
        if database != nil {
            let dispatcher = Dispatcher(project: project, group: group, dev: dev, logger: logger)
            result = await HurlSuite.run(files: found, root: project.root, variables: values, responder: dispatcher)
            await dispatcher.shutdown()
        } else {
            // Each file starts from a fresh temporary database with the migrations applied,
            // deleted afterwards (docs/data.md ("Tests")).
            result = try await HurlSuite.run(files: found, root: project.root, variables: values) { _ in
                let scratch = NSTemporaryDirectory() + "luaroutes-test-db-" + UUID().uuidString
                setenv(DatabaseLocation.overrideVariable, "sqlite:" + scratch + "/data.db", 1)
                let fresh = try root.loadProject(logger: logger)
                let dispatcher = Dispatcher(project: fresh, group: group, dev: dev, logger: logger)
                return (dispatcher, {
                    await dispatcher.shutdown()
                    try? FileManager.default.removeItem(atPath: scratch)
                })
            }
        }
        try? await group.shutdownGracefully()
        FileHandle.standardOutput.write(Data(result.output.utf8))
        if result.failed > 0 || result.passed + result.failed == 0 { throw ExitCode(1) }
    }
}
