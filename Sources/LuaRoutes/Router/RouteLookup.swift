/// What a request path resolves to.
public enum RouteLookup: Sendable {
    case matched(RouteMatch)
    case notFound
    /// Invalid percent-encoding in the path (`%zz`, `%4`, or bytes that are not UTF-8).
    case badRequest
}
