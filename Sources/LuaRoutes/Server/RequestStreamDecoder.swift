import NIOCore
import NIOHTTP1

/// NIO's HTTP/1 request decoder (llhttp) with the three things the connection needs that it
/// does not do: a request line without a version (`GET /x\r\n`, HTTP/0.9 style) is an error at
/// once (llhttp waits for one more byte that an HTTP/0.9 client never sends); a well-formed
/// request line with a method llhttp does not know (any token: RFC 9110 section 9.1) still
/// reaches the route (docs/http.md, "methods"); and once the connection has given its final
/// answer, the bytes that still arrive are dropped unparsed while it closes gracefully.
final class RequestStreamDecoder: ByteToMessageDecoder {
    typealias InboundOut = HTTPServerRequestPart

    private var parser: HTTPRequestDecoder
    private let limits: NIOHTTPDecoderLimitConfiguration
    /// The method of the head being parsed when llhttp was given a stand-in for it.
    private var unknownMethod: String?
    /// No request head has begun since the last request ended (the handler reports both).
    private var awaitingRequest = true
    /// A head came out of the bytes being decoded now.
    private var headSeen = false
    /// The parser holds the first bytes of a head it has not finished (an earlier read ended
    /// inside it): a failure now is not at the start of a request line.
    private var headBegun = false
    /// Set by the connection handler after its final answer: input is dropped unread.
    var discarding = false

    init(maxHeaderSize: Int) {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = maxHeaderSize
        limits.maxHeaderListSize = maxHeaderSize
        self.limits = limits
        parser = Self.makeParser(limits)
    }

    private static func makeParser(_ limits: NIOHTTPDecoderLimitConfiguration) -> HTTPRequestDecoder {
        HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: limits)
    }

    /// The request's own method when the head that just came out was parsed with a stand-in.
    func takeUnknownMethod() -> String? {
        defer { unknownMethod = nil }
        return unknownMethod
    }

    func headArrived() {
        awaitingRequest = false
        headSeen = true
        headBegun = false
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
        let atRequestStart = awaitingRequest && !headBegun
        headSeen = false
        do {
            _ = try parser.decode(context: context, buffer: &buffer)
        } catch HTTPParserError.invalidMethod where atRequestStart && !headSeen {
            // Nothing came out of these bytes yet, and they start where a request does: the
            // first line is the failing one.
            guard let method = RequestLine.unknownMethod(input.readableBytesView) else { throw HTTPParserError.invalidMethod }
            try decodeWithStandIn(for: method, from: input, into: &buffer, context: context)
        }
        if awaitingRequest, !headSeen, input.readableBytesView.contains(where: { $0 != 13 && $0 != 10 }) { headBegun = true }
        // Only when no head came out of these bytes: the usual request never pays for the scan.
        if startedAwaiting, !headSeen, RequestLine.isVersionless(input.readableBytesView) {
            throw RequestStreamError.missingVersion
        }
        return .needMoreData
    }

    /// llhttp refuses methods it does not know, and has stopped: a new parser reads the same
    /// bytes with GET in the method's place (the framing rules are the same for every method),
    /// and the connection handler gives the head its own method back (`takeUnknownMethod`).
    /// Only on this rare path are the bytes copied.
    private func decodeWithStandIn(for method: (offset: Int, name: [UInt8]), from input: ByteBuffer, into buffer: inout ByteBuffer,
                                   context: ChannelHandlerContext) throws {
        let view = input.readableBytesView
        let methodStart = view.startIndex + method.offset
        var standIn = context.channel.allocator.buffer(capacity: input.readableBytes)
        standIn.writeBytes(view[view.startIndex..<methodStart])   // empty lines before a request
        standIn.writeString("GET")
        standIn.writeBytes(view[(methodStart + method.name.count)...])
        parser.decoderRemoved(context: context)
        parser = Self.makeParser(limits)
        parser.decoderAdded(context: context)
        unknownMethod = String(decoding: method.name, as: UTF8.self)
        let before = standIn.readerIndex
        _ = try parser.decode(context: context, buffer: &standIn)
        let used = standIn.readerIndex - before
        // The stand-in and the method differ in length: map what was read back to the input.
        buffer = input
        buffer.moveReaderIndex(forwardBy: used >= method.offset + 3 ? used + method.name.count - 3 : used)
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if discarding {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        return try parser.decodeLast(context: context, buffer: &buffer, seenEOF: seenEOF)
    }
}
