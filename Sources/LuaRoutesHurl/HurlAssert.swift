import LuaRoutes

struct HurlAssert: Sendable {
    var query: HurlQuery
    var filters: [HurlFilter]
    var predicate: HurlPredicate
    var location: SourceLocation
}
