import CLuaGlue
import NIOCore

/// Streamed answers (docs/streaming.md): `res.write` hands a chunk over and the request's
/// coroutine waits; the worker sends it (the head first, through the request's completion) and
/// resumes the coroutine once the connection took it, with `nil, "closed"` if the client left.
extension RouteWorker {
    /// What `response(for:)` returns when a streamed handler ended normally.
    static let streamEnded = APIResponse(status: 0)

    func send(_ write: PendingWrite, for inFlight: InFlightRequest) {
        if inFlight.stream == nil {
            let stream = ResponseBodyStream()
            inFlight.stream = stream
            var head = write.head ?? APIResponse(status: 200)
            head.stream = stream
            inFlight.completion(head)   // the front end attaches its writer here
        }
        inFlight.stream!.write(write.chunk, on: loop) { [weak self] closed in
            self?.resumeFairly {
                guard let self, !inFlight.finished else { return }
                inFlight.sandbox.state.context.pointee.stream_closed = closed ? 1 : 0
                self.run(inFlight, arguments: 0, answer: nil)
            }
        }
    }

    /// Runs `resume` now, unless this worker's streams already resumed ``StreamTurns/perTurn``
    /// times since the loop last polled its sockets. NIO runs queued tasks until none is left
    /// before it polls, so a handler writing to a fast client would otherwise resume from task
    /// to task forever, and no other connection of the loop would be served. Past the budget,
    /// resumes wait for a timer a little in the future: the loop finds no task ready, polls
    /// its sockets, then runs the timer.
    func resumeFairly(_ resume: @escaping () -> Void) {
        if streamTurns.used < StreamTurns.perTurn {
            streamTurns.used += 1
            return resume()
        }
        streamTurns.parked.append(resume)
        guard !streamTurns.releaseScheduled else { return }
        streamTurns.releaseScheduled = true
        loop.assumeIsolated().scheduleTask(in: StreamTurns.pause) { [self] in
            streamTurns.releaseScheduled = false
            streamTurns.used = 0
            let parked = streamTurns.parked
            streamTurns.parked = []
            for resume in parked { resumeFairly(resume) }
        }
    }

    /// The request is over after its head went out: a normal end closes the body; anything else
    /// (an error, a limit) cannot become an error answer any more, so the body is cut off.
    func endStream(_ stream: ResponseBodyStream, with response: APIResponse, for inFlight: InFlightRequest) {
        if response.status == 0 {
            stream.end()
        } else {
            logger.error("\(route.file): streamed answer cut off (\(response.status) after the head was sent)",
                         metadata: ["request": .string(inFlight.request.requestID)])
            stream.abort()
        }
    }
}

/// One worker's budget of stream resumes between two polls of the loop's sockets
/// (``RouteWorker/resumeFairly(_:)``). Confined to the worker's loop.
final class StreamTurns {
    static let perTurn = 64
    static let pause = TimeAmount.microseconds(100)
    var used = 0
    var parked: [() -> Void] = []
    var releaseScheduled = false
}
