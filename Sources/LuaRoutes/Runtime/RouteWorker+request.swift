import CLuaGlue
import Logging

extension RouteWorker {
    /// Serves one request: method table checks, body limit and parsing, then the handler in a
    /// coroutine of this worker's state. Calls `completion` exactly once, on this loop.
    func handle(_ request: RouteRequest, dev: Bool, completion: (APIResponse) -> Void) {
        if let loadError {
            logger.error("route cannot serve: \(loadError)", metadata: ["request": .string(request.requestID)])
            completion(HostError.internalError(dev: dev, message: loadError))
            return
        }
        let method = request.api.method
        if kind == .methods, let answer = methodTableAnswer(for: method) {
            completion(answer)
            return
        }
        if request.api.body.count > config.bodySizeLimit {
            completion(HostError.response(413, "Body exceeded \(ByteSize.format(config.bodySizeLimit)) limit"))
            return
        }
        guard let sandbox else { return completion(HostError.internalError(dev: dev, message: "route not loaded")) }

        let (thread, ref) = sandbox.newThread()
        sandbox.pushDispatch(on: thread)                    // stack: dispatch
        pushModule(on: thread)                              // stack: dispatch mod
        LuaState.push(kindName, on: thread)
        LuaState.push(method, on: thread)                   // stack: dispatch mod kind method
        if let rejection = pushRequestTable(request, on: thread) {   // stack: dispatch mod kind method req
            sandbox.release(ref: ref)
            completion(rejection)
            replaceIfSpent()
            return
        }
        logSink.requestID = request.requestID
        sandbox.startBudget(config.limits)
        let outcome = sandbox.resume(thread, arguments: 4)
        logSink.requestID = nil
        let response = finish(outcome, thread: thread, request: request, dev: dev)
        sandbox.release(ref: ref)
        replaceIfSpent()
        completion(response)
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

    /// A state that hit a limit is replaced before the next request (CONTRACT.md section 6).
    private func replaceIfSpent() {
        guard let sandbox, sandbox.isSpent else { return }
        logger.warning("replacing the Lua state after a limit was hit")
        load()
    }

    /// Builds `req` on the thread's stack. Returns an answer instead when the body is refused.
    private func pushRequestTable(_ request: RouteRequest, on thread: OpaquePointer) -> APIResponse? {
        let api = request.api
        lua_createtable(thread, 0, 12)                                   // stack: ... req
        LuaState.setField("method", api.method, on: thread)
        LuaState.setField("url", api.target, on: thread)
        LuaState.setField("path", request.path, on: thread)
        LuaState.setField("ip", api.remoteAddress, on: thread)

        lua_createtable(thread, 0, Int32(request.params.count))          // stack: ... req params
        for (name, value) in request.params { pushParam(value, on: thread); lua_setfield(thread, -2, name) }
        lua_setfield(thread, -2, "params")                               // stack: ... req

        lua_createtable(thread, 0, Int32(request.query.count + request.params.count))  // stack: ... req query
        for (name, values) in request.query where !request.params.contains(where: { $0.name == name }) {
            if values.count == 1 { LuaState.push(values[0], on: thread) } else { LuaState.pushArray(values, on: thread) }
            lua_setfield(thread, -2, name)
        }
        for (name, value) in request.params { pushParam(value, on: thread); lua_setfield(thread, -2, name) }
        lua_setfield(thread, -2, "query")                                // stack: ... req

        lua_createtable(thread, 0, Int32(api.headers.count))             // stack: ... req headers
        for (name, value) in Self.joinedHeaders(api.headers) { LuaState.setField(name, value, on: thread) }
        lua_setfield(thread, -2, "headers")                              // stack: ... req

        guard !api.body.isEmpty else { return nil }
        LuaState.push(api.body, on: thread)
        lua_setfield(thread, -2, "rawBody")
        guard config.bodyParser else { return nil }
        switch BodyKind(contentType: api.header("content-type"), bodyLength: api.body.count) {
        case .none:
            return nil
        case .text, .raw:
            LuaState.push(api.body, on: thread)
        case .form:
            let form = Self.parseQuery(String(decoding: api.body, as: UTF8.self))
            lua_createtable(thread, 0, Int32(form.count))
            for (name, values) in form {
                if values.count == 1 { LuaState.push(values[0], on: thread) } else { LuaState.pushArray(values, on: thread) }
                lua_setfield(thread, -2, name)
            }
        case .json:
            let context = sandbox!.state.context
            context.pointee.enforce = 1       // a decoded body counts against limits.memory
            let status = api.body.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { lr_json_decode_protected(thread, $0.baseAddress, $0.count) }
            }
            context.pointee.enforce = 0
            if status == LUA_ERRMEM {
                logger.warning("limits.memory exceeded while decoding the request body", metadata: ["request": .string(request.requestID)])
                return HostError.response(413, "Body exceeded \(ByteSize.format(config.limits.memory)) memory limit")
            }
            if status != LUA_OK { return HostError.response(400, "Invalid JSON") }
        }
        lua_setfield(thread, -2, "body")
        return nil
    }

