/* setmetatable, load and print as Lua 5.4.4's lbaselib.c has them, with the sandbox's
 * documented removals and changes, and the argument check the prelude's Lua wrappers raise with.
 *
 * Why C: a Lua wrapper that calls the standard function reports that function's errors from
 * inside the prelude, under the wrapper's local names ("[luaroutes prelude]:182: bad argument
 * #1 to 'co_create'"). A C function called by the script reports them as the standard one
 * does: the caller's line, the name the caller used ("x.lua:1: bad argument #1 to 'wrap'").
 *
 * The code follows Lua 5.4.4 (Copyright (C) 1994-2022 Lua.org, PUC-Rio, MIT licence: see the
 * notice in lr_pattern.c, which applies to this file too). */
#include <string.h>
#include <lua5.4/lauxlib.h>
#include "lr_stock.h"

/* setmetatable(t, mt): lbaselib.c's luaB_setmetatable, refusing a metatable with __gc (a
 * finalizer would run user code outside any request's limits). */
int lr_l_setmetatable(lua_State *L) {
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "setmetatable: __gc metamethods are not allowed");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* load(chunk [, chunkname [, mode [, env]]]): lbaselib.c's luaB_load with two removals:
 * binary chunks are never loaded, whatever the mode allows, and the environment is always the
 * sandbox's (a nil env counts as none). The mode is otherwise honoured: a text chunk under
 * mode "b" fails with Lua's own message. */
#define RESERVEDSLOT 5
#define BINARY_REFUSED "attempt to load a binary chunk (binary chunks are not allowed in the sandbox)"

typedef struct { int checked, refuse_binary; } lr_reader_state;

static const char *lr_generic_reader(lua_State *L, void *ud, size_t *size) {
    lr_reader_state *st = ud;
    luaL_checkstack(L, 2, "too many nested functions");
    lua_pushvalue(L, 1);   /* get function */
    lua_call(L, 0, 1);     /* call it */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        *size = 0;
        return NULL;
    } else if (!lua_isstring(L, -1))
        luaL_error(L, "reader function must return a string");
    lua_replace(L, RESERVEDSLOT);  /* save string in reserved slot */
    const char *piece = lua_tolstring(L, RESERVEDSLOT, size);
    if (!st->checked && *size > 0) {   /* the first byte says text or binary */
        st->checked = 1;
        if (st->refuse_binary && piece[0] == LUA_SIGNATURE[0]) {
            lua_pushliteral(L, BINARY_REFUSED);   /* no position: as Lua's own mode error */
            lua_error(L);
        }
    }
    return piece;
}

int lr_l_load(lua_State *L) {
    int status;
    size_t l;
    const char *s = lua_tolstring(L, 1, &l);
    const char *mode = luaL_optstring(L, 3, "bt");
    if (!lua_isnoneornil(L, 4)) return luaL_argerror(L, 4, "a custom environment is not allowed in the sandbox");
    /* Where the mode lets a binary chunk through, the sandbox refuses it; where it does not,
     * Lua's own check answers ("attempt to load a binary chunk (mode is 't')"). */
    int refuse_binary = strchr(mode, 'b') != NULL;
    if (s != NULL) {  /* loading a string? */
        const char *chunkname = luaL_optstring(L, 2, s);
        if (refuse_binary && l > 0 && s[0] == LUA_SIGNATURE[0]) {
            luaL_pushfail(L);
            lua_pushliteral(L, BINARY_REFUSED);
            return 2;
        }
        status = luaL_loadbufferx(L, s, l, chunkname, mode);
    } else {  /* loading from a reader function */
        const char *chunkname = luaL_optstring(L, 2, "=(load)");
        lr_reader_state st = {0, refuse_binary};
        luaL_checktype(L, 1, LUA_TFUNCTION);
        lua_settop(L, RESERVEDSLOT);  /* create reserved slot */
        status = lua_load(L, lr_generic_reader, &st, chunkname, mode);
    }
    if (status == LUA_OK) return 1;   /* the first upvalue is the globals table: the sandbox's */
    luaL_pushfail(L);
    lua_insert(L, -2);  /* put before error message */
    return 2;           /* return fail plus error message */
}

