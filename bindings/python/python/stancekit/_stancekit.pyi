# Type stubs for the native module (bindings/python/src/lib.rs). Records
# cross as the CLI's JSON text; the stancekit package parses them.
from typing import List, Optional, Tuple

DEFAULT_MIN_PROB: float

class StanceKitError(ValueError): ...

class NativeModel:
    @staticmethod
    def load(path: str) -> NativeModel: ...
    @staticmethod
    def embedded(task_name: str) -> NativeModel: ...
    task: str
    labels: List[str]
    n_features: int
    origin: str
    warnings: List[str]
    def meta_json(self) -> str: ...
    def save(self, path: str) -> None: ...
    def classify(self, text: str, target: Optional[str], explain: bool) -> Tuple[str, bool]: ...
    def classify_rows(self, path: Optional[str], jsonl: Optional[str], origin: str) -> str: ...
    def evaluate(self, path: Optional[str], jsonl: Optional[str], origin: str) -> str: ...

class NativePipeline:
    def __init__(
        self, model: Optional[NativeModel], sentiment_model: Optional[NativeModel], parties: Optional[str]
    ) -> None: ...
    warnings: List[str]
    def predict(self, id: str, text: str, date: Optional[str], min_prob: float) -> str: ...
    def extract(self, id: str, text: str, date: Optional[str]) -> str: ...
    def predict_many(
        self, items: List[Tuple[str, str, Optional[str]]], min_prob: float, threads: int
    ) -> List[str]: ...

def train(
    path: Optional[str],
    jsonl: Optional[str],
    origin: str,
    dev_path: Optional[str],
    dev_jsonl: Optional[str],
    dev_origin: str,
    *,
    task_name: str,
    alpha: Optional[float],
    alpha_grid: List[float],
    class_weight: str,
    solver: str,
    max_iter: int,
    tol: float,
    ngram_max: int,
    min_df: int,
    max_features: Optional[int],
    stem: bool,
    negation: bool,
    context_window: int,
    target_identity: bool,
    sentence_scope: bool,
    lexicon: bool,
    clause_scope: bool,
    threads: Optional[int],
) -> NativeModel: ...
