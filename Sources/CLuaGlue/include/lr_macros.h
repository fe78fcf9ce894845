/* Function-like Lua macros Swift cannot import, wrapped one-for-one (as CNIOLinux does for libc).
 * Which of these may raise is the same as for the macro they wrap. */
#ifndef LR_MACROS_H
#define LR_MACROS_H
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>

static inline void lr_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline int lr_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int lr_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int lr_pcall(lua_State *L, int nargs, int nresults, int msgh) { return lua_pcall(L, nargs, nresults, msgh); }
static inline int lr_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline lua_Integer lr_tointeger(lua_State *L, int i, int *isnum) { return lua_tointegerx(L, i, isnum); }
#endif
