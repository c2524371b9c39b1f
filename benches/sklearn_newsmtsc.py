"""scikit-learn reference for `stancekit train` on NewsMTSC: TF-IDF (1-2 grams,
min_df=2, sublinear tf) + balanced multinomial logistic regression (C=1).
Prints one JSON line: fit seconds (vectoriser + classifier), dev macro-F1,
peak RSS. Data loading is outside the timed region."""
import json, sys, time, resource

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline


def load(path):
    xs, ys = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            xs.append(r["sentence"])
            ys.append(str(r["polarity"]))
    return xs, ys


def main():
    train_path, dev_path = sys.argv[1], sys.argv[2]
    xtr, ytr = load(train_path)
    xdev, ydev = load(dev_path)
    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=1, class_weight="balanced", max_iter=1000),
    )
    t0 = time.perf_counter()
    pipe.fit(xtr, ytr)
    fit_s = time.perf_counter() - t0
    pred = pipe.predict(xdev)
    f1 = f1_score(ydev, pred, average="macro")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tool": "scikit-learn", "fit_seconds": fit_s, "dev_macro_f1": f1, "peak_rss_mb": rss_mb}))


if __name__ == "__main__":
    main()
