#!/bin/sh
# Imports a busybox-static root filesystem as berth-busybox:latest (offline).
# Usage: make-busybox-image.sh [image]   (BERTH_HOST selects the daemon socket)
set -eu
image=${1:-berth-busybox:latest}
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "make-busybox-image: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/tmp" "$tmp/rootfs/data" "$tmp/rootfs/www"
cp "$busybox" "$tmp/rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$tmp/rootfs/bin/$applet"
done
tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
if berth import "$tmp/rootfs.tar" "$image" >/dev/null 2>&1; then
  echo "imported $image"
else
  # The Engine API import (POST /images/create?fromSrc=-), as `docker import` sends it.
  host=${BERTH_HOST:-unix:///run/berth/berth.sock}
  repo=${image%:*}
  tag=${image##*:}
  curl -fsS --unix-socket "${host#unix://}" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary @"$tmp/rootfs.tar" "http://berth/images/create?fromSrc=-&repo=$repo&tag=$tag" >/dev/null
  echo "imported $image"
fi
