import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `luaroutes serve` as a child process on a free port, with stderr kept in a file, and a
/// blocking loopback HTTP client to talk to it.
final class ServeProcess {
    let process = Process()
    let port: Int
    let stderrPath = NSTemporaryDirectory() + "luaroutes-serve-\(UUID().uuidString).log"

    init(root: String, threads: Int = 2, arguments: [String] = []) throws {
        port = try Self.freePort()
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--root", root, "--port", String(port), "--threads", String(threads)] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Polls until the server answers, or `seconds` pass.
    func waitUntilListening(seconds: Int = 20) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, process.isRunning {
            if (try? HTTPGet.get(port: port, path: "/")) != nil { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw HTTPGet.Failure() }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

enum HTTPGet {
    struct Failure: Error {}

    /// One `GET` with `Connection: close`: the status and the body.
    static func get(port: Int, path: String, timeout: Int = 30) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure() }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { throw Failure() }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)),
              let split = text.range(of: "\r\n\r\n") else { throw Failure() }
        return (status, String(text[split.upperBound...]))
    }
}
