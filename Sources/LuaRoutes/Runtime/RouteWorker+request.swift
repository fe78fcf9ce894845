import CLuaGlue
import Logging
import NIOCore

extension RouteWorker {
    /// Serves one request: method table checks, body limit and parsing, then the handler in a
    /// coroutine of this worker's state. Calls `completion` exactly once, on this loop: at once
    /// for a handler that never waits, later for one that waits on `fetch`.
    func handle(_ request: RouteRequest, dev: Bool, completion reply: @escaping (APIResponse) -> Void) {
        let completion = corsDecorating(reply, for: request.api)   // every answer below, preflights aside
        if let loadError {
            logger.error("route cannot serve: \(loadError)", metadata: ["request": .string(request.requestID)])
            return completion(HostError.internalError(dev: dev, message: loadError))
        }
        let method = request.api.method
        if let preflight = corsPreflightAnswer(to: request.api) {
            return reply(preflight)
        }
        if kind == .methods, let answer = methodTableAnswer(for: method) {
            return completion(answer)
        }
        if request.api.body.count > config.bodySizeLimit {
            return completion(HostError.response(413, "Body exceeded \(ByteSize.format(config.bodySizeLimit)) limit"))
        }
        guard let sandbox else { return completion(HostError.internalError(dev: dev, message: "route not loaded")) }

        let inFlight = InFlightRequest(request: request, sandbox: sandbox, dev: dev, timeoutNanoseconds: config.limits.timeoutNanoseconds, completion: completion)
        let thread = inFlight.thread
        sandbox.pushDispatch(on: thread)                    // stack: dispatch
        pushModule(on: thread)                              // stack: dispatch mod
        LuaState.push(kindName, on: thread)
        LuaState.push(method, on: thread)                   // stack: dispatch mod kind method
        if let rejection = pushRequestTable(request, methodIndex: lua_gettop(thread), on: thread, in: sandbox) {   // stack: dispatch mod kind method req
            inFlight.finished = true
            sandbox.release(ref: inFlight.threadRef)
            replaceIfSpent(sandbox)
            return completion(rejection)
        }
        pushMiddleware(on: thread)                          // stack: dispatch mod kind method req chain|nil
        sandbox.startBudget(config.limits)
        run(inFlight, arguments: 5, answer: nil)
    }

    /// Resumes the request's coroutine (with a fetch answer, after the first time) and acts on
    /// where it stopped.
    func run(_ inFlight: InFlightRequest, arguments: Int32, answer: FetchOutcome?) {
        callbacks.current = inFlight
        var outcome = FetchAnswer.scoped(answer, in: inFlight.sandbox.state.context) {
            inFlight.sandbox.resume(inFlight.thread, arguments: arguments, wallDeadline: inFlight.wallDeadline)
        }
        callbacks.current = nil
        if case .waiting = outcome {
            if let write = inFlight.pendingWrite {
                inFlight.pendingWrite = nil
                send(write, for: inFlight)
            }
            if inFlight.timeoutTask == nil {
                let remaining = max(0, inFlight.wallDeadline - lr_monotonic_ns())
                inFlight.timeoutTask = loop.scheduleTask(in: .nanoseconds(remaining)) { [weak self] in self?.timeOut(inFlight) }
            }
            return
        }
        if case .returned(let results) = outcome {
            inFlight.reusable = true
            outcome = .returned(results: takeAfterWork(from: inFlight, results: results))
        }
        finish(inFlight, with: response(for: outcome, inFlight))
    }

    func finish(_ inFlight: InFlightRequest, with response: APIResponse) {
        guard !inFlight.finished else { return }
        inFlight.finished = true
        inFlight.pendingWrite = nil
        inFlight.timeoutTask?.cancel()
        database?.requestEnded(inFlight)   // a transaction left open is rolled back
        if inFlight.reusable {
            inFlight.sandbox.recycle(inFlight.thread, ref: inFlight.threadRef)
        } else {
            inFlight.sandbox.release(ref: inFlight.threadRef)
        }
        replaceIfSpent(inFlight.sandbox)
        if let stream = inFlight.stream {
            endStream(stream, with: response, for: inFlight)
        } else {
            inFlight.completion(response)
        }
        scheduleAfterWork(of: inFlight)
    }

    /// limits.timeout passed while the request waited: answer 504 and drop the coroutine without
    /// closing it (its `__close` handlers are user code). The state may hold half-done work, so
    /// it is replaced; requests still waiting in it finish there.
    private func timeOut(_ inFlight: InFlightRequest) {
        guard !inFlight.finished else { return }
        logger.error("\(route.file): limits.timeout exceeded (\(DurationText.format(config.limits.timeout))) while waiting",
                     metadata: ["request": .string(inFlight.request.requestID)])
        inFlight.sandbox.markSpent()
        finish(inFlight, with: HostError.response(504, "Gateway Timeout"))
    }

    /// Called from the fetch bridge while the request's code runs: starts the outbound
    /// request, or returns why it cannot (the handler gets nil, err without waiting).
    func startFetch(for inFlight: InFlightRequest, _ spec: FetchSpec) -> String? {
        if let refusal = FetchClient.refusal(url: spec.url, settings: spec.settings) { return refusal }
        fetcher.start(spec, on: loop) { [weak self] outcome in
            guard let self, !inFlight.finished else { return }   // answered already (timed out): drop
            self.run(inFlight, arguments: 0, answer: outcome)
        }
        return nil
    }

