/* The C half of res.write (the Lua half is prelude/stream.lua): hand the chunk to the host,
 * yield the host sentinel, and on resume say whether the connection took it. */
#include <lua5.4/lauxlib.h>
#include "lr_stream.h"
#include "lr_sandbox.h"
#include "lr_state.h"

static int lr_stream_result(lua_State *L, int closed) {
    if (closed) {
        lua_pushnil(L);
        lua_pushliteral(L, "closed");
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int lr_stream_continue(lua_State *L, int status, lua_KContext kctx) {
    (void)status; (void)kctx;
    return lr_stream_result(L, lr_getctx(L)->stream_closed);
}

int lr_stream_write(lua_State *L) {
    size_t len;
    const char *chunk = luaL_checklstring(L, 1, &len);
    int head = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checkinteger(L, 2);
        luaL_checktype(L, 3, LUA_TTABLE);
        luaL_checktype(L, 4, LUA_TTABLE);
        head = 2;
    }
    if (!lua_isyieldable(L)) {
        return luaL_error(L, "res.write: cannot wait here (inside a C call such as table.sort, string.gsub or a metamethod)");
    }
    lr_ctx *c = lr_getctx(L);
    if (!c->stream_write) return luaL_error(L, "res.write: only available while handling a request");
    int answer = c->stream_write(c->host, L, head, chunk, len);
    if (answer < 0) return luaL_error(L, "res.write: only available while handling a request");
    if (answer > 0) return lr_stream_result(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LR_REG_HOST);   /* stack: ... HOST */
    return lua_yieldk(L, 1, 0, lr_stream_continue);
}
