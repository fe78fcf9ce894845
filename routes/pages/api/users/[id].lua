-- /api/users/42 -> req.query.id == "42" (dynamic segments arrive as strings, merged into
-- req.query, and alone in req.params). ?fields=a,b shows the query string beside them.
local store = require("store")

return function(req, res)
  local id = math.tointeger(tonumber(req.params.id))
  local user = id and store.find(id)
  if req.query.fields then
    -- the benchmark's "params" workload: echo the segment and the query string
    return res.json({ id = req.query.id, fields = req.query.fields })
  end
  if not user then
    return res.status(404).json({ error = "no user " .. req.params.id })
  end
  res.json(user)
end
