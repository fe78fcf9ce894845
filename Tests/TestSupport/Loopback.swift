import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a loopback socket could not be used.
public enum LoopbackError: Error { case connect, send, noPort }

/// A blocking connection to 127.0.0.1:`port` whose reads time out after `readTimeout` seconds.
/// Tests send exact bytes through it, malformed HTTP included. `receiveBuffer` shrinks the
/// socket's receive buffer (before connecting), so a client that does not read stops a
/// server's output sooner.
public func connectLoopback(port: Int, readTimeout: Int = 5, receiveBuffer: Int32? = nil) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LoopbackError.connect }
    if var size = receiveBuffer {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        throw LoopbackError.connect
    }
    return fd
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw LoopbackError.noPort }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Sends every byte (or as many as the peer takes before closing: a server may answer and close
/// early, e.g. with a 413) and returns how many were sent.
@discardableResult
public func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Int {
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { break }
        sent += n
    }
    return sent
}

/// Reads until the peer closes the connection or a read times out.
public func receiveAll(_ fd: Int32) -> [UInt8] {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        received += buffer[0..<n]
    }
    return received
}

func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// Runs blocking work (a socket read that waits on the server) on a thread of its own, not on
/// Swift's cooperative pool: the pool has one thread per core, and tests running in parallel
/// that block it can keep every other task, the one that would unblock them included, from
/// starting.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.start()
    }
}

/// Blocking work started on a thread of its own at once, its result awaited later. Unlike
/// `async let x = onOwnThread { ... }`, whose child task needs a free thread of the cooperative
/// pool before the work even starts, this starts the work before the caller's next line.
public final class StartedThread<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?   // written once by the thread, read after `done`
    private let finished = ThreadFlag()

    public init(_ work: @escaping @Sendable () throws -> T) {
        Thread { [self] in
            result = Result { try work() }
            finished.set()
            done.signal()
        }.start()
    }

    /// Whether the work has ended (without waiting for it).
    public var isFinished: Bool { finished.isSet }

    /// The work's result, waited for without holding a thread of the cooperative pool.
    public func value() async throws -> T {
        try await onOwnThread { [self] in
            done.wait()
            return try result!.get()
        }
    }
}

/// A flag one thread sets and others read.
final class ThreadFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
