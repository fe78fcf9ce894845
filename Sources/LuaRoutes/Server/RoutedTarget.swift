import Logging
import NIOCore

/// A request target as its responder routed it.
public struct RoutedTarget {
    /// The largest request body the target accepts.
    public let bodyLimit: Int
    /// The ``Dispatcher``'s lookup, reused by `respond`; nil for other responders.
    let routing: Dispatcher.Routing?
    /// The CORS policy of the route (or of the project, for no route): the host's own answers
    /// before dispatch (413) carry its headers too.
    var cors: CORSPolicy? = nil
}
