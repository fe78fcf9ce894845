import LuaRoutes

enum HurlFilter: Sendable, Equatable {
    case count
}
