#!/usr/bin/env bash
# berthd's resident memory: idle, then with 10 sleeping containers (daemon and shims
# apart), beside dockerd + containerd when they are running. Prints a Markdown table.
# Run as root from the repository after `ninja -C build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/bin
tmp=$(mktemp -d /tmp/berth-rss-XXXXXX)
host="unix://$tmp/b.sock"
tag="bb$$"
cleanup() {
  BERTH_HOST=$host $bin/berth rm -f $(BERTH_HOST=$host $bin/berth ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  [ -f "$tmp/root/berthd.pid" ] && kill "$(cat "$tmp/root/berthd.pid")" 2>/dev/null || true
  sleep 0.5
  ip link del "$tag" 2>/dev/null || true
  nft delete table ip "$tag" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

$bin/berthd --root "$tmp/root" --host "$host" --exec-root "$tmp/run" --bridge "$tag" --nft-table "$tag" \
  >"$tmp/berthd.log" 2>&1 &
for _ in $(seq 100); do curl -s --unix-socket "$tmp/b.sock" http://x/_ping >/dev/null 2>&1 && break; sleep 0.05; done
pid=$(cat "$tmp/root/berthd.pid")
idle=$(rss_kib "$pid")

# A busybox image, then 10 containers.
rootfs="$tmp/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
cp /bin/busybox "$rootfs/bin/"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"; done
tar -C "$rootfs" -cf "$tmp/bb.tar" .
curl -s --unix-socket "$tmp/b.sock" -X POST --data-binary @"$tmp/bb.tar" \
  "http://x/images/create?fromSrc=-&repo=busybox&tag=latest" >/dev/null
for i in $(seq 10); do BERTH_HOST=$host $bin/berth run -d busybox sleep 600 >/dev/null; done
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
