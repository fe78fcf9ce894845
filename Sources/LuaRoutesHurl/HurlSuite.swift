import Foundation
import LuaRoutes

/// The top-level API `luaroutes test` calls: find the `.hurl` files, run each as its own session
/// against one ``Responder``, and produce the report (docs/hurl-subset.md sections 2-5, docs/reference.md section 8).
///
/// The CLI prints `output` to stdout and exits 1 unless ``HurlSuiteResult/allPassed``
/// (`failed == 0 && passed > 0`; an empty run is `passed + failed == 0` and also exits 1).
public struct HurlSuite {
    public struct DiscoveryError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Finds files: explicit FILES (relative to the current folder, or absolute; each must exist),
    /// or ROOT/tests/**.hurl sorted by path. Returns absolute paths.
    public static func discover(root: String, files: [String]) throws -> [String] {
        let manager = FileManager.default
        let cwd = URL(fileURLWithPath: manager.currentDirectoryPath, isDirectory: true)
        if !files.isEmpty {
            return try files.map { file in
                let url = URL(fileURLWithPath: file, relativeTo: cwd).standardizedFileURL
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                    throw DiscoveryError(description: "no such file: \(file)")
                }
                return url.path
            }
        }
        let testsURL = URL(fileURLWithPath: root, relativeTo: cwd).standardizedFileURL.appendingPathComponent("tests")
        guard let enumerator = manager.enumerator(at: testsURL, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var found: [String] = []
        for case let url as URL in enumerator where url.pathExtension == "hurl" {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                found.append(url.standardizedFileURL.path)
            }
        }
        // Byte order of the path, so the order does not depend on the locale.
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Runs the files one after another, in the order given (docs/hurl-subset.md section 2 rule 3: one host
    /// instance, files in path order), each with fresh variables and cookies.
    /// `variables` are `--variable name=value` pairs; `HURL_VARIABLE_name` environment
    /// variables sit under them, and `host` defaults to `http://localhost`.
    public static func run(files: [String], root: String, variables: [String: String],
                           responder: any Responder) async -> HurlSuiteResult {
        await run(files: files, root: root, variables: variables,
                  environment: ProcessInfo.processInfo.environment, responder: responder)
    }

    static func run(files: [String], root: String, variables: [String: String], environment: [String: String],
                    responder: any Responder) async -> HurlSuiteResult {
        let commandLine = HurlVariables.commandLine(variables: variables, environment: environment)
        return await runAll(files: files, root: root, commandLine: commandLine, transcript: nil) { _ in (responder, { [] }) }
    }

    /// Runs each file with the responder `prepare(file)` gives it; its `done` runs after the
    /// file and answers the fetches that found no mock (each fails the file).
    static func runAll(files: [String], root: String, commandLine: [String: HurlValue], transcript: HurlTranscript?,
                       prepare: (String) async throws -> (responder: any Responder, done: () async -> [String])) async rethrows -> HurlSuiteResult {
        let rootURL = URL(fileURLWithPath: root, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
        var results: [HurlReport.FileResult] = []
        for file in files {
            let url = URL(fileURLWithPath: file, relativeTo: rootURL).standardizedFileURL
            let shown = displayPath(url, root: rootURL)
            let (responder, done) = try await prepare(file)
            let clock = ContinuousClock()
            let start = clock.now
            var result = await runFile(url, shown: shown, variables: commandLine, responder: responder, transcript: transcript)
            result.unmocked = await done()
            result.duration = clock.now - start
            results.append(result)
        }
        let passed = results.filter(\.passed).count
        return HurlSuiteResult(output: HurlReport.render(results), passed: passed, failed: results.count - passed,
                               junit: HurlJUnit.render(results))
    }

    static func runFile(_ url: URL, shown: String, variables: [String: HurlValue],
                        responder: any Responder, transcript: HurlTranscript? = nil) async -> HurlReport.FileResult {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return .init(path: shown, sourceLines: [], outcome: .unreadable("cannot read \(shown)"))
        }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            return .init(path: shown, sourceLines: [], outcome: .unreadable("\(shown) is not valid UTF-8"))
        }
        let lines = HurlParser.sourceLines(text)
        let file: HurlFile
        do {
            file = try HurlParser.parse(text)
        } catch {
            return .init(path: shown, sourceLines: lines, outcome: .notRun(error.diagnostic))
        }
        var runner = HurlRunner(file: file, directory: url.deletingLastPathComponent(), responder: responder,
                                commandLineVariables: variables)
        runner.transcript = transcript
        runner.shownPath = shown
        return .init(path: shown, sourceLines: lines, outcome: .run(await runner.run()))
    }

    /// `tests/users.hurl` for a file under ROOT; the path as it is otherwise.
    static func displayPath(_ url: URL, root: URL) -> String {
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return url.path.hasPrefix(rootPath) ? String(url.path.dropFirst(rootPath.count)) : url.path
    }
}
