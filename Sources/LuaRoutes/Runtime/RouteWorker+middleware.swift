import CLuaGlue

/// Middleware (docs/reference.md section 9) is Lua code that runs in the route's own
/// state: each state loads its chain's `_middleware.lua` files once, at module scope, after
/// the route file, and keeps their functions in one array the prelude's `dispatch` walks.
extension RouteWorker {
    /// Runs every file of the chain in `sandbox` and anchors the array of functions they
    /// returned. Returns why it failed (the route then answers 500), or nil.
    func loadMiddleware(in sandbox: Sandbox) -> String? {
        guard !middleware.isEmpty else { return nil }
        let L = sandbox.L
        lua_createtable(L, Int32(middleware.count), 0)                        // stack: chain
        for (i, file) in middleware.enumerated() {
            guard let source = project.middlewareSources[file] else {
                lr_pop(L, 1)
                return "\(file): cannot be read"
            }
            switch sandbox.runChunkLeavingResult(source, chunkName: "@" + file, limits: project.config.routeDefaults.limits) {
            case .failure(let failure):
                lr_pop(L, 1)
                return describe(failure, during: "loading \(file)")
            case .success:
                break                                                         // stack: chain fn
            }
            guard lua_type(L, -1) == LUA_TFUNCTION else {
                let type = String(cString: lua_typename(L, lua_type(L, -1)))
                lr_pop(L, 2)
                return "\(file): a middleware file must return function(req, res, next), got \(type)"
            }
            lua_rawseti(L, -2, lua_Integer(i + 1))                           // stack: chain
        }
        middlewareRef = luaL_ref(L, lr_registryindex())                      // stack: (empty)
        return nil
    }

    /// Pushes the chain's array, or nil when the route has no middleware (dispatch then calls
    /// the handler directly).
    func pushMiddleware(on thread: OpaquePointer) {
        if middlewareRef == LUA_NOREF {
            lua_pushnil(thread)
        } else {
            lua_rawgeti(thread, lr_registryindex(), lua_Integer(middlewareRef))
        }
    }
}
