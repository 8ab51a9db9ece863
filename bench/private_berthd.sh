# Sourced by the benchmarks (from the repository root): starts a berthd of their own (unique
# bridge, nft table and root under a temporary directory; socket $tmp/b.sock, exported as
# BERTH_HOST), imports busybox:latest, and removes everything at exit. Uses $bin (the
# binaries); sets $tmp; BERTHD_ARGS adds daemon flags; LOG=file keeps the daemon's log; a
# function bench_cleanup, when the script defines one, runs first at exit.
tmp=$(mktemp -d /tmp/berth-bench-XXXXXX)
tag="bb$$"
export BERTH_HOST="unix://$tmp/b.sock"
cleanup() {
  if declare -F bench_cleanup >/dev/null; then bench_cleanup || true; fi
  "$bin/berth" rm -f $("$bin/berth" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  "$bin/berth" network prune -f >/dev/null 2>&1 || true
  [ -f "$tmp/root/berthd.pid" ] && kill "$(cat "$tmp/root/berthd.pid")" 2>/dev/null || true
  sleep 0.5
  ip link del "$tag" 2>/dev/null || true
  nft delete table ip "$tag" 2>/dev/null || true
  if [ -n "${LOG:-}" ]; then cp "$tmp/berthd.log" "$LOG"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
"$bin/berthd" --root "$tmp/root" --host "$BERTH_HOST" --exec-root "$tmp/run" --bridge "$tag" --nft-table "$tag" \
  ${BERTHD_ARGS:-} >"$tmp/berthd.log" 2>&1 &
for _ in $(seq 100); do "$bin/berth" version >/dev/null 2>&1 && break; sleep 0.05; done
PATH="$bin:$PATH" examples/make-busybox-image.sh busybox:latest >/dev/null
