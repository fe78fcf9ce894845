/* json.decode: JSON text (RFC 8259) -> Lua value, built directly on the Lua stack.
 *
 * Documented choices:
 * - null decodes as json.null (so arrays keep their length and objects their keys).
 * - A number without '.' or exponent that fits int64 is a Lua integer ("-0" is integer 0);
 *   any other number is a float ("-0.0" is -0.0, 1e400 raises "number out of range").
 * - [] decodes to an empty table marked as an array, so it encodes back as []; {} stays {}.
 *   Non-empty arrays have keys 1..n and re-encode as arrays without a mark.
 * - Duplicate object keys: the last one wins.
 * - Strings must be valid UTF-8 (JSON text is UTF-8): "invalid UTF-8 in string". \u escapes
 *   decode to UTF-8; a surrogate pair becomes one code point; a lone surrogate becomes U+FFFD
 *   (never ill-formed UTF-8 in a Lua string). \u0000 gives a NUL byte.
 * - No byte order mark, comments, trailing commas, NaN or single quotes.
 * - Nesting deeper than 1000 raises "json.decode: nesting deeper than 1000".
 * Errors say where, counting lines from 1 and columns in bytes from 1:
 *   json.decode: unexpected '}' at line 1 column 9
 *   json.decode: unexpected end of input at line 3 column 1
 *   json.decode: trailing characters at line 1 column 5 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "lr_json_internal.h"

typedef struct lr_dec {
  lua_State *L;
  const unsigned char *start, *p, *end;
  int arrays_idx;
  int keys_idx;     /* the stack slot for the key cache's strings (below) */
  struct lr_dec_keys *keys;   /* the key cache, NULL until the first object key */
  lr_json_buf sb;   /* scratch for strings with escapes and long numbers */
} lr_dec;

static void lr_dec_fail(lr_dec *d, const unsigned char *at, const char *what) {
  int line = 1;
  const unsigned char *bol = d->start;
  for (const unsigned char *q = d->start; q < at; q++)
    if (*q == '\n') { line++; bol = q + 1; }
  luaL_error(d->L, "json.decode: %s at line %d column %d", what, line, (int)(at - bol) + 1);
}

static void lr_dec_unexpected(lr_dec *d, const unsigned char *at) {
  char what[64];
  if (at >= d->end) lr_dec_fail(d, at, "unexpected end of input");
  if (*at > 0x20 && *at < 0x7f) snprintf(what, sizeof what, "unexpected '%c'", *at);
  else if (*at < 0x20) snprintf(what, sizeof what, "unexpected control character 0x%02x", *at);
  else snprintf(what, sizeof what, "unexpected byte 0x%02x", *at);
  lr_dec_fail(d, at, what);
}

static inline void lr_dec_ws(lr_dec *d) {
  const unsigned char *p = d->p;
  while (p < d->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
  d->p = p;
}

/* String byte classes: 0 plain ASCII, 1 '"', 2 '\\', 3 control, 4 >= 0x80 */
static const unsigned char lr_dec_class[256] = {
  3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3, 3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
  0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4, 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4, 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4, 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4, 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
};

/* Length of the valid UTF-8 sequence at p, or raises. */
static size_t lr_dec_utf8(lr_dec *d, const unsigned char *p) {
  size_t n = (size_t)(d->end - p);
  unsigned c = p[0];
  size_t k = 0;
  if (c >= 0xC2 && c <= 0xDF) k = (n >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
  else if (c >= 0xE0 && c <= 0xEF) {
    if (n >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
        !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] >= 0xA0)) k = 3;
  } else if (c >= 0xF0 && c <= 0xF4) {
    if (n >= 4 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 &&
        !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90)) k = 4;
  }
  if (k == 0) lr_dec_fail(d, p, "invalid UTF-8 in string");
  return k;
}

static int lr_dec_hex4(const unsigned char *p) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    int c = p[i], h;
    if (c >= '0' && c <= '9') h = c - '0';
    else if (c >= 'a' && c <= 'f') h = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') h = c - 'A' + 10;
    else return -1;
    v = v * 16 + h;
  }
  return v;
}

