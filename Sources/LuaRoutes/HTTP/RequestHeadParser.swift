import NIOHTTP1

/// Parses one request head in place (RFC 9112 sections 3 and 5), over the bytes from the start
/// of its request line: no copies, no Strings but the method and target. At least as strict as
/// llhttp (docs/http.md, "The request parser"): every line ends in CRLF, no obs-fold, no NUL or
/// other controls, no whitespace before a field's colon, one valid Content-Length at most, never
/// beside Transfer-Encoding, and a Transfer-Encoding that ends in `chunked`.
enum RequestHeadParser {
    struct Parsed {
        var method: String
        var target: String
        var version: HTTPVersion
        var fields: [RequestHead.Field]
        var facts: RequestHead.Facts
        /// The head's length in bytes, its final empty line included.
        var length: Int
    }

    /// How far an incomplete head was parsed: the next read resumes there, so a head that
    /// arrives a byte at a time costs one pass over its bytes, not one per read.
    struct Progress {
        var requestLine: (method: String, target: String, version: HTTPVersion)?
        var fields: [RequestHead.Field] = []
        var facts = RequestHead.Facts()
        var sawClose = false
        var sawKeepAlive = false
        /// Where the first line not parsed yet starts.
        var lineStart = 0
        /// Where the search for that line's end resumes.
        var scanFrom = 0
    }

    /// The head at the start of `bytes`, or nil while it is incomplete (`progress` then says how
    /// far it got; pass it back with the same bytes and more). Throws as soon as the complete
    /// lines so far are wrong, so an HTTP/0.9 line is refused without waiting.
    static func parse(_ bytes: UnsafeRawBufferPointer, maxHeaderSize: Int, progress: inout Progress) throws(RequestParseError) -> Parsed? {
        if progress.requestLine == nil {
            guard let lineEnd = lineFeed(in: bytes, from: progress.scanFrom) else {
                progress.scanFrom = bytes.count
                return try incomplete(bytes, maxHeaderSize)
            }
            progress.requestLine = try requestLine(bytes, lineFeed: lineEnd)
            progress.fields.reserveCapacity(12)
            progress.lineStart = lineEnd + 1
            progress.scanFrom = lineEnd + 1
        }
        var lineStart = progress.lineStart
        while true {
            guard lineStart < bytes.count else { return try incomplete(bytes, maxHeaderSize) }
            let first = bytes[lineStart]
            if first == HTTPBytes.cr {
                guard lineStart + 1 < bytes.count else { return try incomplete(bytes, maxHeaderSize) }
                guard bytes[lineStart + 1] == HTTPBytes.lf else { throw .malformed("bare CR ending the head") }
                lineStart += 2
                break
            }
            if first == HTTPBytes.lf { throw .malformed("bare LF ending the head") }
            if first == HTTPBytes.space || first == HTTPBytes.tab { throw .malformed("obs-fold (a field line starting with whitespace)") }
            guard let lf = lineFeed(in: bytes, from: max(lineStart, progress.scanFrom)) else {
                progress.scanFrom = bytes.count
                return try incomplete(bytes, maxHeaderSize)
            }
            if lf >= maxHeaderSize { throw .headTooLarge }
            guard bytes[lf - 1] == HTTPBytes.cr else { throw .malformed("bare LF ending a field line") }
            let field = try fieldLine(bytes, from: lineStart, to: lf - 1)
            progress.fields.append(field)
            try record(field, in: bytes, lineEnd: lf - 1, facts: &progress.facts, sawClose: &progress.sawClose,
                       sawKeepAlive: &progress.sawKeepAlive)
            lineStart = lf + 1
            progress.lineStart = lineStart
        }
        if lineStart > maxHeaderSize { throw .headTooLarge }
        var facts = progress.facts
        if facts.transferCodings > 0 {
            if facts.contentLength != nil { throw .malformed("Content-Length with Transfer-Encoding") }
            if !facts.chunked { throw .malformed("Transfer-Encoding not ending in chunked") }
        }
        let (method, target, version) = progress.requestLine!
        facts.keepAlive = version.minor >= 1 ? !progress.sawClose : progress.sawKeepAlive && !progress.sawClose
        let parsed = Parsed(method: method, target: target, version: version, fields: progress.fields, facts: facts, length: lineStart)
        progress = Progress()
        return parsed
    }

