-- GET /api/status: public; the root middleware still runs around it. Its JSON body gets an
-- ETag from the host, so a client that sends it back with If-None-Match gets 304.
return function(req, res)
  res.json({ ok = true, service = "admin-example" })
end
