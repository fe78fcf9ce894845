-- res.after(fn): work that runs once the answer is written (docs/after.md), like Next.js's
-- after() or OpenResty's ngx.timer.at(0, ...). The host runs the functions in a coroutine of
-- their own under the route's limits, so fetch and db work there.
local P = ...
local RES, host_log = P.RES, P.priv.log
local type, pcall, tostring, error, format = type, pcall, tostring, error, string.format

function RES.after(st, fn)
  if type(fn) ~= "function" then
    error(format("bad argument #1 to 'after' (function expected, got %s)", type(fn)), 2)
  end
  local list = st.after
  if list == nil then list = {}; st.after = list end
  list[#list + 1] = fn
  return st.res
end

-- Runs by the host after the answer: each function in order; one that fails is logged (with
-- the request id, which the log sink adds) and the next still runs.
function P.run_after(list)
  for i = 1, #list do
    local ok, err = pcall(list[i])
    if not ok then host_log(3, "res.after: " .. tostring(err)) end
  end
end
