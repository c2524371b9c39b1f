# Type stubs for the stancekit package (docstrings and examples are in
# __init__.py; `help(stancekit.predict)` shows them).
import os
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ._stancekit import StanceKitError as StanceKitError

__all__: List[str]

DEFAULT_MIN_PROB: float
ROW_COLUMNS: Tuple[str, ...]

Record = Dict[str, Any]
PathLike = Union[str, os.PathLike[str]]
Rows = Union[PathLike, Iterable[Mapping[str, Any]]]
TextItem = Union[str, Mapping[str, Any]]

class Model:
    @classmethod
    def load(cls, path: PathLike) -> Model: ...
    @classmethod
    def embedded(cls, task: str = "stance") -> Model: ...
    @property
    def task(self) -> str: ...
    @property
    def labels(self) -> List[str]: ...
    @property
    def n_features(self) -> int: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def meta(self) -> Dict[str, Any]: ...
    def save(self, path: PathLike) -> None: ...
    def classify(self, text: str, target: Optional[str] = None, *, explain: bool = False) -> Record: ...
    def classify_many(self, rows: Rows) -> List[Record]: ...
    def evaluate(self, rows: Rows) -> Record: ...

class Pipeline:
    def __init__(
        self,
        model: Optional[Model] = None,
        sentiment_model: Optional[Model] = None,
        parties: Optional[PathLike] = None,
    ) -> None: ...
    def predict(
        self, text: str, date: Optional[str] = None, *, id: str = "<text>", min_prob: float = ...
    ) -> Record: ...
    def extract(self, text: str, date: Optional[str] = None, *, id: str = "<text>") -> Record: ...
    def predict_many(
        self,
        texts: Iterable[TextItem],
        threads: Optional[int] = None,
        *,
        min_prob: float = ...,
        batch_size: Optional[int] = None,
    ) -> Iterator[Record]: ...

def predict(text: str, date: Optional[str] = None, *, id: str = "<text>", min_prob: float = ...) -> Record: ...
def extract(text: str, date: Optional[str] = None, *, id: str = "<text>") -> Record: ...
def predict_many(
    texts: Iterable[TextItem],
    threads: Optional[int] = None,
    *,
    min_prob: float = ...,
    batch_size: Optional[int] = None,
) -> Iterator[Record]: ...
def classify(text: str, target: Optional[str] = None, *, task: str = "stance", explain: bool = False) -> Record: ...
def train(
    rows: Rows,
    *,
    dev: Optional[Rows] = None,
    task: str = "stance",
    alpha: Optional[float] = None,
    alpha_grid: Sequence[float] = ...,
    class_weight: str = "balanced",
    solver: str = "sparse",
    max_iter: int = 1000,
    tol: float = 1e-4,
    ngram_max: int = 2,
    min_df: int = 2,
    max_features: Optional[int] = None,
    stem: bool = True,
    negation: bool = True,
    context_window: int = 4,
    target_identity: bool = True,
    sentence_scope: bool = True,
    lexicon: bool = False,
    clause_scope: bool = False,
    threads: Optional[int] = None,
) -> Model: ...
def evaluate(model: Union[Model, PathLike, None], rows: Rows) -> Record: ...
def to_rows(records: Iterable[Record]) -> List[Dict[str, Any]]: ...
