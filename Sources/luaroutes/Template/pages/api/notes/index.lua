-- GET  /api/notes          the notes, oldest first
-- POST /api/notes {text}   adds one: 201 with the note and its Location
-- A table of methods: any other method answers 405 with an Allow header.
local notes = require("notes")

return {
  ---@param req luaroutes.Request
  ---@param res luaroutes.Response
  GET = function(req, res)
    res.json(notes.list())
  end,

  ---@param req luaroutes.Request
  ---@param res luaroutes.Response
  POST = function(req, res)
    local text = type(req.body) == "table" and req.body.text
    if not notes.valid(text) then
      return res.status(422).json({ error = "text must be a string of 1 to 500 characters" })
    end
    local note = notes.create(text)
    res.status(201).setHeader("Location", "/api/notes/" .. note.id).json(note)
  end,
}
