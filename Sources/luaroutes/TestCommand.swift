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
        discussion: """
            Each file starts from fresh module state and a fresh temporary database (docs/testing.md). \
            fetch answers from tests/mocks/*.lua; a URL without a mock fails the file unless --allow-network. \
            Reads .env then .env.test, never .env.local. With --variable host=http://HOST:PORT the same files \
            run against that live server instead. Prints each failure located by file:line and the closing line \
            'N passed, N failed'. Exit 1 when any file failed or none was found.
            """
    )

    @OptionGroup var root: RootOption

    @Argument(help: "Hurl files to run (default: every tests/**.hurl under the root).")
    var files: [String] = []

    @Option(name: .customLong("variable"), help: ArgumentHelp("A template variable, name=value; repeat for more. host=http://... runs against that server.", valueName: "name=value"))
    var variables: [String] = []

    @Option(name: .customLong("variables-file"), help: ArgumentHelp("A file of name=value lines (# comments); --variable wins over it.", valueName: "FILE"))
    var variablesFile: String?

    @Flag(inversion: .prefixedNo, help: "Development mode (the default for tests): a failing handler's message and traceback reach the failure report.")
    var dev = true

    @Option(name: .customLong("db"), help: ArgumentHelp("Run against this database instead of a fresh temporary SQLite file per test file (sqlite:PATH or postgres://...).", valueName: "URL"))
    var database: String?

    @Flag(help: "One project instance for every file (module state and the temporary database carry over from file to file).")
    var keepState = false

    @Flag(help: "Let fetch reach URLs that tests/mocks/*.lua does not answer.")
    var allowNetwork = false

    @Flag(help: "Print every request and its answer on stderr.")
    var verbose = false

    @Option(name: .customLong("report-junit"), help: ArgumentHelp("Also write the results as JUnit XML to FILE.", valueName: "FILE"))
    var junitFile: String?

    func validate() throws {
        for variable in variables where !variable.contains("=") {
            throw ValidationError("--variable takes name=value, got '\(variable)'")
        }
    }

    func run() async throws {
        var logger = Logger(label: "luaroutes")
        logger.logLevel = .warning
        var values: [String: String] = [:]
        if let variablesFile {
            do {
                values = try TestVariablesFile.read(variablesFile)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
        for variable in variables {
            let eq = variable.firstIndex(of: "=")!
            values[String(variable[..<eq])] = String(variable[variable.index(after: eq)...])
        }
        let found: [String]
        do {
            found = try HurlSuite.discover(root: root.root, files: files)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        var transcript: (@Sendable (String) -> Void)?
        if verbose {
            transcript = { text in FileHandle.standardError.write(Data(text.utf8)) }
        }
        let result: HurlSuiteResult
        if let host = values["host"], let live = LiveServer(base: host) {
            let noUnmockedFetches: () async -> [String] = { [] }
            result = try await HurlSuite.run(files: found, root: root.root, variables: values, transcript: transcript) { _ in
                (responder: live as any Responder, done: noUnmockedFetches)
            }
            await live.shutdown()
        } else {
            result = try await runInProcess(found, values: values, logger: logger, transcript: transcript)
        }
        FileHandle.standardOutput.write(Data(result.output.utf8))
        if let junitFile {
            do {
                try Data(result.junit.utf8).write(to: URL(fileURLWithPath: junitFile))
            } catch {
                printError("error: cannot write \(junitFile): \(error.localizedDescription)")
                throw ExitCode(1)
            }
        }
        if result.failed > 0 || result.passed + result.failed == 0 { throw ExitCode(1) }
    }

    /// Each file gets a project loaded afresh (fresh Lua states) on its own temporary database
    /// (or the --db one), unless --keep-state: then one instance serves them all.
    func runInProcess(_ found: [String], values: [String: String], logger: Logger,
                      transcript: (@Sendable (String) -> Void)?) async throws -> HurlSuiteResult {
        if let database { setenv(DatabaseLocation.overrideVariable, database, 1) }
        // One event loop: module state lives per route per loop, and a test file expects the
        // state its earlier entries left (as one keep-alive connection to `serve` would see).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var shared: (dispatcher: Dispatcher, mocks: FetchMocks, scratch: String?)?
        var outcome: Result<HurlSuiteResult, any Error>
        do { outcome = .success(try await HurlSuite.run(files: found, root: root.root, variables: values, transcript: transcript) { _ in
            if let shared { return (shared.dispatcher, { shared.mocks.takeUnmocked() }) }
            let scratch = database == nil ? NSTemporaryDirectory() + "luaroutes-test-db-" + UUID().uuidString : nil
            if let scratch { setenv(DatabaseLocation.overrideVariable, "sqlite:" + scratch + "/data.db", 1) }
            let project = try root.loadProject(logger: logger, envFileNames: DotEnv.testFiles)
            project.flushSharedDictionaries()
            let mocks: FetchMocks
            do {
                mocks = try FetchMocks.load(project: project, allowNetwork: allowNetwork, logger: logger)
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
            let dispatcher = Dispatcher(project: project, group: group, dev: dev, logger: logger, fetchMocks: mocks)
            if keepState {
                shared = (dispatcher, mocks, scratch)
                return (dispatcher, { mocks.takeUnmocked() })
            }
            return (dispatcher, {
                await dispatcher.shutdown()
                if let scratch { try? FileManager.default.removeItem(atPath: scratch) }
                return mocks.takeUnmocked()
            })
        }) } catch { outcome = .failure(error) }
        if let shared {
            await shared.dispatcher.shutdown()
            if let scratch = shared.scratch { try? FileManager.default.removeItem(atPath: scratch) }
        }
        try? await group.shutdownGracefully()
        return try outcome.get()
    }
}

/// `--variables-file FILE`: `name=value` lines as `--variable` takes them; blank lines and
/// lines starting with `#` are skipped (Hurl's format).
enum TestVariablesFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "cannot read the variables file \(path)")
        }
        var values: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
                throw Failure(description: "\(path):\(index + 1): expected name=value, got '\(line)'")
            }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return values
    }
}
