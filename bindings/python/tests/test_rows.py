"""to_rows: one dict per (quote, target), the CLI's CSV rows, pandas-ready."""

import csv
import io
import threading
import time

import pytest

import stancekit
from conftest import REPO, article_paths, read_article, labelled_rows, run_cli


def records():
    return [stancekit.predict(read_article(p), id=p) for p in article_paths()]


def test_to_rows_are_the_cli_csv_rows():
    out = run_cli("predict", "--format", "csv", "--threads", "1", *article_paths()).stdout
    expected = list(csv.DictReader(io.StringIO(out)))
    got = stancekit.to_rows(records())
    assert len(got) == len(expected) > 50
    assert all(list(r) == list(stancekit.ROW_COLUMNS) for r in got)
    assert list(expected[0]) == list(stancekit.ROW_COLUMNS)
    for g, e in zip(got, expected):
        as_csv = {k: ("" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v))
                  for k, v in g.items()}
        assert as_csv == e


def test_to_rows_has_one_row_per_quote_target_and_keeps_quoteless_and_failed_articles():
    recs = records()
    n = sum(max(1, len(q["targets"])) for r in recs for q in r["quotes"])
    n += sum(1 for r in recs if not r["quotes"])
    rows = stancekit.to_rows(recs + [{"article": "x", "date": None, "quotes": [], "dyads": [], "error": "x: gone"}])
    assert len(rows) == n + 1
    assert rows[-1]["error"] == "x: gone" and rows[-1]["quote"] is None


def test_to_rows_flattens_extract_records_without_stances():
    rec = stancekit.extract(read_article(article_paths()[0]))
    rows = stancekit.to_rows([rec])
    assert rows and all(r["stance"] is None and r["sentiment"] is None for r in rows)
    assert {r["target"] for r in rows} >= {t["party"] for q in rec["quotes"] for t in q["targets"]}


def test_a_dataframe_from_to_rows_has_a_row_per_quote_target():
    pd = pytest.importorskip("pandas", reason="pandas is not installed (pip install pandas to run this test)")
    rows = stancekit.to_rows(records())
    frame = pd.DataFrame(rows)
    assert list(frame.columns) == list(stancekit.ROW_COLUMNS)
    assert len(frame) == len(rows)
    assert frame["p_critical"].dropna().between(0, 1).all()
    counts = frame.groupby("stance").size()
    assert counts.sum() == frame["stance"].notna().sum()


def count_while_alive(thread):
    """How many times this thread can look at `thread` while it runs, and for how long."""
    started = time.perf_counter()
    thread.start()
    ticks = 0
    while thread.is_alive():
        ticks += 1
    took = time.perf_counter() - started
    thread.join()
    return ticks, took


def test_the_gil_is_released_while_rust_works():
    model = stancekit.Model.embedded()
    rows = labelled_rows(3000, "labeled/dev.jsonl")
    # Enough rows for Rust to work a measurable while on this machine: four
    # times more until the work takes over 0.2 s (a quiet machine classifies
    # 8,000 rows in about 0.1 s). The rows are encoded before the thread
    # starts, so that the thread spends its time in Rust only.
    repeat = 4
    while True:
        native_rows = stancekit._native_rows(rows * repeat, "rows")
        rust = threading.Thread(target=model._native.classify_rows, args=native_rows)
        ticks, took = count_while_alive(rust)
        if took > 0.2 or repeat >= 256:
            break
        repeat *= 4
    assert took > 0.2, "too little work to tell"
    # The rate at which this thread counts beside a thread that needs no GIL.
    idle_ticks, idle_took = count_while_alive(threading.Thread(target=time.sleep, args=(0.2,)))
    rate = idle_ticks / idle_took
    # Holding the GIL, Rust would leave this thread a switch interval (5 ms)
    # or two; released, it counts all along.
    assert ticks > 0.3 * rate * took, (ticks, took, rate)