/* Reads the \uXXXX escape at p (p[0] == '\\'), possibly a pair; appends UTF-8; returns the end. */
static const unsigned char *lr_dec_uescape(lr_dec *d, const unsigned char *p) {
  if (d->end - p < 6 || lr_dec_hex4(p + 2) < 0) lr_dec_fail(d, p, "invalid \\u escape");
  unsigned cp = (unsigned)lr_dec_hex4(p + 2);
  p += 6;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    int lo = (d->end - p >= 6 && p[0] == '\\' && p[1] == 'u') ? lr_dec_hex4(p + 2) : -1;
    if (lo >= 0xDC00 && lo <= 0xDFFF) { cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned)lo - 0xDC00); p += 6; }
    else cp = 0xFFFD;
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) cp = 0xFFFD;
  char *o = lr_json_buf_reserve(&d->sb, 4);
  size_t n;
  if (cp < 0x80) { o[0] = (char)cp; n = 1; }
  else if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
  else if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
  } else {
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
  }
  d->sb.len += n;
  return p;
}

/* d->p at the opening quote; pushes the string. */
static void lr_dec_string(lr_dec *d) {
  const unsigned char *p = d->p + 1, *end = d->end, *run = p;
  for (;;) {  /* fast path: no escapes, push straight from the input */
    while (p < end && lr_dec_class[*p] == 0) p++;
    if (p >= end) lr_dec_fail(d, p, "unexpected end of input");
    unsigned cls = lr_dec_class[*p];
    if (cls == 1) { lua_pushlstring(d->L, (const char *)run, (size_t)(p - run)); d->p = p + 1; return; }
    if (cls == 4) { p += lr_dec_utf8(d, p); continue; }
    if (cls == 3) lr_dec_unexpected(d, p);
    break;  /* a backslash */
  }
  d->sb.len = 0;
  lr_json_buf_add(&d->sb, (const char *)run, (size_t)(p - run));
  for (;;) {
    run = p;
    while (p < end && lr_dec_class[*p] == 0) p++;
    lr_json_buf_add(&d->sb, (const char *)run, (size_t)(p - run));
    if (p >= end) lr_dec_fail(d, p, "unexpected end of input");
    switch (lr_dec_class[*p]) {
      case 1:
        lua_pushlstring(d->L, d->sb.p, d->sb.len);
        d->p = p + 1;
        return;
      case 3: lr_dec_unexpected(d, p); break;
      case 4: {
        size_t k = lr_dec_utf8(d, p);
        lr_json_buf_add(&d->sb, (const char *)p, k);
        p += k;
        break;
      }
      default: {
        if (p + 1 >= end) lr_dec_fail(d, end, "unexpected end of input");
        char c;
        switch (p[1]) {
          case '"': c = '"'; break;
          case '\\': c = '\\'; break;
          case '/': c = '/'; break;
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'n': c = '\n'; break;
          case 'r': c = '\r'; break;
          case 't': c = '\t'; break;
          case 'u': p = lr_dec_uescape(d, p); continue;
          default: {
            char what[64];
            if (p[1] > 0x20 && p[1] < 0x7f) snprintf(what, sizeof what, "invalid escape '\\%c'", p[1]);
            else snprintf(what, sizeof what, "invalid escape '\\' followed by byte 0x%02x", p[1]);
            lr_dec_fail(d, p, what);
            return;
          }
        }
        lr_json_buf_addc(&d->sb, c);
        p += 2;
      }
    }
  }
}

/* Object keys repeat, within a body (an array of records) and across requests (a route's
 * schema). Each Lua state keeps the last LR_DEC_KEYS short keys it decoded, one per slot
 * chosen from the length and three of the bytes: a key found there is pushed from the cache,
 * without hashing and interning it again, and stays alive between requests instead of being
 * collected and made anew. The cache is a userdata in the registry: the bytes and length of
 * each slot's string for comparing in C, and as its user value a table holding the strings
 * (which keeps them, and so those bytes, alive). Bounded: at most LR_DEC_KEYS strings of at
 * most LR_DEC_KEY_MAX bytes per state. */
