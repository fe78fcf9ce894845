import Testing
@testable import LuaRoutes
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The server holds many keep-alive connections at once: each gets its answers and stays open.
/// Correctness only (bench/scaling.py measures the same thing for speed).
@Suite struct ManyConnectionsTests {
    static let connections = 1_000

    /// Client and server sockets share this process: raise the soft descriptor limit if it is
    /// lower than that (many CI machines start at 1024). False when the hard limit forbids it.
    static func enoughDescriptors() -> Bool {
        let needed = rlim_t(connections * 2 + 512)
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return false }
        if limit.rlim_cur >= needed { return true }
        guard limit.rlim_max >= needed else { return false }
        limit.rlim_cur = needed
        return setrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0
    }

    @Test(.enabled(if: enoughDescriptors(), "needs \(connections * 2 + 512) file descriptors"))
    func aThousandKeepAliveConnectionsAllGetAnswersAndStayOpen() async throws {
        let files = ["pages/api/items/[id].lua": "return function(req, res) res.json({ id = req.query.id }) end"]
        let failures = try await withServer(files) { port in
            var sockets: [Int32] = []
            defer { sockets.forEach { _ = close($0) } }
            for _ in 0..<Self.connections { sockets.append(try connectLoopback(port: port)) }
            var failures: [String] = []
            // Two rounds on every connection: the second shows the first did not close it.
            for round in 1...2 {
                for (i, fd) in sockets.enumerated() {
                    try sendAll(fd, "GET /api/items/\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
                }
                for (i, fd) in sockets.enumerated() {
                    let answer = readOneResponse(fd)
                    if answer?.status != "HTTP/1.1 200 OK" || answer?.body != #"{"id":"\#(i)"}"# {
                        failures.append("round \(round), connection \(i): \(answer.map { "\($0.status) \($0.body)" } ?? "no answer")")
                    }
                }
            }
            return failures
        }
        #expect(failures.isEmpty, "\(failures.count) of \(2 * Self.connections) requests failed, first: \(failures.prefix(3))")
    }
}

private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

private func sendAll(_ fd: Int32, _ text: String) throws {
    let bytes = Array(text.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { throw LoopbackError.send }
        sent += n
    }
}

/// Reads exactly one response (head, then Content-Length bytes of body); nil when the
/// connection closed or timed out first.
private func readOneResponse(_ fd: Int32) -> (status: String, body: String)? {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    var headEnd: Int?
    var bodyLength = 0
    while true {
        if headEnd == nil, let end = received.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
            headEnd = end
            let head = String(decoding: received[..<end], as: UTF8.self).lowercased()
            if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                bodyLength = Int(line.dropFirst("content-length:".count).drop { $0 == " " }) ?? 0
            }
        }
        if let headEnd, received.count >= headEnd + bodyLength {
            let status = String(decoding: received[..<headEnd], as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
            return (status, String(decoding: received[headEnd..<(headEnd + bodyLength)], as: UTF8.self))
        }
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { return nil }
        received += buffer[0..<n]
    }
}
