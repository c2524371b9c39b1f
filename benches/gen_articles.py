"""Writes JSON Lines articles ({"id", "text"}) to stdout: the project's test
articles (tests/articles/*.txt) repeated in name order until at least
--mb megabytes of article text have been written. Streams, so a 1 GB run
needs no disk. Prints nothing else; the byte and article counts go to
--stats FILE when given (text bytes, articles)."""
import argparse, glob, json, os, sys

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, required=True)
    ap.add_argument("--stats")
    a = ap.parse_args()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    arts = [open(p, encoding="utf-8").read() for p in sorted(glob.glob(os.path.join(root, "tests/articles/*.txt")))]
    goal = int(a.mb * 1e6)
    out = sys.stdout
    text_bytes = n = 0
    try:
        while text_bytes < goal:
            chunk = []
            for t in arts:
                chunk.append(json.dumps({"id": f"a{n}", "text": t}))
                text_bytes += len(t.encode("utf-8"))
                n += 1
            out.write("\n".join(chunk) + "\n")
        out.flush()
    except BrokenPipeError:
        pass
    if a.stats:
        with open(a.stats, "w") as f:
            f.write(f"{text_bytes} {n}\n")

if __name__ == "__main__":
    main()
