import Foundation
import InMemoryLogging
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
@testable import LuaRoutes

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` against a real `HTTPServer` on an ephemeral loopback port, then shuts it down
/// the way SIGTERM would (ServiceGroup graceful shutdown). `logs` keeps what the server logged.
func withServer<T: Sendable>(_ files: [String: String], dev: Bool = false, logs: InMemoryLogHandler? = nil,
                             _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let root = try makeProjectFolder(files)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let logger = Logger(label: "test-server", factory: { _ in logs.map { $0 as any LogHandler } ?? SwiftLogNoOpLogHandler() })
    let project = try Project.load(root: root, processEnvironment: [:], logger: logger)
    let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let dispatcher = Dispatcher(project: project, group: loops, dev: dev, logger: logger)
    let server = HTTPServer(dispatcher: dispatcher, configuration: .init(host: "127.0.0.1", port: 0), logger: logger)
    let services = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
    async let running: Void = services.run()
    var port: Int?
    for _ in 0..<500 where port == nil {
        port = server.localPort
        if port == nil { try await Task.sleep(for: .milliseconds(10)) }
    }
    guard let port else { throw RawHTTPError.noPort }
    let result: Result<T, any Error>
    do { result = .success(try await body(port)) } catch { result = .failure(error) }
    await services.triggerGracefulShutdown()
    try await running
    await dispatcher.shutdown()
    try await loops.shutdownGracefully()
    return try result.get()
}

enum RawHTTPError: Error { case noPort, connect, send }

/// A blocking loopback client that sends exact bytes (so tests can send malformed HTTP) and
/// reads until the server closes the connection or `expectedResponses` answers arrived.
func rawHTTP(port: Int, _ request: String, readTimeout: Int = 5) throws -> String {
    try rawHTTP(port: port, Array(request.utf8), readTimeout: readTimeout)
}

func rawHTTP(port: Int, _ bytes: [UInt8], readTimeout: Int = 5, closeAfterHeaders: Bool = false) throws -> String {
    let fd = try connectLoopback(port: port, readTimeout: readTimeout)
    defer { close(fd) }
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { break }   // the server may close early (413): what it answered is still readable
        sent += n
    }
    shutdown(fd, Int32(SHUT_WR))
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        received += buffer[0..<n]
    }
    return String(decoding: received, as: UTF8.self)
}

/// A blocking connection to 127.0.0.1:`port` whose reads time out after `readTimeout` seconds.
func connectLoopback(port: Int, readTimeout: Int = 5) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw RawHTTPError.connect }
    var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        throw RawHTTPError.connect
    }
    return fd
}
