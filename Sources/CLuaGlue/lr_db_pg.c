/* The PostgreSQL engine (docs/data.md ("PostgreSQL")): arguments are checked and packed here
 * (section 1.2: strings as untyped text the server infers, integers int8, floats float8,
 * booleans bool, db.blob bytea, tables JSON text), the host sends them (PostgresNIO, on the
 * event loop of the request's state), and the rows it hands back are decoded here by type OID
 * from PostgreSQL's binary format, never guessed. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "lr_db_internal.h"
#include "lr_json.h"
#include "lr_json_internal.h"

/* ---- arguments ---- */

static unsigned char *lr_put_u32(unsigned char *out, uint32_t v) {
    out[0] = (unsigned char)(v >> 24); out[1] = (unsigned char)(v >> 16); out[2] = (unsigned char)(v >> 8); out[3] = (unsigned char)v;
    return out + 4;
}

static unsigned char *lr_put_header(unsigned char *out, uint32_t oid, int binary, int64_t len) {
    out = lr_put_u32(out, oid);
    *out++ = 0;
    *out++ = (unsigned char)binary;
    return lr_put_u32(out, (uint32_t)(int32_t)len);
}

/* The value at idx as bytes to send: a string (text, JSON text of a table, a blob's bytes) is
 * left at the top of the stack (so it lives until the packing ends), with its type OID and
 * format; other values are packed from *scalar. Raises on a type SQL cannot hold. */
typedef struct lr_param { uint32_t oid; int binary; int64_t len; int string_slot; unsigned char scalar[8]; } lr_param;

static void lr_describe(lua_State *L, int idx, lr_param *p) {
    p->string_slot = 0;
    switch (lua_type(L, idx)) {
    case LUA_TNONE: case LUA_TNIL: p->oid = 0; p->binary = 0; p->len = -1; return;
    case LUA_TBOOLEAN: p->oid = 16; p->binary = 1; p->len = 1; p->scalar[0] = (unsigned char)lua_toboolean(L, idx); return;
    case LUA_TNUMBER: {
        uint64_t bits;
        if (lua_isinteger(L, idx)) { bits = (uint64_t)lua_tointeger(L, idx); p->oid = 20; }
        else { double d = lua_tonumber(L, idx); memcpy(&bits, &d, 8); p->oid = 701; }
        for (int i = 0; i < 8; i++) p->scalar[i] = (unsigned char)(bits >> (56 - 8 * i));
        p->binary = 1; p->len = 8;
        return;
    }
    case LUA_TSTRING:
        lua_pushvalue(L, idx);
        p->oid = 0; p->binary = 0;                     /* untyped: the server infers int, jsonb, uuid ... */
        break;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == LR_JSON_NULL) { p->oid = 0; p->binary = 0; p->len = -1; return; }
        goto bad;
    case LUA_TUSERDATA:
        if (!luaL_testudata(L, idx, LR_DB_BLOB_MT)) goto bad;
        lua_getiuservalue(L, idx, 1);
        p->oid = 17; p->binary = 1;                    /* bytea */
        break;
    case LUA_TTABLE:
        lr_json_encode_value(L, idx, 0, 0);            /* raises on what JSON cannot hold */
        p->oid = 0; p->binary = 0;
        break;
    default:
        goto bad;
    }
    p->string_slot = lua_gettop(L);
    p->len = (int64_t)lua_rawlen(L, -1);
    return;
bad:
    luaL_argerror(L, idx, lua_pushfstring(L, "a value of SQL's types expected (nil, boolean, number, string, table, db.blob), got %s", luaL_typename(L, idx)));
}

