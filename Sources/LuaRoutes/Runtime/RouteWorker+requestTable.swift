import CLuaGlue
import Logging

extension RouteWorker {
    /// Builds `req` on the thread's stack (docs/reference.md section 4). Returns an answer instead
    /// when the body is refused (invalid JSON, or too large to decode within limits.memory).
    func pushRequestTable(_ request: RouteRequest, on thread: OpaquePointer, in sandbox: Sandbox) -> APIResponse? {
        let api = request.api
        lua_createtable(thread, 0, 12)                                   // stack: ... req
        LuaState.setConstantField("method", api.method, on: thread)
        LuaState.setConstantField("url", api.target, on: thread)
        LuaState.setConstantField("path", request.path, on: thread)
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

        if !api.headers.isEmpty {
            lua_createtable(thread, 0, Int32(api.headers.count))         // stack: ... req headers
            for (name, value) in HeaderFields.joined(api.headers) { LuaState.setField(name, value, on: thread) }
            lua_setfield(thread, -2, "headers")                          // stack: ... req
        }

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

/// Hands a fetch answer to the C continuation for exactly one resume: the bytes stay valid
/// while Lua copies them, and the pointer is cleared afterwards.
enum FetchAnswer {
    static func scoped<T>(_ answer: FetchOutcome?, in context: UnsafeMutablePointer<lr_ctx>, _ body: () -> T) -> T {
        guard let answer else { return body() }
        var result = lr_fetch_result()
        switch answer {
        case .failure(let message):
            return Array(message.utf8).withUnsafeBufferPointer { text in
                text.withMemoryRebound(to: CChar.self) { text in
                    result.ok = 0
                    result.error = text.baseAddress
                    result.error_len = text.count
                    return with(&result, in: context, body)
                }
            }
        case .response(let status, let headers, let responseBody):
            var flat: [UInt8] = []
            for (i, (name, value)) in headers.enumerated() {
                if i > 0 { flat.append(0) }
                flat += name.utf8
                flat.append(0)
                flat += value.utf8
            }
            return flat.withUnsafeBufferPointer { headerBytes in
                responseBody.withUnsafeBufferPointer { bodyBytes in
                    headerBytes.withMemoryRebound(to: CChar.self) { headerChars in
                        bodyBytes.withMemoryRebound(to: CChar.self) { bodyChars in
                            result.ok = 1
                            result.status = Int32(status)
                            result.headers = headerChars.baseAddress
                            result.headers_len = headerChars.count
                            result.body = bodyChars.baseAddress
                            result.body_len = bodyChars.count
                            return with(&result, in: context, body)
                        }
                    }
                }
            }
        }
    }

    private static func with<T>(_ result: inout lr_fetch_result, in context: UnsafeMutablePointer<lr_ctx>, _ body: () -> T) -> T {
        withUnsafePointer(to: &result) { pointer in
            context.pointee.fetch_result = pointer
            defer { context.pointee.fetch_result = nil }
            return body()
        }
    }
}
