/* The SQLite engine (docs/data.md ("db"), SQLite parts), run on the event loop: a cache of
 * prepared statements per connection, a progress handler that stops a query at db.timeout or
 * when the request's limits.cpu / limits.timeout run out, SQLite's errors mapped to
 * PostgreSQL's SQLSTATEs, and values converted both ways (section 1.2).
 *
 * Connections run with busy_timeout 0 once open: a lock never sleeps on the loop; run() answers
 * LR_DB_BUSY and the binding waits by yielding the request (lr_db_lua.c). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include "lr_db_internal.h"
#include "lr_json.h"
#include "lr_json_internal.h"
#include "lr_state.h"

#define LR_STMT_CACHE 32
#define LR_PROGRESS_OPS 4000   /* SQLite VM steps between limit checks */
#define LR_OPEN_WAIT_MS 2000   /* how long opening a connection waits for another's lock */

enum { LR_STOP_NONE = 0, LR_STOP_DB_TIMEOUT, LR_STOP_CPU, LR_STOP_WALL };

struct lr_db_conn {
    const lr_db_engine *engine;
    sqlite3 *db;
    int64_t timeout_ns, deadline_ns;
    size_t max_result;
    lr_ctx *ctx;         /* the state whose limits apply to the running statement */
    int stopped;         /* LR_STOP_*: why the progress handler stopped it */
    uint64_t clock;
    sqlite3_stmt *active;   /* the statement being run, until it is reset */
    struct { sqlite3_stmt *stmt; size_t len; uint64_t used; } cache[LR_STMT_CACHE];
};

static int lr_progress(void *ud) {
    lr_db_conn *c = ud;
    int64_t now = lr_monotonic_ns();
    if (c->deadline_ns && now >= c->deadline_ns) { c->stopped = LR_STOP_DB_TIMEOUT; return 1; }
    lr_ctx *ctx = c->ctx;
    if (ctx && ctx->cpu_active) {
        /* The limit signal trips the request while the query burns CPU (lr_clock.c); the wall
         * deadline is also read here, for a query that waits on the disk. */
        if (ctx->tripped) { c->stopped = ctx->tripped == LR_TRIP_TIMEOUT ? LR_STOP_WALL : LR_STOP_CPU; return 1; }
        if (ctx->wall_deadline_ns && now >= ctx->wall_deadline_ns) { c->stopped = LR_STOP_WALL; return 1; }
    }
    return 0;
}

lr_db_conn *lr_sqlite_open(const char *path, char *err, size_t errlen) {
    lr_db_conn *c = calloc(1, sizeof *c);
    if (!c) { snprintf(err, errlen, "out of memory"); return NULL; }
    c->engine = &lr_sqlite_engine;
    c->timeout_ns = 5000000000LL;
    c->max_result = 10 << 20;
    int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(c->db, 1);
        /* journal_mode reads the file: a file that is not a database fails here, at start-up.
         * It needs a lock for a moment (the switch to WAL, or WAL recovery), which another
         * connection or process opening the same file at once may hold: opening waits for it,
         * up to LR_OPEN_WAIT_MS, once per connection. After that a lock never sleeps. */
        sqlite3_busy_timeout(c->db, LR_OPEN_WAIT_MS);
        rc = sqlite3_exec(c->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
        sqlite3_busy_timeout(c->db, 0);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s", c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close_v2(c->db);
        free(c);
        return NULL;
    }
    sqlite3_progress_handler(c->db, LR_PROGRESS_OPS, lr_progress, c);
    return c;
}

void lr_sqlite_close(lr_db_conn *c) {
    if (!c) return;
    for (int i = 0; i < LR_STMT_CACHE; i++) sqlite3_finalize(c->cache[i].stmt);
    sqlite3_close_v2(c->db);
    free(c);
}

void lr_sqlite_configure(lr_db_conn *c, int64_t timeout_ns, size_t max_result) {
    c->timeout_ns = timeout_ns;
    c->max_result = max_result;
}

int lr_sqlite_in_transaction(lr_db_conn *c) { return !sqlite3_get_autocommit(c->db); }

