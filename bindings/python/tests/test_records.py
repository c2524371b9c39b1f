"""Python records are the CLI's JSON records, as dicts."""

import json

import pytest

import stancekit
from conftest import REPO, article_paths, read_article, run_cli


read = read_article


def cli_records(subcommand, *args):
    out = run_cli(subcommand, "--threads", "1", *args, *article_paths()).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_predict_records_equal_the_cli_json_on_tests_articles():
    expected = cli_records("predict")
    got = [stancekit.predict(read(p), id=p) for p in article_paths()]
    assert len(got) == len(expected) > 10
    for g, e in zip(got, expected):
        assert g == e, e["article"]
    assert sum(len(r["quotes"]) for r in got) > 50


def test_extract_records_equal_the_cli_json_on_tests_articles():
    expected = cli_records("extract")
    got = [stancekit.extract(read(p), id=p) for p in article_paths()]
    assert got == expected


def test_min_prob_zero_reports_every_stance_as_the_cli_does():
    path = article_paths()[0]
    (expected,) = cli_records("predict", "--min-prob", "0")[:1]
    got = stancekit.predict(read(path), id=path, min_prob=0)
    assert got == expected
    stances = [t["stance"] for q in got["quotes"] for t in q["targets"]]
    assert stances and "uncertain" not in stances


def test_a_date_given_replaces_the_date_header_as_a_jsonl_date_does():
    path = article_paths()[0]
    text = read(path)
    line = json.dumps({"id": "x", "text": text, "date": "1999-12-31"})
    expected = json.loads(run_cli("predict", "--input-format", "jsonl", "-", input=line).stdout)
    got = stancekit.predict(text, "1999-12-31", id="x")
    assert got == expected
    assert got["date"] == "1999-12-31"


def test_predict_many_yields_every_record_in_input_order_whatever_the_threads():
    paths = article_paths()
    texts = [read(p) for p in paths][::-1]
    one_by_one = [stancekit.predict(t, id=str(n)) for n, t in enumerate(texts)]
    for threads, batch_size in [(1, None), (2, None), (2, 1), (3, 5)]:
        got = list(stancekit.predict_many(texts, threads=threads, batch_size=batch_size))
        assert [r["article"] for r in got] == [str(n) for n in range(len(texts))]
        assert got == one_by_one, (threads, batch_size)


def test_predict_many_takes_cli_style_dicts_with_id_and_date():
    path = article_paths()[1]
    items = [{"id": "a", "text": read(path), "date": "2020-01-02"}, "no quotes here"]
    got = list(stancekit.predict_many(items, threads=2))
    assert [r["article"] for r in got] == ["a", "1"]
    assert got[0] == stancekit.predict(read(path), "2020-01-02", id="a")
    assert got[1]["quotes"] == []


def test_predict_many_is_lazy_and_streams():
    def texts():
        yield "first"
        raise RuntimeError("the second text was asked for before the first record was used")

    it = stancekit.predict_many(texts(), threads=1, batch_size=1)
    assert next(it)["article"] == "0"
    with pytest.raises(RuntimeError):
        next(it)


def test_classify_is_the_cli_classify_json():
    cases = [
        ("We condemn Moscow's reckless strikes", "Russia", "stance"),
        ("We welcome the Kremlin's offer of talks", "Russia", "stance"),
        ("Japan and Korea agreed to meet again next year.", "Japan", "stance"),
        ("This is a disgraceful and dangerous decision.", None, "sentiment"),
    ]
    for text, target, task in cases:
        args = ["classify", "--json", "--task", task, "--text", text]
        if target:
            args += ["--target", target]
        expected = json.loads(run_cli(*args).stdout)
        assert stancekit.classify(text, target, task=task) == expected, text
    explained = stancekit.classify(cases[0][0], "Russia", explain=True)
    cli = json.loads(run_cli("classify", "--json", "--explain", "--text", cases[0][0], "--target", "Russia").stdout)
    assert explained == cli and explained["explain"]["toward"]


def test_a_target_not_in_the_text_is_classified_with_a_warning():
    with pytest.warns(UserWarning, match="not mentioned"):
        r = stancekit.classify("They met yesterday.", "Hungary")
    assert set(r["probs"]) == {"conciliatory", "critical", "neutral"}


def test_evaluate_is_the_cli_eval_json_report():
    expected = json.loads(run_cli("eval", "--format", "json", "--data", "labeled/dev.jsonl").stdout)
    assert stancekit.evaluate(None, REPO / "labeled" / "dev.jsonl") == expected
    model = stancekit.Model.load(REPO / "models" / "stance.json")
    rows = [json.loads(l) for l in open(REPO / "labeled" / "dev.jsonl", encoding="utf-8")]
    by_rows = stancekit.evaluate(model, rows)
    assert by_rows["macro_f1"] == expected["macro_f1"]
    assert by_rows["confusion"] == expected["confusion"]


def test_the_embedded_models_are_the_shipped_files():
    for task in ("stance", "sentiment"):
        embedded = stancekit.Model.embedded(task)
        loaded = stancekit.Model.load(REPO / "models" / f"{task}.json")
        assert embedded.labels == loaded.labels and embedded.meta == loaded.meta
        assert embedded.task == loaded.task == task
        text = "We strongly condemn the decision by Beijing."
        assert embedded.classify(text, "China") == loaded.classify(text, "China")
