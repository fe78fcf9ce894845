import Dispatch
import Logging
import NIOCore

/// One result slot per thread of ``Generation/buildConcurrently``: each index is written by
/// exactly one thread, and read only after `concurrentPerform` returned (which orders the writes).
final class WorkerSlots: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<[RouteWorker]>
    private let count: Int

    init(_ count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: [], count: count)
    }

    func store(_ workers: [RouteWorker], at index: Int) { slots[index] = workers }

    func take() -> [[RouteWorker]] { Array(UnsafeBufferPointer(start: slots, count: count)) }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}
