#!/usr/bin/env bash
# The Python package's CI: a fresh venv, the wheel built with maturin and
# installed into it, then pytest (bindings/python/tests), Spark test included
# where Java is (installed from Debian's packages when missing and root).
#
#   bash bindings/python/ci.sh
#
# STANCEKIT_BIN: the stancekit command the records are compared with
#   (default: cargo build --release --bin stancekit, a no-op after .ci/run's
#   release build).
# STANCEKIT_PY_VENV: where to make the venv (default: a new temporary one).
# STANCEKIT_PY_SPARK=0: do not install PySpark (its test is then skipped).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
started=$(date +%s)

venv=${STANCEKIT_PY_VENV:-$(mktemp -d)/venv}
echo "== python venv in $venv"
python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install -q --upgrade pip
# pandas < 3: PySpark 4 does not yet support pandas 3 (it warns).
deps=("maturin>=1.5,<2" pytest "pandas<3")
if [ "${STANCEKIT_PY_SPARK:-1}" != 0 ]; then
  deps+=(pyspark pyarrow)
  if ! command -v java >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Java 17 for Spark"
    (apt-get install -y -q openjdk-17-jre-headless >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q openjdk-17-jre-headless >/dev/null; }) ||
      echo "could not install Java: the Spark test will be skipped"
  fi
fi
"$py" -m pip install -q "${deps[@]}"

if [ -z "${STANCEKIT_BIN:-}" ]; then
  echo "== the stancekit command to compare with"
  (cd "$root" && cargo build --release --bin stancekit)
  STANCEKIT_BIN=${CARGO_TARGET_DIR:-$root/target}/release/stancekit
fi
# Absolute: the tests run it from other directories (and Spark's workers).
STANCEKIT_BIN=$(realpath "$STANCEKIT_BIN")
export STANCEKIT_BIN

echo "== building the wheel"
dist=$(mktemp -d)
# Its own target directory: the bindings are a separate workspace.
(cd "$here" && CARGO_TARGET_DIR="$here/target" "$venv/bin/maturin" build --release --quiet -o "$dist")
"$py" -m pip install -q --force-reinstall "$dist"/stancekit-*.whl

echo "== pytest"
# Run from the tests' directory against the installed wheel, not the source.
(cd "$here/tests" && PYSPARK_PYTHON="$py" "$py" -m pytest -q -rs -p no:cacheprovider .)
echo "== python package: ok in $(( $(date +%s) - started ))s"
