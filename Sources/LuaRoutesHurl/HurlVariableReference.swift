import LuaRoutes

/// One `{{name}}` as written: where, and how many characters (for the caret under it).
struct HurlVariableReference: Sendable, Equatable {
    var name: String
    var location: SourceLocation
    var length: Int
}
