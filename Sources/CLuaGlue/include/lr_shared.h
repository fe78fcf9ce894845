/* `shared` dictionaries (docs/data.md ("shared"), after OpenResty's ngx.shared.DICT): named stores of
 * key -> value that every Lua state of the process sees, whatever its route or event loop.
 *
 * The store (lr_shared_dict.c) is plain C on malloc'd memory with one mutex per dictionary;
 * nothing in it calls Lua, so a Lua error can never leave a lock held. The Lua binding
 * (lr_shared_lua.c) checks arguments before it locks and pushes results after it unlocked. */
#ifndef LR_SHARED_H
#define LR_SHARED_H
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>

typedef struct lr_shared_dict lr_shared_dict;

/* The dictionary named `name` of the project at `scope` (its ROOT): created empty on first
 * declaration, found again by later ones (a reload), so contents outlive every Lua state.
 * A new capacity applies from the next write. Dictionaries are never freed. Thread-safe;
 * returns NULL only when out of memory. Never raises. */
lr_shared_dict *lr_shared_declare(const char *scope, const char *name, size_t capacity);

/* What the metrics report: bytes charged (keys, values, per-item overhead), live items evicted
 * to make room since creation, and the capacity. Thread-safe. */
void lr_shared_stats(lr_shared_dict *d, size_t *used, uint64_t *evictions, size_t *capacity);
const char *lr_shared_name(const lr_shared_dict *d);

/* Tests only: moves this dictionary's clock forward, so TTLs can be tested without waiting. */
void lr_shared_advance_clock(lr_shared_dict *d, int64_t ms);

/* Sets the global `shared` of L: a table of the n dictionaries by name, whose other names raise
 * an error naming the config key. Returns a Lua status (the message on the stack). Never raises. */
int lr_shared_install(lua_State *L, lr_shared_dict *const *dicts, size_t n);

/* ---- the store's operations, used by the binding (all thread-safe, none raise) ---- */

enum { LR_SV_NIL = 0, LR_SV_BOOL, LR_SV_INT, LR_SV_FLOAT, LR_SV_STRING };

typedef struct lr_shared_value {
    int type;                 /* LR_SV_* */
    int64_t i;                /* LR_SV_INT; LR_SV_BOOL: 0 or 1 */
    double d;                 /* LR_SV_FLOAT */
    const char *s; size_t len;/* LR_SV_STRING (for results: points into a per-thread buffer) */
} lr_shared_value;

enum { LR_SH_OK = 0, LR_SH_NOMEM, LR_SH_EXISTS, LR_SH_NOTFOUND, LR_SH_NOTNUMBER };
enum { LR_SH_SET, LR_SH_SAFE_SET, LR_SH_ADD, LR_SH_SAFE_ADD, LR_SH_REPLACE };

/* ttl_ms 0: no expiry. *forcible is set when live items were evicted. */
int lr_shared_store(lr_shared_dict *d, const char *key, size_t klen, const lr_shared_value *v,
                    int64_t ttl_ms, int mode, int *forcible);
/* A string result is copied to a per-thread buffer valid until the thread's next get. */
int lr_shared_get(lr_shared_dict *d, const char *key, size_t klen, lr_shared_value *out);
/* has_init 0: absent -> LR_SH_NOTFOUND. The new value goes to *out. */
int lr_shared_incr(lr_shared_dict *d, const char *key, size_t klen, const lr_shared_value *delta,
                   int has_init, const lr_shared_value *init, int64_t init_ttl_ms,
                   lr_shared_value *out, int *forcible);
int lr_shared_delete(lr_shared_dict *d, const char *key, size_t klen);
void lr_shared_flush_all(lr_shared_dict *d);
/* max 0: all. Returns the number removed. */
size_t lr_shared_flush_expired(lr_shared_dict *d, size_t max);
/* *left_ms: milliseconds left, 0 for no expiry. */
int lr_shared_ttl(lr_shared_dict *d, const char *key, size_t klen, int64_t *left_ms);
int lr_shared_expire(lr_shared_dict *d, const char *key, size_t klen, int64_t ttl_ms);
/* Copies up to max live keys (0: all), most recently used first, out of the lock. */
typedef struct lr_shared_keys { size_t count; size_t *lens; char **keys; } lr_shared_keys;
int lr_shared_copy_keys(lr_shared_dict *d, size_t max, lr_shared_keys *out);  /* 0 or LR_SH_NOMEM */
void lr_shared_free_keys(lr_shared_keys *keys);
size_t lr_shared_free_space(lr_shared_dict *d);
size_t lr_shared_capacity(lr_shared_dict *d);

/* Bytes one item is charged beyond its key and value. */
#define LR_SHARED_ITEM_OVERHEAD 64
#endif
