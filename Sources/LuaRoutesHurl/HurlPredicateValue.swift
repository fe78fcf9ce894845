import LuaRoutes

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
