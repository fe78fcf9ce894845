import LuaRoutes

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
