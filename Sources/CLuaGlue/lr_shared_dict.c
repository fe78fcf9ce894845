/* The store behind `shared` dictionaries (see lr_shared.h): a chained hash table of items, a
 * doubly linked list in recency order (head: most recently used) for LRU eviction, and the
 * process-wide registry of dictionaries. Every item is one malloc block: header, key, value.
 *
 * Accounting: an item is charged LR_SHARED_ITEM_OVERHEAD + key + value bytes against the
 * capacity (docs/data.md: "keys, values and a fixed per-item overhead"); the bucket array is not.
 * Expired items count until a write needs their room or flush_expired runs; reads never
 * return them. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lr_shared.h"

typedef struct lr_item {
    struct lr_item *chain;           /* next in the hash bucket */
    struct lr_item *newer, *older;   /* recency list */
    uint64_t hash;
    int64_t expires_ms;              /* 0: never */
    size_t klen, vlen;
    int type;
    int64_t i;
    double d;
    char bytes[];                    /* key, then a string value */
} lr_item;

struct lr_shared_dict {
    pthread_mutex_t lock;
    char *scope, *name;
    size_t capacity, used, count, nbuckets;
    uint64_t evictions;
    int64_t clock_offset_ms;
    lr_item **buckets;
    lr_item *newest, *oldest;
    struct lr_shared_dict *next;     /* registry */
};

static pthread_mutex_t lr_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static lr_shared_dict *lr_registry;

lr_shared_dict *lr_shared_declare(const char *scope, const char *name, size_t capacity) {
    pthread_mutex_lock(&lr_registry_lock);
    lr_shared_dict *d = lr_registry;
    while (d && (strcmp(d->scope, scope) != 0 || strcmp(d->name, name) != 0)) d = d->next;
    if (d) {
        pthread_mutex_lock(&d->lock);
        d->capacity = capacity;
        pthread_mutex_unlock(&d->lock);
    } else if ((d = calloc(1, sizeof *d))) {
        d->scope = strdup(scope);
        d->name = strdup(name);
        d->nbuckets = 64;
        d->buckets = calloc(d->nbuckets, sizeof *d->buckets);
        if (!d->scope || !d->name || !d->buckets) {
            free(d->scope); free(d->name); free(d->buckets); free(d);
            d = NULL;
        } else {
            pthread_mutex_init(&d->lock, NULL);
            d->capacity = capacity;
            d->next = lr_registry;
            lr_registry = d;
        }
    }
    pthread_mutex_unlock(&lr_registry_lock);
    return d;
}

const char *lr_shared_name(const lr_shared_dict *d) { return d->name; }

void lr_shared_stats(lr_shared_dict *d, size_t *used, uint64_t *evictions, size_t *capacity) {
    pthread_mutex_lock(&d->lock);
    *used = d->used;
    *evictions = d->evictions;
    *capacity = d->capacity;
    pthread_mutex_unlock(&d->lock);
}

void lr_shared_advance_clock(lr_shared_dict *d, int64_t ms) {
    pthread_mutex_lock(&d->lock);
    d->clock_offset_ms += ms;
    pthread_mutex_unlock(&d->lock);
}

/* ---- items (all below run with d->lock held) ---- */

static int64_t lr_now_ms(lr_shared_dict *d) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + d->clock_offset_ms;
}

static uint64_t lr_hash(const char *key, size_t len) {   /* FNV-1a */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
    return h;
}

static size_t lr_charge(size_t klen, size_t vlen) { return LR_SHARED_ITEM_OVERHEAD + klen + vlen; }

static int lr_expired(const lr_item *it, int64_t now) { return it->expires_ms && it->expires_ms <= now; }

static void lr_unlink_recency(lr_shared_dict *d, lr_item *it) {
    if (it->newer) it->newer->older = it->older; else d->newest = it->older;
    if (it->older) it->older->newer = it->newer; else d->oldest = it->newer;
    it->newer = it->older = NULL;
}

static void lr_make_newest(lr_shared_dict *d, lr_item *it) {
    if (d->newest == it) return;
    if (it->newer || it->older || d->oldest == it) lr_unlink_recency(d, it);
    it->older = d->newest;
    if (d->newest) d->newest->newer = it;
    d->newest = it;
    if (!d->oldest) d->oldest = it;
}

