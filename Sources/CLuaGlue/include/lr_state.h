/* One Lua state's context: the memory cap, the CPU budget, and the host it reports to.
 * The context lives on the C heap (never a Swift local: Swift may not write back through
 * a temporary pointer), and every thread of the state finds it in the extra space.
 * The CPU and wall limits are enforced by a per-thread CPU-clock timer signal (lr_clock.c,
 * docs/limits.md): the fields it touches are written by the signal handler on the same thread. */
#ifndef LR_STATE_H
#define LR_STATE_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>
#include "lr_pool.h"

/* Why a request was cut off; 0 while nothing was. */
enum { LR_TRIP_NONE = 0, LR_TRIP_CPU = 1, LR_TRIP_TIMEOUT = 2 };

struct lr_fetch_request;
struct lr_fetch_result;

typedef struct lr_ctx {
    /* memory: bytes in use by this state, refused above `cap` while `enforce` is set */
    size_t used, peak, cap;
    lr_pool pool;                       /* freed small blocks kept for reuse */
    int enforce;
    unsigned long refusals;             /* allocations refused over the state's life */
    unsigned long refusals_at_enter;    /* ... when the current resume began */

    /* cpu: thread CPU time spent by the current request, against its budget. The limit signal's
     * handler (lr_clock.c) reads and writes these while user code runs on this thread. */
    int cpu_active;              /* user code of a request (or a module scope) is running */
    int unlimited;               /* `luaroutes bench --no-limits`: no CPU or wall limit */
    volatile sig_atomic_t tripped;   /* this resume was cut off (LR_TRIP_*); reset by lr_enter_user */
    int spent;                   /* some resume was cut off: the state may be inconsistent */
    int64_t cpu_budget_ns;
    volatile int64_t cpu_used_ns;
    volatile int64_t cpu_mark_ns;    /* thread CPU clock at the last tick of this resume; 0: no tick yet */
    int64_t wall_deadline_ns;    /* CLOCK_MONOTONIC time the request must end by; 0: none */
    lua_State *request_thread;   /* the root coroutine of the running request */
    lua_State *volatile running; /* the coroutine running now (lr_coroutine.c keeps it current) */
    struct lr_ctx *outer;        /* the context that was running on this thread before (nesting) */
    const char *label;           /* the route file, for the log line of an abandoned shutdown; may be NULL */

    /* host: an opaque pointer to the Swift object that owns the state, and its log sink.
     * The sink must not call any Lua API that can raise. */
    void *host;
    void (*log)(void *host, int level, const char *msg, size_t len);
    /* Starts an outbound request for the running request; returns 0, or non-zero with a
     * message in err. Must not call the Lua API. */
    int (*fetch_start)(void *host, const struct lr_fetch_request *request, char *err, size_t errlen);
    /* What the fetch continuation pushes: set by the host just before it resumes the request. */
    const struct lr_fetch_result *fetch_result;
    /* res.write (lr_stream.c): takes one chunk of the running request's streamed answer, the
     * head with the first (status, names, values at head_index..+2 of L; 0: no head). Returns
     * 0: taken, yield until the host resumes; 1: the client is gone; -1: no request runs.
     * May read L (no raising API), must not call anything that raises or resumes. */
    int (*stream_write)(void *host, lua_State *L, int head_index, const char *chunk, size_t len);
    /* What the stream continuation answers: set by the host just before it resumes. */
    int stream_closed;
} lr_ctx;

/* Creates a state whose allocator is capped by ctx. No hook is set: the limit signal sets one
 * on the running coroutine only once a limit is exceeded. Returns NULL when out of memory.
 * Never raises. */
lua_State *lr_newstate(lr_ctx *ctx);

/* Closes a state made by lr_newstate and frees the blocks its allocator kept. */
void lr_closestate(lua_State *L, lr_ctx *ctx);

/* The context of any thread of a state made by lr_newstate. */
lr_ctx *lr_getctx(lua_State *L);

/* Around one resume of a request (or a module scope): turns the memory cap on, and makes the
 * calling thread's limit signal watch ctx (creating the thread's CPU timer the first time).
 * CPU is counted lazily: the first tick of the signal during a resume records the thread's CPU
 * clock, later ticks and lr_leave_user add what passed since; a resume shorter than one tick
 * reads no clock at all (its CPU goes uncounted). Never raise. */
void lr_enter_user(lr_ctx *ctx, lua_State *request_thread);
void lr_leave_user(lr_ctx *ctx);

/* Marks the running request as cut off by `why` (LR_TRIP_*) and sets the trip hook on the
 * coroutine running now, so it stops at its next VM instruction. Async-signal-safe: the limit
 * signal's handler calls it; so may C code of the same thread. */
void lr_trip(lr_ctx *ctx, int why);

/* One tick of the calling thread's limit signal while ctx runs user code: adds the CPU since the
 * last tick, and trips the request when its CPU budget or its wall deadline is passed.
 * Async-signal-safe (clock_gettime, plain stores, lua_sethook). */
void lr_limits_tick(lr_ctx *ctx);

/* Sets the trip hook on L (count 1): on its next instruction the request's root coroutine yields
 * out to the host (a yield cannot be caught by pcall), any other coroutine raises the limit's
 * error. Async-signal-safe (lua_sethook is). */
void lr_set_trip_hook(lua_State *L);

/* The calling thread's CPU time, and the monotonic clock, in nanoseconds. */
int64_t lr_thread_cpu_ns(void);
int64_t lr_monotonic_ns(void);

/* A full garbage collection (lua_gc is variadic, so Swift cannot call it). Never raises with the cap off. */
void lr_gc_collect(lua_State *L);
/* Kilobytes in use, as collectgarbage("count") reports. */
int lr_gc_count_kb(lua_State *L);
#endif
