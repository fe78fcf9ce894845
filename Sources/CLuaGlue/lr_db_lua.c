/* The Lua face of `db` (docs/data.md ("db")): query, first, exec, transaction, blob, engine.
 * Failures the database causes answer nil, err, sqlstate; wrong argument types raise. A
 * locked database is waited for by yielding the request to the host (never sleeping on the
 * loop) and retrying, until db.timeout. */
#include <stdio.h>
#include <string.h>
#include "lr_db_internal.h"
#include "lr_sandbox.h"
#include "lr_state.h"

static const char *const lr_kind_names[] = {"query", "first", "exec"};

void lr_db_check_count(lua_State *L, int kind, int takes, int given) {
    if (takes == given) return;
    luaL_error(L, "bad argument #%d to '%s' (the statement takes %d argument%s, %d given)",
               (takes > given ? given : takes) + 2, kind <= LR_DB_EXEC ? lr_kind_names[kind] : "db", takes, takes == 1 ? "" : "s", given);
}

static lr_db_host *lr_host(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

static int lr_answer(lua_State *L, const char *err, const char *state) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    lua_pushstring(L, state);
    return 3;
}

static int64_t lr_now_ms(void) { return lr_monotonic_ns() / 1000000; }

/* kctx: when the call started (ms) and how many values it was given. */
static lua_KContext lr_kctx(int64_t started_ms, int nvalues) { return (lua_KContext)((started_ms << 16) | (nvalues & 0xffff)); }
static int64_t lr_kctx_started(lua_KContext k) { return (int64_t)k >> 16; }
static int lr_kctx_values(lua_KContext k) { return (int)(k & 0xffff); }

/* The database is locked: yield to the host, which resumes the request after a short wait, and
 * run `retry` again; past db.timeout (or where a yield is impossible), 55P03. */
static int lr_wait_for_lock(lua_State *L, lr_db_host *h, lua_KContext k, lua_KFunction retry) {
    int64_t waited = lr_now_ms() - lr_kctx_started(k);
    char err[160];
    int64_t timeout_ms = h->timeout_ns / 1000000;
    snprintf(err, sizeof err, "db: could not obtain a lock within db.timeout (%lldms): another request is writing", (long long)timeout_ms);
    if (waited >= timeout_ms || !lua_isyieldable(L)) return lr_answer(L, err, "55P03");
    int ms = waited < 10 ? 1 : waited < 100 ? 5 : 20;
    if (h->wait(h->host, ms) != 0) return lr_answer(L, err, "55P03");
    lua_settop(L, lr_kctx_values(k));
    lua_getfield(L, LUA_REGISTRYINDEX, LR_REG_HOST);             /* stack: args HOST */
    return lua_yieldk(L, 1, k, retry);
}

/* After LR_DB_PENDING: the host resumed the request with the engine's answer. */
static int lr_push_answer(lua_State *L, int kind) {
    lr_db_host *h = lr_host(L);
    const void *answer = h->answer ? h->answer(h->host) : NULL;
    if (!answer) return lr_answer(L, "db: resumed without an answer", "XX000");
    const lr_db_engine *engine = *(const lr_db_engine *const *)answer;
    return engine->resume(L, kind, answer);
}

static int lr_statement_answer_k(lua_State *L, int status, lua_KContext k) {
    (void)status;
    lua_settop(L, lr_kctx_values(k));
    return lr_push_answer(L, (int)lua_tointeger(L, lua_upvalueindex(2)));
}

/* The engine sent the statement: yield to the host until the answer comes (fetch's model). */
static int lr_yield_pending(lua_State *L, lua_KContext k, lua_KFunction answer_k) {
    lua_getfield(L, LUA_REGISTRYINDEX, LR_REG_HOST);             /* stack: ... HOST */
    return lua_yieldk(L, 1, k, answer_k);
}

