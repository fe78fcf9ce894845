/* The Lua face of `shared` dictionaries (docs/data.md ("shared")). Every function checks its
 * arguments (raising Lua's own "bad argument" errors) before the store takes its lock, and
 * pushes results after the store released it, so no Lua error can leave a lock held.
 *
 * A dictionary is a userdata whose methods are closures over it: `d:get(k)` and `d.get(k)`
 * both work, the first argument being skipped when it is the dictionary itself. */
#include <math.h>
#include <string.h>
#include <lua5.4/lauxlib.h>
#include "lr_shared.h"

#define LR_SHARED_KEY_MAX 65535

static lr_shared_dict *lr_self(lua_State *L, int *first) {
    *first = lua_rawequal(L, 1, lua_upvalueindex(1)) ? 2 : 1;
    return *(lr_shared_dict **)lua_touserdata(L, lua_upvalueindex(1));
}

/* The key at idx; NULL after pushing nil, err for an empty or too long key (ngx's answers). */
static const char *lr_key(lua_State *L, int idx, size_t *len) {
    const char *key = luaL_checklstring(L, idx, len);
    if (*len == 0 || *len > LR_SHARED_KEY_MAX) {
        lua_pushnil(L);
        lua_pushstring(L, *len == 0 ? "empty key" : "key too long");
        return NULL;
    }
    return key;
}

static lr_shared_value lr_value(lua_State *L, int idx) {
    lr_shared_value v = {0};
    switch (lua_type(L, idx)) {
    case LUA_TNONE: case LUA_TNIL: v.type = LR_SV_NIL; break;
    case LUA_TBOOLEAN: v.type = LR_SV_BOOL; v.i = lua_toboolean(L, idx); break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) { v.type = LR_SV_INT; v.i = lua_tointeger(L, idx); }
        else { v.type = LR_SV_FLOAT; v.d = lua_tonumber(L, idx); }
        break;
    case LUA_TSTRING: v.type = LR_SV_STRING; v.s = lua_tolstring(L, idx, &v.len); break;
    case LUA_TTABLE: luaL_argerror(L, idx, "a table cannot be stored: json.encode it first"); break;
    default: luaL_argerror(L, idx, lua_pushfstring(L, "nil, boolean, number or string expected, got %s", luaL_typename(L, idx)));
    }
    return v;
}

static lr_shared_value lr_number(lua_State *L, int idx) {
    luaL_checknumber(L, idx);
    return lr_value(L, idx);
}

/* Seconds (fractions allowed) -> milliseconds; nil or 0: no expiry. */
static int64_t lr_ttl(lua_State *L, int idx) {
    lua_Number ttl = luaL_optnumber(L, idx, 0);
    luaL_argcheck(L, ttl >= 0 && ttl < 9.2e15, idx, "ttl must be a number of seconds >= 0");
    if (ttl == 0) return 0;
    int64_t ms = (int64_t)llround(ttl * 1000);
    return ms > 0 ? ms : 1;
}

static void lr_push_value(lua_State *L, const lr_shared_value *v) {
    switch (v->type) {
    case LR_SV_BOOL: lua_pushboolean(L, (int)v->i); break;
    case LR_SV_INT: lua_pushinteger(L, v->i); break;
    case LR_SV_FLOAT: lua_pushnumber(L, v->d); break;
    case LR_SV_STRING: lua_pushlstring(L, v->s, v->len); break;
    default: lua_pushnil(L);
    }
}

static const char *lr_reason(int status) {
    switch (status) {
    case LR_SH_NOMEM: return "no memory";
    case LR_SH_EXISTS: return "exists";
    case LR_SH_NOTFOUND: return "not found";
    case LR_SH_NOTNUMBER: return "not a number";
    default: return "error";
    }
}

/* set/add/replace answers: true, nil, forcible | false, reason, forcible (safe_*: nil, reason). */
static int lr_store(lua_State *L, int mode) {
    int a;
    lr_shared_dict *d = lr_self(L, &a);
    size_t klen;
    const char *key = lr_key(L, a, &klen);
    if (!key) return 2;
    lr_shared_value v = lr_value(L, a + 1);
    int64_t ttl = lr_ttl(L, a + 2);
    int forcible = 0;
    int status = lr_shared_store(d, key, klen, &v, ttl, mode, &forcible);
    if (status == LR_SH_OK) lua_pushboolean(L, 1);
    else if (status == LR_SH_NOMEM && (mode == LR_SH_SAFE_SET || mode == LR_SH_SAFE_ADD)) lua_pushnil(L);
    else lua_pushboolean(L, 0);
    if (status == LR_SH_OK) lua_pushnil(L); else lua_pushstring(L, lr_reason(status));
    lua_pushboolean(L, forcible);
    return 3;
}

