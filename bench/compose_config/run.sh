#!/usr/bin/env bash
# Benchmark: load + normalize a generated 1,000-service compose file with berth's loader
# (compose-config-tool, the same code as `berth compose config`) and with Debian's
# docker-compose v1 `config`. Installs docker-compose here, never elsewhere.
#   bench/compose_config/run.sh [SERVICES]    (default 1000)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000}
build=build
cmake -S . -B "$build" -G Ninja >/dev/null
ninja -C "$build" -j2 compose-config-tool >/dev/null
tool="$PWD/$build/bin/compose-config-tool"

work=$(mktemp -d /tmp/berth-bench-compose.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 bench/compose_config/gen.py "$n" > "$work/compose.yaml"
echo "file: $n services, $(wc -c < "$work/compose.yaml") bytes"

ms() { python3 -c 'import sys,time,subprocess
cmd=sys.argv[2:]; runs=int(sys.argv[1]); best=1e9
for _ in range(runs):
    t=time.perf_counter(); subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL); best=min(best,time.perf_counter()-t)
print(f"{best*1000:.1f}")' "$@"; }

inproc=$(cd "$work" && "$tool" --time 20 -f compose.yaml 2>&1 >/dev/null | sed -n 's/load_project: \([0-9.]*\) ms.*/\1/p')
berth_ms=$(cd "$work" && ms 5 "$tool" -f compose.yaml config)
echo "berth   load_project (in-process, mean of 20): ${inproc} ms"
echo "berth   compose config (whole process, best of 5): ${berth_ms} ms"

if ! command -v docker-compose >/dev/null; then
  echo "installing docker-compose (v1) for the comparison..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi
v1_ms=$(cd "$work" && ms 3 docker-compose -f compose.yaml config)
echo "docker-compose v1 config (best of 3): ${v1_ms} ms"
python3 -c "print(f'speed-up (whole process): {float(\"$v1_ms\")/float(\"$berth_ms\"):.1f}x')"