/* Packs arguments first..last into a new userdata at the top of the stack; returns its bytes. */
static unsigned char *lr_pack(lua_State *L, int first, int last, size_t *size) {
    int count = last - first + 1;
    luaL_checkstack(L, count + 4, "too many arguments");
    lr_param *params = lua_newuserdatauv(L, sizeof(lr_param) * (size_t)(count > 0 ? count : 1), 0);
    int params_slot = lua_gettop(L);
    size_t total = 0;
    for (int i = 0; i < count; i++) {
        lr_describe(L, first + i, &params[i]);
        total += LR_PG_PARAM_HEADER + (size_t)(params[i].len > 0 ? params[i].len : 0);
    }
    if (total > 0x3fffffff) luaL_error(L, "db: the arguments are too large (%d bytes)", (int)total);
    unsigned char *out = lua_newuserdatauv(L, total > 0 ? total : 1, 0);
    unsigned char *at = out;
    for (int i = 0; i < count; i++) {
        lr_param *p = &params[i];
        at = lr_put_header(at, p->oid, p->binary, p->len);
        if (p->len <= 0) continue;
        const void *bytes = p->string_slot ? (const void *)lua_tostring(L, p->string_slot) : (const void *)p->scalar;
        memcpy(at, bytes, (size_t)p->len);
        at += p->len;
    }
    lua_replace(L, params_slot);                         /* stack: ... packed (strings dropped below) */
    lua_settop(L, params_slot);
    *size = total;
    return out;
}

static int lr_pg_run(lr_db_conn *conn, lua_State *L, int kind, const char *sql, size_t len, int first, int last) {
    lr_pg_conn *c = (lr_pg_conn *)conn;
    char err[256] = {0};
    if (kind != LR_DB_CONTROL) {
        /* Already in '$n' style (the binding rewrote '?' or there was nothing to rewrite): count. */
        int takes = lr_db_rewrite(sql, len, '$', NULL, err, sizeof err);
        if (takes < 0) return luaL_error(L, "%s", err);
        lr_db_check_count(L, kind, takes, last - first + 1);
    }
    /* BEGIN, SAVEPOINT, RELEASE and ROLLBACK are sent without waiting; COMMIT is waited for. */
    int wait = kind != LR_DB_CONTROL || strcmp(sql, "COMMIT") == 0;
    if (wait && !lua_isyieldable(L)) {
        return luaL_error(L, "db: cannot wait here (inside a C call such as table.sort, string.gsub or a metamethod)");
    }
    int base = lua_gettop(L);
    size_t params_len;
    const unsigned char *params = lr_pack(L, first, last, &params_len);   /* stack: ... packed */
    const char *state = "08006";
    int rc = c->submit(c->host, kind, wait, sql, len, params, params_len, last - first + 1, err, sizeof err, &state);
    lua_settop(L, base);
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        lua_pushstring(L, state);
        return 3;
    }
    if (!wait) { lua_pushboolean(L, 1); return 1; }
    return LR_DB_PENDING;
}

/* ---- values ---- */

static uint16_t lr_u16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t lr_u32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint64_t lr_u64(const unsigned char *p) { return (uint64_t)lr_u32(p) << 32 | lr_u32(p + 4); }

/* Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm). */
static void lr_civil(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

#define LR_PG_EPOCH_DAYS 10957   /* 2000-01-01, PostgreSQL's epoch, in days since 1970-01-01 */

static void lr_push_date(lua_State *L, int32_t days) {
    if (days == INT32_MAX) { lua_pushliteral(L, "infinity"); return; }
    if (days == INT32_MIN) { lua_pushliteral(L, "-infinity"); return; }
    int64_t y; unsigned m, d;
    lr_civil((int64_t)days + LR_PG_EPOCH_DAYS, &y, &m, &d);
    char out[32];
    snprintf(out, sizeof out, "%04" PRId64 "-%02u-%02u", y, m, d);
    lua_pushstring(L, out);
}

static void lr_push_timestamp(lua_State *L, int64_t us, int zulu) {
    if (us == INT64_MAX) { lua_pushliteral(L, "infinity"); return; }
    if (us == INT64_MIN) { lua_pushliteral(L, "-infinity"); return; }
    int64_t days = us / 86400000000LL, rest = us % 86400000000LL;
    if (rest < 0) { rest += 86400000000LL; days--; }
    int64_t y; unsigned m, d;
    lr_civil(days + LR_PG_EPOCH_DAYS, &y, &m, &d);
    int64_t secs = rest / 1000000, micros = rest % 1000000;
    char out[64];
    int n = snprintf(out, sizeof out, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, m, d,
                     (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
    if (micros) {
        n += snprintf(out + n, sizeof out - (size_t)n, ".%06u", (unsigned)micros);
        while (out[n - 1] == '0') out[--n] = 0;
    }
    if (zulu) { out[n++] = 'Z'; out[n] = 0; }
    lua_pushlstring(L, out, (size_t)n);
}

/* numeric's binary form: ndigits, weight, sign, dscale, then base-10000 digits. Exact text. */
static int lr_push_numeric(lua_State *L, const unsigned char *p, int64_t len) {
    if (len < 8) return 0;
    int ndigits = (int16_t)lr_u16(p), weight = (int16_t)lr_u16(p + 2), dscale = (int16_t)lr_u16(p + 6);
    uint16_t sign = lr_u16(p + 4);
    if (sign == 0xC000) { lua_pushliteral(L, "NaN"); return 1; }
    if (sign == 0xD000) { lua_pushliteral(L, "Infinity"); return 1; }
    if (sign == 0xF000) { lua_pushliteral(L, "-Infinity"); return 1; }
    if (ndigits < 0 || len < 8 + 2 * (int64_t)ndigits || dscale < 0) return 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (sign == 0x4000) luaL_addchar(&b, '-');
    char part[8];
    if (weight < 0) {
        luaL_addchar(&b, '0');
    } else {
        for (int i = 0; i <= weight; i++) {
            int digit = i < ndigits ? (int16_t)lr_u16(p + 8 + 2 * i) : 0;
            snprintf(part, sizeof part, i == 0 ? "%d" : "%04d", digit);
            luaL_addstring(&b, part);
        }
    }
    if (dscale > 0) {
        luaL_addchar(&b, '.');
        int written = 0;
        for (int i = weight + 1; written < dscale; i++) {
            int digit = i >= 0 && i < ndigits ? (int16_t)lr_u16(p + 8 + 2 * i) : 0;
            snprintf(part, sizeof part, "%04d", digit);
            for (int j = 0; j < 4 && written < dscale; j++, written++) luaL_addchar(&b, part[j]);
        }
    }
    luaL_pushresult(&b);
    return 1;
}

static void lr_push_uuid(lua_State *L, const unsigned char *p) {
    static const char hex[] = "0123456789abcdef";
    char out[36];
    int n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[n++] = '-';
        out[n++] = hex[p[i] >> 4];
        out[n++] = hex[p[i] & 15];
    }
    lua_pushlstring(L, out, 36);
}

/* Pushes one cell; 0, or non-zero after pushing the message of why it cannot be read. */
static int lr_push_cell(lua_State *L, uint32_t oid, const char *name, const unsigned char *p, int64_t len) {
    if (len < 0) { lua_pushlightuserdata(L, LR_JSON_NULL); return 0; }
    switch (oid) {
    case 16: if (len != 1) break; lua_pushboolean(L, p[0] != 0); return 0;                      /* bool */
    case 21: if (len != 2) break; lua_pushinteger(L, (int16_t)lr_u16(p)); return 0;             /* int2 */
    case 23: if (len != 4) break; lua_pushinteger(L, (int32_t)lr_u32(p)); return 0;             /* int4 */
    case 20: if (len != 8) break; lua_pushinteger(L, (lua_Integer)(int64_t)lr_u64(p)); return 0; /* int8 */
    case 700: { if (len != 4) break; uint32_t v = lr_u32(p); float f; memcpy(&f, &v, 4); lua_pushnumber(L, f); return 0; }
    case 701: { if (len != 8) break; uint64_t v = lr_u64(p); double d; memcpy(&d, &v, 8); lua_pushnumber(L, d); return 0; }
    case 1700: if (!lr_push_numeric(L, p, len)) break; return 0;
    case 25: case 1043: case 1042: case 19: case 18: case 705:                                /* text-like; enums below */
    case 17:                                                                                    /* bytea: raw bytes */
        lua_pushlstring(L, (const char *)p, (size_t)len); return 0;
    case 2950: if (len != 16) break; lr_push_uuid(L, p); return 0;
    case 114: case 3802: {                                                                      /* json, jsonb (version 1) */
        if (oid == 3802) { if (len < 1 || p[0] != 1) break; p++; len--; }
        if (lr_json_decode_protected(L, (const char *)p, (size_t)len) == LUA_OK) return 0;
        const char *why = lua_tostring(L, -1);
        lua_pushfstring(L, "db: column \"%s\" holds JSON that cannot be decoded (%s)", name, why ? why : "?");
        lua_remove(L, -2);
        return 1;
    }
    case 1184: if (len != 8) break; lr_push_timestamp(L, (int64_t)lr_u64(p), 1); return 0;     /* timestamptz */
    case 1114: if (len != 8) break; lr_push_timestamp(L, (int64_t)lr_u64(p), 0); return 0;     /* timestamp */
    case 1082: if (len != 4) break; lr_push_date(L, (int32_t)lr_u32(p)); return 0;             /* date */
    default:
        if (oid & 0x80000000u) {                                                                /* an enum (the host marks them) */
            lua_pushlstring(L, (const char *)p, (size_t)len); return 0;
        }
        lua_pushfstring(L, "db: column \"%s\" has a type db cannot read (PostgreSQL type oid %d); cast it in the query, e.g. %s::text",
                        name, (int)oid, name);
        return 1;
    }
    lua_pushfstring(L, "db: column \"%s\": malformed value for PostgreSQL type oid %d", name, (int)oid);
    return 1;
}

static int lr_fail(lua_State *L, int base, const char *state) {   /* stack: base ... msg -> base nil msg state */
    lua_replace(L, base + 1);
    lua_settop(L, base + 1);
    lua_pushnil(L);
    lua_insert(L, -2);
    lua_pushstring(L, state);
    return 3;
}

static int lr_pg_resume(lua_State *L, int kind, const void *answer) {
    const lr_pg_answer *a = answer;
    if (a->error) {
        lua_pushnil(L);
        lua_pushlstring(L, a->error, a->error_len);
        lua_pushstring(L, a->sqlstate ? a->sqlstate : "XX000");
        return 3;
    }
    if (kind == LR_DB_CONTROL) { lua_pushboolean(L, 1); return 1; }
    if (kind == LR_DB_EXEC) {
        lua_createtable(L, 0, 2);
        lua_pushinteger(L, (lua_Integer)a->changes);
        lua_setfield(L, -2, "changes");
        return 1;                                                /* last_id: nil (use RETURNING) */
    }
    int base = lua_gettop(L);
    int ncols = a->ncols;
    const char *names[ncols > 0 ? ncols : 1];
    lua_createtable(L, ncols, 0);                                /* stack: names */
    const char *at = a->names;
    for (int i = 0; i < ncols; i++) {
        names[i] = at;
        for (int j = 0; j < i; j++) {
            if (strcmp(names[j], at) == 0) {
                lua_pushfstring(L, "db: column \"%s\" appears twice in the result (alias one with AS)", at);
                return lr_fail(L, base, "42712");
            }
        }
        lua_pushstring(L, at);
        lua_rawseti(L, -2, i + 1);
        at += strlen(at) + 1;
    }
    int64_t nrows = kind == LR_DB_FIRST && a->nrows > 1 ? 1 : a->nrows;
    lua_createtable(L, nrows < 1000000 ? (int)nrows : 1000000, 0);   /* stack: names rows */
    lr_json_push_arrays(L);
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    for (int64_t r = 0; r < nrows; r++) {
        lua_createtable(L, 0, ncols);                            /* stack: names rows row */
        const int64_t *cell = a->cells + 2 * r * ncols;
        for (int i = 0; i < ncols; i++) {
            lua_rawgeti(L, base + 1, i + 1);
            if (lr_push_cell(L, a->oids[i], names[i], a->data + cell[2 * i], cell[2 * i + 1]) != 0) {
                return lr_fail(L, base, "0A000");
            }
            lua_rawset(L, -3);
        }
        lua_rawseti(L, -2, (lua_Integer)r + 1);
    }
    if (kind == LR_DB_FIRST) {
        if (nrows == 0) lua_pushnil(L); else lua_rawgeti(L, -1, 1);
    }
    lua_replace(L, base + 1);
    lua_settop(L, base + 1);
    return 1;
}

const lr_db_engine lr_pg_engine = {"postgres", '$', lr_pg_run, lr_pg_resume};

const lr_db_engine *lr_pg_engine_address(void) { return &lr_pg_engine; }
