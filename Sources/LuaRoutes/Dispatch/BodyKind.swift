/// How `req.body` is made from the bytes, by Content-Type (docs/reference.md section 4).
enum BodyKind: Equatable {
    case none          // no bytes: req.body is nil
    case json          // application/json, application/*+json
    case form          // application/x-www-form-urlencoded
    case text          // text/*
    case multipart     // multipart/form-data: req.body (fields) and req.files (docs/uploads.md)
    case raw           // anything else, and a malformed or absent Content-Type

    init(contentType: String?, bodyLength: Int) {
        guard var contentType else { self.init(contentType: nil as UnsafeRawBufferPointer?, bodyLength: bodyLength); return }
        self = contentType.withUTF8 { BodyKind(contentType: UnsafeRawBufferPointer($0), bodyLength: bodyLength) }
    }

    /// From the Content-Type value's bytes: no String, since it runs for every request with a body.
    init(contentType: UnsafeRawBufferPointer?, bodyLength: Int) {
        guard bodyLength > 0 else { self = .none; return }
        guard let contentType, let media = BodyKind.mediaTypeRange(contentType) else { self = .raw; return }
        let type = UnsafeRawBufferPointer(rebasing: contentType[media.type])
        let subtype = UnsafeRawBufferPointer(rebasing: contentType[media.subtype])
        if HTTPBytes.equalsIgnoringCase(type, "application") {
            if HTTPBytes.equalsIgnoringCase(subtype, "json") || BodyKind.endsWithJSONSuffix(subtype) {
                self = .json
            } else if HTTPBytes.equalsIgnoringCase(subtype, "x-www-form-urlencoded") {
                self = .form
            } else {
                self = .raw
            }
        } else if HTTPBytes.equalsIgnoringCase(type, "multipart") && HTTPBytes.equalsIgnoringCase(subtype, "form-data") {
            self = .multipart
        } else if HTTPBytes.equalsIgnoringCase(type, "text") {
            self = .text
        } else {
            self = .raw
        }
    }

    /// `application/*+json`: a subtype ending in "+json".
    private static func endsWithJSONSuffix(_ subtype: UnsafeRawBufferPointer) -> Bool {
        subtype.count >= 5 && HTTPBytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: subtype[(subtype.count - 5)...]), "+json")
    }

    /// "type/subtype" lower-cased, or nil when the header is not a valid media type
    /// (a malformed Content-Type counts as absent, never as an error).
    static func mediaType(_ header: String) -> String? {
        var header = header
        return header.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            guard let media = mediaTypeRange(bytes) else { return nil }
            return String(decoding: bytes[media.type.lowerBound..<media.subtype.upperBound].map(HTTPBytes.lowercased), as: UTF8.self)
        }
    }

    /// Where type and subtype are in a Content-Type value, or nil when it is not a valid media
    /// type. Parameters must be well formed too (`; name=token` or `; name="quoted"`, as the
    /// `content-type` package Next.js uses requires): `application/json; charset` is malformed.
    private static func mediaTypeRange(_ bytes: UnsafeRawBufferPointer) -> (type: Range<Int>, subtype: Range<Int>)? {
        var i = 0
        skipSpaces(bytes, &i)
        let typeStart = i
        while i < bytes.count, isToken(bytes[i]) { i += 1 }
        guard i > typeStart, i < bytes.count, bytes[i] == UInt8(ascii: "/") else { return nil }
        let typeEnd = i
        i += 1
        let subtypeStart = i
        while i < bytes.count, isToken(bytes[i]) { i += 1 }
        guard i > subtypeStart else { return nil }
        let media = (type: typeStart..<typeEnd, subtype: subtypeStart..<i)
        skipSpaces(bytes, &i)
        if i == bytes.count { return media }
        guard bytes[i] == UInt8(ascii: ";"), parametersAreValid(bytes, from: i + 1) else { return nil }
        return media
    }

    /// `param *( ";" param )` from `start`, each `token = (token / quoted-string)`, spaces
    /// allowed around the parts; no empty parameter, no trailing `;`.
    private static func parametersAreValid(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var i = start
        while true {
            skipSpaces(bytes, &i)
            let nameStart = i
            while i < bytes.count, isToken(bytes[i]) { i += 1 }
            guard i > nameStart else { return false }
            skipSpaces(bytes, &i)
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return false }
            i += 1
            skipSpaces(bytes, &i)
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < bytes.count {
                    let c = bytes[i]
                    i += 1
                    if c == UInt8(ascii: "\\") { guard i < bytes.count else { return false }; i += 1; continue }
                    if c == UInt8(ascii: "\"") { closed = true; break }
                }
                guard closed else { return false }
            } else {
                let valueStart = i
                while i < bytes.count, isToken(bytes[i]) { i += 1 }
                guard i > valueStart else { return false }
            }
            skipSpaces(bytes, &i)
            if i == bytes.count { return true }
            guard bytes[i] == UInt8(ascii: ";") else { return false }
            i += 1
        }
    }

    private static func skipSpaces(_ bytes: UnsafeRawBufferPointer, _ i: inout Int) {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    }

    /// RFC 9110 tchar: visible ASCII but the separators.
    private static func isToken(_ c: UInt8) -> Bool {
        guard c > 32, c < 127 else { return false }
        switch c {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\\"), UInt8(ascii: "\""),
             UInt8(ascii: "/"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "?"), UInt8(ascii: "="),
             UInt8(ascii: "{"), UInt8(ascii: "}"):
            return false
        default:
            return true
        }
    }
}
