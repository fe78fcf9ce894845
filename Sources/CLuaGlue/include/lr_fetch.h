/* fetch: the handler's coroutine yields to the host while an outbound request runs, and the
 * host resumes it with the answer (OpenResty's cosocket model, docs/swift-lua.md section 3). */
#ifndef LR_FETCH_H
#define LR_FETCH_H
#include <stddef.h>
#include <lua5.4/lua.h>

/* What the Lua side asks for; pointers are valid only during the fetch_start call. */
typedef struct lr_fetch_request {
    const char *url; size_t url_len;
    const char *method; size_t method_len;
    const char *headers; size_t headers_len;   /* "name\0value\0name\0value" */
    const char *body; size_t body_len;         /* body == NULL: no body */
    double timeout_seconds;                    /* <= 0: the route's fetch.timeout */
} lr_fetch_request;

/* What the host answers; pointers are valid while the host resumes the request. */
typedef struct lr_fetch_result {
    int ok;                                    /* 0: error holds the reason */
    int status;
    const char *headers; size_t headers_len;   /* "name\0value\0..." with lower-case names */
    const char *body; size_t body_len;
    const char *error; size_t error_len;
} lr_fetch_result;

/* fetch_start(url, method, headers, body|nil, timeout) -> yields; on resume returns
 * status, headers, body, or nil, err. Raises when called where a yield is impossible. */
int lr_fetch_start(lua_State *L);
#endif
