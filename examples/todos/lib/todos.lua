-- An in-memory todo list. `require("todos")` runs this once per Lua state, and every route
-- file has its own state (one per event loop), so the whole API lives in one route file:
-- pages/api/todos/[[...id]].lua. A real app keeps its data outside the process.
local todos = { items = {}, next_id = 1 }

function todos.create(title)
  local todo = { id = todos.next_id, title = title, done = false }
  todos.items[todo.id] = todo
  todos.next_id = todos.next_id + 1
  return todo
end

function todos.list()
  local list = json.array({})
  for id = 1, todos.next_id - 1 do
    if todos.items[id] then list[#list + 1] = todos.items[id] end
  end
  return list
end

function todos.get(id) return todos.items[id] end

function todos.delete(id)
  local todo = todos.items[id]
  todos.items[id] = nil
  return todo
end

return todos
