-- /api/files/a/b -> path = {"a", "b"}. A catch-all needs at least one segment:
-- /api/files alone is 404.
return function(req, res)
  res.json({ path = req.params.path, depth = #req.params.path })
end
