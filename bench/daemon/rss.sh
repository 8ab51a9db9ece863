#!/usr/bin/env bash
# berthd's resident memory: idle, then with 10 sleeping containers (daemon and shims
# apart), beside dockerd + containerd when they are running. Prints a Markdown table.
# Run as root from the repository after `ninja -C build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BERTH_BIN:-build/bin}
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

. bench/private_berthd.sh
pid=$(cat "$tmp/root/berthd.pid")
idle=$(rss_kib "$pid")

# 10 containers.
for i in $(seq 10); do $bin/berth run -d busybox sleep 600 >/dev/null; done
sleep 1
busy=$(rss_kib "$pid")
shims=0
for p in $(pgrep -f "berth-shim" || true); do shims=$((shims + $(rss_kib "$p" || echo 0))); done

echo "| what | RSS MiB |"
echo "|---|---|"
echo "| berthd idle | $(mib "$idle") |"
echo "| berthd with 10 containers | $(mib "$busy") |"
echo "| berth-shim, all 10 | $(mib "$shims") |"
echo "| berth-shim, per container | $(mib $((shims / 10))) |"
if pid_d=$(pgrep -x dockerd); then
  d=$(rss_kib "$pid_d"); c=0
  pid_c=$(pgrep -x containerd || true); [ -n "$pid_c" ] && c=$(rss_kib "$pid_c")
  echo "| dockerd + containerd idle (peer) | $(mib $((d + c))) |"
else
  echo "| dockerd + containerd idle (peer) | n/a (not running) |"
fi
