/* `db` (docs/data.md ("db")): SQL from handlers. The Lua binding (lr_db_lua.c) checks arguments,
 * rewrites placeholders (lr_db_sql.c) and hands one statement to an engine through
 * lr_db_engine; the engine answers at once (SQLite, lr_db_sqlite.c, runs on the event loop)
 * or later (an engine whose I/O is asynchronous returns LR_DB_PENDING, the binding yields the
 * request's coroutine to the host, and the host resumes it with the answer, as for fetch).
 *
 * Connections are chosen by the host (Swift): the loop's autocommit connection, or the
 * transaction connection pinned to the running request by db.transaction. */
#ifndef LR_DB_H
#define LR_DB_H
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>

typedef struct lr_db_conn lr_db_conn;

/* What a call wants back. */
enum { LR_DB_ROWS = 0, LR_DB_FIRST = 1, LR_DB_EXEC = 2, LR_DB_CONTROL = 3 /* BEGIN, COMMIT ...: pushes true */ };

/* run() answers besides a count of pushed values. */
#define LR_DB_BUSY (-1)      /* the database is locked: nothing pushed, retry later */
#define LR_DB_PENDING (-2)   /* asynchronous engine: the host resumes the request with the answer */

typedef struct lr_db_engine {
    const char *name;        /* db.engine: "sqlite" */
    char placeholder;        /* the style statements are rewritten to: '?' (?NNN) or '$' ($n) */
    /* Runs one statement with the arguments at L's stack slots first..last (bound as docs/data.md
     * section 1.2 says). Pushes rows / the first row or nil / {changes, last_id}, returning 1,
     * or nil, err, sqlstate returning 3; or returns LR_DB_BUSY / LR_DB_PENDING with nothing
     * pushed. Raises only for bad argument types or counts and memory errors; every
     * connection struct starts with a pointer to its engine. */
    int (*run)(lr_db_conn *conn, lua_State *L, int kind, const char *sql, size_t len, int first, int last);
    /* After LR_DB_PENDING: pushes the answer the host handed back (lr_db_host.answer) as run()
     * would have, returning 1 or 3. NULL for an engine that never answers later. */
    int (*resume)(lua_State *L, int kind, const void *answer);
} lr_db_engine;

/* The host's side, one per Lua state; every callback is called while the state's code runs
 * and must not call the Lua API. */
typedef struct lr_db_host {
    void *host;
    const char *engine;      /* db.engine, for module scope too */
    int64_t timeout_ns;      /* db.timeout: one query, and how long a lock is waited for */
    /* The connection for the running request's next statement (its pinned transaction
     * connection, else the loop's autocommit one); NULL with a message when there is none
     * (module scope, or the database cannot be opened: *sqlstate set). */
    lr_db_conn *(*connection)(void *host, char *err, size_t errlen, const char **sqlstate);
    /* db.transaction: pins a transaction connection to the running request (or returns the
     * one pinned already); *depth is 0 for the outermost transaction, 1.. for nested ones. */
    lr_db_conn *(*pin)(void *host, int *depth, char *err, size_t errlen, const char **sqlstate);
    /* The transaction of that depth ended (committed or rolled back): depth 0 unpins. */
    void (*unpin)(void *host, int depth);
    /* Resume the running request after `ms` (a lock wait); 0 when scheduled. */
    int (*wait)(void *host, int ms);
    /* While the host resumes a request after LR_DB_PENDING: the answer (its first field is the
     * engine that reads it); NULL otherwise. */
    const void *(*answer)(void *host);
} lr_db_host;

/* Sets the global `db` of L, bound to host (which must outlive the state). Returns a Lua
 * status (the message on the stack). Never raises. */
int lr_db_install(lua_State *L, lr_db_host *host);

/* ---- SQLite ---- */

/* Opens (creating) the file with WAL and synchronous=NORMAL, and checks that it is a
 * database. NULL with a message in err on failure. Not thread-safe per connection: use a
 * connection on one thread at a time. */
lr_db_conn *lr_sqlite_open(const char *path, char *err, size_t errlen);
void lr_sqlite_close(lr_db_conn *conn);
/* Runs a script of statements (a migration) in the current transaction state. Returns 0, or
 * non-zero with "message" in err, the 1-based line:column where the failing statement starts
 * in *line / *column, and the SQLSTATE. Never raises, no Lua. */
