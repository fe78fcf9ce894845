#!/usr/bin/env bash
# CORS as a real browser enforces it: a page served from one loopback port fetches routes of
# `luaroutes serve` on another, in headless Chromium, and writes what each fetch gave into the
# DOM, which --dump-dom prints. Checks: the CORS route's JSON is readable (simple and
# preflighted requests, exposed headers only); the route without CORS is blocked.
# Usage: scripts/cors-browser-check.sh [path/to/luaroutes]   (default .build/debug/luaroutes)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/luaroutes}
bash scripts/setup.sh chromium python3
[ -x "$bin" ] || { echo "cors-browser-check: $bin not found (build first)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_port() { for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# The page's server first: the project's allowed origin names its port.
page_port=$(free_port)
mkdir -p "$tmp/site" "$tmp/project/pages/api"
python3 -m http.server "$page_port" --bind 127.0.0.1 --directory "$tmp/site" >"$tmp/site.log" 2>&1 &
pids+=($!)

cat >"$tmp/project/pages/api/open.lua" <<'LUA'
return {
  config = { cors = { origin = "http://127.0.0.1:PAGE_PORT", exposedHeaders = { "X-Total" } } },
  handler = function(req, res)
    res.setHeader("X-Total", "3").setHeader("X-Hidden", "1")
    res.json({ route = "open", method = req.method, token = req.headers["x-token"] })
  end,
}
LUA
sed -i "s/PAGE_PORT/$page_port/" "$tmp/project/pages/api/open.lua"
cat >"$tmp/project/pages/api/closed.lua" <<'LUA'
return function(req, res) res.json({ route = "closed" }) end
LUA

"$bin" serve --port 0 --threads 1 --root "$tmp/project" 2>"$tmp/serve.log" &
pids+=($!)
api_port=""
for _ in $(seq 200); do
  api_port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$tmp/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$api_port" ] && break
  sleep 0.1
done
[ -n "$api_port" ] || { echo "cors-browser-check: luaroutes serve did not start" >&2; cat "$tmp/serve.log" >&2; exit 1; }
wait_for_port "$page_port" || { echo "cors-browser-check: the page server did not start" >&2; exit 1; }

cat >"$tmp/site/page.html" <<HTML
<!doctype html>
<html><head><title>cors check</title></head><body><ul id="results"></ul>
<script>
const api = "http://127.0.0.1:$api_port";
// JSON with its keys sorted (a Lua table keeps no order), so the check can compare text.
const sorted = (text) => { try { return JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text)).sort())); } catch { return text; } };
async function probe(name, path, options) {
  let text;
  try {
    const r = await fetch(api + path, options);
    text = "status=" + r.status + " total=" + r.headers.get("X-Total") + " hidden=" + r.headers.get("X-Hidden") + " body=" + sorted(await r.text());
  } catch (e) {
    text = String(e);
  }
  const li = document.createElement("li");
  li.textContent = name + ": " + text;
  document.getElementById("results").appendChild(li);
}
(async () => {
  await probe("simple", "/api/open");
  await probe("preflighted", "/api/open", { method: "PUT", headers: { "Content-Type": "application/json", "X-Token": "t1" }, body: "{}" });
  await probe("blocked", "/api/closed");
  document.title = "done";
})();
</script></body></html>
HTML

dom=$(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$tmp/profile" --virtual-time-budget=5000 --dump-dom \
  "http://127.0.0.1:$page_port/page.html" 2>"$tmp/chromium.log") || true

passed=0
failed=0
check() {   # check NAME TEXT: the dumped DOM contains TEXT
  if grep -qF -- "$2" <<<"$dom"; then
    passed=$((passed + 1))
    echo "ok    $1"
  else
    failed=$((failed + 1))
    echo "FAIL  $1: expected the page to show: $2"
  fi
}
check "CORS route readable" 'simple: status=200 total=3 hidden=null body={"method":"GET","route":"open"}'
check "preflighted PUT with a custom header" 'preflighted: status=200 total=3 hidden=null body={"method":"PUT","route":"open","token":"t1"}'
check "route without CORS blocked" 'blocked: TypeError: Failed to fetch'
check "the page finished" '<title>done</title>'

if [ "$failed" -gt 0 ]; then
  echo "--- page DOM:"; echo "$dom"
  echo "--- luaroutes log:"; cat "$tmp/serve.log"
  echo "--- chromium log (last lines, D-Bus noise left out):"; grep -v dbus "$tmp/chromium.log" | tail -n 20
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
