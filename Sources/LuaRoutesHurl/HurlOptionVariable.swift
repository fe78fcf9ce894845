import LuaRoutes

struct HurlOptionVariable: Sendable {
    var name: String
    var value: HurlPredicateValue
    var location: SourceLocation
}
