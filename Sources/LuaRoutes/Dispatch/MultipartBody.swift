#if canImport(Glibc)
import Glibc
#endif

/// A `multipart/form-data` body (RFC 7578, framing per RFC 2046 section 5.1), split into its
/// parts as ranges of the body's bytes: nothing is copied until the parts become Lua strings
/// (docs/uploads.md).
struct MultipartBody {
    struct Part {
        let name: String
        /// Present (maybe empty) for a file part; nil for a plain field.
        let filename: String?
        let contentType: String?
        let data: Range<Int>
    }

    enum Failure: Error, Equatable {
        /// Not multipart as RFC 2046 frames it: 400 with this text.
        case malformed(String)
        /// The last boundary never came: 400.
        case truncated
        /// A part or the number of parts is over its limit: 413 with this text.
        case tooLarge(String)
    }

    struct Limits {
        var fieldSize: Int
        var fileSize: Int
        var parts: Int
    }

    let parts: [Part]

    /// The boundary parameter of a `multipart/form-data` Content-Type, or nil.
    static func boundary(contentType: String) -> [UInt8]? {
        guard BodyKind.mediaType(contentType) == "multipart/form-data" else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingSpaces
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            let bytes = Array(value.utf8)
            return (1...70).contains(bytes.count) ? bytes : nil   // RFC 2046: 1 to 70 characters
        }
        return nil
    }

    init(_ body: [UInt8], boundary: [UInt8], limits: Limits) throws(Failure) {
        let dashBoundary = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        let delimiter = [13, 10] + dashBoundary   // CRLF "--" boundary: what ends a part's content
        var parts: [Part] = []
        // The first boundary opens the body, or follows a preamble and its CRLF.
        var at: Int
        if body.starts(with: dashBoundary) {
            at = dashBoundary.count
        } else if let found = Self.find(delimiter, in: body, from: 0) {
            at = found + delimiter.count
        } else {
            throw .malformed("multipart body without its boundary")
        }
        while true {
            // After a boundary: "--" closes the body; otherwise padding, CRLF, then a part.
            if at + 2 <= body.count, body[at] == UInt8(ascii: "-"), body[at + 1] == UInt8(ascii: "-") { break }
            while at < body.count, body[at] == 0x20 || body[at] == 0x09 { at += 1 }
            guard at + 2 <= body.count else { throw .truncated }
            guard body[at] == 13, body[at + 1] == 10 else { throw .malformed("multipart boundary not followed by CRLF") }
            at += 2
            guard parts.count < limits.parts else { throw .tooLarge("multipart body has more than \(limits.parts) parts") }
            guard let headersEnd = Self.find([13, 10, 13, 10], in: body, from: at - 2) else { throw .truncated }
            let head = try Self.headers(body[at..<max(at, headersEnd)])
            let start = headersEnd + 4
            guard start <= body.count, let end = Self.find(delimiter, in: body, from: start) else { throw .truncated }
            let size = end - start
            if head.filename != nil, size > limits.fileSize {
                throw .tooLarge("file '\(head.name)' exceeded \(ByteSize.format(limits.fileSize)) limit")
            }
            if head.filename == nil, size > limits.fieldSize {
                throw .tooLarge("field '\(head.name)' exceeded \(ByteSize.format(limits.fieldSize)) limit")
            }
            parts.append(Part(name: head.name, filename: head.filename, contentType: head.contentType, data: start..<end))
            at = end + delimiter.count
        }
        self.parts = parts
    }

    /// A part's header lines: its Content-Disposition (form-data, name, optional filename) and
    /// Content-Type. Other headers are allowed and ignored.
    private static func headers(_ bytes: ArraySlice<UInt8>) throws(Failure) -> (name: String, filename: String?, contentType: String?) {
        var name: String?, filename: String?, contentType: String?
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            var lineEnd = lineStart
            while lineEnd + 1 < bytes.endIndex, !(bytes[lineEnd] == 13 && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
            if lineEnd + 1 >= bytes.endIndex { lineEnd = bytes.endIndex }
            let line = bytes[lineStart..<lineEnd]
            lineStart = lineEnd + 2
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed("multipart part header without a colon") }
            let field = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            switch field {
            case "content-disposition":
                let (kind, parameters) = dispositionParameters(value)
                guard kind.lowercased() == "form-data" else { throw .malformed("multipart part is not form-data") }
                name = parameters["name"]
                filename = parameters["filename"]
            case "content-type":
                contentType = value
            default:
                continue
            }
        }
        guard let name else { throw .malformed("multipart part without a name") }
        return (name, filename, contentType)
    }

    /// `form-data; name="a"; filename="b.txt"`: the disposition type and its parameters
    /// (names lower-cased; quoted values unquoted, backslash escapes resolved).
    static func dispositionParameters(_ value: String) -> (String, [String: String]) {
        let bytes = Array(value.utf8)
        var i = 0
        func skipSpaces() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        func token(until stops: Set<UInt8>) -> String {
            let start = i
            while i < bytes.count, !stops.contains(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self).trimmingSpaces
        }
        let kind = token(until: [UInt8(ascii: ";")])
        var parameters: [String: String] = [:]
        while i < bytes.count {
            i += 1   // the ';'
            skipSpaces()
            let key = token(until: [UInt8(ascii: "="), UInt8(ascii: ";")]).lowercased()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { continue }
            i += 1
            skipSpaces()
            var text: [UInt8] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                    text.append(bytes[i])
                    i += 1
                }
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: ";") { i += 1 }
            } else {
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: ";") { i += 1 }
                text = Array(String(decoding: bytes[start..<i], as: UTF8.self).trimmingSpaces.utf8)
            }
            if !key.isEmpty, parameters[key] == nil { parameters[key] = String(decoding: text, as: UTF8.self) }
        }
        return (kind, parameters)
    }

    /// The first index at or after `from` where `needle` starts, or nil: memchr to the next
    /// candidate first byte, memcmp to confirm (glibc's memmem is a GNU extension Swift does not see).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        let from = max(0, from)
        guard !needle.isEmpty, haystack.count - from >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let base = hay.baseAddress!
                let last = hay.count - pin.count
                var i = from
                while i <= last {
                    guard let hit = memchr(base + i, Int32(pin[0]), last - i + 1) else { return nil }
                    i = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                    if memcmp(base + i, pin.baseAddress!, pin.count) == 0 { return i }
                    i += 1
                }
                return nil
            }
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
