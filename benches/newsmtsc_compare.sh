#!/usr/bin/env bash
# Trains on NewsMTSC train and scores NewsMTSC dev with stancekit and with the
# scikit-learn pipeline the issue names (TfidfVectorizer(ngram_range=(1,2),
# min_df=2, sublinear_tf=True) + LogisticRegression(C=1, balanced,
# max_iter=1000)), alternating runs in one go on the same machine, and prints
# median train times, their ratio and dev macro-F1 on both sides.
#
# stancekit's headline time is the whole `stancekit train` command (process
# start, reading the JSONL, featurising, optimising, writing the model file);
# scikit-learn's is only pipe.fit() (data already in memory), so that ratio
# is conservative. The like-for-like ratio is also printed: stancekit's
# featurise + optimise time (printed by `train`) against pipe.fit().
#
# Usage: benches/newsmtsc_compare.sh [RUNS]   (needs ../shared/newsmtsc)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
data=${NEWSMTSC_DIR:-../shared/newsmtsc}
if [ ! -f "$data/train.jsonl" ]; then
  echo "skip: $data/train.jsonl not found (NewsMTSC is for measurement only and not in the repo)"
  exit 0
fi
venv=${BENCH_VENV:-target/bench-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sklearn" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q scikit-learn
fi
cargo build --release -q
bin=${CARGO_TARGET_DIR:-target}/release/stancekit
model=$(mktemp -d)/newsmtsc.json
flags=(--data "$data/train.jsonl" --text-field sentence --target-field mention
       --span-fields from,to --label-field polarity --out "$model")
fit_of() { sed -n 's/^featurised in \([0-9.]*\)s, optimised in \([0-9.]*\)s$/\1 \2/p' "$1" | awk '{print $1 + $2}'; }
err=$(mktemp)
ours=(); fits=(); theirs=(); sk_f1=""
for i in $(seq "$runs"); do
  s=$(date +%s.%N); "$bin" train "${flags[@]}" 2>"$err"; e=$(date +%s.%N)
  ours+=("$(echo "$e - $s" | bc -l)")
  fits+=("$(fit_of "$err")")
  line=$("$venv/bin/python" benches/sklearn_newsmtsc.py "$data/train.jsonl" "$data/dev.jsonl")
  theirs+=("$("$venv/bin/python" -c 'import json,sys; print(json.loads(sys.argv[1])["fit_seconds"])' "$line")")
  sk_f1=$("$venv/bin/python" -c 'import json,sys; print(json.loads(sys.argv[1])["dev_macro_f1"])' "$line")
  sk_rss=$("$venv/bin/python" -c 'import json,sys; print(json.loads(sys.argv[1])["peak_rss_mb"])' "$line")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
our_t=$(median "${ours[@]}"); our_fit=$(median "${fits[@]}"); sk_t=$(median "${theirs[@]}")
our_f1=$("$bin" eval --model "$model" --data "$data/dev.jsonl" --text-field sentence --target-field mention \
  --span-fields from,to --label-field polarity --format json | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["macro_f1"])')
our_rss=$( { /usr/bin/time -f '%M' "$bin" train "${flags[@]}" 2>&1 >/dev/null; } | tail -1)
printf '\nNewsMTSC train (%s runs each, medians), dev macro-F1 on NewsMTSC dev\n\n' "$runs"
printf '| tool | train seconds | peak RSS MB | dev macro-F1 |\n|---|---:|---:|---:|\n'
printf '| stancekit train (whole command) | %.3f | %.0f | %.4f |\n' "$our_t" "$(echo "$our_rss / 1024" | bc -l)" "$our_f1"
printf '| stancekit featurise + optimise | %.3f | | |\n' "$our_fit"
printf '| scikit-learn fit (in-process) | %.3f | %.0f | %.4f |\n' "$sk_t" "$sk_rss" "$sk_f1"
printf '\nspeed-up: %.2fx whole command, %.2fx featurise + optimise (scikit-learn fit time / stancekit time)\n' \
  "$(echo "$sk_t / $our_t" | bc -l)" "$(echo "$sk_t / $our_fit" | bc -l)"
