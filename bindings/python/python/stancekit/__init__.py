"""stancekit: who said what about whom in news articles, and with which stance.

The Rust library behind the ``stancekit`` command, for Python. Records are
the CLI's JSON records as dicts (the same writer produces them), the shipped
models and party dictionary are the defaults, and errors are raised as
:class:`StanceKitError` (a ``ValueError``) with the CLI's messages.

>>> import stancekit
>>> record = stancekit.predict('China said: "We welcome Russia\\'s offer."', date="2025-04-01")
>>> sorted(record)
['article', 'date', 'dyads', 'quotes']
>>> stancekit.classify("We condemn Moscow's reckless strikes", "Russia")["label"]
'critical'
"""

from __future__ import annotations

import json
import math
import os
import threading
import warnings
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _stancekit
from ._stancekit import DEFAULT_MIN_PROB, StanceKitError

__all__ = [
    "DEFAULT_MIN_PROB",
    "Model",
    "Pipeline",
    "ROW_COLUMNS",
    "StanceKitError",
    "classify",
    "evaluate",
    "extract",
    "predict",
    "predict_many",
    "to_rows",
    "train",
]

Record = Dict[str, Any]
PathLike = Union[str, "os.PathLike[str]"]
Rows = Union[PathLike, Iterable[Mapping[str, Any]]]

#: The columns of :func:`to_rows`, those of ``stancekit predict --format csv``.
ROW_COLUMNS = (
    "article", "date", "quote", "kind", "speaker", "speaker_party", "sentiment",
    "target", "mention", "stance", "p_conciliatory", "p_critical", "p_neutral",
    "text", "error",
)


def _warn(messages: Iterable[str]) -> None:
    for m in messages:
        warnings.warn(m, stacklevel=3)


def _native_rows(rows: Rows, origin: str) -> Tuple[Optional[str], Optional[str], str]:
    """(path, jsonl, origin) for the native layer: a path is read by the
    library as the CLI reads it; dicts become JSON Lines, one row a line,
    so a message says ``rows:3`` for the third row."""
    if isinstance(rows, (str, os.PathLike)):
        return os.fspath(rows), None, origin
    if hasattr(rows, "to_dict") and callable(rows.to_dict):  # a pandas DataFrame
        rows = rows.to_dict("records")
    lines = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise StanceKitError(f"{origin}:{n}: expected a dict, got {type(row).__name__}")
        try:
            lines.append(json.dumps({str(k): _plain(v) for k, v in row.items()},
                                    allow_nan=False, default=_item))
        except (TypeError, ValueError) as e:
            raise StanceKitError(f"{origin}:{n}: {e}") from None
    return None, "\n".join(lines) + "\n", origin


def _plain(v: Any) -> Any:
    # A missing value in a DataFrame is NaN; for stancekit it is absent.
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _item(v: Any) -> Any:
    # NumPy scalars (from DataFrames) have .item(); anything else is refused.
    if hasattr(v, "item"):
        v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v
    raise TypeError(f"{type(v).__name__} is not a JSON value")