/* query / first / exec (upvalue 2: the kind) */
static int lr_statement_k(lua_State *L, int status, lua_KContext k) {
    (void)status;
    lr_db_host *h = lr_host(L);
    int kind = (int)lua_tointeger(L, lua_upvalueindex(2));
    lua_settop(L, lr_kctx_values(k));
    int nargs = lr_kctx_values(k) - 1;
    size_t len;
    const char *sql = lua_tolstring(L, 1, &len);

    char err[256] = {0};
    const char *state = "08001";
    lr_db_conn *conn = h->connection(h->host, err, sizeof err, &state);
    if (!conn) return lr_answer(L, err, state);
    const lr_db_engine *engine = *(const lr_db_engine **)conn;

    /* Already in the engine's style (no '$' for SQLite): nothing to rewrite, and the engine
     * counts the placeholders itself (lr_db_check_count) from its prepared statement. */
    if (lr_db_needs_rewrite(sql, len, engine->placeholder)) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        int takes = lr_db_rewrite(sql, len, engine->placeholder, &b, err, sizeof err);
        luaL_pushresult(&b);                                     /* stack: sql args... rewritten */
        if (takes < 0) return luaL_error(L, "%s", err);
        lr_db_check_count(L, kind, takes, nargs);
        sql = lua_tolstring(L, -1, &len);
    }
    int n = engine->run(conn, L, kind, sql, len, 2, 1 + nargs);
    if (n == LR_DB_BUSY) return lr_wait_for_lock(L, h, k, lr_statement_k);
    if (n == LR_DB_PENDING) {
        lua_settop(L, lr_kctx_values(k));
        return lr_yield_pending(L, k, lr_statement_answer_k);
    }
    if (n < 0) return lr_answer(L, "db: the engine gave no answer", "XX000");
    return n;
}

static int lr_l_statement(lua_State *L) {
    luaL_checkstring(L, 1);
    int n = lua_gettop(L);
    luaL_argcheck(L, n <= 32767, 32767, "too many arguments");
    return lr_statement_k(L, LUA_OK, lr_kctx(lr_now_ms(), n));
}

/* ---- db.transaction(fn, ...) ---- */

static void lr_savepoint_sql(char *sql, size_t len, const char *verb, int depth) {
    snprintf(sql, len, "%s lr_savepoint_%d", verb, depth);
}

/* Runs one control statement on the pinned connection; 1 when it worked (nothing left on the
 * stack), else 0 with nil, err, sqlstate pushed. */
static int lr_control(lua_State *L, lr_db_conn *conn, const char *sql) {
    const lr_db_engine *engine = *(const lr_db_engine **)conn;
    int n = engine->run(conn, L, LR_DB_CONTROL, sql, strlen(sql), 1, 0);
    if (n == 1) { lua_pop(L, 1); return 1; }
    if (n == LR_DB_BUSY) lr_answer(L, "db: the database is locked", "55P03");
    return 0;
}

static void lr_rollback(lua_State *L, lr_db_conn *conn, int depth) {
    char sql[64];
    int top = lua_gettop(L);
    if (depth == 0) {
        lr_control(L, conn, "ROLLBACK");
    } else {
        lr_savepoint_sql(sql, sizeof sql, "ROLLBACK TO", depth);
        lr_control(L, conn, sql);
        lr_savepoint_sql(sql, sizeof sql, "RELEASE", depth);
        lr_control(L, conn, sql);
    }
    lua_settop(L, top);
}

/* COMMIT / RELEASE answered (n values on the stack above the results): return the results,
 * or roll back and answer nil, err, sqlstate. */
static int lr_transaction_settle(lua_State *L, lr_db_conn *conn, int depth, int nresults, int n) {
    lr_db_host *h = lr_host(L);
    if (n == 1 && lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        h->unpin(h->host, depth);
        return nresults;
    }
    if (n == LR_DB_BUSY) lr_answer(L, "db: the database is locked", "55P03");   /* stack: results nil err state */
    else if (n < 0) lr_answer(L, "db: the engine gave no answer", "XX000");
    lr_rollback(L, conn, depth);
    h->unpin(h->host, depth);
    return 3;
}

/* kctx: depth (high bits) and the results' count. */
static int lr_commit_answer_k(lua_State *L, int status, lua_KContext k) {
    (void)status;
    lr_db_host *h = lr_host(L);
    int depth = (int)lr_kctx_started(k), nresults = lr_kctx_values(k);
    lua_settop(L, nresults);
    int n = lr_push_answer(L, LR_DB_CONTROL);
    char err[256] = {0};
    const char *state = "08006";
    lr_db_conn *conn = h->connection(h->host, err, sizeof err, &state);
    if (!conn) {
        h->unpin(h->host, depth);
        return lr_answer(L, err, state);
    }
    return lr_transaction_settle(L, conn, depth, nresults, n);
}

