/* Pieces shared by the db binding's files (not for Swift). */
#ifndef LR_DB_INTERNAL_H
#define LR_DB_INTERNAL_H
#include <stddef.h>
#include <lua5.4/lauxlib.h>
#include "lr_db.h"

#define LR_DB_BLOB_MT "lr.db.blob"   /* metatable of db.blob(s) values */

/* Rewrites `?` and `$n` placeholders of sql[0..len) to the engine's style ('?': SQLite's ?NNN,
 * '$': PostgreSQL's $n), skipping quotes, identifiers, comments and $tag$ bodies, into out.
 * Returns how many arguments the statement takes, or -1 with a message in err (? and $n mixed,
 * $0). out NULL: only counts. May raise on memory errors (out is a luaL_Buffer). */
int lr_db_rewrite(const char *sql, size_t len, char style, luaL_Buffer *out, char *err, size_t errlen);

/* False when sql is already in the engine's style (nothing to rewrite, only to count). */
int lr_db_needs_rewrite(const char *s, size_t len, char style);

/* Raises "bad argument #n to 'query' (the statement takes 2 arguments, 1 given)" unless takes == given. */
void lr_db_check_count(lua_State *L, int kind, int takes, int given);

/* True when s[0..len) holds nothing but spaces, semicolons and comments. */
int lr_db_only_trivia(const char *s, size_t len);

/* Where byte `offset` of text is, 1-based. */
void lr_db_line_column(const char *text, size_t offset, int *line, int *column);
#endif
