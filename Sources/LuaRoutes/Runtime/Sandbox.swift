import CLuaGlue

/// A ``LuaState`` with the sandbox of docs/reference.md section 6 installed: the kept standard
/// libraries, `json`, `env`, `log`, `print`, `require` from `lib/`, and the host's entry points
/// (`classify`, `dispatch`) from the ``Prelude``.
public final class Sandbox {
    let state: LuaState
    let callbacks: SandboxCallbacks
    private let classifyRef: Int32
    private let dispatchRef: Int32
    /// The prelude's runner of `res.after` work (prelude/after.lua).
    private let afterRef: Int32
    /// Coroutines that finished normally, ready for the next request (a new one costs a
    /// lua_newthread and a registry slot).
    var idleThreads: [(thread: OpaquePointer, ref: Int32)] = []
    static let maxIdleThreads = 32

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    /// - Parameters:
    ///   - environment: what `env.NAME` reads.
    ///   - modules: `lib/` sources by path relative to ROOT ("lib/a/b.lua").
    ///   - jsonSortKeys: the project's `json = { sortKeys = true }`: res.json writes object keys sorted.
    init(limits: SandboxLimits, environment: [String: String], modules: [String: String], callbacks: SandboxCallbacks,
         jsonSortKeys: Bool = false) throws(SetupError) {
        let unlimited = !limits.enforced
        guard let state = LuaState(memoryCap: unlimited ? 0 : limits.memory) else { throw SetupError(description: "cannot create a Lua state") }
        if unlimited { state.context.pointee.unlimited = 1 }
        self.state = state
        self.callbacks = callbacks
        let L = state.L
        callbacks.install(in: state.context)

        guard lr_call_protected(L, lr_sandbox_open, 0, 1) == LUA_OK else {  // stack: priv
            let message = state.string(at: -1) ?? "?"
            throw SetupError(description: "cannot open the sandbox libraries: \(message)")
        }
        lua_createtable(L, 0, 16)                                            // stack: priv P
        lua_rotate(L, -2, 1)                                                 // stack: P priv
        lua_setfield(L, -2, "priv")                                          // stack: P
        lua_createtable(L, 0, Int32(environment.count))
        for (name, value) in environment { LuaState.setField(name, value, on: L) }
        lua_setfield(L, -2, "env")
        lua_createtable(L, 0, Int32(modules.count))
        for (path, source) in modules { LuaState.setField(path, source, on: L) }
        lua_setfield(L, -2, "modules")                                       // stack: P
        if jsonSortKeys {
            lua_createtable(L, 0, 1)
            lua_pushboolean(L, 1)
            lua_setfield(L, -2, "sort_keys")
            lua_setfield(L, -2, "json_defaults")                             // stack: P
        }
        for (index, file) in Prelude.files.enumerated() {
            if let error = state.loadPrelude(file) {
                throw SetupError(description: "the prelude does not compile: \(error)")
            }                                                                // stack: P chunk
            lua_pushvalue(L, -2)                                             // stack: P chunk P
            guard lr_pcall(L, 1, 1, 0) == LUA_OK else {                      // stack: P result
                let message = state.string(at: -1) ?? "?"
                throw SetupError(description: "the prelude failed: \(message)")
            }
            if index < Prelude.files.count - 1 { lr_pop(L, 1) }              // stack: P
        }                                                                    // stack: P entry
        lua_rotate(L, -2, 1)
        lr_pop(L, 1)                                                         // stack: entry
        lua_getfield(L, -1, "classify")
        classifyRef = luaL_ref(L, lr_registryindex())
        lua_getfield(L, -1, "dispatch")
        dispatchRef = luaL_ref(L, lr_registryindex())
        lua_getfield(L, -1, "after")
        afterRef = luaL_ref(L, lr_registryindex())
        lua_getfield(L, -1, "json_entry")                                    // kept alive by res.json
        state.jsonTypeEntry = lua_topointer(L, -1)
        lr_pop(L, 1)
        lr_pop(L, 1)                                                         // stack: (empty)
    }

    var L: OpaquePointer { state.L }

    /// Pushes the prelude's dispatch function onto `thread`.
    func pushDispatch(on thread: OpaquePointer) {
        lua_rawgeti(thread, lr_registryindex(), lua_Integer(dispatchRef))
    }

    func pushAfterRunner(on thread: OpaquePointer) {
        lua_rawgeti(thread, lr_registryindex(), lua_Integer(afterRef))
    }

    /// Runs `classify` on the value at the top of the stack (popping it) and returns what a
    /// route file exported. Our own code: no limits needed.
    func classify() -> (kind: RouteKind, methods: [String], config: LuaValue) {
        let L = state.L
        lua_rawgeti(L, lr_registryindex(), lua_Integer(classifyRef))   // stack: mod classify
        lua_rotate(L, -2, 1)                                           // stack: classify mod
        guard lr_pcall(L, 1, 3, 0) == LUA_OK else {
            let message = state.string(at: -1) ?? "?"
            lr_pop(L, 1)
            return (.invalid(message), [], .nil)
        }                                                              // stack: kind methods|reason config
        defer { lr_pop(L, 3) }
        guard let kind = state.string(at: -3) else {
            return (.invalid(state.string(at: -2) ?? "invalid route file"), [], .nil)
        }
        let methods = (state.string(at: -2) ?? "").split(separator: ",").map(String.init)
        let config = LuaValue.read(L, at: -1)
        switch kind {
        case "function": return (.function, methods, config)
        case "handler": return (.handler, methods, config)
        default: return (.methods, methods, config)
        }
    }
}
