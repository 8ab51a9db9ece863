#!/usr/bin/env bash
# Network benchmarks (root): attach latency (median, goal < 5 ms) and embedded DNS
# queries/second from inside a namespace (goal >= 20,000/s).
# Usage: bench/net/run.sh [build-dir] [attach-count]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
count="${2:-50}"
ninja -C "$build" -j2 berth_net >/dev/null
out="$build/bench/net_bench"
mkdir -p "$(dirname "$out")"
g++ -std=c++20 -O2 -I"$root" $(pkg-config --cflags libnl-route-3.0) "$root/bench/net/net_bench.cc" \
  "$build/net/libberth_net.a" "$build/engine/base/libberth_base.a" \
  $(pkg-config --libs libnl-route-3.0 libnftables) -lcrypto -pthread -o "$out"
exec "$out" "$count"