    private func pushParam(_ value: RouteParam, on thread: OpaquePointer) {
        switch value {
        case .single(let text): LuaState.push(text, on: thread)
        case .multiple(let items): LuaState.pushArray(items, on: thread)
        }
    }

    /// Lower-case names; a repeated header's values joined by ", " (CONTRACT.md section 4).
    static func joinedHeaders(_ headers: [(name: String, value: String)]) -> [(String, String)] {
        var order: [String] = []
        var values: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if let existing = values[key] { values[key] = existing + ", " + value } else { order.append(key); values[key] = value }
        }
        return order.map { ($0, values[$0]!) }
    }

    static func parseQuery(_ text: String) -> [(name: String, values: [String])] {
        LuaRoutes.parseQuery(text)
    }

    /// Turns what the coroutine came to into the response.
    private func finish(_ outcome: ResumeOutcome, thread: OpaquePointer, request: RouteRequest, dev: Bool) -> APIResponse {
        let meta: Logger.Metadata = ["request": .string(request.requestID)]
        switch outcome {
        case .returned(let results):
            guard results >= 1, lua_toboolean(thread, -results) != 0, let sandbox else {
                logger.error("\(route.file): the handler returned without sending a response", metadata: meta)
                return HostError.internalError(dev: dev, message: "\(route.file): the handler returned without sending a response")
            }
            let base = lua_gettop(thread) - results                        // stack: true status headers body
            let status = Int(lua_tointegerx(thread, base + 2, nil))
            var headers: [(name: String, value: String)] = []
            let count = lua_rawlen(thread, base + 3)
            var i = 1
            while i + 1 <= count {
                lua_rawgeti(thread, base + 3, lua_Integer(i))
                lua_rawgeti(thread, base + 3, lua_Integer(i + 1))          // stack: ... name value
                headers.append((sandbox.state.string(at: -2, in: thread) ?? "", sandbox.state.string(at: -1, in: thread) ?? ""))
                lr_pop(thread, 2)
                i += 2
            }
            let body = sandbox.state.bytes(at: base + 4, in: thread) ?? []
            lr_pop(thread, results)
            return APIResponse(status: status, headers: headers, body: body)
        case .waiting:
            logger.error("\(route.file): the handler waited on the host, which this build cannot resume", metadata: meta)
            return HostError.internalError(dev: dev, message: "waiting on the host is not supported")
        case .failed(let failure):
            let text = describe(failure, during: "handling \(request.api.method) \(request.path)")
            var logMeta = meta
            if let traceback = failure.traceback { logMeta["traceback"] = .string(traceback) }
            logger.error("\(text)", metadata: logMeta)
            return HostError.internalError(dev: dev, message: text, traceback: failure.traceback)
        }
    }
}
