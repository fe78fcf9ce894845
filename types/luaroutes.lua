---@meta luaroutes
-- Editor definitions for luaroutes handlers (Lua Language Server, `---@meta`): what `req`,
-- `res`, `json`, `env`, `log`, `fetch`, `crypto` and `require` offer. Nothing here runs.
-- A project's .luarc.json points "workspace.library" at this folder.

---@class luaroutes.Request
---@field method string "GET", "POST", ...
---@field url string path and query as received: "/api/users/42?x=1"
---@field path string "/api/users/42"
---@field query table<string, string|string[]> query parameters merged with dynamic parameters (dynamic wins)
---@field params table<string, string|string[]> the dynamic parameters alone
---@field headers table<string, string> lower-case names; repeated headers joined by ", "
---@field cookies table<string, string> parsed on first use
---@field body any decoded by Content-Type: JSON value, form or multipart fields table, or string; nil without a body
---@field rawBody string|nil the body bytes
---@field files luaroutes.UploadedFile[]|nil multipart/form-data file parts, in order; nil for other bodies
---@field ip string the client's address
---@field locals table shared by the route's middleware chain and its handler, empty on every request

---@class luaroutes.UploadedFile
---@field name string the form field's name
---@field filename string the file name as the client sent it
---@field type string its Content-Type (application/octet-stream when none was sent)
---@field size integer bytes
---@field data string the bytes

---@class luaroutes.Response
---@field statusCode integer the status so far (read-only); middleware reads it after next()
local Response = {}

---@class luaroutes.CookieOptions
---@field path? string default "/"
---@field domain? string
---@field maxAge? integer seconds
---@field expires? integer Unix time in seconds, as os.time() gives
---@field secure? boolean
---@field httpOnly? boolean
---@field sameSite? "Strict"|"Lax"|"None"|true

---Adds one Set-Cookie field. The name must be a token; the value visible ASCII without space, `"`, `,`, `;` or `\`.
---@param name string
---@param value string|number
---@param options? luaroutes.CookieOptions
---@return luaroutes.Response
function Response.cookie(name, value, options) end

---Expires a cookie at once; pass the path and domain it was set with.
---@param name string
---@param options? luaroutes.CookieOptions
---@return luaroutes.Response
function Response.clearCookie(name, options) end

---Sets the status (100-599). Returns res, so calls chain.
---@param code integer
---@return luaroutes.Response
function Response.status(code) end

---Sets a header; an array of strings sends it several times (Set-Cookie). CR or LF raises.
---@param name string
---@param value string|number|string[]
---@return luaroutes.Response
function Response.setHeader(name, value) end

---@param name string
---@return string|string[]|nil
function Response.getHeader(name) end

---@param name string
---@return luaroutes.Response
function Response.removeHeader(name) end

---Sends a JSON body with `Content-Type: application/json; charset=utf-8`.
---@param value any
---@param options? {indent?: integer, sort_keys?: boolean}
---@return luaroutes.Response
function Response.json(value, options) end

---Sends a string as is (text/plain unless a type was set), a table, number or boolean as JSON.
---@param body string|table|number|boolean|nil
---@return luaroutes.Response
function Response.send(body) end

---Redirects: `res.redirect("/login")` (307) or `res.redirect(301, "/new")`.
---@param statusOrUrl integer|string
---@param url? string
---@return luaroutes.Response
function Response.redirect(statusOrUrl, url) end

---Finishes the response with this body (or none). `res["end"]` is the same function.
---@param body? string
---@return luaroutes.Response
function Response.finish(body) end

---Streams: sends the head (the first time) and this chunk at once, then waits until the
---connection took it. Returns res, or nil, "closed" once the client is gone.
---@param chunk string|number
---@return luaroutes.Response|nil
---@return string|nil err "closed"
function Response.write(chunk) end

---Sends the head of a streamed answer now; later a no-op (every write is sent at once).
---@return luaroutes.Response|nil
---@return string|nil err "closed"
function Response.flush() end

---@class luaroutes.ServerSentEvent
---@field event? string the event type (one line)
---@field id? string|integer the event id, sent back by a reconnecting EventSource as Last-Event-ID
---@field retry? integer reconnection delay in milliseconds
---@field data? string|table|number|boolean the payload; a table as JSON; several lines -> several data: lines
---@field comment? string a ": comment" line clients ignore (keep-alive)

---Sends one server-sent event (text/event-stream, Cache-Control: no-cache set before the first).
---@param event luaroutes.ServerSentEvent|string a string is the data
---@return luaroutes.Response|nil
---@return string|nil err "closed"
function Response.sse(event) end

---Runs `fn` once the answer is written, with fetch and db, under the route's limits; errors are
---logged with the request id. Graceful shutdown waits for it.
---@param fn fun()
---@return luaroutes.Response
function Response.after(fn) end

---@alias luaroutes.Handler fun(req: luaroutes.Request, res: luaroutes.Response)

---What a `_middleware.lua` file returns: call next() to run the inner chain and the route.
---@alias luaroutes.Middleware fun(req: luaroutes.Request, res: luaroutes.Response, next: fun())

---@class luaroutes.JSON
---@field null lightuserdata JSON null
json = {}

---@param value any
---@param options? {indent?: integer, sort_keys?: boolean}
---@return string
function json.encode(value, options) end

---@param text string
---@return any
function json.decode(text) end

---Marks t in place as an array (an empty t encodes as []) and returns it.
---@generic T: table
---@param t T
---@return T
function json.array(t) end

---True when json.encode writes v as a JSON array: keys exactly 1..n, or an empty table marked
---by json.array or decoded from [].
---@param v any
---@return boolean
function json.isarray(v) end

---Read-only environment: .env, .env.local, then the process environment.
---@type table<string, string>
env = {}

log = {}
---@param message any
---@param fields? table
function log.info(message, fields) end
---@param message any
---@param fields? table
function log.warn(message, fields) end
---@param message any
---@param fields? table
function log.error(message, fields) end

---@class luaroutes.FetchResponse
---@field status integer
---@field ok boolean
---@field headers table<string, string>
---@field body string
---@field json fun(): any

---Non-blocking outbound HTTP (http and https only). Returns the response, or nil and an error.
---@param url string
---@param options? {method?: string, headers?: table<string, string>, body?: string|table, timeout?: string|number}
---@return luaroutes.FetchResponse|nil
---@return string|nil
function fetch(url, options) end

crypto = {}
---@param s string
---@return string
function crypto.sha256(s) end
---@param key string
---@param s string
---@return string
function crypto.hmac_sha256(key, s) end
---@param s string
---@return string
function crypto.hex(s) end
---@param s string
---@return string
function crypto.base64(s) end
---Strict decoding; invalid input returns nil and a message saying where.
---@param s string
---@return string|nil
---@return string|nil err
function crypto.base64_decode(s) end
---@param s string
---@return string
function crypto.base64url(s) end
---Strict decoding; invalid input returns nil and a message saying where.
---@param s string
---@return string|nil
---@return string|nil err
function crypto.base64url_decode(s) end
---n random bytes, 0 <= n <= 1 MiB.
---@param n integer
---@return string
function crypto.random(n) end
---@return string
function crypto.uuid() end
---Constant time for equal lengths; different lengths are unequal.
---@param a string
---@param b string
---@return boolean
function crypto.equal(a, b) end

---Loads ROOT/lib/<name with dots as slashes>.lua (or .../init.lua) once per Lua state.
---@param name string
---@return any
function require(name) end
