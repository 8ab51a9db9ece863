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

# Wall and CPU (user+sys of the tool itself) per run, the tools alternating.
timed() { /usr/bin/time -o "$WORK/time" -f "%e %U %S" "$@" >/dev/null 2>&1; read -r w u s < "$WORK/time"; echo "$w $(echo "$u + $s" | bc)"; }
berth_w=(); berth_c=(); skopeo_w=(); skopeo_c=(); noop_w=(); noop_c=(); fixed_w=(); fixed_c=()
LAYER1="$WORK/img/layer1.tar.gz"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$RUNS"); do
  rm -rf "$WORK/berth" "$WORK/oci"; sync
  read -r w c < <(timed skopeo copy -q --src-tls-verify=false "docker://$REF" "oci:$WORK/oci:big")
  skopeo_w+=("$w"); skopeo_c+=("$c")
  sync  # berth syncs its blobs and layers: do not make it flush skopeo's dirty pages too
  read -r w c < <(timed "$BENCH" pull "$WORK/berth" "$REF")
  berth_w+=("$w"); berth_c+=("$c")
  # Noise rows: a no-op (start-up and scheduling latency) and a fixed single-threaded
  # CPU task (one layer's gunzip: how much the machine's load stretches known work).
  read -r w c < <(timed /bin/true); noop_w+=("$w"); noop_c+=("$c")
  read -r w c < <(timed gzip -dc "$LAYER1"); fixed_w+=("$w"); fixed_c+=("$c")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minimum() { printf '%s\n' "$@" | sort -n | head -1; }
row() { echo "$1  wall median $(median ${!2}) s min $(minimum ${!2}) s  cpu median $(median ${!3}) s  [${!2}]"; }
echo "runs: $RUNS, load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
row "skopeo copy docker:// -> oci: (download+verify)    " 'skopeo_w[*]' 'skopeo_c[*]'
row "berth pull (download+verify+unpack+syncfs)         " 'berth_w[*]' 'berth_c[*]'
row "noise: no-op (/bin/true)                           " 'noop_w[*]' 'noop_c[*]'
row "noise: fixed work (gzip -dc of one 21 MB layer)    " 'fixed_w[*]' 'fixed_c[*]'
