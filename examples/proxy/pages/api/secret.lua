-- GET /api/secret: masks the URL of an external service (Next.js's first API-route use case)
-- and adds its API key from the environment, so neither reaches the browser.
-- fetch waits without blocking: other requests are served meanwhile.
return {
  config = { fetch = { timeout = "5s" } },

  GET = function(req, res)
    local upstream, err = fetch(env.UPSTREAM_URL .. "/secret-url", {
      headers = { ["X-Api-Key"] = env.UPSTREAM_API_KEY, Accept = "application/json" },
    })
    if not upstream then
      log.warn("upstream unreachable", { reason = err })
      return res.status(502).json({ error = "upstream unavailable" })
    end
    if not upstream.ok then
      return res.status(502).json({ error = "upstream answered " .. upstream.status })
    end
    local data = upstream.json()
    res.setHeader("Cache-Control", "no-store").json({ secret = data.secret, via = "luaroutes" })
  end,
}
