-- POST /api/writes {"id": 123}: stores a write with the id the client chose. A retry of a write
-- that already landed changes nothing (ON CONFLICT DO NOTHING) and answers 201 again, so a
-- client that lost an answer can simply send the same id once more.
local host = env.CLUSTER_HOST or "?"

return {
  POST = function(req, res)
    local id = type(req.body) == "table" and math.tointeger(req.body.id)
    if not id then return res.status(422).json({ error = "id: an integer is required" }) end
    local done, err, code = db.exec("INSERT INTO writes (id, host) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", id, host)
    if not done then
      -- The database is away (a restart): 503, so the client retries.
      log.warn("write failed", { id = id, error = err, sqlstate = code })
      return res.status(503).json({ error = err, sqlstate = code })
    end
    res.status(201).json({ id = id, host = host })
  end,
}
