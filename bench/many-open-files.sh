#!/usr/bin/env bash
# A host with many open files, for the in-use lookup of the sysfs scan (bench/README.md, "A host with
# many open files"): starts PROCESSES processes holding FILES_PER_PROCESS files open each (/dev/null;
# 125 x 800 = 100,000 by default), runs the command given (by default the console timing of the full
# scan, `scan-timing 5`, of the Release build of bench/MigCompat.Benchmarks), then ends those processes
# by their ids.
#
#   bench/many-open-files.sh [COMMAND ...]
#   PROCESSES          environment, default 125
#   FILES_PER_PROCESS  environment, default 800
#   e.g. bench/many-open-files.sh dotnet run -c Release --project bench/MigCompat.Benchmarks -- --filter '*Scan*' --job short --inProcess
set -euo pipefail
processes=${PROCESSES:-125}
files=${FILES_PER_PROCESS:-800}
if [ $# -eq 0 ]; then
  set -- dotnet bench/MigCompat.Benchmarks/bin/Release/net10.0/MigCompat.Benchmarks.dll scan-timing 5
fi

pids=$(mktemp)
# One Python process forks the holders (copy-on-write: little memory each); each opens its files,
# reports ready through a pipe and waits to be killed. The ids go to $pids once every holder is ready.
python3 - "$processes" "$files" "$pids" <<'PY' &
import os, resource, signal, sys
count, files, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if files + 64 > soft:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, files + 64), hard))
ready_r, ready_w = os.pipe()
children = []
for _ in range(count):
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        held = [os.open("/dev/null", os.O_RDONLY) for _ in range(files)]
        os.write(ready_w, b"."); os.close(ready_w)
        while True:
            signal.pause()
    children.append(pid)
os.close(ready_w)
got = 0
while got < count:
    chunk = os.read(ready_r, count)
    if not chunk:
        sys.exit("a holder exited before it was ready")
    got += len(chunk)
with open(out + ".tmp", "w") as f:
    f.write(" ".join(map(str, children)) + "\n")
os.rename(out + ".tmp", out + ".ready")
while True:
    signal.pause()
PY
parent=$!
cleanup() {
  if [ -s "$pids.ready" ]; then kill $(cat "$pids.ready") 2>/dev/null || true; fi
  kill "$parent" 2>/dev/null || true
  wait "$parent" 2>/dev/null || true
  rm -f "$pids" "$pids.ready" "$pids.tmp"
}
trap cleanup EXIT

while [ ! -s "$pids.ready" ]; do
  kill -0 "$parent" 2>/dev/null || { echo "the file holders did not start" >&2; exit 1; }
  sleep 0.2
done
echo "holding $((processes * files)) files open in $processes processes; system: $(awk '{print $1}' /proc/sys/fs/file-nr) file handles, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$@"
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
