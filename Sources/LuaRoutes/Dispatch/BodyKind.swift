/// How `req.body` is made from the bytes, by Content-Type (docs/reference.md section 4).
enum BodyKind: Equatable {
    case none          // no bytes: req.body is nil
    case json          // application/json, application/*+json
    case form          // application/x-www-form-urlencoded
    case text          // text/*
    case multipart     // multipart/form-data: req.body (fields) and req.files (docs/uploads.md)
    case raw           // anything else, and a malformed or absent Content-Type

    init(contentType: String?, bodyLength: Int) {
        guard bodyLength > 0 else { self = .none; return }
        guard let contentType, let media = BodyKind.mediaType(contentType) else { self = .raw; return }
        if media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json")) {
            self = .json
        } else if media == "application/x-www-form-urlencoded" {
            self = .form
        } else if media == "multipart/form-data" {
            self = .multipart
        } else if media.hasPrefix("text/") {
            self = .text
        } else {
            self = .raw
        }
    }

    /// "type/subtype" lower-cased, or nil when the header is not a valid media type
    /// (a malformed Content-Type counts as absent, never as an error).
    /// Parameters must be well formed too (`; name=token` or `; name="quoted"`, as the
    /// `content-type` package Next.js uses requires): `application/json; charset` is malformed.
    /// Works on the UTF-8 bytes: it runs for every request with a body.
    static func mediaType(_ header: String) -> String? {
        let bytes = Array(header.utf8)
        var i = 0
        skipSpaces(bytes, &i)
        let typeStart = i
        while i < bytes.count, isToken(bytes[i]) { i += 1 }
        guard i > typeStart, i < bytes.count, bytes[i] == UInt8(ascii: "/") else { return nil }
        i += 1
        let subtypeStart = i
        while i < bytes.count, isToken(bytes[i]) { i += 1 }
        guard i > subtypeStart else { return nil }
        let essence = String(decoding: bytes[typeStart..<i].map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self)
        skipSpaces(bytes, &i)
        if i == bytes.count { return essence }
        guard bytes[i] == UInt8(ascii: ";"), parametersAreValid(bytes, from: i + 1) else { return nil }
        return essence
    }

    /// `param *( ";" param )` from `start`, each `token = (token / quoted-string)`, spaces
    /// allowed around the parts; no empty parameter, no trailing `;`.
    private static func parametersAreValid(_ bytes: [UInt8], from start: Int) -> Bool {
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

    private static func skipSpaces(_ bytes: [UInt8], _ i: inout Int) {
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
