import LuaRoutes

/// The parsed form of one `.hurl` file: its entries in order. Every node keeps its
/// ``SourceLocation``.
struct HurlFile: Sendable {
    var entries: [HurlEntry]
}
