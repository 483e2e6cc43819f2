#!/usr/bin/env bash
# Drop-in replacement for parse-layered-tasks.sh: (re)seeds .claude/execution/SPEC.json from
# specs/SPEC/layered-tasks.md, keeping the progress of tasks already tracked.
set -euo pipefail
# shellcheck source=scripts/exectrack-shim.sh
. "$(dirname "${BASH_SOURCE[0]}")/exectrack-shim.sh"

if [ "$#" -lt 1 ]; then
  echo "usage: parse-layered-tasks.sh SPEC" >&2
  exit 1
fi
exectrack_run parse "$@"
