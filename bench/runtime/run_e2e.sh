#!/bin/bash
# End to end: `berth run --rm busybox true` (CLI -> berthd -> berth-shim -> container on the
# default bridge network) against a private berthd from the build dir (temp root, unique
# bridge and nftables table), with per-hop commands beside it to see where the time goes:
#   version        CLI start-up + one API round trip
#   run --network none   the same run without a network (network attach/detach cost)
#   run (bridge)   the full path
# docker / podman are measured beside it only if already installed and running (never started).
# Usage: bench/runtime/run_e2e.sh [BUILD_DIR]     needs: hyperfine busybox (root)
#   exec           `berth exec` of `true` in a running container (the health-probe path)
# Knobs: RUNS (default 100); SKIP_BUILD=1 runs BUILD_DIR's binaries as they are (e.g. another
# checkout's build, for a before/after comparison).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$SRC/build}" && pwd)
RUNS=${RUNS:-100}
for t in hyperfine busybox python3; do command -v $t >/dev/null || { echo "run_e2e: $t not found" >&2; exit 2; }; done
[ -n "${SKIP_BUILD:-}" ] || ninja -C "$B" berth berthd berth-shim berth-shim-monitor >/dev/null
W=$(mktemp -d /tmp/berth-e2e-XXXXXX)
tag=$$
BR="be2e$tag"; BR=${BR:0:15}
TABLE="berth_e2e_$tag"
export BERTH_HOST="unix://$W/berth.sock" BERTH_AUTOSTART=0 PATH="$B/bin:$PATH"
"$B/bin/berthd" --root "$W/root" --exec-root "$W/run" -H "$BERTH_HOST" --bridge "$BR" --nft-table "$TABLE" \
  >"$W/berthd.log" 2>&1 &
DPID=$!
cleanup() {
  kill -TERM $DPID 2>/dev/null || true
  wait $DPID 2>/dev/null || true
  ip link del "$BR" 2>/dev/null || true
  nft delete table inet "$TABLE" 2>/dev/null || nft delete table ip "$TABLE" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
for _ in $(seq 200); do [ -S "$W/berth.sock" ] && berth version >/dev/null 2>&1 && break; sleep 0.05; done
"$SRC/examples/make-busybox-image.sh" busybox:latest >/dev/null
berth run --rm busybox true || { echo "run_e2e: smoke run failed" >&2; cat "$W/berthd.log" >&2; exit 1; }
CID=$(berth run -d busybox sleep 600)

cmds=(-n "no-op (/bin/true, the machine's noise)" "/bin/true"
      -n "berth version" "berth version"
      -n "berth run --rm --network none busybox true" "berth run --rm --network none busybox true"
      -n "berth run --rm busybox true" "berth run --rm busybox true"
      -n "berth exec (running container) true" "berth exec $CID true")
peers=""
if command -v docker >/dev/null && docker info >/dev/null 2>&1 && docker image inspect busybox >/dev/null 2>&1; then
  cmds+=(-n "docker run --rm busybox true" "docker run --rm busybox true"); peers+=" docker"
fi
if command -v podman >/dev/null && podman image exists busybox 2>/dev/null; then
  cmds+=(-n "podman run --rm busybox true" "podman run --rm busybox true"); peers+=" podman"
fi
echo "== hyperfine -N, $RUNS runs each (median); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -w 5 -r "$RUNS" --export-json "$W/hf.json" "${cmds[@]}" >"$W/hf.log" 2>&1 || { cat "$W/hf.log"; exit 1; }
python3 - "$W/hf.json" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1]))['results']:
    print(f"  {x['command']:45s} median {x['median']*1000:7.2f} ms  min {x['min']*1000:7.2f} ms  max {x['max']*1000:7.2f} ms")
PY
[ -n "$peers" ] || echo "  docker, podman: n/a (no running daemon with a busybox image here)"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
berth rm -f "$CID" >/dev/null
# Nothing may be left: no containers in the daemon.
left=$(berth ps -aq | wc -l)
[ "$left" = 0 ] || { echo "run_e2e: $left containers left" >&2; exit 1; }
