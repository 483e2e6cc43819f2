#!/usr/bin/env python3
"""Runs the exectrack benchmark (called by scripts/bench.sh): generates specs of 13, 1,000 and
10,000 tasks and directories of 100 and 1,000 specs, runs each command as a whole process RUNS
times, and prints median and p95 wall time and peak RSS (GNU time, one run) per command and size,
the two floors, the 1k -> 10k ratios and each target in docs/benchmarks.md with its margin."""
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

BIN, FLOOR, FLOOR_IO, WORK, RUNS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])


def tasks_markdown(count, layers=4):
    lines = [f"# Feature: Benchmark {count}", ""]
    per_layer = max(1, count // layers)
    n = 0
    for layer in range(layers):
        lines.append(f"## Layer {layer}: Part {layer}")
        for _ in range(per_layer if layer < layers - 1 else count - per_layer * (layers - 1)):
            n += 1
            lines.append(f"- [ ] T{n:05d} @agent-{n % 5} Implement component {n} of the feature"
                         + (f" depends on T{n - 1:05d}" if n % 7 == 0 else ""))
    return "\n".join(lines) + "\n"


def project(name, count, specs=1):
    root = os.path.join(WORK, name)
    os.makedirs(os.path.join(root, ".git"), exist_ok=True)
    for s in range(specs):
        spec = f"S{s:04d}"
        os.makedirs(os.path.join(root, "specs", spec), exist_ok=True)
        with open(os.path.join(root, "specs", spec, "layered-tasks.md"), "w") as f:
            f.write(tasks_markdown(count))
        run([BIN, "init", spec], root)
        # A realistic state: half of the first layer done, a few running, one error.
        for i in range(0, max(1, count // 8)):
            run([BIN, "update", spec, "L0", str(i), "complete", "--duration-ms", str(1000 + i)], root)
        run([BIN, "update", spec, "L0", str(count // 8 + 1), "in_progress"], root)
        run([BIN, "error", spec, "L0", str(count // 8 + 2), "Database connection timeout"], root)
    return root


def run(argv, cwd):
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def peak_rss_mb(argv, cwd, before=None):
    """One run under GNU time: the child's own peak RSS. (wait4 from this process would count the
    Python interpreter's pages, which a spawned child's accounting inherits.)"""
    if before:
        before()
    out = os.path.join(WORK, "rss.txt")
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + argv, cwd=cwd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    with open(out) as f:
        return int(f.read().split()[-1]) / 1024


def measure(argv, cwd, runs, before=None):
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        pid = spawn(argv, cwd)
        _, status = os.waitpid(pid, 0)
        times.append((time.perf_counter() - start) * 1000)
        if os.waitstatus_to_exitcode(status) not in (0, 6):
            raise SystemExit(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], peak_rss_mb(argv, cwd, before)


def spawn(argv, cwd):
    here = os.getcwd()
    os.chdir(cwd)
    try:
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)])
    finally:
        os.chdir(here)


def main():
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"{subprocess.run([BIN, '--version'], capture_output=True, text=True).stdout.strip()}")
    print(f"runs per figure: {RUNS} (a third of that at 10,000 tasks)\n")
    print(f"{'command':<22}{'size':>12}{'median ms':>11}{'p95 ms':>9}{'peak RSS MB':>13}")
    results, rss = {}, {}
    for count in (13, 1000, 10000):
        root = project(f"t{count}", count)
        status = os.path.join(root, ".claude/execution/S0000.json")
        snapshot = status + ".bench"
        # The floors rewrite their own copy, so the commands below always read exectrack's file.
        floor_copy = os.path.join(root, ".claude/execution/floor.json")
        shutil.copyfile(status, snapshot)

        def reset():
            shutil.copyfile(snapshot, status)

        def reset_floor():
            shutil.copyfile(snapshot, floor_copy)
        runs = RUNS if count < 10000 else max(5, RUNS // 3)
        commands = [
            ("floor (Codable)", [FLOOR, floor_copy], reset_floor),
            ("floor (I/O only)", [FLOOR_IO, floor_copy], reset_floor),
            ("update", [BIN, "update", "S0000", "L1", "0", "in_progress"], reset),
            ("report", [BIN, "report", "S0000"], None),
            ("metrics", [BIN, "metrics", "S0000"], None),
            ("export junit", [BIN, "export", "S0000", "--format", "junit"], None),
            ("next", [BIN, "next", "S0000"], None),
            ("claim", [BIN, "claim", "S0000", "--agent", "bench"], reset),
            ("parse", [BIN, "parse", "S0000"], reset),
            ("list", [BIN, "list"], None),
        ]
        for name, argv, before in commands:
            median, p95, peak = measure(argv, root, runs, before)
            results[(name, count)] = median
            rss[(name, count)] = peak
            print(f"{name:<22}{count:>8} tasks{median:>9.1f}{p95:>9.1f}{peak:>13.1f}")
        print()
    for specs in (100, 1000):
        root = project(f"s{specs}", 13, specs)
        median, p95, peak = measure([BIN, "list"], root, max(5, RUNS // 3))
        results[("list", f"{specs} specs")] = median
        print(f"{'list':<22}{specs:>8} specs{median:>9.1f}{p95:>9.1f}{peak:>13.1f}")

    print("\nratios (13 tasks, to the floors)")
    floor, floor_io = results[("floor (Codable)", 13)], results[("floor (I/O only)", 13)]
    for name in ("update", "report", "metrics", "next", "list"):
        print(f"  {name:<8} {results[(name, 13)] / floor:5.2f} x Codable floor   "
              f"{results[(name, 13)] / floor_io:5.2f} x I/O-only floor")
    print("\ngrowth from 1,000 to 10,000 tasks (10 would be linear)")
    for name in ("update", "report", "metrics", "export junit", "next", "claim", "parse"):
        print(f"  {name:<13} {results[(name, 10000)] / results[(name, 1000)]:5.1f}")

    print("\ntargets")
    commands13 = ("update", "report", "metrics", "export junit", "next", "claim", "parse", "list")
    targets = [
        ("13 tasks: update within 1.5x the floor", results[("update", 13)], 1.5 * floor, "ms"),
        *[(f"13 tasks: {name} below the floor", results[(name, 13)], floor, "ms")
          for name in ("report", "metrics", "next", "list")],
        ("10,000 tasks: update under 60 ms", results[("update", 10000)], 60, "ms"),
        ("10,000 tasks: report under 40 ms", results[("report", 10000)], 40, "ms"),
        ("10,000 tasks: metrics under 60 ms", results[("metrics", 10000)], 60, "ms"),
        ("list over 1,000 specs under 300 ms", results[("list", "1000 specs")], 300, "ms"),
        ("13 tasks: peak RSS under 30 MB", max(rss[(n, 13)] for n in commands13), 30, "MB"),
        ("10,000 tasks: peak RSS under 100 MB", max(rss[(n, 10000)] for n in commands13), 100, "MB"),
    ]
    for label, value, limit, unit in targets:
        verdict = "met" if value < limit else f"MISSED by {value - limit:.1f} {unit} ({value / limit:.2f}x)"
        print(f"  {label:<40} {value:7.1f} {unit} (limit {limit:.1f})  {verdict}")


main()
