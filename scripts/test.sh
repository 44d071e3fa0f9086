#!/usr/bin/env bash
# Fresh machine -> the whole test suite. Extra arguments go to pytest (e.g. `-m "not cli"`, or
# `-n 2 --dist loadfile` with pytest-xdist where cores are free: on a busy 2-core machine the
# session fixtures, built once per worker, cost more than the second worker saves).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
# A second run reuses pytest's rewritten test modules and every compiled module, its subprocesses'
# included (about 3 s): __pycache__/ is gitignored, so the tree stays clean.
unset PYTHONDONTWRITEBYTECODE
start=$(date +%s.%N)
status=0
python -m pytest "$@" || status=$?
end=$(date +%s.%N)
python -c "print(f'test suite wall time: {$end - $start:.1f} s')"
# pytest exits 5 when it collected no tests: a failure, never a silent pass.
[ "$status" -ne 5 ] || echo "test.sh: pytest collected no tests (exit 5)" >&2
exit "$status"
