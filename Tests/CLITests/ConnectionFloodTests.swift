import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `luaroutes serve` under a low descriptor limit and a flood of idle connections, and with a
/// real HTTP/2-capable client: the real binary, on loopback.
@Suite struct ConnectionFloodTests {
    static let files = ["pages/api/hello.lua": "return function(req, res) res.send('hello') end"]

    /// This process holds the flood's client sockets: raise its own soft limit (false when the
    /// hard limit forbids it).
    static func descriptors(_ needed: Int) -> Bool {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return false }
        if limit.rlim_cur >= rlim_t(needed) { return true }
        guard limit.rlim_max >= rlim_t(needed) else { return false }
        limit.rlim_cur = rlim_t(needed)
        return setrlimit(resource, &limit) == 0
    }

    static func residentKilobytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// 512 idle connections against a server limited to 256 descriptors: the server closes
    /// the longest idle ones to stay within its budget, and a new client is answered at once.
    @Test(.enabled(if: descriptors(1200), "needs 1200 file descriptors"))
    func twiceTheDescriptorLimitInIdleConnectionsDoesNotLockOutANewClient() async throws {
        let limit = 256
        let root = try CLI.project(Self.files)
        let server = try ServeProcess(root: root, descriptorLimit: limit)
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        let pid = server.process.processIdentifier
        let before = Self.residentKilobytes(pid)

        var idle: [Int32] = []
        defer { idle.forEach { _ = close($0) } }
        for _ in 0..<(2 * limit) {
            idle.append(try connectLoopback(port: server.port))   // connects and sends nothing
        }
        // A bounded wait for liveness: the answer must come within a second.
        let answer = try HTTPGet.get(port: server.port, path: "/api/hello", timeout: 1)
        #expect(answer.status == 200)
        #expect(answer.body == "hello")
        let after = Self.residentKilobytes(pid)
        #expect(after - before < 64 * 1024, "resident memory grew from \(before) KB to \(after) KB")
        #expect(server.stderr.contains("connection budget full"), "\(server.stderr)")
        #expect(server.stderr.contains("max_connections=128"), "the budget the limit of 256 allows: \(server.stderr)")
    }

    /// A budget set above what the descriptor limit allows: accept fails with EMFILE. The
    /// failure is logged, idle connections are closed to free descriptors, the server does not
    /// spin on the backlog, and a new client is still answered.
    @Test(.enabled(if: descriptors(1200), "needs 1200 file descriptors"))
    func runningOutOfDescriptorsIsLoggedAndIdleConnectionsMakeRoom() async throws {
        let limit = 256
        var files = Self.files
        files["luaroutes.config.lua"] = "return { server = { maxConnections = 100000 } }"
        let root = try CLI.project(files)
        let server = try ServeProcess(root: root, descriptorLimit: limit)
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")

        var idle: [Int32] = []
        defer { idle.forEach { _ = close($0) } }
        for _ in 0..<(2 * limit) {
            idle.append(try connectLoopback(port: server.port))
        }
        // Bounded wait for liveness: the backlog drains 16 connections per 100 ms pause.
        let answer = try HTTPGet.get(port: server.port, path: "/api/hello", timeout: 10)
        #expect(answer.status == 200)
        #expect(server.stderr.contains("accepting a connection failed"), "\(server.stderr)")
        // Not spinning: an event loop retrying accept at once would burn a core.
        let cpu = Self.cpuSeconds(server.process.processIdentifier)
        try await Task.sleep(for: .seconds(2))
        let spent = Self.cpuSeconds(server.process.processIdentifier) - cpu
        #expect(spent < 1, "the server used \(spent) s of CPU in 2 s while idle")
    }

    /// User plus system CPU time of a process so far.
    static func cpuSeconds(_ pid: Int32) -> Double {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name (which is in parentheses): utime and stime are 14 and 15.
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `curl --http2` asks to upgrade to h2c on each URL: both answers arrive (issue 14: the
    /// second timed out).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
    func curlAskingForHTTP2GetsBothAnswers() async throws {
        let root = try CLI.project(Self.files)
        let server = try ServeProcess(root: root)
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        let url = "http://127.0.0.1:\(server.port)/api/hello"
        let curl = ChildProcess()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "--http2", "--max-time", "10", url, url]
        let out = Pipe()
        curl.standardOutput = out
        curl.standardError = FileHandle.nullDevice
        try curl.run()
        let body = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        #expect(curl.terminationStatus == 0)
        #expect(body == "hellohello")
    }
}
