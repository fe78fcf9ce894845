/* The C half of the sandbox: which libraries a state gets, and the protected entry points
 * Swift uses. The Lua half (what is removed, wrapped and added) is the prelude: docs/prelude.md. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include "lr_sandbox.h"
#include "lr_fetch.h"
#include "lr_stream.h"
#include "lr_state.h"
#include "lr_json.h"
#include "lr_crypto.h"
#include "lr_guards.h"
#include "lr_stock.h"
#include "lr_coroutine.h"

/* log(level, message [, fields]): fields is "k\0v\0k\0v" text built by the prelude. */
static int lr_l_log(lua_State *L) {
    lua_Integer level = luaL_checkinteger(L, 1);
    size_t len;
    const char *msg = luaL_checklstring(L, 2, &len);
    lr_ctx *c = lr_getctx(L);
    if (c->log) c->log(c->host, (int)level, msg, len);
    return 0;
}

/* readonly(t): a userdata that reads through to t and refuses every write. A table proxy
 * would not do: rawset ignores __newindex. */
static int lr_l_readonly_newindex(lua_State *L) {
    return luaL_error(L, "attempt to modify a read-only table (key '%s')", luaL_tolstring(L, 2, NULL));
}
static int lr_l_readonly_pairs(lua_State *L) {
    lua_getglobal(L, "next");
    lua_getiuservalue(L, 1, 1);   /* stack: proxy next t */
    lua_pushnil(L);
    return 3;
}
static int lr_l_readonly_len(lua_State *L) {
    lua_getiuservalue(L, 1, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}
static int lr_l_readonly(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_newuserdatauv(L, 0, 1);            /* stack: t proxy */
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    lua_createtable(L, 0, 5);              /* stack: t proxy mt */
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lr_l_readonly_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, lr_l_readonly_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushcfunction(L, lr_l_readonly_len);
    lua_setfield(L, -2, "__len");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);               /* stack: t proxy */
    return 1;
}

int lr_sandbox_open(lua_State *L) {
    static const luaL_Reg kept[] = {
        {LUA_GNAME, luaopen_base}, {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math}, {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_OSLIBNAME, luaopen_os}, {NULL, NULL}};
    for (const luaL_Reg *lib = kept; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    lr_guards_install(L);                           /* C loops that check the CPU budget (lr_guards.c) */
    lua_createtable(L, 0, 1);                       /* the host-yield sentinel */
    lua_setfield(L, LUA_REGISTRYINDEX, LR_REG_HOST);

    lua_createtable(L, 0, 0);                       /* the request coroutines: a weak-keyed set */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, LR_REG_ROOTS);

    lua_createtable(L, 0, 12);                      /* stack: priv */
    lua_pushcfunction(L, lr_l_log);
    lua_setfield(L, -2, "log");
    lua_pushcfunction(L, lr_l_readonly);
    lua_setfield(L, -2, "readonly");
    lua_pushcfunction(L, lr_fetch_start);
    lua_setfield(L, -2, "fetch_start");
    lua_pushcfunction(L, lr_stream_write);
    lua_setfield(L, -2, "stream_write");
    lua_pushcfunction(L, lr_json_open);
    lua_call(L, 0, 1);                              /* stack: priv json */
    lua_setfield(L, -2, "json");
    lr_crypto_open(L); lua_setfield(L, -2, "crypto");  /* stack: priv */
    lua_getfield(L, LUA_REGISTRYINDEX, LR_REG_HOST);
    lua_setfield(L, -2, "HOST");
    lua_pushcfunction(L, lr_l_tripped);
    lua_setfield(L, -2, "tripped");
    lr_stock_install(L);                            /* setmetatable, load, print, typeerror */
    lua_pushcfunction(L, lr_co_resume);
    lua_setfield(L, -2, "resume");
    lua_pushcfunction(L, lr_co_close);
    lua_setfield(L, -2, "close");
    lua_getfield(L, LUA_REGISTRYINDEX, LR_REG_ROOTS);
    lua_setfield(L, -2, "roots");
    return 1;
}

/* lr_new_root_thread's protected part: leaves the thread's registry ref on the stack. */
static int lr_l_new_root_thread(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, LR_REG_ROOTS);    /* stack: roots */
    lua_newthread(L);                                    /* stack: roots thread */
    lua_pushvalue(L, -1);
    lua_pushboolean(L, 1);
    lua_rawset(L, -4);                                   /* roots[thread] = true */
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));  /* stack: roots ref */
    return 1;
}

lua_State *lr_new_root_thread(lua_State *L, int *ref) {
    if (lr_call_protected(L, lr_l_new_root_thread, 0, 1) != LUA_OK) {
        lua_pop(L, 1);
        return NULL;
    }
    *ref = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, *ref);
    lua_State *thread = lua_tothread(L, -1);
    lua_pop(L, 1);
    return thread;
}

