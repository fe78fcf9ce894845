import LuaRoutes

struct HurlResponseSpec: Sendable {
    /// `nil` for `HTTP *`.
    var status: Int?
    /// Where the status code is written (`HTTP 200` → column 6).
    var statusLocation: SourceLocation
    var headers: [HurlKeyValue] = []
    var captures: [HurlCapture] = []
    var asserts: [HurlAssert] = []
    var body: HurlBody?
}
