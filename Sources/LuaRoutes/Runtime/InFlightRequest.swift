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
    /// A streamed answer's body, once its head went out (RouteWorker+stream.swift).
    var stream: ResponseBodyStream?
    /// The chunk `res.write` handed over during the resume that just ended.
    var pendingWrite: PendingWrite?
    /// This runs a request's `res.after` work, not a handler (RouteWorker+after.swift).
    var isAfterWork = false
    /// The request's `res.after` list, anchored in the registry until it runs.
    var afterRef: Int32 = LUA_NOREF

    init(request: RouteRequest, sandbox: Sandbox, dev: Bool, timeoutNanoseconds: Int64, completion: @escaping (APIResponse) -> Void) {
        self.request = request
        self.sandbox = sandbox
        (thread, threadRef) = sandbox.acquireThread()
        self.dev = dev
        self.wallDeadline = lr_monotonic_ns() + timeoutNanoseconds
        self.completion = completion
    }
}

/// One `res.write` between the C call and the worker sending it: the head comes with the first.
struct PendingWrite {
    let head: APIResponse?
    let chunk: [UInt8]
}
