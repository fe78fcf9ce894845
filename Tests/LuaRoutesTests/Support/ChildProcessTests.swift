import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// TestSupport's `ChildProcess`, which the suites that start programs use instead of
/// Foundation's `Process` (see the comment at the top of ChildProcess.swift).
@Suite struct ChildProcessTests {
    /// Runs `script` under /bin/sh to its end; what it wrote to stdout, and the finished process.
    func shell(_ script: String, configure: (ChildProcess) -> Void = { _ in }) async throws -> (output: String, process: ChildProcess) {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        configure(process)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = try await onOwnThread { output.fileHandleForReading.readDataToEndOfFile() }
        try await onOwnThread { process.waitUntilExit() }
        return (String(decoding: data, as: UTF8.self), process)
    }

    /// Descriptors the test process holds without close-on-exec (a file and a socket, as other
    /// suites running at the same time do) are not open in the child: it has 0, 1 and 2 only.
    @Test func theChildHasOnlyDescriptors0To2() async throws {
        let file = open("/dev/null", O_RDONLY)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(file); close(listener) }
        #expect(file > 2 && listener > 2)
        #expect(fcntl(file, F_GETFD) & FD_CLOEXEC == 0 && fcntl(listener, F_GETFD) & FD_CLOEXEC == 0)

        // $$ is the shell itself; ls, its child, would list its own directory descriptor too.
        let (output, process) = try await shell("ls /proc/$$/fd") {
            $0.standardInput = FileHandle.nullDevice
            $0.standardError = FileHandle.nullDevice
        }
        let listed = Set(output.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) })
        #expect(process.terminationStatus == 0)
        #expect(!listed.contains(file) && !listed.contains(listener), "\(listed.sorted())")
        #expect(listed == [0, 1, 2], "\(listed.sorted())")
    }

    @Test func workingDirectoryAndEnvironmentAreTheOnesSet() async throws {
        let folder = try makeProjectFolder([:], prefix: "luaroutes-child-")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (output, _) = try await shell(#"pwd -P; echo "$CHILD_VALUE|$HOME""#) {
            $0.currentDirectoryURL = URL(fileURLWithPath: folder)
            $0.environment = ["CHILD_VALUE": "set-4c1e"]
        }
        let expectedFolder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        #expect(output == "\(expectedFolder)\nset-4c1e|\n", "only the environment given, nothing inherited")

        let (inherited, _) = try await shell(#"echo "$HOME""#)
        #expect(inherited == (ProcessInfo.processInfo.environment["HOME"] ?? "") + "\n")
    }

    @Test func exitStatusIsReported() async throws {
        let (_, process) = try await shell("exit 7")
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 7)
        #expect(!process.isRunning)
    }

    /// terminate() and interrupt() end a running child; the signal's number is the status, as
    /// with Foundation's `Process`. Two threads wait at once and both see the end.
    @Test(arguments: [SIGTERM, SIGINT])
    func signalEndingTheChildIsReported(signal: Int32) async throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        try process.run()
        #expect(process.isRunning)
        let otherWaiter = StartedThread { process.waitUntilExit() }
        if signal == SIGTERM { process.terminate() } else { process.interrupt() }
        try await onOwnThread { process.waitUntilExit() }
        try await otherWaiter.value()
        #expect(!process.isRunning)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == signal)
    }

    /// A pipe as stdin: what the test writes reaches the child, and closing it ends the child's input.
    @Test func standardInputFromAPipe() async throws {
        let input = Pipe()
        let (output, process) = try await shell("tr a-z A-Z") { process in
            process.standardInput = input
            input.fileHandleForWriting.write(Data("piped\n".utf8))
            try? input.fileHandleForWriting.close()
        }
        #expect(output == "PIPED\n")
        #expect(process.terminationStatus == 0)
    }

    @Test func aMissingExecutableIsAnError() throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/nonexistent/luaroutes-child")
        #expect(throws: ChildProcess.SpawnError.self) { try process.run() }
        #expect(!process.isRunning)
    }
}
