/* The limit signal: each OS thread that runs Lua gets a timer on its own CPU clock
 * (CLOCK_THREAD_CPUTIME_ID) that sends it a real-time signal every LR_CLOCK_TICK_NS of the CPU
 * it burns. It only ticks while the thread works, so an idle loop costs nothing, and no
 * per-instruction hook is needed: the handler checks the request the thread is running
 * (lr_limits_tick) and, once a limit is passed, sets a hook on the running coroutine.
 * docs/limits.md describes the design. */
#ifndef LR_CLOCK_H
#define LR_CLOCK_H
#include <stddef.h>

struct lr_ctx;

/* 5 ms of a thread's CPU between two ticks: the resolution of limits.cpu and, while Lua runs,
 * of limits.timeout. */
#define LR_CLOCK_TICK_NS 5000000L

/* Makes the calling thread's limit signal watch ctx (NULL: nothing) and returns what it
 * watched before. The first call on a thread creates its timer (deleted when the thread
 * exits). Never fails: a thread whose timer cannot be made is reported by lr_clock_thread_start. */
struct lr_ctx *lr_clock_watch(struct lr_ctx *ctx);

/* Creates the calling thread's timer if it has none. Returns 0, or the errno of the failure
 * (the thread's requests then run without CPU and wall limits). */
int lr_clock_thread_start(void);

/* The signal number the timers send (chosen once per process among the real-time signals
 * that have no handler yet). */
int lr_clock_signal(void);

/* Writes into buf (NUL-terminated, at most cap bytes) the labels of the contexts that run
 * user code right now on any thread, separated by ", ", and returns how many there are. For
 * the last log line of a shutdown that has to abandon them. */
int lr_clock_describe_running(char *buf, size_t cap);

/* A copy of name that lives as long as the process (one per distinct name), for ctx->label:
 * the shutdown log reads labels of other threads, so they must never be freed. */
const char *lr_clock_intern(const char *name);
#endif
