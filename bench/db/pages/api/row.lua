-- luacheck: read globals db
-- One row by primary key: what bench/db.sh compares with hello.
return function(req, res)
  res.status(200).json(db.first("SELECT name, email FROM users WHERE id = ?", 1))
end
