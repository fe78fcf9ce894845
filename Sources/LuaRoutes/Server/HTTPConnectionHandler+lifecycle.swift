import NIOCore
import NIOHTTP1

/// The connection's life around its requests: the per-connection timer that enforces
/// ``ConnectionTimeouts``, idle marks for the connection budget (``ConnectionTracker``),
/// backpressure while the client does not read, and the graceful (lingering) close.
extension HTTPConnectionHandler {
    func channelActive(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        timeouts.enter(.waiting, now: now)
        record.markIdle(since: now)
        armTimer(at: timeouts.nextCheck(now: now), context: context)
        context.fireChannelActive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if timeouts.readCompleted(now: .now(), producedParts: readProducedParts) {
            record.markBusy()   // a head began: no longer idle, so not the budget's to close
        }
        readProducedParts = false
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            timeouts.outputDrained()
            streamWriter?.resumeParked(gone: false)
            if readPending, !responding, queue.isEmpty {
                readPending = false
                context.read()
            }
        } else {
            timeouts.outputStalled(now: .now())
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed = event as? ChannelEvent {
            decodeUndecoded(endOfInput: true, context: context)   // a request cut off: 400
            inputClosed = true
            if timeouts.phase == .lingering {
                context.close(promise: nil)
            } else {
                drain(context: context)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        queue.removeAll()
        streamWriter?.resumeParked(gone: true)
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    /// After a kept-alive answer: the connection waits for the next request, unless more
    /// work is queued or the next request is already arriving.
    func answered(context: ChannelHandlerContext) {
        guard queue.isEmpty else { return }
        let now = NIODeadline.now()
        if case .receiving = incoming {
            timeouts.enter(.readingBody, now: now)
        } else {
            timeouts.enter(.waiting, now: now)
            record.markIdle(since: now)
        }
    }

    /// The final answer is out: shut the write side (the client sees the end of the answer at
    /// once), then read and drop what the client still sends until it closes, as nginx's
    /// lingering close does, so the close never turns into a reset that could destroy the answer.
    func linger(context: ChannelHandlerContext) {
        guard !inputClosed else { return context.close(promise: nil) }
        let now = NIODeadline.now()
        timeouts.enter(.lingering, now: now)
        record.markClosing()
        context.close(mode: .output).assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        armTimer(at: timeouts.nextCheck(now: now), context: context)
        if readPending {
            readPending = false
            context.read()
        }
    }

    /// (Re-)arms the connection's one timer, unless it already fires by `deadline`.
    func armTimer(at deadline: NIODeadline, context: ChannelHandlerContext) {
        if timer != nil, timerDeadline <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerDeadline = .distantFuture
            timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let now = NIODeadline.now()
        let expiry = timeouts.expired(now: now) {
            (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        }
        switch expiry {
        case nil:
            armTimer(at: timeouts.nextCheck(now: now), context: context)
        case .idle:
            tracker.metrics?.connectionClosed(reason: .idleTimeout)
            closed = true
            context.close(promise: nil)
        case .send:
            tracker.metrics?.connectionClosed(reason: .sendTimeout)
            closed = true
            context.close(promise: nil)
        case .lingerOver:
            context.close(promise: nil)
        case .header, .body:
            // 408, then the graceful close (RFC 9110 section 15.5.9).
            tracker.metrics?.connectionClosed(reason: expiry == .header ? .headerTimeout : .bodyTimeout)
            let head: RequestHead? = if case .receiving(let head, _, _, _) = incoming { head } else { nil }
            incoming = .discarding
            decoder.discarding = true
            timeouts.enter(.busy, now: now)
            enqueue(.finalAnswer(Self.withLength(HostError.response(408, "Request Timeout")), version: head?.version ?? .http1_1,
                                 method: head?.method ?? "-", target: head?.target), context: context)
            if timer == nil { armTimer(at: timeouts.nextCheck(now: now), context: context) }
        }
    }
}
