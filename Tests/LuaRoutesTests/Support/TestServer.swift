import Foundation
import InMemoryLogging
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TestSupport
@testable import LuaRoutes

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` against a real `HTTPServer` on an ephemeral loopback port, then shuts it down
/// the way SIGTERM would (ServiceGroup graceful shutdown). `logs` keeps what the server logged.
/// The server takes its `server = { ... }` settings from the project's config file, as `serve` does.
func withServer<T: Sendable>(_ files: [String: String], dev: Bool = false, logs: InMemoryLogHandler? = nil,
                             accessLog: AccessLog? = nil, metrics: ServerMetrics? = nil,
                             _ body: @Sendable (Int) async throws -> T) async throws -> T {
    try await withServer(files, threads: 1, dev: dev, logs: logs, accessLog: accessLog, metrics: metrics) { port, _ in try await body(port) }
}

/// The same with `threads` event loops (state shared across loops is what the data tests
/// check), on `files` or on an existing ROOT (kept afterwards); `body` gets the port and ROOT.
func withServer<T: Sendable>(_ files: [String: String], threads: Int, root existing: String? = nil, dev: Bool = false,
                             logs: InMemoryLogHandler? = nil, accessLog: AccessLog? = nil, metrics: ServerMetrics? = nil,
                             _ body: @Sendable (_ port: Int, _ root: String) async throws -> T) async throws -> T {
    let root = try existing ?? makeProjectFolder(files)
    defer { if existing == nil { try? FileManager.default.removeItem(atPath: root) } }
    let logger = Logger(label: "test-server", factory: { _ in logs.map { $0 as any LogHandler } ?? SwiftLogNoOpLogHandler() })
    let project = try Project.load(root: root, processEnvironment: [:], logger: logger)
    let loops = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    let dispatcher = Dispatcher(project: project, group: loops, dev: dev, logger: logger, metrics: metrics, accessLog: accessLog)
    let server = HTTPServer(dispatcher: dispatcher, configuration: .init(bindAddress: "127.0.0.1", port: 0, settings: project.config.server),
                            logger: logger)
    let services = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
    async let running: Void = services.run()
    var port: Int?
    for _ in 0..<500 where port == nil {
        port = server.localPort
        if port == nil { try await Task.sleep(for: .milliseconds(10)) }
    }
    guard let port else { throw LoopbackError.noPort }
    let result: Result<T, any Error>
    do { result = .success(try await body(port, root)) } catch { result = .failure(error) }
    await services.triggerGracefulShutdown()
    try await running
    await dispatcher.shutdown()
    try await loops.shutdownGracefully()
    return try result.get()
}

/// A blocking loopback client that sends exact bytes (so tests can send malformed HTTP), shuts
/// its sending side, and reads until the server closes the connection or a read times out.
func rawHTTP(port: Int, _ request: String, readTimeout: Int = 5) throws -> String {
    try rawHTTP(port: port, Array(request.utf8), readTimeout: readTimeout)
}

func rawHTTP(port: Int, _ bytes: [UInt8], readTimeout: Int = 5) throws -> String {
    let fd = try connectLoopback(port: port, readTimeout: readTimeout)
    defer { close(fd) }
    sendAll(fd, bytes)
    shutdown(fd, Int32(SHUT_WR))
    return String(decoding: receiveAll(fd), as: UTF8.self)
}
