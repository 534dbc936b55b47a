#!/bin/sh
# Builds the Python extension into a fresh virtual environment and runs the
# tests with pytest.
#
#   bindings/python/run-tests.sh [PYTEST ARGS...]
#
# Needs: python3 (3.10 or later) with venv, cargo, and access to PyPI for
# maturin and pytest. The environment is kept in bindings/python/.venv so
# that later runs reuse it; delete it to start over.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade "maturin>=1.16,<2" "pytest>=8"

# maturin builds the release extension and installs it into the venv.
(cd "$here" && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --release --quiet)

cd "$here"
"$venv/bin/python" -m pytest tests "$@"