static int lr_l_set(lua_State *L) { return lr_store(L, LR_SH_SET); }
static int lr_l_safe_set(lua_State *L) { return lr_store(L, LR_SH_SAFE_SET); }
static int lr_l_add(lua_State *L) { return lr_store(L, LR_SH_ADD); }
static int lr_l_safe_add(lua_State *L) { return lr_store(L, LR_SH_SAFE_ADD); }
static int lr_l_replace(lua_State *L) { return lr_store(L, LR_SH_REPLACE); }

static int lr_l_get(lua_State *L) {
    int a;
    lr_shared_dict *d = lr_self(L, &a);
    size_t klen;
    const char *key = lr_key(L, a, &klen);
    if (!key) return 2;
    lr_shared_value v;
    int status = lr_shared_get(d, key, klen, &v);
    if (status == LR_SH_NOTFOUND) { lua_pushnil(L); return 1; }
    if (status != LR_SH_OK) { lua_pushnil(L); lua_pushstring(L, lr_reason(status)); return 2; }
    lr_push_value(L, &v);
    return 1;
}

static int lr_l_incr(lua_State *L) {
    int a;
    lr_shared_dict *d = lr_self(L, &a);
    size_t klen;
    const char *key = lr_key(L, a, &klen);
    if (!key) return 2;
    lr_shared_value delta = lr_number(L, a + 1);
    int has_init = !lua_isnoneornil(L, a + 2);
    lr_shared_value init = {0};
    if (has_init) init = lr_number(L, a + 2);
    int64_t init_ttl = lr_ttl(L, a + 3);
    lr_shared_value out = {0};
    int forcible = 0;
    int status = lr_shared_incr(d, key, klen, &delta, has_init, &init, init_ttl, &out, &forcible);
    if (status != LR_SH_OK) {
        lua_pushnil(L);
        lua_pushstring(L, lr_reason(status));
        return 2;
    }
    lr_push_value(L, &out);
    lua_pushnil(L);
    lua_pushboolean(L, forcible);
    return 3;
}

static int lr_l_delete(lua_State *L) {
    int a;
    lr_shared_dict *d = lr_self(L, &a);
    size_t klen;
    const char *key = lr_key(L, a, &klen);
    if (!key) return 2;
    lr_shared_delete(d, key, klen);
    lua_pushboolean(L, 1);
    return 1;
}

static int lr_l_flush_all(lua_State *L) {
    int a;
    lr_shared_flush_all(lr_self(L, &a));
    return 0;
}

static int lr_l_flush_expired(lua_State *L) {
    int a;
    lr_shared_dict *d = lr_self(L, &a);
    lua_Integer max = luaL_optinteger(L, a, 0);
    luaL_argcheck(L, max >= 0, a, "max must be >= 0");
    lua_pushinteger(L, (lua_Integer)lr_shared_flush_expired(d, (size_t)max));
    return 1;
}

static int lr_l_ttl(lua_State *L) {
    int a;
    lr_shared_dict *d = lr_self(L, &a);
    size_t klen;
    const char *key = lr_key(L, a, &klen);
    if (!key) return 2;
    int64_t left = 0;
    if (lr_shared_ttl(d, key, klen, &left) != LR_SH_OK) {
        lua_pushnil(L);
        lua_pushstring(L, "not found");
        return 2;
    }
    if (left == 0) lua_pushinteger(L, 0);   /* no expiry */
    else lua_pushnumber(L, (lua_Number)left / 1000);
    return 1;
}

