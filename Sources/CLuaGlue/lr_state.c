/* The memory cap and the CPU budget of one Lua state (docs/swift-lua.md section 4). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <lua5.4/lauxlib.h>
#include "lr_state.h"
#include "lr_clock.h"

/* Lua's allocator contract: nsize 0 frees; shrinking must never fail; ptr NULL means osize is a type tag. */
static void *lr_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    lr_ctx *c = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        lr_pool_realloc(&c->pool, ptr, osize, 0);
        c->used -= old;
        return NULL;
    }
    if (nsize > old && c->enforce && c->cap && c->used - old + nsize > c->cap) {
        c->refusals++;
        return NULL;
    }
    void *p = lr_pool_realloc(&c->pool, ptr, osize, nsize);
    if (!p) return NULL;
    c->used = c->used - old + nsize;
    if (c->used > c->peak) c->peak = c->used;
    return p;
}

int64_t lr_thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t lr_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The hook a limit sets on the coroutine that was running when it was exceeded (count 1: it
 * fires at that coroutine's next instruction). The request's root coroutine yields out to the
 * host when it can (pcall cannot catch a yield); any other coroutine raises, and its resumer
 * gets the hook in turn (lr_coroutine.c), so the error climbs to the root whatever catches it. */
static void lr_trip_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lr_ctx *c = lr_getctx(L);
    if (!c->cpu_active || !c->tripped) {
        lua_sethook(L, NULL, 0, 0);   /* left over from a request that ended: nothing to stop */
        return;
    }
    if (L == c->request_thread && lua_isyieldable(L)) {
        lua_yield(L, 0);
        return;
    }
    luaL_error(L, c->tripped == LR_TRIP_TIMEOUT ? "time limit exceeded" : "CPU limit exceeded");
}

void lr_set_trip_hook(lua_State *L) {
    lua_sethook(L, lr_trip_hook, LUA_MASKCOUNT, 1);
}

void lr_trip(lr_ctx *c, int why) {
    if (!c->tripped) c->tripped = why;
    lua_State *running = c->running;
    if (running) lr_set_trip_hook(running);
}

static int lr_panic(lua_State *L) {
    /* Only reached by a host bug: an API call that raised outside any protected call. */
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "luaroutes: unprotected Lua error: %s\n", msg ? msg : "(not a string)");
    abort();
}

lua_State *lr_newstate(lr_ctx *ctx) {
    lua_State *L = lua_newstate(lr_alloc, ctx);
    if (!L) return NULL;
    lua_atpanic(L, lr_panic);
    *(lr_ctx **)lua_getextraspace(L) = ctx;
    /* Generational collection: a request's garbage (req, res, decoded bodies) dies young,
     * which is the case the generational mode is built for. */
    lua_gc(L, LUA_GCGEN, 0, 0);
    return L;
}

void lr_closestate(lua_State *L, lr_ctx *ctx) {
    lua_close(L);
    lr_pool_drain(&ctx->pool);
}

lr_ctx *lr_getctx(lua_State *L) { return *(lr_ctx **)lua_getextraspace(L); }

void lr_enter_user(lr_ctx *c, lua_State *request_thread) {
    c->request_thread = request_thread;
    c->running = request_thread;
    c->tripped = LR_TRIP_NONE;
    c->refusals_at_enter = c->refusals;
    c->cpu_mark_ns = 0;
    c->cpu_active = 1;
    c->enforce = 1;
    /* Last: from here on the thread's limit signal looks at c. */
    if (!c->unlimited) c->outer = lr_clock_watch(c);
}

void lr_leave_user(lr_ctx *c) {
    if (!c->unlimited) lr_clock_watch(c->outer);   /* first: the signal no longer touches c */
    c->outer = NULL;
    if (c->tripped) c->spent = 1;
    c->enforce = 0;
    c->cpu_active = 0;
    c->running = NULL;
    if (c->cpu_mark_ns) c->cpu_used_ns += lr_thread_cpu_ns() - c->cpu_mark_ns;
    c->cpu_mark_ns = 0;
}

void lr_limits_tick(lr_ctx *c) {
    if (!c->cpu_active) return;
    if (!c->tripped) {
        int64_t now = lr_thread_cpu_ns();
        if (c->cpu_mark_ns) c->cpu_used_ns += now - c->cpu_mark_ns;
        c->cpu_mark_ns = now;
        if (c->cpu_used_ns >= c->cpu_budget_ns) {
            c->tripped = LR_TRIP_CPU;
        } else if (c->wall_deadline_ns && lr_monotonic_ns() >= c->wall_deadline_ns) {
            c->tripped = LR_TRIP_TIMEOUT;   /* no NIO timer can fire while Lua holds the loop */
        } else {
            return;
        }
    }
    /* Tripped (now or at an earlier tick): make sure whatever runs now stops. */
    lr_trip(c, c->tripped);
}

void lr_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
int lr_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT); }
