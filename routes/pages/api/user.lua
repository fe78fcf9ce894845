-- GET /api/user -> 200 {"name":"John Doe"}
-- The first example of Next.js's API routes documentation, in Lua: a route file returns
-- the handler; `res` calls chain.
return function(req, res)
  res.status(200).json({ name = "John Doe" })
end
