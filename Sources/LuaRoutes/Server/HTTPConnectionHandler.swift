import NIOCore
import NIOHTTP1

/// One connection, the only handler in its pipeline: decodes the bytes the socket read into
/// requests (``RequestDecoder``, `HTTPConnectionHandler+decode.swift`), checks each request head
/// (``RequestHeadRules``), routes it as it arrives, refuses a body past the route's limit before
/// buffering it, hands complete requests to the ``LoopResponder`` on this connection's event
/// loop, and writes each answer as one buffer, in request order. Its lifecycle (timeouts, the
/// connection budget, graceful close) is in `HTTPConnectionHandler+lifecycle.swift`.
///
/// It stands in for NIO's `ByteToMessageHandler`, response encoder, pipelining handler and
/// protocol-error handler, which cost five handler hops and three writes per response.
/// Pipelined requests wait in `queue`; while an answer is pending (or the client is not reading
/// what was written), reads from the socket are held back, as `HTTPServerPipelineHandler` does.
final class HTTPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Incoming {
        case idle
        case receiving(head: RequestHead, routed: RoutedTarget, body: ByteBuffer?, ending: Ending)
        /// A body was refused or the input was malformed: the rest is not read into memory.
        case discarding
    }

    /// What the connection does once an answer is written.
    enum Ending {
        case keepAlive
        /// Close at once: the request was read whole (`Connection: close`, HTTP/1.0).
        case close
        /// Shut the write side, drop what still arrives, then close: unread input may follow,
        /// and closing with it unread would reset the connection and could lose the answer.
        case linger
    }

    /// What the connection still has to answer, in order.
    enum Work {
        case request(head: RequestHead, routed: RoutedTarget, body: ByteBuffer?, ending: Ending)
        /// A host answer after which the connection closes (400, 408, 413, 431, 501).
        case finalAnswer(APIResponse, version: HTTPVersion, method: String, target: String?)
    }

    let responder: any LoopResponder
    let tracker: ConnectionTracker
    let record: ConnectionRecord
    let decoder: RequestDecoder
    /// Bytes read but not decoded yet: the start of a head or of a chunk-size line.
    var undecoded: ByteBuffer?
    /// The decode loop is running (a part's handling never starts another).
    var decoding = false
    var incoming = Incoming.idle
    var queue = CircularBuffer<Work>(initialCapacity: 2)
    /// An answer is being produced; the next queued request waits for it.
    var responding = false
    var draining = false
    var readPending = false
    /// The client shut its sending side: answer what arrived, then close.
    var inputClosed = false
    /// No more answers: the final one is written or the connection is gone.
    var closed = false
    var serializer = HTTPResponseSerializer()
    /// The streamed answer being sent, if any (HTTPConnectionHandler+stream.swift).
    var streamWriter: ConnectionStreamWriter?
    /// The peer's address as text, formatted once per connection rather than per request.
    private var remoteAddress: String?
    var timeouts: ConnectionTimeouts
    var timer: Scheduled<Void>?
    var timerDeadline = NIODeadline.distantFuture
    /// This read delivered request parts (so it did not merely start a head).
    var readProducedParts = false

    init(responder: any LoopResponder, tracker: ConnectionTracker, record: ConnectionRecord, settings: ServerSettings) {
        self.responder = responder
        self.tracker = tracker
        self.record = record
        self.decoder = RequestDecoder(maxHeaderSize: settings.maxHeaderSize)
        self.timeouts = ConnectionTimeouts(settings, now: .now())
    }

    /// One part of a request, as the decoder found it.
    func received(_ part: RequestPart, context: ChannelHandlerContext) {
        readProducedParts = true
        // Matched part first, state second, and the state taken out of `incoming` before use:
        // matching the pair would copy (retain and release) the head and route every time.
        if case .discarding = incoming { return }
        switch part {
        case .head(let head):
            guard case .idle = incoming else { return protocolViolation(context) }
            record.markBusy()
            if !responding, queue.isEmpty { timeouts.enterWithoutTime(.readingBody) }
            let rules = RequestHeadRules(head)
            if let (status, error) = rules.refusal {
                return refuse(head, with: HostError.response(status, error), context: context)
            }
            let routed = responder.route(target: head.target, on: context.eventLoop)
            if let length = rules.contentLength, length > routed.bodyLimit {
                return refuse(head, with: Self.tooLarge(head, routed), context: context)
            }
            if rules.sendContinue, !responding, queue.isEmpty {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
            }
            let ending: Ending = rules.closeAfterAnswer ? .linger : head.keepAlive ? .keepAlive : .close
            incoming = .receiving(head: head, routed: routed, body: nil, ending: ending)
        case .body(var chunk):
            guard case .receiving(let head, let routed, var body, let ending) = incoming else { return protocolViolation(context) }
            incoming = .idle   // drop the state's reference first, so the append does not copy
            if (body?.readableBytes ?? 0) + chunk.readableBytes > routed.bodyLimit {
                refuse(head, with: Self.tooLarge(head, routed), context: context)
            } else if body != nil {
                body!.writeBuffer(&chunk)
                incoming = .receiving(head: head, routed: routed, body: body, ending: ending)
            } else {
                incoming = .receiving(head: head, routed: routed, body: chunk, ending: ending)
            }
        case .end:
            guard case .receiving(let head, let routed, let body, let ending) = incoming else { return protocolViolation(context) }
            incoming = .idle
            timeouts.enterWithoutTime(.busy)
            enqueue(.request(head: head, routed: routed, body: body, ending: ending), context: context)
        }
    }

    /// Parts out of order: the decoder never does this; close rather than guess.
    private func protocolViolation(_ context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    /// An error from the channel (a reset, say): close, unless already closing.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .discarding = incoming { return }
        if closed { return }   // lingering: a reset while input is dropped is the client's to make
        context.close(promise: nil)
    }

    /// Malformed HTTP: answered with JSON in turn (after the requests before it), then the
    /// connection closes, since the parser cannot find where the next request starts.
    func refuseMalformed(_ error: RequestParseError, context: ChannelHandlerContext) {
        if case .discarding = incoming { return }
        let answer = error.kind == .headTooLarge ? HostError.response(431, "Request Header Fields Too Large")
                                                 : HostError.response(400, "Bad Request")
        let head = incomingHead
        incoming = .discarding
        decoder.discarding = true
        timeouts.enterWithoutTime(.busy)
        enqueue(.finalAnswer(Self.withLength(answer), version: .http1_1, method: head?.method ?? "-", target: head?.target),
                context: context)
    }

    private var incomingHead: RequestHead? {
        if case .receiving(let head, _, _, _) = incoming { return head }
        return nil
    }

    /// A host answer to `head` before its body is read (413, or a head the rules refuse), then
    /// a graceful close: the client may still be sending, and reading it all would be what
    /// the limit prevents.
    private func refuse(_ head: RequestHead, with answer: APIResponse, context: ChannelHandlerContext) {
        incoming = .discarding
        decoder.discarding = true
        timeouts.enterWithoutTime(.busy)
        enqueue(.finalAnswer(Self.withLength(answer), version: head.version, method: head.method, target: head.target), context: context)
    }

    /// Holds socket reads back while an answer is pending (backpressure for pipelining) or
    /// the client is not taking what was written (no answers pile up in memory).
    func read(context: ChannelHandlerContext) {
        if responding || !queue.isEmpty || (!closed && !context.channel.isWritable) {
            readPending = true
        } else {
            context.read()
        }
    }

    func enqueue(_ work: Work, context: ChannelHandlerContext) {
        if queue.isEmpty, !responding, !draining, !closed {
            // The usual case, nothing pipelined: straight to work, without the queue.
            responding = true
            perform(work, context: context)   // `send` resumes reading once answered
        } else {
            queue.append(work)
            drain(context: context)
        }
    }

    /// Starts queued work while nothing is pending. A loop, not recursion: a handler that
    /// answers at once comes back here through `send` once per pipelined request.
    func drain(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        while !responding, !closed, let work = queue.popFirst() {
            responding = true
            perform(work, context: context)
        }
        guard !responding, queue.isEmpty, !closed else { return }
        if inputClosed {
            closed = true
            context.close(promise: nil)
        } else if readPending, context.channel.isWritable {
            readPending = false
            context.read()
        }
    }

    private func perform(_ work: Work, context: ChannelHandlerContext) {
        switch work {
        case .request(let head, let routed, let body, let ending):
            start(head, routed: routed, body: body, ending: ending, context: context)
        case .finalAnswer(var answer, let version, let method, let target):
            if let requestID = responder.recordHostAnswer(method: method, target: target, status: answer.status,
                                                          bytes: answer.body.count, client: peerAddress(context)) {
                answer.headers.append(("X-Request-Id", requestID))
            }
            send(answer, version: version, ending: .linger, context: context)
        }
    }

    private func start(_ head: RequestHead, routed: RoutedTarget, body: ByteBuffer?, ending: Ending, context: ChannelHandlerContext) {
        let request = APIRequest(head: head, body: body.map { Array($0.readableBytesView) } ?? [], remoteAddress: peerAddress(context))
        tracker.requestStarted()
        responder.respond(to: request, routed: routed, on: context.eventLoop) { response in
            if let stream = response.stream {   // the head of a streamed answer: the body follows
                return self.startStream(response, stream: stream, version: head.version, ending: ending, context: context)
            }
            self.send(response, version: head.version, ending: ending, context: context)
            self.tracker.requestFinished()
        }
    }

    private func peerAddress(_ context: ChannelHandlerContext) -> String {
        if let remoteAddress { return remoteAddress }
        let text = context.channel.remoteAddress?.ipAddress ?? ""
        remoteAddress = text
        return text
    }

    private func send(_ response: APIResponse, version: HTTPVersion, ending: Ending, context: ChannelHandlerContext) {
        // Draining: the request was read whole, so closing after this answer loses nothing.
        let ending = ending == .keepAlive && tracker.draining ? .close : ending
        let bytes = serializer.serialize(response, version: version, keepAlive: ending == .keepAlive, allocator: context.channel.allocator)
        responding = false
        write(lastOf: bytes, ending: ending, context: context)
    }

    /// Writes the last bytes of an answer, then keeps the connection, closes it, or lingers.
    func write(lastOf bytes: ByteBuffer, ending: Ending, context: ChannelHandlerContext) {
        guard !closed else { return }
        switch ending {
        case .keepAlive:
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            answered(context: context)
            drain(context: context)
        case .close:
            closed = true
            queue.removeAll()
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
        case .linger:
            closed = true
            queue.removeAll()
            incoming = .discarding
            decoder.discarding = true
            context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { result in
                if case .success = result { self.linger(context: context) } else { context.close(promise: nil) }
            }
        }
    }

    static func withLength(_ answer: APIResponse) -> APIResponse {
        var answer = answer
        answer.headers.append(("Content-Length", String(answer.body.count)))
        return answer
    }
}