int lr_sqlite_checkpoint(lr_db_conn *c) { return sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL); }

/* SQLite's result code -> PostgreSQL's SQLSTATE (docs/data.md ("db")); the messages that
 * PostgreSQL gives a class of its own are recognised by their text. */
static const char *lr_sqlstate(int code, const char *msg) {
    switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE: case SQLITE_CONSTRAINT_PRIMARYKEY: return "23505";
    case SQLITE_CONSTRAINT_FOREIGNKEY: return "23503";
    case SQLITE_CONSTRAINT_NOTNULL: return "23502";
    case SQLITE_CONSTRAINT_CHECK: return "23514";
    }
    switch (code & 0xff) {
    case SQLITE_BUSY: case SQLITE_LOCKED: return "55P03";
    case SQLITE_INTERRUPT: return "57014";
    case SQLITE_CANTOPEN: return "08001";
    }
    if (msg) {
        if (strstr(msg, "syntax error") || strstr(msg, "incomplete input")) return "42601";
        if (strncmp(msg, "no such table", 13) == 0) return "42P01";
        if (strncmp(msg, "no such column", 14) == 0) return "42703";
        if (strncmp(msg, "no such function", 16) == 0) return "42883";
        if (strstr(msg, "already exists")) return "42P07";
    }
    return "XX000";
}

static void lr_format_duration(int64_t ns, char *out, size_t len) {
    int64_t ms = ns / 1000000;
    if (ms % 1000 == 0) snprintf(out, len, "%llds", (long long)(ms / 1000));
    else snprintf(out, len, "%lldms", (long long)ms);
}

/* The error of the last call on c, as nil, "db: ...", sqlstate (3 values). */
static int lr_push_error(lua_State *L, lr_db_conn *c, int rc) {
    lua_pushnil(L);
    if ((rc & 0xff) == SQLITE_INTERRUPT && c->stopped) {
        char d[32];
        switch (c->stopped) {
        case LR_STOP_DB_TIMEOUT:
            lr_format_duration(c->timeout_ns, d, sizeof d);
            lua_pushfstring(L, "db: canceling statement: query exceeded db.timeout (%s)", d);
            break;
        case LR_STOP_CPU:
            if (c->ctx && !c->ctx->tripped) lr_trip(c->ctx, LR_TRIP_CPU);
            lua_pushstring(L, "db: canceling statement: CPU limit exceeded");
            break;
        default:
            if (c->ctx && !c->ctx->tripped) lr_trip(c->ctx, LR_TRIP_TIMEOUT);
            lua_pushstring(L, "db: canceling statement: time limit exceeded");
        }
        lua_pushstring(L, "57014");
        return 3;
    }
    const char *msg = sqlite3_errmsg(c->db);
    lua_pushfstring(L, "db: %s", msg);
    lua_pushstring(L, lr_sqlstate(sqlite3_extended_errcode(c->db), msg));
    return 3;
}

/* A cached statement for sql, or a new one (cached, the least recently used dropped). */
static int lr_prepare(lr_db_conn *c, const char *sql, size_t len, sqlite3_stmt **out, const char **tail) {
    int free_slot = -1, oldest = 0;
    for (int i = 0; i < LR_STMT_CACHE; i++) {
        sqlite3_stmt *s = c->cache[i].stmt;
        if (!s) { if (free_slot < 0) free_slot = i; continue; }
        if (c->cache[i].len == len && memcmp(sqlite3_sql(s), sql, len) == 0) {
            c->cache[i].used = ++c->clock;
            *out = s;
            *tail = sql + len;
            return SQLITE_OK;
        }
        if (c->cache[i].used < c->cache[oldest].used || !c->cache[oldest].stmt) oldest = i;
    }
    int rc = sqlite3_prepare_v3(c->db, sql, (int)len, SQLITE_PREPARE_PERSISTENT, out, tail);
    if (rc != SQLITE_OK || !*out) return rc;
    if (!lr_db_only_trivia(*tail, len - (size_t)(*tail - sql))) return rc;   /* not cached: refused by the caller */
    int slot = free_slot >= 0 ? free_slot : oldest;
    sqlite3_finalize(c->cache[slot].stmt);
    c->cache[slot].stmt = *out;
    c->cache[slot].len = strlen(sqlite3_sql(*out));
    c->cache[slot].used = ++c->clock;
    return SQLITE_OK;
}

