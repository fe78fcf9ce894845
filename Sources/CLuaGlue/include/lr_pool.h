/* A per-state cache of freed small blocks for the Lua allocator (lr_state.c).
 *
 * A request allocates a few dozen small objects (tables, closures, strings) and the GC frees
 * them in batches; glibc's per-thread cache holds 7 blocks per size, so most of a batch went
 * through malloc's slow paths (a tenth of a request's instructions in callgrind). Lua passes
 * a block's size when freeing it, so blocks need no header: one free list per 16-byte class.
 * Not thread-safe: a state runs on one thread at a time. */
#ifndef LR_POOL_H
#define LR_POOL_H
#include <stddef.h>

#define LR_POOL_GRANULE 16
#define LR_POOL_LARGEST 256                       /* bigger blocks go straight to malloc */
#define LR_POOL_CLASSES (LR_POOL_LARGEST / LR_POOL_GRANULE)
#define LR_POOL_KEEP (16 * 1024)                  /* bytes cached at most, per state */

typedef struct lr_pool {
    void *free[LR_POOL_CLASSES + 1];              /* index: class (1..LR_POOL_CLASSES) */
    size_t cached;
} lr_pool;

/* Lua's allocator contract (lua_Alloc) on top of malloc, with the cache in front. */
void *lr_pool_realloc(lr_pool *pool, void *ptr, size_t osize, size_t nsize);

/* Frees every cached block (after lua_close). */
void lr_pool_drain(lr_pool *pool);

#endif
