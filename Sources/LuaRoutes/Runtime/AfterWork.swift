import Synchronization

/// How many `res.after` runs are pending or running, across every worker of a dispatcher: a
/// graceful shutdown waits for them as it waits for requests (docs/after.md).
final class AfterWork: Sendable {
    private let count = Atomic<Int>(0)

    var pending: Int { count.load(ordering: .relaxed) }
    func started() { _ = count.add(1, ordering: .relaxed) }
    func finished() { _ = count.subtract(1, ordering: .relaxed) }
}
