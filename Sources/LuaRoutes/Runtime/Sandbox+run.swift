import CLuaGlue

extension Sandbox {
    /// Starts a fresh CPU budget: one per request (and one per module-scope run).
    func startBudget(_ limits: SandboxLimits) {
        state.context.pointee.cpu_used_ns = 0
        state.context.pointee.cpu_budget_ns = limits.cpuNanoseconds
    }

    /// True once the state hit a limit: its contents may be inconsistent (a half-updated module
    /// table), so the owner replaces it by a fresh one (docs/reference.md section 6).
    var isSpent: Bool {
        state.context.pointee.spent != 0 || state.context.pointee.refusals > 0
    }

    /// Marks the state for replacement (a request was abandoned mid-way).
    func markSpent() {
        state.context.pointee.spent = 1
    }

    /// Resumes `thread` with the `arguments` on top of its stack, the memory cap and the limit
    /// signal's watch (CPU and wall time, lr_clock.c) on for exactly as long as user code runs.
    func resume(_ thread: OpaquePointer, arguments: Int32, wallDeadline: Int64 = 0) -> ResumeOutcome {
        let context = state.context
        var results: Int32 = 0
        context.pointee.wall_deadline_ns = wallDeadline
        lr_enter_user(context, thread)
        let status = lua_resume(thread, state.L, arguments, &results)
        lr_leave_user(context)

        switch context.pointee.tripped {
        case Int32(LR_TRIP_CPU): return .failed(LuaFailure(kind: .cpu, message: "CPU limit exceeded"))
        case Int32(LR_TRIP_TIMEOUT): return .failed(LuaFailure(kind: .timeout, message: "time limit exceeded"))
        default: break
        }
        switch status {
        case LUA_OK:
            return .returned(results: results)
        case LUA_YIELD:
            let isHost = results >= 1 && lr_is_host_sentinel(thread, -results) != 0
            lr_pop(thread, results)
            if isHost { return .waiting }
            return .failed(LuaFailure(kind: .yield, message: "coroutine.yield() outside a coroutine the handler created"))
        case LUA_ERRMEM:
            return .failed(LuaFailure(kind: .memory, message: "not enough memory"))
        default:
            if context.pointee.refusals > context.pointee.refusals_at_enter {
                // The handler caught the memory error and raised another: still out of memory.
                return .failed(LuaFailure(kind: .memory, message: "not enough memory"))
            }
            guard lr_push_traceback(state.L, thread) == LUA_OK else {
                return .failed(LuaFailure(kind: .error, message: "(error while describing an error)"))
            }
            let failure = LuaFailure(kind: .error, message: state.string(at: -2) ?? "?", traceback: state.string(at: -1))
            lr_pop(state.L, 2)
            return .failed(failure)
        }
    }

    /// A new coroutine, anchored in the registry (or the collector could free it mid-request)
    /// and known as a request's own, so script code cannot resume it while it waits on the host.
    func newThread() -> (thread: OpaquePointer, ref: Int32) {
        var ref: Int32 = 0
        // Runs outside the memory cap (no user code is running), so only the system's own
        // memory can fail it, as it would any allocation of the host.
        guard let thread = lr_new_root_thread(state.L, &ref) else { fatalError("out of memory creating a Lua coroutine") }
        return (thread, ref)
    }

    func release(ref: Int32) {
        luaL_unref(state.L, lr_registryindex(), ref)
    }

    /// A coroutine for a request: a pooled one when there is one.
    func acquireThread() -> (thread: OpaquePointer, ref: Int32) {
        idleThreads.popLast() ?? newThread()
    }

    /// Returns a coroutine whose function returned normally (status OK, stack emptied) to the
    /// pool. One that errored, was cut off or is still suspended is never reused: release it.
    func recycle(_ thread: OpaquePointer, ref: Int32) {
        guard lua_status(thread) == LUA_OK, idleThreads.count < Self.maxIdleThreads, !isSpent else {
            return release(ref: ref)
        }
        lua_settop(thread, 0)
        lua_sethook(thread, nil, 0, 0)   // a trip hook set as the request ended must not stop the next one
        idleThreads.append((thread, ref))
    }

    /// Loads and runs a text chunk (a route file, the config file) under the limits, in a
    /// coroutine of its own. On success its first result is left on top of the main stack.
    func runChunkLeavingResult(_ source: String, chunkName: String, limits: SandboxLimits = SandboxLimits()) -> Result<Void, LuaFailure> {
        if let error = state.loadText(source, chunkName: chunkName) {   // stack: chunk
            return .failure(LuaFailure(kind: .error, message: error))
        }
        let (thread, ref) = newThread()
        defer { release(ref: ref) }
        lua_xmove(state.L, thread, 1)                                      // thread stack: chunk
        startBudget(limits)
        switch resume(thread, arguments: 0) {
        case .returned(let results):
            if results == 0 { lua_pushnil(thread) }
            if results > 1 { lua_settop(thread, lua_gettop(thread) - results + 1) }   // keep the first
            lua_xmove(thread, state.L, 1)
            return .success(())
        case .waiting:
            return .failure(LuaFailure(kind: .hostYieldAtLoad, message: "\(chunkName.dropFirst()): fetch cannot run at module scope (call it from a handler)"))
        case .failed(let failure):
            return .failure(failure)
        }
    }

    /// Runs a chunk and copies its first result out (the config file).
    func runChunk(_ source: String, chunkName: String) -> Result<LuaValue, LuaFailure> {
        runChunkLeavingResult(source, chunkName: chunkName).map {
            defer { lr_pop(state.L, 1) }
            return LuaValue.read(state.L, at: -1)
        }
    }
}
