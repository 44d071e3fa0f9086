#!/usr/bin/env bash
# Rewrites constraints.txt from the project venv: every installed distribution at its version
# (the editable project itself excluded). Run after changing pyproject.toml's dependencies and
# installing them (pip install -e ".[dev]" without -c), then run the suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
{
  echo "# The project's own set-up and CI install with these pins (scripts/setup.sh passes -c),"
  echo "# so every run tests the same versions; the library's metadata (pyproject.toml) stays open."
  echo "# Regenerate with ./scripts/lock.sh after changing pyproject.toml's dependencies."
  "$ROOT/.venv/bin/python" -m pip freeze --all --exclude-editable --disable-pip-version-check
} > "$ROOT/constraints.txt.new"
mv "$ROOT/constraints.txt.new" "$ROOT/constraints.txt"
echo "constraints.txt: $(grep -vc '^#' "$ROOT/constraints.txt") pins"
