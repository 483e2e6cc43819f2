#!/usr/bin/env bash
# Drop-in replacement for the execution-tracking skill's update-status.sh, backed by exectrack.
# Same arguments and exit codes:
#   update-status.sh init SPEC | update SPEC LAYER TASK STATUS | complete-layer SPEC LAYER
#   update-status.sh error SPEC LAYER TASK MESSAGE | pause SPEC [REASON] | resume SPEC | report SPEC
set -euo pipefail
# shellcheck source=scripts/exectrack-shim.sh
. "$(dirname "${BASH_SOURCE[0]}")/exectrack-shim.sh"

if [ "$#" -eq 0 ]; then
  echo "usage: update-status.sh init|update|complete-layer|error|pause|resume|report SPEC [...]" >&2
  exit 1
fi
command=$1
shift
case $command in
  # The original init started the file over; exectrack keeps the old one as .bak.
  init) exectrack_run init "$@" --force ;;
  *) exectrack_run "$command" "$@" ;;
esac
