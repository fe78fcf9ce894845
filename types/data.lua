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
