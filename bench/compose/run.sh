#!/usr/bin/env bash
# `compose up -d` and `down -t 1` for N independent services (default 1 10 50), and a
# 10-service chain gated on service_healthy with 1 s intervals: berth against a berthd of
# its own, beside docker-compose v1 on dockerd when DOCKER_HOST answers (see
# ../shared/peers/ to set it up). Median and min of RUNS runs, beside the machine's noise
# (a no-op) and its load average; prints a Markdown table. One command:
#   RUNS=5 bash bench/compose/run.sh        (BERTH_BIN=dir picks other binaries)
# Run as root from the repository after `ninja -C build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
sizes=${SIZES:-"1 10 50"}
bin=${BERTH_BIN:-$PWD/build/bin}
. bench/private_berthd.sh

gen() {  # gen N FILE: N independent services
  { echo "services:"; for i in $(seq "$1"); do
      printf '  s%d:\n    image: busybox:latest\n    command: ["sleep", "600"]\n    init: true\n' "$i"; done; } >"$2"
}
gen_chain() {  # gen_chain FILE [EXTRA]: a 10-deep chain, each healthy after its check passes (1 s interval)
  { echo "services:"; for i in $(seq 10); do
      printf '  c%d:\n    image: busybox:latest\n    command: ["sleep", "600"]\n    init: true\n' "$i"
      printf '    healthcheck: {test: ["CMD", "true"], interval: 1s, retries: 3%s}\n' "${2:-}"
      [ "$i" -gt 1 ] && printf '    depends_on: {c%d: {condition: service_healthy}}\n' $((i - 1))
    done; } >"$1"
}
# "median | min" of the numbers on stdin.
stats() { sort -n | awk '{a[NR]=$1} END {printf "%s | %s", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), a[1]}'; }
timeit() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f\n", e - s}'; }

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool | measure | runs | median s | min s |"
echo "|---|---|---|---|---|"
# The machine's noise: a no-op process, and one API round trip to berthd.
noop=() ver=()
for _ in $(seq 10); do noop+=("$(timeit /bin/true)"); ver+=("$(timeit "$bin/berth" version)"); done
echo "| - | no-op (/bin/true; max/min $(printf '%s\n' "${noop[@]}" | sort -n | awk 'NR==1 {m=$1} {x=$1} END {printf "%.1f", (m > 0 ? x / m : 0)}')) | 10 | $(printf '%s\n' "${noop[@]}" | stats) |"
echo "| berth | berth version (one API round trip) | 10 | $(printf '%s\n' "${ver[@]}" | stats) |"
measure() {  # measure TOOLNAME CMD... : up -d and down -t 1 per size
  local tool=$1; shift
  for n in $sizes; do
    gen "$n" "$tmp/c$n.yaml"
    local ups=() downs=()
    for _ in $(seq "$runs"); do
      ups+=("$(timeit "$@" -f "$tmp/c$n.yaml" -p "bench$n" up -d)")
      downs+=("$(timeit "$@" -f "$tmp/c$n.yaml" -p "bench$n" down -t 1)")
    done
    echo "| $tool | up -d N=$n | $runs | $(printf '%s\n' "${ups[@]}" | stats) |"
    echo "| $tool | down -t 1 N=$n | $runs | $(printf '%s\n' "${downs[@]}" | stats) |"
  done
}
measure berth "$bin/berth" compose
gen_chain "$tmp/chain.yaml"
chain=()
for _ in $(seq "$runs"); do
  chain+=("$(timeit "$bin/berth" compose -f "$tmp/chain.yaml" -p chain up -d --wait)")
  "$bin/berth" compose -f "$tmp/chain.yaml" -p chain down -t 1 >/dev/null 2>&1
done
echo "| berth | up -d --wait chain10-healthy | $runs | $(printf '%s\n' "${chain[@]}" | stats) |"
# The same chain with start_interval: checks every 100 ms during the start period.
gen_chain "$tmp/chain-si.yaml" ", start_period: 30s, start_interval: 100ms"
chain=()
for _ in $(seq "$runs"); do
  chain+=("$(timeit "$bin/berth" compose -f "$tmp/chain-si.yaml" -p chainsi up -d --wait)")
  "$bin/berth" compose -f "$tmp/chain-si.yaml" -p chainsi down -t 1 >/dev/null 2>&1
done
echo "| berth | up -d --wait chain10-healthy start_interval 100ms | $runs | $(printf '%s\n' "${chain[@]}" | stats) |"
if [ -n "${DOCKER_HOST_PEER:-}" ] && DOCKER_HOST=$DOCKER_HOST_PEER docker version >/dev/null 2>&1; then
  DOCKER_HOST=$DOCKER_HOST_PEER measure docker-compose docker-compose
else
  echo "| docker-compose | (set DOCKER_HOST_PEER to a running dockerd) | 0 | n/a | n/a |"
fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
