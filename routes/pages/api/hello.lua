-- GET /api/hello -> {"name":"John Doe"} (the benchmark's "hello" workload).
return function(req, res)
  res.status(200).json({ name = "John Doe" })
end
