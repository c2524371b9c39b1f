#!/usr/bin/env bash
# Does work grow with the article's length, not its square? Times extract
# and predict (--threads 1) on one run-on line at SIZES KB, for three kinds
# of line that once took quadratic time:
#   quotes  `Xi said "China welcomes Russia" and ` repeated (many partial
#           quotes in one sentence),
#   open    `Putin said "Russia ` repeated (quote marks that never close),
#   report  `Officials said the deal, which Russia and China signed, would
#           help trade and ` repeated (one endless reported clause).
# Prints a Markdown table with seconds per size and the ratio of the largest
# size's time to the smallest's beside the size ratio: linear work gives a
# time ratio near the size ratio, quadratic work its square. Exits 1 when a
# time ratio exceeds twice the size ratio (plus a 0.2 s floor for start-up).
#
# Usage: benches/long_lines.sh [SIZES]     (default "100 200 400", KB)
#   STANCEKIT=path/to/stancekit benches/long_lines.sh   time another build
set -uo pipefail
cd "$(dirname "$0")/.."
sizes=(${1:-100 200 400})
target_dir=${CARGO_TARGET_DIR:-target}
if [ -n "${STANCEKIT:-}" ]; then
  bin=$STANCEKIT
else
  cargo build --release -q || exit 2
  bin=$target_dir/release/stancekit
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A units=(
  [quotes]='Xi said "China welcomes Russia" and '
  [open]='Putin said "Russia '
  [report]='Officials said the deal, which Russia and China signed, would help trade and '
)
seconds() { # command... -> wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
first=${sizes[0]}
last=${sizes[${#sizes[@]}-1]}
size_ratio=$(echo "$last / $first" | bc -l)
printf '| line | command |'; for s in "${sizes[@]}"; do printf ' %s KB |' "$s"; done; printf ' time ratio (size ratio %.0f) |\n' "$size_ratio"
printf '|---|---|'; for _ in "${sizes[@]}"; do printf -- '---:|'; done; printf -- '---:|\n'
status=0
for kind in quotes open report; do
  unit=${units[$kind]}
  for s in "${sizes[@]}"; do
    python3 -c "import sys; u=sys.argv[1]; n=int(sys.argv[2])*1024; sys.stdout.write((u*(n//len(u)+1))[:n])" "$unit" "$s" >"$work/$kind-$s.txt"
  done
  for cmd in extract predict; do
    declare -a ts=()
    for s in "${sizes[@]}"; do
      if [ "$cmd" = predict ]; then
        ts+=("$(seconds "$bin" predict --threads 1 "$work/$kind-$s.txt")")
      else
        ts+=("$(seconds "$bin" extract "$work/$kind-$s.txt")")
      fi
    done
    ratio=$(echo "(${ts[${#ts[@]}-1]} + 0.2) / (${ts[0]} + 0.2)" | bc -l)
    printf '| %s | %s |' "$kind" "$cmd"; for t in "${ts[@]}"; do printf ' %.2f |' "$t"; done; printf ' %.2f |\n' "$ratio"
    if (( $(echo "$ratio > 2 * $size_ratio" | bc -l) )); then
      echo "  $kind/$cmd: time grows faster than the length (ratio $ratio for sizes x$size_ratio)" >&2
      status=1
    fi
    unset ts
  done
done
exit $status
