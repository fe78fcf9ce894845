/// What answers an ``APIRequest``. The ``Dispatcher`` is the real one; `luaroutes test` and the
/// tests take any responder, so the Hurl runner can be tested without Lua.
public protocol Responder: Sendable {
    func respond(to request: APIRequest) async -> APIResponse
}
