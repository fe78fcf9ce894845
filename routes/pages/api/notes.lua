-- A persisted resource: the rows live in `db` (.luaroutes/data.db), so every route, every
-- event loop and every restart sees them. migrations/001_notes.sql creates the table.
return {
  GET = function(req, res) res.json(db.query("SELECT id, text FROM notes ORDER BY id")) end,
  POST = function(req, res)
    local text = type(req.body) == "table" and req.body.text or nil
    if type(text) ~= "string" or text == "" then
      return res.status(422).json({ error = "text must be a non-empty string" })
    end
    local note, err = db.first("INSERT INTO notes(text) VALUES (?) RETURNING id, text", text)
    if not note then return res.status(500).json({ error = err }) end
    res.status(201).json(note)
  end,
}
