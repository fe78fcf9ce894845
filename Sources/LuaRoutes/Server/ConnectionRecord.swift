import NIOCore
import Synchronization

/// One open connection as the tracker sees it. Its handler marks it idle or busy (an atomic
/// store, no lock), so the tracker can pick the connection idle the longest from any thread.
final class ConnectionRecord: Sendable {
    let channel: any Channel
    /// Uptime in nanoseconds since when the connection has had no request in progress; -1 while busy.
    private let idleSinceStorage = Atomic<Int64>(-1)

    init(channel: any Channel) { self.channel = channel }

    var idleSince: Int64 { idleSinceStorage.load(ordering: .relaxed) }
    func markIdle(since: NIODeadline) { idleSinceStorage.store(Int64(since.uptimeNanoseconds), ordering: .relaxed) }
    /// Done with, but still closing gracefully: the first to go.
    func markClosing() { idleSinceStorage.store(0, ordering: .relaxed) }
    func markBusy() { idleSinceStorage.store(-1, ordering: .relaxed) }
}
