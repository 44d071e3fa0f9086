#!/usr/bin/env bash
# Fresh machine -> the whole test suite. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
start=$(date +%s.%N)
status=0
python -m pytest "$@" || status=$?
end=$(date +%s.%N)
python -c "print(f'test suite wall time: {$end - $start:.1f} s')"
exit "$status"
