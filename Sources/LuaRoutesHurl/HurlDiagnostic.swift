import LuaRoutes
/// One located message in Hurl's frame (HURL-SUBSET §5): a heading, `--> file:line:col`, the
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

/// Why a file could not be parsed; `diagnostic` is what gets printed.
struct HurlParseError: Error, Sendable, Equatable {
    var diagnostic: HurlDiagnostic

    static func syntax(_ message: String, at location: SourceLocation, length: Int = 1) -> HurlParseError {
        HurlParseError(diagnostic: HurlDiagnostic(
            heading: "Parse error", location: location, caretLength: length, message: message))
    }

    /// A valid Hurl construct outside the v1 subset (HURL-SUBSET §6).
    static func unsupported(_ construct: String, at location: SourceLocation, length: Int) -> HurlParseError {
        HurlParseError(diagnostic: HurlDiagnostic(
            heading: "Unsupported in luaroutes test", location: location, caretLength: length,
            message: "\(construct) is not in the luaroutes Hurl subset (see the docs); file not run"))
    }
}

/// Why an entry failed while running; the runner collects these and stops the file.
struct HurlRunFailure: Error, Sendable, Equatable {
    var diagnostic: HurlDiagnostic

    static func undefinedVariable(_ ref: HurlVariableReference) -> HurlRunFailure {
        HurlRunFailure(diagnostic: HurlDiagnostic(
            heading: "Undefined variable", location: ref.location, caretLength: ref.length,
            message: "you must set the variable \(ref.name)"))
    }

    static func located(_ heading: String, at location: SourceLocation, length: Int, _ message: String) -> HurlRunFailure {
        HurlRunFailure(diagnostic: HurlDiagnostic(heading: heading, location: location, caretLength: length, message: message))
    }
}
