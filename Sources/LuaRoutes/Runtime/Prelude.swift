/// The Lua half of the sandbox: the `.lua` files beside this one (and `Fetch/fetch.lua`), run
/// in this order in every new state before any route code (docs/prelude.md).
///
/// Each file is its own chunk, named after its path (`@prelude/res.lua`), so tracebacks point at
/// the real file and line. Each is called with one shared table `P`: the private C functions
/// that `lr_sandbox_open` built (`P.priv`), the project's environment (`P.env`) and `lib/`
/// sources (`P.modules`), and whatever an earlier file left there for a later one. The last
/// file returns the host's entry points, `classify` (what a route file returned) and `dispatch`
/// (one request).
enum Prelude {
    struct File {
        let chunkName: String
        let source: [UInt8]
    }

    static let files: [File] = [
        File(chunkName: "@prelude/sandbox.lua", source: PackageResources.sandbox_lua),
        File(chunkName: "@prelude/log.lua", source: PackageResources.log_lua),
        File(chunkName: "@prelude/fetch.lua", source: PackageResources.fetch_lua),
        File(chunkName: "@prelude/require.lua", source: PackageResources.require_lua),
        File(chunkName: "@prelude/coroutine.lua", source: PackageResources.coroutine_lua),
        File(chunkName: "@prelude/req.lua", source: PackageResources.req_lua),
        File(chunkName: "@prelude/res.lua", source: PackageResources.res_lua),
        File(chunkName: "@prelude/cookie.lua", source: PackageResources.cookie_lua),
        File(chunkName: "@prelude/stream.lua", source: PackageResources.stream_lua),
        File(chunkName: "@prelude/after.lua", source: PackageResources.after_lua),
        File(chunkName: "@prelude/middleware.lua", source: PackageResources.middleware_lua),
        File(chunkName: "@prelude/route.lua", source: PackageResources.route_lua),
    ]
}
