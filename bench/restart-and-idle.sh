#!/usr/bin/env bash
# Restart time and idle memory of `migcompat serve` on an existing fleet database (bench/README.md,
# "Restart and idle memory"). Starts the server, polls /healthz every 50 ms and prints the time from
# the process start to its first answer (503 starting) and to ready (200), the CPU time the server used
# until ready, then its resident memory at ready and after each minute listed in IDLE_MINUTES while
# nothing talks to it.
#
#   bench/restart-and-idle.sh [MIGCOMPAT_DLL] [DB] [IDLE_MINUTES]
#   MIGCOMPAT_DLL  default: src/MigCompat.Cli/bin/Release/net10.0/migcompat.dll (dotnet build -c Release first)
#   DB             default: /tmp/migcompat-bench/fleet100k.db (fill it once, about 4 minutes, with
#                  `dotnet migcompat.dll demo --hosts 100000 --db /tmp/migcompat-bench/fleet100k.db --port 0 --once`)
#   IDLE_MINUTES   default: "1 5 10"; "" measures the restart only
#   PORT           environment, default 18080
set -euo pipefail
dll=${1:-src/MigCompat.Cli/bin/Release/net10.0/migcompat.dll}
db=${2:-/tmp/migcompat-bench/fleet100k.db}
minutes=${3-1 5 10}
port=${PORT:-18080}
url="http://127.0.0.1:$port"
log=$(mktemp)

now() { date +%s.%N; }
rss_mb() { echo $(( $(ps -o rss= -p "$1") / 1024 )); }
cpu_s() { awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / tck }' "/proc/$1/stat"; }

start=$(now)
dotnet "$dll" serve --db "$db" --urls "$url" --admin-token bench-admin >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

first="" ready=""
while [ -z "$ready" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "the server exited:"; cat "$log"; exit 1; fi
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz" || true)
  t=$(now)
  if [ -z "$first" ] && [ "$code" != "000" ]; then first=$t; echo "first answer ($code): $(echo "$first - $start" | bc -l | xargs printf '%.2f') s"; fi
  if [ "$code" = "200" ]; then ready=$t; fi
  sleep 0.05
done
echo "ready (200): $(echo "$ready - $start" | bc -l | xargs printf '%.2f') s; $(curl -s "$url/healthz")"
echo "cpu at ready: $(cpu_s "$pid") s (user + system, all threads)"
echo "rss at ready: $(rss_mb "$pid") MB"
elapsed=0
for m in $minutes; do
  sleep $(( (m - elapsed) * 60 ))
  elapsed=$m
  echo "rss after $m min idle: $(rss_mb "$pid") MB"
done
