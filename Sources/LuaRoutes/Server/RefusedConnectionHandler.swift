import NIOCore

/// A connection over the budget when none could be closed to make room: a 503 and close,
/// written at once (nothing is read, so nothing is left unread to reset the connection).
final class RefusedConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        var serializer = HTTPResponseSerializer()
        var answer = HostError.response(503, "Service Unavailable", headers: [("Retry-After", "1")])
        answer.headers.append(("Content-Length", String(answer.body.count)))
        let bytes = serializer.serialize(answer, version: .http1_1, keepAlive: false, allocator: context.channel.allocator)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
