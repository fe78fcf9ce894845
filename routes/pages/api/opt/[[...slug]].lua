-- /api/opt and /api/opt/a/b: an optional catch-all also serves its folder, with slug = nil.
return function(req, res)
  res.json({ slug = req.params.slug or json.null })
end
