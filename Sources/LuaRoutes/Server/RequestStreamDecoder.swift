import NIOCore
import NIOHTTP1

/// NIO's HTTP/1 request decoder (llhttp) with the three things the connection needs that it
/// does not do: a request line without a version (`GET /x\r\n`, HTTP/0.9 style) is an error at
/// once (llhttp waits for one more byte that an HTTP/0.9 client never sends); a well-formed
/// request line with a method llhttp does not know is told apart from garbage (501, not 400);
/// and once the connection has given its final answer, the bytes that still arrive are dropped
/// unparsed while it closes gracefully.
final class RequestStreamDecoder: ByteToMessageDecoder {
    typealias InboundOut = HTTPServerRequestPart

    private let parser: HTTPRequestDecoder
    /// No request head has begun since the last request ended (the handler reports both).
    private var awaitingRequest = true
    /// A head came out of the bytes being decoded now.
    private var headSeen = false
    /// Set by the connection handler after its final answer: input is dropped unread.
    var discarding = false

    init(maxHeaderSize: Int) {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = maxHeaderSize
        limits.maxHeaderListSize = maxHeaderSize
        parser = HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: limits)
    }

    func headArrived() {
        awaitingRequest = false
        headSeen = true
    }

    func requestEnded() { awaitingRequest = true }

    func decoderAdded(context: ChannelHandlerContext) { parser.decoderAdded(context: context) }
    func decoderRemoved(context: ChannelHandlerContext) { parser.decoderRemoved(context: context) }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if discarding {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        // A second reference to the same bytes for the checks below; dropped before the
        // handler appends the next read, so it never forces a copy.
        let input = buffer
        let startedAwaiting = awaitingRequest
        headSeen = false
        do {
            _ = try parser.decode(context: context, buffer: &buffer)
        } catch HTTPParserError.invalidMethod where startedAwaiting && RequestLine.hasUnknownMethod(input.readableBytesView) {
            throw RequestStreamError.unknownMethod
        }
        // Only when no head came out of these bytes: the usual request never pays for the scan.
        if startedAwaiting, !headSeen, RequestLine.isVersionless(input.readableBytesView) {
            throw RequestStreamError.missingVersion
        }
        return .needMoreData
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if discarding {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        return try parser.decodeLast(context: context, buffer: &buffer, seenEOF: seenEOF)
    }
}
