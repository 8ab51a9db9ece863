#!/bin/sh
# Brings the fixture up, runs checks against it, and always takes it down again.
set -eu
cd "$(dirname "$0")"
berth compose up -d --wait
trap 'berth compose down -v -t 1' EXIT
fail=0
check() { if "$@"; then echo "ok   $*"; else echo "FAIL $*"; fail=1; fi; }
check sh -c 'wget -qO- http://127.0.0.1:18000/ | grep -q hello'
check sh -c 'berth compose exec -T app wget -qO- http://db:5000/ping | grep -q pong'
check sh -c '[ "$(berth compose ps -q | wc -l)" -eq 2 ]'
exit $fail
