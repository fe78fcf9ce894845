import NIOCore
import NIOHTTP1

/// One connection's requests: collects a request's body (refusing it past the route's limit
/// before buffering it), hands the request to the ``LoopResponder`` (the ``Dispatcher``) on this connection's event
/// loop, and writes the answer. Requests on a connection are answered in order
/// (`HTTPServerPipelineHandler` holds pipelined ones back).
final class HTTPServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, body: ByteBuffer?, limit: Int)
        /// A body over the limit was refused; the connection closes once the answer is out.
        case refused
    }

    private let responder: any LoopResponder
    private let tracker: ConnectionTracker
    private var state = State.idle

    init(responder: any LoopResponder, tracker: ConnectionTracker) {
        self.responder = responder
        self.tracker = tracker
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            let limit = responder.bodyLimit(forTarget: head.uri)
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limit {
                refuse(context: context, version: head.version, limit: limit)
            } else {
                state = .receiving(head, body: nil, limit: limit)
            }
        case (.body(var chunk), .receiving(let head, let body, let limit)):
            let received = (body?.readableBytes ?? 0) + chunk.readableBytes
            if received > limit {
                refuse(context: context, version: head.version, limit: limit)
            } else if var body {
                state = .idle   // drop our reference first, so the append does not copy
                body.writeBuffer(&chunk)
                state = .receiving(head, body: body, limit: limit)
            } else {
                state = .receiving(head, body: chunk, limit: limit)
            }
        case (.end, .receiving(let head, let body, _)):
            state = .idle
            dispatch(head: head, body: body, context: context)
        case (_, .refused):
            break   // the rest of a refused body: not read into memory
        default:
            context.close(promise: nil)
        }
    }

    private func dispatch(head: HTTPRequestHead, body: ByteBuffer?, context: ChannelHandlerContext) {
        let request = APIRequest(
            method: head.method.rawValue,
            target: head.uri,
            headers: head.headers.map { ($0.name, $0.value) },
            body: body.map { Array($0.readableBytesView) } ?? [],
            remoteAddress: context.channel.remoteAddress?.ipAddress ?? "")
        let keepAlive = head.isKeepAlive
        tracker.requestStarted()
        responder.respond(to: request, on: context.eventLoop) { response in
            self.write(response, version: head.version, keepAlive: keepAlive, context: context)
            self.tracker.requestFinished()
        }
    }

    /// 413 before the body is buffered (CONTRACT.md section 4), then close: the client may
    /// still be sending, and reading it all would be what the limit prevents.
    private func refuse(context: ChannelHandlerContext, version: HTTPVersion, limit: Int) {
        state = .refused
        let answer = HostError.response(413, "Body exceeded \(ByteSize.format(limit)) limit")
        var finished = answer
        finished.headers.append(("Content-Length", String(answer.body.count)))
        write(finished, version: version, keepAlive: false, context: context)
    }

    private func write(_ response: APIResponse, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers)
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: .init(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
