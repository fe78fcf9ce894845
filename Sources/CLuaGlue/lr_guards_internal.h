/* What the guarded library functions share: a work counter that looks at the request's
 * `tripped` flag (set by the limit signal, lr_clock.c) every LR_GUARD_EVERY units of work.
 * Not part of the Swift-facing API. */
#ifndef LR_GUARDS_INTERNAL_H
#define LR_GUARDS_INTERNAL_H
#include <stddef.h>
#include <lua5.4/lua.h>

/* Units of work between two looks at the flag (a look is two loads).
 * One unit is roughly one nanosecond to a few: a match() call counts 8, a table element 16,
 * 16 bytes scanned or copied count 1. So the flag is read about every 4-40 us of work. */
#define LR_GUARD_EVERY 4096

/* Raises "CPU limit exceeded" when the running request already tripped a limit; for the
 * entry of each guarded function, so a loop that catches the error cannot call it again. */
void lr_guard_enter(lua_State *L);

/* When the running request was cut off (the limit signal set `tripped`), sets the trip hook on
 * L to fire at the next instruction (it yields the request out to the host) and raises "CPU
 * limit exceeded" (or "time limit exceeded"). Does nothing while no request runs (host code). */
void lr_guard_cpu(lua_State *L);

/* Adds `units` of work to `*counter`; every LR_GUARD_EVERY units, checks the budget. */
static inline void lr_guard_tick(lua_State *L, size_t *counter, size_t units) {
    *counter += units;
    if (*counter >= LR_GUARD_EVERY) {
        *counter = 0;
        lr_guard_cpu(L);
    }
}

/* Installers of lr_pattern.c and lr_tablib.c: set the guarded functions in the table on top. */
void lr_pattern_install(lua_State *L);
void lr_tablib_install(lua_State *L);
#endif
