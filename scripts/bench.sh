#!/usr/bin/env bash
# Benchmarks exectrack as users run it: whole processes, the release build install.sh makes (a
# static executable).
#   scripts/bench.sh [RUNS]        (default 30 runs per command and size)
# Prints median and p95 wall time and peak RSS per command and size, the floors (a static
# FoundationEssentials binary that decodes, re-encodes and writes the status file with fsync and
# rename; one that only reads and writes the bytes, with and without an event append; one that
# only reads them) and every target of docs/benchmarks.md with its margin.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
swift build -c release --static-swift-stdlib -Xswiftc -static-executable >/dev/null
bin=$(swift build -c release --static-swift-stdlib -Xswiftc -static-executable --show-bin-path)/exectrack
work=$(mktemp -d /tmp/exectrack-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# (Linking FoundationEssentials statically prints a linker warning about mktemp; shown only on failure.)
swiftc -O -static-executable scripts/bench-floor.swift -o "$work/floor" 2>"$work/floor.log" || { cat "$work/floor.log" >&2; exit 1; }
swiftc -O -static-executable scripts/bench-floor-io.swift -o "$work/floor-io"
swiftc -O -static-executable scripts/bench-floor-read.swift -o "$work/floor-read"
python3 scripts/bench.py "$bin" "$work/floor" "$work/floor-io" "$work/floor-read" "$work" "${1:-30}"
