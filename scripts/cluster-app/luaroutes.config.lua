-- The cluster check's app (scripts/cluster-check.sh): the database comes from DATABASE_URL.
return {
  db = { pool = 4, timeout = "2s" },
}
