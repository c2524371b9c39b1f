"""The Spark recipe (examples/spark_predict.py) in local mode gives the CLI's
records, in the same order. Skipped, with the reason, where PySpark or Java
is missing."""

import importlib.util
import json
import os
import shutil
import sys

import pytest

from conftest import REPO, article_paths, cli_path, labelled_rows, read_article, run_cli

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (ci.sh installs it; pip install pyspark pyarrow)", allow_module_level=True)
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java for Spark (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

sys.path.insert(0, str(REPO / "bindings" / "python" / "examples"))
import spark_predict  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    # Executors run this interpreter, where the stancekit wheel is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = spark_predict.local_session(cores=2)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def articles(spark):
    rows = [(p, read_article(p)) for p in article_paths()]
    # Three partitions, so that records come from more than one worker.
    return spark.createDataFrame(rows, "id string, text string").repartition(3).sortWithinPartitions("id")


@pytest.fixture(scope="module")
def cli_records():
    out = run_cli("predict", "--threads", "1", *article_paths()).stdout
    return {r["article"]: r for r in map(json.loads, out.splitlines())}


def partition_ids(df):
    return df.rdd.glom().map(lambda rows: [r["id"] for r in rows]).collect()


def test_map_in_pandas_gives_the_cli_records_in_each_partitions_order(articles, cli_records):
    got = spark_predict.predict_records(articles).collect()
    assert [r["article"] for r in got] == [i for part in partition_ids(articles) for i in part]
    assert sorted(r["article"] for r in got) == sorted(cli_records)
    for r in got:
        assert json.loads(r["record"]) == cli_records[r["article"]], r["article"]


def test_map_in_pandas_rows_are_the_to_rows_of_the_cli_records(articles, cli_records):
    import stancekit
    got = spark_predict.predict_rows(articles).collect()
    expected = stancekit.to_rows(cli_records[i] for part in partition_ids(articles) for i in part)
    assert [r.asDict() for r in got] == expected


def test_a_model_file_given_is_used_on_every_partition(articles, cli_records, tmp_path):
    import stancekit
    model = tmp_path / "small.json"
    stancekit.train(labelled_rows(800), threads=1).save(model)
    out = run_cli("predict", "--threads", "1", "--model", model, *article_paths()).stdout
    expected = {r["article"]: r for r in map(json.loads, out.splitlines())}
    assert expected != cli_records, "the small model should differ from the shipped one"
    got = spark_predict.predict_records(articles, model_path=str(model), threads=2).collect()
    assert {r["article"]: json.loads(r["record"]) for r in got} == expected


def test_the_cli_through_rdd_pipe_gives_its_records_in_order(articles, cli_records):
    got = spark_predict.predict_with_cli(articles, command=str(cli_path()))
    assert [r["article"] for r in got] == [i for part in partition_ids(articles) for i in part]
    assert {r["article"]: r for r in got} == cli_records
