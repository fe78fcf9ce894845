import CLuaGlue

/// What one `lua_resume` of a request's (or a chunk's) root coroutine came to.
enum ResumeOutcome {
    case returned(results: Int32)   // values on the coroutine's stack
    case waiting                    // yielded to the host (fetch); resume it when the answer comes
    case failed(LuaFailure)
}
