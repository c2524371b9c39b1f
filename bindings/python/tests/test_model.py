"""Train, save, load, classify, evaluate: the CLI's models, from Python."""

import json

import pytest

import stancekit
from conftest import REPO, labelled_rows, run_cli


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.mark.filterwarnings("ignore:the target is not mentioned")
def test_train_save_load_classify_round_trip(tmp_path):
    rows = labelled_rows(600)
    model = stancekit.train(rows, threads=1)
    assert isinstance(model, stancekit.Model)
    assert model.labels == ["conciliatory", "critical", "neutral"]
    assert model.meta["examples"] == 600 and model.meta["data_files"] == ["rows"]
    out = tmp_path / "m.json"
    model.save(out)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    loaded = stancekit.Model.load(out)
    assert loaded.warnings == []
    statements = [(r["text"], r["target"]) for r in labelled_rows(40, "labeled/dev.jsonl")]
    for text, target in statements:
        assert loaded.classify(text, target) == model.classify(text, target)
    # The CLI reads the saved file and agrees with it.
    text, target = statements[0]
    cli = json.loads(run_cli("classify", "--json", "--model", out, "--text", text, "--target", target).stdout)
    assert cli == loaded.classify(text, target)


def test_a_model_trained_from_a_file_is_byte_for_byte_the_one_stancekit_train_writes(tmp_path):
    data = tmp_path / "train.jsonl"
    write_jsonl(data, labelled_rows(500))
    run_cli("train", "--data", data, "--out", tmp_path / "cli.json", "--threads", "1", "--alpha", "2")
    stancekit.train(data, alpha=2, threads=1).save(tmp_path / "py.json")
    assert (tmp_path / "py.json").read_bytes() == (tmp_path / "cli.json").read_bytes()


def test_training_with_dev_chooses_alpha_as_the_cli_does(tmp_path):
    data, dev = tmp_path / "train.jsonl", tmp_path / "dev.jsonl"
    write_jsonl(data, labelled_rows(400))
    write_jsonl(dev, labelled_rows(150, "labeled/dev.jsonl"))
    run_cli("train", "--data", data, "--dev", dev, "--out", tmp_path / "cli.json",
            "--threads", "1", "--alpha-grid", "0.5,2")
    model = stancekit.train(data, dev=dev, alpha_grid=[0.5, 2], threads=1)
    model.save(tmp_path / "py.json")
    assert (tmp_path / "py.json").read_bytes() == (tmp_path / "cli.json").read_bytes()
    assert [a for a, _ in model.meta["alpha_search"]] == [0.5, 2]


def test_a_sentiment_model_trains_from_rows_and_classifies_without_a_target():
    model = stancekit.train(labelled_rows(500), task="sentiment", threads=1)
    assert model.task == "sentiment"
    assert set(model.labels) == {"negative", "neutral", "positive"}
    assert model.classify("A shameful, dangerous decision.")["label"] in model.labels


def test_classify_many_returns_one_prediction_per_row_in_order():
    model = stancekit.Model.embedded()
    rows = labelled_rows(30, "labeled/dev.jsonl")
    got = model.classify_many(rows)
    assert len(got) == len(rows)
    assert all(set(g["probs"]) == set(model.labels) for g in got)
    assert all(g["label"] == max(g["probs"], key=g["probs"].get) for g in got)
    # Labels are not needed to classify.
    unlabelled = [{k: v for k, v in r.items() if k != "label"} for r in rows]
    assert model.classify_many(unlabelled) == got


def test_classify_many_agrees_with_eval_predictions(tmp_path):
    rows = labelled_rows(50, "labeled/dev.jsonl")
    data = tmp_path / "dev.jsonl"
    write_jsonl(data, rows)
    run_cli("eval", "--data", data, "--predictions", tmp_path / "pred.jsonl")
    cli = [json.loads(l) for l in (tmp_path / "pred.jsonl").read_text().splitlines()]
    got = stancekit.Model.embedded().classify_many(rows)
    assert [g["label"] for g in got] == [c["predicted"] for c in cli]
    assert [g["probs"] for g in got] == [c["probs"] for c in cli]


def test_rows_may_be_a_dataframe_with_missing_values():
    import pytest
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    frame = pd.DataFrame(labelled_rows(20, "labeled/dev.jsonl"))
    frame.loc[0, "speaker_party"] = None  # NaN in an object column
    got = stancekit.Model.embedded().classify_many(frame)
    assert len(got) == 20
