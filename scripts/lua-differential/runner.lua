-- Runs one program of the differential check and reports how it went, the same way under
-- stock lua5.4 (stock.lua) and inside a luaroutes route (lib/runner.lua of the check's ROOT).
--
-- The program is a Lua test file with a prefix on its first line that takes two values:
--   __stmt(k)  marks statement k as running (lua_differential.py inserts the calls), so an
--              error is pinned to the statement that was running, wherever it was raised;
--   _G         the globals table (the sandbox has no _G name: docs/reference.md section 6).
-- print is left as each side has it (stdout, or the host's log): the files check their
-- results with assert, and print only progress.
-- The global _soft is set, as Lua's own all.lua can: it skips the slowest loops.
-- The report is three lines: status (ok, error or compile), the statement running and the
-- error message in hex, so any byte survives the trip.
local M = {}

local function hex(s)
  return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end))
end

-- in_coroutine: run the program as a coroutine's body (the route does, so that a yield
-- at the program's top level, which would end a request with 500, comes back here).
function M.run(source, chunkname, globals, in_coroutine)
  local current = 0
  local function stmt(k) current = k end
  globals._soft = true
  local status, message = "ok", ""
  local chunk, err = load(source, chunkname)
  if not chunk then
    status, message = "compile", err
  elseif in_coroutine then
    local co = coroutine.create(chunk)
    local ok, e = coroutine.resume(co, stmt, globals)
    if not ok then status, message = "error", tostring(e)
    elseif coroutine.status(co) ~= "dead" then
      status, message = "error", "coroutine.yield() outside a coroutine the handler created"
    end
  else
    local ok, e = pcall(chunk, stmt, globals)
    if not ok then status, message = "error", tostring(e) end
  end
  return table.concat({ status, tostring(current), hex(message) }, "\n") .. "\n"
end

return M
