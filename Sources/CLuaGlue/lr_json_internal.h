/* Shared pieces of the json codec: a growable byte buffer that lives in the Lua state (so a Lua
 * error that longjmps over it leaks nothing), number formatting, and registry keys. */
#ifndef LR_JSON_INTERNAL_H
#define LR_JSON_INTERNAL_H
#include <stddef.h>
#include <string.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>

#define LR_JSON_MAX_DEPTH 1000
#define LR_JSON_ARRAYS_KEY "lr.json.arrays" /* weak-keyed set of tables marked as arrays */
#define LR_JSON_NULL_KEY "lr.json.null"     /* the json.null light userdata */
#define LR_JSON_LOCAL_SIZE 2048

/* json.null is a light userdata pointing at this byte: one value, equal in every state. */
extern const char lr_json_null_tag;
#define LR_JSON_NULL ((void *)&lr_json_null_tag)

/* Bytes start in `local` (C stack); past that they move to memory from the state's allocator,
 * owned by a box userdata (with __gc) put at stack slot `slot`: a Lua error that longjmps over
 * the buffer leaks nothing; on success call lr_json_buf_free to release it at once. */
typedef struct lr_json_buf {
  lua_State *L;
  char *p;
  size_t len, cap;
  int slot;
  char local[LR_JSON_LOCAL_SIZE];
} lr_json_buf;

/* slot: an absolute stack index the caller reserved (holding anything); it gets overwritten. */
static inline void lr_json_buf_init(lr_json_buf *b, lua_State *L, int slot) {
  b->L = L; b->p = b->local; b->len = 0; b->cap = sizeof b->local; b->slot = slot;
}

void lr_json_buf_grow(lr_json_buf *b, size_t extra); /* raises on memory error */
void lr_json_buf_free(lr_json_buf *b);                /* never raises */

static inline char *lr_json_buf_reserve(lr_json_buf *b, size_t extra) {
  if (b->cap - b->len < extra) lr_json_buf_grow(b, extra);
  return b->p + b->len;
}
static inline void lr_json_buf_add(lr_json_buf *b, const char *s, size_t n) {
  memcpy(lr_json_buf_reserve(b, n), s, n); b->len += n;
}
static inline void lr_json_buf_addc(lr_json_buf *b, char c) {
  *lr_json_buf_reserve(b, 1) = c; b->len++;
}

/* Number text. out needs 24 bytes (integers) / 32 bytes (doubles); return the length written. */
size_t lr_json_fmt_int(char *out, lua_Integer v);
/* Shortest text that strtod reads back as d; integral values get ".0" so they stay floats.
 * d must be finite. */
size_t lr_json_fmt_double(char *out, double d);

/* Pushes the weak-keyed arrays set, creating it in the registry if missing (raises on memory). */
void lr_json_push_arrays(lua_State *L);

/* The raising cores behind the Lua functions and the protected entry points. */
void lr_json_encode_value(lua_State *L, int idx, int indent, int sort_keys); /* pushes a string */
void lr_json_decode_text(lua_State *L, const char *s, size_t len);           /* pushes a value */

#endif
