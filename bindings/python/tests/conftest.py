"""Shared helpers: the repository, the CLI to compare with, labelled rows."""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ARTICLES = REPO / "tests" / "articles"


def cli_path() -> Path:
    """The stancekit command the records are compared with: $STANCEKIT_BIN
    (ci.sh sets it), else a release or debug build in the repository's
    target directory."""
    if os.environ.get("STANCEKIT_BIN"):
        return Path(os.environ["STANCEKIT_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("release", "debug"):
        if (target / profile / "stancekit").exists():
            return target / profile / "stancekit"
    pytest.fail("no stancekit command to compare with: build it (cargo build) or set STANCEKIT_BIN")


def run_cli(*args, input=None, check=True):
    """Runs the CLI from the repository root; returns the CompletedProcess."""
    p = subprocess.run([str(cli_path()), *map(str, args)], cwd=REPO, input=input,
                       capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"stancekit {' '.join(map(str, args))} failed: {p.stderr}")
    return p


def cli_error(*args, input=None):
    """The message of a failing CLI run: its last stderr line less "error: "."""
    p = run_cli(*args, input=input, check=False)
    assert p.returncode != 0, p.stdout
    line = p.stderr.strip().splitlines()[-1]
    assert line.startswith("error: "), p.stderr
    return line[len("error: "):]


def article_paths():
    """tests/articles/*.txt as the CLI names them when run from the root."""
    return sorted(p.relative_to(REPO).as_posix() for p in ARTICLES.glob("*.txt"))


def labelled_rows(n, path="labeled/train.jsonl"):
    with open(REPO / path, encoding="utf-8") as f:
        return [json.loads(line) for _, line in zip(range(n), f)]


def read_article(path):
    """An article's text exactly as the CLI reads it: newline="" keeps CRLF
    line ends (offsets are characters into the text as given)."""
    with open(REPO / path, encoding="utf-8", newline="") as f:
        return f.read()
