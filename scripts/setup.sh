#!/usr/bin/env bash
# Idempotent set-up: a project venv (.venv) with the package (editable) and its dev tools at the
# versions pinned in constraints.txt, and the pinned Node tooling (CDK CLI 2.x and Node 22 for
# jsii) in node_modules. Re-running is cheap: each half is redone only when its inputs change.
# Source it to get PATH set up as well.
#
# CONSTRAINTS=constraints-pipeline.txt selects another pin set (aws-cdk-lib 2.273.0, which CDK
# Pipelines' cdk-assets can read) into a venv of its own, .venv-pipeline; VENV overrides the folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PYTHON="${PYTHON:-python3}"
CONSTRAINTS="${CONSTRAINTS:-constraints.txt}"
if [ "$CONSTRAINTS" = constraints.txt ]; then
  VENV="${VENV:-.venv}"
else
  pins="$(basename "$CONSTRAINTS" .txt)"
  VENV="${VENV:-.venv-${pins#constraints-}}"
fi
stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

(
cd "$ROOT"
py_stamp="$(stamp pyproject.toml "$CONSTRAINTS")"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.setup-stamp" 2>/dev/null)" != "$py_stamp" ]; then
  echo "setup: installing Python dependencies into $VENV ($CONSTRAINTS)" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  pip_install() {
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c "$CONSTRAINTS" "$@"
  }
  pip_install --upgrade pip
  pip_install -e ".[dev]"
  echo "$py_stamp" > "$VENV/.setup-stamp"
fi

node_stamp="$(stamp package.json package-lock.json)"
if [ ! -x node_modules/.bin/cdk ] || [ "$(cat node_modules/.setup-stamp 2>/dev/null)" != "$node_stamp" ]; then
  echo "setup: installing the pinned CDK CLI and Node 22 into node_modules" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$node_stamp" > node_modules/.setup-stamp
fi
)

# Node 22 from npm first on PATH: jsii (inside every Python CDK process) and the CDK CLI then run
# on a supported Node, so neither prints the Node 20 end-of-life banner.
export PATH="$ROOT/node_modules/.bin:$ROOT/$VENV/bin:$PATH"
