import CLuaGlue

extension RequestHead {
    /// Sets `req.headers`' entries on the table on top of `thread`, straight from the head's
    /// bytes: lower-case names, a repeated name's values joined by ", " in arrival order (the
    /// rule of ``HeaderFields/joined(_:)``, docs/reference.md section 4). No Swift String.
    func setLuaHeaders(on thread: OpaquePointer) {
        bytes.withUnsafeReadableBytes { all in
            for field in fields {
                let name = UnsafeRawBufferPointer(rebasing: all[Int(field.nameStart)..<Int(field.nameEnd)])
                if name.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: name.count) { lower in
                        for i in 0..<name.count { lower[i] = HTTPBytes.lowercased(name[i]) }
                        Self.push(UnsafeRawBufferPointer(lower), on: thread)
                    }
                } else {
                    Self.push(name, on: thread)
                }                                                       // stack: ... headers name
                lua_pushvalue(thread, -1)                               // stack: ... headers name name
                let value = UnsafeRawBufferPointer(rebasing: all[Int(field.valueStart)..<Int(field.valueEnd)])
                if lua_rawget(thread, -3) == LUA_TNIL {                 // stack: ... headers name earlier
                    lua_settop(thread, -2)                              // stack: ... headers name
                    Self.push(value, on: thread)                        // stack: ... headers name value
                } else {
                    _ = lua_pushlstring(thread, ", ", 2)
                    Self.push(value, on: thread)
                    lua_concat(thread, 3)                               // stack: ... headers name "earlier, value"
                }
                lua_rawset(thread, -3)                                  // stack: ... headers
            }
        }
    }

    @inline(__always)
    private static func push(_ bytes: UnsafeRawBufferPointer, on thread: OpaquePointer) {
        _ = lua_pushlstring(thread, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
    }
}
