-- /api/posts/7/comments: a dynamic folder. req.params.pid == "7".
return function(req, res)
  res.json({ post = req.params.pid, comments = json.array({}) })
end
