-- POST multipart/form-data: what arrived, per field and per file (docs/uploads.md). Files over
-- 4kb answer 413 before this runs.
return {
  config = { bodyParser = { fileSizeLimit = "4kb" } },
  POST = function(req, res)
    local files = {}
    for i, f in ipairs(req.files or {}) do
      local sum = 0
      for j = 1, #f.data do sum = (sum + f.data:byte(j)) % 65536 end
      files[i] = { name = f.name, filename = f.filename, type = f.type, size = f.size, checksum = sum }
    end
    res.json({ fields = req.body, files = files })
  end,
}
