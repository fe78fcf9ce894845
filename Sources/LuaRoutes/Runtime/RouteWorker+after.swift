import CLuaGlue
import Logging

/// `res.after` (docs/after.md): the functions a handler registered run once its answer is
/// written, in a coroutine of their own in the same state, under the route's limits (a fresh
/// CPU budget and limits.timeout), with fetch and db available. Failures are logged with the
/// request id; the answer never waits for them.
extension RouteWorker {
    /// Takes the after-work list `dispatch` returned last (nil or a table) off the coroutine's
    /// stack and anchors it; returns how many results are left for the answer.
    func takeAfterWork(from inFlight: InFlightRequest, results: Int32) -> Int32 {
        guard !inFlight.isAfterWork, results == 6 || results == 3 else { return results }
        let thread = inFlight.thread
        if lua_type(thread, -1) == LUA_TTABLE {
            let L = inFlight.sandbox.L
            lua_xmove(thread, L, 1)
            inFlight.afterRef = luaL_ref(L, lr_registryindex())
            afterWork.started()
        } else {
            lr_pop(thread, 1)
        }
        return results - 1
    }

    /// Runs the anchored list in a later event-loop task, once the answer went out.
    func scheduleAfterWork(of inFlight: InFlightRequest) {
        let ref = inFlight.afterRef
        guard ref != LUA_NOREF else { return }
        inFlight.afterRef = LUA_NOREF
        let sandbox = inFlight.sandbox
        loop.assumeIsolated().execute { [self] in
            let work = InFlightRequest(request: inFlight.request, sandbox: sandbox, dev: inFlight.dev, timeoutNanoseconds: config.limits.timeoutNanoseconds) {
                [afterWork] _ in afterWork.finished()
            }
            work.isAfterWork = true
            sandbox.pushAfterRunner(on: work.thread)                            // stack: runner
            lua_rawgeti(work.thread, lr_registryindex(), lua_Integer(ref))      // stack: runner list
            sandbox.release(ref: ref)
            sandbox.startBudget(config.limits)
            run(work, arguments: 1, answer: nil)
        }
    }
}
