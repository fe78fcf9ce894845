#!/usr/bin/env bash
# The metrics endpoint parses as Prometheus text and counts what was sent (scripts/metrics_check.py).
# Usage: scripts/metrics-check.sh [path/to/luaroutes]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import prometheus_client' 2>/dev/null || python3 -m pip install --quiet prometheus_client
exec python3 scripts/metrics_check.py "${1:-.build/debug/luaroutes}"