/* print(...): lbaselib.c's luaB_print, writing one line to the host's log (the upvalue: the
 * prelude's log function, called with level 1, info) instead of stdout. Each value goes
 * through luaL_tolstring as in Lua's, so a bad __tostring is reported at the caller's line. */
static int lr_l_print(lua_State *L) {
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);                   /* stack: args... line */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushinteger(L, 1);
    lua_rotate(L, -3, 2);                  /* stack: args... log 1 line */
    lua_call(L, 2, 0);
    return 0;
}

/* lauxlib.c's findfield and pushglobalfuncname (static there): the name under which a
 * function is reachable from package.loaded, "_G." dropped, for messages. */
static int lr_findfield(lua_State *L, int objidx, int level) {
    if (level == 0 || !lua_istable(L, -1)) return 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING) {
            if (lua_rawequal(L, objidx, -1)) {
                lua_pop(L, 1);
                return 1;
            } else if (lr_findfield(L, objidx, level - 1)) {
                lua_pushliteral(L, ".");   /* stack: lib_name lib_table field_name "." */
                lua_replace(L, -3);
                lua_concat(L, 3);
                return 1;
            }
        }
        lua_pop(L, 1);
    }
    return 0;
}

static int lr_pushglobalfuncname(lua_State *L, lua_Debug *ar) {
    int top = lua_gettop(L);
    lua_getinfo(L, "f", ar);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lr_findfield(L, top + 1, 2)) {
        const char *name = lua_tostring(L, -1);
        if (strncmp(name, LUA_GNAME ".", 3) == 0) {
            lua_pushstring(L, name + 3);
            lua_remove(L, -2);
        }
        lua_copy(L, -1, top + 1);
        lua_settop(L, top + 1);
        return 1;
    }
    lua_settop(L, top);
    return 0;
}

/* typeerror(arg, expected, ...): raises what luaL_typeerror would raise had the calling Lua
 * wrapper been the standard C function: `...` are the wrapper's own arguments (so a missing
 * one reads "no value"), the function's name is the one its caller used (or its global name),
 * the position is the caller's line. Level 1 is the wrapper, level 2 its caller. */
int lr_l_typeerror(lua_State *L) {
    int arg = (int)luaL_checkinteger(L, 1);
    const char *expected = luaL_checkstring(L, 2);
    int idx = 2 + arg;
    const char *typearg;
    if (idx > lua_gettop(L)) typearg = "no value";
    else if (luaL_getmetafield(L, idx, "__name") == LUA_TSTRING) typearg = lua_tostring(L, -1);
    else if (lua_type(L, idx) == LUA_TLIGHTUSERDATA) typearg = "light userdata";
    else typearg = luaL_typename(L, idx);
    const char *msg = lua_pushfstring(L, "%s expected, got %s", expected, typearg);
    lua_Debug ar;
    if (!lua_getstack(L, 1, &ar)) return luaL_error(L, "bad argument #%d (%s)", arg, msg);
    lua_getinfo(L, "n", &ar);
    if (ar.namewhat != NULL && strcmp(ar.namewhat, "method") == 0) {
        arg--;   /* do not count 'self' */
        if (arg == 0) {
            luaL_where(L, 2);
            lua_pushfstring(L, "calling '%s' on bad self (%s)", ar.name, msg);
            lua_concat(L, 2);
            return lua_error(L);
        }
    }
    if (ar.name == NULL) ar.name = lr_pushglobalfuncname(L, &ar) ? lua_tostring(L, -1) : "?";
    luaL_where(L, 2);
    lua_pushfstring(L, "bad argument #%d to '%s' (%s)", arg, ar.name, msg);
    lua_concat(L, 2);
    return lua_error(L);
}

void lr_stock_install(lua_State *L) {
    static const luaL_Reg funcs[] = {
        {"setmetatable", lr_l_setmetatable}, {"load", lr_l_load}, {"typeerror", lr_l_typeerror},
        {NULL, NULL}};
    luaL_setfuncs(L, funcs, 0);
    lua_getfield(L, -1, "log");            /* stack: priv log */
    lua_pushcclosure(L, lr_l_print, 1);
    lua_setfield(L, -2, "print");
}
