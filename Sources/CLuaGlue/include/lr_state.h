/* One Lua state's context: the memory cap, the CPU budget, and the host it reports to.
 * The context lives on the C heap (never a Swift local: Swift may not write back through
 * a temporary pointer), and every thread of the state finds it in the extra space. */
#ifndef LR_STATE_H
#define LR_STATE_H
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>
#include "lr_pool.h"

/* Why a request was cut off; 0 while nothing was. */
enum { LR_TRIP_NONE = 0, LR_TRIP_CPU = 1, LR_TRIP_TIMEOUT = 2 };

struct lr_fetch_request;
struct lr_fetch_result;

/* How often (in VM instructions) the count hook looks at the clock. */
#define LR_HOOK_EVERY 1000

typedef struct lr_ctx {
    /* memory: bytes in use by this state, refused above `cap` while `enforce` is set */
    size_t used, peak, cap;
    lr_pool pool;                       /* freed small blocks kept for reuse */
    int enforce;
    unsigned long refusals;             /* allocations refused over the state's life */
    unsigned long refusals_at_enter;    /* ... when the current resume began */

    /* cpu: thread CPU time spent by the current request, against its budget */
    int cpu_active;
    int tripped;                 /* this resume was cut off (LR_TRIP_*); reset by lr_enter_user */
    int spent;                   /* some resume was cut off: the state may be inconsistent */
    int64_t cpu_budget_ns, cpu_used_ns, cpu_started_ns;   /* cpu_started_ns 0: not read yet this resume */
    int64_t wall_deadline_ns;    /* CLOCK_MONOTONIC time the request must end by; 0: none */
    lua_State *request_thread;   /* the root coroutine of the running request */

    /* host: an opaque pointer to the Swift object that owns the state, and its log sink.
     * The sink must not call any Lua API that can raise. */
    void *host;
    void (*log)(void *host, int level, const char *msg, size_t len);
    /* Starts an outbound request for the running request; returns 0, or non-zero with a
     * message in err. Must not call the Lua API. */
    int (*fetch_start)(void *host, const struct lr_fetch_request *request, char *err, size_t errlen);
    /* What the fetch continuation pushes: set by the host just before it resumes the request. */
    const struct lr_fetch_result *fetch_result;
} lr_ctx;

/* Creates a state whose allocator is capped by ctx and whose main thread carries the CPU hook
 * (threads inherit it from their creator, so the hook must be there before any code runs).
 * Returns NULL when out of memory. Never raises. */
lua_State *lr_newstate(lr_ctx *ctx);

/* Closes a state made by lr_newstate and frees the blocks its allocator kept. */
void lr_closestate(lua_State *L, lr_ctx *ctx);

/* The context of any thread of a state made by lr_newstate. */
lr_ctx *lr_getctx(lua_State *L);

/* CPU accounting around one resume of a request: starts and stops the clock, and turns the
 * memory cap on while user code runs. Never raise. */
void lr_enter_user(lr_ctx *ctx, lua_State *request_thread);
void lr_leave_user(lr_ctx *ctx);

/* CPU spent by the current request so far. The clock starts lazily, at the first check of a
 * resume (the hook's first firing, after LR_HOOK_EVERY instructions, or a guarded C function):
 * reading a thread's CPU clock is a system call, and most handlers finish before any check,
 * so they pay for none. The instructions before the first check go uncounted. */
int64_t lr_cpu_spent(lr_ctx *ctx);

/* The calling thread's CPU time, and the monotonic clock, in nanoseconds. */
int64_t lr_thread_cpu_ns(void);
int64_t lr_monotonic_ns(void);

/* A full garbage collection (lua_gc is variadic, so Swift cannot call it). Never raises with the cap off. */
void lr_gc_collect(lua_State *L);
/* Kilobytes in use, as collectgarbage("count") reports. */
int lr_gc_count_kb(lua_State *L);
#endif
