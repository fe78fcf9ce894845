import CLuaGlue
import NIOCore

/// One request between its first resume and its answer: its coroutine (anchored in the
/// registry), the sandbox it runs in (kept alive even if the worker replaced it meanwhile),
/// and who gets the answer. Confined to the worker's event loop.
final class InFlightRequest {
    let request: RouteRequest
    let sandbox: Sandbox
    let thread: OpaquePointer
    let threadRef: Int32
    let dev: Bool
    let wallDeadline: Int64     // CLOCK_MONOTONIC nanoseconds
    let completion: (APIResponse) -> Void
    var finished = false
    /// The handler returned normally: its coroutine can serve another request.
    var reusable = false
    var timeoutTask: Scheduled<Void>?

    init(request: RouteRequest, sandbox: Sandbox, dev: Bool, timeout: Duration, completion: @escaping (APIResponse) -> Void) {
        self.request = request
        self.sandbox = sandbox
        (thread, threadRef) = sandbox.acquireThread()
        self.dev = dev
        self.wallDeadline = lr_monotonic_ns() + FetchClient.nanoseconds(timeout)
        self.completion = completion
    }
}
