#!/bin/bash
# Runtime lifecycle benchmark, berth beside crun in the same run (root):
#   berth: create + start + wait + delete of /bin/true in a busybox rootfs through berth-shim
#          (bench/runtime/lifecycle_bench.cc: new pid/mount/uts/ipc/net namespaces, read-only root,
#          a cgroup, default capabilities and seccomp), one process per run like `crun run`;
#   crun:  `crun run` of an OCI bundle made from the same rootfs (`crun spec`, /bin/true, read-only root).
# Debian's crun 1.8 refuses hybrid cgroups, so it runs in a private mount namespace with
# /sys/fs/cgroup/unified unmounted (as /work/shared/peers does); that wrapper's own cost is measured
# too and reported both ways. Also: berth-shim's RSS/PSS per running container.
# Usage: bench/runtime/bench.sh [BUILD_DIR]     needs: crun hyperfine (apt-get install crun hyperfine)
# Knobs: RUNS (hyperfine runs, default 100), INPROC (in-process runs, default 200), RSS_N (default 10),
# SKIP_BUILD=1 (run BUILD_DIR's binaries as they are, e.g. another checkout's build for a before/after).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$SRC/build}" && pwd)
RUNS=${RUNS:-100}; INPROC=${INPROC:-200}; RSS_N=${RSS_N:-10}
for t in crun hyperfine busybox python3; do command -v $t >/dev/null || { echo "bench: $t not found" >&2; exit 2; }; done
[ -n "${SKIP_BUILD:-}" ] || ninja -C "$B" berth-shim berth-shim-monitor berth-runtime-bench >/dev/null
W=$(mktemp -d /tmp/berth-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT

# The busybox rootfs, shared by both.
R=$W/bundle/rootfs
mkdir -p $R/{bin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox $R/bin/busybox
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox $R/bin/$a; done
echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
(cd $W/bundle && crun spec && python3 - <<'PY'
import json
c = json.load(open('config.json'))
c['process'].update(terminal=False, args=['/bin/true'], env=['PATH=/bin'])
c['root'] = {'path': 'rootfs', 'readonly': True}
json.dump(c, open('config.json', 'w'), indent=1)
PY
)
cat > $W/crun-nounified <<'SH'
#!/bin/sh
exec unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun "$@"
SH
chmod +x $W/crun-nounified
CRUN="$W/crun-nounified"
[ -d /sys/fs/cgroup/unified ] || CRUN=crun   # not a hybrid host: plain crun

BERTH="$B/bin/berth-runtime-bench --rootfs $R --state $W/state --runs 1"
$BERTH && $CRUN run -b $W/bundle bench-smoke || { echo "bench: smoke run failed" >&2; exit 1; }

echo "== lifecycle of /bin/true, hyperfine -N, $RUNS runs each (median)"
hyperfine -N -w 5 -r "$RUNS" --export-json $W/hf.json \
  -n berth "$BERTH" \
  -n crun "$CRUN run -b $W/bundle bench-crun" \
  -n crun-wrapper-only "unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec true'" \
  > $W/hf.log 2>&1 || { cat $W/hf.log; exit 1; }
python3 - $W/hf.json <<'PY'
import json, sys
r = {x['command']: x for x in json.load(open(sys.argv[1]))['results']}
med = {k: v['median'] for k, v in r.items()}
for k, v in r.items():
    print(f"  {k:18s} median {v['median']*1000:7.2f} ms  min {v['min']*1000:7.2f} ms  max {v['max']*1000:7.2f} ms")
b, c, w = med['berth'], med['crun'], med['crun-wrapper-only']
print(f"  ratio berth/crun (wrapper included)  {b / c:.2f}")
print(f"  ratio berth/crun (wrapper subtracted) {b / max(c - w, 1e-6):.2f}")
PY
echo "== in-process lifecycle (LinuxRuntime in one process, $INPROC runs)"
"$B/bin/berth-runtime-bench" --rootfs $R --state $W/state --runs "$INPROC" | sed 's/^/  /'
echo "== berth-shim memory per running container ($RSS_N sleeping containers)"
"$B/bin/berth-runtime-bench" --rootfs $R --state $W/state --rss "$RSS_N" | sed 's/^/  /'
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg) (numbers are only comparable within one run)"
