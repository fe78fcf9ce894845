/// `[id]` gives `.single`; `[...path]` and `[[...slug]]` give `.multiple` (a Lua array).
public enum RouteParam: Sendable, Equatable {
    case single(String)
    case multiple([String])
}
