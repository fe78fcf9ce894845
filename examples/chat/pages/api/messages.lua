-- POST /api/messages {"user": "...", "text": "..."}: adds a message to the feed.
local MAX_TEXT = 2000

return {
  POST = function(req, res)
    local body = req.body
    if type(body) ~= "table" or type(body.user) ~= "string" or type(body.text) ~= "string"
      or body.user == "" or #body.text > MAX_TEXT then
      return res.status(400).json({ error = "expected {\"user\": text, \"text\": at most 2000 bytes}" })
    end
    local id = shared.chat:incr("last", 1, 0)
    shared.chat:set("m" .. id, body.user .. ": " .. body.text)
    res.status(201).json({ id = id })
  end,
}
