import NIOCore
import NIOHTTP1

/// Streamed answers on the connection (docs/streaming.md): the head goes out at once, each
/// chunk as it comes (chunked transfer coding, or as is under the handler's Content-Length),
/// and the handler waits until the socket took the chunk and the channel is writable again:
/// a client that does not read stops the handler instead of filling memory.
extension HTTPConnectionHandler {
    func startStream(_ head: APIResponse, stream: ResponseBodyStream, version: HTTPVersion, ending: Ending,
                     context: ChannelHandlerContext) {
        var head = head
        head.stream = nil
        // HTTP/1.0 has no chunked coding: the body then ends where the connection does.
        let chunked = stream.declaredLength == nil && !stream.discardsBody && version.minor >= 1
        // Closed after it when its length is unknown to the client, and (as any answer) when
        // the server is draining.
        let ending: Ending = (stream.declaredLength == nil && !stream.discardsBody && !chunked)
            || (ending == .keepAlive && tracker.draining) ? .close : ending
        if chunked { head.headers.append(("Transfer-Encoding", "chunked")) }
        let bytes = serializer.serialize(head, version: version, keepAlive: ending == .keepAlive, allocator: context.channel.allocator)
        let writer = ConnectionStreamWriter(handler: self, context: context, chunked: chunked, length: stream.declaredLength, ending: ending)
        streamWriter = writer
        stream.writer = writer
        guard !closed else { return stream.markClosed() }
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    /// The streamed answer is over: the connection goes on as after any answer.
    func endStream(last: ByteBuffer, ending: Ending, context: ChannelHandlerContext) {
        streamWriter = nil
        responding = false
        tracker.requestFinished()
        write(lastOf: last, ending: ending, context: context)
    }
}

/// Sends one streamed answer's chunks on its connection. Confined to the connection's loop.
final class ConnectionStreamWriter: ResponseStreamWriter {
    private let handler: HTTPConnectionHandler
    private let context: ChannelHandlerContext
    private let chunked: Bool
    /// Bytes still allowed under the handler's Content-Length.
    private var remaining: Int?
    private let ending: HTTPConnectionHandler.Ending
    private var gone = false
    /// The handler's wait for writability, while the client does not read.
    private var parked: ((Bool) -> Void)?

    init(handler: HTTPConnectionHandler, context: ChannelHandlerContext, chunked: Bool, length: Int?,
         ending: HTTPConnectionHandler.Ending) {
        self.handler = handler
        self.context = context
        self.chunked = chunked
        self.remaining = length
        self.ending = ending
    }

    func writeChunk(_ chunk: [UInt8], taken: @escaping (Bool) -> Void) {
        guard !gone, !handler.closed else { return taken(true) }
        var count = chunk.count
        if let remaining { count = min(count, remaining); self.remaining = remaining - count }
        guard count > 0 else { return taken(false) }   // an empty write (res.flush) only sends the head
        var buffer = context.channel.allocator.buffer(capacity: count + 12)
        if chunked {
            Self.writeHex(count, to: &buffer)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeBytes(chunk[0..<count])
        if chunked { buffer.writeStaticString("\r\n") }
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).assumeIsolated().whenComplete { result in
            switch result {
            case .success where channel.isWritable:
                taken(false)
            case .success:
                self.parked = taken   // channelWritabilityChanged resumes it
            case .failure:
                self.gone = true
                taken(true)
            }
        }
    }

    /// A chunk's size line, in hex digits without leading zeros.
    private static func writeHex(_ value: Int, to buffer: inout ByteBuffer) {
        let digits: StaticString = "0123456789abcdef"
        var shift = 60
        while shift > 0, (value >> shift) & 15 == 0 { shift -= 4 }
        while shift >= 0 {
            buffer.writeInteger(digits.utf8Start[(value >> shift) & 15])
            shift -= 4
        }
    }

    func resumeParked(gone: Bool) {
        if gone { self.gone = true }
        guard let parked else { return }
        self.parked = nil
        parked(gone)
    }

    func endStream(complete: Bool) {
        // An incomplete body (cut off, or short of its Content-Length) must not look complete:
        // the connection closes instead of ending the body cleanly.
        let whole = complete && !gone && (remaining ?? 0) == 0
        resumeParked(gone: true)   // a write still waiting (the answer was cut off) learns it is over
        var last = context.channel.allocator.buffer(capacity: 5)
        if whole, chunked { last.writeStaticString("0\r\n\r\n") }
        handler.endStream(last: last, ending: whole ? ending : .close, context: context)
    }
}
