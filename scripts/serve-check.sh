#!/usr/bin/env bash
# Runs the README's serve command as written (scripts/serve.sh: release build, routes/ on
# port 3000), asks GET /api/user over HTTP, then stops it with SIGTERM, which must exit 0.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
bash scripts/serve.sh >"$log" 2>&1 &
pid=$!
answer=""
for _ in $(seq 1 1200); do   # the release build comes first: allow it up to 20 minutes
  answer=$(python3 - <<'PY' 2>/dev/null
import http.client
c = http.client.HTTPConnection("127.0.0.1", 3000, timeout=2)
c.request("GET", "/api/user")
r = c.getresponse()
print(r.status, r.getheader("Content-Type"), r.read().decode())
PY
) && break
  kill -0 $pid 2>/dev/null || break
  sleep 1
done
kill -TERM $pid 2>/dev/null
wait $pid
code=$?
expected='200 application/json; charset=utf-8 {"name":"John Doe"}'
if [ "$answer" = "$expected" ] && [ $code -eq 0 ]; then
  echo "ok    scripts/serve.sh answered $answer and exited 0 on SIGTERM"
  echo "1 passed, 0 failed"
  exit 0
fi
echo "FAILED scripts/serve.sh: answer '$answer', exit status $code"
tail -20 "$log"
echo "0 passed, 1 failed"
exit 1