#define LR_DEC_KEYS 128
#define LR_DEC_KEY_MAX 32
#define LR_JSON_KEYS_KEY "lr.json.keys"

typedef struct lr_dec_keys {
  const char *bytes[LR_DEC_KEYS];   /* NULL: an empty slot */
  unsigned char len[LR_DEC_KEYS];
} lr_dec_keys;

/* Puts the strings table at d->keys_idx and sets d->keys, making both on first use. */
static void lr_dec_load_keys(lr_dec *d) {
  lua_State *L = d->L;
  if (lua_getfield(L, LUA_REGISTRYINDEX, LR_JSON_KEYS_KEY) != LUA_TUSERDATA) {
    lua_pop(L, 1);
    lr_dec_keys *k = lua_newuserdatauv(L, sizeof *k, 1);
    memset(k, 0, sizeof *k);
    lua_createtable(L, LR_DEC_KEYS, 0);
    lua_setiuservalue(L, -2, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, LR_JSON_KEYS_KEY);
  }
  d->keys = lua_touserdata(L, -1);
  lua_getiuservalue(L, -1, 1);
  lua_replace(L, d->keys_idx);
  lua_pop(L, 1);   /* the registry keeps the userdata */
}

/* d->p at the opening quote of an object key; pushes the key. */
static void lr_dec_key(lr_dec *d) {
  const unsigned char *start = d->p + 1, *p = start, *end = d->end;
  while (p < end && lr_dec_class[*p] == 0) p++;
  size_t len = (size_t)(p - start);
  if (p >= end || *p != '"' || len > LR_DEC_KEY_MAX || len == 0) { lr_dec_string(d); return; }  /* escapes, UTF-8, long */
  lua_State *L = d->L;
  if (!d->keys) lr_dec_load_keys(d);
  lr_dec_keys *k = d->keys;
  unsigned slot = ((unsigned)len * 31u + start[0] * 7u + start[len >> 1] * 3u + start[len - 1]) & (LR_DEC_KEYS - 1);
  d->p = p + 1;
  if (k->len[slot] == len && k->bytes[slot]) {
    const char *cached = k->bytes[slot];
    size_t i = 0;
    while (i < len && cached[i] == (char)start[i]) i++;
    if (i == len) { lua_rawgeti(L, d->keys_idx, (lua_Integer)slot + 1); return; }
  }
  lua_pushlstring(L, (const char *)start, len);
  lua_pushvalue(L, -1);
  lua_rawseti(L, d->keys_idx, (lua_Integer)slot + 1);   /* the array part exists: never raises */
  k->bytes[slot] = lua_tostring(L, -1);
  k->len[slot] = (unsigned char)len;
}

static const double lr_dec_pow10[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static void lr_dec_number(lr_dec *d) {
  const unsigned char *p = d->p, *end = d->end, *start = p;
  int neg = 0, is_float = 0, nd = 0, exp10 = 0;
  uint64_t m = 0;
  if (*p == '-') { neg = 1; p++; }
  if (p >= end) lr_dec_unexpected(d, p);
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9') {
    while (p < end && *p >= '0' && *p <= '9') {
      if (nd < 19) m = m * 10 + (uint64_t)(*p - '0');
      else if (exp10 < 100000) exp10++;
      nd++; p++;
    }
  } else lr_dec_unexpected(d, p);
  if (p < end && *p == '.') {
    is_float = 1; p++;
    if (p >= end || *p < '0' || *p > '9') lr_dec_unexpected(d, p);
    while (p < end && *p >= '0' && *p <= '9') {
      if (nd < 19 && exp10 > -100000) { m = m * 10 + (uint64_t)(*p - '0'); exp10--; if (m) nd++; }
      p++;
    }
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    is_float = 1; p++;
    int eneg = 0, e = 0;
    if (p < end && (*p == '+' || *p == '-')) { eneg = *p == '-'; p++; }
    if (p >= end || *p < '0' || *p > '9') lr_dec_unexpected(d, p);
    while (p < end && *p >= '0' && *p <= '9') { if (e < 100000) e = e * 10 + (*p - '0'); p++; }
    exp10 += eneg ? -e : e;
  }
  d->p = p;
  if (!is_float) {
    if (nd <= 18 || (nd == 19 && m <= (uint64_t)INT64_MAX + (uint64_t)neg)) {
      lua_pushinteger(d->L, neg ? (lua_Integer)(0 - m) : (lua_Integer)m);
      return;
    }
  } else if (nd <= 19 && m <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
    double v = (double)m;  /* exact; one correctly rounded operation follows */
    v = exp10 < 0 ? v / lr_dec_pow10[-exp10] : v * lr_dec_pow10[exp10];
    lua_pushnumber(d->L, neg ? -v : v);
    return;
  }
  size_t n = (size_t)(p - start);  /* slow path: strtod on a NUL-terminated copy */
  d->sb.len = 0;
  lr_json_buf_add(&d->sb, (const char *)start, n);
  lr_json_buf_addc(&d->sb, '\0');
  double v = strtod(d->sb.p, NULL);
  if (isinf(v)) lr_dec_fail(d, start, "number out of range");
  lua_pushnumber(d->L, v);
}

