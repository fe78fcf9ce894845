import LuaRoutes

/// Where JSON text stopped making sense; `offset` counts UTF-8 bytes from the start.
struct JSONSyntaxError: Error, Equatable {
    var message: String
    var offset: Int
}
