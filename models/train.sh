#!/usr/bin/env bash
# Trains the shipped models from labeled/ exactly as committed. Alpha is
# chosen on labeled/dev.jsonl (from --alpha-grid); the result is
# deterministic, so rerunning reproduces models/*.json byte for byte.
# Usage: bash models/train.sh [OUT_DIR]   (default: models/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-models}
mkdir -p "$out"
cargo build --release -q
bin=${CARGO_TARGET_DIR:-target}/release/stancekit
# Stance settings chosen on labeled/dev.jsonl (labeled/EXPERIMENTS.md).
"$bin" train --task stance --data labeled/train.jsonl --dev labeled/dev.jsonl --min-df 1 --lexicon \
  --clause-scope --alpha-grid 0.03,0.06,0.125,0.25,0.5 --out "$out/stance.json"
"$bin" train --task sentiment --data labeled/train.jsonl --dev labeled/dev.jsonl --min-df 1 --out "$out/sentiment.json"
