/* The memory cap and the CPU budget of one Lua state (SWIFT-LUA.md section 4). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <lua5.4/lauxlib.h>
#include "lr_state.h"

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

/* Fires every LR_HOOK_EVERY instructions on every thread of the state. Once the budget is
 * spent it fires on every instruction and yields the request out to the host at the first
 * yieldable point: a yield cannot be caught by pcall, an error could be. */
static void lr_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lr_ctx *c = lr_getctx(L);
    if (!c->cpu_active) return;
    if (!c->tripped) {
        if (lr_cpu_spent(c) >= c->cpu_budget_ns) {
            c->tripped = LR_TRIP_CPU;
        } else if (c->wall_deadline_ns && lr_monotonic_ns() >= c->wall_deadline_ns) {
            c->tripped = LR_TRIP_TIMEOUT;   /* a CPU budget above the timeout: no timer can fire while Lua runs */
        } else {
            return;
        }
    }
    lua_sethook(L, lr_hook, LUA_MASKCOUNT, 1);
    if (L == c->request_thread && lua_isyieldable(L)) {
        lua_yield(L, 0);
        return;
    }
    luaL_error(L, c->tripped == LR_TRIP_TIMEOUT ? "time limit exceeded" : "CPU limit exceeded");
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
    lua_sethook(L, lr_hook, LUA_MASKCOUNT, LR_HOOK_EVERY);
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

int64_t lr_cpu_spent(lr_ctx *c) {
    int64_t now = lr_thread_cpu_ns();
    if (!c->cpu_started_ns) c->cpu_started_ns = now;
    return c->cpu_used_ns + (now - c->cpu_started_ns);
}

void lr_enter_user(lr_ctx *c, lua_State *request_thread) {
    c->request_thread = request_thread;
    c->tripped = LR_TRIP_NONE;
    c->refusals_at_enter = c->refusals;
    c->cpu_started_ns = 0;
    c->cpu_active = 1;
    c->enforce = 1;
}

void lr_leave_user(lr_ctx *c) {
    if (c->tripped) c->spent = 1;
    c->enforce = 0;
    c->cpu_active = 0;
    if (c->cpu_started_ns) c->cpu_used_ns += lr_thread_cpu_ns() - c->cpu_started_ns;
}

void lr_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
int lr_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT); }
