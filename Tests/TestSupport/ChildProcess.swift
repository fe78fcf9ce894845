import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, started with `posix_spawn`, with the part of Foundation's
/// `Process` API the tests use (so a call site reads the same).
///
/// Why not `Process`: on Linux, swift-corelibs-foundation's `Process.run()` crashes now and then
/// (SIGSEGV in memcpy, the whole `swift test` run dies). Before spawning it counts the open
/// descriptors by listing /proc/self/fd and copies each entry's name as a full 256-byte field,
/// reading past the end of the buffer the C library filled; when the test process has many
/// sockets open (suites run in parallel), that read can cross into an unmapped page.
/// (swift-corelibs-foundation pull request 5472.)
///
/// The child gets only descriptors 0, 1 and 2: every other descriptor of the test process
/// (sockets of other tests, pipe ends of other children) is closed in it, so a child never keeps
/// another test's connection or pipe open. Output is still read through Foundation's `Pipe` and
/// `FileHandle`, which work.
///
/// Unchecked Sendable: the settings are written before `run()`; what changes after it (the
/// reaped status) is kept under `lock`, so any thread may wait, poll or signal.
public final class ChildProcess: @unchecked Sendable {
    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Set before `run()`.
    public var executableURL: URL?
    public var arguments: [String] = []
    /// nil: the test process's environment.
    public var environment: [String: String]?
    /// nil: the test process's working directory.
    public var currentDirectoryURL: URL?
    /// Each is a `Pipe` (the child gets its write end; for stdin, its read end), a `FileHandle`,
    /// `FileHandle.nullDevice`, or nil (the test process's own).
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?

    public private(set) var processIdentifier: Int32 = 0

    private let lock = NSLock()
    private var started = false
    /// The wait status from `waitpid`, once the child is reaped (exactly once).
    private var waitStatus: Int32?

    public init() {}

    public func run() throws {
        guard let executableURL else { throw SpawnError(description: "no executable set") }
        lock.lock()
        defer { lock.unlock() }
        guard !started else { throw SpawnError(description: "already started") }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let currentDirectoryURL {
            let status = currentDirectoryURL.path.withCString { SpawnExtensions.addChdir(&actions, $0) }
            guard status == 0 else { throw SpawnError(description: "chdir action: \(String(cString: strerror(status)))") }
        }
        // The child's ends: dup2 onto 0, 1, 2 first, then close everything from 3 up.
        var parentCopiesToClose: [FileHandle] = []
        for (target, stream) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            switch stream {
            case nil:
                continue
            case let handle as FileHandle where handle === FileHandle.nullDevice || handle.fileDescriptor < 0:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case let handle as FileHandle:
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
            case let pipe as Pipe:
                let childEnd = target == 0 ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, childEnd.fileDescriptor, target)
                parentCopiesToClose.append(childEnd)
            default:
                throw SpawnError(description: "descriptor \(target): \(type(of: stream!)) is neither a Pipe nor a FileHandle")
            }
        }
        guard SpawnExtensions.addClosefrom(&actions, 3) == 0 else { throw SpawnError(description: "closefrom action failed") }

        // As from a shell: no blocked signals, and every handler at its default (the test
        // process may ignore SIGPIPE or others, and ignored signals would be inherited).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let path = executableURL.path
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environmentStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in environmentStrings ?? [] { free(pointer) } }

        var pid: pid_t = 0
        let status = argv.withUnsafeBufferPointer { argvBuffer in
            if let environmentStrings {
                return environmentStrings.withUnsafeBufferPointer {
                    posix_spawn(&pid, path, &actions, &attributes, argvBuffer.baseAddress!, $0.baseAddress!)
                }
            }
            return posix_spawn(&pid, path, &actions, &attributes, argvBuffer.baseAddress!, environ)
        }
        guard status == 0 else { throw SpawnError(description: "\(path): \(String(cString: strerror(status)))") }
        processIdentifier = pid
        started = true
        // The parent's copies of the child's pipe ends: a reader sees end-of-file only when no
        // writer is left open.
        for handle in parentCopiesToClose { try? handle.close() }
    }

    /// Reaps the child if it has exited, without blocking. Called with `lock` held.
    private func reapIfExited() {
        guard started, waitStatus == nil else { return }
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(processIdentifier, &status, WNOHANG) } while result < 0 && errno == EINTR
        if result == processIdentifier {
            waitStatus = status
        } else if result < 0 {
            // ECHILD: reaped by someone else (SIGCHLD ignored); the status is lost.
            waitStatus = -1
        }
    }

    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        reapIfExited()
        return started && waitStatus == nil
    }

    /// Blocks until the child has exited. Safe from any thread, and from several at once: the
    /// blocking wait leaves the child unreaped (WNOWAIT), and reaping happens under the lock.
    public func waitUntilExit() {
        while true {
            lock.lock()
            reapIfExited()
            let done = !started || waitStatus != nil
            lock.unlock()
            if done { return }
            var info = siginfo_t()
            _ = waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT)
        }
    }

    private var finalStatus: Int32 {
        lock.lock()
        defer { lock.unlock() }
        reapIfExited()
        precondition(waitStatus != nil, "the child process has not exited")
        return waitStatus!
    }

    /// The exit code, or the number of the signal that ended the child (as Foundation's `Process`).
    public var terminationStatus: Int32 {
        let status = finalStatus
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    public var terminationReason: Process.TerminationReason {
        let signal = finalStatus & 0x7f
        return signal == 0 || signal == 0x7f ? .exit : .uncaughtSignal
    }

    /// SIGTERM, unless the child is already reaped (its pid may belong to another process by then).
    public func terminate() { send(SIGTERM) }

    /// SIGINT, as Ctrl-C would.
    public func interrupt() { send(SIGINT) }

    private func send(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if started && waitStatus == nil { kill(processIdentifier, signal) }
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` and `_addclosefrom_np` (glibc 2.29 and 2.34)
/// are declared only under _GNU_SOURCE, which Swift's Glibc module does not set: looked up by name.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static func symbol<T>(_ name: String, as type: T.Type) -> T {
        guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else {
            fatalError("\(name) is missing: the C library is older than glibc 2.34")
        }
        return unsafeBitCast(address, to: type)
    }

    static let addChdir = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    static let addClosefrom = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddClosefrom.self)
}
