/* The json module table, its registry entries, and the protected entry points for Swift. */
#include "lr_json_internal.h"
#include "lr_json.h"

const char lr_json_null_tag = 0;

/* Past the C-stack bytes, a buffer lives in memory from the state's allocator, owned by a box
 * userdata at the buffer's stack slot: lr_json_buf_free releases it at once on success, the
 * box's __gc after an error. Growing reallocates in place and leaves no garbage behind (a 1 MB
 * result would otherwise leave ~2 MB of dead userdata per call). */
typedef struct lr_json_box { char *p; size_t cap; } lr_json_box;

static int lr_json_box_gc(lua_State *L) {
  lr_json_box *box = lua_touserdata(L, 1);
  void *ud;
  lua_Alloc allocf = lua_getallocf(L, &ud);
  if (box->p) allocf(ud, box->p, box->cap, 0);
  box->p = NULL;
  box->cap = 0;
  return 0;
}

void lr_json_buf_grow(lr_json_buf *b, size_t extra) {
  lua_State *L = b->L;
  size_t need = b->len + extra, cap = b->cap * 2;
  if (need < b->len) luaL_error(L, "json: buffer too large");
  if (cap < need) cap = need;
  if (b->p == b->local) {
    lr_json_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    box->p = NULL; box->cap = 0;
    if (luaL_newmetatable(L, "lr.json.buffer")) {
      lua_pushcfunction(L, lr_json_box_gc);
      lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_replace(L, b->slot);
  }
  lr_json_box *box = lua_touserdata(L, b->slot);
  void *ud;
  lua_Alloc allocf = lua_getallocf(L, &ud);
  char *p = allocf(ud, box->p, box->p ? box->cap : LUA_TUSERDATA, cap);
  if (p == NULL) {  /* as Lua does: collect, retry; then let Lua raise its own LUA_ERRMEM */
    lua_gc(L, LUA_GCCOLLECT, 0);
    p = allocf(ud, box->p, box->p ? box->cap : LUA_TUSERDATA, cap);
  }
  if (p == NULL) {
    lua_newuserdatauv(L, cap, 0);  /* raises LUA_ERRMEM unless memory came back meanwhile */
    lua_pop(L, 1);
    lua_gc(L, LUA_GCCOLLECT, 0);
    p = allocf(ud, box->p, box->p ? box->cap : LUA_TUSERDATA, cap);
  }
  if (p == NULL) luaL_error(L, "not enough memory");
  if (box->p == NULL) memcpy(p, b->p, b->len);  /* from the C-stack bytes */
  box->p = p;
  box->cap = cap;
  b->p = p;
  b->cap = cap;
}

void lr_json_buf_free(lr_json_buf *b) {
  if (b->p == b->local) return;
  lua_State *L = b->L;
  lr_json_box *box = lua_touserdata(L, b->slot);
  void *ud;
  lua_Alloc allocf = lua_getallocf(L, &ud);
  allocf(ud, box->p, box->cap, 0);
  box->p = NULL;
  box->cap = 0;
  b->p = b->local;
  b->cap = sizeof b->local;
  b->len = 0;
}

void lr_json_push_arrays(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, LR_JSON_ARRAYS_KEY) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, LR_JSON_ARRAYS_KEY);
}

/* json.encode(v [, {indent = n, sort_keys = bool}]) */
static int lr_json_l_encode(lua_State *L) {
  int indent = 0, sort_keys = 0;
  luaL_checkany(L, 1);
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    int isint;
    int t = lua_getfield(L, 2, "indent");
    lua_Integer n = lua_tointegerx(L, -1, &isint);
    if (t != LUA_TNIL && (!isint || n < 0 || n > 16))
      return luaL_error(L, "bad option 'indent' to 'encode' (integer 0-16 expected, got %s)",
                        luaL_tolstring(L, -1, NULL));
    indent = (int)n;
    lua_getfield(L, 2, "sort_keys");
    sort_keys = lua_toboolean(L, -1);
    lua_pop(L, 2);
  }
  lr_json_encode_value(L, 1, indent, sort_keys);
  return 1;
}

/* json.decode(s) */
static int lr_json_l_decode(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  lr_json_decode_text(L, s, len);
  return 1;
}

/* json.array(t): marks t as an array, returns t */
static int lr_json_l_array(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lr_json_push_arrays(L);
  lua_pushvalue(L, 1);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_settop(L, 1);
  return 1;
}

/* json.isarray(v): true when json.encode writes v as a JSON array (keys exactly 1..n, n >= 1;
 * or empty and marked by json.array or decoded from []), so code can tell [] from {} after a
 * decode. Any other value: false. */
static int lr_json_l_isarray(lua_State *L) {
  luaL_checkany(L, 1);
  if (lua_type(L, 1) != LUA_TTABLE) { lua_pushboolean(L, 0); return 1; }
  lua_Integer n = (lua_Integer)lua_rawlen(L, 1), count = 0;
  lua_settop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    lua_Integer k;
    if (!lua_isinteger(L, -1) || (k = lua_tointeger(L, -1)) < 1 || k > n) { lua_pushboolean(L, 0); return 1; }
    count++;
  }
  if (n > 0) { lua_pushboolean(L, count == n); return 1; }
  lr_json_push_arrays(L);
  lua_pushvalue(L, 1);
  lua_pushboolean(L, lua_rawget(L, -2) != LUA_TNIL);
  return 1;
}

int lr_json_open(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"encode", lr_json_l_encode}, {"decode", lr_json_l_decode}, {"array", lr_json_l_array},
    {"isarray", lr_json_l_isarray},
    {NULL, NULL}
  };
  lr_json_push_arrays(L);
  lua_pop(L, 1);
  lua_pushlightuserdata(L, LR_JSON_NULL);
  lua_setfield(L, LUA_REGISTRYINDEX, LR_JSON_NULL_KEY);
  luaL_newlib(L, fns);
  lua_pushlightuserdata(L, LR_JSON_NULL);
  lua_setfield(L, -2, "null");
  return 1;
}

typedef struct lr_json_args { const char *s; size_t len; } lr_json_args;

static int lr_json_p_decode(lua_State *L) {
  const lr_json_args *a = lua_touserdata(L, 1);
  lr_json_decode_text(L, a->s, a->len);
  return 1;
}

int lr_json_decode_protected(lua_State *L, const char *s, size_t len) {
  lr_json_args a = { s, len };
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  lua_pushcfunction(L, lr_json_p_decode);
  lua_pushlightuserdata(L, &a);
  return lua_pcall(L, 1, 1, 0);
}

static int lr_json_p_encode(lua_State *L) {
  lr_json_encode_value(L, 1, (int)lua_tointeger(L, 2), lua_toboolean(L, 3));
  return 1;
}

int lr_json_encode_protected(lua_State *L, int idx, int indent, int sort_keys) {
  idx = lua_absindex(L, idx);
  if (!lua_checkstack(L, 5)) return LUA_ERRMEM;
  lua_pushcfunction(L, lr_json_p_encode);
  lua_pushvalue(L, idx);
  lua_pushinteger(L, indent < 0 ? 0 : indent > 16 ? 16 : indent);
  lua_pushboolean(L, sort_keys);
  return lua_pcall(L, 3, 1, 0);
}