/* A statement left mid-step (a memory error while its rows became Lua values) keeps a read
 * transaction open: the next use of the connection resets it first. */
static void lr_settle(lr_db_conn *c) {
    if (c->active) {
        sqlite3_reset(c->active);
        sqlite3_clear_bindings(c->active);
        c->active = NULL;
    }
    c->ctx = NULL;
}

static void lr_bind(lua_State *L, sqlite3_stmt *s, int param, int idx) {
    int rc = SQLITE_OK;
    switch (lua_type(L, idx)) {
    case LUA_TNONE: case LUA_TNIL: rc = sqlite3_bind_null(s, param); break;
    case LUA_TBOOLEAN: rc = sqlite3_bind_int(s, param, lua_toboolean(L, idx)); break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) rc = sqlite3_bind_int64(s, param, lua_tointeger(L, idx));
        else rc = sqlite3_bind_double(s, param, lua_tonumber(L, idx));
        break;
    case LUA_TSTRING: {
        size_t len;
        const char *text = lua_tolstring(L, idx, &len);
        rc = sqlite3_bind_text64(s, param, text, len, SQLITE_STATIC, SQLITE_UTF8);   /* the argument stays on the stack */
        break;
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == LR_JSON_NULL) { rc = sqlite3_bind_null(s, param); break; }
        luaL_argerror(L, idx, "a value of SQL's types expected (nil, boolean, number, string, table, db.blob), got light userdata");
        break;
    case LUA_TUSERDATA:
        if (luaL_testudata(L, idx, LR_DB_BLOB_MT)) {
            lua_getiuservalue(L, idx, 1);
            size_t len;
            const char *bytes = lua_tolstring(L, -1, &len);
            rc = sqlite3_bind_blob64(s, param, bytes, len, SQLITE_TRANSIENT);
            lua_pop(L, 1);
            break;
        }
        /* fallthrough */
    default:
        if (lua_type(L, idx) == LUA_TTABLE) {
            lr_json_encode_value(L, idx, 0, 0);   /* raises on what JSON cannot hold */
            size_t len;
            const char *text = lua_tolstring(L, -1, &len);
            rc = sqlite3_bind_text64(s, param, text, len, SQLITE_TRANSIENT, SQLITE_UTF8);
            lua_pop(L, 1);
            break;
        }
        luaL_argerror(L, idx, lua_pushfstring(L, "a value of SQL's types expected (nil, boolean, number, string, table, db.blob), got %s", luaL_typename(L, idx)));
    }
    if (rc != SQLITE_OK) luaL_error(L, "db: cannot bind argument %d (%s)", param, sqlite3_errstr(rc));
}

/* Pushes column i of the current row; returns 0, or non-zero after pushing an error message
 * (a JSON column whose text is not JSON). */
static int lr_push_column(lua_State *L, sqlite3_stmt *s, int i, int is_json, size_t *held) {
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER: lua_pushinteger(L, sqlite3_column_int64(s, i)); *held += 16; return 0;
    case SQLITE_FLOAT: lua_pushnumber(L, sqlite3_column_double(s, i)); *held += 16; return 0;
    case SQLITE_NULL: lua_pushlightuserdata(L, LR_JSON_NULL); *held += 16; return 0;
    case SQLITE_BLOB: {
        const void *bytes = sqlite3_column_blob(s, i);
        size_t len = (size_t)sqlite3_column_bytes(s, i);
        lua_pushlstring(L, bytes ? bytes : "", len);
        *held += len + 16;
        return 0;
    }
    default: {
        const char *text = (const char *)sqlite3_column_text(s, i);
        size_t len = (size_t)sqlite3_column_bytes(s, i);
        *held += len + 16;
        if (!is_json) { lua_pushlstring(L, text ? text : "", len); return 0; }
        if (lr_json_decode_protected(L, text ? text : "", len) == LUA_OK) return 0;
        const char *why = lua_tostring(L, -1);
        lua_pushfstring(L, "db: column \"%s\" is declared JSON but holds invalid JSON (%s)", sqlite3_column_name(s, i), why ? why : "?");
        lua_remove(L, -2);
        return 1;
    }
    }
}

