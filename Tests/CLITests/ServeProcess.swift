import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `luaroutes serve` as a child process, with stderr kept in a file, and a blocking loopback HTTP
/// client to talk to it. The server binds port 0 and the test reads the port it got from its
/// "listening on" line: a port picked free beforehand can be taken by a concurrent test before
/// the server binds it, and then the test talks to somebody else's server.
final class ServeProcess {
    let process = ChildProcess()
    let stderrPath = NSTemporaryDirectory() + "luaroutes-serve-\(UUID().uuidString).log"
    private var ports: [String: Int] = [:]

    /// The main port; known once ``waitUntilListening(seconds:)`` returned true.
    var port: Int { ports["luaroutes"] ?? 0 }
    /// The ops port of `--metrics-port 0`; known once ``waitUntilListening(seconds:)`` returned true.
    var opsPort: Int { ports["metrics"] ?? 0 }

    /// `descriptorLimit` starts the server with that many open files at most (soft and hard),
    /// as `ulimit -n` does.
    init(root: String, threads: Int = 2, arguments: [String] = [], descriptorLimit: Int? = nil) throws {
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let serve = ["serve", "--root", root, "--port", "0", "--threads", String(threads)] + arguments
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

    /// Polls until the server logged its ports and answers on the main one, or `seconds` pass.
    func waitUntilListening(seconds: Int = 20) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let opsWanted = process.arguments.contains("--metrics-port")
        while ContinuousClock.now < deadline, process.isRunning {
            readPorts()
            if ports["luaroutes"] != nil, !opsWanted || ports["metrics"] != nil,
               (try? HTTPGet.get(port: port, path: "/")) != nil { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// "NAME listening on http://HOST:PORT", in the text and the JSON log format alike.
    private func readPorts() {
        for line in stderr.split(separator: "\n") {
            for name in ["luaroutes", "metrics"] where ports[name] == nil {
                guard let marker = line.range(of: "\(name) listening on http://") else { continue }
                let address = line[marker.upperBound...]
                guard let colon = address.firstIndex(of: ":") else { continue }
                ports[name] = Int(address[address.index(after: colon)...].prefix { $0.isNumber })
            }
        }
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
