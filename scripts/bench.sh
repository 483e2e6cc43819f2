#!/usr/bin/env bash
# Benchmarks exectrack as users run it: whole processes, release build, static stdlib.
#   scripts/bench.sh [RUNS]        (default 30 runs per command and size)
# Prints median and p95 wall time and peak RSS per command and size, and the floor: a trivial
# static binary that reads the status file and writes it back with fsync and rename.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
swift build -c release --static-swift-stdlib >/dev/null
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/exectrack
work=$(mktemp -d /tmp/exectrack-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
swiftc -O -static-stdlib scripts/bench-floor.swift -o "$work/floor"
python3 scripts/bench.py "$bin" "$work/floor" "$work" "${1:-30}"
