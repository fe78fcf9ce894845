import NIOCore

/// The bytes in: each read goes through the ``RequestDecoder`` at once, and each part it finds is
/// handled before the next is decoded, in this handler rather than in a `ByteToMessageHandler`
/// before it (a pipeline hop per part, a cast of each part out of `NIOAny`, and generic code NIO
/// cannot specialise for our decoder: about 4k instructions per request, docs/performance.md).
/// What a read leaves undecoded (a head or a chunk-size line cut off) waits in `undecoded` for
/// the next read.
extension HTTPConnectionHandler {
    /// Undecoded bytes kept before the ones already decoded are dropped from the buffer.
    static let compactAfter = 16 * 1024

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if undecoded != nil, undecoded!.readableBytes > 0 {
            undecoded!.writeBuffer(&bytes)
        } else {
            undecoded = bytes
        }
        decodeUndecoded(endOfInput: false, context: context)
    }

    /// Decodes what has arrived, handling each part as it is found. At the end of the input
    /// (`endOfInput`), a request cut off inside is malformed.
    func decodeUndecoded(endOfInput: Bool, context: ChannelHandlerContext) {
        guard !decoding else { return }   // handling a part never reads, but stay safe
        decoding = true
        defer { decoding = false }
        // Out of the property while decoding, so that appending or slicing it never copies.
        var buffer = undecoded ?? ByteBuffer()
        undecoded = nil
        do {
            if endOfInput {
                _ = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { received($0, context: context) }
            } else {
                while try decoder.decode(buffer: &buffer, emit: { received($0, context: context) }) == .continue {}
            }
        } catch {
            refuseMalformed(error, context: context)
            return
        }
        guard buffer.readableBytes > 0 else { return }
        if buffer.readerIndex > Self.compactAfter { buffer.discardReadBytes() }
        undecoded = buffer
    }
}
