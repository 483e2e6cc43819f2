#!/usr/bin/env bash
# Drop-in replacement for calculate-metrics.sh: calculate-metrics.sh SPEC [--export]
# (--export writes .claude/execution/SPEC-metrics.json).
set -euo pipefail
# shellcheck source=scripts/exectrack-shim.sh
. "$(dirname "${BASH_SOURCE[0]}")/exectrack-shim.sh"

if [ "$#" -lt 1 ]; then
  echo "usage: calculate-metrics.sh SPEC [--export]" >&2
  exit 1
fi
exectrack_run metrics "$@"
