#!/usr/bin/env bash
# Network benchmarks (root; build first with `ninja -C build`): attach latency against the same
# steps with ip(8), and embedded-DNS queries/second from inside a namespace. Markdown table.
# Peers: docker's/podman's DNS need their daemons' networks; reported n/a (starting dockerd
# rewrites the host firewall, so this script never does it).
# Usage: bench/net/run.sh [build-dir] [attaches-per-run] [runs]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
exec "$build/bench/berth-net-bench" "${2:-30}" "${3:-5}"
