"""fastText reference for `stancekit train` on NewsMTSC: supervised fastText
(word 1-2-grams, 25 epochs, lr 0.5, softmax loss, 1 thread so it matches the
other single-run peers) on the lower-cased sentence with the target mention
wrapped in markers. Prints one JSON line: train seconds (writing the training
file + fit), dev macro-F1, peak RSS."""
import json, os, re, resource, sys, tempfile, time

import fasttext


def load(path):
    xs, ys = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            s, a, b = r["sentence"], r["from"], r["to"]
            text = s[:a] + " <t> " + s[a:b] + " </t> " + s[b:]
            xs.append(re.sub(r"\s+", " ", text.lower()).strip())
            ys.append(str(r["polarity"]))
    return xs, ys


def macro_f1(gold, pred):
    labels = sorted(set(gold))
    f1s = []
    for l in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == l and p == l)
        fp = sum(1 for g, p in zip(gold, pred) if g != l and p == l)
        fn = sum(1 for g, p in zip(gold, pred) if g == l and p != l)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s)


def main():
    threads = int(os.environ.get("FASTTEXT_THREADS", "1"))
    xtr, ytr = load(sys.argv[1])
    xdev, ydev = load(sys.argv[2])
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "train.txt")
        t0 = time.perf_counter()
        with open(path, "w", encoding="utf-8") as f:
            for x, y in zip(xtr, ytr):
                f.write(f"__label__{y} {x}\n")
        model = fasttext.train_supervised(path, wordNgrams=2, epoch=25, lr=0.5, dim=50,
                                          minCount=1, thread=threads, verbose=0, seed=1)
        secs = time.perf_counter() - t0
    pred = [model.predict(x)[0][0].replace("__label__", "") for x in xdev]
    print(json.dumps({"tool": "fastText", "fit_seconds": secs, "dev_macro_f1": macro_f1(ydev, pred),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
