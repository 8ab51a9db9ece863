#!/usr/bin/env bash
# Where `compose up` spends its time: brings up N independent services (default 50) or the
# 10-service healthy chain (CHAIN=1) against a berthd of its own, then prints the container
# events (create, start, health_status, die, destroy) in seconds from the start of `up`, and
# the same for `down -t 1`. UP_WRAP="perf record -a -o FILE --" profiles the `up`.
# Run as root from the repository after `ninja -C build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${N:-50}
bin=${BERTH_BIN:-$PWD/build/bin}
. bench/private_berthd.sh
{
  echo "services:"
  for i in $(seq "$n"); do
    printf '  s%d:\n    image: busybox:latest\n    command: ["sleep", "600"]\n    init: true\n' "$i"
    if [ "${CHAIN:-0}" = 1 ]; then
      printf '    healthcheck: {test: ["CMD", "true"], interval: 1s, retries: 3}\n'
      [ "$i" -gt 1 ] && printf '    depends_on: {s%d: {condition: service_healthy}}\n' $((i - 1))
    fi
  done
} >"$tmp/c.yaml"
wait_flag=""; [ "${CHAIN:-0}" = 1 ] && wait_flag="--wait"
phase() {  # phase NAME CMD...: runs the command, then prints its events relative to its start
  local name=$1 s e c0 c1 busy
  shift
  c0=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat)
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  e=$(date +%s.%N)
  c1=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat)
  busy=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", (b - a) / 100}')
  sleep 0.2
  echo "## $name: $(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f", e - s}') s (berthd CPU so far: $(awk '{printf "%.2f s", ($14 + $15) / 100}' "/proc/$(cat "$tmp/root/berthd.pid")/stat"); host CPU busy during it: $busy s)"
  "$bin/berth" events --since "$s" --until "$(date +%s.%N)" --filter type=container \
    --format json |
    python3 -c 'import json, sys
s, full = float(sys.argv[1]), sys.argv[2] == "1"
seen = {}
for line in sys.stdin:
    j = json.loads(line)
    t, a = j["timeNano"] / 1e9 - s, j["Action"]
    seen.setdefault(a, []).append(t)
    if full: print("%7.3f %s %s" % (t, a, j["Actor"]["Attributes"].get("name", "")))
for a, ts in seen.items():
    print("%-24s n=%-3d first %.3f  last %.3f" % (a, len(ts), ts[0], ts[-1]))' "$s" "${CHAIN:-0}"
}
phase up ${UP_WRAP:-} "$bin/berth" compose -f "$tmp/c.yaml" -p tl up -d $wait_flag
if [ "${CHAIN:-0}" = 1 ]; then  # each container's first health check: when it began after the start, how long it took
  echo "## first health check per container: start -> probe begin, probe duration (ms)"
  for i in $(seq "$n"); do "$bin/berth" inspect "tl-s$i-1"; done | python3 -c 'import json, sys, datetime
def t(s):
    whole, frac = s.rstrip("Z").split(".")
    return datetime.datetime.fromisoformat(whole).replace(tzinfo=datetime.timezone.utc).timestamp() + float("0." + frac)
text = sys.stdin.read()
dec, pos = json.JSONDecoder(), 0
while pos < len(text):
    while pos < len(text) and text[pos].isspace(): pos += 1
    if pos >= len(text): break
    arr, pos = dec.raw_decode(text, pos)
    for c in arr:
        st = c["State"]; first = st["Health"]["Log"][0]
        print("%s %7.1f %6.1f" % (c["Name"], (t(first["Start"]) - t(st["StartedAt"])) * 1e3, (t(first["End"]) - t(first["Start"])) * 1e3))'
fi
phase down "$bin/berth" compose -f "$tmp/c.yaml" -p tl down -t 1