    private static func incomplete(_ bytes: UnsafeRawBufferPointer, _ maxHeaderSize: Int) throws(RequestParseError) -> Parsed? {
        if bytes.count > maxHeaderSize { throw .headTooLarge }
        return nil
    }

    @inline(__always)
    static func lineFeed(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start
        while i < bytes.count {
            if bytes[i] == HTTPBytes.lf { return i }
            i += 1
        }
        return nil
    }

    /// `method SP request-target SP HTTP/1.x CRLF`; as llhttp, several spaces may stand for one
    /// (RFC 9112 section 3 lets a recipient split on whitespace), never other whitespace.
    private static func requestLine(_ bytes: UnsafeRawBufferPointer, lineFeed: Int) throws(RequestParseError)
        -> (String, String, HTTPVersion) {
        var i = 0
        while i < lineFeed, HTTPBytes.isToken(bytes[i]) { i += 1 }
        guard i > 0, i < lineFeed, bytes[i] == HTTPBytes.space else { throw .malformed("invalid method") }
        let methodEnd = i
        while i < lineFeed, bytes[i] == HTTPBytes.space { i += 1 }
        let targetStart = i
        while i < lineFeed, HTTPBytes.isTarget(bytes[i]) { i += 1 }
        guard i > targetStart, i < lineFeed else { throw .malformed("invalid request target") }
        let targetEnd = i
        if bytes[i] == HTTPBytes.cr, i + 1 == lineFeed { throw .missingVersion }
        guard bytes[i] == HTTPBytes.space else { throw .malformed("invalid request target") }
        while i < lineFeed, bytes[i] == HTTPBytes.space { i += 1 }
        if bytes[i] == HTTPBytes.cr, i + 1 == lineFeed { throw .missingVersion }
        guard lineFeed - i == 9, bytes[i] == UInt8(ascii: "H"), bytes[i + 1] == UInt8(ascii: "T"), bytes[i + 2] == UInt8(ascii: "T"),
              bytes[i + 3] == UInt8(ascii: "P"), bytes[i + 4] == UInt8(ascii: "/"), bytes[i + 5] == UInt8(ascii: "1"),
              bytes[i + 6] == UInt8(ascii: "."), bytes[i + 7] == UInt8(ascii: "0") || bytes[i + 7] == UInt8(ascii: "1"),
              bytes[i + 8] == HTTPBytes.cr else {
            throw bytes[lineFeed - 1] == HTTPBytes.cr ? .malformed("invalid version") : .malformed("bare LF ending the request line")
        }
        let version = bytes[i + 7] == UInt8(ascii: "1") ? HTTPVersion.http1_1 : HTTPVersion.http1_0
        let method = methodName(UnsafeRawBufferPointer(rebasing: bytes[0..<methodEnd]))
        guard method == "CONNECT" || isTargetForm(UnsafeRawBufferPointer(rebasing: bytes[targetStart..<targetEnd])) else {
            throw .malformed("invalid request target")
        }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<targetEnd]), as: UTF8.self)
        return (method, target, version)
    }

    /// RFC 9112 section 3.2's forms, checked as far as llhttp does: origin-form (`/...`),
    /// asterisk-form (`*`), or absolute-form `scheme://authority[/?...]` (scheme letters only,
    /// authority without quotes or other delimiters). CONNECT's authority-form is not checked here.
    private static func isTargetForm(_ target: UnsafeRawBufferPointer) -> Bool {
        let first = target[0]
        if first == UInt8(ascii: "/") || first == UInt8(ascii: "*") { return true }
        guard isLetter(first) else { return false }
        var i = 1
        while i < target.count, isLetter(target[i]) { i += 1 }
        guard target.count - i >= 3, target[i] == UInt8(ascii: ":"), target[i + 1] == UInt8(ascii: "/"),
              target[i + 2] == UInt8(ascii: "/") else { return false }
        i += 3
        while i < target.count, isAuthorityByte(target[i]) { i += 1 }
        return i == target.count || target[i] == UInt8(ascii: "/") || target[i] == UInt8(ascii: "?")
    }

    private static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z") }

    /// Unreserved, sub-delims, "%", ":", "@", "[" and "]" (RFC 3986 authority bytes).
    private static func isAuthorityByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"), UInt8(ascii: ":"), UInt8(ascii: "@"),
             UInt8(ascii: "["), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }

    /// The common methods as static literals: no allocation for them.
    private static func methodName(_ bytes: UnsafeRawBufferPointer) -> String {
        switch bytes.count {
        case 3 where bytes[0] == UInt8(ascii: "G") && bytes[1] == UInt8(ascii: "E") && bytes[2] == UInt8(ascii: "T"): return "GET"
        case 3 where bytes[0] == UInt8(ascii: "P") && bytes[1] == UInt8(ascii: "U") && bytes[2] == UInt8(ascii: "T"): return "PUT"
        case 4 where bytes.elementsEqual("POST".utf8): return "POST"
        case 4 where bytes.elementsEqual("HEAD".utf8): return "HEAD"
        case 5 where bytes.elementsEqual("PATCH".utf8): return "PATCH"
        case 6 where bytes.elementsEqual("DELETE".utf8): return "DELETE"
        case 7 where bytes.elementsEqual("OPTIONS".utf8): return "OPTIONS"
        case 7 where bytes.elementsEqual("CONNECT".utf8): return "CONNECT"
        default: return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// `field-name ":" OWS field-value OWS`, between `start` and the line's CR.
    @inline(__always)
    static func fieldLine(_ bytes: UnsafeRawBufferPointer, from start: Int, to cr: Int) throws(RequestParseError) -> RequestHead.Field {
        var i = start
        while i < cr, HTTPBytes.isToken(bytes[i]) { i += 1 }
        guard i < cr, bytes[i] == UInt8(ascii: ":") else {
            throw .malformed(i < cr && (bytes[i] == HTTPBytes.space || bytes[i] == HTTPBytes.tab)
                             ? "whitespace before a field's colon" : "invalid byte in a field name")
        }
        guard i > start else { throw .malformed("empty field name") }
        let nameEnd = i
        i += 1
        while i < cr, bytes[i] == HTTPBytes.space || bytes[i] == HTTPBytes.tab { i += 1 }
        let valueStart = i
        var valueEnd = i
        while i < cr {
            let byte = bytes[i]
            guard HTTPBytes.isFieldValue(byte) else { throw .malformed("invalid byte in a field value") }
            if byte != HTTPBytes.space, byte != HTTPBytes.tab { valueEnd = i + 1 }
            i += 1
        }
        return RequestHead.Field(nameStart: Int32(start), nameEnd: Int32(nameEnd), valueStart: Int32(valueStart), valueEnd: Int32(valueEnd))
    }

    /// What a field means for the connection, by name.
    @inline(__always)
    private static func record(_ field: RequestHead.Field, in bytes: UnsafeRawBufferPointer, lineEnd: Int, facts: inout RequestHead.Facts,
                               sawClose: inout Bool, sawKeepAlive: inout Bool) throws(RequestParseError) {
        let name = UnsafeRawBufferPointer(rebasing: bytes[Int(field.nameStart)..<Int(field.nameEnd)])
        let value = UnsafeRawBufferPointer(rebasing: bytes[Int(field.valueStart)..<Int(field.valueEnd)])
        switch name.count {
        case 4 where HTTPBytes.equalsIgnoringCase(name, "host"):
            facts.hosts += 1
            facts.hostValid = facts.hostValid && RequestHeadRules.isValidHost(value)
        case 6 where HTTPBytes.equalsIgnoringCase(name, "expect"):
            facts.expectContinue = HTTPBytes.equalsIgnoringCase(value, "100-continue")
        case 7 where HTTPBytes.equalsIgnoringCase(name, "upgrade"):
            facts.upgrade = true
        case 12 where facts.contentType == nil && HTTPBytes.equalsIgnoringCase(name, "content-type"):
            facts.contentType = field
        case 10 where HTTPBytes.equalsIgnoringCase(name, "connection"):
            // llhttp does not recognise a token followed by a tab (before a comma or the line's
            // end): `keep-alive<TAB>` does not keep an HTTP/1.0 connection open here either (the
            // tabs the value's trimming dropped are read again). `close<TAB>` still closes:
            // closing is always safe (docs/http.md, "The request parser").
            let raw = UnsafeRawBufferPointer(rebasing: bytes[Int(field.valueStart)..<lineEnd])
            forEachListItem(raw, trimmingTrailingTabs: false) { item in
                var end = item.count
                while end > 0, item[end - 1] == HTTPBytes.tab || item[end - 1] == HTTPBytes.space { end -= 1 }
                if HTTPBytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: item[0..<end]), "close") { sawClose = true }
                if HTTPBytes.equalsIgnoringCase(item, "keep-alive") { sawKeepAlive = true }
            }
        case 14 where HTTPBytes.equalsIgnoringCase(name, "content-length"):
            guard facts.contentLength == nil else { throw .malformed("duplicate Content-Length") }
            // As llhttp: spaces may follow the number, a tab may not (nor after Transfer-Encoding).
            if bytes[Int(field.valueEnd)..<lineEnd].contains(HTTPBytes.tab) { throw .malformed("invalid Content-Length") }
            facts.contentLength = try contentLength(value)
        case 17 where HTTPBytes.equalsIgnoringCase(name, "transfer-encoding"):
            // As llhttp: a coding followed by a tab is not recognised, so it is no `chunked`
            // (and the request is refused below unless a later coding is).
            let raw = UnsafeRawBufferPointer(rebasing: bytes[Int(field.valueStart)..<lineEnd])
            var codingAfterChunked = false
            forEachListItem(raw, trimmingTrailingTabs: false) { coding in
                let chunked = HTTPBytes.equalsIgnoringCase(coding, "chunked")
                codingAfterChunked = codingAfterChunked || facts.chunked
                facts.transferCodings += 1
                facts.onlyChunked = facts.onlyChunked && chunked
                facts.chunked = chunked
            }
            // RFC 9112 section 6.1: chunked is applied once, last; anything after it is an
            // attempt to frame the body two ways.
            if codingAfterChunked { throw .malformed("a transfer coding after chunked") }
            if value.isEmpty { throw .malformed("empty Transfer-Encoding") }
        default:
            break
        }
    }

    /// 1*DIGIT, without sign, space or overflow.
    private static func contentLength(_ value: UnsafeRawBufferPointer) throws(RequestParseError) -> Int {
        guard !value.isEmpty else { throw .malformed("empty Content-Length") }
        var length = 0
        for byte in value {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .malformed("invalid Content-Length") }
            let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw .malformed("Content-Length overflow") }
            length = sum
        }
        return length
    }

    /// The items of a comma-separated list, each without surrounding whitespace (empty ones too).
    @inline(__always)
    private static func forEachListItem(_ value: UnsafeRawBufferPointer, trimmingTrailingTabs: Bool = true,
                                        _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            var from = start
            var to = end
            while from < to, value[from] == HTTPBytes.space || value[from] == HTTPBytes.tab { from += 1 }
            while to > from, value[to - 1] == HTTPBytes.space || (trimmingTrailingTabs && value[to - 1] == HTTPBytes.tab) { to -= 1 }
            body(UnsafeRawBufferPointer(rebasing: value[from..<to]))
            start = end + 1
        }
    }
}
