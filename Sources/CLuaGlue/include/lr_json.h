/* The json codec (docs/reference.md section 6): json.encode, json.decode, json.null, json.array.
 * Choices (NaN, -0, 1.0, mixed tables, UTF-8, depth 1000) are documented at the top of
 * lr_json_encode.c and lr_json_decode.c. */
#ifndef LR_JSON_H
#define LR_JSON_H
#include <stddef.h>
#include <lua5.4/lua.h>

/* Pushes the module table {encode, decode, null, array} (a lua_CFunction, returns 1).
 * RAISES on memory errors: call it under lua_pcall, or with the allocator cap lifted. */
int lr_json_open(lua_State *L);

/* Decodes s[0..len) and pushes the value: returns LUA_OK, or pushes an error message and returns
 * LUA_ERRRUN (bad text) / LUA_ERRMEM. Never raises. Returns LUA_ERRMEM without pushing anything
 * only if the Lua stack cannot grow by 3 slots. */
int lr_json_decode_protected(lua_State *L, const char *s, size_t len);

/* Encodes the value at idx and pushes the JSON string (indent 0 = compact, sort_keys != 0 sorts
 * object keys bytewise): returns LUA_OK, or pushes an error message and returns a Lua status.
 * Never raises. Same stack caveat as lr_json_decode_protected. */
int lr_json_encode_protected(lua_State *L, int idx, int indent, int sort_keys);

#endif
