import CLuaGlue
import Logging
import NIOCore

/// One route on one event loop: a ``Sandbox`` that ran the route file once (module scope) and
/// runs each request as a coroutine in it. Confined to its event loop.
final class RouteWorker {
    let route: Route
    let project: Project
    private(set) var config: RouteConfig
    private(set) var kind: RouteKind = .invalid("not loaded")
    private(set) var methods: [String] = []
    /// Why the route cannot serve (compile error, bad export, bad config); it answers 500.
    private(set) var loadError: String?
    private(set) var sandbox: Sandbox?
    private var moduleRef: Int32 = LUA_NOREF
    /// The route's `_middleware.lua` files, outermost first, and the registry slot of the
    /// array of their functions (RouteWorker+middleware.swift); LUA_NOREF when there are none.
    let middleware: [String]
    var middlewareRef: Int32 = LUA_NOREF
    let callbacks: SandboxCallbacks
    let logger: Logger
    let fetcher: FetchClient
    let loop: any EventLoop
    let metrics: ServerMetrics?
    /// `db`'s connections and transactions for this worker's states (RouteWorker+data.swift).
    var database: DatabaseBinding?

    /// `res.after` runs pending across the dispatcher (RouteWorker+after.swift).
    let afterWork: AfterWork
    /// Streamed answers' resumes since the loop last polled its sockets (RouteWorker+stream.swift).
    let streamTurns = StreamTurns()

    init(route: Route, project: Project, loop: any EventLoop, fetcher: FetchClient, logger: Logger, metrics: ServerMetrics? = nil,
         afterWork: AfterWork = AfterWork()) {
        self.afterWork = afterWork
        self.route = route
        self.metrics = metrics
        self.project = project
        self.loop = loop
        self.fetcher = fetcher
        self.config = project.config.routeDefaults
        self.middleware = project.middlewareChain(for: route)
        var logger = logger
        logger[metadataKey: "route"] = .string(route.file)
        self.logger = logger
        self.callbacks = SandboxCallbacks(logger: logger)
        load()
        callbacks.fetchSettings = config.fetch
        callbacks.startFetch = { [unowned self] request, spec in self.startFetch(for: request, spec) }
    }

    /// (Re)creates the state and runs the route file in it. On failure the route answers 500.
    func load() {
        sandbox = nil
        moduleRef = LUA_NOREF
        middlewareRef = LUA_NOREF
        loadError = nil
        guard let source = project.routeSources[route.file] else {
            loadError = "\(route.file): cannot be read"
            return
        }
        let sandbox: Sandbox
        do {
            sandbox = try Sandbox(limits: project.config.routeDefaults.limits, environment: project.environment,
                                  modules: project.modules, callbacks: callbacks, jsonSortKeys: project.config.jsonSortKeys)
        } catch {
            loadError = "\(route.file): \(error.description)"
            return
        }
        sandbox.state.context.pointee.label = lr_clock_intern(route.file)
        let clockError = lr_clock_thread_start()   // this loop's CPU timer (lr_clock.c): made once per thread
        if clockError != 0 {
            logger.error("limits.cpu and limits.timeout cannot be enforced on this thread: timer_create failed (errno \(clockError))")
        }
        if let error = installData(in: sandbox) {   // shared, db (RouteWorker+data.swift)
            loadError = "\(route.file): \(error)"
            return
        }
        switch sandbox.runChunkLeavingResult(source, chunkName: "@" + route.file, limits: project.config.routeDefaults.limits) {
        case .failure(let failure):
            loadError = describe(failure, during: "loading")
            return
        case .success:
            break
        }
        lua_pushvalue(sandbox.L, -1)                                 // stack: mod mod
        moduleRef = luaL_ref(sandbox.L, lr_registryindex())          // stack: mod
        let (kind, methods, routeConfig) = sandbox.classify()        // stack: (empty)
        if case .invalid(let reason) = kind {
            loadError = "\(route.file): \(reason)"
            return
        }
        do {
            config = try project.config.routeDefaults.overridden(by: routeConfig, prefix: "config")
        } catch {
            loadError = "\(route.file): \(error.description)"
            return
        }
        if let error = loadMiddleware(in: sandbox) {
            loadError = error
            return
        }
        sandbox.state.context.pointee.cap = config.limits.enforced ? config.limits.memory : 0   // 0: no cap
        self.kind = kind
        self.methods = methods
        self.sandbox = sandbox
        // Module scope is done: collect what setting up left behind (the prelude's and the
        // route's temporaries), or it would stay in every idle state until a major collection.
        lr_gc_collect(sandbox.L)
    }

    func pushModule(on thread: OpaquePointer) {
        lua_rawgeti(thread, lr_registryindex(), lua_Integer(moduleRef))
    }

    /// The log line (and dev-mode message) for a failure, naming the limit key when a limit hit.
    func describe(_ failure: LuaFailure, during phase: String) -> String {
        switch failure.kind {
        case .error, .yield, .hostYieldAtLoad:
            return failure.message
        case .timeout:
            // While handling, the 504 it answers is counted by ServerMetrics.requestFinished.
            if phase == "loading" { metrics?.limitHit(route: route.file, kind: "timeout") }
            return "\(route.file): limits.timeout exceeded (\(DurationText.format(config.limits.timeout))) while \(phase)"
        case .cpu:
            metrics?.limitHit(route: route.file, kind: "cpu")
            return "\(route.file): limits.cpu exceeded (\(DurationText.format(config.limits.cpu))) while \(phase)"
        case .memory:
            metrics?.limitHit(route: route.file, kind: "memory")
            return "\(route.file): limits.memory exceeded (\(ByteSize.format(config.limits.memory))) while \(phase)"
        }
    }
}
