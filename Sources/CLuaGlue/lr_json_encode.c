/* json.encode: Lua value -> JSON text, into one growing buffer.
 *
 * Documented choices:
 * - nil and json.null encode as null; booleans as true/false.
 * - Integers (lua_isinteger) print exactly, full int64 range. Floats print in the shortest form
 *   that reads back to the same double; an integral float keeps a ".0" (1.0 -> "1.0",
 *   -0.0 -> "-0.0") so it decodes as a float again (see lr_json_dtoa.c).
 * - NaN and +-infinity raise "json.encode: cannot encode NaN" / "inf" / "-inf": JSON has no
 *   such numbers, and JavaScript's silent null loses data.
 * - Tables are read raw (metatables are ignored). A table whose keys are exactly 1..n (n >= 1)
 *   is an array. An empty table is {} unless marked by json.array or decoded from [] (then []).
 *   Any other table is an object, in which integer keys are written as strings: {1, 2, [5] = 5}
 *   gives {"1":1,"2":2,"5":5} and {1, x = 2} gives {"1":1,"x":2}; nothing is dropped. If a table
 *   has both 1 and "1" as keys, that raises "json.encode: duplicate key \"1\"".
 *   Other keys (floats, booleans, tables, ...) raise "json.encode: cannot encode a key of type
 *   boolean".
 * - Strings: '"', '\\' and control characters are escaped (\n, \t, ..., \u001f); '/' and
 *   non-ASCII are written raw. Invalid UTF-8 bytes are each replaced by U+FFFD, so the output
 *   is always valid UTF-8 (lone surrogates encoded in UTF-8 count as invalid).
 * - Functions, threads and userdata other than json.null raise "json.encode: cannot encode a
 *   function". Nesting deeper than 1000 raises "json.encode: nesting deeper than 1000"; a table
 *   that contains itself raises "json.encode: cycle detected".
 * - indent > 0 puts each element on its own line ("key": value), like JSON.stringify(v, null, n);
 *   sort_keys orders object keys bytewise (integer keys by their text).
 * The encoder recurses at most 1000 levels and checks the Lua stack at each level. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "lr_json_internal.h"

typedef struct lr_enc {
  lua_State *L;
  int indent, sort_keys, arrays_idx;
  lr_json_buf b;
  const void *path[LR_JSON_MAX_DEPTH + 1];  /* tables being encoded, for cycle detection */
} lr_enc;

/* 0: copy as is; 1: escape with a short form; 2: \u00XX; 3: byte >= 0x80, check UTF-8 */
static const unsigned char lr_enc_class[256] = {
  2,2,2,2,2,2,2,2,1,1,1,2,1,1,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,
  0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3, 3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
  3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3, 3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
  3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3, 3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
  3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3, 3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
};

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t lr_enc_utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;   /* overlong */
    if (c == 0xED && s[1] >= 0xA0) return 0;  /* surrogate */
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && s[1] < 0x90) return 0;   /* overlong */
    if (c == 0xF4 && s[1] >= 0x90) return 0;  /* above U+10FFFF */
    return 4;
  }
  return 0;
}

#define LR_ENC_CHUNK 4096

/* Output and input positions after an escape. */
typedef struct lr_enc_step { char *o; const unsigned char *s; } lr_enc_step;

/* Writes the escaped form of the byte at s (lr_enc_class not 0) to o: at most 6 bytes out per
 * byte in. Returns both positions past it (a whole UTF-8 sequence is one step; `end` bounds
 * its check, which may read past the caller's chunk: 6 bytes per byte reserved covers it). */
static lr_enc_step lr_enc_escape(char *o, const unsigned char *s, const unsigned char *end) {
  static const char hex[] = "0123456789abcdef";
  unsigned c = *s;
  switch (lr_enc_class[c]) {
    case 1:
      *o++ = '\\';
      *o++ = c == '"' ? '"' : c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\r' ? 'r' :
             c == '\t' ? 't' : c == '\b' ? 'b' : 'f';
      s++;
      break;
    case 2:
      memcpy(o, "\\u00", 4); o[4] = hex[c >> 4]; o[5] = hex[c & 15]; o += 6;
      s++;
      break;
    default: {
      size_t k = lr_enc_utf8_len(s, (size_t)(end - s));
      if (k == 0) { memcpy(o, "\xEF\xBF\xBD", 3); o += 3; s++; }
      else { memcpy(o, s, k); o += k; s += k; }
    }
  }
  return (lr_enc_step){ o, s };
}

