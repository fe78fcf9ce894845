import CLuaGlue

/// Why user code stopped without finishing.
struct LuaFailure: Error, Equatable {
    enum Kind: Equatable {
        case error           // a Lua error: message and traceback
        case cpu             // limits.cpu spent
        case timeout         // limits.timeout reached while Lua was running
        case memory          // limits.memory reached
        case yield           // a bare coroutine.yield() at the handler's top level
        case hostYieldAtLoad // the module scope waited on the host (fetch), which it may not
    }
    let kind: Kind
    let message: String
    var traceback: String? = nil
}