static lr_item *lr_find(lr_shared_dict *d, const char *key, size_t klen, uint64_t h) {
    for (lr_item *it = d->buckets[h % d->nbuckets]; it; it = it->chain) {
        if (it->hash == h && it->klen == klen && memcmp(it->bytes, key, klen) == 0) return it;
    }
    return NULL;
}

static void lr_remove(lr_shared_dict *d, lr_item *it) {
    lr_item **slot = &d->buckets[it->hash % d->nbuckets];
    while (*slot != it) slot = &(*slot)->chain;
    *slot = it->chain;
    lr_unlink_recency(d, it);
    d->used -= lr_charge(it->klen, it->vlen);
    d->count--;
    free(it);
}

/* The live item for key, or NULL; an expired one is removed on the way. */
static lr_item *lr_lookup(lr_shared_dict *d, const char *key, size_t klen, int64_t now) {
    lr_item *it = lr_find(d, key, klen, lr_hash(key, klen));
    if (it && lr_expired(it, now)) {
        lr_remove(d, it);
        return NULL;
    }
    return it;
}

static void lr_grow_buckets(lr_shared_dict *d) {
    size_t n = d->nbuckets * 2;
    lr_item **b = calloc(n, sizeof *b);
    if (!b) return;   /* longer chains, still correct */
    for (size_t i = 0; i < d->nbuckets; i++) {
        for (lr_item *it = d->buckets[i], *next; it; it = next) {
            next = it->chain;
            it->chain = b[it->hash % n];
            b[it->hash % n] = it;
        }
    }
    free(d->buckets);
    d->buckets = b;
    d->nbuckets = n;
}

/* Makes room for `need` more bytes: expired items first, then (unless safe) the least
 * recently used, never `keep`. Returns 0 when the room is there. */
static int lr_make_room(lr_shared_dict *d, size_t need, const lr_item *keep, int safe, int64_t now, int *forcible) {
    if (d->used + need <= d->capacity) return 0;
    for (lr_item *it = d->oldest, *newer; it && d->used + need > d->capacity; it = newer) {
        newer = it->newer;
        if (it != keep && lr_expired(it, now)) lr_remove(d, it);
    }
    if (d->used + need <= d->capacity) return 0;
    if (safe) return -1;
    for (lr_item *it = d->oldest, *newer; it && d->used + need > d->capacity; it = newer) {
        newer = it->newer;
        if (it == keep) continue;
        lr_remove(d, it);
        d->evictions++;
        *forcible = 1;
    }
    return d->used + need <= d->capacity ? 0 : -1;
}

/* Puts a new item for key with value v, replacing `old` (may be NULL). */
static int lr_put(lr_shared_dict *d, const char *key, size_t klen, const lr_shared_value *v, int64_t expires,
                  lr_item *old, int safe, int64_t now, int *forcible) {
    size_t vlen = v->type == LR_SV_STRING ? v->len : 0;
    size_t charge = lr_charge(klen, vlen);
    if (charge > d->capacity) return LR_SH_NOMEM;   /* larger than the whole dictionary: old value kept */
    size_t freed = old ? lr_charge(old->klen, old->vlen) : 0;
    if (charge > freed && lr_make_room(d, charge - freed, old, safe, now, forcible) != 0) return LR_SH_NOMEM;
    lr_item *it = malloc(sizeof *it + klen + vlen);
    if (!it) return LR_SH_NOMEM;
    if (old) lr_remove(d, old);
    memset(it, 0, sizeof *it);
    it->hash = lr_hash(key, klen);
    it->klen = klen;
    it->vlen = vlen;
    it->type = v->type;
    it->i = v->i;
    it->d = v->d;
    it->expires_ms = expires;
    memcpy(it->bytes, key, klen);
    if (vlen) memcpy(it->bytes + klen, v->s, vlen);
    if (d->count + 1 > d->nbuckets) lr_grow_buckets(d);
    lr_item **slot = &d->buckets[it->hash % d->nbuckets];
    it->chain = *slot;
    *slot = it;
    lr_make_newest(d, it);
    d->used += charge;
    d->count++;
    return LR_SH_OK;
}

