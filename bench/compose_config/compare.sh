#!/bin/bash
# Runs two compose-config tools over the awesome-compose corpus, examples/ and generated
# files, in YAML and JSON (and with a few other config flags), and diffs their output and
# exit codes. Usage: compare.sh OLD_TOOL NEW_TOOL   (exit 0 when every output is identical)
set -u
old=$(realpath "$1") new=$(realpath "$2")
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${CORPUS:-/work/shared/corpus/awesome-compose}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$src/bench/compose_config/gen.py" 10 > "$work/gen10.yaml"
python3 "$src/bench/compose_config/gen.py" 1000 > "$work/gen1000.yaml"
python3 "$src/bench/compose_config/gen.py" 1000 --lean > "$work/lean1000.yaml"
files=()
while IFS= read -r f; do files+=("$f"); done < <(
  { find "$corpus" \( -name 'compose.y*ml' -o -name 'docker-compose.y*ml' \) 2>/dev/null
    ls "$src"/examples/*/compose.yaml; ls "$work"/*.yaml; } | sort)
runs=0 fails=0
check() {  # file, flags...
  local f=$1; shift
  local dir; dir=$(dirname "$f")
  (cd "$dir" && "$old" -f "$(basename "$f")" config "$@" > "$work/o.out" 2> "$work/o.err"; echo "rc=$?" >> "$work/o.err")
  (cd "$dir" && "$new" -f "$(basename "$f")" config "$@" > "$work/n.out" 2> "$work/n.err"; echo "rc=$?" >> "$work/n.err")
  runs=$((runs + 1))
  if ! cmp -s "$work/o.out" "$work/n.out" || ! cmp -s "$work/o.err" "$work/n.err"; then
    fails=$((fails + 1))
    echo "DIFF: $f config $*"
    diff "$work/o.out" "$work/n.out" | head -5
    diff "$work/o.err" "$work/n.err" | head -5
  fi
}
for f in "${files[@]}"; do
  check "$f"
  check "$f" --format json
  check "$f" --no-normalize
  check "$f" --no-normalize --format json
  check "$f" --services
  check "$f" --images
done
for f in "$work/gen10.yaml" "$src/examples/quickstart/compose.yaml"; do
  check "$f" --volumes
  check "$f" --networks
  check "$f" --profiles
  check "$f" --hash '*'
  check "$f" --format yaml2
done
check "$work/gen10.yaml" svc3
check "$work/gen10.yaml" svc3 --format json
check "$work/gen10.yaml" nosuch
echo "$runs runs over ${#files[@]} files, $fails differ"
[ "$fails" = 0 ]
