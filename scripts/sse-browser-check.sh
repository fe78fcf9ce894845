#!/usr/bin/env bash
# Server-sent events as a browser reads them: a page served by `luaroutes serve` reads an SSE
# route with fetch() (the body's stream reader, chunk by chunk) and with EventSource, in headless
# Chromium, and writes what it got into the DOM, which --dump-dom prints (docs/streaming.md).
# Usage: scripts/sse-browser-check.sh [path/to/luaroutes]   (default .build/debug/luaroutes)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/luaroutes}
bash scripts/setup.sh chromium python3
[ -x "$bin" ] || { echo "sse-browser-check: $bin not found (build first)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/project/pages/api"
cat >"$tmp/project/pages/api/feed.lua" <<'LUA'
return function(req, res)
  for i = 1, 3 do
    res.sse({ event = "tick", id = i, data = "line " .. i .. "\nsecond " .. i })
  end
  res.sse({ event = "end", data = { total = 3 } })
end
LUA
cat >"$tmp/project/pages/api/page.lua" <<'LUA'
-- The test page itself, from the same origin as the feed.
return function(req, res)
  res.setHeader("Content-Type", "text/html; charset=utf-8")
  res.send([[
<!doctype html>
<html><head><title>sse check</title></head><body><ul id="results"></ul>
<script>
const show = (text) => { const li = document.createElement("li"); li.textContent = text; document.getElementById("results").appendChild(li); };
async function viaFetch() {
  const r = await fetch("/api/feed");
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let text = "", reads = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    reads++;
    text += decoder.decode(value, { stream: true });
  }
  const events = text.split("\n\n").filter((e) => e.length > 0);
  show("fetch: type=" + r.headers.get("Content-Type") + " events=" + events.length + " first=" + JSON.stringify(events[0]));
}
function viaEventSource() {
  return new Promise((resolve) => {
    const source = new EventSource("/api/feed");
    const seen = [];
    source.addEventListener("tick", (e) => seen.push(e.lastEventId + ":" + e.data.replace("\n", "|")));
    source.addEventListener("end", (e) => { source.close(); show("eventsource: " + seen.join(",") + " end=" + e.data); resolve(); });
    source.onerror = () => { source.close(); show("eventsource: error after " + seen.join(",")); resolve(); };
  });
}
(async () => {
  try { await viaFetch(); } catch (e) { show("fetch: " + e); }
  await viaEventSource();
  document.title = "done";
})();
</script></body></html>
]])
end
LUA

"$bin" serve --port 0 --threads 1 --root "$tmp/project" 2>"$tmp/serve.log" &
pids+=($!)
api_port=""
for _ in $(seq 200); do
  api_port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$tmp/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$api_port" ] && break
  sleep 0.1
done
[ -n "$api_port" ] || { echo "sse-browser-check: luaroutes serve did not start" >&2; cat "$tmp/serve.log" >&2; exit 1; }

dom=$(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$tmp/profile" --virtual-time-budget=5000 --dump-dom \
  "http://127.0.0.1:$api_port/api/page" 2>"$tmp/chromium.log") || true

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
check "fetch() reads the whole stream" 'fetch: type=text/event-stream; charset=utf-8 events=4 first="event: tick\nid: 1\ndata: line 1\ndata: second 1"'
check "EventSource gets every event, multi-line data joined" 'eventsource: 1:line 1|second 1,2:line 2|second 2,3:line 3|second 3 end={"total":3}'
check "the page finished" '<title>done</title>'

if [ "$failed" -gt 0 ]; then
  echo "--- page DOM:"; echo "$dom"
  echo "--- luaroutes log:"; cat "$tmp/serve.log"
  echo "--- chromium log (last lines, D-Bus noise left out):"; grep -v dbus "$tmp/chromium.log" | tail -n 20
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
