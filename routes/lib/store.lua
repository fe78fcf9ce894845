-- A tiny in-memory store shared by the users routes: `require("store")` loads lib/store.lua
-- once per Lua state, so its table lives as long as the server (one state per route per
-- event loop: not a database, and not shared between routes).
local store = { users = { { id = 1, name = "Ada" }, { id = 2, name = "Grace" } } }

function store.find(id)
  for _, user in ipairs(store.users) do
    if user.id == id then return user end
  end
end

return store
