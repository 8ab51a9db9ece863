#!/usr/bin/env bash
# Pull benchmark: a ~100 MB, 4-layer image from a local docker-registry, pulled by
# berth (download + verify + unpack, via berth-image-bench) and by
# `skopeo copy docker://... oci:DIR` (download + verify only) in the same run.
# Usage: bench/image/pull_bench.sh [build-dir] [runs]   (goal: berth not slower)
set -euo pipefail
BUILD=${1:-build}
RUNS=${2:-5}
BENCH=$BUILD/bin/berth-image-bench
[ -x "$BENCH" ] || { echo "build berth-image-bench first: ninja -C $BUILD berth-image-bench" >&2; exit 1; }
command -v skopeo >/dev/null && command -v docker-registry >/dev/null || { echo "needs skopeo and docker-registry (scripts/setup)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/berth-pull-bench.XXXXXX)
REG_PID=""
cleanup() {
  if [ -n "$REG_PID" ]; then kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $WORK/registry}}
http: {addr: 127.0.0.1:$PORT}
YML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done

# Four layers of 25 MB: half random (incompressible), half text, like real images.
mkdir -p "$WORK/img"
diff_ids=()
layers=()
for i in 1 2 3 4; do
  d="$WORK/layer$i"; mkdir -p "$d/data$i"
  head -c 12500000 /dev/urandom > "$d/data$i/random.bin"
  for j in $(seq 40); do base64 -w 100 < <(head -c 230000 /dev/urandom) > "$d/data$i/text$j.txt"; done
  tar -C "$d" -cf "$WORK/img/layer$i.tar" .
  diff_ids+=("\"sha256:$(sha256sum "$WORK/img/layer$i.tar" | cut -d' ' -f1)\"")
  gzip -1 "$WORK/img/layer$i.tar"
  layers+=("\"layer$i.tar.gz\"")
done
ids=$(IFS=,; echo "${diff_ids[*]}")
ls=$(IFS=,; echo "${layers[*]}")
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$ids" > "$WORK/img/config.json"
printf '[{"Config":"config.json","RepoTags":["bench/big:1"],"Layers":[%s]}]' "$ls" > "$WORK/img/manifest.json"
tar -C "$WORK/img" -cf "$WORK/image.tar" .
REF=127.0.0.1:$PORT/bench/big:1
"$BENCH" load-push "$WORK/seed" "$WORK/image.tar" "$REF" 2>/dev/null
echo "image: $(du -sh "$WORK/registry" | cut -f1) in the registry, 4 layers"

now() { date +%s.%N; }
berth_times=(); skopeo_times=()
for r in $(seq "$RUNS"); do
  rm -rf "$WORK/berth" "$WORK/oci"; sync
  t0=$(now); skopeo copy -q --src-tls-verify=false "docker://$REF" "oci:$WORK/oci:big" >/dev/null; t1=$(now)
  skopeo_times+=("$(echo "$t1 - $t0" | bc)")
  sync  # berth fsyncs its blobs: do not make it flush skopeo's dirty pages too
  t0=$(now); "$BENCH" pull "$WORK/berth" "$REF" >/dev/null 2>&1; t1=$(now)
  berth_times+=("$(echo "$t1 - $t0" | bc)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "runs: $RUNS"
echo "skopeo copy docker:// -> oci: (download+verify)        median $(median "${skopeo_times[@]}") s  [${skopeo_times[*]}]"
echo "berth pull (download+verify+unpack)                    median $(median "${berth_times[@]}") s  [${berth_times[*]}]"
