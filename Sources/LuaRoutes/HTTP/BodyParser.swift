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
    static func mediaType(_ header: String) -> String? {
        let essence = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces).lowercased()
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isTokenCharacter) }) else { return nil }
        return essence
    }

    private static func isTokenCharacter(_ c: Character) -> Bool {
        guard let ascii = c.asciiValue, ascii > 32, ascii < 127 else { return false }
        return !"()<>@,;:\\\"/[]?={}".contains(c)
    }
}
