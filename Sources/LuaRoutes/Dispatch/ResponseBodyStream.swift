import NIOCore

/// The body of a streamed answer (`res.write`, `res.sse`; docs/streaming.md), between the
/// handler that writes it and the front end that sends it. The route worker hands it out with
/// the answer's head; the front end attaches a ``ResponseStreamWriter`` to it right there, in the
/// completion. Confined to the request's event loop.
///
/// Backpressure: the handler's coroutine waits on each chunk until the writer says the
/// connection took it (`then`), so at most one chunk per stream waits in the host's memory.
public final class ResponseBodyStream: @unchecked Sendable {
    /// The writer that sends the chunks; none (a bench, a caller that ignores the body) discards them.
    public var writer: (any ResponseStreamWriter)?
    /// HEAD, 204 and 304 answers carry no body: chunks are taken and dropped.
    public internal(set) var discardsBody = false
    /// The Content-Length the handler set, if any: the chunks are then sent as they are, unframed.
    public internal(set) var declaredLength: Int?
    /// The client is gone (or the answer was cut off): every later write answers "closed".
    public private(set) var closed = false
    public private(set) var ended = false
    /// Body bytes handed to the writer so far.
    public private(set) var bytesWritten = 0
    /// Called once, when the stream ends or is cut off, with the body bytes written.
    var onEnd: [(Int) -> Void] = []

    init() {}

    /// Sends `chunk`; `then(closed)` runs later on the loop, never from inside this call, so the
    /// handler always yields to other work between two writes.
    func write(_ chunk: [UInt8], on loop: any EventLoop, then: @escaping (_ closed: Bool) -> Void) {
        guard !closed, !ended else { return loop.assumeIsolated().execute { then(true) } }
        bytesWritten += discardsBody ? 0 : chunk.count
        guard let writer, !discardsBody else { return loop.assumeIsolated().execute { then(false) } }
        writer.writeChunk(chunk) { [weak self] gone in
            if gone { self?.closed = true }
            loop.assumeIsolated().execute { then(gone) }
        }
    }

    /// The handler finished: the writer ends the body (the last chunk) and the connection goes on.
    func end() {
        guard !ended else { return }
        ended = true
        writer?.endStream(complete: !closed)
        notifyEnd()
    }

    /// The handler failed or ran out of time after the head was sent: no error answer is possible
    /// any more, so the writer cuts the connection and the client sees an incomplete body.
    func abort() {
        guard !ended else { return }
        ended = true
        closed = true
        writer?.endStream(complete: false)
        notifyEnd()
    }

    /// The front end learned that the client is gone.
    public func markClosed() {
        closed = true
    }

    private func notifyEnd() {
        let observers = onEnd
        onEnd = []
        for observer in observers { observer(bytesWritten) }
    }
}

/// What a front end attaches to a ``ResponseBodyStream``: the HTTP connection, or the collector
/// of `luaroutes request`/`test`.
public protocol ResponseStreamWriter: AnyObject {
    /// Sends one chunk (never empty); calls `taken(gone)` once the connection took it and can
    /// take more, or with `true` when the client is gone.
    func writeChunk(_ chunk: [UInt8], taken: @escaping (_ gone: Bool) -> Void)
    /// The body is over: `complete` false means it was cut off.
    func endStream(complete: Bool)
}
