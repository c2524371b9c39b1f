#!/usr/bin/env python3
"""NewsMTSC rows as stancekit auxiliary training data for the stance model.

NewsMTSC (Hamborg and Donnay 2021, MIT licence) labels the sentiment a news
sentence expresses toward a target mention as -1, 0 or 1. Read as stance,
-1 is critical, 0 neutral and 1 conciliatory. Each row keeps the sentence,
the mention as the target and its character span (as stancekit's labelled
data has it). The rows are written in input order, so the output is the
same on every run.

Usage: python3 models/newsmtsc_aux.py NEWSMTSC/train.jsonl > OUT.jsonl
"""
import json
import sys

STANCE = {-1: "critical", 0: "neutral", 1: "conciliatory"}


def main(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            r = json.loads(line)
            text = r["sentence"]
            row = {
                "id": f"newsmtsc-{n}",
                "text": text,
                "target": r["mention"],
                "target_start": r["from"],
                "target_end": r["to"],
                "label": STANCE[int(r["polarity"])],
            }
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1])
