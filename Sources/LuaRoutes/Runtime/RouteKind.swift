import CLuaGlue

/// The shape of what a route file returned (docs/reference.md section 3).
enum RouteKind: Equatable {
    case function           // return function(req, res) ... end
    case handler            // return { handler = ..., config = ... }
    case methods            // return { GET = ..., POST = ..., config = ... }
    case invalid(String)    // anything else, with the reason
}
