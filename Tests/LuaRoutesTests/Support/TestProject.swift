import Foundation
import InMemoryLogging
import Logging
import NIOCore
import NIOPosix
import TestSupport
@testable import LuaRoutes

/// A tiny project on disk, written from the test itself, served by a real ``Dispatcher``
/// (the path `serve`, `request` and `test` share). Logs are kept for assertions.
struct TestApp {
    let root: String
    let dispatcher: Dispatcher
    let logs: InMemoryLogHandler

    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) async -> APIResponse {
        await dispatcher.respond(to: APIRequest(method: method, target: target, headers: headers.map { (name: $0.0, value: $0.1) },
                                                body: body.map { Array($0.utf8) } ?? []))
    }

    /// Every logged message, with metadata, one line each.
    var logText: String {
        logs.entries.map { entry in
            "\(entry.level) \(entry.message) " + entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}

extension APIResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Writes `files` (paths relative to a new temporary ROOT), loads the project and runs `body`.
func withProject<T>(
    _ files: [String: String],
    dev: Bool = false,
    threads: Int = 1,
    environment: [String: String] = [:],
    prepareDatabase: Bool = false,
    _ body: (TestApp) async throws -> T
) async throws -> T {
    let root = try makeProjectFolder(files)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let logs = InMemoryLogHandler()
    let logger = Logger(label: "test", factory: { _ in logs })
    let project = try Project.load(root: root, processEnvironment: environment, logger: logger)
    if prepareDatabase { try project.prepareDatabase(logger: logger) }   // migrations, as serve runs them at start-up
    let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    let dispatcher = Dispatcher(project: project, group: group, dev: dev, logger: logger)
    do {
        let result = try await body(TestApp(root: root, dispatcher: dispatcher, logs: logs))
        await dispatcher.shutdown()
        try await group.shutdownGracefully()
        return result
    } catch {
        await dispatcher.shutdown()
        try? await group.shutdownGracefully()
        throw error
    }
}
