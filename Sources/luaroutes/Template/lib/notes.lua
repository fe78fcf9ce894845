-- The notes, kept in `db`: by default the SQLite file .luaroutes/data.db, its table made by
-- migrations/001_create_notes.sql. `require("notes")` loads this file (lib/ is the module path).
-- Rows in `db` are shared by every route and survive restarts; a module-level table would not be.
local notes = {}

-- A database failure is not the client's fault: raise, so the host answers 500 and logs it.
local function must(value, err)
  if value == nil and err then error(err, 2) end
  return value
end

function notes.valid(text)
  return type(text) == "string" and #text >= 1 and #text <= 500
end

function notes.list()
  return json.array(must(db.query("SELECT id, text FROM notes ORDER BY id")))
end

function notes.get(id)
  return must(db.first("SELECT id, text FROM notes WHERE id = ?", id))
end

function notes.create(text)
  return must(db.first("INSERT INTO notes(text) VALUES (?) RETURNING id, text", text))
end

-- true when a note was deleted.
function notes.delete(id)
  return must(db.exec("DELETE FROM notes WHERE id = ?", id)).changes > 0
end

return notes