static int lr_fail(lua_State *L, int base, const char *state) {   /* stack: base ... msg -> base nil msg state */
    if (lua_gettop(L) > base + 1) {
        lua_replace(L, base + 1);
        lua_settop(L, base + 1);
    }
    lua_pushnil(L);
    lua_insert(L, -2);
    lua_pushstring(L, state);
    return 3;
}

static int lr_sqlite_run(lr_db_conn *c, lua_State *L, int kind, const char *sql, size_t len, int first, int last) {
    lr_settle(c);
    sqlite3_stmt *s = NULL;
    const char *tail = NULL;
    int rc = lr_prepare(c, sql, len, &s, &tail);
    if (rc != SQLITE_OK) return lr_push_error(L, c, rc);
    int base = lua_gettop(L);
    if (!s) {
        lua_pushstring(L, "db: empty statement");
        return lr_fail(L, base, "42601");
    }
    if (!lr_db_only_trivia(tail, len - (size_t)(tail - sql))) {
        sqlite3_finalize(s);
        lua_pushstring(L, "db: one statement per call (run the next one in a call of its own, inside db.transaction if they belong together)");
        return lr_fail(L, base, "42601");
    }
    lr_db_check_count(L, kind, sqlite3_bind_parameter_count(s), last - first + 1);
    c->active = s;
    for (int i = first; i <= last; i++) lr_bind(L, s, i - first + 1, i);
    c->ctx = lr_getctx(L);
    c->stopped = LR_STOP_NONE;
    c->deadline_ns = c->timeout_ns > 0 ? lr_monotonic_ns() + c->timeout_ns : 0;

    int ncols = sqlite3_column_count(s);
    int want_rows = kind == LR_DB_ROWS || kind == LR_DB_FIRST;
    char is_json[ncols > 0 ? ncols : 1];
    if (want_rows) {
        /* Column names once, checked for repeats: a row keyed by name would lose one. */
        lua_createtable(L, ncols, 0);                           /* stack: names */
        for (int i = 0; i < ncols; i++) {
            const char *name = sqlite3_column_name(s, i);
            const char *decl = sqlite3_column_decltype(s, i);
            is_json[i] = decl && strcasecmp(decl, "JSON") == 0;
            for (int j = 0; j < i; j++) {
                if (strcmp(sqlite3_column_name(s, j), name) == 0) {
                    lua_pushfstring(L, "db: column \"%s\" appears twice in the result (alias one with AS)", name);
                    lr_settle(c);
                    return lr_fail(L, base, "42712");
                }
            }
            lua_pushstring(L, name);
            lua_rawseti(L, -2, i + 1);
        }
        lua_createtable(L, kind == LR_DB_FIRST ? 1 : 4, 0);    /* stack: names rows */
        lr_json_push_arrays(L);                                 /* rows marked as a JSON array */
        lua_pushvalue(L, -2);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
        lua_pop(L, 1);
    }
    size_t held = 0;
    lua_Integer n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (kind == LR_DB_FIRST && n == 1 && sqlite3_stmt_readonly(s)) { rc = SQLITE_DONE; break; }   /* a read can stop here */
        if (!want_rows || (kind == LR_DB_FIRST && n == 1)) continue;   /* a write runs to the end: its effects happen */
        lua_createtable(L, 0, ncols);                            /* stack: names rows row */
        for (int i = 0; i < ncols; i++) {
            lua_rawgeti(L, base + 1, i + 1);
            if (lr_push_column(L, s, i, is_json[i], &held) != 0) {
                lr_settle(c);
                return lr_fail(L, base, "22P02");
            }
            lua_rawset(L, -3);
        }
        lua_rawseti(L, -2, ++n);
        if (held > c->max_result) {
            lua_pushstring(L, "db: the result is larger than db.maxResult; select fewer rows or columns (LIMIT)");
            lr_settle(c);
            return lr_fail(L, base, "54000");
        }
    }
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        lr_settle(c);
        lua_settop(L, base);
        return LR_DB_BUSY;
    }
    if (rc != SQLITE_DONE) {
        lua_settop(L, base);
        int pushed = lr_push_error(L, c, rc);   /* reads the message before the reset clears it */
        lr_settle(c);
        return pushed;
    }
    lr_settle(c);
    switch (kind) {
    case LR_DB_ROWS:                                              /* stack: names rows */
        lua_remove(L, base + 1);
        break;
    case LR_DB_FIRST:
        if (n == 0) lua_pushnil(L); else lua_rawgeti(L, -1, 1);
        lua_replace(L, base + 1);
        lua_settop(L, base + 1);
        break;
    case LR_DB_EXEC:
        lua_createtable(L, 0, 2);
        lua_pushinteger(L, (lua_Integer)sqlite3_changes64(c->db));
        lua_setfield(L, -2, "changes");
        lua_pushinteger(L, (lua_Integer)sqlite3_last_insert_rowid(c->db));
        lua_setfield(L, -2, "last_id");
        break;
    default:
        lua_pushboolean(L, 1);
    }
    return 1;
}

