import LuaRoutes

/// `name: value` in headers and sections; both sides may hold `{{templates}}`.
struct HurlKeyValue: Sendable {
    var name: HurlTemplate
    var value: HurlTemplate
    var location: SourceLocation
    /// Where the value starts (a failed implicit header assert points here).
    var valueLocation: SourceLocation
}
