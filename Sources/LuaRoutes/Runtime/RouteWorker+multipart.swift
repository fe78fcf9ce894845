import CLuaGlue

/// `multipart/form-data` into `req` (docs/uploads.md): `req.files` is set on the request table,
/// the fields table is left on the stack for `req.body`. The parts' bytes go from the body
/// straight into Lua strings.
extension RouteWorker {
    func pushMultipart(_ api: APIRequest, on thread: OpaquePointer) -> APIResponse? {
        guard let boundary = api.header("content-type").flatMap(MultipartBody.boundary(contentType:)) else {
            return HostError.response(400, "multipart/form-data without a valid boundary parameter")
        }
        let limits = MultipartBody.Limits(fieldSize: config.fieldSizeLimit, fileSize: config.fileSizeLimit ?? config.bodySizeLimit,
                                          parts: config.maxParts)
        let body: MultipartBody
        do {
            body = try MultipartBody(api.body, boundary: boundary, limits: limits)
        } catch {
            switch error {
            case .malformed(let why): return HostError.response(400, "Malformed multipart body: \(why)")
            case .truncated: return HostError.response(400, "Malformed multipart body: truncated (the closing boundary never came)")
            case .tooLarge(let why): return HostError.response(413, "Body part too large: \(why)")
            }
        }
        let files = body.parts.filter { $0.filename != nil }
        api.body.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                func pushData(_ range: Range<Int>) { lua_pushlstring(thread, chars.baseAddress.map { $0 + range.lowerBound }, range.count) }

                lua_createtable(thread, Int32(files.count), 0)                     // stack: ... req files
                for (i, file) in files.enumerated() {
                    lua_createtable(thread, 0, 5)                                   // stack: ... req files file
                    LuaState.setField("name", file.name, on: thread)
                    LuaState.setField("filename", file.filename ?? "", on: thread)
                    LuaState.setField("type", file.contentType ?? "application/octet-stream", on: thread)
                    lua_pushinteger(thread, lua_Integer(file.data.count))
                    lua_setfield(thread, -2, "size")
                    pushData(file.data)
                    lua_setfield(thread, -2, "data")
                    lua_rawseti(thread, -2, lua_Integer(i + 1))                     // stack: ... req files
                }
                lua_setfield(thread, -2, "files")                                   // stack: ... req

                // Fields as a form's: one value a string, a repeated name an array in order.
                var order: [String] = []
                var values: [String: [Range<Int>]] = [:]
                for part in body.parts where part.filename == nil {
                    if values[part.name] == nil { order.append(part.name) }
                    values[part.name, default: []].append(part.data)
                }
                lua_createtable(thread, 0, Int32(order.count))                      // stack: ... req fields
                for name in order {
                    let ranges = values[name]!
                    if ranges.count == 1 {
                        pushData(ranges[0])
                    } else {
                        lua_createtable(thread, Int32(ranges.count), 0)
                        for (i, range) in ranges.enumerated() {
                            pushData(range)
                            lua_rawseti(thread, -2, lua_Integer(i + 1))
                        }
                    }
                    LuaState.setField(name, toValueOnTopOf: thread)
                }
            }
        }
        return nil
    }
}
