import NIOCore
import NIOHTTP1

/// One connection, after NIO's HTTP/1 request decoder: routes each request as its head
/// arrives, refuses a body past the route's limit before buffering it, hands complete
/// requests to the ``LoopResponder`` on this connection's event loop, and writes each answer
/// as one buffer, in request order.
///
/// It stands in for NIO's response encoder, pipelining handler and protocol-error handler,
/// which cost four handler hops and three writes per response. Pipelined requests wait in
/// `queue`; while an answer is pending, reads from the socket are held back, as
/// `HTTPServerPipelineHandler` does.
final class HTTPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Incoming {
        case idle
        case receiving(head: HTTPRequestHead, routed: RoutedTarget, body: ByteBuffer?)
        /// A body was refused or the input was malformed: the rest is not read into memory.
        case discarding
    }

    /// What the connection still has to answer, in order.
    private enum Work {
        case request(head: HTTPRequestHead, routed: RoutedTarget, body: ByteBuffer?)
        /// A host answer after which the connection closes (413 before the body, 400, 431).
        case finalAnswer(APIResponse, version: HTTPVersion)
    }

    private let responder: any LoopResponder
    private let tracker: ConnectionTracker
    private var incoming = Incoming.idle
    private var queue = CircularBuffer<Work>(initialCapacity: 2)
    /// An answer is being produced; the next queued request waits for it.
    private var responding = false
    private var draining = false
    private var readPending = false
    /// The client shut its sending side: answer what arrived, then close.
    private var inputClosed = false
    private var closed = false
    private var serializer = HTTPResponseSerializer()
    /// The peer's address as text, formatted once per connection rather than per request.
    private var remoteAddress: String?

    init(responder: any LoopResponder, tracker: ConnectionTracker) {
        self.responder = responder
        self.tracker = tracker
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Matched part first, state second, and the state taken out of `incoming` before use:
        // matching the pair would copy (retain and release) the head and route every time.
        if case .discarding = incoming { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .idle = incoming else { return protocolViolation(context) }
            let routed = responder.route(target: head.uri)
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > routed.bodyLimit {
                refuse(head, limit: routed.bodyLimit, context: context)
            } else {
                if !responding, queue.isEmpty, head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
                }
                incoming = .receiving(head: head, routed: routed, body: nil)
            }
        case .body(var chunk):
            guard case .receiving(let head, let routed, var body) = incoming else { return protocolViolation(context) }
            incoming = .idle   // drop the state's reference first, so the append does not copy
            if (body?.readableBytes ?? 0) + chunk.readableBytes > routed.bodyLimit {
                refuse(head, limit: routed.bodyLimit, context: context)
            } else if body != nil {
                body!.writeBuffer(&chunk)
                incoming = .receiving(head: head, routed: routed, body: body)
            } else {
                incoming = .receiving(head: head, routed: routed, body: chunk)
            }
        case .end:
            guard case .receiving(let head, let routed, let body) = incoming else { return protocolViolation(context) }
            incoming = .idle
            enqueue(.request(head: head, routed: routed, body: body), context: context)
        }
    }

    /// Parts out of order: the decoder never does this; close rather than guess.
    private func protocolViolation(_ context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    /// Malformed HTTP: answered with JSON in turn (after the requests before it), then the
    /// connection closes, since the parser cannot find where the next request starts.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .discarding = incoming { return }   // the decoder reports each later read too
        guard let parserError = error as? HTTPParserError else {
            context.close(promise: nil)
            return
        }
        incoming = .discarding
        let answer = parserError == .headerOverflow
            ? HostError.response(431, "Request Header Fields Too Large")
            : HostError.response(400, "Bad Request")
        enqueue(.finalAnswer(Self.withLength(answer), version: .http1_1), context: context)
    }

    /// Holds socket reads back while an answer is pending (backpressure for pipelining).
    func read(context: ChannelHandlerContext) {
        if responding || !queue.isEmpty {
            readPending = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed = event as? ChannelEvent {
            inputClosed = true
            drain(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        queue.removeAll()
        context.fireChannelInactive()
    }

    /// 413 before the body is buffered (CONTRACT.md section 4), then close: the client may
    /// still be sending, and reading it all would be what the limit prevents.
    private func refuse(_ head: HTTPRequestHead, limit: Int, context: ChannelHandlerContext) {
        incoming = .discarding
        let answer = HostError.response(413, "Body exceeded \(ByteSize.format(limit)) limit")
        enqueue(.finalAnswer(Self.withLength(answer), version: head.version), context: context)
    }

    private func enqueue(_ work: Work, context: ChannelHandlerContext) {
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
    private func drain(context: ChannelHandlerContext) {
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
        } else if readPending {
            readPending = false
            context.read()
        }
    }

    private func perform(_ work: Work, context: ChannelHandlerContext) {
        switch work {
        case .request(let head, let routed, let body):
            start(head, routed: routed, body: body, context: context)
        case .finalAnswer(let answer, let version):
            send(answer, version: version, keepAlive: false, context: context)
        }
    }

    private func start(_ head: HTTPRequestHead, routed: RoutedTarget, body: ByteBuffer?, context: ChannelHandlerContext) {
        let request = APIRequest(
            method: head.method.rawValue,
            target: head.uri,
            headers: head.headers.map { ($0.name, $0.value) },
            body: body.map { Array($0.readableBytesView) } ?? [],
            remoteAddress: peerAddress(context))
        let keepAlive = head.isKeepAlive
        tracker.requestStarted()
        responder.respond(to: request, routed: routed, on: context.eventLoop) { response in
            self.send(response, version: head.version, keepAlive: keepAlive, context: context)
            self.tracker.requestFinished()
        }
    }

    private func peerAddress(_ context: ChannelHandlerContext) -> String {
        if let remoteAddress { return remoteAddress }
        let text = context.channel.remoteAddress?.ipAddress ?? ""
        remoteAddress = text
        return text
    }

    private func send(_ response: APIResponse, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        let bytes = serializer.serialize(response, version: version, keepAlive: keepAlive, allocator: context.channel.allocator)
        responding = false
        guard !closed else { return }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            drain(context: context)
        } else {
            closed = true
            queue.removeAll()
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private static func withLength(_ answer: APIResponse) -> APIResponse {
        var answer = answer
        answer.headers.append(("Content-Length", String(answer.body.count)))
        return answer
    }
}
