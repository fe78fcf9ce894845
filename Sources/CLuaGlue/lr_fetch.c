/* The C half of fetch: hand the request to the host, yield the host sentinel, and on resume
 * push what the host set in ctx->fetch_result. The Lua half (options, the response table) is
 * in the prelude. */
#include <lua5.4/lauxlib.h>
#include "lr_fetch.h"
#include "lr_sandbox.h"
#include "lr_state.h"

static int lr_fetch_continue(lua_State *L, int status, lua_KContext kctx) {
    (void)status; (void)kctx;
    const lr_fetch_result *r = lr_getctx(L)->fetch_result;
    if (!r) return luaL_error(L, "fetch: resumed without an answer");
    if (!r->ok) {
        lua_pushnil(L);
        lua_pushlstring(L, r->error, r->error_len);
        return 2;
    }
    lua_pushinteger(L, r->status);
    lua_pushlstring(L, r->headers, r->headers_len);
    lua_pushlstring(L, r->body, r->body_len);
    return 3;
}

int lr_fetch_start(lua_State *L) {
    lr_fetch_request request = {0};
    request.url = luaL_checklstring(L, 1, &request.url_len);
    request.method = luaL_checklstring(L, 2, &request.method_len);
    request.headers = luaL_checklstring(L, 3, &request.headers_len);
    if (!lua_isnoneornil(L, 4)) request.body = luaL_checklstring(L, 4, &request.body_len);
    request.timeout_seconds = luaL_optnumber(L, 5, 0);

    lr_ctx *c = lr_getctx(L);
    if (!lua_isyieldable(L)) {
        return luaL_error(L, "fetch: cannot wait here (inside a C call such as table.sort, string.gsub or a metamethod)");
    }
    char err[256] = {0};
    if (!c->fetch_start || c->fetch_start(c->host, &request, err, sizeof err) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err[0] ? err : "fetch: only available while handling a request");
        return 2;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, LR_REG_HOST);   /* stack: ... HOST */
    return lua_yieldk(L, 1, 0, lr_fetch_continue);
}