static int64_t lr_deadline(int64_t now, int64_t ttl_ms) { return ttl_ms > 0 ? now + ttl_ms : 0; }

/* ---- operations ---- */

int lr_shared_store(lr_shared_dict *d, const char *key, size_t klen, const lr_shared_value *v,
                    int64_t ttl_ms, int mode, int *forcible) {
    *forcible = 0;
    pthread_mutex_lock(&d->lock);
    int64_t now = lr_now_ms(d);
    lr_item *it = lr_lookup(d, key, klen, now);
    int status = LR_SH_OK;
    if ((mode == LR_SH_ADD || mode == LR_SH_SAFE_ADD) && it) status = LR_SH_EXISTS;
    else if (mode == LR_SH_REPLACE && !it) status = LR_SH_NOTFOUND;
    else if (v->type == LR_SV_NIL) { if (it) lr_remove(d, it); }
    else status = lr_put(d, key, klen, v, lr_deadline(now, ttl_ms), it,
                         mode == LR_SH_SAFE_SET || mode == LR_SH_SAFE_ADD, now, forcible);
    pthread_mutex_unlock(&d->lock);
    return status;
}

/* One buffer per thread for string results, so nothing is allocated in Lua under the lock. */
static __thread char *lr_scratch;
static __thread size_t lr_scratch_cap;

static const char *lr_copy_out(const char *s, size_t len) {
    if (len > lr_scratch_cap) {
        size_t cap = len < 256 ? 256 : len;
        char *p = realloc(lr_scratch, cap);
        if (!p) return NULL;
        lr_scratch = p;
        lr_scratch_cap = cap;
    }
    if (len) memcpy(lr_scratch, s, len);
    return lr_scratch ? lr_scratch : "";
}

static int lr_read_value(const lr_item *it, lr_shared_value *out) {
    out->type = it->type;
    out->i = it->i;
    out->d = it->d;
    out->len = it->vlen;
    out->s = NULL;
    if (it->type == LR_SV_STRING && !(out->s = lr_copy_out(it->bytes + it->klen, it->vlen))) return LR_SH_NOMEM;
    return LR_SH_OK;
}

int lr_shared_get(lr_shared_dict *d, const char *key, size_t klen, lr_shared_value *out) {
    pthread_mutex_lock(&d->lock);
    lr_item *it = lr_lookup(d, key, klen, lr_now_ms(d));
    int status = LR_SH_NOTFOUND;
    if (it) {
        lr_make_newest(d, it);
        status = lr_read_value(it, out);
    }
    pthread_mutex_unlock(&d->lock);
    return status;
}

/* a + b keeping integer kind when both are integers (wrapping, as Lua's own + does). */
static lr_shared_value lr_add(const lr_shared_value *a, const lr_shared_value *b) {
    lr_shared_value r = {0};
    if (a->type == LR_SV_INT && b->type == LR_SV_INT) {
        r.type = LR_SV_INT;
        r.i = (int64_t)((uint64_t)a->i + (uint64_t)b->i);
    } else {
        r.type = LR_SV_FLOAT;
        r.d = (a->type == LR_SV_INT ? (double)a->i : a->d) + (b->type == LR_SV_INT ? (double)b->i : b->d);
    }
    return r;
}

int lr_shared_incr(lr_shared_dict *d, const char *key, size_t klen, const lr_shared_value *delta,
                   int has_init, const lr_shared_value *init, int64_t init_ttl_ms,
                   lr_shared_value *out, int *forcible) {
    *forcible = 0;
    pthread_mutex_lock(&d->lock);
    int64_t now = lr_now_ms(d);
    lr_item *it = lr_lookup(d, key, klen, now);
    int status = LR_SH_OK;
    if (it) {
        if (it->type != LR_SV_INT && it->type != LR_SV_FLOAT) {
            status = LR_SH_NOTNUMBER;
        } else {
            lr_shared_value old = { .type = it->type, .i = it->i, .d = it->d };
            *out = lr_add(&old, delta);
            it->type = out->type;   /* same charge whatever the number's kind: update in place */
            it->i = out->i;
            it->d = out->d;
            lr_make_newest(d, it);
        }
    } else if (!has_init) {
        status = LR_SH_NOTFOUND;
    } else {
        *out = lr_add(init, delta);
        status = lr_put(d, key, klen, out, lr_deadline(now, init_ttl_ms), NULL, 0, now, forcible);
    }
    pthread_mutex_unlock(&d->lock);
    return status;
}

