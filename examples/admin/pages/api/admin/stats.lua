-- GET /api/admin/stats: only reached through admin/_middleware.lua's check.
local hits = 0

return {
  GET = function(req, res)
    hits = hits + 1
    res.setHeader("X-Internal-User", req.locals.admin)
    res.json({ admin = req.locals.admin, hits = hits })
  end,
}