static void lr_dec_literal(lr_dec *d, const char *word, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (d->p + i >= d->end || d->p[i] != (unsigned char)word[i]) lr_dec_unexpected(d, d->p + i);
  d->p += n;
}

static void lr_dec_value(lr_dec *d, int depth);

static void lr_dec_enter(lr_dec *d, int depth) {
  if (depth >= LR_JSON_MAX_DEPTH) luaL_error(d->L, "json.decode: nesting deeper than %d", LR_JSON_MAX_DEPTH);
  if (!lua_checkstack(d->L, 4)) luaL_error(d->L, "json.decode: out of Lua stack");
}

/* Members are decoded onto the stack and stored in batches of up to LR_DEC_BATCH, into a
 * table created at the first batch's size: inserting one by one into an empty table rehashed
 * it at every power of two (most of decode's time in callgrind). The stack stays bounded:
 * at most 2 * LR_DEC_BATCH slots per nesting level. */
#define LR_DEC_BATCH 64
/* The stack is checked once every LR_DEC_CHECK_EVERY members or items (a batch's start
 * included), for room for that many (two slots each, for a member) and the few a value takes
 * while it is decoded; a nested container checks for itself. */
#define LR_DEC_CHECK_EVERY 8
#define LR_DEC_CHECK_SLOTS (2 * LR_DEC_CHECK_EVERY + 4)

/* Stores the `n` values above stack slot `t` (the table, or nil before the first batch) at
 * array indexes from `first`, then pops them. */
static void lr_dec_store_items(lua_State *L, int t, int n, lua_Integer first) {
  if (lua_isnil(L, t)) {
    lua_createtable(L, n, 0);
    lua_replace(L, t);
  }
  for (int i = 0; i < n; i++) {
    lua_pushvalue(L, t + 1 + i);
    lua_rawseti(L, t, first + i);
  }
  lua_settop(L, t);
}

/* Stores the `n` key/value pairs above slot `t` in order (a repeated key: the last wins). */
static void lr_dec_store_members(lua_State *L, int t, int n) {
  if (lua_isnil(L, t)) {
    lua_createtable(L, 0, n);
    lua_replace(L, t);
  }
  for (int i = 0; i < n; i++) {
    lua_pushvalue(L, t + 1 + 2 * i);
    lua_pushvalue(L, t + 2 + 2 * i);
    lua_rawset(L, t);
  }
  lua_settop(L, t);
}