int lr_shared_delete(lr_shared_dict *d, const char *key, size_t klen) {
    pthread_mutex_lock(&d->lock);
    lr_item *it = lr_find(d, key, klen, lr_hash(key, klen));
    if (it) lr_remove(d, it);
    pthread_mutex_unlock(&d->lock);
    return LR_SH_OK;
}

void lr_shared_flush_all(lr_shared_dict *d) {
    pthread_mutex_lock(&d->lock);
    while (d->oldest) lr_remove(d, d->oldest);
    pthread_mutex_unlock(&d->lock);
}

size_t lr_shared_flush_expired(lr_shared_dict *d, size_t max) {
    pthread_mutex_lock(&d->lock);
    int64_t now = lr_now_ms(d);
    size_t n = 0;
    for (lr_item *it = d->oldest, *newer; it && (max == 0 || n < max); it = newer) {
        newer = it->newer;
        if (lr_expired(it, now)) { lr_remove(d, it); n++; }
    }
    pthread_mutex_unlock(&d->lock);
    return n;
}

int lr_shared_ttl(lr_shared_dict *d, const char *key, size_t klen, int64_t *left_ms) {
    pthread_mutex_lock(&d->lock);
    int64_t now = lr_now_ms(d);
    lr_item *it = lr_lookup(d, key, klen, now);
    if (it) *left_ms = it->expires_ms ? it->expires_ms - now : 0;
    pthread_mutex_unlock(&d->lock);
    return it ? LR_SH_OK : LR_SH_NOTFOUND;
}

int lr_shared_expire(lr_shared_dict *d, const char *key, size_t klen, int64_t ttl_ms) {
    pthread_mutex_lock(&d->lock);
    int64_t now = lr_now_ms(d);
    lr_item *it = lr_lookup(d, key, klen, now);
    if (it) it->expires_ms = lr_deadline(now, ttl_ms);
    pthread_mutex_unlock(&d->lock);
    return it ? LR_SH_OK : LR_SH_NOTFOUND;
}

int lr_shared_copy_keys(lr_shared_dict *d, size_t max, lr_shared_keys *out) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&d->lock);
    int64_t now = lr_now_ms(d);
    size_t n = d->count < max || max == 0 ? d->count : max;
    int status = LR_SH_OK;
    if (n && (!(out->keys = calloc(n, sizeof *out->keys)) || !(out->lens = calloc(n, sizeof *out->lens)))) status = LR_SH_NOMEM;
    for (lr_item *it = d->newest; status == LR_SH_OK && it && out->count < n; it = it->older) {
        if (lr_expired(it, now)) continue;
        char *copy = malloc(it->klen ? it->klen : 1);
        if (!copy) { status = LR_SH_NOMEM; break; }
        memcpy(copy, it->bytes, it->klen);
        out->keys[out->count] = copy;
        out->lens[out->count++] = it->klen;
    }
    pthread_mutex_unlock(&d->lock);
    if (status != LR_SH_OK) lr_shared_free_keys(out);
    return status;
}

void lr_shared_free_keys(lr_shared_keys *keys) {
    for (size_t i = 0; i < keys->count; i++) free(keys->keys[i]);
    free(keys->keys);
    free(keys->lens);
    memset(keys, 0, sizeof *keys);
}

size_t lr_shared_free_space(lr_shared_dict *d) {
    pthread_mutex_lock(&d->lock);
    size_t free_bytes = d->used < d->capacity ? d->capacity - d->used : 0;
    pthread_mutex_unlock(&d->lock);
    return free_bytes;
}

size_t lr_shared_capacity(lr_shared_dict *d) {
    pthread_mutex_lock(&d->lock);
    size_t capacity = d->capacity;
    pthread_mutex_unlock(&d->lock);
    return capacity;
}
