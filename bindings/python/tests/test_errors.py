"""Bad input raises StanceKitError (a ValueError) with the CLI's message; the
interpreter never crashes."""

import json

import pytest

import stancekit
from conftest import REPO, cli_error, labelled_rows


def test_stancekit_error_is_a_value_error():
    assert issubclass(stancekit.StanceKitError, ValueError)


def test_a_missing_model_file_is_an_error_naming_it_as_the_cli_does(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(stancekit.StanceKitError) as e:
        stancekit.Model.load(missing)
    assert str(e.value) == cli_error("classify", "--model", missing, "--text", "x", "--target", "y")
    assert str(missing) in str(e.value)


def test_a_model_with_a_flipped_digit_is_the_cli_error_naming_the_file(tmp_path):
    src = (REPO / "models" / "stance.json").read_text(encoding="utf-8")
    at = src.index('"weights"')
    at = next(i for i in range(at, len(src)) if src[i] in "123456789")
    bad = tmp_path / "bad.json"
    bad.write_text(src[:at] + ("2" if src[at] != "2" else "3") + src[at + 1:], encoding="utf-8")
    with pytest.raises(stancekit.StanceKitError) as e:
        stancekit.Model.load(bad)
    assert str(bad) in str(e.value)
    assert str(e.value) == cli_error("classify", "--model", bad, "--text", "x", "--target", "y")


def test_a_file_that_is_not_a_model_is_an_error(tmp_path):
    bad = tmp_path / "garbage.json"
    bad.write_bytes(b"\xff\xfe not json")
    with pytest.raises(stancekit.StanceKitError, match="not a model file"):
        stancekit.Model.load(bad)


def test_a_bad_row_is_an_error_naming_its_number():
    rows = labelled_rows(5)
    rows[2] = {"text": "No target here", "label": "critical"}
    with pytest.raises(stancekit.StanceKitError, match=r"^rows:3: "):
        stancekit.train(rows)
    with pytest.raises(stancekit.StanceKitError, match=r"^rows:2: expected a dict"):
        stancekit.train([rows[0], "not a row"])


def test_a_bad_line_in_a_data_file_is_the_cli_error(tmp_path):
    data = tmp_path / "bad.jsonl"
    rows = labelled_rows(3)
    data.write_text(json.dumps(rows[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(stancekit.StanceKitError) as e:
        stancekit.train(data)
    assert str(e.value) == cli_error("train", "--data", data, "--out", tmp_path / "m.json")
    assert f"{data}:2:" in str(e.value)


def test_an_unknown_label_in_evaluation_data_is_the_cli_error(tmp_path):
    rows = labelled_rows(3, "labeled/dev.jsonl")
    rows[1]["label"] = "hostile"
    data = tmp_path / "dev.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(stancekit.StanceKitError) as e:
        stancekit.evaluate(None, data)
    assert str(e.value) == cli_error("eval", "--data", data)


def test_no_rows_is_an_error():
    with pytest.raises(stancekit.StanceKitError, match="no usable records"):
        stancekit.train([])


def test_bad_settings_are_errors_before_any_work():
    rows = labelled_rows(5)
    for kwargs, message in [({"alpha": -1}, "alpha"), ({"task": "mood"}, "task"),
                            ({"class_weight": "heavy"}, "class_weight"), ({"max_iter": 0}, "max_iter")]:
        with pytest.raises(stancekit.StanceKitError, match=message):
            stancekit.train(rows, **kwargs)
    with pytest.raises(stancekit.StanceKitError, match="min_prob"):
        stancekit.predict("text", min_prob=1.5)
    with pytest.raises(stancekit.StanceKitError, match="threads"):
        list(stancekit.predict_many(["text"], threads=0))


def test_a_stance_model_needs_a_target_and_text():
    with pytest.raises(stancekit.StanceKitError, match="needs a target"):
        stancekit.classify("We condemn this.")
    with pytest.raises(stancekit.StanceKitError, match="empty"):
        stancekit.classify("  ", "Russia")


def test_a_sentiment_model_is_refused_as_the_stance_model():
    sentiment = stancekit.Model.embedded("sentiment")
    with pytest.raises(stancekit.StanceKitError, match="must be a stance model"):
        stancekit.Pipeline(model=sentiment)
    stance = stancekit.Model.embedded("stance")
    with pytest.raises(stancekit.StanceKitError, match="must be a sentiment model"):
        stancekit.Pipeline(sentiment_model=stance)


def test_a_bad_text_item_is_an_error_naming_its_position():
    with pytest.raises(stancekit.StanceKitError, match=r"texts\[1\]"):
        list(stancekit.predict_many(["fine", 42]))


def test_a_missing_party_dictionary_is_an_error_naming_it(tmp_path):
    with pytest.raises(stancekit.StanceKitError, match="nope.toml"):
        stancekit.Pipeline(parties=tmp_path / "nope.toml")


def test_saving_into_a_missing_directory_is_an_error_naming_the_path(tmp_path):
    target = tmp_path / "no" / "such" / "m.json"
    with pytest.raises(stancekit.StanceKitError, match="m.json"):
        stancekit.Model.embedded().save(target)