/* str[len] must be a NUL byte, as every Lua string has: the short path's copy loop stops at
 * it (class 2) instead of testing the end at every byte. */
static void lr_enc_string(lr_enc *e, const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str, *end = s + len;
  if (len <= LR_ENC_CHUNK) {
    /* Most strings are keys and short values: one reservation, copied a byte at a time (a
     * memcpy call per run costs more than the bytes). */
    char *o = lr_json_buf_reserve(&e->b, 6 * len + 2), *o0 = o;
    *o++ = '"';
    for (;;) {
      while (lr_enc_class[*s] == 0) *o++ = (char)*s++;
      if (s >= end) break;  /* the terminating NUL */
      lr_enc_step next = lr_enc_escape(o, s, end);
      o = next.o; s = next.s;
    }
    *o++ = '"';
    e->b.len += (size_t)(o - o0);
    return;
  }
  lr_json_buf_addc(&e->b, '"');
  while (s < end) {
    size_t n = (size_t)(end - s) < LR_ENC_CHUNK ? (size_t)(end - s) : LR_ENC_CHUNK;
    const unsigned char *cend = s + n;
    char *o = lr_json_buf_reserve(&e->b, 6 * n + 8), *o0 = o;
    while (s < cend) {
      const unsigned char *run = s;
      while (s < cend && lr_enc_class[*s] == 0) s++;
      memcpy(o, run, (size_t)(s - run)); o += s - run;
      if (s >= cend) break;
      lr_enc_step next = lr_enc_escape(o, s, end);
      o = next.o; s = next.s;
    }
    e->b.len += (size_t)(o - o0);
  }
  lr_json_buf_addc(&e->b, '"');
}

static void lr_enc_newline(lr_enc *e, int depth) {
  size_t n = (size_t)e->indent * (size_t)depth;
  char *o = lr_json_buf_reserve(&e->b, n + 1);
  *o = '\n';
  memset(o + 1, ' ', n);
  e->b.len += n + 1;
}

static void lr_enc_value(lr_enc *e, int idx, int depth);

static void lr_enc_array(lr_enc *e, int t, lua_Integer n, int depth) {
  lua_State *L = e->L;
  lr_json_buf_addc(&e->b, '[');
  for (lua_Integer i = 1; i <= n; i++) {
    if (i > 1) lr_json_buf_addc(&e->b, ',');
    if (e->indent) lr_enc_newline(e, depth + 1);
    lua_rawgeti(L, t, i);
    lr_enc_value(e, lua_gettop(L), depth + 1);
    lua_pop(L, 1);
  }
  if (e->indent) lr_enc_newline(e, depth);
  lr_json_buf_addc(&e->b, ']');
}

/* Writes the key at index k (string or integer) followed by ':'. */
static void lr_enc_key(lr_enc *e, int t, int k) {
  lua_State *L = e->L;
  if (lua_type(L, k) == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, k, &len);
    lr_enc_string(e, s, len);
  } else if (lua_isinteger(L, k)) {
    char num[24];
    size_t n = lr_json_fmt_int(num, lua_tointeger(L, k));
    lua_pushlstring(L, num, n);
    if (lua_rawget(L, t) != LUA_TNIL)
      luaL_error(L, "json.encode: duplicate key \"%s\"", lua_tostring(L, k));
    lua_pop(L, 1);
    char *o = lr_json_buf_reserve(&e->b, n + 2);
    o[0] = '"'; memcpy(o + 1, num, n); o[n + 1] = '"';
    e->b.len += n + 2;
  } else if (lua_type(L, k) == LUA_TNUMBER) {
    luaL_error(L, "json.encode: cannot encode a key of type number (%s)", lua_tostring(L, k));
  } else {
    luaL_error(L, "json.encode: cannot encode a key of type %s", luaL_typename(L, k));
  }
  if (e->indent) lr_json_buf_add(&e->b, ": ", 2);
  else lr_json_buf_addc(&e->b, ':');
}

