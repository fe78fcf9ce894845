-- log.info(msg, fields) / log.warn / log.error; print writes at info level. Lines go to the
-- host's log with the route file and the request id.
local P = ...
local priv = P.priv
local G, json, host_log, readonly = P.G, priv.json, priv.log, priv.readonly
local type, tostring, pairs, pcall = type, tostring, pairs, pcall
local concat = table.concat

local LEVEL = { info = 1, warn = 2, error = 3 }
local function fields_text(fields)
  if type(fields) ~= "table" then return nil end
  local parts = {}
  for k, v in pairs(fields) do
    local value
    if type(v) == "string" then value = v
    else
      -- "\1" marks JSON text (numbers, booleans, tables): JSON log lines keep the type.
      local ok, encoded = pcall(json.encode, v)
      value = ok and "\1" .. encoded or tostring(v)
    end
    parts[#parts + 1] = tostring(k) .. "\0" .. value
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
