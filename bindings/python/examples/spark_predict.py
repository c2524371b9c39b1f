"""Scoring a corpus with Apache Spark, two ways.

1. ``predict_records``: ``mapInPandas`` over the Python package. Each
   partition loads the models once (a ``stancekit.Pipeline``) and scores its
   articles in batches on the executor's cores; a record comes back as the
   CLI's JSON text (``record``) beside its ``article`` id, and
   ``predict_rows`` flattens records to one row per (quote, target) with
   ``stancekit.to_rows``' columns. Needs the ``stancekit`` wheel (and pandas,
   pyarrow) on every executor.

2. ``predict_with_cli``: the ``stancekit`` command through ``RDD.pipe``,
   fed JSON Lines (``{"id", "text", "date"?}``, one article a line) on its
   standard input; each output line is that article's record. Needs only
   the command on every executor's PATH (or its full path).

A session on a cluster calls ``ship(spark)`` once so that the executors can
import this file. Both give each article's record exactly as ``stancekit predict`` writes it,
in the input's order within a partition; order across partitions is the
DataFrame's (``orderBy`` a key if it matters). Run locally::

    PYSPARK_PYTHON=$(which python) python examples/spark_predict.py tests/articles out.jsonl

Spark 4 wants Java 17 (Debian: ``apt-get install openjdk-17-jre-headless``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator, Optional

import pandas as pd
from pyspark.sql import DataFrame, SparkSession

import stancekit

#: The Spark schema of predict_records' output.
RECORD_SCHEMA = "article string, record string"

#: The Spark schema of predict_rows' output (stancekit.ROW_COLUMNS).
ROW_SCHEMA = (
    "article string, date string, quote int, kind string, speaker string, speaker_party string, "
    "sentiment string, target string, mention string, stance string, p_conciliatory double, "
    "p_critical double, p_neutral double, text string, error string"
)


def _records(batches: Iterator[pd.DataFrame], model_path: Optional[str],
             threads: int) -> Iterator[list]:
    """Yields, per pandas batch, its records as dicts. The models load once,
    when the partition's first batch arrives, not once per article."""
    model = stancekit.Model.load(model_path) if model_path else None
    pipeline = stancekit.Pipeline(model=model)
    for batch in batches:
        dates = batch["date"] if "date" in batch else [None] * len(batch)
        items = [
            {"id": i, "text": t, "date": None if d is None or pd.isna(d) else d}
            for i, t, d in zip(batch["id"], batch["text"], dates)
        ]
        yield list(pipeline.predict_many(items, threads=threads))


def predict_records(articles: DataFrame, model_path: Optional[str] = None,
                    threads: int = 1) -> DataFrame:
    """``articles`` (columns ``id``, ``text``, optional ``date``) to one row
    per article: ``article`` (the id) and ``record`` (``stancekit predict``'s
    JSON). ``model_path``: a stance model file every executor can read
    (default: the shipped model)."""

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for records in _records(batches, model_path, threads):
            yield pd.DataFrame({
                "article": [r["article"] for r in records],
                "record": [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records],
            })

    return articles.mapInPandas(score, RECORD_SCHEMA)


def predict_rows(articles: DataFrame, model_path: Optional[str] = None,
                 threads: int = 1) -> DataFrame:
    """Like ``predict_records`` but one row per (quote, target), with the
    columns of ``stancekit.to_rows`` (``stancekit predict --format csv``)."""

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for records in _records(batches, model_path, threads):
            rows = pd.DataFrame(stancekit.to_rows(records), columns=list(stancekit.ROW_COLUMNS))
            yield rows.astype({"quote": "Int32"})

    return articles.mapInPandas(score, ROW_SCHEMA)


def predict_with_cli(articles: DataFrame, command: str = "stancekit") -> list:
    """The CLI over each partition through ``RDD.pipe``: the articles as
    JSON Lines in, one record per line out. Returns the records as dicts,
    collected in partition order."""
    lines = articles.rdd.map(lambda row: json.dumps(
        {"id": row["id"], "text": row["text"], **({"date": row["date"]} if "date" in row and row["date"] else {})},
        ensure_ascii=False))
    out = lines.pipe(f"{command} predict --input-format jsonl --threads 1 -")
    return [json.loads(line) for line in out.collect()]


def read_articles(spark: SparkSession, directory: str) -> DataFrame:
    """A directory's .txt articles as (id, text), ids as the CLI names them."""
    paths = sorted(Path(directory).glob("*.txt"))
    rows = [(str(p), p.read_text(encoding="utf-8")) for p in paths]
    return spark.createDataFrame(rows, "id string, text string")


def ship(spark: SparkSession) -> None:
    """Sends this file to the executors, which import it to run the
    functions above (any session that uses them needs this once)."""
    spark.sparkContext.addPyFile(__file__)


def local_session(cores: int = 2) -> SparkSession:
    """A Spark session in local mode with this file shipped."""
    spark = (SparkSession.builder.master(f"local[{cores}]").appName("stancekit")
             .config("spark.ui.enabled", "false")
             .getOrCreate())
    ship(spark)
    return spark


def main(argv: list) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} ARTICLE_DIR OUT.jsonl", file=sys.stderr)
        return 2
    spark = local_session()
    try:
        records = predict_records(read_articles(spark, argv[1])).collect()
        with open(argv[2], "w", encoding="utf-8") as f:
            for r in records:
                f.write(r["record"] + "\n")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
