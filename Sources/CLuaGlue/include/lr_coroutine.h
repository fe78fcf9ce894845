/* The primitives behind the prelude's coroutine.resume / wrap / close: Lua 5.4.4's own
 * (lcorolib.c) plus keeping ctx->running current for the limit signal (lr_coroutine.c). */
#ifndef LR_COROUTINE_H
#define LR_COROUTINE_H
#include <lua5.4/lua.h>

/* coroutine.resume(co, ...): true and what co yielded or returned, or false and the error. */
int lr_co_resume(lua_State *L);

/* coroutine.close(co): closes a suspended or dead coroutine (running its __close handlers);
 * true, or false and the error. */
int lr_co_close(lua_State *L);
#endif
