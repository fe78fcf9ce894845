/* coroutine.close with a C stack guard.
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
 * resetting when an error unwinds through a close.
 *
 * Every path of the sandbox that runs __close handlers of another coroutine comes here: the
 * prelude's coroutine.close and coroutine.wrap (which closes its coroutine after an error).
 * The rest is lcorolib.c's luaB_close of Lua 5.4.4 (Copyright (C) 1994-2022 Lua.org,
 * PUC-Rio, MIT licence: see the notice in lr_pattern.c, which applies to this file too). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <lua5.4/lauxlib.h>
#include "lr_stock.h"

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

#define COS_RUN 0
#define COS_DEAD 1
#define COS_YIELD 2
#define COS_NORM 3
static const char *const statname[] = {"running", "dead", "suspended", "normal"};

static int auxstatus(lua_State *L, lua_State *co) {
    if (L == co) return COS_RUN;
    switch (lua_status(co)) {
    case LUA_YIELD:
        return COS_YIELD;
    case LUA_OK: {
        lua_Debug ar;
        if (lua_getstack(co, 0, &ar)) return COS_NORM;   /* it is running */
        else if (lua_gettop(co) == 0) return COS_DEAD;
        else return COS_YIELD;                          /* initial state */
    }
    default:  /* some error occurred */
        return COS_DEAD;
    }
}

/* Raises msg at the position of the wrapper's caller: co_close is only called by the
 * prelude's coroutine.close and coroutine.wrap, whose callers the messages are about (a C
 * function's luaL_error would point into the prelude). */
static int lr_error_at_caller(lua_State *L, const char *msg) {
    luaL_where(L, 2);
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    return lua_error(L);
}

/* co_close(co): coroutine.close for the prelude's wrappers, which check the argument. */
int lr_l_co_close(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co, 1, "thread");
    int status = auxstatus(L, co);
    switch (status) {
    case COS_DEAD:
    case COS_YIELD: {
        if (!lr_cstack_has_room()) return lr_error_at_caller(L, "C stack overflow");
        status = lua_resetthread(co);
        if (status == LUA_OK) {
            lua_pushboolean(L, 1);
            return 1;
        }
        lua_pushboolean(L, 0);
        lua_xmove(co, L, 1);  /* move error message */
        return 2;
    }
    default:  /* normal or running coroutine */
        lua_pushfstring(L, "cannot close a %s coroutine", statname[status]);
        return lr_error_at_caller(L, lua_tostring(L, -1));
    }
}
