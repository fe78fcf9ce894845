import Logging
import NIOCore

/// The route workers of one event loop, indexed like `RouteTable.routes`, and the loop's cache
/// of route lookups. `@unchecked Sendable` so it can be handed to `loop.submit`; its workers and
/// its cache are used on `loop` only.
final class LoopWorkers: @unchecked Sendable {
    let loop: any EventLoop
    let workers: [RouteWorker]
    /// Path -> what the route table answered for it, in this generation (a reload makes new
    /// LoopWorkers, so the cache never outlives its table). A lookup splits the path, decodes
    /// and hashes each segment and walks the trie; a hit hashes the path once (callgrind:
    /// ~1.5k instructions per request, docs/performance.md).
    private var lookups: [String: RouteLookup] = [:]
    /// Distinct paths kept at most; past that the cache starts over (a client sending a new
    /// path each time costs one insert per request, never unbounded memory).
    static let maxCachedLookups = 1024

    init(loop: any EventLoop, workers: [RouteWorker]) {
        self.loop = loop
        self.workers = workers
    }

    /// `table.lookup(path:)`, from the cache when this loop looked `path` up before.
    func lookup(_ path: String, in table: RouteTable) -> RouteLookup {
        loop.assertInEventLoop()
        if let known = lookups[path] { return known }
        let lookup = table.lookup(path: path)
        if lookups.count >= Self.maxCachedLookups { lookups.removeAll(keepingCapacity: true) }
        lookups[path] = lookup
        return lookup
    }
}
