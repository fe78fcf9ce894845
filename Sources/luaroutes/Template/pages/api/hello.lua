-- GET /api/hello            -> 200 {"message":"Hello, world!"}
-- GET /api/hello?name=Ada   -> 200 {"message":"Hello, Ada!"}
-- A file under pages/api/ is a route; the function it returns answers every request to it.

---@param req luaroutes.Request
---@param res luaroutes.Response
return function(req, res)
  local name = req.query.name
  if type(name) ~= "string" or name == "" then name = "world" end
  res.status(200).json({ message = "Hello, " .. name .. "!" })
end
