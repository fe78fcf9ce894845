-- /api/preferences: cookies, a redirect, CORS and a per-route body limit, Next.js style.
--   GET  -> the saved theme from the `theme` cookie (req.cookies is parsed on first use)
--   POST -> saves {theme} (JSON or a form) in a cookie and redirects (303) back to GET
-- Another origin may call it from a browser (cors below); bodies over 1kb answer 413.
local THEMES = { light = true, dark = true }

return {
  config = {
    bodyParser = { sizeLimit = "1kb" },
    cors = { origin = { "http://localhost:5173" }, methods = { "GET", "POST" }, credentials = true },
  },

  GET = function(req, res)
    res.json({ theme = req.cookies.theme or "light" })
  end,

  POST = function(req, res)
    local theme = type(req.body) == "table" and req.body.theme
    if not THEMES[theme] then
      return res.status(422).json({ error = "theme must be light or dark" })
    end
    res.setHeader("Set-Cookie", { "theme=" .. theme .. "; Path=/api; SameSite=Lax", "seen=1; Path=/api" })
    res.redirect(303, "/api/preferences")
  end,
}
