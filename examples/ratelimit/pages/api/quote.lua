-- A rate-limited endpoint: at most LIMIT requests per client in a window of WINDOW seconds,
-- counted in the `shared.limits` dictionary, so the limit holds across every event loop.
-- The window starts at a client's first request (the counter's TTL); past the limit the
-- answer is 429 with Retry-After, the seconds until the window ends.
--
-- Per process: behind several hosts, count in `db` instead, or keep each client on one host.
local LIMIT = tonumber(env.RATE_LIMIT) or 5
local WINDOW = 60

local quotes = {
  "Simplicity is prerequisite for reliability.",
  "Premature optimization is the root of all evil.",
  "Programs must be written for people to read.",
}

return {
  GET = function(req, res)
    local key = "quote:" .. req.ip
    local count, err = shared.limits:incr(key, 1, 0, WINDOW)
    if not count then
      -- Only "no memory" can happen here: better to serve than to refuse everyone.
      log.warn("rate limit not counted", { err = err })
    elseif count > LIMIT then
      local left = shared.limits:ttl(key) or WINDOW
      res.setHeader("Retry-After", tostring(math.max(1, math.ceil(left))))
      return res.status(429).json({ error = "Too Many Requests", limit = LIMIT, window = WINDOW })
    end
    res.setHeader("X-RateLimit-Remaining", tostring(math.max(0, LIMIT - (count or 0))))
    res.json({ quote = quotes[(count or 1) % #quotes + 1] })
  end,
}
