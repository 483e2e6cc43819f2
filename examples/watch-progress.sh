#!/usr/bin/env bash
# watch-progress.sh - follow a spec's execution live.
#
# Usage: examples/watch-progress.sh SPEC [INTERVAL_SECONDS]     (default interval: 5)
#
# On a terminal exectrack redraws the report in place (Ctrl-C restores the screen); when the
# output is piped (CI logs, `| tee`) it prints a new report only when the status file changes.
# A status file that does not exist yet is waited for. Set EXECTRACK to use another binary,
# e.g. EXECTRACK=.build/debug/exectrack.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || -z $1 ]]; then
  echo "usage: $(basename "$0") SPEC [INTERVAL_SECONDS]" >&2
  exit 1
fi

SPEC="$1"
exec "${EXECTRACK:-exectrack}" watch "$SPEC" --interval "${2:-5}"