class Model:
    """A stance or sentiment model: shipped, loaded from a file, or trained.

    >>> m = stancekit.Model.load("models/stance.json")
    >>> m.labels
    ['conciliatory', 'critical', 'neutral']
    >>> m.classify("We welcome Moscow's offer", "Russia")["label"]
    'conciliatory'
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_stancekit.NativeModel") -> None:
        self._native = native

    @classmethod
    def load(cls, path: PathLike) -> "Model":
        """Loads a model file (checked as the CLI checks it: format, version,
        checksum); warns, as the CLI does, about a file without checksum."""
        m = cls(_stancekit.NativeModel.load(os.fspath(path)))
        _warn(m.warnings)
        return m

    @classmethod
    def embedded(cls, task: str = "stance") -> "Model":
        """The shipped model for ``task`` ("stance" or "sentiment")."""
        return cls(_stancekit.NativeModel.embedded(task))

    @property
    def task(self) -> str:
        """"stance" or "sentiment"."""
        return self._native.task

    @property
    def labels(self) -> List[str]:
        return self._native.labels

    @property
    def n_features(self) -> int:
        return self._native.n_features

    @property
    def warnings(self) -> List[str]:
        """What the loader said about the file, each naming it."""
        return self._native.warnings

    @property
    def meta(self) -> Dict[str, Any]:
        """The training metadata (the model file's ``"meta"``)."""
        return json.loads(self._native.meta_json())

    def save(self, path: PathLike) -> None:
        """Writes the model file atomically, as ``stancekit train --out`` does:
        a reader sees the old file or the new one, never a part."""
        self._native.save(os.fspath(path))

    def classify(self, text: str, target: Optional[str] = None, *, explain: bool = False) -> Record:
        """``stancekit classify --json``: ``{"label", "probs"}`` for one
        statement toward ``target`` (found by name or, through the party
        dictionary, by alias), plus ``"explain"`` with ``explain=True``.

        >>> stancekit.Model.embedded().classify("We condemn Moscow", "Russia")
        {'label': 'critical', 'probs': {'conciliatory': ..., 'critical': ..., 'neutral': ...}}
        """
        out, found = self._native.classify(text, target, explain)
        if not found:
            warnings.warn("the target is not mentioned in the text; classifying without its position",
                          stacklevel=2)
        return json.loads(out)

    def classify_many(self, rows: Rows) -> List[Record]:
        """``{"label", "probs"}`` per row of labelled-data dicts (``text``,
        ``target``, optionally ``target_start``/``target_end``,
        ``speaker_party``), read as ``stancekit eval`` reads rows, or of a
        JSON Lines / CSV file; one result per row, in order.

        >>> m.classify_many([{"text": "We condemn Moscow", "target": "Russia"}])[0]["label"]
        'critical'
        """
        return json.loads(self._native.classify_rows(*_native_rows(rows, "rows")))

    def evaluate(self, rows: Rows) -> Record:
        """Same as :func:`evaluate` (this model on labelled rows)."""
        return json.loads(self._native.evaluate(*_native_rows(rows, "rows")))

    def __repr__(self) -> str:
        return f"<stancekit.Model {self.task} {self.labels} from {self._native.origin}>"


class Pipeline:
    """The models and party dictionary articles are read with; the shipped
    ones by default. Load once, use for many articles (e.g. once per Spark
    partition).

    >>> p = stancekit.Pipeline(model=stancekit.Model.load("my_stance.json"))
    >>> p.predict(text)["quotes"]
    """

    __slots__ = ("_native",)

    def __init__(self, model: Optional[Model] = None, sentiment_model: Optional[Model] = None,
                 parties: Optional[PathLike] = None) -> None:
        self._native = _stancekit.NativePipeline(
            model._native if model is not None else None,
            sentiment_model._native if sentiment_model is not None else None,
            os.fspath(parties) if parties is not None else None,
        )
        _warn(self._native.warnings)

    def predict(self, text: str, date: Optional[str] = None, *, id: str = "<text>",
                min_prob: float = DEFAULT_MIN_PROB) -> Record:
        """See :func:`stancekit.predict`."""
        return json.loads(self._native.predict(id, text, date, min_prob))

    def extract(self, text: str, date: Optional[str] = None, *, id: str = "<text>") -> Record:
        """See :func:`stancekit.extract`."""
        return json.loads(self._native.extract(id, text, date))

    def predict_many(self, texts: Iterable[Union[str, Mapping[str, Any]]],
                     threads: Optional[int] = None, *, min_prob: float = DEFAULT_MIN_PROB,
                     batch_size: Optional[int] = None) -> Iterator[Record]:
        """See :func:`stancekit.predict_many`."""
        if threads is None:
            threads = min(os.cpu_count() or 1, 256)
        if not isinstance(threads, int) or not 1 <= threads <= 256:
            raise StanceKitError(f"threads must be between 1 and 256, got {threads!r}")
        if batch_size is None:
            batch_size = 16 * threads
        batch: List[Tuple[str, str, Optional[str]]] = []
        for n, item in enumerate(texts):
            batch.append(_article(item, n))
            if len(batch) >= batch_size:
                yield from map(json.loads, self._native.predict_many(batch, min_prob, threads))
                batch = []
        if batch:
            yield from map(json.loads, self._native.predict_many(batch, min_prob, threads))


def _article(item: Union[str, Mapping[str, Any]], n: int) -> Tuple[str, str, Optional[str]]:
    if isinstance(item, str):
        return str(n), item, None
    if isinstance(item, Mapping) and isinstance(item.get("text"), str):
        id_ = item.get("id")
        date = item.get("date")
        return (str(n) if id_ is None else str(id_)), item["text"], (None if date is None else str(date))
    raise StanceKitError(f"texts[{n}]: expected a str or a dict with a \"text\" string, got {type(item).__name__}")


_lock = threading.Lock()
_defaults: Dict[str, Any] = {}


def _default(key: str, make: Any) -> Any:
    with _lock:
        if key not in _defaults:
            _defaults[key] = make()
        return _defaults[key]


def _pipeline() -> Pipeline:
    return _default("pipeline", Pipeline)


def predict(text: str, date: Optional[str] = None, *, id: str = "<text>",
            min_prob: float = DEFAULT_MIN_PROB) -> Record:
    """``stancekit predict``'s record of one article, as a dict: the quotes
    with speaker, party, sentiment and the stance toward each target, and the
    article's dyads. ``date`` (YYYY-MM-DD) replaces the text's date header;
    ``id`` is the record's ``"article"``; stances whose top probability is
    below ``min_prob`` are ``"uncertain"``.

    >>> r = stancekit.predict(open("tests/articles/01_japan_korea_summit.txt").read())
    >>> [(q["speaker"], [t["party"] for t in q["targets"]]) for q in r["quotes"]][:1]
    """
    return _pipeline().predict(text, date, id=id, min_prob=min_prob)


def extract(text: str, date: Optional[str] = None, *, id: str = "<text>") -> Record:
    """``stancekit extract``'s record of one article, as a dict: quotes,
    speakers, their parties, cues, channels and the parties each quote is
    about.

    >>> [q["kind"] for q in stancekit.extract('Lee said: "We will talk to Japan."')["quotes"]]
    ['direct']
    """
    return _pipeline().extract(text, date, id=id)


def predict_many(texts: Iterable[Union[str, Mapping[str, Any]]], threads: Optional[int] = None, *,
                 min_prob: float = DEFAULT_MIN_PROB, batch_size: Optional[int] = None) -> Iterator[Record]:
    """Yields :func:`predict`'s record for each text, in input order, scoring
    ``batch_size`` texts at a time (default 16 per thread) on ``threads``
    threads (default: all cores). An item is a str (its ``"article"`` is its
    position, "0", "1", ...) or a dict ``{"text", "id"?, "date"?}`` like the
    CLI's JSON Lines input.

    >>> for r in stancekit.predict_many(["...", {"id": "a2", "text": "..."}], threads=2):
    ...     print(r["article"], len(r["quotes"]))
    """
    return _pipeline().predict_many(texts, threads, min_prob=min_prob, batch_size=batch_size)


def classify(text: str, target: Optional[str] = None, *, task: str = "stance",
             explain: bool = False) -> Record:
    """The shipped model's ``{"label", "probs"}`` for one statement toward
    ``target`` (``task="sentiment"``: the statement's sentiment, no target),
    as ``stancekit classify --json``.

    >>> stancekit.classify("We condemn Moscow's reckless strikes", "Russia")["label"]
    'critical'
    """
    model = _default(f"model:{task}", lambda: Model.embedded(task))
    return model.classify(text, target, explain=explain)


def train(rows: Rows, *, dev: Optional[Rows] = None, task: str = "stance",
          alpha: Optional[float] = None, alpha_grid: Sequence[float] = (0.25, 0.5, 1, 2, 4),
          class_weight: str = "balanced", solver: str = "sparse", max_iter: int = 1000,
          tol: float = 1e-4, ngram_max: int = 2, min_df: int = 2,
          max_features: Optional[int] = None, stem: bool = True, negation: bool = True,
          context_window: int = 4, target_identity: bool = True, sentence_scope: bool = True,
          lexicon: bool = False, clause_scope: bool = False,
          threads: Optional[int] = None) -> Model:
    """Trains a model as ``stancekit train`` does, with its defaults; the
    keywords are its flags. ``rows``: dicts with ``text``, ``target``,
    ``label`` (``sentiment`` for ``task="sentiment"``) and optionally
    ``target_start``/``target_end``, ``speaker_party``; or a DataFrame of
    those columns; or a JSON Lines / CSV file path (then the model is the
    one ``stancekit train --data PATH`` writes). With ``dev`` and no
    ``alpha``, alpha is chosen from ``alpha_grid`` by dev macro-F1.

    >>> m = stancekit.train("labeled/train.jsonl", dev="labeled/dev.jsonl")
    >>> m.save("my_stance.json")
    """
    path, jsonl, origin = _native_rows(rows, "rows")
    if dev is None:
        dev_path, dev_jsonl, dev_origin = None, None, "dev"
    else:
        dev_path, dev_jsonl, dev_origin = _native_rows(dev, "dev")
    native = _stancekit.train(
        path, jsonl, origin, dev_path, dev_jsonl, dev_origin,
        task_name=task, alpha=alpha, alpha_grid=[float(a) for a in alpha_grid],
        class_weight=class_weight, solver=solver, max_iter=max_iter, tol=tol,
        ngram_max=ngram_max, min_df=min_df, max_features=max_features, stem=stem,
        negation=negation, context_window=context_window, target_identity=target_identity,
        sentence_scope=sentence_scope, lexicon=lexicon, clause_scope=clause_scope,
        threads=threads,
    )
    return Model(native)


def evaluate(model: Union[Model, PathLike, None], rows: Rows) -> Record:
    """``stancekit eval --format json``'s report of ``model`` (a Model, a
    model file, or None for the shipped stance model) on labelled rows:
    ``n``, ``accuracy``, ``macro_f1``, ``per_class``, ``confusion``...

    >>> stancekit.evaluate(None, "labeled/test.jsonl")["macro_f1"]
    """
    if model is None:
        model = _default("model:stance", lambda: Model.embedded("stance"))
    elif not isinstance(model, Model):
        model = Model.load(model)
    return model.evaluate(rows)


def to_rows(records: Iterable[Record]) -> List[Dict[str, Any]]:
    """Flattens predict (or extract) records to one dict per (quote, target),
    with the columns of ``stancekit predict --format csv`` (:data:`ROW_COLUMNS`);
    a quote without targets, an article without quotes and a failed article
    each still get a row, so every input is accounted for. Missing values
    are None; ``quote`` is the quote's 1-based number in its article.
    Ready for ``pandas.DataFrame(to_rows(records))``; pandas is not needed.

    >>> rows = stancekit.to_rows(stancekit.predict_many(texts))
    >>> rows[0]["stance"], rows[0]["p_critical"]
    """
    out: List[Dict[str, Any]] = []
    for r in records:
        base = {"article": r.get("article"), "date": r.get("date")}
        quotes = r.get("quotes") or []
        if r.get("error") is not None or not quotes:
            row = dict.fromkeys(ROW_COLUMNS)
            row.update(base, error=r.get("error"))
            out.append(row)
        for n, q in enumerate(quotes, 1):
            sentiment = q.get("sentiment") or {}
            quote = dict(base, quote=n, kind=q.get("kind"), speaker=q.get("speaker"),
                         speaker_party=q.get("speaker_party"), sentiment=sentiment.get("label"))
            for t in q.get("targets") or [None]:
                row = dict.fromkeys(ROW_COLUMNS)
                row.update(quote, text=q.get("text"))
                if t is not None:
                    probs = t.get("probs") or {}
                    row.update(target=t.get("party"), mention=t.get("mention"), stance=t.get("stance"),
                               p_conciliatory=probs.get("conciliatory"), p_critical=probs.get("critical"),
                               p_neutral=probs.get("neutral"))
                out.append(row)
    return out
