-- luacheck over every Lua file of the repository (run by scripts/lint.sh in CI).
std = "lua54"
codes = true
max_line_length = 120
-- A handler's signature is fixed (req, res): one that only answers leaves req unused.
ignore = { "212/req", "212/res" }

-- Route code runs in the sandbox (docs/reference.md section 6): stock Lua 5.4 minus the
-- removals, plus the globals the host adds.
local sandbox = {
  read_globals = { "json", "env", "fetch", "crypto", "log", "db", "shared" },
  not_globals = { "io", "debug", "package", "dofile", "loadfile", "collectgarbage", "warn", "_G" },
}
files["routes/"] = sandbox
files["examples/"] = sandbox
files["bench/routes/"] = sandbox
files["Sources/luaroutes/Template/"] = sandbox   -- the project `luaroutes init` writes
files["scripts/cluster-app/"] = sandbox

-- The prelude builds the sandbox: it runs before it, with all of stock Lua, and replaces
-- standard functions on purpose (docs/prelude.md).
files["Sources/"] = {
  globals = { "coroutine", "string" },
  max_line_length = 150,
}

-- The LuaLS definitions declare the globals a handler sees, with empty bodies, on classes
-- that only the editor reads.
files["types/"] = {
  -- sandbox.lua redeclares the stock functions the sandbox keeps (its .luarc.json turns LuaLS's off).
  globals = { "json", "env", "fetch", "crypto", "log", "require", "print", "db", "shared", "os",
              "assert", "error", "ipairs", "next", "pairs", "pcall", "xpcall", "select", "tonumber", "tostring",
              "type", "setmetatable", "getmetatable", "rawequal", "rawget", "rawset", "rawlen", "load", "collectgarbage" },
  unused_args = false,
  ignore = { "241" },
}