typedef struct lr_enc_key_entry {
  const char *s;     /* string keys: the table's own string, alive while the table is */
  size_t len;
  lua_Integer i;
  int is_int;
} lr_enc_key_entry;

static int lr_enc_key_cmp(const void *pa, const void *pb) {
  const lr_enc_key_entry *a = pa, *b = pb;
  char ta[24], tb[24];
  const char *sa = a->s, *sb = b->s;
  size_t la = a->len, lb = b->len;
  if (a->is_int) { la = lr_json_fmt_int(ta, a->i); sa = ta; }
  if (b->is_int) { lb = lr_json_fmt_int(tb, b->i); sb = tb; }
  int c = memcmp(sa, sb, la < lb ? la : lb);
  return c != 0 ? c : (la > lb) - (la < lb);
}

static void lr_enc_object(lr_enc *e, int t, int depth) {
  lua_State *L = e->L;
  int first = 1;
  lr_json_buf_addc(&e->b, '{');
  if (!e->sort_keys) {
    int key = lua_gettop(L) + 1;   /* lua_next puts each key there and its value above */
    lua_pushnil(L);
    while (lua_next(L, t)) {
      if (!first) lr_json_buf_addc(&e->b, ',');
      first = 0;
      if (e->indent) lr_enc_newline(e, depth + 1);
      lr_enc_key(e, t, key);
      lr_enc_value(e, key + 1, depth + 1);
      lua_pop(L, 1);
    }
  } else {
    size_t n = 0, cap = 16;
    lr_enc_key_entry *keys = lua_newuserdatauv(L, cap * sizeof *keys, 0);
    int kslot = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) {
      lua_pop(L, 1);
      if (n == cap) {
        lr_enc_key_entry *bigger = lua_newuserdatauv(L, 2 * cap * sizeof *keys, 0);
        memcpy(bigger, keys, n * sizeof *keys);
        lua_replace(L, kslot);
        keys = bigger; cap *= 2;
      }
      lr_enc_key_entry *k = &keys[n++];
      k->is_int = lua_isinteger(L, -1);
      k->i = k->is_int ? lua_tointeger(L, -1) : 0;
      k->s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &k->len) : NULL;
      if (!k->is_int && !k->s) lr_enc_key(e, t, lua_gettop(L));  /* raises the key error */
    }
    qsort(keys, n, sizeof *keys, lr_enc_key_cmp);
    for (size_t j = 0; j < n; j++) {
      if (!first) lr_json_buf_addc(&e->b, ',');
      first = 0;
      if (e->indent) lr_enc_newline(e, depth + 1);
      if (keys[j].is_int) lua_pushinteger(L, keys[j].i);
      else lua_pushlstring(L, keys[j].s, keys[j].len);
      lr_enc_key(e, t, lua_gettop(L));
      lua_pushvalue(L, -1);
      lua_rawget(L, t);
      lr_enc_value(e, lua_gettop(L), depth + 1);
      lua_pop(L, 2);
    }
    lua_pop(L, 1);
  }
  if (e->indent && !first) lr_enc_newline(e, depth);
  lr_json_buf_addc(&e->b, '}');
}

/* 1 if t was marked by json.array or decoded from []. */
static int lr_enc_marked(lr_enc *e, int t) {
  lua_State *L = e->L;
  lua_pushvalue(L, t);
  int marked = lua_rawget(L, e->arrays_idx) != LUA_TNIL;
  lua_pop(L, 1);
  return marked;
}

