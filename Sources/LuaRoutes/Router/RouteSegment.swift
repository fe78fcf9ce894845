/// One level of a route, parsed from one file name (extension removed) or folder name.
/// The vocabulary follows Next.js: `users` is a literal, `[id]` a param, `[...path]` a
/// catch-all (one or more segments), `[[...slug]]` an optional catch-all (zero or more).
public enum RouteSegment: Hashable, Sendable {
    case literal(String)
    case param(String)
    case catchAll(String)
    case optionalCatchAll(String)

    /// Parses `name`; `file` (relative to ROOT) is only for the error message.
    ///
    /// Any name holding `[` or `]` must be exactly one of the three dynamic forms, with a name
    /// that is not empty, holds no bracket and does not start with `.` (as Next.js rules), so
    /// `[]`, `[..x]`, `[a`, `[[id]]` and `a[id]` are start-up errors rather than silent literals.
    static func parse(_ name: some StringProtocol, file: String) throws(RouteTableError) -> RouteSegment {
        let name = String(name)
        guard name.contains("[") || name.contains("]") else { return .literal(name) }
        if name.hasPrefix("[[..."), name.hasSuffix("]]"), let inner = validName(name.dropFirst(5).dropLast(2)) {
            return .optionalCatchAll(inner)
        }
        if name.hasPrefix("[..."), name.hasSuffix("]"), let inner = validName(name.dropFirst(4).dropLast(1)) {
            return .catchAll(inner)
        }
        if name.hasPrefix("["), name.hasSuffix("]"), let inner = validName(name.dropFirst(1).dropLast(1)) {
            return .param(inner)
        }
        throw RouteTableError(
            .invalidSegmentName, "invalid dynamic segment name '\(name)'", files: [file],
            fix: "write [name], [...name] or [[...name]], with a name that does not start with '.'")
    }

    private static func validName(_ inner: Substring) -> String? {
        guard !inner.isEmpty, !inner.hasPrefix("."), !inner.contains("["), !inner.contains("]") else { return nil }
        return String(inner)
    }

    /// The segment as written in a pattern: `users`, `[id]`, `[...path]`, `[[...slug]]`.
    public var text: String {
        switch self {
        case .literal(let s): s
        case .param(let n): "[\(n)]"
        case .catchAll(let n): "[...\(n)]"
        case .optionalCatchAll(let n): "[[...\(n)]]"
        }
    }

    /// The parameter name, or nil for a literal.
    public var paramName: String? {
        switch self {
        case .literal: nil
        case .param(let n), .catchAll(let n), .optionalCatchAll(let n): n
        }
    }
}
