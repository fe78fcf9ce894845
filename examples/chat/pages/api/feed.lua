-- GET /api/feed: the messages as server-sent events (docs/streaming.md). Each event's id is the
-- message number, so a browser's EventSource that reconnects (after `retry` ms) sends
-- Last-Event-ID and gets only what it has not seen; ?since=N does the same for other clients.
return {
  GET = function(req, res)
    local since = math.tointeger(tonumber(req.headers["last-event-id"] or req.query.since or "0")) or 0
    local last = shared.chat:get("last") or 0
    res.sse({ retry = 1000, comment = "chat feed" })
    for id = since + 1, last do
      local message = shared.chat:get("m" .. id)
      if message then
        -- A write returns nil, "closed" once the client is gone: stop sending then.
        if not res.sse({ event = "message", id = id, data = message }) then return end
      end
    end
  end,
}
