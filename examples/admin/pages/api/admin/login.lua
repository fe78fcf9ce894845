-- POST /api/admin/login: sets a session cookie with res.cookie (the token check already passed).
return {
  POST = function(req, res)
    res.cookie("admin", req.locals.admin, { httpOnly = true, sameSite = "Strict", maxAge = 3600, path = "/api/admin" })
    res.status(204).finish()
  end,
  DELETE = function(req, res)
    res.clearCookie("admin", { path = "/api/admin" })
    res.status(204).finish()
  end,
}
