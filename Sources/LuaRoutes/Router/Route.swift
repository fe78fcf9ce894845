/// One route file and the pattern it serves.
public struct Route: Sendable, Equatable {
    /// What it serves, as printed by `luaroutes routes`: "/api/users/[id]".
    public let pattern: String
    /// The file, relative to ROOT: "pages/api/users/[id].lua".
    public let file: String
    /// The levels below `/api` (the `/api` prefix is implied): `[.literal("users"), .param("id")]`.
    public let segments: [RouteSegment]

    /// The pattern is derived from `segments`, so the two can never disagree.
    public init(file: String, segments: [RouteSegment]) {
        self.file = file
        self.segments = segments
        self.pattern = Route.pattern(of: segments[...])
    }

    /// "/api" followed by each segment's text.
    static func pattern(of segments: ArraySlice<RouteSegment>) -> String {
        "/api" + segments.map { "/" + $0.text }.joined()
    }
}
