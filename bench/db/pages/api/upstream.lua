-- luacheck: read globals fetch env
-- Only a fetch to a local upstream: what bench/db-http.sh compares a PostgreSQL read with
-- (both wait on another process over loopback).
return function(req, res)
  local r = fetch(env.UPSTREAM_URL)
  res.status(200).send(r.body)
end
