/* coroutine.resume and coroutine.close as Lua 5.4.4's lcorolib has them (same arguments,
 * results and messages), plus two duties. They keep ctx->running, the coroutine the limit signal
 * sets its hook on, current. And close guards the C stack (below). Every switch between coroutines of a request goes through
 * lua_resume (the host's, and these: the prelude's coroutine.resume and coroutine.wrap call
 * lr_co_resume) or through lua_resetthread (coroutine.close runs the closed coroutine's
 * __close handlers on that coroutine's own stack), so the signal always knows what runs. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <lua5.4/lauxlib.h>
#include "lr_coroutine.h"
#include "lr_state.h"

static lua_State *lr_getco(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co, 1, "thread");
    return co;
}

/* Makes co the running coroutine of L's request for the length of a switch; returns the one
 * before. A request already cut off runs nothing more: it raises at once. */
static lua_State *lr_switch_to(lua_State *L, lr_ctx *c, lua_State *co) {
    lua_State *before = c->running;
    c->running = co;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (c->cpu_active && c->tripped) {
        c->running = before;
        lr_set_trip_hook(L);
        luaL_error(L, c->tripped == LR_TRIP_TIMEOUT ? "time limit exceeded" : "CPU limit exceeded");
    }
    return before;
}

/* Back in L after a switch: if a limit tripped while co ran (the signal then hooked co, which
 * may be dead or suspended now), L must stop too, at its next instruction. */
static void lr_switch_back(lua_State *L, lr_ctx *c, lua_State *before) {
    c->running = before;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (c->cpu_active && c->tripped) lr_set_trip_hook(L);
}

/* lcorolib's auxresume: the number of results moved to L, or -1 with the error on L. */
static int lr_auxresume(lua_State *L, lua_State *co, int narg) {
    int status, nres;
    if (!lua_checkstack(co, narg)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, narg);
    lr_ctx *c = lr_getctx(L);
    lua_State *before = lr_switch_to(L, c, co);
    status = lua_resume(co, L, narg, &nres);
    lr_switch_back(L, c, before);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    return -1;
}

int lr_co_resume(lua_State *L) {
    lua_State *co = lr_getco(L);
    int r = lr_auxresume(L, co, lua_gettop(L) - 1);
    if (r < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(r + 1));
    return r + 1;
}

/* lcorolib's auxstatus, for the states close accepts. */
enum { LR_COS_RUN, LR_COS_DEAD, LR_COS_YIELD, LR_COS_NORM };
static const char *const lr_statname[] = {"running", "dead", "suspended", "normal"};

static int lr_auxstatus(lua_State *L, lua_State *co) {
    if (L == co) return LR_COS_RUN;
    switch (lua_status(co)) {
        case LUA_YIELD:
            return LR_COS_YIELD;
        case LUA_OK: {
            lua_Debug ar;
            if (lua_getstack(co, 0, &ar)) return LR_COS_NORM;
            return lua_gettop(co) == 0 ? LR_COS_DEAD : LR_COS_YIELD;
        }
        default:
            return LR_COS_DEAD;
    }
}

/* The C stack guard of close.
 *
 * Lua 5.4.0-5.4.4 run a coroutine's __close handlers from lua_resetthread without carrying the
 * caller's C-call count into it (fixed in 5.4.5 with lua_closethread(co, from)). So a chain in
 * which each __close closes another coroutine recurses in C with no limit: 20,000 links
 * overflow the 8 MB stack and the whole process dies (segfault, reproduced with stock lua5.4).
 * Each link can also nest up to LUAI_MAXCCALLS (200) C calls of its own, since the count
 * starts over in every coroutine, so a bound on links alone would not bound the stack.
 *
 * The guard measures what it protects: before each close it checks how much of the running
 * thread's C stack is left, and below a margin raises "C stack overflow" (Lua 5.4.6's message
 * for the same chain) instead of going deeper. The margin (a quarter of the stack, at most
 * 2 MB) leaves room for one more link's 200 C calls (a few KB each at most: a gsub frame with
 * its buffer is ~2 KB) and for the host's frames above. Nothing is counted, so nothing needs
 * resetting when an error unwinds through a close. Every path of the sandbox that runs
 * __close handlers of another coroutine comes here: the prelude's coroutine.close and
 * coroutine.wrap (which closes its coroutine after an error). */
#define LR_CSTACK_MARGIN_MAX ((size_t)2 << 20)

/* The running OS thread's stack: lowest address and the margin to keep above it. Read once
 * per thread (pthread_getattr_np reads /proc for the main thread). */
static __thread uintptr_t lr_stack_low;
static __thread size_t lr_stack_margin;

static int lr_cstack_has_room(void) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (lr_stack_low == 0) {
        pthread_attr_t attr;
        void *addr = NULL;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &attr) != 0) return 1;   /* unknown: Lua's own limits only */
        pthread_attr_getstack(&attr, &addr, &size);
        pthread_attr_destroy(&attr);
        lr_stack_low = (uintptr_t)addr;
        lr_stack_margin = size / 4 < LR_CSTACK_MARGIN_MAX ? size / 4 : LR_CSTACK_MARGIN_MAX;
    }
    return here > lr_stack_low && here - lr_stack_low > lr_stack_margin;
}

/* Raises msg at the position of the wrapper's caller: close is only called by the prelude's
 * coroutine.close (in a tail call) and coroutine.wrap, whose callers the messages are about (a
 * C function's luaL_error would point into the prelude). */
static int lr_error_at_caller(lua_State *L, const char *msg) {
    luaL_where(L, 2);
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    return lua_error(L);
}

int lr_co_close(lua_State *L) {
    lua_State *co = lr_getco(L);
    int status = lr_auxstatus(L, co);
    if (status != LR_COS_DEAD && status != LR_COS_YIELD) {
        lua_pushfstring(L, "cannot close a %s coroutine", lr_statname[status]);
        return lr_error_at_caller(L, lua_tostring(L, -1));
    }
    if (!lr_cstack_has_room()) return lr_error_at_caller(L, "C stack overflow");
    lr_ctx *c = lr_getctx(L);
    lua_State *before = lr_switch_to(L, c, co);
    status = lua_resetthread(co);             /* runs co's pending __close handlers, on co */
    lr_switch_back(L, c, before);
    if (status == LUA_OK) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushboolean(L, 0);
    lua_xmove(co, L, 1);
    return 2;
}