static void lr_dec_array(lr_dec *d, int depth) {
  lua_State *L = d->L;
  lr_dec_enter(d, depth);
  d->p++;
  lr_dec_ws(d);
  if (d->p < d->end && *d->p == ']') {
    d->p++;
    if (d->arrays_idx == 0) luaL_error(L, "json.decode: internal error (no arrays set)");
    lua_createtable(L, 0, 0);
    lua_pushvalue(L, -1);
    lua_pushboolean(L, 1);
    lua_rawset(L, d->arrays_idx);
    return;
  }
  lua_pushnil(L);  /* the table's slot */
  int t = lua_gettop(L), pending = 0;
  lua_Integer stored = 0;
  for (;;) {
    if ((pending & (LR_DEC_CHECK_EVERY - 1)) == 0 && !lua_checkstack(L, LR_DEC_CHECK_SLOTS))
      luaL_error(L, "json.decode: out of Lua stack");
    lr_dec_value(d, depth + 1);
    if (++pending == LR_DEC_BATCH) {
      lr_dec_store_items(L, t, pending, stored + 1);
      stored += pending;
      pending = 0;
    }
    lr_dec_ws(d);
    if (d->p < d->end && *d->p == ',') { d->p++; continue; }
    if (d->p < d->end && *d->p == ']') { d->p++; break; }
    lr_dec_unexpected(d, d->p);
  }
  lr_dec_store_items(L, t, pending, stored + 1);
}

static void lr_dec_object(lr_dec *d, int depth) {
  lua_State *L = d->L;
  lr_dec_enter(d, depth);
  d->p++;
  lr_dec_ws(d);
  if (d->p < d->end && *d->p == '}') { d->p++; lua_createtable(L, 0, 0); return; }
  lua_pushnil(L);  /* the table's slot */
  int t = lua_gettop(L), pending = 0;
  for (;;) {
    if (d->p >= d->end || *d->p != '"') lr_dec_unexpected(d, d->p);
    if ((pending & (LR_DEC_CHECK_EVERY - 1)) == 0 && !lua_checkstack(L, LR_DEC_CHECK_SLOTS))
      luaL_error(L, "json.decode: out of Lua stack");
    lr_dec_key(d);
    lr_dec_ws(d);
    if (d->p >= d->end || *d->p != ':') lr_dec_unexpected(d, d->p);
    d->p++;
    lr_dec_value(d, depth + 1);
    if (++pending == LR_DEC_BATCH) {
      lr_dec_store_members(L, t, pending);
      pending = 0;
    }
    lr_dec_ws(d);
    if (d->p < d->end && *d->p == ',') { d->p++; lr_dec_ws(d); continue; }
    if (d->p < d->end && *d->p == '}') { d->p++; break; }
    lr_dec_unexpected(d, d->p);
  }
  lr_dec_store_members(L, t, pending);
}

static void lr_dec_value(lr_dec *d, int depth) {
  lr_dec_ws(d);
  if (d->p >= d->end) lr_dec_unexpected(d, d->p);
  switch (*d->p) {
    case '{': lr_dec_object(d, depth); return;
    case '[': lr_dec_array(d, depth); return;
    case '"': lr_dec_string(d); return;
    case 't': lr_dec_literal(d, "true", 4); lua_pushboolean(d->L, 1); return;
    case 'f': lr_dec_literal(d, "false", 5); lua_pushboolean(d->L, 0); return;
    case 'n': lr_dec_literal(d, "null", 4); lua_pushlightuserdata(d->L, LR_JSON_NULL); return;
    default:
      if (*d->p == '-' || (*d->p >= '0' && *d->p <= '9')) { lr_dec_number(d); return; }
      lr_dec_unexpected(d, d->p);
  }
}

void lr_json_decode_text(lua_State *L, const char *s, size_t len) {
  lr_dec dec, *d = &dec;
  d->L = L;
  d->start = d->p = (const unsigned char *)s;
  d->end = d->start + len;
  lr_json_push_arrays(L);
  d->arrays_idx = lua_gettop(L);
  lua_pushnil(L);  /* the key cache's slot, filled at the first object key */
  d->keys_idx = lua_gettop(L);
  d->keys = NULL;
  lua_pushnil(L);  /* scratch buffer slot */
  lr_json_buf_init(&d->sb, L, lua_gettop(L));
  lr_dec_value(d, 0);
  lr_dec_ws(d);
  if (d->p < d->end) lr_dec_fail(d, d->p, "trailing characters");
  lr_json_buf_free(&d->sb);
}
