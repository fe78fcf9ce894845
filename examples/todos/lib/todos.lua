-- The todo list, kept in `db` (by default the SQLite file .luaroutes/data.db; the table comes
-- from migrations/001_create_todos.sql). Every route, every event loop and every restart sees
-- the same rows, which module-level tables cannot give (each Lua state has its own).
local todos = {}

-- A database failure is not the client's fault: raise, so the host answers 500 and logs it.
local function must(value, err)
  if value == nil and err then error(err, 2) end
  return value
end

-- SQLite answers done as 0/1; PostgreSQL would answer a boolean.
local function shape(row)
  if row == nil then return nil end
  return { id = row.id, title = row.title, done = row.done == true or row.done == 1 }
end

function todos.create(title)
  return shape(must(db.first("INSERT INTO todos(title) VALUES (?) RETURNING id, title, done", title)))
end

function todos.list()
  local list = json.array({})
  for i, row in ipairs(must(db.query("SELECT id, title, done FROM todos ORDER BY id"))) do list[i] = shape(row) end
  return list
end

function todos.get(id)
  return shape(must(db.first("SELECT id, title, done FROM todos WHERE id = ?", id)))
end

-- fields: { title = string?, done = boolean? }; returns the updated todo, nil when absent.
function todos.update(id, fields)
  return shape(must(db.first([[
    UPDATE todos SET title = coalesce($2, title), done = coalesce($3, done)
    WHERE id = $1 RETURNING id, title, done]], id, fields.title, fields.done)))
end

-- true when a todo was deleted.
function todos.delete(id)
  return must(db.exec("DELETE FROM todos WHERE id = ?", id)).changes > 0
end

return todos
