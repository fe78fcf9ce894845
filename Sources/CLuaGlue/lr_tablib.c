/* table.concat, insert, remove, move, unpack and sort with a CPU budget.
 *
 * These loop over a range the caller chooses (table.move({}, 1, 1e9, 2)) or that __len
 * reports (table.insert(t, 1, x) with __len returning 2^62), each step a lua_geti/lua_seti that
 * may go through a C metamethod (__index = table.concat answers "" for any key) and allocates
 * nothing, so neither the count hook nor the memory cap would ever stop them. The code is Lua
 * 5.4.4's ltablib.c (Copyright (C) 1994-2022 Lua.org, PUC-Rio, MIT licence: see the notice in
 * lr_pattern.c, which applies to this file too), with a work counter per call that reads the
 * request's CPU clock every LR_GUARD_EVERY units (16 units per element). */
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include "lr_guards_internal.h"

#define WORK_ELEMENT 16
#define TICK(L, work) lr_guard_tick((L), (work), WORK_ELEMENT)

/* Operations that an object must define to mimic a table (some functions only need some of them) */
#define TAB_R 1                  /* read */
#define TAB_W 2                  /* write */
#define TAB_L 4                  /* length */
#define TAB_RW (TAB_R | TAB_W)   /* read/write */

#define aux_getn(L, n, w) (checktab(L, n, (w) | TAB_L), luaL_len(L, n))

static int checkfield(lua_State *L, const char *key, int n) {
    lua_pushstring(L, key);
    return (lua_rawget(L, -n) != LUA_TNIL);
}

/* Check that 'arg' either is a table or can behave like one (that is, has a metatable with
 * the required metamethods) */
static void checktab(lua_State *L, int arg, int what) {
    if (lua_type(L, arg) != LUA_TTABLE) {  /* is it not a table? */
        int n = 1;                         /* number of elements to pop */
        if (lua_getmetatable(L, arg) &&    /* must have metatable */
            (!(what & TAB_R) || checkfield(L, "__index", ++n)) &&
            (!(what & TAB_W) || checkfield(L, "__newindex", ++n)) &&
            (!(what & TAB_L) || checkfield(L, "__len", ++n))) {
            lua_pop(L, n);  /* pop metatable and tested metamethods */
        } else
            luaL_checktype(L, arg, LUA_TTABLE);  /* force an error */
    }
}

static int tinsert(lua_State *L) {
    size_t work = 0;
    lua_Integer pos;  /* where to insert new element */
    lua_Integer e = aux_getn(L, 1, TAB_RW);
    lr_guard_enter(L);
    e = luaL_intop(+, e, 1);  /* first empty element */
    switch (lua_gettop(L)) {
    case 2: {  /* called with only 2 arguments */
        pos = e;  /* insert new element at the end */
        break;
    }
    case 3: {
        lua_Integer i;
        pos = luaL_checkinteger(L, 2);  /* 2nd argument is the position */
        /* check whether 'pos' is in [1, e] */
        luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2, "position out of bounds");
        for (i = e; i > pos; i--) {  /* move up elements */
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i);  /* t[i] = t[i - 1] */
            TICK(L, &work);
        }
        break;
    }
    default: {
        return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    }
    lua_seti(L, 1, pos);  /* t[pos] = v */
    return 0;
}

static int tremove(lua_State *L) {
    size_t work = 0;
    lua_Integer size = aux_getn(L, 1, TAB_RW);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    lr_guard_enter(L);
    if (pos != size)  /* validate 'pos' if given */
        /* check whether 'pos' is in [1, size + 1] */
        luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 1, "position out of bounds");  /* #1, as 5.4.4 says */
    lua_geti(L, 1, pos);  /* result = t[pos] */
    for (; pos < size; pos++) {
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos);  /* t[pos] = t[pos + 1] */
        TICK(L, &work);
    }
    lua_pushnil(L);
    lua_seti(L, 1, pos);  /* remove entry t[pos] */
    return 1;
}

/* Copy elements (1[f], ..., 1[e]) into (tt[t], tt[t+1], ...). Whenever possible, copy in
 * increasing order, which is better for rehashing. "possible" means destination after
 * original range, or smaller than origin, or copying to another table. */
static int tmove(lua_State *L) {
    size_t work = 0;
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    lua_Integer t = luaL_checkinteger(L, 4);
    int tt = !lua_isnoneornil(L, 5) ? 5 : 1;  /* destination table */
    checktab(L, 1, TAB_R);
    checktab(L, tt, TAB_W);
    lr_guard_enter(L);
    if (e >= f) {  /* otherwise, nothing to move */
        lua_Integer n, i;
        luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
        n = e - f + 1;  /* number of elements to move */
        luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
        if (t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ))) {
            for (i = 0; i < n; i++) {
                lua_geti(L, 1, f + i);
                lua_seti(L, tt, t + i);
                TICK(L, &work);
            }
        } else {
            for (i = n - 1; i >= 0; i--) {
                lua_geti(L, 1, f + i);
                lua_seti(L, tt, t + i);
                TICK(L, &work);
            }
        }
    }
    lua_pushvalue(L, tt);  /* return destination table */
    return 1;
}

