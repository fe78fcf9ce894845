-- Cookie sessions with a method table:
--   POST   /api/session   log in with {user, password} (JSON or form) -> Set-Cookie: sid=...
--   GET    /api/session   who is logged in (401 without a valid cookie)
--   DELETE /api/session   log out (the cookie is cleared)
-- Credentials come from .env (DEMO_USER, DEMO_PASSWORD). Sessions live in this route's Lua
-- state: a demo, not a session store. Session ids use math.random (crypto.random comes with
-- the crypto module).
local sessions = {}

local function new_session_id()
  return string.format("%08x%08x%08x%08x", math.random(0, 0xffffffff), math.random(0, 0xffffffff),
                       math.random(0, 0xffffffff), math.random(0, 0xffffffff))
end

local function cookie(value, max_age)
  return string.format("sid=%s; Path=/api; HttpOnly; SameSite=Lax; Max-Age=%d", value, max_age)
end

return {
  POST = function(req, res)
    local body = type(req.body) == "table" and req.body or {}
    if body.user ~= env.DEMO_USER or body.password ~= env.DEMO_PASSWORD then
      return res.status(401).json({ error = "wrong user or password" })
    end
    local sid = new_session_id()
    sessions[sid] = { user = body.user, since = os.time() }
    log.info("logged in", { user = body.user })
    res.setHeader("Set-Cookie", cookie(sid, 3600)).json({ user = body.user })
  end,

  GET = function(req, res)
    local session = sessions[req.cookies.sid or ""]
    if not session then return res.status(401).json({ error = "not logged in" }) end
    res.json({ user = session.user, since = session.since })
  end,

  DELETE = function(req, res)
    sessions[req.cookies.sid or ""] = nil
    res.setHeader("Set-Cookie", cookie("", 0)).status(204).finish()
  end,
}
