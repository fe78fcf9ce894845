-- JSONTestSuite through the codec: y_ must decode, re-encode and decode equal; n_ must raise;
-- i_ may do either but must not crash. Run by conformance.sh; exits non-zero on a failure.
package.cpath = "/tmp/?.so;" .. package.cpath
local json = require "lr_json"
local dir = arg[1] or "/work/shared/data/JSONTestSuite/test_parsing"

local function equal(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then
    if a ~= a and b ~= b then return true end
    return a == b and math.type(a) == math.type(b)
  end
  for k, v in pairs(a) do if not equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local names = {}
for name in io.popen("ls " .. dir):lines() do names[#names + 1] = name end
local counts = { y = { 0, 0 }, n = { 0, 0 }, i = { 0, 0, 0 } }
local failures = 0
for _, name in ipairs(names) do
  local f = assert(io.open(dir .. "/" .. name, "rb"))
  local text = f:read("a")
  f:close()
  local kind = name:sub(1, 1)
  local ok, v = pcall(json.decode, text)
  if kind == "y" then
    local ok2, again = false, nil
    if ok then
      local eok, s = pcall(json.encode, v)
      if eok then ok2, again = pcall(json.decode, s) end
      ok2 = ok2 and equal(v, again)
    end
    if ok and ok2 then counts.y[1] = counts.y[1] + 1
    else counts.y[2] = counts.y[2] + 1; failures = failures + 1; print("FAIL y", name, v) end
  elseif kind == "n" then
    if not ok then counts.n[1] = counts.n[1] + 1
    else counts.n[2] = counts.n[2] + 1; failures = failures + 1; print("FAIL n (accepted)", name) end
  else
    if ok then counts.i[1] = counts.i[1] + 1 else counts.i[2] = counts.i[2] + 1 end
    if os.getenv("VERBOSE") then print("i", name, ok and "accepted" or ("rejected: " .. v)) end
  end
end
print(string.format("y: %d passed, %d failed", counts.y[1], counts.y[2]))
print(string.format("n: %d rejected, %d wrongly accepted", counts.n[1], counts.n[2]))
print(string.format("i: %d accepted, %d rejected, 0 crashed", counts.i[1], counts.i[2]))
os.exit(failures == 0 and 0 or 1)
