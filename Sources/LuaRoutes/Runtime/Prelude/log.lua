-- log.info(msg, fields) / log.warn / log.error; print writes at info level. Lines go to the
-- host's log with the route file and the request id.
local P = ...
local priv = P.priv
local G, json, host_log, readonly = P.G, priv.json, priv.log, priv.readonly
local type, tostring, pairs, pcall = type, tostring, pairs, pcall
local concat, find, gsub = table.concat, string.find, string.gsub

local LEVEL = { info = 1, warn = 2, error = 3 }
-- Fields reach the host as "\0key\0value" pairs, each value marked: "\1" JSON text (numbers,
-- booleans, tables: JSON log lines keep the type), "\2" a string. A NUL inside a key or a
-- string is written as the two characters \0, so text from a request can neither pass for
-- JSON nor split into fields of its own (SandboxCallbacks.emit reads the marks).
local function nul_free(s)
  if find(s, "\0", 1, true) then return (gsub(s, "\0", "\\0")) end
  return s
end
local function fields_text(fields)
  if type(fields) ~= "table" then return nil end
  local parts = {}
  for k, v in pairs(fields) do
    local value
    if type(v) == "string" then value = "\2" .. nul_free(v)
    else
      local ok, encoded = pcall(json.encode, v)
      value = ok and "\1" .. encoded or "\2" .. nul_free(tostring(v))
    end
    parts[#parts + 1] = nul_free(tostring(k)) .. "\0" .. value
  end
  return concat(parts, "\0")
end
local function logger(level)
  return function(msg, fields)
    local text = tostring(msg)
    local extra = fields_text(fields)
    if extra then text = text .. "\0" .. extra end
    host_log(level, text)
  end
end
G.log = readonly({ info = logger(LEVEL.info), warn = logger(LEVEL.warn), error = logger(LEVEL.error) })
G.print = priv.print   -- in C (lr_baselib.c): Lua's own print, one line to the log
