import LuaRoutes

/// A request body or a response body assert.
struct HurlBody: Sendable {
    enum Kind: Sendable {
        /// A JSON literal, kept as text: `{{var}}` inside it is rendered before it is parsed.
        case json(HurlTemplate)
        /// ```` ``` ```` block or `` `one line` ``, after escapes; templates allowed.
        case text(HurlTemplate)
        /// `file,path;` relative to the `.hurl` file; no templates.
        case file(String)
    }
    var kind: Kind
    var location: SourceLocation
}
