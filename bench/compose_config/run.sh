#!/usr/bin/env bash
# Benchmark: load + normalize a generated 1,000-service compose file with berth's loader
# (compose-config-tool, the same code as `berth compose config`) and with Debian's
# docker-compose v1 `config`. Installs docker-compose here, never elsewhere.
#   bench/compose_config/run.sh [SERVICES]    (default 1000; LEAN=1 for 8-line services)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000}
build=build
cmake -S . -B "$build" -G Ninja >/dev/null
ninja -C "$build" -j2 compose-config-tool >/dev/null
tool="$PWD/$build/bin/compose-config-tool"

work=$(mktemp -d /tmp/berth-bench-compose.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 bench/compose_config/gen.py "$n" ${LEAN:+--lean} > "$work/compose.yaml"
echo "file: $n services, $(wc -c < "$work/compose.yaml") bytes"

# best wall-clock and best CPU (user+sys) milliseconds of RUNS runs of a command.
ms() { python3 -c 'import sys,time,subprocess,resource
cmd=sys.argv[2:]; runs=int(sys.argv[1]); wall=cpu=1e9
for _ in range(runs):
    r0=resource.getrusage(resource.RUSAGE_CHILDREN); t=time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    w=time.perf_counter()-t; r1=resource.getrusage(resource.RUSAGE_CHILDREN)
    wall=min(wall,w); cpu=min(cpu,(r1.ru_utime-r0.ru_utime)+(r1.ru_stime-r0.ru_stime))
print(f"{wall*1000:.1f} {cpu*1000:.1f}")' "$@"; }

inproc=$(cd "$work" && "$tool" --time 20 -f compose.yaml 2>&1 >/dev/null | sed -n 's/load_project: \([0-9.]*\) ms.*/\1/p')
read -r berth_wall berth_cpu < <(cd "$work" && ms 5 "$tool" -f compose.yaml config)
echo "berth   load_project (in-process, mean of 20, wall): ${inproc} ms"
echo "berth   compose config (whole process, best of 5): wall ${berth_wall} ms, cpu ${berth_cpu} ms"

if ! command -v docker-compose >/dev/null; then
  echo "installing docker-compose (v1) for the comparison..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi
read -r v1_wall v1_cpu < <(cd "$work" && ms 3 docker-compose -f compose.yaml config)
echo "docker-compose v1 config (best of 3): wall ${v1_wall} ms, cpu ${v1_cpu} ms"
python3 -c "print(f'speed-up: wall {$v1_wall/$berth_wall:.1f}x, cpu {$v1_cpu/$berth_cpu:.1f}x')"
