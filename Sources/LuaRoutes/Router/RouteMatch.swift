/// A matched route and its dynamic parameters.
public struct RouteMatch: Sendable {
    /// Index into ``RouteTable/routes``.
    public let routeIndex: Int
    /// In path order. An optional catch-all that matched nothing is absent (Lua sees nil).
    public let params: [(name: String, value: RouteParam)]

    /// The value of one parameter, by name.
    public func param(_ name: String) -> RouteParam? {
        params.first { $0.name == name }?.value
    }
}
