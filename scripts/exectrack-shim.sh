# shellcheck shell=bash
# Shared by the drop-in shims: finds exectrack ($EXECTRACK, next to the script, or on PATH)
# and runs it, passing its exit code through.
exectrack_run() {
  local here bin
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
  if [ -n "${EXECTRACK:-}" ]; then
    bin=$EXECTRACK
  elif [ -x "$here/exectrack" ]; then
    bin=$here/exectrack
  elif command -v exectrack >/dev/null 2>&1; then
    bin=$(command -v exectrack)
  else
    echo "exectrack not found: install it (scripts/install.sh), put it on PATH, or set EXECTRACK" >&2
    exit 2
  fi
  exec "$bin" "$@"
}
