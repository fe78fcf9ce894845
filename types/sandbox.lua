---@meta luaroutes.sandbox
-- Editor definitions for what stock Lua keeps in the sandbox (docs/reference.md section 6), so
-- removed functions do not complete: the project's .luarc.json turns LuaLS's own `basic` and
-- `os` libraries off (and io, debug, package), and these take their place. `string`, `table`,
-- `math`, `utf8` and `coroutine` stay LuaLS's own (the sandbox keeps them; `string.dump` is gone).
-- Nothing here runs.

---@generic T
---@param v? T
---@param message? any
---@return T
function assert(v, message, ...) end

---@param message any
---@param level? integer
function error(message, level) end

---@generic V
---@param t V[]
---@return fun(t: V[], i: integer): integer, V
---@return V[]
---@return integer
function ipairs(t) end

---@generic K, V
---@param t table<K, V>
---@param index? K
---@return K|nil
---@return V|nil
function next(t, index) end

---@generic K, V
---@param t table<K, V>
---@return fun(t: table<K, V>, k?: K): K, V
---@return table<K, V>
function pairs(t) end

---@param f function
---@return boolean success
---@return any ...
function pcall(f, ...) end

---@param f function
---@param msgh function
---@return boolean success
---@return any ...
function xpcall(f, msgh, ...) end

---@param index integer|"#"
---@return any ...
function select(index, ...) end

---@param e any
---@param base? integer
---@return number|nil
function tonumber(e, base) end

---@param v any
---@return string
function tostring(v) end

---@param v any
---@return "nil"|"number"|"string"|"boolean"|"table"|"function"|"thread"|"userdata"
function type(v) end

---Refuses a `__gc` metamethod (the sandbox has none).
---@generic T: table
---@param t T
---@param metatable? table
---@return T
function setmetatable(t, metatable) end

---`getmetatable("")` returns false.
---@param object any
---@return table|false|nil
function getmetatable(object) end

---@param v1 any
---@param v2 any
---@return boolean
function rawequal(v1, v2) end

---@param t table
---@param index any
---@return any
function rawget(t, index) end

---@generic T: table
---@param t T
---@param index any
---@param value any
---@return T
function rawset(t, index, value) end

---@param v table|string
---@return integer
function rawlen(v) end

---Text chunks only, run in the sandbox's environment.
---@param chunk string|fun(): string|nil
---@param chunkname? string
---@param mode? "t"
---@param env? table
---@return function|nil
---@return string|nil err
function load(chunk, chunkname, mode, env) end

---Only "count" is kept: the Lua state's memory in kilobytes.
---@param opt "count"
---@return number
function collectgarbage(opt) end

---Writes one line to the host's log at info level.
function print(...) end

---Time and clocks only: the rest of `os` (getenv, execute, exit, remove, ...) is removed.
os = {}

---@param t? {year: integer, month: integer, day: integer, hour?: integer, min?: integer, sec?: integer}
---@return integer
function os.time(t) end

---CPU time of the process, in seconds.
---@return number
function os.clock() end

---@param format? string
---@param time? integer
---@return string|osdate
function os.date(format, time) end

---@param t2 integer
---@param t1 integer
---@return number
function os.difftime(t2, t1) end