static int lr_l_expire(lua_State *L) {
    int a;
    lr_shared_dict *d = lr_self(L, &a);
    size_t klen;
    const char *key = lr_key(L, a, &klen);
    if (!key) return 2;
    luaL_checknumber(L, a + 1);
    int64_t ttl = lr_ttl(L, a + 1);
    if (lr_shared_expire(d, key, klen, ttl) != LR_SH_OK) {
        lua_pushnil(L);
        lua_pushstring(L, "not found");
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* The copied keys are held by a to-be-closed userdata, so a memory error while they become
 * Lua strings frees them too. */
static int lr_keys_close(lua_State *L) {
    lr_shared_free_keys(lua_touserdata(L, 1));
    return 0;
}

static int lr_l_get_keys(lua_State *L) {
    int a;
    lr_shared_dict *d = lr_self(L, &a);
    lua_Integer max = luaL_optinteger(L, a, 1024);
    luaL_argcheck(L, max >= 0, a, "max must be >= 0 (0: all keys)");
    lr_shared_keys *held = lua_newuserdatauv(L, sizeof *held, 0);
    memset(held, 0, sizeof *held);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, lr_keys_close);
    lua_setfield(L, -2, "__close");
    lua_setmetatable(L, -2);
    lua_toclose(L, -1);
    if (lr_shared_copy_keys(d, (size_t)max, held) != LR_SH_OK) return luaL_error(L, "not enough memory");
    lua_createtable(L, (int)held->count, 0);
    for (size_t i = 0; i < held->count; i++) {
        lua_pushlstring(L, held->keys[i], held->lens[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;   /* returning closes `held` */
}

static int lr_l_capacity(lua_State *L) {
    int a;
    lua_pushinteger(L, (lua_Integer)lr_shared_capacity(lr_self(L, &a)));
    return 1;
}

static int lr_l_free_space(lua_State *L) {
    int a;
    lua_pushinteger(L, (lua_Integer)lr_shared_free_space(lr_self(L, &a)));
    return 1;
}

static int lr_l_dict_newindex(lua_State *L) {
    return luaL_error(L, "a shared dictionary cannot be modified with assignments (use set)");
}

static int lr_l_dict_tostring(lua_State *L) {
    lr_shared_dict *d = *(lr_shared_dict **)lua_touserdata(L, 1);
    lua_pushfstring(L, "shared dictionary '%s'", lr_shared_name(d));
    return 1;
}

static const luaL_Reg lr_methods[] = {
    {"get", lr_l_get}, {"set", lr_l_set}, {"safe_set", lr_l_safe_set}, {"add", lr_l_add},
    {"safe_add", lr_l_safe_add}, {"replace", lr_l_replace}, {"incr", lr_l_incr},
    {"delete", lr_l_delete}, {"flush_all", lr_l_flush_all}, {"flush_expired", lr_l_flush_expired},
    {"ttl", lr_l_ttl}, {"expire", lr_l_expire}, {"get_keys", lr_l_get_keys},
    {"capacity", lr_l_capacity}, {"free_space", lr_l_free_space}, {NULL, NULL}};

/* Pushes the object for one dictionary. */
static void lr_push_dict(lua_State *L, lr_shared_dict *d) {
    lr_shared_dict **box = lua_newuserdatauv(L, sizeof d, 0);   /* stack: box */
    *box = d;
    lua_createtable(L, 0, 4);                                      /* stack: box mt */
    lua_createtable(L, 0, 15);                                     /* stack: box mt methods */
    for (const luaL_Reg *m = lr_methods; m->name; m++) {
        lua_pushvalue(L, -3);
        lua_pushcclosure(L, m->func, 1);
        lua_setfield(L, -2, m->name);
    }
    lua_setfield(L, -2, "__index");                                /* stack: box mt */
    lua_pushcfunction(L, lr_l_dict_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, lr_l_dict_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                                       /* stack: box */
}

static int lr_l_undeclared(lua_State *L) {
    const char *name = luaL_tolstring(L, 2, NULL);
    return luaL_error(L, "shared.%s is not declared (add %s = \"1mb\" to the `shared` table of luaroutes.config.lua)", name, name);
}

static int lr_l_shared_newindex(lua_State *L) {
    return luaL_error(L, "shared dictionaries are declared in luaroutes.config.lua, not assigned");
}

typedef struct { lr_shared_dict *const *dicts; size_t n; } lr_install_args;

static int lr_install_body(lua_State *L) {
    const lr_install_args *args = lua_touserdata(L, 1);
    lua_createtable(L, 0, (int)args->n);                           /* stack: args shared */
    for (size_t i = 0; i < args->n; i++) {
        lr_push_dict(L, args->dicts[i]);
        lua_setfield(L, -2, lr_shared_name(args->dicts[i]));
    }
    lua_createtable(L, 0, 3);                                      /* stack: args shared mt */
    lua_pushcfunction(L, lr_l_undeclared);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lr_l_shared_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setglobal(L, "shared");
    return 0;
}

int lr_shared_install(lua_State *L, lr_shared_dict *const *dicts, size_t n) {
    lr_install_args args = {dicts, n};
    lua_pushcfunction(L, lr_install_body);
    lua_pushlightuserdata(L, &args);
    return lua_pcall(L, 1, 0, 0);
}
