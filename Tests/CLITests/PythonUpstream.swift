import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP server in Python for routes to `fetch` from: `doGET` is the body of its
/// `do_GET(self)`, with `marker` (a path prefix for files the test and the handler exchange)
/// as a local. It binds port 0 and writes the port it got to `marker.ready`, so no other test can
/// take the port between picking and binding it.
final class PythonUpstream {
    let marker = NSTemporaryDirectory() + "luaroutes-upstream-\(UUID().uuidString)"
    private let process = ChildProcess()
    private(set) var port = 0

    init(doGET: String) throws {
        let indented = doGET.split(separator: "\n", omittingEmptySubsequences: false).map { "        " + $0 }.joined(separator: "\n")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import http.server, os, sys, time
            marker = sys.argv[1]
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
            \(indented)
                def log_message(self, *a): pass
            server = http.server.HTTPServer(("127.0.0.1", 0), H)
            with open(marker + ".port", "w") as f: f.write(str(server.server_address[1]))
            os.rename(marker + ".port", marker + ".ready")
            server.serve_forever()
            """, marker]
        // No inherited pipes (swift test would wait for their EOF).
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits up to `seconds` for the server to listen; false if it did not.
    func waitUntilListening(seconds: Int = 15) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: marker + ".ready", encoding: .utf8), let port = Int(text) {
                self.port = port
                return true
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Whether the file `marker + suffix` exists.
    func exists(_ suffix: String) -> Bool { FileManager.default.fileExists(atPath: marker + suffix) }

    /// SIGKILL (children may inherit an ignored SIGTERM) and removes the marker files.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let folder = (marker as NSString).deletingLastPathComponent
        let prefix = (marker as NSString).lastPathComponent
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }
}
