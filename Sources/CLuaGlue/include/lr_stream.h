/* res.write: the handler's coroutine hands one chunk of a streamed answer to the host and
 * yields until the connection has taken it (backpressure), so other requests run meanwhile
 * (docs/streaming.md). */
#ifndef LR_STREAM_H
#define LR_STREAM_H
#include <lua5.4/lua.h>

/* stream_write(chunk [, status, names, values]) -> yields; on resume returns true, or
 * nil, "closed" when the client is gone. The head (status and the header tables that
 * route.lua's dispatch keeps) comes with the first chunk only. Returns nil, "closed" at once,
 * without yielding, when the host already knows the client is gone. Raises where a yield is
 * impossible. */
int lr_stream_write(lua_State *L);
#endif
