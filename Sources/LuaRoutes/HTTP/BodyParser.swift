import Foundation

/// How `req.body` is made from the bytes, by Content-Type (CONTRACT.md section 4).
enum BodyKind: Equatable {
    case none          // no bytes: req.body is nil
    case json          // application/json, application/*+json
    case form          // application/x-www-form-urlencoded
    case text          // text/*
    case raw           // anything else, and a malformed or absent Content-Type

    init(contentType: String?, bodyLength: Int) {
        guard bodyLength > 0 else { self = .none; return }
        guard let contentType, let media = BodyKind.mediaType(contentType) else { self = .raw; return }
        if media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json")) {
            self = .json
        } else if media == "application/x-www-form-urlencoded" {
            self = .form
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
    static func mediaType(_ header: String) -> String? {
        let halves = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        let essence = halves[0].trimmingCharacters(in: .whitespaces).lowercased()
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isTokenCharacter) }) else { return nil }
        if halves.count == 2, !parametersAreValid(halves[1]) { return nil }
        return essence
    }

    /// The text after the first `;`: `param *( ";" param )`, each `token = (token / quoted-string)`,
    /// spaces allowed around the parts; no empty parameter, no trailing `;`.
    private static func parametersAreValid(_ text: Substring) -> Bool {
        var rest = text[...]
        func skipSpaces() { rest = rest.drop { $0 == " " || $0 == "\t" } }
        func token() -> Bool {
            let name = rest.prefix(while: isTokenCharacter)
            rest = rest.dropFirst(name.count)
            return !name.isEmpty
        }
        while true {
            skipSpaces()
            guard token() else { return false }
            skipSpaces()
            guard rest.first == "=" else { return false }
            rest = rest.dropFirst()
            skipSpaces()
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var closed = false
                while let c = rest.popFirst() {
                    if c == "\\" { guard rest.popFirst() != nil else { return false }; continue }
                    if c == "\"" { closed = true; break }
                }
                guard closed else { return false }
            } else if !token() {
                return false
            }
            skipSpaces()
            if rest.isEmpty { return true }
            guard rest.first == ";" else { return false }
            rest = rest.dropFirst()
        }
    }

    private static func isTokenCharacter(_ c: Character) -> Bool {
        guard let ascii = c.asciiValue, ascii > 32, ascii < 127 else { return false }
        return !"()<>@,;:\\\"/[]?={}".contains(c)
    }
}
