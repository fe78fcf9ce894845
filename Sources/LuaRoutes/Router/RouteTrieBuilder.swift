/// Builds the trie and reports, at start-up, every layout Next.js refuses. Each error names
/// both files and says the fix. Routes are inserted sorted by file, so the first error found,
/// and the order of the two files in it, do not depend on the order of the input.
struct RouteTrieBuilder {
    private let routes: [Route]
    private var nodes = [RouteTrieNode()]
    /// Per node: its pattern ("/api/users"), and the first file that went through its `[param]`.
    private var levels = ["/api"]
    private var paramFiles: [String?] = [nil]

    init(routes: [Route]) {
        self.routes = routes
    }

    mutating func insertAll() throws(RouteTableError) {
        for index in routes.indices.sorted(by: { routes[$0].file < routes[$1].file }) {
            try checkPath(routes[index])
            try insert(index)
        }
    }

    /// Rules about one route alone: a catch-all comes last, and no name is used twice.
    private func checkPath(_ route: Route) throws(RouteTableError) {
        var seen: Set<String> = []
        for (i, segment) in route.segments.enumerated() {
            if let name = segment.paramName, segment != .param(name), i != route.segments.count - 1 {
                throw RouteTableError(
                    .catchAllNotLast, "a catch-all must be the last segment ('\(segment.text)' in \(route.pattern))",
                    files: [route.file],
                    fix: "make \(segment.text) the file name, or use [\(name)] for one segment")
            }
            if let name = segment.paramName, !seen.insert(name).inserted {
                throw RouteTableError(
                    .repeatedParamName, "the name '\(name)' is used twice in \(route.pattern)",
                    files: [route.file], fix: "rename one of them")
            }
        }
    }

    private mutating func insert(_ index: Int) throws(RouteTableError) {
        let route = routes[index]
        var node = 0
        for segment in route.segments {
            switch segment {
            case .literal(let text):
                if let child = nodes[node].literals[text] {
                    node = child
                } else {
                    let child = newNode(levels[node] + "/" + text)
                    nodes[node].literals[text] = child
                    node = child
                }
            case .param(let name):
                if let param = nodes[node].param {
                    if param.name != name {
                        throw nameConflict(node, param.name, name, paramFiles[node]!, route.file)
                    }
                    node = param.node
                } else {
                    let child = newNode(levels[node] + "/[" + name + "]")
                    nodes[node].param = .init(name: name, node: child)
                    paramFiles[node] = route.file
                    node = child
                }
            case .catchAll(let name):
                if let other = nodes[node].optionalCatchAll {
                    throw catchAllBesideOptional(node, other.route, index)
                }
                try checkLeaf(nodes[node].catchAll, node, index, name)
                nodes[node].catchAll = .init(name: name, route: index)
                return
            case .optionalCatchAll(let name):
                if let other = nodes[node].catchAll {
                    throw catchAllBesideOptional(node, other.route, index)
                }
                if let other = nodes[node].route {
                    throw optionalBesideIndex(node, other, index)
                }
                try checkLeaf(nodes[node].optionalCatchAll, node, index, name)
                nodes[node].optionalCatchAll = .init(name: name, route: index)
                return
            }
        }
        if let other = nodes[node].route {
            throw duplicate(other, index)
        }
        if let other = nodes[node].optionalCatchAll {
            throw optionalBesideIndex(node, other.route, index)
        }
        nodes[node].route = index
    }

    /// A second catch-all of the same kind at one level: same name is the same route twice.
    private func checkLeaf(_ existing: RouteTrieNode.Leaf?, _ node: Int, _ index: Int, _ name: String) throws(RouteTableError) {
        guard let existing else { return }
        if existing.name == name { throw duplicate(existing.route, index) }
        throw nameConflict(node, existing.name, name, routes[existing.route].file, routes[index].file)
    }

    private mutating func newNode(_ level: String) -> Int {
        nodes.append(RouteTrieNode())
        levels.append(level)
        paramFiles.append(nil)
        return nodes.count - 1
    }

    // MARK: - Messages

    private func nameConflict(_ node: Int, _ first: String, _ second: String, _ a: String, _ b: String) -> RouteTableError {
        RouteTableError(
            .dynamicNameConflict, "two dynamic names at one level of \(levels[node]) ('\(first)' and '\(second)')",
            files: [a, b], fix: "use one name for both files")
    }

    private func catchAllBesideOptional(_ node: Int, _ a: Int, _ b: Int) -> RouteTableError {
        let (a, b) = (routes[a], routes[b])
        let optional = [a, b].first { if case .optionalCatchAll = $0.segments.last { true } else { false } }!
        return RouteTableError(
            .catchAllBesideOptional,
            "a catch-all beside an optional catch-all at one level of \(levels[node]) ('\(a.segments.last!.text)' and '\(b.segments.last!.text)')",
            files: [a.file, b.file],
            fix: "keep one of them: \(optional.segments.last!.text) matches \(levels[node]) and everything below it")
    }

    private func optionalBesideIndex(_ node: Int, _ a: Int, _ b: Int) -> RouteTableError {
        RouteTableError(
            .optionalBesideIndex, "an optional catch-all and another file both serve \(levels[node])",
            files: [routes[a].file, routes[b].file],
            fix: "remove the other file: an optional catch-all also matches \(levels[node]) itself")
    }

    private func duplicate(_ a: Int, _ b: Int) -> RouteTableError {
        RouteTableError(
            .duplicateRoute, "two files for one route \(routes[b].pattern)",
            files: [routes[a].file, routes[b].file], fix: "keep one of them")
    }

    // MARK: - Display order

    /// The routes in display (and match) order, and the trie with indices remapped to it.
    func finish() -> ([Route], [RouteTrieNode]) {
        var order: [Int] = []
        order.reserveCapacity(routes.count)
        visit(0, &order)
        var newIndex = [Int](repeating: 0, count: routes.count)
        for (position, old) in order.enumerated() { newIndex[old] = position }
        let remapped = nodes.map { node in
            var node = node
            node.route = node.route.map { newIndex[$0] }
            if let leaf = node.catchAll { node.catchAll!.route = newIndex[leaf.route] }
            if let leaf = node.optionalCatchAll { node.optionalCatchAll!.route = newIndex[leaf.route] }
            return node
        }
        return (order.map { routes[$0] }, remapped)
    }

    private func visit(_ node: Int, _ order: inout [Int]) {
        let node = nodes[node]
        if let route = node.route { order.append(route) }
        for key in node.literals.keys.sorted() { visit(node.literals[key]!, &order) }
        if let param = node.param { visit(param.node, &order) }
        if let leaf = node.catchAll { order.append(leaf.route) }
        if let leaf = node.optionalCatchAll { order.append(leaf.route) }
    }
}