int lr_sqlite_exec_script(lr_db_conn *conn, const char *sql, int *line, int *column,
                          char *err, size_t errlen, const char **sqlstate);
/* One statement without results or arguments (BEGIN, COMMIT, ROLLBACK ...). 0 or SQLite's code;
 * SQLITE_BUSY when locked. */
int lr_sqlite_exec_simple(lr_db_conn *conn, const char *sql, char *err, size_t errlen);
/* Reads luaroutes_migrations: calls row(ud, version, name, checksum) per applied migration. */
int lr_sqlite_applied(lr_db_conn *conn, void *ud,
                      void (*row)(void *ud, int64_t version, const char *name, const char *checksum),
                      char *err, size_t errlen);
int lr_sqlite_record(lr_db_conn *conn, int64_t version, const char *name, const char *checksum,
                     char *err, size_t errlen);
/* Whether the connection is inside a transaction (autocommit off). */
int lr_sqlite_in_transaction(lr_db_conn *conn);
/* db.timeout (one query) and db.maxResult (bytes of one result held before Lua sees it). */
void lr_sqlite_configure(lr_db_conn *conn, int64_t timeout_ns, size_t max_result);
/* A WAL checkpoint (PASSIVE); for a thread off the event loop. */
int lr_sqlite_checkpoint(lr_db_conn *conn);

/* ---- PostgreSQL (lr_db_pg.c) ----
 * The host (Swift, PostgresNIO) owns the sockets; C checks and encodes arguments, and decodes
 * rows by type OID into Lua values. A statement is handed to the host with submit() and run()
 * answers LR_DB_PENDING; the host resumes the request with an lr_pg_answer. */

/* One connection as C sees it; the host makes one per pooled connection. */
typedef struct lr_pg_conn {
    const lr_db_engine *engine;   /* &lr_pg_engine */
    void *host;                   /* the host's connection object */
    size_t max_result;            /* db.maxResult */
    /* Sends one statement; params holds `count` packed arguments (lr_pg_param_* below).
     * wait == 0: nobody waits for the answer (BEGIN, SAVEPOINT, ROLLBACK: the connection runs
     * statements in order, so a failure shows in the next one). 0 when sent, else non-zero
     * with a message in err and *sqlstate set. */
    int (*submit)(void *host, int kind, int wait, const char *sql, size_t len,
                  const unsigned char *params, size_t params_len, int count,
                  char *err, size_t errlen, const char **sqlstate);
} lr_pg_conn;

/* A packed argument: uint32 type OID, uint16 format (0 text, 1 binary), int32 length (-1:
 * NULL), then the bytes; integers in network byte order. */
#define LR_PG_PARAM_HEADER 10

/* What a statement came to, handed back by the host while it resumes the request. */
typedef struct lr_pg_answer {
    const lr_db_engine *engine;   /* &lr_pg_engine */
    const char *error;            /* non-NULL: it failed; "db: ..." */
    size_t error_len;
    const char *sqlstate;
    int64_t changes;              /* rows the command affected */
    int ncols;
    const uint32_t *oids;         /* per column */
    const char *names;            /* column names, each NUL-terminated, one after the other */
    int64_t nrows;
    const unsigned char *data;    /* the cells' bytes (binary format) */
    const int64_t *cells;         /* nrows * ncols pairs (offset into data, length; -1: NULL) */
} lr_pg_answer;

extern const lr_db_engine lr_pg_engine;
const lr_db_engine *lr_pg_engine_address(void);   /* for Swift, which cannot take a C global's address */

/* Where the statement starting at s ends: the offset of its top-level ';' (quotes, comments and
 * $tag$ bodies skipped), or len. For running a migration file statement by statement. */
size_t lr_db_statement_end(const char *s, size_t len);
/* True when s[0..len) holds nothing but spaces, semicolons and comments. */
int lr_db_is_trivia(const char *s, size_t len);
/* Where byte `offset` of text is, 1-based. */
void lr_db_line_column(const char *text, size_t offset, int *line, int *column);

/* SHA-256 of s as 64 hex digits and a NUL (migration checksums). */
void lr_db_sha256_hex(const char *s, size_t len, char out[65]);

/* The SQLite engine (exposed for the host's connection bookkeeping). */
extern const lr_db_engine lr_sqlite_engine;
#endif
