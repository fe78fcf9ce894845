/* The CPU budget inside C library functions, and a string.rep that cannot outrun the limits.
 *
 * A hook only fires between VM instructions, so a C function that loops long is out of its
 * reach: string.find("aaaa...", ".-.-b") on 4000 bytes ran 52 s. The limit signal (lr_clock.c)
 * still ticks while such a function runs and marks the request tripped; the guarded functions
 * here, in lr_pattern.c and in lr_tablib.c count their work and look at that flag every
 * LR_GUARD_EVERY units; once it is set they raise, and the trip hook yields the request out at
 * its next instruction.
 *
 * What is left unguarded, and why it is bounded:
 * - string.format: one pass over the format string; each item is bounded (width and precision
 *   take at most 2 digits, '%s' and '%q' copy an argument once), so the work is linear in the
 *   size of its inputs and output, which the memory cap bounds. '%s' of a value with
 *   __tostring calls Lua code, which the hook sees.
 * - utf8.char/codepoint/len/offset/codes, string.byte/char/upper/lower/reverse/sub/pack/unpack:
 *   linear in their string arguments (capped by memory), and the ones that push values are
 *   bounded by the stack limit (lua_checkstack, LUAI_MAXSTACK = 1e6 slots).
 * - table.pack, select, tostring, concatenation (..), load of a text chunk: linear in their
 *   inputs. */
#include <limits.h>
#include <string.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include "lr_guards.h"
#include "lr_guards_internal.h"
#include "lr_state.h"

void lr_guard_enter(lua_State *L) {
    lr_guard_cpu(L);
}

void lr_guard_cpu(lua_State *L) {
    lr_ctx *c = lr_getctx(L);
    if (!c->cpu_active || !c->tripped) return;
    lr_set_trip_hook(L);
    luaL_error(L, c->tripped == LR_TRIP_TIMEOUT ? "time limit exceeded" : "CPU limit exceeded");
}

/* Lua 5.4.4's bound on string results (lstrlib.c's MAXSIZE): past it, "resulting string too
 * large" is an ordinary error, raised before any allocation. */
#define LR_STR_MAXSIZE (sizeof(size_t) < sizeof(int) ? (size_t)~(size_t)0 : (size_t)INT_MAX)

/* string.rep(s, n [, sep]), as Lua 5.4.4's str_rep, plus:
 * - a result within Lua's bound but larger than the memory cap is refused before any work,
 *   and counted as a refusal of the allocator (the host reports limits.memory, as when the
 *   allocation itself fails);
 * - an empty piece and separator give "" at once (the standard one loops n times for it);
 * - the copy loop checks the CPU budget (string.rep("x", 6e7) is 6e7 one-byte copies). */
static int lr_str_rep(lua_State *L) {
    size_t l, lsep;
    const char *s = luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &lsep);
    lr_guard_enter(L);
    if (n <= 0 || l + lsep == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (l + lsep < l || l + lsep > LR_STR_MAXSIZE / (size_t)n)
        return luaL_error(L, "resulting string too large");
    size_t totallen = ((size_t)n * (l + lsep)) - lsep;
    lr_ctx *c = lr_getctx(L);
    if (c->enforce && c->cap && totallen > c->cap) {
        c->refusals++;
        return luaL_error(L, "string.rep: result too large");
    }
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, totallen);
    size_t work = 0, units = 1 + (l + lsep) / 16;
    while (n-- > 1) {   /* first n-1 copies, each followed by the separator */
        memcpy(p, s, l);
        p += l;
        if (lsep > 0) {
            memcpy(p, sep, lsep);
            p += lsep;
        }
        lr_guard_tick(L, &work, units);
    }
    memcpy(p, s, l);    /* the last copy, without a separator */
    luaL_pushresultsize(&b, totallen);
    return 1;
}

int lr_l_tripped(lua_State *L) {
    lua_pushboolean(L, lr_getctx(L)->tripped != LR_TRIP_NONE);
    return 1;
}

void lr_guards_install(lua_State *L) {
    lua_getglobal(L, LUA_STRLIBNAME);        /* stack: string */
    lr_pattern_install(L);
    lua_pushcfunction(L, lr_str_rep);
    lua_setfield(L, -2, "rep");
    lua_pop(L, 1);                           /* stack: (empty) */
    lua_getglobal(L, LUA_TABLIBNAME);        /* stack: table */
    lr_tablib_install(L);
    lua_pop(L, 1);
}