int lr_call_protected(lua_State *L, lua_CFunction f, int nargs, int nresults) {
    lua_pushcfunction(L, f);
    lua_insert(L, -(nargs + 1));
    return lua_pcall(L, nargs, nresults, 0);
}

int lr_load_text(lua_State *L, const char *source, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, source, len, chunkname, "t");
}

/* The prelude's files, compiled once per process. Parsing their ~18 KB of text took ~0.8 ms of
 * every state's creation (most of start-up with many routes) and left ~12 KB of parser garbage
 * in each state; loading the same functions from lua_dump's bytecode takes a fraction of that.
 * The dumps keep the debug information (strip 0), so names, lines and tracebacks are exactly
 * those of the text. The cache holds one entry per chunk name, written once and never freed, so
 * a load needs the lock only to find the entry; a text that differs from the cached one under
 * the same name (never the case in one process), or one past the cache's size, is simply
 * compiled as text. */
#define LR_PRELUDE_CHUNKS 16
static pthread_mutex_t lr_prelude_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lr_prelude_chunk { char *key; size_t key_len; char *code; size_t code_len; } lr_prelude[LR_PRELUDE_CHUNKS];

typedef struct { char *data; size_t len, cap; } lr_buffer;

static int lr_buffer_write(lua_State *L, const void *p, size_t size, void *ud) {
    (void)L;
    lr_buffer *b = ud;
    if (b->len + size > b->cap) {
        size_t cap = (b->len + size) * 2;
        char *data = realloc(b->data, cap);
        if (!data) return 1;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, size);
    b->len += size;
    return 0;
}

/* Compiles source in a scratch state (no cap: this is our own text) into `slot`, keyed by
 * chunkname and source. Called with the lock held; leaves the slot empty on failure. */
static void lr_prelude_compile(struct lr_prelude_chunk *slot, const char *source, size_t len, const char *chunkname) {
    lua_State *T = luaL_newstate();
    if (!T) return;
    lr_buffer code = {0};
    int ok = luaL_loadbufferx(T, source, len, chunkname, "t") == LUA_OK
          && lua_dump(T, lr_buffer_write, &code, 0) == 0;
    lua_close(T);
    size_t name_len = strlen(chunkname);
    char *key = ok ? malloc(name_len + 1 + len) : NULL;
    if (!key) {
        free(code.data);
        return;
    }
    memcpy(key, chunkname, name_len + 1);      /* chunkname, its NUL, then the source */
    memcpy(key + name_len + 1, source, len);
    slot->key = key;
    slot->key_len = name_len + 1 + len;
    slot->code = code.data;
    slot->code_len = code.len;
}

int lr_load_prelude(lua_State *L, const char *source, size_t len, const char *chunkname) {
    size_t name_len = strlen(chunkname);
    const char *code = NULL;
    size_t code_len = 0;
    pthread_mutex_lock(&lr_prelude_lock);
    for (int i = 0; i < LR_PRELUDE_CHUNKS; i++) {
        struct lr_prelude_chunk *slot = &lr_prelude[i];
        if (!slot->code) lr_prelude_compile(slot, source, len, chunkname);
        if (!slot->code) break;                                        /* could not compile */
        if (strcmp(slot->key, chunkname) != 0) continue;                /* another file's slot */
        if (slot->key_len == name_len + 1 + len && memcmp(slot->key + name_len + 1, source, len) == 0) {
            code = slot->code;
            code_len = slot->code_len;
        }
        break;
    }
    pthread_mutex_unlock(&lr_prelude_lock);
    if (!code) return lr_load_text(L, source, len, chunkname);   /* not cached: load as text would */
    return luaL_loadbufferx(L, code, code_len, chunkname, "b");
}

static int lr_traceback_body(lua_State *L) {
    lua_State *co = lua_touserdata(L, 1);
    const char *msg;
    if (lua_type(co, -1) == LUA_TSTRING) {
        msg = lua_tostring(co, -1);
    } else {
        lua_pushfstring(L, "(error object is a %s value)", luaL_typename(co, -1));
        msg = lua_tostring(L, -1);
    }
    lua_pushstring(L, msg);                  /* stack: co [desc] msg */
    luaL_traceback(L, co, NULL, 0);          /* stack: co [desc] msg traceback */
    return 2;
}

int lr_push_traceback(lua_State *L, lua_State *co) {
    lua_pushlightuserdata(L, co);
    return lr_call_protected(L, lr_traceback_body, 1, 2);
}

int lr_is_host_sentinel(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_getfield(L, LUA_REGISTRYINDEX, LR_REG_HOST);   /* a registry read of an existing key: no allocation */
    int same = lua_rawequal(L, idx, -1);
    lua_pop(L, 1);
    return same;
}
