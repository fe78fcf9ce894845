-- Encode/decode throughput of the luaroutes json codec (lr_json) against lua-cjson 2.1.0, in one
-- lua5.4 process on the same documents. Run by run.sh. Each cell: repeat until >= 0.3 s of
-- os.clock, best of 3. MB/s counts JSON text bytes (what is produced or consumed).
package.cpath = "/tmp/?.so;" .. package.cpath
local ours = require "lr_json"
local cjson = require "cjson"

-- Deterministic documents (own LCG, independent of math.random's algorithm).
local seed = 12345
local function rnd(n) seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n end
local words = { "alpha", "beta", "gamma", "delta", "json", "route", "lua", "swift", "api",
  "request", "response", "server", "naïve", "café", "über", "数据", "quote\"d", "tab\tbed", "line\nbreak" }
local function sentence(n)
  local t = {}
  for i = 1, n do t[i] = words[rnd(#words) + 1] end
  return table.concat(t, " ")
end

local function small_object()
  return { id = 12345, name = "alice", email = "alice@example.com", active = true,
           score = 12.5, tags = { "admin", "beta" }, address = { city = "Paris", zip = "75001" } }
end

local function records(n)
  local list = {}
  for i = 1, n do
    list[i] = {
      id = i, uuid = string.format("%08x-%04x-%04x", rnd(2^31), rnd(65536), rnd(65536)),
      name = sentence(2), active = rnd(2) == 1, count = rnd(100000),
      price = rnd(100000) / 100, lat = (rnd(180000000) - 90000000) / 1e6,
      lon = (rnd(360000000) - 180000000) / 1e6, ratio = rnd(1000000) / 7,
      tags = { words[rnd(10) + 1], words[rnd(10) + 1] },
    }
  end
  return list
end

local function text_heavy(n)
  local list = {}
  for i = 1, n do
    list[i] = { id = i, title = sentence(6), body = sentence(120), author = { name = sentence(2) } }
  end
  return list
end

local docs = {
  { "small object", small_object() },
  { "records ~100KB", records(520) },
  { "strings ~1MB", text_heavy(1100) },
}

local function measure(f, arg)
  local best = math.huge
  for _ = 1, 3 do
    local n, t0 = 0, os.clock()
    local elapsed
    repeat
      for _ = 1, 10 do f(arg) end
      n = n + 10
      elapsed = os.clock() - t0
    until elapsed >= 0.3
    best = math.min(best, elapsed / n)
  end
  return best  -- seconds per call
end

print(string.format("%-16s %-7s %12s %12s %12s %12s %7s", "document", "dir", "ours MB/s", "cjson MB/s",
  "ours ops/s", "cjson ops/s", "ratio"))
for _, d in ipairs(docs) do
  local name, value = d[1], d[2]
  local text = ours.encode(value)
  assert(#cjson.encode(value) > 0)
  local mb = #text / 1e6
  for _, dir in ipairs({ "encode", "decode" }) do
    local to, tc
    if dir == "encode" then
      to, tc = measure(ours.encode, value), measure(cjson.encode, value)
    else
      to, tc = measure(ours.decode, text), measure(cjson.decode, text)
    end
    print(string.format("%-16s %-7s %12.1f %12.1f %12.0f %12.0f %6.2fx", name .. "", dir, mb / to, mb / tc,
      1 / to, 1 / tc, tc / to))
  end
  print(string.format("%-16s (%d bytes)", "", #text))
end
