/// Why the request parser refused the input. Every case but `headTooLarge` answers 400; the
/// connection closes after the answer, since the parser can no longer tell where the next
/// request starts (docs/http.md, "The request parser").
struct RequestParseError: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable {
        /// The head is longer than `settings.maxHeaderSize`: 431.
        case headTooLarge
        /// `GET /x` and a line end without `HTTP/1.x` (HTTP/0.9 style).
        case missingVersion
        /// Anything else that is not HTTP/1.1 as RFC 9112 writes it.
        case malformed
    }

    let kind: Kind
    /// What was wrong, for logs and tests.
    let reason: String

    static let headTooLarge = RequestParseError(kind: .headTooLarge, reason: "head too large")
    static let missingVersion = RequestParseError(kind: .missingVersion, reason: "request line without a version")

    static func malformed(_ reason: String) -> RequestParseError { RequestParseError(kind: .malformed, reason: reason) }

    var description: String { reason }
}
