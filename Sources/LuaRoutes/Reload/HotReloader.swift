import Dispatch
import NIOConcurrencyHelpers

/// Runs ``Dispatcher/reload()`` off the event loops, one at a time, for the file watcher and
/// SIGHUP. Requests that arrive while a reload is queued fold into it; one that arrives while a
/// reload runs queues exactly one more, so the last change is never missed.
public final class HotReloader: Sendable {
    let dispatcher: Dispatcher
    private let queue = DispatchQueue(label: "luaroutes.reload")
    private let queued = NIOLockedValueBox(false)

    public init(dispatcher: Dispatcher) {
        self.dispatcher = dispatcher
    }

    public func reloadSoon() {
        let alreadyQueued = queued.withLockedValue { queued in
            defer { queued = true }
            return queued
        }
        guard !alreadyQueued else { return }
        queue.async {
            self.queued.withLockedValue { $0 = false }
            self.dispatcher.reload()
        }
    }
}
