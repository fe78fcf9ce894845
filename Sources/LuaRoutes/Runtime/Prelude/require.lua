-- require("a.b") -> lib/a/b.lua (or lib/a/b/init.lua), text only, cached per state.
local P = ...
local G, modules, load = P.G, P.modules, P.load
local type, error, pcall = type, error, pcall
local find, format, gsub = string.find, string.format, string.gsub

local loaded, LOADING = {}, {}
G.require = function(name)
  if type(name) ~= "string" or not find(name, "^[%w_]+[%w_.]*$") or find(name, "%.%.") or find(name, "%.$") then
    error(format("bad argument #1 to 'require' (module name expected, got %s)", type(name) == "string" and format("%q", name) or type(name)), 2)
  end
  local cached = loaded[name]
  if cached == LOADING then error(format("require: loop while loading module '%s'", name), 2) end
  if cached ~= nil then return cached end
  local base = "lib/" .. gsub(name, "%.", "/")
  local path = base .. ".lua"
  local source = modules[path]
  if source == nil then path = base .. "/init.lua"; source = modules[path] end
  if source == nil then
    error(format("module '%s' not found: no file %s.lua or %s/init.lua", name, base, base), 2)
  end
  local chunk, err = load(source, "@" .. path, "t", G)
  if not chunk then error(err, 0) end
  loaded[name] = LOADING
  local ok, result = pcall(chunk, name)
  if not ok then loaded[name] = nil; error(result, 0) end
  if result == nil then result = true end
  loaded[name] = result
  return result
end
