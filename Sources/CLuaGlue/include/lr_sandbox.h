/* Building a sandboxed state and calling into it without letting a Lua error reach Swift. */
#ifndef LR_SANDBOX_H
#define LR_SANDBOX_H
#include <lua5.4/lua.h>

/* Registry keys shared by the C glue and the prelude. */
#define LR_REG_HOST "lr.HOST"        /* the sentinel value that host yields carry */
#define LR_REG_REQ_MT "lr.req_mt"    /* metatable of req tables (lazy fields) */
#define LR_REG_ROOTS "lr.roots"      /* weak set of the coroutines the host runs requests in */

/* A lua_CFunction, run through lr_call_protected: opens the kept standard libraries (base,
 * coroutine, table, string, math, utf8, os; never io, debug or package) and pushes the table of
 * private host functions the prelude takes as its argument: {log, readonly, fetch_start, json,
 * crypto, HOST, tripped, resume, close, roots}. */
int lr_sandbox_open(lua_State *L);

/* Calls the C function f with the nargs values on top of the stack, in protected mode.
 * Returns a Lua status; on error the message is on the stack. Never raises. */
int lr_call_protected(lua_State *L, lua_CFunction f, int nargs, int nresults);

/* Loads a text chunk (binary chunks are refused) named `chunkname` ("@pages/api/x.lua").
 * Returns a Lua status; pushes the function or the message. Never raises. */
int lr_load_text(lua_State *L, const char *source, size_t len, const char *chunkname);

/* lr_load_text for the host's own constant text (the prelude's files): the first call for a chunkname compiles it and
 * keeps its bytecode for the whole process (debug information included), later calls with the
 * same chunkname and text load that bytecode, which is several times faster and leaves no
 * parser garbage in the state. Same results as lr_load_text. Thread-safe. Never raises. */
int lr_load_prelude(lua_State *L, const char *source, size_t len, const char *chunkname);

/* Pushes onto L the message of the error on top of the dead coroutine `co`, followed by co's
 * stack traceback. A non-string error object is described, never converted through its
 * metamethods (they are user code). Returns a Lua status. Never raises. */
int lr_push_traceback(lua_State *L, lua_State *co);

/* A new coroutine for the host to run a request (or a module chunk) in: anchored in the
 * registry (*ref, for luaL_unref) so the collector keeps it, and entered in the LR_REG_ROOTS set,
 * so that script code holding it cannot resume or close it while it waits on the host
 * (docs/reference.md section 6, `fetch`). NULL when out of memory. Never raises. */
lua_State *lr_new_root_thread(lua_State *L, int *ref);

/* True when the value at idx is the host-yield sentinel. Never raises. */
int lr_is_host_sentinel(lua_State *L, int idx);
#endif
