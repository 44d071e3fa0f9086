#!/usr/bin/env bash
# Fresh machine -> synthesized example app in cdk.out/. Extra arguments go to `cdk synth`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
cdk synth --quiet "$@"
echo "synthesized: $(cd cdk.out && find . -name '*.template.json' | sort | tr '\n' ' ')"
