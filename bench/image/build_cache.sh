#!/usr/bin/env bash
# Cached rebuild: `berth build` of a 10-step Dockerfile whose every step is in the cache
# (goal: under 100 ms end to end), beside `docker build` on dockerd when DOCKER_HOST_PEER
# answers (../shared/peers/ sets one up), plus `berth version` as the round-trip floor.
# Run as root from the repository after `ninja -C build`. Prints a Markdown table.
# Usage: bench/image/build_cache.sh   (RUNS=N, BERTH_BIN=dir)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-30}
bin=${BERTH_BIN:-$PWD/build/bin}
command -v hyperfine >/dev/null || { echo "needs hyperfine (scripts/setup)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/berth-buildbench-XXXXXX)
tag="bb$$"
export BERTH_HOST="unix://$tmp/b.sock"
cleanup() {
  [ -f "$tmp/root/berthd.pid" ] && kill "$(cat "$tmp/root/berthd.pid")" 2>/dev/null || true
  for _ in $(seq 50); do [ -S "$tmp/b.sock" ] || break; sleep 0.1; done
  ip link del "$tag" 2>/dev/null || true
  nft delete table ip "$tag" 2>/dev/null || true
  if [ -n "${DOCKER_HOST_PEER:-}" ]; then DOCKER_HOST=$DOCKER_HOST_PEER docker rmi -f "berth-bench/cached:$tag" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
"$bin/berthd" --root "$tmp/root" --host "$BERTH_HOST" --exec-root "$tmp/run" --bridge "$tag" --nft-table "$tag" \
  >"$tmp/berthd.log" 2>&1 &
for _ in $(seq 100); do "$bin/berth" version >/dev/null 2>&1 && break; sleep 0.05; done
PATH="$bin:$PATH" examples/make-busybox-image.sh busybox:latest >/dev/null

# The context: a few source files (~1 MB) and a 10-step Dockerfile.
ctx=$tmp/ctx
mkdir -p "$ctx/src" "$ctx/conf"
for i in $(seq 20); do head -c 50000 /dev/urandom | base64 > "$ctx/src/file$i.txt"; done
echo "key=value" > "$ctx/conf/app.conf"
cat > "$ctx/Dockerfile" <<'DF'
FROM busybox:latest
ARG VERSION=1.0
ENV APP_VERSION=$VERSION
WORKDIR /app
RUN echo "building $APP_VERSION" > /app/version.txt
COPY conf/ /etc/app/
COPY src/ /app/src/
RUN ls /app/src | wc -l > /app/count.txt
LABEL org.example.version=$VERSION
CMD ["cat", "/app/version.txt"]
DF
"$bin/berth" build -q -t "berth-bench/cached:$tag" "$ctx" >/dev/null   # fill the cache

table() {  # table JSON...: one Markdown row per hyperfine result (ms)
  python3 - "$@" <<'PY'
import json, sys
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        t = [x * 1000 for x in r["times"]]
        print(f"| {r['command']} | {len(t)} | {r['median']*1000:.1f} | {min(t):.1f} | {max(t):.1f} |")
PY
}
echo "machine: $(nproc) cores, $(uname -r)"
echo
echo "| command | runs | median ms | min ms | max ms |"
echo "|---|---|---|---|---|"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/berth.json" \
  -n "berth version (round-trip floor)" "$bin/berth version" \
  -n "berth build (10 steps, all cached)" "$bin/berth build -q -t berth-bench/cached:$tag $ctx" >/dev/null 2>&1
table "$tmp/berth.json"
if [ -n "${DOCKER_HOST_PEER:-}" ] && DOCKER_HOST=$DOCKER_HOST_PEER docker version >/dev/null 2>&1; then
  DOCKER_HOST=$DOCKER_HOST_PEER docker build -q -t "berth-bench/cached:$tag" "$ctx" >/dev/null
  DOCKER_HOST=$DOCKER_HOST_PEER hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/docker.json" \
    -n "docker build (10 steps, all cached)" "docker build -q -t berth-bench/cached:$tag $ctx" >/dev/null 2>&1
  table "$tmp/docker.json"
else
  echo "| docker build (10 steps, all cached) | 0 | n/a (set DOCKER_HOST_PEER to a running dockerd) | | |"
fi