const lr_db_engine lr_sqlite_engine = {"sqlite", '?', lr_sqlite_run, NULL};

/* ---- for the host: transactions and migrations (no Lua) ---- */

int lr_sqlite_exec_simple(lr_db_conn *c, const char *sql, char *err, size_t errlen) {
    lr_settle(c);
    c->deadline_ns = 0;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK && err) snprintf(err, errlen, "%s", sqlite3_errmsg(c->db));
    return rc;
}

int lr_sqlite_exec_script(lr_db_conn *c, const char *sql, int *line, int *column,
                          char *err, size_t errlen, const char **sqlstate) {
    lr_settle(c);
    c->deadline_ns = 0;
    const char *at = sql;
    while (*at) {
        while (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r') at++;   /* where the statement starts */
        if (!*at) break;
        sqlite3_stmt *s = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(c->db, at, -1, &s, &tail);
        if (rc == SQLITE_OK && s) {
            while ((rc = sqlite3_step(s)) == SQLITE_ROW) {}
            if (rc == SQLITE_DONE) rc = SQLITE_OK;
        }
        if (rc != SQLITE_OK) {
            const char *msg = sqlite3_errmsg(c->db);
            snprintf(err, errlen, "%s", msg);
            *sqlstate = lr_sqlstate(sqlite3_extended_errcode(c->db), msg);
            int offset = sqlite3_error_offset(c->db);   /* within the statement prepared; -1: unknown */
            lr_db_line_column(sql, (size_t)(at - sql) + (offset > 0 ? (size_t)offset : 0), line, column);
            sqlite3_finalize(s);
            return rc;
        }
        sqlite3_finalize(s);
        if (!tail || tail == at) break;
        at = tail;
    }
    return SQLITE_OK;
}

int lr_sqlite_applied(lr_db_conn *c, void *ud, void (*row)(void *ud, int64_t version, const char *name, const char *checksum),
                      char *err, size_t errlen) {
    lr_settle(c);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(c->db, "SELECT version, name, checksum FROM luaroutes_migrations ORDER BY version", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            row(ud, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2));
        }
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) snprintf(err, errlen, "%s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    return rc;
}

int lr_sqlite_record(lr_db_conn *c, int64_t version, const char *name, const char *checksum, char *err, size_t errlen) {
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(c->db, "INSERT INTO luaroutes_migrations(version, name, checksum, applied_at) "
                                       "VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, version);
        sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, checksum, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) snprintf(err, errlen, "%s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    return rc;
}

void lr_db_sha256_hex(const char *s, size_t len, char out[65]) {
    unsigned char digest[32];
    unsigned int n = 0;
    EVP_Digest(s, len, digest, &n, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", digest[i]);
    out[64] = 0;
}
