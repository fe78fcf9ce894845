-- /api/users: a method table. GET lists, POST creates; any other method gets 405 with
-- `Allow: GET, HEAD, OPTIONS, POST`, and HEAD runs GET without sending the body.
local store = require("store")

return {
  GET = function(req, res)
    res.json(json.array(store.users))
  end,

  POST = function(req, res)
    local body = req.body
    if type(body) ~= "table" or type(body.name) ~= "string" then
      return res.status(422).json({ error = "name is required" })
    end
    local user = { id = #store.users + 1, name = body.name }
    store.users[#store.users + 1] = user
    res.status(201).setHeader("Location", "/api/users/" .. user.id).json(user)
  end,
}
