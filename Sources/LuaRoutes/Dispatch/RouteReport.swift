import Logging
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// What `luaroutes routes` prints for one route.
public struct RouteReport: Sendable {
    public let route: Route
    /// The exported method functions; empty when one function serves every method.
    public let methods: [String]
    public let error: String?
    /// The `_middleware.lua` files that run around it, outermost first.
    public var middleware: [String] = []
}
