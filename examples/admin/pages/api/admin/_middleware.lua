-- Auth for everything under /api/admin: a bearer token, or 401 before any admin route runs.
-- The admin's name goes to the routes through req.locals.
return function(req, res, next)
  local token = (req.headers.authorization or ""):match("^Bearer%s+(.+)$")
  if token ~= env.ADMIN_TOKEN then
    res.setHeader("WWW-Authenticate", 'Bearer realm="admin"')
    return res.status(401).json({ error = "admin token required" })
  end
  req.locals.admin = "ops"
  next()
  -- Admin answers are never cached by a browser or a proxy.
  res.setHeader("Cache-Control", "no-store")
end