    private var kindName: String {
        switch kind {
        case .handler: return "handler"
        case .methods: return "methods"
        default: return "function"
        }
    }

    /// 405 or the automatic OPTIONS answer for a route that exports method functions.
    private func methodTableAnswer(for method: String) -> APIResponse? {
        if methods.contains(method) || (method == "HEAD" && methods.contains("GET")) { return nil }
        var allowed = methods
        if methods.contains("GET"), !allowed.contains("HEAD") { allowed.append("HEAD") }
        if !allowed.contains("OPTIONS") { allowed.append("OPTIONS") }
        let allow = ("Allow", allowed.sorted().joined(separator: ", "))
        if method == "OPTIONS" { return APIResponse(status: 204, headers: [allow]) }
        return HostError.response(405, "Method Not Allowed", headers: [allow])
    }

    /// A state that hit a limit is replaced before the next request (docs/reference.md section 6).
    func replaceIfSpent(_ used: Sandbox) {
        guard used === sandbox, used.isSpent else { return }
        logger.warning("replacing the Lua state after a limit was hit")
        load()
        callbacks.fetchSettings = config.fetch
    }

    /// The response headers as `dispatch` left them: `names` in order, `values[name]` = { name
    /// as set, string or array of strings }. A repeated value (Set-Cookie) becomes several fields.
    static func headers(names: Int32, values: Int32, on thread: OpaquePointer, in state: LuaState) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        guard lua_checkstack(thread, 4) != 0 else { return headers }   // never short of 4 slots in practice
        let count = lua_rawlen(thread, names)
        // Room for what the host appends to every answer (ETag, X-Request-Id, Content-Length:
        // Dispatcher.finished): the array is then never copied to grow.
        headers.reserveCapacity(Int(count) + 3)
        for i in 0..<count {
            lua_rawgeti(thread, names, lua_Integer(i + 1))                   // stack: ... key
            lua_rawget(thread, values)                                      // stack: ... entry
            if let json = state.jsonTypeEntry, lua_topointer(thread, -1) == json {   // res.json's own: no copies
                headers.append((name: "Content-Type", value: "application/json; charset=utf-8"))
                lr_pop(thread, 1)
                continue
            }
            lua_rawgeti(thread, -1, 1)
            let name = state.string(at: -1, in: thread) ?? ""
            lr_pop(thread, 1)
            lua_rawgeti(thread, -1, 2)                                      // stack: ... entry value
            if lua_type(thread, -1) == LUA_TTABLE {
                for j in 0..<lua_rawlen(thread, -1) {
                    lua_rawgeti(thread, -1, lua_Integer(j + 1))
                    headers.append((name, state.string(at: -1, in: thread) ?? ""))
                    lr_pop(thread, 1)
                }
            } else {
                headers.append((name, state.string(at: -1, in: thread) ?? ""))
            }
            lr_pop(thread, 2)
        }
        return headers
    }

    /// Turns where the coroutine stopped into the response.
    private func response(for outcome: ResumeOutcome, _ inFlight: InFlightRequest) -> APIResponse {
        let thread = inFlight.thread
        let state = inFlight.sandbox.state
        let request = inFlight.request
        var meta: Logger.Metadata { ["request": .string(request.requestID)] }   // built only when a line is logged
        switch outcome {
        case .returned(let results):
            if inFlight.isAfterWork {
                lr_pop(thread, results)
                return Self.streamEnded   // nobody reads it: the answer went out before
            }
            if inFlight.stream != nil, results >= 2, lua_toboolean(thread, -results + 1) != 0 {
                lr_pop(thread, results)
                return Self.streamEnded   // dispatch's `false, true`: the streamed answer is over
            }
            guard results >= 1, lua_toboolean(thread, -results) != 0 else {
                logger.error("\(route.file): the handler returned without sending a response", metadata: meta)
                return HostError.internalError(dev: inFlight.dev, message: "\(route.file): the handler returned without sending a response")
            }
            let base = lua_gettop(thread) - results                        // stack: true status names values body
            let status = Int(lua_tointegerx(thread, base + 2, nil))
            let headers = Self.headers(names: base + 3, values: base + 4, on: thread, in: state)
            let body = state.bytes(at: base + 5, in: thread) ?? []
            lr_pop(thread, results)
            if let limit = config.responseLimit, body.count >= limit {   // Next.js warns at the limit too
                logger.warning("API response for \(request.path) exceeds \(ByteSize.format(limit)) (responseLimit); large responses are slow to serve",
                               metadata: meta)
            }
            return APIResponse(status: status, headers: headers, body: body)
        case .waiting:
            preconditionFailure("a waiting request has no response yet")
        case .failed(let failure):
            let text = describe(failure, during: "handling \(request.api.method) \(request.path)")
            var logMeta = meta
            if let traceback = failure.traceback { logMeta["traceback"] = .string(traceback) }
            logger.error("\(text)", metadata: logMeta)
            if failure.kind == .timeout { return HostError.response(504, "Gateway Timeout") }
            return HostError.internalError(dev: inFlight.dev, message: text, traceback: failure.traceback)
        }
    }
}
