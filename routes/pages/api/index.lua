-- GET /api -> what this app serves. index.lua files answer for their folder.
return function(req, res)
  res.json({
    routes = json.array({ "/api/user", "/api/users", "/api/users/[id]", "/api/posts/[pid]/comments",
                          "/api/files/[...path]", "/api/opt/[[...slug]]", "/api/echo", "/api/hello",
                          "/api/preferences" }),
  })
end
