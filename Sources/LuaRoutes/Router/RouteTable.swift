/// Every route of a project, checked at start-up and matched per request.
///
/// Matching walks a trie with one node per segment level, so its cost depends on the path's
/// depth, not on the number of routes. At each level it tries a literal, then `[param]`, then
/// `[...catchAll]`, then `[[...optional]]`; when a branch fails deeper down it backs up and
/// tries the next kind, which gives the same answer as Next.js's sorted list of patterns. A
/// trie node is reached at one depth only, so a lookup visits each node at most once.
public struct RouteTable: Sendable {
    /// Sorted for display as Next.js sorts: `/api` before what is below it, literals by name,
    /// then `[param]`, `[...catchAll]`, `[[...optional]]` at each level. Also the match order.
    public let routes: [Route]
    /// `nodes[0]` is the `/api` level.
    let nodes: [RouteTrieNode]

    /// Validates `routes` (see `RouteTrieBuilder.swift`) and builds the trie.
    public init(routes: [Route]) throws(RouteTableError) {
        var builder = RouteTrieBuilder(routes: routes)
        try builder.insertAll()
        (self.routes, self.nodes) = builder.finish()
    }

    /// Builds a table from paths relative to ROOT ("pages/api/users/[id].lua"), without the
    /// file system; paths that are not routes (other extensions, `_` or `.` names) are skipped.
    public init(files: [String], pageExtensions: [String] = ["lua"]) throws(RouteTableError) {
        var routes: [Route] = []
        for file in files {
            if let route = try RouteScanner.route(forFile: file, pageExtensions: pageExtensions) {
                routes.append(route)
            }
        }
        try self.init(routes: routes)
    }

    /// Scans `ROOT/pages/api` (see ``RouteScanner``) and builds the table.
    public static func scan(root: String, pageExtensions: [String]) throws(RouteTableError) -> RouteTable {
        try RouteTable(files: RouteScanner.routeFiles(root: root, pageExtensions: pageExtensions),
                       pageExtensions: pageExtensions)
    }

    /// Resolves a request path without its query string ("/api/users/42").
    ///
    /// The path is split on `/`, then each segment is percent-decoded; any invalid segment makes
    /// the whole request `.badRequest`. An empty segment (`/api//user`, or the trailing slash the
    /// caller redirects) never matches anything, so such paths are `.notFound`. Nothing is
    /// normalized: `..` and `%2e%2e` are ordinary text that only a dynamic segment can match,
    /// and a file name never matches its own extension (`/api/user.lua`).
    public func lookup(path: String) -> RouteLookup {
        guard let segments = Self.segments(of: path) else { return .badRequest }
        guard segments.first == "api", !segments.contains(where: \.isEmpty) else { return .notFound }
        var params: [(name: String, value: RouteParam)] = []
        guard let index = match(node: 0, segments, at: 1, &params) else { return .notFound }
        return .matched(RouteMatch(routeIndex: index, params: params))
    }

    /// The percent-decoded segments of a path after its leading `/`; nil when one does not
    /// decode. A path without the leading `/` has no segments (it matches nothing). Reads the
    /// UTF-8 bytes in place: a segment without `%` is copied out once, as it is.
    static func segments(of path: String) -> [String]? {
        var path = path
        return path.withUTF8 { bytes -> [String]? in
            guard bytes.first == UInt8(ascii: "/") else { return [] }
            var segments: [String] = []
            segments.reserveCapacity(8)
            var start = 1
            for end in 1...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: "/") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if raw.contains(UInt8(ascii: "%")) {
                    guard let decoded = percentDecoded(String(decoding: raw, as: UTF8.self)) else { return nil }
                    segments.append(decoded)
                } else {
                    segments.append(String(decoding: raw, as: UTF8.self))
                }
                start = end + 1
            }
            return segments
        }
    }

    /// Depth-first in precedence order; returns a route index and leaves its params in `params`.
    private func match(node: Int, _ segments: [String], at i: Int,
                       _ params: inout [(name: String, value: RouteParam)]) -> Int? {
        let node = nodes[node]
        guard i < segments.count else {
            // An optional catch-all that matches nothing adds no param.
            return node.route ?? node.optionalCatchAll?.route
        }
        if let child = node.literals[segments[i]], let found = match(node: child, segments, at: i + 1, &params) {
            return found
        }
        if let param = node.param {
            params.append((name: param.name, value: .single(segments[i])))
            if let found = match(node: param.node, segments, at: i + 1, &params) { return found }
            params.removeLast()
        }
        if let rest = node.catchAll ?? node.optionalCatchAll {
            params.append((name: rest.name, value: .multiple(Array(segments[i...]))))
            return rest.route
        }
        return nil
    }
}
