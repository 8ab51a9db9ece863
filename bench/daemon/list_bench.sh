#!/usr/bin/env bash
# GET /containers/json?all=1 with 100 containers (created, not running), 50 concurrent
# keep-alive clients over the unix socket: requests/s, p50 and p99 latency, the median of
# RUNS runs of SECONDS each (build/bin/berth-api-bench drives it). Beside dockerd when
# DOCKER_HOST_PEER=unix:///path names a running dockerd that has a busybox image (never
# started here: it rewrites the host firewall); "n/a" otherwise. Prints a Markdown table.
# Run as root from the repository after `ninja -C build berthd berth-shim berth-api-bench`.
#   bench/daemon/list_bench.sh [RUNS=5] [SECONDS=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
secs=${2:-5}
bin=${BERTH_BIN:-build/bin}
peer_ids=()
bench_cleanup() {
  for id in "${peer_ids[@]}"; do curl -s --unix-socket "$peer_sock" -X DELETE "http://x/containers/$id?force=1" >/dev/null || true; done
}
. bench/private_berthd.sh

# 100 created containers with a label and an env each (what `ps -a` lists).
create_100() {
  local sock=$1
  for i in $(seq 100); do
    curl -s --unix-socket "$sock" -X POST -H 'Content-Type: application/json' \
      -d '{"Image":"busybox","Cmd":["sh","-c","true"],"Labels":{"bench":"list","n":"'"$i"'"},"Env":["N='"$i"'"]}' \
      "http://x/containers/create?name=listbench-$$-$i" | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4
  done
}
create_100 "$tmp/b.sock" >/dev/null

# Median (and min/max of rps) over runs; each run prints key=value pairs.
measure() {
  local sock=$1 path=$2 n=$3 s=$4
  for _ in $(seq "$n"); do $bin/berth-api-bench "$sock" "$path" 50 "$s"; done |
    python3 -c '
import statistics, sys
runs = [dict(kv.split("=") for kv in line.split()) for line in sys.stdin if line.strip()]
col = lambda k: [float(r[k]) for r in runs]
print("%.0f|%.0f|%.0f|%.2f|%.2f|%d" % (statistics.median(col("rps")), min(col("rps")), max(col("rps")),
      statistics.median(col("p50_ms")), statistics.median(col("p99_ms")), sum(col("errors"))))'
}

$bin/berth-api-bench "$tmp/b.sock" "/containers/json?all=1" 50 1 >/dev/null  # warm-up
noise=$(measure "$tmp/b.sock" "/_ping" 3 2)
berth=$(measure "$tmp/b.sock" "/containers/json?all=1" "$runs" "$secs")
count=$(curl -s --unix-socket "$tmp/b.sock" "http://x/containers/json?all=1" | grep -o '"Id"' | wc -l)

peer="n/a|n/a|n/a|n/a|n/a|n/a"
peer_sock=""
if [ -n "${DOCKER_HOST_PEER:-}" ] && [ "${DOCKER_HOST_PEER#unix://}" != "$DOCKER_HOST_PEER" ]; then
  peer_sock=${DOCKER_HOST_PEER#unix://}
  if curl -sf --unix-socket "$peer_sock" http://x/_ping >/dev/null &&
     curl -sf --unix-socket "$peer_sock" http://x/images/busybox/json >/dev/null; then
    mapfile -t peer_ids < <(create_100 "$peer_sock")
    peer=$(measure "$peer_sock" "/containers/json?all=1" "$runs" "$secs")
  fi
fi

row() { IFS='|' read -r rps lo hi p50 p99 errs <<<"$2"; echo "| $1 | $rps ($lo–$hi) | $p50 | $p99 | $errs |"; }
echo "GET /containers/json?all=1, $count created containers, 50 keep-alive clients, median of $runs × ${secs}s runs"
echo "(machine: $(nproc) cores, $(uname -r); noise: /_ping requests/s over 3 runs $(echo "$noise" | cut -d'|' -f2)–$(echo "$noise" | cut -d'|' -f3))"
echo
echo "| daemon | requests/s (min–max) | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
row berthd "$berth"
row "dockerd (DOCKER_HOST_PEER)" "$peer"
