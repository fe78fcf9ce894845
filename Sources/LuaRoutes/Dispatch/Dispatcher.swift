import Logging
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The one path every request takes, whatever brought it (the HTTP server, `luaroutes request`,
/// `luaroutes test`): target -> 308 | 400 | 404 | route worker -> finished response.
///
/// Each event loop of the group has its own workers (one Lua state per route per loop), used
/// only on that loop, so a request runs on the loop that received it without a hop.
public final class Dispatcher: Responder, LoopResponder, @unchecked Sendable {
    /// A target routed against one generation (see ``route(target:on:)``). A class: the routed
    /// target is passed on several times per request, and a reference is one count to keep.
    final class Routing {
        let generation: Generation
        let path: String
        let query: String?
        let lookup: RouteLookup

        init(generation: Generation, path: String, query: String?, lookup: RouteLookup) {
            self.generation = generation
            self.path = path
            self.query = query
            self.lookup = lookup
        }
    }

    public let dev: Bool
    let group: any EventLoopGroup
    let logger: Logger
    /// The generation new requests use; a reload swaps it whole (see ``reload()``).
    private let current: NIOLockedValueBox<Generation>
    let reloadLock = NIOLock()
    private let requestCounter = Atomic<UInt64>(0)
    let fetcher: FetchClient
    /// What every generation's workers share (loops, fetch client, logger, metrics).
    let workerContext: Generation.Context
    let metrics: ServerMetrics?
    let accessLog: AccessLog?

    /// Loads every route on every loop of `group` (module scope runs once per loop). Routes
    /// that fail are logged once and answer 500; the others serve. `metrics` and `accessLog`
    /// observe every finished request (`serve` sets them; `request` and `test` do not).
    /// `fetchMocks` answers `fetch` from canned answers (`luaroutes test`).
    public init(project: Project, group: any EventLoopGroup, dev: Bool = false, logger: Logger,
                metrics: ServerMetrics? = nil, accessLog: AccessLog? = nil, fetchMocks: FetchMocks? = nil) {
        self.group = group
        self.dev = dev
        self.logger = logger
        self.metrics = metrics
        self.accessLog = accessLog
        let fetcher = FetchClient(group: group, mocks: fetchMocks)
        self.fetcher = fetcher
        let context = Generation.Context(group: group, fetcher: fetcher, logger: logger, metrics: metrics, dev: dev)
        self.workerContext = context
        let first = Generation.build(project, previous: nil, context: context)
        self.current = NIOLockedValueBox(first)
    }

    /// The project the current generation serves.
    public var project: Project { generation.project }

    var generation: Generation { current.withLockedValue { $0 } }

    /// Publishes `next`; requests already running keep the generation they started with.
    func publish(_ next: Generation) -> Generation {
        current.withLockedValue { slot in
            let previous = slot
            slot = next
            return previous
        }
    }

    /// Closes outbound connections (fetch). Call before shutting the event loops down.
    public func shutdown() async {
        await fetcher.shutdown()
    }

    /// One line per route for `luaroutes routes` and start-up logs.
    public var routeReports: [RouteReport] {
        generation.firstLoopWorkers.workers.map {
            RouteReport(route: $0.route, methods: $0.kind == .methods ? $0.methods : [], error: $0.loadError,
                        middleware: $0.middleware)
        }
    }

    /// Routes `target` once, when the request's head arrives: the answer carries the body limit
    /// the server enforces while reading the body, and is handed back to ``respond(to:routed:on:completion:)``.
    /// The generation is read here, so the whole request sees one generation.
    public func route(target: String, on loop: any EventLoop) -> RoutedTarget {
        let routing = routing(forTarget: target, on: loop)
        var bodyLimit = routing.generation.project.config.routeDefaults.bodySizeLimit
        var cors = routing.generation.project.config.routeDefaults.cors
        if case .matched(let match) = routing.lookup {
            let config = routing.generation.firstLoopWorkers.workers[match.routeIndex].config
            bodyLimit = config.bodySizeLimit
            cors = config.cors
        }
        return RoutedTarget(bodyLimit: bodyLimit, routing: routing, cors: cors)
    }

    /// `loop`: the caller's, whose cache of lookups is used (``LoopWorkers/lookup(_:in:)``).
    private func routing(forTarget target: String, on loop: (any EventLoop)? = nil) -> Routing {
        let generation = self.generation
        let (path, query) = Self.split(target: target)
        let table = generation.project.routeTable
        let lookup = loop.map { generation.workers(on: $0).lookup(path, in: table) } ?? table.lookup(path: path)
        return Routing(generation: generation, path: path, query: query, lookup: lookup)
    }

    /// Answers `request`, already routed by ``route(target:on:)``, on `loop` (the caller must be on it).
    public func respond(to request: APIRequest, routed: RoutedTarget, on loop: any EventLoop,
                        completion: @escaping (APIResponse) -> Void) {
        loop.preconditionInEventLoop()
        let routing = routed.routing ?? routing(forTarget: request.target, on: loop)
        let generation = routing.generation
        let path = routing.path
        let requestNumber = nextRequestNumber()
        let clientRequestID = RequestID.fromClient(request)
        let requestID = clientRequestID ?? RouteRequest.idText(requestNumber)
        let observed = accessLog != nil || metrics != nil
        let started = observed ? NIODeadline.now() : .uptimeNanoseconds(0)
        var worker: RouteWorker?
        if case .matched(let match) = routing.lookup { worker = generation.workers(on: loop).workers[match.routeIndex] }
        let routeFile = worker?.route.file
        let generateEtags = generation.project.config.generateEtags
        let finishing = { (response: APIResponse) in
            var response = response
            ETag.apply(to: &response, for: request, generate: generateEtags)   // before HEAD drops the body
            self.finish(&response, for: request, requestID: requestID)
            // The closure holds `generation` until the answer: a reload meanwhile must not free
            // the workers (and Lua states) this request still runs in.
            func record(bytes: Int) {
                withExtendedLifetime(generation) {
                    if observed {
                        self.observe(RequestRecord(method: request.method, path: path, route: routeFile, status: response.status,
                                                   bytes: bytes, duration: .nanoseconds((NIODeadline.now() - started).nanoseconds),
                                                   requestID: requestID, client: request.remoteAddress,
                                                   userAgent: request.header("user-agent")))
                    }
                }
            }
            if let stream = response.stream {
                // A streamed answer is logged once its body is over; until then the stream's
                // observer holds `generation`.
                stream.onEnd.append { record(bytes: $0) }
                return completion(response)
            }
            record(bytes: response.body.count)
            completion(response)
        }

        if path.utf8.count > 1, path.utf8.last == UInt8(ascii: "/") {
            var location = String(path.reversed().drop { $0 == "/" }.reversed())
            if location.isEmpty { location = "/" }
            if let query = routing.query { location += "?" + query }
            return finishing(withProjectCORS(APIResponse(status: 308, headers: [("Location", location)]), for: request, generation))
        }
        switch routing.lookup {
        case .badRequest:
            finishing(withProjectCORS(HostError.response(400, "Bad Request"), for: request, generation))
        case .notFound:
            finishing(withProjectCORS(HostError.response(404, "Not Found"), for: request, generation))
        case .matched(let match):
            let routeRequest = RouteRequest(api: request, path: path, query: routing.query.map(parseQuery) ?? [],
                                            params: match.params, requestNumber: requestNumber, clientRequestID: clientRequestID)
            worker!.handle(routeRequest, dev: dev, completion: finishing)   // set above, from this match
        }
    }

    func nextRequestNumber() -> UInt64 { requestCounter.add(1, ordering: .relaxed).newValue }

    public func respond(to request: APIRequest) async -> APIResponse {
        let loop = group.next()
        return await withCheckedContinuation { continuation in
            loop.execute {
                self.respond(to: request, on: loop) { response in
                    guard let stream = response.stream else { return continuation.resume(returning: response) }
                    // `luaroutes request` and `test` see the whole streamed body.
                    stream.writer = CollectedBody(response) { continuation.resume(returning: $0) }
                }
            }
        }
    }

    /// Path and query of a request target; an absolute-form target loses its scheme and host.
    /// Reads the UTF-8 bytes in place: the delimiters are ASCII.
    static func split(target: String) -> (path: String, query: String?) {
        var target = target
        return target.withUTF8 { bytes in
            var start = 0
            if bytes.first != UInt8(ascii: "/") {   // absolute form: skip "scheme://host"
                for scheme in ["http://", "https://"] where bytes.starts(with: scheme.utf8) {
                    let host = scheme.utf8.count
                    start = bytes[host...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.count
                }
            }
            var end = bytes[start...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
            var query: String?
            if let mark = bytes[start..<end].firstIndex(of: UInt8(ascii: "?")) {
                query = String(decoding: UnsafeBufferPointer(rebasing: bytes[(mark + 1)..<end]), as: UTF8.self)
                end = mark
            }
            let path = start == end && start > 0 ? "/" : String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return (path, query)
        }
    }

    /// HTTP rules every response obeys, whoever made it: the host sets Content-Length; HEAD
    /// sends no body; 204 and 304 carry neither body nor Content-Type nor Content-Length.
    /// In place: a copy would share the headers' buffer with the caller's, and the first append
    /// would copy it whole.
    private func finish(_ response: inout APIResponse, for request: APIRequest, requestID: String) {
        // Every answer names its request, so a client's report finds the log lines (a handler's own id wins).
        if !response.headers.contains(where: { $0.name.caseInsensitiveEquals("x-request-id") }) {
            response.headers.append(("X-Request-Id", requestID))
        }
        if response.stream == nil,
           response.headers.contains(where: { $0.name.caseInsensitiveEquals("content-length") || $0.name.caseInsensitiveEquals("transfer-encoding") }) {
            response.headers.removeAll {
                $0.name.caseInsensitiveEquals("content-length") || $0.name.caseInsensitiveEquals("transfer-encoding")
            }
        }
        if let stream = response.stream {
            response = finishedStream(response, stream: stream, for: request)
            return
        }
        if response.status == 204 || response.status == 304 || (100..<200).contains(response.status) {
            response.headers.removeAll { $0.name.caseInsensitiveEquals("content-type") }
            response.body = []
            return
        }
        response.headers.append(("Content-Length", DigitText.decimal(response.body.count)))
        if request.method == "HEAD" { response.body = [] }
    }
}
