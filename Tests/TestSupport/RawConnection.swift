import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback connection for tests that watch what happens over time: whether the
/// server answers, closes, or resets, and when.
public final class RawConnection {
    public enum End: Equatable, Sendable { case closed, reset, timedOut }

    public let fd: Int32

    /// `receiveBuffer`: see ``connectLoopback(port:readTimeout:receiveBuffer:)``.
    public init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = try connectLoopback(port: port, receiveBuffer: receiveBuffer)
    }

    deinit { close(fd) }

    /// Sends everything it can; false when the server closed first.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool { sendAll(fd, bytes) == bytes.count }

    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until the server closes the connection, or `seconds` pass without a byte.
    public func readToEnd(seconds: Double = 5) -> (text: String, end: End) {
        let (bytes, end) = readBytesToEnd(seconds: seconds)
        return (String(decoding: bytes, as: UTF8.self), end)
    }

    public func readBytesToEnd(seconds: Double = 5) -> (bytes: [UInt8], end: End) {
        var received: [UInt8] = []
        while true {
            let (bytes, end) = readSome(seconds: seconds)
            received += bytes
            if let end { return (received, end) }
        }
    }

    /// Reads what arrives within `seconds` (or until the connection ends); `end` is nil while it is open.
    public func readFor(seconds: Double) -> (text: String, end: End?) {
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
