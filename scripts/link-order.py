#!/usr/bin/env python3
"""Writes scripts/link-order.txt: the functions the everyday commands run, which Package.swift
asks the linker to place first and together (docs/benchmarks.md, "Code layout").

A 13-task command runs about 1 MB of code spread over the 9 MB of the binary's text; each 64 KiB
the kernel maps on a page fault then costs a fault, so the scattered code cost ~100 faults per
run, the laid-out code ~35. The list is taken from callgrind runs of a release build over the
commands agents run most, on a 13-task spec, and kept in the repository so builds need no
profiler. Functions are listed by how many of those commands run them, so what every command
runs comes first. Names the binary no longer has are skipped by the linker; rerun this after
changes that rename hot functions:

    swift build -c release --static-swift-stdlib -Xswiftc -static-executable
    scripts/link-order.py "$(swift build -c release --static-swift-stdlib -Xswiftc -static-executable --show-bin-path)/exectrack"

Needs valgrind and binutils (nm)."""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = os.path.abspath(sys.argv[1])
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "link-order.txt")

TASKS = "\n".join(
    ["# Feature: Order", ""]
    + [line for layer in range(4) for line in
       [f"## Layer {layer}: Part {layer}"]
       + [f"- [ ] T{n:03d} @agent-{n % 3} Build component {n}" + (f" depends on T{n - 1:03d}" if n % 4 == 0 else "")
          for n in range(layer * 4 + 1, layer * 4 + 5)]]) + "\n"

HOOK = {"session_id": "order", "transcript_path": "/tmp/none.jsonl", "permission_mode": "default",
        "hook_event_name": "PostToolUse", "tool_name": "Edit", "tool_input": {"file_path": "a.ts"},
        "tool_response": {"success": True}}

COMMANDS = [
    ["claim", "S001", "--agent", "order"],
    ["heartbeat", "S001", "--agent", "order"],
    ["update", "S001", "L0", "2", "in_progress"],
    ["update", "S001", "L0", "2", "complete", "--duration-ms", "1200"],
    ["error", "S001", "L0", "3", "Timeout talking to the database"],
    ["warn", "S001", "Slow test suite"],
    ["report", "S001"],
    ["report", "S001", "--json"],
    ["metrics", "S001"],
    ["next", "S001"],
    ["list"],
    ["agents", "S001"],
    ["parse", "S001"],
    ["export", "S001", "--format", "junit"],
    ["events", "S001", "--limit", "5"],
    ["hook"],
    ["--version"],
]


def defined_symbols():
    out = subprocess.run(["nm", "--defined-only", BIN], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if len(line.split()) == 3}


def main():
    known = defined_symbols()
    runs = collections.Counter()
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, ".git"))
        os.makedirs(os.path.join(root, "specs", "S001"))
        with open(os.path.join(root, "specs", "S001", "layered-tasks.md"), "w") as f:
            f.write(TASKS)
        subprocess.run([BIN, "init", "S001"], cwd=root, check=True, capture_output=True)
        subprocess.run([BIN, "update", "S001", "L0", "0", "complete"], cwd=root, check=True, capture_output=True)
        hook = os.path.join(root, "hook.json")
        with open(hook, "w") as f:
            json.dump({**HOOK, "cwd": root}, f)
        profile = os.path.join(root, "callgrind.out")
        for argv in COMMANDS:
            with open(hook if argv == ["hook"] else os.devnull) as stdin:
                subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no",
                                f"--callgrind-out-file={profile}", BIN, *argv],
                               cwd=root, stdin=stdin, capture_output=True, check=True)
            with open(profile) as f:
                # fn= a function that ran, cfn= one it called; a trailing 'N marks recursion depth.
                names = {re.sub(r"'\d+$", "", line.split("=", 1)[1].strip())
                         for line in f if line.startswith(("fn=", "cfn="))}
            runs.update(names & known)
    order = sorted(runs, key=lambda name: (-runs[name], name))
    with open(OUT, "w") as f:
        f.write("\n".join(order) + "\n")
    print(f"{len(order)} functions from {len(COMMANDS)} commands -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    if not shutil.which("valgrind"):
        raise SystemExit("link-order.py needs valgrind")
    main()