static void lr_enc_table(lr_enc *e, int t, int depth) {
  lua_State *L = e->L;
  const void *self = lua_topointer(L, t);
  if (depth >= LR_JSON_MAX_DEPTH) luaL_error(L, "json.encode: nesting deeper than %d", LR_JSON_MAX_DEPTH);
  for (int i = 0; i < depth; i++)
    if (e->path[i] == self) luaL_error(L, "json.encode: cycle detected");
  if (!lua_checkstack(L, 6)) luaL_error(L, "json.encode: out of Lua stack");
  e->path[depth] = self;
  lua_Integer n = (lua_Integer)lua_rawlen(L, t);
  if (n == 0) {
    lua_pushnil(L);
    if (lua_next(L, t)) { lua_pop(L, 2); lr_enc_object(e, t, depth); }
    else if (lr_enc_marked(e, t)) lr_json_buf_add(&e->b, "[]", 2);
    else lr_json_buf_add(&e->b, "{}", 2);
    return;
  }
  /* Most arrays sit in the table's array part, which a traversal yields first and in order:
   * encode while the keys come as 1, 2, ... and end at n. Any other key (a hole, a key in the
   * hash part, a non-integer) rolls the output back to the general check below. */
  size_t mark = e->b.len;
  int key = lua_gettop(L) + 1;
  lua_Integer i = 0;
  int in_order = 1;
  lr_json_buf_addc(&e->b, '[');
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (!lua_isinteger(L, key) || lua_tointeger(L, key) != i + 1) { lua_settop(L, key - 1); in_order = 0; break; }
    if (++i > 1) lr_json_buf_addc(&e->b, ',');
    if (e->indent) lr_enc_newline(e, depth + 1);
    lr_enc_value(e, key + 1, depth + 1);
    lua_pop(L, 1);
  }
  if (in_order && i == n) {
    if (e->indent) lr_enc_newline(e, depth);
    lr_json_buf_addc(&e->b, ']');
    return;
  }
  e->b.len = mark;
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    lua_Integer k;
    if (!lua_isinteger(L, -1) || (k = lua_tointeger(L, -1)) < 1 || k > n) { lua_pop(L, 1); count = -1; break; }
    count++;
  }
  if (count == n) lr_enc_array(e, t, n, depth);
  else lr_enc_object(e, t, depth);
}

static void lr_enc_value(lr_enc *e, int idx, int depth) {
  lua_State *L = e->L;
  switch (lua_type(L, idx)) {
    case LUA_TNIL: lr_json_buf_add(&e->b, "null", 4); return;
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, idx)) lr_json_buf_add(&e->b, "true", 4);
      else lr_json_buf_add(&e->b, "false", 5);
      return;
    case LUA_TNUMBER: {
      char *o = lr_json_buf_reserve(&e->b, 32);
      if (lua_isinteger(L, idx)) { e->b.len += lr_json_fmt_int(o, lua_tointeger(L, idx)); return; }
      double d = lua_tonumber(L, idx);
      if (isnan(d)) luaL_error(L, "json.encode: cannot encode NaN");
      if (isinf(d)) luaL_error(L, "json.encode: cannot encode %s", d > 0 ? "inf" : "-inf");
      e->b.len += lr_json_fmt_double(o, d);
      return;
    }
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      lr_enc_string(e, s, len);
      return;
    }
    case LUA_TTABLE: lr_enc_table(e, idx, depth); return;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) == LR_JSON_NULL) { lr_json_buf_add(&e->b, "null", 4); return; }
      /* fall through */
    default:
      luaL_error(L, "json.encode: cannot encode a %s", luaL_typename(L, idx));
  }
}

void lr_json_encode_value(lua_State *L, int idx, int indent, int sort_keys) {
  idx = lua_absindex(L, idx);
  lr_enc enc, *e = &enc;  /* ~10 KB of C stack; the recursion below adds ~150 B a level */
  lr_json_push_arrays(L);
  lua_pushnil(L);         /* buffer slot */
  e->L = L; e->indent = indent; e->sort_keys = sort_keys; e->arrays_idx = lua_gettop(L) - 1;
  lr_json_buf_init(&e->b, L, lua_gettop(L));
  lr_enc_value(e, idx, 0);
  lua_pushlstring(L, e->b.p, e->b.len);
  lr_json_buf_free(&e->b);
}
