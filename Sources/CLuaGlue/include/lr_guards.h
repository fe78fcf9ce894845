/* C replacements for the standard library functions whose work is not bounded by the memory
 * cap alone (docs/swift-lua.md section 4, "Long C calls cannot be interrupted by anything"): pattern
 * matching, string.rep and the table functions that loop over a caller-chosen range. They
 * check the request's CPU budget while they run. */
#ifndef LR_GUARDS_H
#define LR_GUARDS_H
#include <lua5.4/lua.h>

/* Replaces string.find/match/gmatch/gsub/rep and table.concat/insert/remove/move/sort/unpack
 * with the guarded versions (the string table is also the string metatable's __index, so
 * ("x"):find(...) is covered). Call with the libraries open, inside a protected call: may
 * raise (out of memory). */
void lr_guards_install(lua_State *L);

/* tripped(): true once the running request was cut off (ctx->tripped). The prelude's xpcall
 * and coroutine.close ask it: the hook raises its error from inside the hook, where Lua has
 * turned hooks off, so a message handler run for that error would loop with no hook at all. */
int lr_l_tripped(lua_State *L);
#endif