static void addfield(lua_State *L, luaL_Buffer *b, lua_Integer i) {
    lua_geti(L, 1, i);
    if (!lua_isstring(L, -1))
        luaL_error(L, "invalid value (%s) at index %I in table for 'concat'", luaL_typename(L, -1), (LUAI_UACINT)i);
    luaL_addvalue(b);
}

static int tconcat(lua_State *L) {
    size_t work = 0;
    luaL_Buffer b;
    lua_Integer last = aux_getn(L, 1, TAB_R);
    size_t lsep;
    const char *sep = luaL_optlstring(L, 2, "", &lsep);
    lua_Integer i = luaL_optinteger(L, 3, 1);
    last = luaL_optinteger(L, 4, last);
    lr_guard_enter(L);
    luaL_buffinit(L, &b);
    for (; i < last; i++) {
        addfield(L, &b, i);
        luaL_addlstring(&b, sep, lsep);
        TICK(L, &work);
    }
    if (i == last)  /* add last value (if interval was not empty) */
        addfield(L, &b, i);
    luaL_pushresult(&b);
    return 1;
}

/* The stack limit (LUAI_MAXSTACK, 1e6 slots) already bounds unpack to a million lua_geti; the
 * counter keeps even those (each may be a C __index) within the budget. */
static int tunpack(lua_State *L) {
    size_t work = 0;
    lua_Unsigned n;
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer e = luaL_opt(L, luaL_checkinteger, 3, luaL_len(L, 1));
    lr_guard_enter(L);
    if (i > e) return 0;  /* empty range */
    n = (lua_Unsigned)e - i;  /* number of elements minus 1 (avoid overflows) */
    if (n >= (unsigned int)INT_MAX || !lua_checkstack(L, (int)(++n)))
        return luaL_error(L, "too many results to unpack");
    for (; i < e; i++) {  /* push arg[i..e - 1] (to avoid overflows) */
        lua_geti(L, 1, i);
        TICK(L, &work);
    }
    lua_geti(L, 1, e);  /* push last element */
    return (int)n;
}

/* {====================================================== Quicksort (based on 'Algorithms in
 * MODULA-3', Robert Sedgewick; Addison-Wesley, 1993.) The work counter lives in a struct passed
 * down the recursion. */

typedef unsigned int IdxT;  /* type for array indices */

#define sof(e) (sizeof(e) / sizeof(unsigned int))
static unsigned int l_randomizePivot(void) {
    clock_t c = clock();
    time_t t = time(NULL);
    unsigned int buff[sof(c) + sof(t)];
    unsigned int i, rnd = 0;
    memcpy(buff, &c, sof(c) * sizeof(unsigned int));
    memcpy(buff + sof(c), &t, sof(t) * sizeof(unsigned int));
    for (i = 0; i < sof(buff); i++) rnd += buff[i];
    return rnd;
}

#define RANLIMIT 100u  /* arrays larger than 'RANLIMIT' may use randomized pivots */

static void set2(lua_State *L, IdxT i, IdxT j) {
    lua_seti(L, 1, i);
    lua_seti(L, 1, j);
}

/* Return true iff value at stack index 'a' is less than the value at index 'b' (according to
 * the order of the sort). luaroutes: each comparison counts as one element of work. */
static int sort_comp(lua_State *L, int a, int b, size_t *work) {
    TICK(L, work);
    if (lua_isnil(L, 2))  /* no function? */
        return lua_compare(L, a, b, LUA_OPLT);  /* a < b */
    else {  /* function */
        int res;
        lua_pushvalue(L, 2);      /* push function */
        lua_pushvalue(L, a - 1);  /* -1 to compensate function */
        lua_pushvalue(L, b - 2);  /* -2 to compensate function and 'a' */
        lua_call(L, 2, 1);        /* call function */
        res = lua_toboolean(L, -1);  /* get result */
        lua_pop(L, 1);               /* pop result */
        return res;
    }
}

/* Does the partition: Pivot P is at the top of the stack. precondition: a[lo] <= P ==
 * a[up-1] <= a[up], so it only needs to do the partition from lo + 1 to up - 2.
 * Pos-condition: a[lo .. i - 1] <= a[i] == P <= a[i + 1 .. up] returns 'i'. */
