#!/usr/bin/env bash
# Trains the shipped models from labeled/ exactly as committed. Alpha is
# chosen on labeled/dev.jsonl (from --alpha-grid); the result is
# deterministic, so rerunning reproduces models/*.json byte for byte.
#
# The stance model also learns from NewsMTSC train (real news sentences
# labelled for sentiment toward a target; MIT licence) as auxiliary data:
# weight 1 per row and its own copy of every feature, the 130,000 most
# frequent features of both kept (labeled/EXPERIMENTS.md,
# 2026-12-07). NewsMTSC is not in the repository: it is read from
# $NEWSMTSC_DIR (default ../shared/newsmtsc) and converted by
# models/newsmtsc_aux.py into target/aux/ (a fixed path, because the model
# records the file it read).
#
# Usage: bash models/train.sh [OUT_DIR]   (default: models/)
#   SKIP_STANCE_WITHOUT_NEWSMTSC=1  train only the sentiment model when
#                                   NewsMTSC is absent (CI), instead of failing
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-models}
mkdir -p "$out"
cargo build --release -q
bin=${CARGO_TARGET_DIR:-target}/release/stancekit
newsmtsc=${NEWSMTSC_DIR:-../shared/newsmtsc}
if [ -f "$newsmtsc/train.jsonl" ]; then
  mkdir -p target/aux
  python3 models/newsmtsc_aux.py "$newsmtsc/train.jsonl" > target/aux/newsmtsc-train.jsonl
  # Stance settings chosen on labeled/dev.jsonl and NewsMTSC dev
  # (labeled/EXPERIMENTS.md).
  "$bin" train --task stance --data labeled/train.jsonl --dev labeled/dev.jsonl --min-df 1 --lexicon \
    --clause-scope --alpha-grid 0.03,0.06,0.125,0.25,0.5 \
    --aux target/aux/newsmtsc-train.jsonl --aux-weight 1 --max-features 130000 --out "$out/stance.json"
elif [ "${SKIP_STANCE_WITHOUT_NEWSMTSC:-}" = 1 ]; then
  echo "models/train.sh: stance model not trained: $newsmtsc/train.jsonl not found (it is auxiliary data kept outside the repo)" >&2
else
  echo "models/train.sh: the stance model needs NewsMTSC train as auxiliary data: $newsmtsc/train.jsonl not found (set NEWSMTSC_DIR)" >&2
  exit 2
fi
"$bin" train --task sentiment --data labeled/train.jsonl --dev labeled/dev.jsonl --min-df 1 --out "$out/sentiment.json"
