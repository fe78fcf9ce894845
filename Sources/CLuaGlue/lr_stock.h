/* The sandbox's replacements for standard functions that must still behave as Lua 5.4.4's own
 * (docs/reference.md section 6: only the documented removals may differ). The prelude takes them
 * from its private table. Not part of the Swift-facing API. */
#ifndef LR_STOCK_H
#define LR_STOCK_H
#include <lua5.4/lua.h>

/* Sets, in the table on top of the stack (the prelude's `priv`):
 *   setmetatable, load  the sandbox's versions (lr_baselib.c);
 *   print               print to the host's log through priv.log, which must be set already;
 *   typeerror           raises a stock "bad argument" error for a Lua wrapper (lr_baselib.c).
 * (coroutine.resume and close, which the limits also need, are in lr_coroutine.c.)
 * May raise (out of memory): call inside a protected call. */
void lr_stock_install(lua_State *L);

int lr_l_setmetatable(lua_State *L);
int lr_l_load(lua_State *L);
int lr_l_typeerror(lua_State *L);
#endif
