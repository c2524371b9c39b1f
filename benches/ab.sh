#!/usr/bin/env bash
# Before/after for two stancekit binaries on this machine, in one run.
#
# The machines we measure on change speed by up to 1.7x within an hour, so
# two figures taken at different times cannot be compared. This script runs
# the old and the new binary alternately, RUNS times each, and prints the
# median wall time of each with their ratio, for:
#
#   - predict --threads 1 on the generated 10 MB corpus (benches/gen_articles.py);
#   - train on NewsMTSC train, --threads 1 and the default (skipped, with the
#     reason, when ../shared/newsmtsc is absent);
#
# and, when valgrind is installed, the instructions each binary executes for
# predict --threads 1 on 1 MB of the same corpus (repeatable to a few parts
# in a million, unlike wall time). It also checks that both binaries print
# the same predictions on the 10 MB corpus and says whether they differ.
#
# Build both with the dist profile (`cargo build --profile dist`, then
# target/dist/stancekit): fat LTO and one codegen unit, as speed is
# measured and shipped; the default release profile builds faster and runs
# a few percent slower.
#
# Usage: benches/ab.sh OLD_BINARY NEW_BINARY [RUNS]     (default 7)
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: benches/ab.sh OLD_BINARY NEW_BINARY [RUNS]" >&2
  exit 2
fi
old=$1
new=$2
runs=${3:-7}
for b in "$old" "$new"; do
  if [ ! -x "$b" ]; then
    echo "ab: $b is not an executable" >&2
    exit 2
  fi
done
data=${NEWSMTSC_DIR:-../shared/newsmtsc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 benches/gen_articles.py --mb 10 >"$work/ten.jsonl"
python3 benches/gen_articles.py --mb 1 >"$work/one.jsonl"

seconds() {
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.2f-%.2f", lo, hi}'; }

# Prints one table row: the task, old and new medians (with ranges), ratio.
compare() {
  local name=$1
  shift
  local olds=() news=() i
  for i in $(seq "$runs"); do
    olds+=("$(seconds "$old" "$@")")
    news+=("$(seconds "$new" "$@")")
  done
  local mo mn
  mo=$(median "${olds[@]}")
  mn=$(median "${news[@]}")
  printf '| %s | %.3f (%s) | %.3f (%s) | %.2fx |\n' "$name" "$mo" "$(range "${olds[@]}")" \
    "$mn" "$(range "${news[@]}")" "$(echo "$mo / $mn" | bc -l)"
}

printf '\n%s runs each, alternating; seconds, median (range); ratio = old / new\n\n' "$runs"
printf '| command | old | new | speed-up |\n|---|---:|---:|---:|\n'
compare "predict --threads 1, 10 MB" predict --threads 1 "$work/ten.jsonl"
if [ -f "$data/train.jsonl" ]; then
  flags=(--data "$data/train.jsonl" --text-field sentence --target-field mention
    --span-fields from,to --label-field polarity --out "$work/model.json")
  compare "train NewsMTSC, --threads 1" train "${flags[@]}" --threads 1
  compare "train NewsMTSC, default threads" train "${flags[@]}"
else
  echo "ab: skip training rows: $data/train.jsonl not found (NewsMTSC is not in the repo)" >&2
fi

if command -v valgrind >/dev/null; then
  ir() {
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" 2>&1 >/dev/null |
      awk '/Collected/ {print $4}'
  }
  io=$(ir "$old" predict --threads 1 "$work/one.jsonl")
  in=$(ir "$new" predict --threads 1 "$work/one.jsonl")
  printf '\nInstructions, predict --threads 1 on 1 MB (callgrind): old %s, new %s (%+.1f%%)\n' \
    "$io" "$in" "$(echo "($in - $io) * 100 / $io" | bc -l)"
else
  echo "ab: skip instruction counts: valgrind not installed" >&2
fi

"$old" predict --threads 1 "$work/ten.jsonl" >"$work/old.out" 2>/dev/null
"$new" predict --threads 1 "$work/ten.jsonl" >"$work/new.out" 2>/dev/null
if cmp -s "$work/old.out" "$work/new.out"; then
  echo "Output: identical on the 10 MB corpus."
else
  echo "Output: DIFFERS on the 10 MB corpus (compare the two binaries' predict output)."
fi
