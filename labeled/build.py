#!/usr/bin/env python3
"""Builds labeled/{train,dev,test}.jsonl from the authored quote files in
labeled/raw/ (one JSON object per quote with its targets), as GUIDE.md
describes: one row per (quote, target), code-point offsets of the first
occurrence of the mention, and a split by quote decided by the first 8 hex
digits of SHA-256(qid) mod 100 (0-69 train, 70-84 dev, 85-99 test).

labeled/raw/holdout/*.jsonl, written last by writers who saw none of the
other parts, all go to labeled/holdout.jsonl: never trained on, never used
to choose a model, reported beside test.

Deterministic: running it twice gives byte-identical files.
Usage: python3 labeled/build.py
"""
import glob
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def split_of(qid):
    bucket = int(hashlib.sha256(qid.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def rows_of(quote):
    for n, t in enumerate(quote["targets"], start=1):
        row = {
            "id": f"{quote['qid']}-{n}",
            "text": quote["text"],
            "target": t["target"],
            "target_start": None,
            "target_end": None,
            "label": t["label"],
            "sentiment": quote["sentiment"],
            "speaker": quote["speaker"],
            "speaker_party": quote["speaker_party"],
            "topic": quote.get("topic"),
            # Parts 1 to 4 predate the field: they are wire copy.
            "register": quote.get("register", "wire"),
            "hard": ",".join(t.get("hard") or []),
        }
        mention = t.get("mention")
        if mention:
            start = quote["text"].find(mention)
            if start < 0:
                sys.exit(f"{quote['qid']}: mention {mention!r} is not in the text")
            # Python string indices are code points, as the format requires.
            row["target_start"] = start
            row["target_end"] = start + len(mention)
        yield row


def quotes_in(pattern, seen):
    for path in sorted(glob.glob(os.path.join(HERE, "raw", pattern))):
        with open(path, encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    quote = json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"{path}:{line_no}: invalid JSON: {e}")
                if quote["qid"] in seen:
                    sys.exit(f"{path}:{line_no}: duplicate qid {quote['qid']}")
                seen.add(quote["qid"])
                yield quote


def main():
    splits = {"train": [], "dev": [], "test": [], "holdout": []}
    seen = set()
    for quote in quotes_in("*.jsonl", seen):
        splits[split_of(quote["qid"])].extend(rows_of(quote))
    for quote in quotes_in(os.path.join("holdout", "*.jsonl"), seen):
        splits["holdout"].extend(rows_of(quote))
    for name, rows in splits.items():
        if not rows and name == "holdout":
            continue
        with open(os.path.join(HERE, f"{name}.jsonl"), "w", encoding="utf-8", newline="\n") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} rows, {len({r['text'] for r in rows})} quotes")


if __name__ == "__main__":
    main()
