import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `luaroutes serve` as a child process on a free port, with stderr kept in a file, and a
/// blocking loopback HTTP client to talk to it.
final class ServeProcess {
    let process = ChildProcess()
    let port: Int
    let stderrPath = NSTemporaryDirectory() + "luaroutes-serve-\(UUID().uuidString).log"

    /// `descriptorLimit` starts the server with that many open files at most (soft and hard),
    /// as `ulimit -n` does.
    init(root: String, threads: Int = 2, arguments: [String] = [], descriptorLimit: Int? = nil) throws {
        port = try freeLoopbackPort()
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let serve = ["serve", "--root", root, "--port", String(port), "--threads", String(threads)] + arguments
        if let descriptorLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", CLI.binary.path] + serve
        } else {
            process.executableURL = CLI.binary
            process.arguments = serve
        }
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
}

enum HTTPGet {
    struct Failure: Error {}

    /// One `GET` with `Connection: close`: the status and the body.
    static func get(port: Int, path: String, timeout: Int = 30) throws -> (status: Int, body: String) {
        let fd = try connectLoopback(port: port, readTimeout: timeout)
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        guard sendAll(fd, request) == request.count else { throw Failure() }
        let received = receiveAll(fd)
        let text = String(decoding: received, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)),
              let split = text.range(of: "\r\n\r\n") else { throw Failure() }
        return (status, String(text[split.upperBound...]))
    }
}
