-- A JSON CRUD API in one file:
--   GET    /api/todos        list          POST   /api/todos    create {title}
--   GET    /api/todos/:id    one           PATCH  /api/todos/:id update {title?, done?}
--   DELETE /api/todos/:id    remove
-- [[...id]] serves /api/todos and /api/todos/<anything>; req.params.id is nil or a list.
-- The rows live in `db` (lib/todos.lua), so this is correct on any number of event loops
-- and survives restarts.
local todos = require("todos")

-- The todo named by the path, or nil after answering 404 (or 400 for a bad id).
local function find(req, res)
  local segments = req.params.id
  local id = segments and #segments == 1 and math.tointeger(tonumber(segments[1]))
  if not id then
    res.status(400).json({ error = "expected /api/todos/<number>" })
    return nil
  end
  local todo = todos.get(id)
  if not todo then res.status(404).json({ error = "no todo " .. id }) end
  return todo
end

local function valid_title(title)
  return type(title) == "string" and #title > 0 and #title <= 200
end

return {
  GET = function(req, res)
    if not req.params.id then return res.json(todos.list()) end
    local todo = find(req, res)
    if todo then res.json(todo) end
  end,

  POST = function(req, res)
    if req.params.id then return res.status(405).json({ error = "POST to /api/todos" }) end
    local body = req.body
    if type(body) ~= "table" or not valid_title(body.title) then
      return res.status(422).json({ error = "title must be a text of 1 to 200 characters" })
    end
    local todo = todos.create(body.title)
    res.status(201).setHeader("Location", "/api/todos/" .. todo.id).json(todo)
  end,

  PATCH = function(req, res)
    local todo = find(req, res)
    if not todo then return end
    local body = type(req.body) == "table" and req.body or {}
    if body.title ~= nil and not valid_title(body.title) then
      return res.status(422).json({ error = "title must be a text of 1 to 200 characters" })
    end
    if body.done ~= nil and type(body.done) ~= "boolean" then
      return res.status(422).json({ error = "done must be true or false" })
    end
    res.json(todos.update(todo.id, { title = body.title, done = body.done }))
  end,

  DELETE = function(req, res)
    local todo = find(req, res)
    if todo then
      todos.delete(todo.id)
      res.status(204).finish()
    end
  end,
}
