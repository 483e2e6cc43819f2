#!/usr/bin/env bash
# Builds exectrack (release, static Swift runtime) and installs it with the drop-in shims and
# shell completions:
#   scripts/install.sh [PREFIX]     (default /usr/local)
#   PREFIX/bin/exectrack
#   PREFIX/share/exectrack/scripts/{update-status,parse-layered-tasks,calculate-metrics}.sh
#   PREFIX/share/bash-completion/completions/exectrack, PREFIX/share/zsh/site-functions/_exectrack
# A relative PREFIX is relative to where the script is called from. EXECTRACK_BIN=PATH installs
# that binary instead of building one (a binary built elsewhere, or by a packager).
set -euo pipefail
prefix=${1:-/usr/local}
case $prefix in
  /*) ;;
  *) prefix=$PWD/$prefix ;;
esac
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${EXECTRACK_BIN:-}
case $bin in
  ''|/*) ;;
  *) bin=$PWD/$bin ;;
esac

cd "$repo"
if [ -z "$bin" ]; then
  # A static executable: no dynamic loader at start-up, which halves the time a short command
  # such as the hook takes (docs/benchmarks.md).
  swift build -c release --static-swift-stdlib -Xswiftc -static-executable
  bin=$(swift build -c release --static-swift-stdlib -Xswiftc -static-executable --show-bin-path)/exectrack
fi

install -d "$prefix/bin" "$prefix/share/exectrack/scripts" \
  "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions"
install -m 755 "$bin" "$prefix/bin/exectrack"
for script in exectrack-shim.sh update-status.sh parse-layered-tasks.sh calculate-metrics.sh; do
  install -m 755 "scripts/$script" "$prefix/share/exectrack/scripts/$script"
done
"$prefix/bin/exectrack" completions bash > "$prefix/share/bash-completion/completions/exectrack"
"$prefix/bin/exectrack" completions zsh > "$prefix/share/zsh/site-functions/_exectrack"

echo "installed $("$prefix/bin/exectrack" --version) to $prefix/bin/exectrack"
echo "drop-in shims: $prefix/share/exectrack/scripts/ (copy them over the old scripts)"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "add $prefix/bin to PATH to run exectrack by name" ;;
esac
