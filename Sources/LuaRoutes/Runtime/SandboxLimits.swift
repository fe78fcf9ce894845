/// What one request (and one route's module scope) may use. docs/reference.md section 6 and 7:
///
/// | key | unit | default | scope |
/// |---|---|---|---|
/// | `limits.memory` | bytes | 64mb | per Lua state (one route on one event loop) |
/// | `limits.cpu` | seconds of CPU | 1s | per request, every coroutine it makes included |
/// | `limits.timeout` | seconds of wall time | 10s | per request, waiting included |
public struct SandboxLimits: Sendable, Equatable {
    public var memory: Int
    public var cpu: Duration { didSet { cpuNanoseconds = Self.nanoseconds(cpu) } }
    public var timeout: Duration { didSet { timeoutNanoseconds = Self.nanoseconds(timeout) } }
    /// False only for `luaroutes bench --no-limits` (``Project/withoutLimits()``), to measure
    /// what the limits cost: no memory cap, no CPU or wall limit. No config key sets it.
    public var enforced = true
    /// `cpu` and `timeout` in nanoseconds, kept beside them: every request needs both, and
    /// `Duration.components` costs 128-bit arithmetic each time.
    private(set) var cpuNanoseconds: Int64
    private(set) var timeoutNanoseconds: Int64

    public init(memory: Int = 64 << 20, cpu: Duration = .seconds(1), timeout: Duration = .seconds(10)) {
        self.memory = memory
        self.cpu = cpu
        self.timeout = timeout
        cpuNanoseconds = Self.nanoseconds(cpu)
        timeoutNanoseconds = Self.nanoseconds(timeout)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
