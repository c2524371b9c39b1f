#!/usr/bin/env python3
"""Validate the stancekit test articles against their .expected.json files.

Usage: python3 tests/articles/validate.py   (from anywhere; exits non-zero on failure)

Checks, per article NN_name.txt / NN_name.expected.json:
  * the JSON parses and has the documented shape and enum values;
  * "date" equals the YYYY-MM-DD on the article's first line;
  * every quote "text", every non-null "speaker" and "channel", and every
    "not_quotes" string is an exact substring of the article (read as UTF-8;
    CRLF articles are compared after normalising \r\n to \n);
  * direct and partial quotes sit between quote marks: an opening mark right
    before the text and, unless the quote exercises pattern 4 (stray unclosed
    mark), a closing mark right after it; not_quotes are likewise preceded by
    a quote mark;
  * every double quote mark, opening single curly quote and guillemet in the
    article is accounted for by a listed quote or not_quote (so no quoted
    string is left unannotated);
  * word count is between 250 and 700.
Prints article / quote counts per kind and per pattern.
"""
import collections
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OPEN = {'"', "“", "‘", "'", "«"}
CLOSE = {'"', "”", "’", "'", "»"}
CHECKED_MARKS = {'"', "“", "”", "‘", "«", "»"}  # ’ and ' double as apostrophes
KINDS = {"direct", "partial", "indirect"}
STANCES = {"conciliatory", "critical", "neutral", None}
KEYS = {"text", "kind", "speaker", "speaker_party", "channel", "cue", "targets", "pattern"}

errors = []


def err(name, msg):
    errors.append(f"{name}: {msg}")


def occurrences(hay, needle):
    i = hay.find(needle)
    while i != -1:
        yield i
        i = hay.find(needle, i + 1)


kind_count = collections.Counter()
pattern_count = collections.Counter()
pattern_articles = collections.defaultdict(set)
n_articles = 0
crlf = []
noise_count = collections.Counter()

for txt in sorted(glob.glob(os.path.join(HERE, "[0-9][0-9]_*.txt"))):
    name = os.path.basename(txt)[:-4]
    n_articles += 1
    with open(txt, "rb") as f:
        raw = f.read().decode("utf-8")
    if "\r\n" in raw:
        crlf.append(name)
    art = raw.replace("\r\n", "\n")
    words = len(art.split())
    if not 250 <= words <= 700:
        err(name, f"word count {words} outside 250-700")
    m = re.match(r" date (\d{4}-\d{2}-\d{2})\b", art)
    if not m:
        err(name, "first line does not start with ' date YYYY-MM-DD'")
    jpath = os.path.join(HERE, name + ".expected.json")
    try:
        with open(jpath, encoding="utf-8") as f:
            exp = json.load(f)
    except Exception as e:  # noqa: BLE001
        err(name, f"bad JSON: {e}")
        continue
    if set(exp) != {"date", "quotes", "not_quotes"}:
        err(name, f"top-level keys {sorted(exp)}")
    if m and exp.get("date") != m.group(1):
        err(name, f"date {exp.get('date')} != {m.group(1)}")

    accounted = set()
    for i, qd in enumerate(exp["quotes"]):
        tag = f"quote {i} {qd.get('text', '')[:40]!r}"
        if set(qd) != KEYS:
            err(name, f"{tag}: keys {sorted(qd)}")
            continue
        if qd["kind"] not in KINDS:
            err(name, f"{tag}: kind {qd['kind']}")
        for t in qd["targets"]:
            if set(t) != {"party", "stance"} or t["stance"] not in STANCES or not t["party"]:
                err(name, f"{tag}: bad target {t}")
        pats = qd["pattern"]
        if not all(isinstance(p, str) and p.isdigit() and 1 <= int(p) <= 14 for p in pats):
            err(name, f"{tag}: bad pattern {pats}")
        for field in ("speaker", "channel"):
            v = qd[field]
            if v is not None and v not in art:
                err(name, f"{tag}: {field} {v!r} not in article")
        text = qd["text"]
        occ = list(occurrences(art, text))
        if not occ:
            err(name, f"{tag}: text not an exact substring")
            continue
        kind_count[qd["kind"]] += 1
        for p in pats:
            pattern_count[p] += 1
            pattern_articles[p].add(name[:2])
        if qd["kind"] in ("direct", "partial"):
            ok = False
            for s in occ:
                e = s + len(text)
                before = art[s - 1] if s else ""
                after = art[e] if e < len(art) else ""
                if before in OPEN and (after in CLOSE or "4" in pats):
                    ok = True
                    accounted.update({s - 1, e} if after in CLOSE else {s - 1})
                    accounted.update(s + k for k, ch in enumerate(text) if ch in CHECKED_MARKS)
            if not ok:
                err(name, f"{tag}: not delimited by quote marks")
    for nq in exp["not_quotes"]:
        occ = list(occurrences(art, nq))
        for s in occ[:1]:
            line = art[art.rfind("\n", 0, s) + 1:s]
            if line.startswith("Also read:"):
                noise_count[name[:2]] += 1
            else:
                pattern_count["11"] += 1
                pattern_articles["11"].add(name[:2])
        if not occ:
            err(name, f"not_quote {nq!r} not in article")
        for s in occ:
            if s and art[s - 1] in OPEN:
                accounted.update({s - 1, s + len(nq)})
            else:
                err(name, f"not_quote {nq!r} not preceded by a quote mark")
    for pos, ch in enumerate(art):
        if ch in CHECKED_MARKS and pos not in accounted:
            ctx = art[max(0, pos - 30):pos + 30].replace("\n", "\\n")
            err(name, f"unannotated quote mark {ch!r} at {pos}: ...{ctx}...")

print(f"articles: {n_articles}  (CRLF: {', '.join(crlf) or 'none'})")
print("quotes per kind:", dict(sorted(kind_count.items())), "total", sum(kind_count.values()))
for p in sorted(pattern_count, key=int):
    print(f"  pattern {p:>2}: {pattern_count[p]:>3} quotes in articles {sorted(pattern_articles[p])}")
print(f"  (pattern 11 counts not_quotes outside noise lines; not_quotes inside"
      f" 'Also read:' lines: {sum(noise_count.values())} in {len(noise_count)} articles)")
missing = [str(p) for p in range(1, 15) if len(pattern_articles[str(p)]) < 2]
if missing:
    errors.append(f"patterns covered by fewer than two articles: {missing}")
if errors:
    print("\nFAILED:")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK")
