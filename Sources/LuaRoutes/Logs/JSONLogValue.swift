import Foundation

/// A log field a handler gave as a number, boolean or table (`log.info("x", { n = 5 })`): the
/// JSON text the prelude encoded. Text logs print it as is; JSON logs embed the value itself.
struct JSONLogValue: CustomStringConvertible, Sendable {
    let json: String

    var description: String { json }

    /// The value for JSONSerialization; the text itself if it does not parse.
    var parsed: Any {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) ?? json
    }
}
