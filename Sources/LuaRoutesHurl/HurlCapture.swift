import LuaRoutes

struct HurlCapture: Sendable {
    var name: String
    var query: HurlQuery
    var filters: [HurlFilter]
    var location: SourceLocation
}
