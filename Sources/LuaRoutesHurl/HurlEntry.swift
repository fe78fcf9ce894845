import LuaRoutes

/// A request and the optional response spec that follows it.
struct HurlEntry: Sendable {
    var request: HurlRequest
    var response: HurlResponseSpec?
}
