import Foundation
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
/// the way SIGTERM would (ServiceGroup graceful shutdown).
/// The server takes its `server = { ... }` settings from the project's config file, as `serve` does.
func withServer<T: Sendable>(_ files: [String: String], dev: Bool = false, logger: Logger? = nil, accessLog: AccessLog? = nil,
                             metrics: ServerMetrics? = nil, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let root = try makeProjectFolder(files)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let logger = logger ?? Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() })
    let project = try Project.load(root: root, processEnvironment: [:], logger: logger)
    let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let dispatcher = Dispatcher(project: project, group: loops, dev: dev, logger: logger, metrics: metrics, accessLog: accessLog)
    let server = HTTPServer(dispatcher: dispatcher, configuration: .init(host: "127.0.0.1", port: 0, settings: project.config.server),
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
    do { result = .success(try await body(port)) } catch { result = .failure(error) }
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

/// A blocking loopback connection for tests that watch what happens over time: whether the
/// server answers, closes, or resets, and when.
final class RawConnection {
    enum End: Equatable { case closed, reset, timedOut }

    let fd: Int32

    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError.connect }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw LoopbackError.connect
        }
    }

    deinit { close(fd) }

    /// Sends everything it can; false when the server closed first.
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until the server closes the connection, or `seconds` pass without a byte.
    func readToEnd(seconds: Double = 5) -> (text: String, end: End) {
        let (bytes, end) = readBytesToEnd(seconds: seconds)
        return (String(decoding: bytes, as: UTF8.self), end)
    }

    func readBytesToEnd(seconds: Double = 5) -> (bytes: [UInt8], end: End) {
        var received: [UInt8] = []
        while true {
            let (bytes, end) = readSome(seconds: seconds)
            received += bytes
            if let end { return (received, end) }
        }
    }

    /// Reads what arrives within `seconds` (or until the connection ends); `end` is nil while it is open.
    func readFor(seconds: Double) -> (text: String, end: End?) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            let (bytes, end) = readSome(seconds: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
            received += bytes
            if let end, end != .timedOut { return (String(decoding: received, as: UTF8.self), end) }
        }
        return (String(decoding: received, as: UTF8.self), nil)
    }

    /// One recv with a timeout.
    private func readSome(seconds: Double) -> ([UInt8], End?) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        if timeout.tv_sec == 0 && timeout.tv_usec == 0 { timeout.tv_usec = 1000 }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        if n > 0 { return (Array(buffer[0..<n]), nil) }
        if n == 0 { return ([], .closed) }
        return ([], errno == ECONNRESET ? .reset : .timedOut)
    }
}