static int lr_transaction_end_k(lua_State *L, int status, lua_KContext depth_k) {
    lr_db_host *h = lr_host(L);
    int depth = (int)depth_k;
    char err[256] = {0};
    const char *state = "08006";
    lr_db_conn *conn = h->connection(h->host, err, sizeof err, &state);
    if (status != LUA_OK && status != LUA_YIELD) {              /* fn raised: roll back, raise again */
        if (conn) lr_rollback(L, conn, depth);
        h->unpin(h->host, depth);
        return lua_error(L);
    }
    int nresults = lua_gettop(L);
    if (!conn) {
        h->unpin(h->host, depth);
        return lr_answer(L, err, state);
    }
    char sql[64];
    if (depth == 0) snprintf(sql, sizeof sql, "COMMIT");
    else lr_savepoint_sql(sql, sizeof sql, "RELEASE", depth);
    const lr_db_engine *engine = *(const lr_db_engine **)conn;
    int n = engine->run(conn, L, LR_DB_CONTROL, sql, strlen(sql), 1, 0);
    if (n == LR_DB_PENDING) return lr_yield_pending(L, lr_kctx(depth, nresults), lr_commit_answer_k);
    return lr_transaction_settle(L, conn, depth, nresults, n);
}

static int lr_transaction_begin_k(lua_State *L, int status, lua_KContext k) {
    (void)status;
    lr_db_host *h = lr_host(L);
    lua_settop(L, lr_kctx_values(k));
    char err[256] = {0};
    const char *state = "08001";
    int depth = 0;
    lr_db_conn *conn = h->pin(h->host, &depth, err, sizeof err, &state);
    if (!conn) return lr_answer(L, err, state);
    const lr_db_engine *engine = *(const lr_db_engine **)conn;
    char sql[64];
    if (depth == 0) snprintf(sql, sizeof sql, "%s", engine->placeholder == '?' ? "BEGIN IMMEDIATE" : "BEGIN");
    else lr_savepoint_sql(sql, sizeof sql, "SAVEPOINT", depth);
    int n = engine->run(conn, L, LR_DB_CONTROL, sql, strlen(sql), 1, 0);
    if (n == LR_DB_BUSY) {
        h->unpin(h->host, depth);
        return lr_wait_for_lock(L, h, k, lr_transaction_begin_k);
    }
    if (n != 1) {
        h->unpin(h->host, depth);
        return n;                                                /* nil, err, sqlstate */
    }
    lua_pop(L, 1);                                               /* stack: fn args... */
    int nargs = lua_gettop(L) - 1;
    return lr_transaction_end_k(L, lua_pcallk(L, nargs, LUA_MULTRET, 0, depth, lr_transaction_end_k), depth);
}

static int lr_l_transaction(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    int n = lua_gettop(L);
    luaL_argcheck(L, n <= 32767, 32767, "too many arguments");
    return lr_transaction_begin_k(L, LUA_OK, lr_kctx(lr_now_ms(), n));
}

/* ---- db.blob(s) ---- */

static int lr_blob_tostring(lua_State *L) {
    lua_getiuservalue(L, 1, 1);
    lua_pushfstring(L, "db.blob(%d bytes)", (int)lua_rawlen(L, -1));
    return 1;
}

static int lr_l_blob(lua_State *L) {
    luaL_checktype(L, 1, LUA_TSTRING);
    lua_newuserdatauv(L, 0, 1);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, LR_DB_BLOB_MT);
    return 1;
}

static int lr_db_newindex(lua_State *L) {
    return luaL_error(L, "db is read-only");
}

static int lr_install_body(lua_State *L) {
    lr_db_host *h = lua_touserdata(L, 1);
    if (luaL_newmetatable(L, LR_DB_BLOB_MT)) {
        lua_pushcfunction(L, lr_blob_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 0);                                    /* stack: h proxy */
    lua_createtable(L, 0, 6);                                    /* stack: h proxy db */
    for (int kind = LR_DB_ROWS; kind <= LR_DB_EXEC; kind++) {
        lua_pushlightuserdata(L, h);
        lua_pushinteger(L, kind);
        lua_pushcclosure(L, lr_l_statement, 2);
        lua_setfield(L, -2, lr_kind_names[kind]);
    }
    lua_pushlightuserdata(L, h);
    lua_pushcclosure(L, lr_l_transaction, 1);
    lua_setfield(L, -2, "transaction");
    lua_pushcfunction(L, lr_l_blob);
    lua_setfield(L, -2, "blob");
    lua_pushstring(L, h->engine);
    lua_setfield(L, -2, "engine");
    lua_createtable(L, 0, 3);                                    /* stack: h proxy db mt */
    lua_insert(L, -2);
    lua_setfield(L, -2, "__index");                              /* stack: h proxy mt */
    lua_pushcfunction(L, lr_db_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                                     /* stack: h proxy */
    lua_setglobal(L, "db");
    return 0;
}

int lr_db_install(lua_State *L, lr_db_host *host) {
    lua_pushcfunction(L, lr_install_body);
    lua_pushlightuserdata(L, host);
    return lua_pcall(L, 1, 0, 0);
}
