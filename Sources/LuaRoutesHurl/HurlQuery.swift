import LuaRoutes

struct HurlQuery: Sendable {
    enum Kind: Sendable {
        case status
        case header(HurlTemplate)
        case cookie(HurlTemplate)
        case body
        case bytes
        case jsonpath(HurlTemplate)
        case variable(String)
        case duration
    }
    var kind: Kind
    var location: SourceLocation
    /// Characters from the query word to the end of its argument (for carets).
    var length: Int
}
