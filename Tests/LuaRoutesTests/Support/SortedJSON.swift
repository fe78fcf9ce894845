@testable import LuaRoutes

extension APIResponse {
    /// The JSON body with its keys sorted (Lua tables keep no order), compact; or the status
    /// and text when the body is not JSON, so a failed expectation shows what came back.
    var sortedJSON: String { JSONPretty.format(body, indent: 0) ?? "status \(status): \(text)" }
}

/// `bytes` as compact JSON with sorted keys, nil when they are not JSON.
func sortedJSON(_ bytes: [UInt8]) -> String? {
    JSONPretty.format(bytes, indent: 0)
}
