import Logging
import NIOCore
import Synchronization

/// The one path every request takes, whatever brought it (the HTTP server, `luaroutes request`,
/// `luaroutes test`): target -> 308 | 400 | 404 | route worker -> finished response.
///
/// Each event loop of the group has its own workers (one Lua state per route per loop), used
/// only on that loop, so a request runs on the loop that received it without a hop.
public final class Dispatcher: Responder, @unchecked Sendable {
    public let project: Project
    public let dev: Bool
    let group: any EventLoopGroup
    let logger: Logger
    private let workersByLoop: [ObjectIdentifier: LoopWorkers]
    private let firstLoopWorkers: LoopWorkers
    private let requestCounter = Atomic<UInt64>(0)
    let fetcher: FetchClient

    /// Loads every route on every loop of `group` (module scope runs once per loop). Routes
    /// that fail are logged once and answer 500; the others serve.
    public init(project: Project, group: any EventLoopGroup, dev: Bool = false, logger: Logger) {
        self.project = project
        self.group = group
        self.dev = dev
        self.logger = logger
        let fetcher = FetchClient(group: group)
        self.fetcher = fetcher
        var byLoop: [ObjectIdentifier: LoopWorkers] = [:]
        var first: LoopWorkers?
        for loop in group.makeIterator() {
            let workers = LoopWorkers(workers: project.routeTable.routes.map {
                RouteWorker(route: $0, project: project, loop: loop, fetcher: fetcher, logger: logger)
            })
            byLoop[ObjectIdentifier(loop)] = workers
            if first == nil { first = workers }
        }
        self.workersByLoop = byLoop
        self.firstLoopWorkers = first ?? LoopWorkers(workers: [])
        for report in routeReports {
            if let error = report.error { logger.error("route failed to load: \(error)", metadata: ["route": .string(report.route.file)]) }
        }
    }

    /// Closes outbound connections (fetch). Call before shutting the event loops down.
    public func shutdown() async {
        await fetcher.shutdown()
    }

    /// One line per route for `luaroutes routes` and start-up logs.
    public var routeReports: [RouteReport] {
        firstLoopWorkers.workers.map { RouteReport(route: $0.route, methods: $0.kind == .methods ? $0.methods : [], error: $0.loadError) }
    }

    /// Answers `request` on `loop` (the caller must be on it) and calls `completion` there.
    public func respond(to request: APIRequest, on loop: any EventLoop, completion: @escaping (APIResponse) -> Void) {
        loop.preconditionInEventLoop()
        let requestID = String(requestCounter.add(1, ordering: .relaxed).newValue, radix: 16)
        let (path, query) = Self.split(target: request.target)
        let finishing = { (response: APIResponse) in completion(self.finished(response, for: request, path: path)) }

        if path.count > 1, path.hasSuffix("/") {
            var location = String(path.reversed().drop { $0 == "/" }.reversed())
            if location.isEmpty { location = "/" }
            if let query { location += "?" + query }
            return finishing(APIResponse(status: 308, headers: [("Location", location)]))
        }
        switch project.routeTable.lookup(path: path) {
        case .badRequest:
            finishing(HostError.response(400, "Bad Request"))
        case .notFound:
            finishing(HostError.response(404, "Not Found"))
        case .matched(let match):
            guard let workers = workersByLoop[ObjectIdentifier(loop)] else {
                preconditionFailure("respond(to:on:) called with a loop outside the dispatcher's group")
            }
            let routeRequest = RouteRequest(api: request, path: path, query: query.map(parseQuery) ?? [],
                                            params: match.params, requestID: requestID)
            workers.workers[match.routeIndex].handle(routeRequest, dev: dev, completion: finishing)
        }
    }

    /// The largest body the route behind `target` accepts, so the server can refuse a body
    /// before buffering it. Unrouted targets get the project default.
    public func bodyLimit(forTarget target: String) -> Int {
        let (path, _) = Self.split(target: target)
        if case .matched(let match) = project.routeTable.lookup(path: path) {
            return firstLoopWorkers.workers[match.routeIndex].config.bodySizeLimit
        }
        return project.config.routeDefaults.bodySizeLimit
    }

    public func respond(to request: APIRequest) async -> APIResponse {
        let loop = group.next()
        return await withCheckedContinuation { continuation in
            loop.execute {
                self.respond(to: request, on: loop) { continuation.resume(returning: $0) }
            }
        }
    }

    /// Path and query of a request target; an absolute-form target loses its scheme and host.
    static func split(target: String) -> (path: String, query: String?) {
        var target = Substring(target)
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            let afterScheme = target[target.index(target.firstIndex(of: ":")!, offsetBy: 3)...]
            target = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        if let hash = target.firstIndex(of: "#") { target = target[..<hash] }
        guard let mark = target.firstIndex(of: "?") else { return (String(target), nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// HTTP rules every response obeys, whoever made it: the host sets Content-Length; HEAD
    /// sends no body; 204 and 304 carry neither body nor Content-Type nor Content-Length.
    private func finished(_ response: APIResponse, for request: APIRequest, path: String) -> APIResponse {
        var response = response
        response.headers.removeAll {
            $0.name.caseInsensitiveEquals("content-length") || $0.name.caseInsensitiveEquals("transfer-encoding")
        }
        if response.status == 204 || response.status == 304 || (100..<200).contains(response.status) {
            response.headers.removeAll { $0.name.caseInsensitiveEquals("content-type") }
            response.body = []
            return response
        }
        response.headers.append(("Content-Length", String(response.body.count)))
        if request.method == "HEAD" { response.body = [] }
        return response
    }
}

/// The route workers of one event loop, indexed like `RouteTable.routes`.
final class LoopWorkers {
    let workers: [RouteWorker]
    init(workers: [RouteWorker]) { self.workers = workers }
}

/// What `luaroutes routes` prints for one route.
public struct RouteReport: Sendable {
    public let route: Route
    /// The exported method functions; empty when one function serves every method.
    public let methods: [String]
    public let error: String?
}
