import CLuaGlue

/// Owns one `lua_State` and its C context (memory cap, CPU budget, log sink); closes both when
/// released. No other type keeps the raw pointer beyond a call.
///
/// Confined to one thread at a time (the event loop of the worker that owns it).
final class LuaState {
    let L: OpaquePointer
    let context: UnsafeMutablePointer<lr_ctx>
    /// The prelude's one Content-Type entry of JSON answers (prelude/res.lua JSON_ENTRY), set
    /// by ``Sandbox``: the host reads it back as constant text (RouteWorker.headers).
    var jsonTypeEntry: UnsafeRawPointer?

    /// - Parameter memoryCap: bytes this state may hold while user code runs; 0 for no cap.
    init?(memoryCap: Int) {
        context = .allocate(capacity: 1)
        context.initialize(to: lr_ctx())
        context.pointee.cap = memoryCap
        guard let state = lr_newstate(context) else {
            context.deallocate()
            return nil
        }
        L = state
    }

    deinit {
        lr_closestate(L, context)
        context.deallocate()
    }

    var memoryInUse: Int { context.pointee.used }

    /// Loads a text chunk; pushes the function, or returns the compile error (nothing pushed).
    func loadText(_ source: String, chunkName: String) -> String? {
        var source = source
        let status = source.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { lr_load_text(L, $0.baseAddress, $0.count, chunkName) }
        }
        return loaded(status, chunkName: chunkName)
    }

    /// Loads one of the prelude's files: the host's own constant text, compiled once per process
    /// and loaded from its bytecode afterwards (`lr_load_prelude`). Pushes the function, or
    /// returns the compile error.
    func loadPrelude(_ file: Prelude.File) -> String? {
        let status = file.source.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { lr_load_prelude(L, $0.baseAddress, $0.count, file.chunkName) }
        }
        return loaded(status, chunkName: file.chunkName)
    }

    private func loaded(_ status: Int32, chunkName: String) -> String? {
        if status == LUA_OK { return nil }
        let message = string(at: -1) ?? "cannot load \(chunkName)"
        lr_pop(L, 1)
        return message
    }
}

// MARK: - Stack access that cannot raise (docs/swift-lua.md section 2)
//
// Pushing strings and tables allocates, so these run only with the memory cap off (the host
// never enforces it while it builds values); with the cap off only a real malloc failure raises.
extension LuaState {
    /// The string at `index`, or nil when the value there is not a string. Never converts a
    /// number in place (that would allocate).
    func string(at index: Int32, in thread: OpaquePointer? = nil) -> String? {
        let T = thread ?? L
        guard lua_type(T, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let chars = lua_tolstring(T, index, &length) else { return nil }
        return chars.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// The bytes of the string at `index`, or nil when it is not a string.
    func bytes(at index: Int32, in thread: OpaquePointer) -> [UInt8]? {
        guard lua_type(thread, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let chars = lua_tolstring(thread, index, &length) else { return nil }
        return chars.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    static func push(_ string: String, on thread: OpaquePointer) {
        var string = string
        string.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(thread, $0.baseAddress, $0.count) }
        }
    }

    static func push(_ bytes: [UInt8], on thread: OpaquePointer) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(thread, $0.baseAddress, $0.count) }
        }
    }

    /// t[key] = string, for the table at the top of the stack (raw: the host's own tables).
    /// The key is pushed from its UTF-8 bytes: passing a Swift String where C wants a
    /// `const char *` copies a small string into a new NUL-terminated array first.
    static func setField(_ key: String, _ value: String, on thread: OpaquePointer) {
        push(key, on: thread)
        push(value, on: thread)
        lua_rawset(thread, -3)
    }

    /// t[key] = string for a constant key: its static bytes are NUL-terminated already, and
    /// Lua's string cache finds the interned key by that address.
    static func setConstantField(_ key: StaticString, _ value: String, on thread: OpaquePointer) {
        push(value, on: thread)
        setConstantField(key, toValueOnTopOf: thread)
    }

    /// t[key] = the value on top of the stack (popped), for the table just below it.
    static func setConstantField(_ key: StaticString, toValueOnTopOf thread: OpaquePointer) {
        key.withUTF8Buffer { $0.withMemoryRebound(to: CChar.self) { lua_setfield(thread, -2, $0.baseAddress) } }
    }

    /// t[key] = the value on top of the stack, for the table just below it (raw).
    static func setField(_ key: String, toValueOnTopOf thread: OpaquePointer) {
        push(key, on: thread)           // stack: ... t value key
        lua_rotate(thread, -2, 1)       // stack: ... t key value
        lua_rawset(thread, -3)
    }

    /// An array of strings as a new table on top of the stack.
    static func pushArray(_ values: [String], on thread: OpaquePointer) {
        lua_createtable(thread, Int32(values.count), 0)
        for (i, value) in values.enumerated() {
            push(value, on: thread)
            lua_rawseti(thread, -2, lua_Integer(i + 1))
        }
    }
}
