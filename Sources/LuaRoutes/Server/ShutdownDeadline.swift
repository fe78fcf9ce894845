import CLuaGlue
import Dispatch
import ServiceLifecycle

/// `serve` must stop within `--grace` of SIGTERM even when a handler holds an event loop (a
/// request under a large `limits.cpu` keeps its loop until the limit stops it, and the drain,
/// the listener's close and the loops' shutdown all wait on that loop). This service does
/// nothing until graceful shutdown begins; then it starts a timer on a Dispatch queue (no NIO
/// loop, which may be the stuck one) that calls `onExpiry` after `after`, unless the process
/// ended first. Put it last in the service list: ServiceGroup signals the last service first.
public struct ShutdownDeadline: Service {
    let after: Duration
    let onExpiry: @Sendable () -> Void

    public init(after: Duration, onExpiry: @escaping @Sendable () -> Void) {
        self.after = after
        self.onExpiry = onExpiry
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return   // cancelled: the group is ending without a graceful shutdown
        }
        let (seconds, attoseconds) = after.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: onExpiry)
    }

    /// The route files whose Lua code is running at this moment on any thread (a handler or a
    /// module scope that holds its loop), for the last log line.
    public static func routesRunningLua() -> [String] {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = lr_clock_describe_running(&buffer, buffer.count)
        guard count > 0 else { return [] }
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return text.split(separator: ", ").map(String.init)
    }
}
