import Logging
import NIOCore

/// A request target as its responder routed it.
public struct RoutedTarget {
    /// The largest request body the target accepts.
    public let bodyLimit: Int
    /// The ``Dispatcher``'s lookup, reused by `respond`; nil for other responders.
    let routing: Dispatcher.Routing?
}