static IdxT partition(lua_State *L, IdxT lo, IdxT up, size_t *work) {
    IdxT i = lo;      /* will be incremented before first use */
    IdxT j = up - 1;  /* will be decremented before first use */
    /* loop invariant: a[lo .. i] <= P <= a[j .. up] */
    for (;;) {
        /* next loop: repeat ++i while a[i] < P */
        while ((void)lua_geti(L, 1, ++i), sort_comp(L, -1, -2, work)) {
            if (i == up - 1)  /* a[i] < P  but a[up - 1] == P  ?? */
                luaL_error(L, "invalid order function for sorting");
            lua_pop(L, 1);  /* remove a[i] */
        }
        /* after the loop, a[i] >= P and a[lo .. i - 1] < P */
        /* next loop: repeat --j while P < a[j] */
        while ((void)lua_geti(L, 1, --j), sort_comp(L, -3, -1, work)) {
            if (j < i)  /* j < i  but  a[j] > P ?? */
                luaL_error(L, "invalid order function for sorting");
            lua_pop(L, 1);  /* remove a[j] */
        }
        /* after the loop, a[j] <= P and a[j + 1 .. up] >= P */
        if (j < i) {  /* no elements out of place? */
            /* a[lo .. i - 1] <= P <= a[j + 1 .. i .. up] */
            lua_pop(L, 1);  /* pop a[j] */
            /* swap pivot (a[up - 1]) with a[i] to satisfy pos-condition */
            set2(L, up - 1, i);
            return i;
        }
        /* otherwise, swap a[i] - a[j] to restore invariant and repeat */
        set2(L, i, j);
    }
}

/* Choose an element in the middle (2nd-3th quarters) of [lo,up] "randomized" by 'rnd' */
static IdxT choosePivot(IdxT lo, IdxT up, unsigned int rnd) {
    IdxT r4 = (up - lo) / 4;  /* range/4 */
    IdxT p = rnd % (r4 * 2) + (lo + r4);
    return p;
}

/* Quicksort algorithm (recursive function) */
static void auxsort(lua_State *L, IdxT lo, IdxT up, unsigned int rnd, size_t *work) {
    while (lo < up) {  /* loop for tail recursion */
        IdxT p;  /* Pivot index */
        IdxT n;  /* to be used later */
        /* sort elements 'lo', 'p', and 'up' */
        lua_geti(L, 1, lo);
        lua_geti(L, 1, up);
        if (sort_comp(L, -1, -2, work))  /* a[up] < a[lo]? */
            set2(L, lo, up);  /* swap a[lo] - a[up] */
        else
            lua_pop(L, 2);  /* remove both values */
        if (up - lo == 1)  /* only 2 elements? */
            return;        /* already sorted */
        if (up - lo < RANLIMIT || rnd == 0)  /* small interval or no randomize? */
            p = (lo + up) / 2;  /* middle element is a good pivot */
        else  /* for larger intervals, it is worth a random pivot */
            p = choosePivot(lo, up, rnd);
        lua_geti(L, 1, p);
        lua_geti(L, 1, lo);
        if (sort_comp(L, -2, -1, work))  /* a[p] < a[lo]? */
            set2(L, p, lo);  /* swap a[p] - a[lo] */
        else {
            lua_pop(L, 1);  /* remove a[lo] */
            lua_geti(L, 1, up);
            if (sort_comp(L, -1, -2, work))  /* a[up] < a[p]? */
                set2(L, p, up);  /* swap a[up] - a[p] */
            else
                lua_pop(L, 2);
        }
        if (up - lo == 2)  /* only 3 elements? */
            return;        /* already sorted */
        lua_geti(L, 1, p);       /* get middle element (Pivot) */
        lua_pushvalue(L, -1);    /* push Pivot */
        lua_geti(L, 1, up - 1);  /* push a[up - 1] */
        set2(L, p, up - 1);      /* swap Pivot (a[p]) with a[up - 1] */
        p = partition(L, lo, up, work);
        /* a[lo .. p - 1] <= a[p] == P <= a[p + 1 .. up] */
        if (p - lo < up - p) {  /* lower interval is smaller? */
            auxsort(L, lo, p - 1, rnd, work);  /* call recursively for lower interval */
            n = p - lo;    /* size of smaller interval */
            lo = p + 1;    /* tail call for [p + 1 .. up] (upper interval) */
        } else {
            auxsort(L, p + 1, up, rnd, work);  /* call recursively for upper interval */
            n = up - p;    /* size of smaller interval */
            up = p - 1;    /* tail call for [lo .. p - 1]  (lower interval) */
        }
        if ((up - lo) / 128 > n)     /* partition too imbalanced? */
            rnd = l_randomizePivot(); /* try a new randomization */
    }  /* tail call auxsort(L, lo, up, rnd) */
}

static int sort(lua_State *L) {
    size_t work = 0;
    lua_Integer n = aux_getn(L, 1, TAB_RW);
    lr_guard_enter(L);
    if (n > 1) {  /* non-trivial interval? */
        luaL_argcheck(L, n < INT_MAX, 1, "array too big");
        if (!lua_isnoneornil(L, 2))  /* is there a 2nd argument? */
            luaL_checktype(L, 2, LUA_TFUNCTION);  /* must be a function */
        lua_settop(L, 2);  /* make sure there are two arguments */
        auxsort(L, 1, (IdxT)n, 0, &work);
    }
    return 0;
}
/* }====================================================== */

void lr_tablib_install(lua_State *L) {
    static const luaL_Reg funcs[] = {
        {"concat", tconcat}, {"insert", tinsert}, {"remove", tremove}, {"move", tmove},
        {"unpack", tunpack}, {"sort", sort}, {NULL, NULL}};
    luaL_setfuncs(L, funcs, 0);   /* into the table table on top of the stack */
}
