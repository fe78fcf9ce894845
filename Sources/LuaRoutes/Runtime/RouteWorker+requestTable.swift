import CLuaGlue
import Logging

extension RouteWorker {
    /// Builds `req` on the thread's stack (docs/reference.md section 4). Returns an answer instead
    /// when the body is refused (invalid JSON, or too large to decode within limits.memory).
    /// `methodIndex`: where the method string is on the stack already (dispatch's argument).
    func pushRequestTable(_ request: RouteRequest, methodIndex: Int32, on thread: OpaquePointer, in sandbox: Sandbox) -> APIResponse? {
        let api = request.api
        lua_createtable(thread, 0, 12)                                   // stack: ... req
        // Each string is made (hashed and interned) once: the method is dispatch's, and a
        // target without a query is the path too.
        lua_pushvalue(thread, methodIndex)
        LuaState.setConstantField("method", toValueOnTopOf: thread)
        LuaState.setConstantField("url", api.target, on: thread)
        if request.path == api.target {
            _ = lua_getfield(thread, -1, "url")                          // stack: ... req url
        } else {
            LuaState.push(request.path, on: thread)                      // stack: ... req path
        }
        LuaState.setConstantField("path", toValueOnTopOf: thread)        // stack: ... req
        LuaState.setConstantField("ip", api.remoteAddress, on: thread)

        // Empty params, query and headers are left out: the prelude's req metatable makes an
        // empty table on first read, so most requests build three tables fewer.
        if !request.params.isEmpty {
            lua_createtable(thread, 0, Int32(request.params.count))      // stack: ... req params
            for (name, value) in request.params { pushParam(value, on: thread); LuaState.setField(name, toValueOnTopOf: thread) }
            lua_setfield(thread, -2, "params")                           // stack: ... req
        }

        if !request.query.isEmpty || !request.params.isEmpty {
            lua_createtable(thread, 0, Int32(request.query.count + request.params.count))  // stack: ... req query
            for (name, values) in request.query where !request.params.contains(where: { $0.name == name }) {
                if values.count == 1 { LuaState.push(values[0], on: thread) } else { LuaState.pushArray(values, on: thread) }
                LuaState.setField(name, toValueOnTopOf: thread)
            }
            for (name, value) in request.params { pushParam(value, on: thread); LuaState.setField(name, toValueOnTopOf: thread) }
            lua_setfield(thread, -2, "query")                            // stack: ... req
        }

        if api.headerCount > 0 {
            lua_createtable(thread, 0, Int32(api.headerCount))           // stack: ... req headers
            if let head = api.head {
                head.setLuaHeaders(on: thread)   // from the head's bytes: no String per header
            } else {
                for (name, value) in HeaderFields.joined(api.headers) { LuaState.setField(name, value, on: thread) }
            }
            lua_setfield(thread, -2, "headers")                          // stack: ... req
        }

        guard !api.body.isEmpty else { return nil }
        LuaState.push(api.body, on: thread)
        lua_setfield(thread, -2, "rawBody")
        guard config.bodyParser else { return nil }
        switch api.bodyKind {
        case .none:
            return nil
        case .text, .raw:
            LuaState.push(api.body, on: thread)
        case .multipart:
            if let refusal = pushMultipart(api, on: thread) { return refusal }   // stack: ... req fields
        case .form:
            let form = parseQuery(String(decoding: api.body, as: UTF8.self))
            lua_createtable(thread, 0, Int32(form.count))
            for (name, values) in form {
                if values.count == 1 { LuaState.push(values[0], on: thread) } else { LuaState.pushArray(values, on: thread) }
                LuaState.setField(name, toValueOnTopOf: thread)
            }
        case .json:
            let context = sandbox.state.context
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
}
