-- Runs around every route under /api: a request id in req.locals for the routes, and a
-- timing header added after the route answered (next() returns once it has).
return function(req, res, next)
  req.locals.started = os.clock()
  next()
  res.setHeader("X-Handled-In", string.format("%.3fms", (os.clock() - req.locals.started) * 1000))
  -- Internal details a route may set for the middleware never leave the server.
  res.removeHeader("X-Internal-User")
end
