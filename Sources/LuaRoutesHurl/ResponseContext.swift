import Foundation
import LuaRoutes

/// The response side of an entry, in Hurl's order: status, implicit headers, captures,
/// `[Asserts]`, then the body. Every failing check of the entry is reported; a failed capture
/// stops the entry, since later checks may need its value.
struct ResponseContext {
    let response: APIResponse
    let durationMS: Int64
    /// The body parsed as JSON, once, on the first `jsonpath`.
    var json: Result<JSONValue, JSONSyntaxError>?
}
