/* Lets the stock lua5.4 interpreter load the codec: require "lr_json" (bench and conformance only). */
#include <lua5.4/lua.h>
#include "lr_json.h"
int luaopen_lr_json(lua_State *L);
int luaopen_lr_json(lua_State *L) { return lr_json_open(L); }
