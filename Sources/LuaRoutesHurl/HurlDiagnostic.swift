import LuaRoutes
/// One located message in Hurl's frame (docs/hurl-subset.md section 5): a heading, `--> file:line:col`, the
/// source line, then either a caret line or `actual:` / `expected:` detail lines.
struct HurlDiagnostic: Sendable, Equatable {
    var heading: String
    var location: SourceLocation
    /// `^^^ message` under the source line, starting at `location.column`.
    var caret: Caret?
    /// Lines shown under the source line, indented (`actual:   string <bob>`).
    var details: [String] = []

    struct Caret: Sendable, Equatable {
        var length: Int
        var message: String
    }

    init(heading: String, location: SourceLocation, caret: Caret? = nil, details: [String] = []) {
        self.heading = heading
        self.location = location
        self.caret = caret
        self.details = details
    }

    init(heading: String, location: SourceLocation, caretLength: Int, message: String) {
        self.init(heading: heading, location: location, caret: Caret(length: max(1, caretLength), message: message))
    }
}
