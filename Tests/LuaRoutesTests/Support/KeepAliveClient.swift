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

/// One blocking keep-alive connection: `send` writes a request, `read` takes one response
/// (head, then Content-Length bytes), so several connections can each have one in flight.
final class KeepAliveClient {
    let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws { fd = try connectLoopback(port: port) }
    deinit { close(fd) }

    func send(_ method: String, _ target: String, body: String? = nil) throws {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: x\r\n"
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { text += "\r\n" }
        let bytes = Array(text.utf8)
        guard sendAll(fd, bytes) == bytes.count else { throw LoopbackError.send }
    }

    /// The next response's status code and body; nil when the connection closed or timed out.
    func read() -> (status: Int, body: String)? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = pending.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                let head = String(decoding: pending[..<end], as: UTF8.self).lowercased()
                var length = 0
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    length = Int(line.dropFirst("content-length:".count).drop { $0 == " " }) ?? 0
                }
                if pending.count >= end + length {
                    let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
                    let body = String(decoding: pending[end..<(end + length)], as: UTF8.self)
                    pending.removeFirst(end + length)
                    return (status, body)
                }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            pending += buffer[0..<n]
        }
    }

    func request(_ method: String, _ target: String, body: String? = nil) throws -> (status: Int, body: String)? {
        try send(method, target, body: body)
        return read()
    }
}
