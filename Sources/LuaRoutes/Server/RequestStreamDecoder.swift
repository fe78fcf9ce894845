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

/// Input the connection refuses beyond what llhttp reports.
enum RequestStreamError: Error {
    /// `GET /path` and a line end, without `HTTP/1.x`: 400.
    case missingVersion
    /// A well-formed request line whose method llhttp does not know: 501 (RFC 9110 section 15.6.2).
    case unknownMethod
}

/// Looks at the first line of a request as raw bytes (only on the rare paths above).
enum RequestLine {
    /// Methods llhttp parses; any other token is refused by it before the head is complete.
    static let knownMethods: Set<String> = [
        "DELETE", "GET", "HEAD", "POST", "PUT", "CONNECT", "OPTIONS", "TRACE", "COPY", "LOCK", "MKCOL", "MOVE",
        "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL", "REPORT", "MKACTIVITY",
        "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PATCH", "PURGE", "MKCALENDAR",
        "LINK", "UNLINK", "SOURCE", "PRI", "DESCRIBE", "ANNOUNCE", "SETUP", "PLAY", "PAUSE", "TEARDOWN",
        "GET_PARAMETER", "SET_PARAMETER", "REDIRECT", "RECORD", "FLUSH", "QUERY",
    ]

    /// The first line, split at spaces, without its line end; nil until a whole line arrived.
    /// Empty lines before a request are skipped, as llhttp does.
    private static func firstLineWords(_ bytes: ByteBufferView) -> [ArraySlice<UInt8>]? {
        guard let start = bytes.firstIndex(where: { $0 != 13 && $0 != 10 }),
              let end = bytes[start...].firstIndex(of: 10) else { return nil }
        var line = Array(bytes[start..<end])
        if line.last == 13 { line.removeLast() }
        return line.split(separator: 32, omittingEmptySubsequences: false)
    }

    /// `METHOD /target` and a line end, with a method llhttp knows (so the line really is
    /// where a request starts, not a fragment of one split across reads).
    static func isVersionless(_ bytes: ByteBufferView) -> Bool {
        guard let words = firstLineWords(bytes), words.count == 2, words[1].first == UInt8(ascii: "/") else { return false }
        return knownMethods.contains(String(decoding: words[0], as: UTF8.self))
    }

    /// `TOKEN target HTTP/1.x` whose token is not a method llhttp knows: a method the server
    /// does not implement, rather than malformed input.
    static func hasUnknownMethod(_ bytes: ByteBufferView) -> Bool {
        guard let words = firstLineWords(bytes), words.count == 3, !words[0].isEmpty, !words[1].isEmpty,
              words[2].starts(with: "HTTP/1.".utf8), words[2].count == 8,
              words[0].allSatisfy({ HTTPResponseSerializer.isTokenByte($0) }) else { return false }
        return !knownMethods.contains(String(decoding: words[0], as: UTF8.self))
    }
}
