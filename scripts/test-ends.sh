#!/usr/bin/env bash
# The ends of the supported aws-cdk-lib range (tests/ends): the built wheel beside the floor and
# beside 2.273.0 in fresh venvs, each synthesized by the real CDK CLI and read by the real
# cdk-assets 4.7.3, and the example pipeline's own Synth command. CI runs it after the suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
status=0
CONSTRUCTS_PINPOINT_ENDS=1 python -m pytest tests/ends -p no:cacheprovider "$@" || status=$?
[ "$status" -ne 5 ] || echo "test-ends.sh: pytest collected no tests (exit 5)" >&2
exit "$status"
