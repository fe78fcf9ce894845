import LuaRoutes

/// Why a file could not be parsed; `diagnostic` is what gets printed.
struct HurlParseError: Error, Sendable, Equatable {
    var diagnostic: HurlDiagnostic

    static func syntax(_ message: String, at location: SourceLocation, length: Int = 1) -> HurlParseError {
        HurlParseError(diagnostic: HurlDiagnostic(
            heading: "Parse error", location: location, caretLength: length, message: message))
    }

    /// A valid Hurl construct outside the v1 subset (docs/hurl-subset.md section 6).
    static func unsupported(_ construct: String, at location: SourceLocation, length: Int) -> HurlParseError {
        HurlParseError(diagnostic: HurlDiagnostic(
            heading: "Unsupported in luaroutes test", location: location, caretLength: length,
            message: "\(construct) is not in the luaroutes Hurl subset (see the docs); file not run"))
    }
}
