---@meta luaroutes.data
-- Editor definitions for `shared` and `db` (the project's docs/data.md). Nothing here runs.

---A `shared` dictionary: one per name for the whole process (every route, every event loop),
---declared in luaroutes.config.lua as `shared = { cache = "10mb" }`. Both `d:get(k)` and
---`d.get(k)` work. Values: nil (deletes), boolean, integer, float, string (binary-safe);
---a table raises ("json.encode it first"). TTLs are seconds (fractions allowed); 0 or nil: none.
---@class luaroutes.SharedDict
local SharedDict = {}

---@param key string
---@return boolean|number|string|nil value nil when absent or expired
function SharedDict:get(key) end

---Stores the value, evicting expired then least recently used items when full.
---@param key string
---@param value boolean|number|string|nil
---@param ttl? number seconds
---@return boolean ok
---@return string|nil err "no memory" (the value is larger than the dictionary)
---@return boolean forcible live items were evicted to make room
function SharedDict:set(key, value, ttl) end

---As set, but never evicts a live item: `nil, "no memory"` when full.
---@param key string
---@param value boolean|number|string|nil
---@param ttl? number
---@return boolean|nil ok
---@return string|nil err
---@return boolean forcible
function SharedDict:safe_set(key, value, ttl) end

---As set, only when the key is absent: `false, "exists"` otherwise.
---@param key string
---@param value boolean|number|string|nil
---@param ttl? number
---@return boolean ok
---@return string|nil err
---@return boolean forcible
function SharedDict:add(key, value, ttl) end

---As add, but never evicts: `nil, "no memory"` when full.
---@param key string
---@param value boolean|number|string|nil
---@param ttl? number
---@return boolean|nil ok
---@return string|nil err
---@return boolean forcible
function SharedDict:safe_add(key, value, ttl) end

---As set, only when the key is present: `false, "not found"` otherwise.
---@param key string
---@param value boolean|number|string|nil
---@param ttl? number
---@return boolean ok
---@return string|nil err
---@return boolean forcible
function SharedDict:replace(key, value, ttl) end

---Adds delta atomically; an integer stays an integer. Absent: `nil, "not found"` unless init
---is given (then init + delta is stored, with init_ttl).
---@param key string
---@param delta number
---@param init? number
---@param init_ttl? number
---@return number|nil value
---@return string|nil err "not found" | "not a number"
---@return boolean|nil forcible
function SharedDict:incr(key, delta, init, init_ttl) end

---@param key string
---@return boolean
function SharedDict:delete(key) end

function SharedDict:flush_all() end

---Removes expired items (at most max; 0 or nil: all).
---@param max? integer
---@return integer removed
function SharedDict:flush_expired(max) end

---Seconds left (0: no expiry), or `nil, "not found"`.
---@param key string
---@return number|nil seconds
---@return string|nil err
function SharedDict:ttl(key) end

---Sets a new TTL (0: none); `nil, "not found"` when absent.
---@param key string
---@param ttl number
---@return boolean|nil ok
---@return string|nil err
function SharedDict:expire(key, ttl) end

---Up to max keys (default 1024; 0: all), most recently used first.
---@param max? integer
---@return string[]
function SharedDict:get_keys(max) end

---@return integer bytes
function SharedDict:capacity() end

---@return integer bytes
function SharedDict:free_space() end

---The dictionaries declared in luaroutes.config.lua; reading another name raises.
---@type table<string, luaroutes.SharedDict>
shared = {}

---A value marked by db.blob(s): binds as a BLOB (bytea on PostgreSQL).
---@class luaroutes.Blob

---@alias luaroutes.SQLValue nil|boolean|integer|number|string|table|luaroutes.Blob

---`db`: SQL on the project's database (SQLite at .luaroutes/data.db by default; PostgreSQL when
---db.url or DATABASE_URL is postgres://). Failures the
---database causes answer `nil, err, sqlstate` (PostgreSQL's codes: 23505 unique, 23503 foreign
---key, 23502 not null, 23514 check, 55P03 lock, 57014 canceled, 08001 cannot connect, XX000
---anything else); wrong arguments raise. Placeholders: `?` or `$1, $2, ...`. One statement per call.
---@class luaroutes.DB
---@field engine "sqlite"|"postgres"
db = {}

---Every row: an array (a JSON array, even empty) of tables column -> value; NULL is json.null.
---@param sql string
---@param ... luaroutes.SQLValue
---@return table[]|nil rows
---@return string|nil err
---@return string|nil sqlstate
function db.query(sql, ...) end

---The first row, nil when none.
---@param sql string
---@param ... luaroutes.SQLValue
---@return table|nil row
---@return string|nil err
---@return string|nil sqlstate
function db.first(sql, ...) end

---@param sql string
---@param ... luaroutes.SQLValue
---@return {changes: integer, last_id: integer?}|nil result last_id is nil on PostgreSQL (use INSERT ... RETURNING id)
---@return string|nil err
---@return string|nil sqlstate
function db.exec(sql, ...) end

---Runs fn(...) in a transaction pinned to this request: COMMIT when it returns (its values are
---returned), ROLLBACK when it raises (the error propagates). Nested calls are savepoints.
---@generic R
---@param fn fun(...): R
---@param ... any
---@return R|nil
---@return string|nil err when COMMIT failed
---@return string|nil sqlstate
function db.transaction(fn, ...) end

---Marks s to bind as binary (BLOB; bytea on PostgreSQL).
---@param s string
---@return luaroutes.Blob
function db.blob(s) end
