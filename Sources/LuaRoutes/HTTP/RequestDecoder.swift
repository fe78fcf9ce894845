import NIOCore

/// Turns the bytes the socket read into ``RequestPart``s: heads parsed in place
/// (``RequestHeadParser``), bodies framed by Content-Length or the chunked coding and handed on
/// as slices of the read buffer. Bytes may arrive split anywhere, and one read may hold several
/// requests (pipelining). Once the connection has given its final answer (`discarding`), the
/// bytes that still arrive are dropped unparsed while it closes gracefully.
final class RequestDecoder {
    private enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        /// After the last chunk: trailer fields, then the empty line; `size` counts their bytes.
        case trailers(size: Int)
        /// After a request that ends the connection: what follows is dropped.
        case stopped
    }

    private var state = State.head
    /// The head being read, as far as it arrived (its bytes stay in the buffer until complete).
    private var headProgress = RequestHeadParser.Progress()
    /// Nothing after the request being read is parsed (see `decode`).
    private var stopAfterRequest = false
    private let maxHeaderSize: Int
    /// Set by the connection handler after its final answer: input is dropped unread.
    var discarding = false

    /// The longest chunk-size line (hex digits and extensions) the decoder waits for.
    static let maxChunkLine = 4096

    init(maxHeaderSize: Int) {
        self.maxHeaderSize = maxHeaderSize
    }

    /// One step: at most one part out per call (`.continue` asks for the next).
    func decode(buffer: inout ByteBuffer, emit: (RequestPart) -> Void) throws(RequestParseError) -> DecodingState {
        if discarding {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        switch state {
        case .head:
            // Empty lines before a request are skipped (RFC 9112 section 2.2; llhttp does too).
            while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), byte == HTTPBytes.cr || byte == HTTPBytes.lf {
                buffer.moveReaderIndex(forwardBy: 1)
            }
            guard buffer.readableBytes > 0 else { return .needMoreData }
            let maxHeaderSize = self.maxHeaderSize
            let parsed = try buffer.withUnsafeReadableBytes { bytes throws(RequestParseError) in
                try RequestHeadParser.parse(bytes, maxHeaderSize: maxHeaderSize, progress: &headProgress)
            }
            guard let parsed else { return .needMoreData }
            let head = RequestHead(bytes: buffer.readSlice(length: parsed.length)!, method: parsed.method, target: parsed.target,
                                   version: parsed.version, fields: parsed.fields, facts: parsed.facts)
            emit(.head(head))
            // After CONNECT or an upgrade request the rest of the stream is another protocol,
            // which the host does not speak; after a request without keep-alive nothing more is
            // answered. Either way the connection answers this request, then closes.
            stopAfterRequest = head.method == "CONNECT" || parsed.facts.upgrade || !parsed.facts.keepAlive
            if head.method == "CONNECT" {
                endRequest(emit: emit)
            } else if parsed.facts.chunked {
                state = .chunkSize
            } else if let length = parsed.facts.contentLength, length > 0 {
                state = .fixedBody(remaining: length)
            } else {
                endRequest(emit: emit)
            }
            return .continue
        case .fixedBody(let remaining):
            guard buffer.readableBytes > 0 else { return .needMoreData }
            let count = min(remaining, buffer.readableBytes)
            emit(.body(buffer.readSlice(length: count)!))
            if count == remaining {
                endRequest(emit: emit)
            } else {
                state = .fixedBody(remaining: remaining - count)
            }
            return .continue
        case .chunkSize:
            let size = try buffer.withUnsafeReadableBytes { bytes throws(RequestParseError) in try Self.chunkSize(bytes) }
            guard let (length, lineLength) = size else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: lineLength)
            state = length == 0 ? .trailers(size: 0) : .chunkData(remaining: length)
            return .continue
        case .chunkData(let remaining):
            guard buffer.readableBytes > 0 else { return .needMoreData }
            let count = min(remaining, buffer.readableBytes)
            emit(.body(buffer.readSlice(length: count)!))
            state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
            return .continue
        case .chunkDataEnd:
            guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .needMoreData }
            guard first == HTTPBytes.cr else { throw .malformed("chunk data not followed by CRLF") }
            guard let second = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) else { return .needMoreData }
            guard second == HTTPBytes.lf else { throw .malformed("chunk data not followed by CRLF") }
            buffer.moveReaderIndex(forwardBy: 2)
            state = .chunkSize
            return .continue
        case .trailers(let size):
            let maxHeaderSize = self.maxHeaderSize
            let line = try buffer.withUnsafeReadableBytes { bytes throws(RequestParseError) in
                try Self.trailerLine(bytes, room: maxHeaderSize - size)
            }
            guard let (lineLength, last) = line else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: lineLength)
            if last {
                endRequest(emit: emit)
            } else {
                state = .trailers(size: size + lineLength)
            }
            return .continue
        case .stopped:
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
    }

    private func endRequest(emit: (RequestPart) -> Void) {
        state = stopAfterRequest ? .stopped : .head
        emit(.end)
    }

    /// `chunk-size [ chunk-ext ] CRLF` (RFC 9112 section 7.1): the size and the line's length.
    static func chunkSize(_ bytes: UnsafeRawBufferPointer) throws(RequestParseError) -> (Int, Int)? {
        guard let lf = RequestHeadParser.lineFeed(in: bytes, from: 0) else {
            if bytes.count > maxChunkLine { throw .malformed("chunk-size line too long") }
            for byte in bytes where byte != HTTPBytes.cr && !HTTPBytes.isFieldValue(byte) { throw .malformed("invalid chunk-size line") }
            return nil
        }
        guard lf > 0, bytes[lf - 1] == HTTPBytes.cr else { throw .malformed("bare LF ending a chunk-size line") }
        let cr = lf - 1
        var size = 0
        var i = 0
        while i < cr, let digit = HTTPBytes.hexValue(bytes[i]) {
            guard size <= (Int.max - digit) >> 4 else { throw .malformed("chunk size overflow") }
            size = size << 4 | digit
            i += 1
        }
        guard i > 0 else { throw .malformed("invalid chunk size") }
        try chunkExtensions(bytes, from: i, to: cr)
        return (size, lf + 1)
    }

    /// `*( ";" ext-name [ "=" ext-value ] )`, the name a token, the value a token or
    /// quoted-string (either possibly empty, as llhttp takes them); no whitespace outside quotes
    /// anywhere (RFC 9112 section 7.1.1 allows BWS, llhttp refuses it, and so do we).
    private static func chunkExtensions(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) throws(RequestParseError) {
        var i = start
        func token() -> Bool {
            let from = i
            while i < end, HTTPBytes.isToken(bytes[i]) { i += 1 }
            return i > from
        }
        while i < end {
            guard bytes[i] == UInt8(ascii: ";") else { throw .malformed("invalid chunk extension") }
            i += 1
            // llhttp takes an empty name before a value or another extension (`;=value`, `;;a`),
            // never a `;` that ends the line.
            guard i < end, HTTPBytes.isToken(bytes[i]) || bytes[i] == UInt8(ascii: "=") || bytes[i] == UInt8(ascii: ";") else {
                throw .malformed("invalid chunk extension")
            }
            _ = token()
            guard i < end, bytes[i] == UInt8(ascii: "=") else { continue }
            i += 1
            // The value: a token, a quoted-string, or (as llhttp reads it) a token then a
            // quoted-string; maybe empty. Then the next extension or the line's end.
            _ = token()
            if i < end, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                while i < end, bytes[i] != UInt8(ascii: "\"") {
                    guard HTTPBytes.isFieldValue(bytes[i]) || bytes[i] == 0x7F else { throw .malformed("invalid chunk extension") }
                    if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
                guard i < end else { throw .malformed("invalid chunk extension") }
                i += 1
            }
            guard i == end || bytes[i] == UInt8(ascii: ";") else { throw .malformed("invalid chunk extension") }
        }
    }

    /// One trailer field line, checked as a head's field is; `last` for the empty line.
    private static func trailerLine(_ bytes: UnsafeRawBufferPointer, room: Int) throws(RequestParseError) -> (Int, last: Bool)? {
        guard let first = bytes.first else { return nil }
        if first == HTTPBytes.cr {
            guard bytes.count > 1 else { return nil }
            guard bytes[1] == HTTPBytes.lf else { throw .malformed("bare CR ending the trailers") }
            return (2, true)
        }
        if first == HTTPBytes.lf { throw .malformed("bare LF ending the trailers") }
        if first == HTTPBytes.space || first == HTTPBytes.tab { throw .malformed("obs-fold in a trailer") }
        guard let lf = RequestHeadParser.lineFeed(in: bytes, from: 0) else {
            if bytes.count > room { throw .headTooLarge }
            return nil
        }
        if lf >= room { throw .headTooLarge }
        guard bytes[lf - 1] == HTTPBytes.cr else { throw .malformed("bare LF ending a trailer") }
        let field = try RequestHeadParser.fieldLine(bytes, from: 0, to: lf - 1)
        // RFC 9110 section 6.5.1: framing and connection fields have no place in trailers.
        // llhttp refuses the framing ones and acts on Connection; we refuse it too.
        let name = UnsafeRawBufferPointer(rebasing: bytes[0..<Int(field.nameEnd)])
        if HTTPBytes.equalsIgnoringCase(name, "transfer-encoding") || HTTPBytes.equalsIgnoringCase(name, "content-length")
            || HTTPBytes.equalsIgnoringCase(name, "connection") {
            throw .malformed("framing or connection field in the trailers")
        }
        return (lf + 1, false)
    }

    /// The input ended: what is left is decoded, and a request cut off inside is an error.
    func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool, emit: (RequestPart) -> Void) throws(RequestParseError) -> DecodingState {
        while try decode(buffer: &buffer, emit: emit) == .continue {}
        guard seenEOF, !discarding else { return .needMoreData }
        switch state {
        case .head where buffer.readableBytes == 0, .stopped:
            return .needMoreData
        default:
            throw .malformed("the input ended inside a request")
        }
    }
}
