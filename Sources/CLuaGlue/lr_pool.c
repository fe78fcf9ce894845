/* See lr_pool.h. Invariant: a block whose Lua size is at most LR_POOL_LARGEST holds at least
 * its class size, so any block cached in that class can stand in for it. */
#include <stdlib.h>
#include <string.h>
#include "lr_pool.h"

static size_t lr_pool_class(size_t size) { return (size + LR_POOL_GRANULE - 1) / LR_POOL_GRANULE; }

static void *lr_pool_take(lr_pool *pool, size_t size) {
    size_t k = lr_pool_class(size);
    void *block = pool->free[k];
    if (block) {
        pool->free[k] = *(void **)block;
        pool->cached -= k * LR_POOL_GRANULE;
        return block;
    }
    return malloc(k * LR_POOL_GRANULE);
}

static void lr_pool_give(lr_pool *pool, void *block, size_t size) {
    size_t k = lr_pool_class(size), bytes = k * LR_POOL_GRANULE;
    if (pool->cached + bytes > LR_POOL_KEEP) {
        free(block);
        return;
    }
    *(void **)block = pool->free[k];
    pool->free[k] = block;
    pool->cached += bytes;
}

void *lr_pool_realloc(lr_pool *pool, void *ptr, size_t osize, size_t nsize) {
    size_t old = ptr ? osize : 0;
    int was_small = ptr && old <= LR_POOL_LARGEST, small = nsize <= LR_POOL_LARGEST;
    if (nsize == 0) {
        if (was_small) lr_pool_give(pool, ptr, old);
        else free(ptr);
        return NULL;
    }
    if (!ptr) return small ? lr_pool_take(pool, nsize) : malloc(nsize);
    if (was_small && small && lr_pool_class(old) == lr_pool_class(nsize)) return ptr;
    if (!was_small && !small) return realloc(ptr, nsize);
    /* Between the pool and malloc, or between classes: move the bytes. */
    void *moved = small ? lr_pool_take(pool, nsize) : malloc(nsize);
    if (!moved) return nsize < old ? ptr : NULL;   /* a shrink must not fail: the old block is big enough */
    memcpy(moved, ptr, old < nsize ? old : nsize);
    if (was_small) lr_pool_give(pool, ptr, old);
    else free(ptr);
    return moved;
}

void lr_pool_drain(lr_pool *pool) {
    for (size_t k = 1; k <= LR_POOL_CLASSES; k++) {
        while (pool->free[k]) {
            void *next = *(void **)pool->free[k];
            free(pool->free[k]);
            pool->free[k] = next;
        }
    }
    pool->cached = 0;
}
