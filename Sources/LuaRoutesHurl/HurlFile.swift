import LuaRoutes
/// The parsed form of one `.hurl` file. Every node keeps where it was written, so a failure can
/// point at its line (HURL-SUBSET §5). Lines and columns count from 1; columns count characters.
struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int
    var description: String { "\(line):\(column)" }
}

struct HurlFile: Sendable {
    var entries: [HurlEntry]
}

/// A request and the optional response spec that follows it.
struct HurlEntry: Sendable {
    var request: HurlRequest
    var response: HurlResponseSpec?
}

struct HurlRequest: Sendable {
    var method: String
    var url: HurlTemplate
    /// The request line; failures while building the request point here.
    var location: SourceLocation
    var urlLocation: SourceLocation
    var headers: [HurlKeyValue] = []
    var query: [HurlKeyValue] = []
    var form: [HurlKeyValue] = []
    var cookies: [HurlKeyValue] = []
    var options = HurlOptions()
    var body: HurlBody?
}

/// `name: value` in headers and sections; both sides may hold `{{templates}}`.
struct HurlKeyValue: Sendable {
    var name: HurlTemplate
    var value: HurlTemplate
    var location: SourceLocation
    /// Where the value starts (a failed implicit header assert points here).
    var valueLocation: SourceLocation
}

/// The `[Options]` keys of the subset: `skip` and `variable` only.
struct HurlOptions: Sendable {
    var skip: HurlPredicateValue?
    var variables: [HurlOptionVariable] = []
}

struct HurlOptionVariable: Sendable {
    var name: String
    var value: HurlPredicateValue
    var location: SourceLocation
}

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

struct HurlCapture: Sendable {
    var name: String
    var query: HurlQuery
    var filters: [HurlFilter]
    var location: SourceLocation
}

struct HurlAssert: Sendable {
    var query: HurlQuery
    var filters: [HurlFilter]
    var predicate: HurlPredicate
    var location: SourceLocation
}

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

enum HurlFilter: Sendable, Equatable {
    case count
}

/// The expected side of a predicate, before templates are resolved.
enum HurlPredicateValue: Sendable {
    case string(HurlTemplate)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case null
    case regex(String)
    /// An unquoted `{{name}}`: the variable's own typed value.
    case variable(HurlVariableReference)
}
