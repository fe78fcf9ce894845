-- Streamed answers (docs/streaming.md): res.write, res.flush, res.sse, and res.finish of a
-- streamed answer. The first write sends the head (status and headers as set so far); each
-- write waits until the connection took the chunk (lr_stream.c), so a client that does not read
-- holds the handler back instead of filling memory, and a gone client makes it return nil, "closed".
local P = ...
local RES, json, stream_write = P.RES, P.priv.json, P.priv.stream_write
local type, tostring, error, math_type = type, tostring, error, math.type
local find, sub, format = string.find, string.sub, string.format
local concat = table.concat

-- Sends one chunk; the head goes with the first. Returns res, or nil, "closed".
local function send_chunk(st, chunk)
  if st.closed then return nil, "closed" end
  local ok, err
  if not st.streaming then
    if st.sent then error("response already sent", 3) end
    st.streaming, st.sent = true, true
    ok, err = stream_write(chunk, st.status, st.names, st.values)
  else
    ok, err = stream_write(chunk)
  end
  if not ok then st.closed = true; return nil, err end
  return st.res
end

local function chunk_text(value, fname)
  local t = type(value)
  if t == "string" then return value end
  if t == "number" then return tostring(value) end
  error(format("bad argument #1 to '%s' (string expected, got %s)", fname, t), 3)
end

local function check_open(st)
  if st.ended then error("response already finished", 3) end
end

function RES.write(st, chunk)
  chunk = chunk_text(chunk, "write")
  check_open(st)
  return send_chunk(st, chunk)
end

-- Sends the head now (before the first chunk); afterwards a no-op: every write is sent at once.
function RES.flush(st)
  check_open(st)
  if st.streaming then
    if st.closed then return nil, "closed" end
    return st.res
  end
  return send_chunk(st, "")
end

-- res.finish / res["end"] on a streamed answer: the last chunk, then the end of the body.
local plain_finish = RES.finish
function RES.finish(st, body)
  if not st.streaming then return plain_finish(st, body) end
  check_open(st)
  local res, err = st.res, nil
  if body ~= nil then res, err = send_chunk(st, chunk_text(body, "finish")) end
  st.ended = true
  return res, err
end
RES["end"] = RES.finish

local function field(name, value)
  if value == nil then return "" end
  local text = chunk_text(value, "sse")
  if find(text, "[\r\n]") then
    error(format("bad argument #1 to 'sse' (%s must be one line)", name), 3)
  end
  return name .. ": " .. text .. "\n"
end

-- One server-sent event (the WHATWG HTML standard's event stream format): event, id and retry
-- fields, then the data split into one data: line per line of text (a table is sent as JSON).
function RES.sse(st, ev)
  if type(ev) == "string" then ev = { data = ev } end
  if type(ev) ~= "table" then
    error(format("bad argument #1 to 'sse' (table or string expected, got %s)", type(ev)), 2)
  end
  check_open(st)
  if not st.streaming then
    if st.sent then error("response already sent", 2) end
    if st.values["content-type"] == nil then
      st.names[#st.names + 1] = "content-type"
      st.values["content-type"] = { "Content-Type", "text/event-stream; charset=utf-8" }
    end
    if st.values["cache-control"] == nil then
      st.names[#st.names + 1] = "cache-control"
      st.values["cache-control"] = { "Cache-Control", "no-cache" }
    end
  end
  local retry = ev.retry
  if retry ~= nil and (math_type(retry) ~= "integer" or retry < 0) then
    error(format("bad argument #1 to 'sse' (retry must be milliseconds, got %s)", tostring(retry)), 2)
  end
  local parts = { field("event", ev.event), field("id", ev.id), field("retry", retry) }
  local data = ev.data
  if data ~= nil then
    if type(data) == "table" or type(data) == "boolean" then data = json.encode(data)
    else data = chunk_text(data, "sse") end
    local start = 1
    while true do   -- CRLF, LF and CR all end a line in an event stream
      local a, b = find(data, "\r?\n", start)
      local c = find(data, "\r", start, true)
      if c and (a == nil or c < a) then a, b = c, c end
      if a == nil then break end
      parts[#parts + 1] = "data: " .. sub(data, start, a - 1) .. "\n"
      start = b + 1
    end
    parts[#parts + 1] = "data: " .. sub(data, start) .. "\n"
  end
  if ev.comment ~= nil then   -- a line the client ignores: keeps idle connections open
    local text = chunk_text(ev.comment, "sse")
    if find(text, "[\r\n]") then error("bad argument #1 to 'sse' (comment must be one line)", 2) end
    parts[#parts + 1] = ": " .. text .. "\n"
  end
  parts[#parts + 1] = "\n"
  return send_chunk(st, concat(parts))
end
