-- GET    /api/notes/:id   one note, or 404
-- DELETE /api/notes/:id   removes it: 204, or 404
-- [id] in the file name is a dynamic segment: req.params.id holds it (always a string).
local notes = require("notes")

-- The note's id as an integer, or nil after answering 400.
local function id_of(req, res)
  local id = math.tointeger(tonumber(req.params.id))
  if not id then res.status(400).json({ error = "expected /api/notes/<number>" }) end
  return id
end

return {
  ---@param req luaroutes.Request
  ---@param res luaroutes.Response
  GET = function(req, res)
    local id = id_of(req, res)
    if not id then return end
    local note = notes.get(id)
    if not note then return res.status(404).json({ error = "no note " .. id }) end
    res.json(note)
  end,

  ---@param req luaroutes.Request
  ---@param res luaroutes.Response
  DELETE = function(req, res)
    local id = id_of(req, res)
    if not id then return end
    if not notes.delete(id) then return res.status(404).json({ error = "no note " .. id }) end
    res.status(204).send()
  end,
}
