#!/usr/bin/env bash
# Benchmark: load + normalize a generated 1,000-service compose file with berth's loader
# (compose-config-tool, the same code as `berth compose config`) and with Debian's
# docker-compose v1 `config`, in the same run, and print a Markdown table of hyperfine
# medians (min, max) plus the spread of a no-op as the machine's noise.
#   bench/compose_config/run.sh [SERVICES]    (default 1000; LEAN=1 for 5-line services)
#   BASE_TOOL=/path/to/older/compose-config-tool adds a "before" row (same file, same run).
#   CALLGRIND=1 also counts instructions (valgrind, independent of the load): the whole
#   process and its main thread, which waits for the helper thread of each two-way split,
#   so "main" is the critical path the wall time follows on an idle machine.
# Build first: ninja -C build compose-config-tool berth (the berth row is left out when bin/berth is missing). Installs docker-compose here if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000}
tool="$PWD/${BUILD_DIR:-build}/bin/compose-config-tool"
[ -x "$tool" ] || { echo "build compose-config-tool first (ninja -C build compose-config-tool)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
if ! command -v docker-compose >/dev/null; then
  echo "installing docker-compose (v1) for the comparison..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi

work=$(mktemp -d /tmp/berth-bench-compose.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 bench/compose_config/gen.py "$n" ${LEAN:+--lean} > "$work/compose.yaml"
cd "$work"

# In-process load_project (parse .. typed model), mean of 20 loads, for reference.
inproc=$("$tool" --time 20 -f compose.yaml 2>&1 >/dev/null | sed -n 's/load_project: \([0-9.]*\) ms.*/\1/p')

cmds=(-n "no-op (true)" "true")
[ -n "${BASE_TOOL:-}" ] && cmds+=(-n "berth before ($BASE_TOOL)" "$BASE_TOOL -f compose.yaml config")
# The berth CLI itself (same loader; it also builds the command tree of every verb at start-up).
berth="$(dirname "$tool")/berth"
[ -x "$berth" ] && cmds+=(-n "berth compose config (the berth binary)" "$berth compose -f compose.yaml config")
cmds+=(-n "berth compose config" "$tool -f compose.yaml config"
       -n "berth compose config --format json" "$tool -f compose.yaml config --format json"
       -n "berth compose config -q" "$tool -f compose.yaml config -q")
hyperfine -N -w 3 -r "${RUNS:-30}" --export-json berth.json "${cmds[@]}" >/dev/null 2>&1
hyperfine -N -w 1 -r "${V1_RUNS:-5}" --export-json v1.json -n "docker-compose v1 config" \
  "docker-compose -f compose.yaml config" >/dev/null 2>&1

python3 - "$n" "$(wc -c < compose.yaml)" "$inproc" <<'PY'
import json, sys
n, size, inproc = sys.argv[1], sys.argv[2], sys.argv[3]
rows = json.load(open("berth.json"))["results"] + json.load(open("v1.json"))["results"]
v1 = rows[-1]["median"]
print(f"file: {n} services, {size} bytes; in-process load_project (mean of 20): {inproc} ms\n")
v1_cpu = rows[-1]["user"] + rows[-1]["system"]
print("| command | median ms | min ms | max ms | cpu ms (mean user+sys) | runs | v1 / this (wall, cpu) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    cpu = r["user"] + r["system"]
    ratio = "" if r["command"].startswith("no-op") else f"{v1 / r['median']:.1f}x, {v1_cpu / cpu:.1f}x"
    print(f"| {r['command']} | {r['median']*1000:.1f} | {r['min']*1000:.1f} | {r['max']*1000:.1f} | "
          f"{cpu*1000:.1f} | {len(r['times'])} | {ratio} |")
noop = rows[0]
print(f"\nnoise: no-op max/min = {noop['max'] / noop['min']:.1f}")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -n "${CALLGRIND:-}" ]; then
  command -v valgrind >/dev/null || { echo "valgrind is needed for CALLGRIND=1" >&2; exit 1; }
  echo
  echo "| run | instructions, whole process | main thread (critical path) | helper thread |"
  echo "|---|---:|---:|---:|"
  count() {  # label, then the command
    local label=$1; shift
    rm -f cg.out*
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file=cg.out "$@" >/dev/null 2>&1
    python3 - "$label" cg.out* <<'PY'
import sys
label, files = sys.argv[1], sys.argv[2:]
per = {}
for f in files:
    for line in open(f):
        if line.startswith("summary:"):
            per[f] = int(line.split()[1])
main = per.get("cg.out-01", per.get("cg.out", 0))
rest = sum(v for k, v in per.items() if k not in ("cg.out-01", "cg.out"))
fmt = lambda v: f"{v / 1e6:,.0f} M"
print(f"| {label} | {fmt(main + rest)} | {fmt(main)} | {fmt(rest)} |")
PY
  }
  [ -n "${BASE_TOOL:-}" ] && count "before \`config\`" $BASE_TOOL -f compose.yaml config
  count "\`config\`" "$tool" -f compose.yaml config
  count "\`config --format json\`" "$tool" -f compose.yaml config --format json
  count "\`config -q\`" "$tool" -f compose.yaml config -q
fi
