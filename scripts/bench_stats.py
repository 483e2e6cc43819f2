#!/usr/bin/env python3
"""`exectrack stats` against SQLite (docs/stats.md, docs/benchmarks.md): generates 1,000 live
specs and 5,000 archived ones (13 tasks each, 78,000 tasks, with their event logs), times
`exectrack stats --json` as a whole process (the first run builds the summary cache, later runs
use it), loads the same task and error records into SQLite (Python's sqlite3, load time
excluded, with indexes) and times the same aggregations there as SQL.

Usage: bench_stats.py EXECTRACK WORK RUNS [LIVE ARCHIVED]   (also called by bench.py)
"""
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time

DAY = 86_400_000
MINUTE = 60_000
AGENTS = [f"agent-{n:02d}" for n in range(24)]
COMPLEXITY = [("easy", 0.5, 20), ("medium", 0.35, 60), ("hard", 0.15, 180)]
CATEGORIES = ["timeout", "connection", "permission", "not_found", "auth", "syntax", "dependency", "other"]
WORDS = ["schema", "service", "worker", "queue", "cache", "endpoint", "migration", "client", "parser", "report", "index", "search",
         "upload", "billing", "session", "token", "audit", "export", "import", "layout"]
LAYERS = [4, 4, 3, 2]


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def spec_records(rng, name, created, finished):
    """One spec's tasks (status-file dicts), its task records for SQL, its errors and its events."""
    tasks, records, errors, events = {}, [], [], []
    gate = created
    n = 0
    previous_ids = []
    stop_at = None if finished else rng.randrange(1, 13)
    for layer, count in enumerate(LAYERS):
        key = f"L{layer}"
        tasks[key] = {"name": f"Part {layer}", "tasks": []}
        ids, ends = [], []
        for index in range(count):
            n += 1
            roll, cumulative = rng.random(), 0
            for complexity, weight, mean in COMPLEXITY:
                cumulative += weight
                if roll <= cumulative:
                    break
            agent = rng.choice(AGENTS)
            task_id = f"T{n:03d}"
            deps = [rng.choice(previous_ids)] if previous_ids else []
            dep_end = max((e for i, e in zip(previous_ids, previous_ends) if i in deps), default=gate) if previous_ids else gate
            ready = max(gate, dep_end, created)
            description = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.choice(WORDS)} {n}"
            task = {"index": index, "id": task_id, "description": description, "agent": agent, "complexity": complexity,
                    "dependencies": deps, "status": "pending", "started_at": None, "completed_at": None, "duration_ms": None,
                    "attempts": 0, "output": None, "files_created": [], "files_modified": [], "error": None}
            record = dict(spec=name, layer=key, idx=index, complexity=complexity, agent=agent, status="pending", planned=created,
                          ready=None, first_start=None, final_start=None, end_ms=None, attempts=0, cost=0.0, tokens=0)
            if stop_at is not None and n > stop_at:
                tasks[key]["tasks"].append(task)
                records.append(record)
                ids.append(task_id)
                ends.append(None)
                continue
            first = ready + rng.randrange(0, 60) * MINUTE
            start, attempts = first, 1
            if rng.random() < 0.1:
                failed_at = first + int(rng.expovariate(1 / mean) * MINUTE) + MINUTE
                events.append((first, key, index, "started", "pending", "in_progress"))
                events.append((failed_at, key, index, "failed", "in_progress", "failed"))
                start = failed_at + 10 * MINUTE
                attempts = 2
                errors.append({"layer": key, "task_index": index, "task_id": task_id, "error": "connection reset", "timestamp": iso(failed_at),
                               "severity": "medium", "category": rng.choice(CATEGORIES), "resolved_at": iso(start)})
            end = start + int(rng.expovariate(1 / mean) * MINUTE) + MINUTE
            running = stop_at is not None and n == stop_at
            events.append((start, key, index, "started", "failed" if attempts == 2 else "pending", "in_progress"))
            task.update(status="in_progress" if running else "complete", started_at=iso(start), attempts=attempts,
                        completed_at=None if running else iso(end), duration_ms=None if running else end - start)
            record.update(status=task["status"], first_start=first, final_start=start, end_ms=None if running else end, attempts=attempts,
                          ready=ready)
            if not running:
                events.append((end, key, index, "completed", "in_progress", "complete"))
                if rng.random() < 0.5:
                    tokens = rng.randrange(1_000, 200_000)
                    cost = round(tokens * 3e-6, 6)
                    task["usage"] = {"input_tokens": tokens, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                                     "requests": 1, "model": "claude-sonnet-4-5", "cost_usd": cost, "cost_source": "calculated"}
                    record.update(cost=cost, tokens=tokens)
            tasks[key]["tasks"].append(task)
            records.append(record)
            ids.append(task_id)
            ends.append(None if running else end)
        previous_ids, previous_ends = ids, [e if e is not None else 0 for e in ends]
        # The next layer is ready when this one is done; in an unfinished spec the tasks after
        # `stop_at` stay pending, so an unfinished layer's gate is never used.
        gate = max([e for e in ends if e is not None], default=gate)
    status = {"schema_version": 1, "feature": name, "feature_name": f"Feature {name}", "created_at": iso(created), "layers": tasks,
              "errors": errors, "warnings": []}
    return status, records, errors, sorted(events)


def generate(root, live, archived, seed=17):
    rng = random.Random(seed)
    execution = os.path.join(root, ".claude", "execution")
    os.makedirs(os.path.join(execution, "archive"), exist_ok=True)
    os.makedirs(os.path.join(root, ".git"), exist_ok=True)
    now = int(time.time() * 1000)
    all_records, all_errors = [], []
    for n in range(live + archived):
        is_archived = n >= live
        name = f"S{n:05d}"
        finished = is_archived or rng.random() < 0.7
        # A spec still under way began lately: its running task started in the last days.
        created = now - (rng.randrange(1, 120) if finished else 2) * DAY - rng.randrange(0, DAY)
        status, records, errors, events = spec_records(rng, name, created, finished=finished)
        for record in records:
            record["archived"] = is_archived
        all_records += records
        all_errors += [(name, e["category"], 1 if e.get("resolved_at") else 0) for e in errors]
        base = os.path.join(execution, "archive", f"{name}-20261101") if is_archived else os.path.join(execution, name)
        with open(base + ".json", "w") as f:
            json.dump(status, f, indent=2)
        by_key = {(layer, t["index"]): t for layer, part in status["layers"].items() for t in part["tasks"]}
        with open(base + ".events.jsonl", "w") as f:
            for seq, (at, layer, index, kind, was, to) in enumerate(events, start=1):
                f.write(json.dumps({"specversion": "1.0", "id": f"{name}-{seq}", "source": f"exectrack/{name}",
                                    "type": f"dev.exectrack.task.{kind}", "time": iso(at), "datacontenttype": "application/json", "seq": seq,
                                    "data": {"actor": {"pid": 4242, "host": "bench"}, "layer": layer, "index": index, "from": was, "to": to,
                                             "task": by_key[(layer, index)]}}, separators=(",", ":")) + "\n")
    return all_records, all_errors, now


def sqlite_database(records, errors):
    db = sqlite3.connect(":memory:")
    db.execute("""CREATE TABLE tasks (spec TEXT, archived INT, layer TEXT, idx INT, complexity TEXT, agent TEXT, status TEXT, planned INT,
                  ready INT, first_start INT, final_start INT, end_ms INT, attempts INT, cost REAL, tokens INT)""")
    db.execute("CREATE TABLE errors (spec TEXT, category TEXT, resolved INT)")
    db.executemany("INSERT INTO tasks VALUES (:spec, :archived, :layer, :idx, :complexity, :agent, :status, :planned, :ready, :first_start, "
                   ":final_start, :end_ms, :attempts, :cost, :tokens)", records)
    db.executemany("INSERT INTO errors VALUES (?, ?, ?)", errors)
    for statement in ["CREATE INDEX t_status_end ON tasks (status, end_ms)", "CREATE INDEX t_complexity ON tasks (complexity)",
                      "CREATE INDEX t_agent_start ON tasks (agent, first_start)", "CREATE INDEX t_spec_layer ON tasks (spec, layer)",
                      "CREATE INDEX e_category ON errors (category)", "ANALYZE"]:
        db.execute(statement)
    return db


# The aggregations `stats` makes, as SQL over the same records (the critical paths, which need
# the dependency graph, are left out: stats reads them from its cache).
# Each started task's five points (docs/stats.md), computed once into a table the split queries share.
SPLIT = """CREATE TEMP TABLE c AS
       WITH b AS (SELECT spec, layer, agent, status, first_start f, min(coalesce(planned, first_start), first_start) p0,
                  max(coalesce(final_start, first_start), first_start) p3, ready, end_ms FROM tasks WHERE first_start IS NOT NULL)
       SELECT spec, layer, agent, p0, min(max(coalesce(ready, f), p0), f) p1, f p2, p3,
              max(coalesce(end_ms, CASE WHEN status = 'in_progress' THEN :now ELSE p3 END), p3) p4 FROM b"""
QUERIES = [
    SPLIT,
    """WITH d AS (SELECT end_ms / 86400000 AS day, count(*) c, sum(cost) cost FROM tasks WHERE status = 'complete' AND end_ms IS NOT NULL
                  GROUP BY day)
       SELECT day, c, sum(c) OVER (ORDER BY day RANGE BETWEEN 6 PRECEDING AND CURRENT ROW) / 7.0, cost FROM d ORDER BY day""",
    "SELECT coalesce(agent, 'unassigned'), count(*) FROM tasks WHERE status = 'complete' AND end_ms IS NOT NULL GROUP BY 1 ORDER BY 2 DESC",
    "SELECT coalesce(complexity, 'unknown'), count(*) FROM tasks WHERE status = 'complete' AND end_ms IS NOT NULL GROUP BY 1 ORDER BY 2 DESC",
    "SELECT sum(p1 - p0), sum(p2 - p1), sum(p3 - p2), sum(p4 - p3) FROM c",
    "SELECT layer, sum(p1 - p0), sum(p2 - p1), sum(p3 - p2), sum(p4 - p3) FROM c GROUP BY layer",
    "SELECT agent, sum(p1 - p0), sum(p2 - p1), sum(p3 - p2), sum(p4 - p3) FROM c GROUP BY agent",
    "SELECT spec, sum(p1 - p0), sum(p2 - p1), sum(p3 - p2), sum(p4 - p3) FROM c GROUP BY spec",
    "SELECT spec, layer, sum(p2 - p0) w FROM c GROUP BY spec, layer HAVING w > 0 ORDER BY w DESC LIMIT 10",
    """WITH e AS (SELECT spec, layer, idx, coalesce(complexity, 'unknown') complexity, end_ms - first_start elapsed FROM tasks
                  WHERE status = 'complete' AND first_start IS NOT NULL AND end_ms >= first_start),
            r AS (SELECT complexity, elapsed, row_number() OVER (PARTITION BY complexity ORDER BY elapsed) rn,
                  count(*) OVER (PARTITION BY complexity) n FROM e)
       SELECT complexity, n, min(elapsed), max(elapsed),
              max(CASE WHEN rn = (25 * n + 99) / 100 THEN elapsed END), max(CASE WHEN rn = (50 * n + 99) / 100 THEN elapsed END),
              max(CASE WHEN rn = (75 * n + 99) / 100 THEN elapsed END), max(CASE WHEN rn = (90 * n + 99) / 100 THEN elapsed END),
              max(CASE WHEN rn = (95 * n + 99) / 100 THEN elapsed END) FROM r GROUP BY complexity""",
    """WITH e AS (SELECT spec, layer, idx, coalesce(complexity, 'unknown') complexity, end_ms - first_start elapsed FROM tasks
                  WHERE status = 'complete' AND first_start IS NOT NULL AND end_ms >= first_start),
            r AS (SELECT complexity, elapsed, row_number() OVER (PARTITION BY complexity ORDER BY elapsed) rn,
                  count(*) OVER (PARTITION BY complexity) n FROM e),
            p AS (SELECT complexity, elapsed p95 FROM r WHERE rn = (95 * n + 99) / 100)
       SELECT e.spec, e.layer, e.idx, e.elapsed, p.p95 FROM e JOIN p USING (complexity) WHERE e.elapsed > p.p95
       ORDER BY e.elapsed DESC LIMIT 10""",
    """WITH iv AS (SELECT agent, first_start s, coalesce(end_ms, CASE WHEN status = 'in_progress' THEN :now ELSE first_start END) e FROM tasks
                   WHERE agent IS NOT NULL AND first_start IS NOT NULL),
            o AS (SELECT agent, s, e, max(e) OVER (PARTITION BY agent ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) prev FROM iv
                  WHERE e > s),
            g AS (SELECT agent, s, e, sum(CASE WHEN prev IS NULL OR s > prev THEN 1 ELSE 0 END)
                  OVER (PARTITION BY agent ORDER BY s ROWS UNBOUNDED PRECEDING) grp FROM o),
            i AS (SELECT agent, min(s) s, max(e) e FROM g GROUP BY agent, grp)
       SELECT agent, sum(e - s) busy, max(e) - min(s) win, 1.0 - sum(e - s) * 1.0 / (max(e) - min(s)) idle FROM i GROUP BY agent
       ORDER BY idle DESC""",
    "SELECT category, count(*), sum(resolved), sum(resolved) * 1.0 / count(*) FROM errors GROUP BY category ORDER BY 2 DESC",
    "SELECT count(*), sum(attempts - 1) FROM tasks WHERE attempts > 1",
    "SELECT spec, layer, idx, attempts FROM tasks WHERE attempts > 1 ORDER BY attempts DESC, spec, layer, idx LIMIT 10",
    "SELECT sum(cost), sum(tokens) FROM tasks",
    "SELECT spec, sum(cost) c FROM tasks GROUP BY spec HAVING c > 0 ORDER BY c DESC LIMIT 10",
]


def sqlite_ms(db, now, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for query in QUERIES:
            db.execute(query, {"now": now} if ":now" in query else {}).fetchall()
        times.append((time.perf_counter() - start) * 1000)
        db.execute("DROP TABLE temp.c")
    return statistics.median(times)


def stats_ms(binary, root, runs):
    def once():
        start = time.perf_counter()
        subprocess.run([binary, "stats", "--json"], cwd=root, stdout=subprocess.DEVNULL, check=True)
        return (time.perf_counter() - start) * 1000
    cache = os.path.join(root, ".claude", "exectrack", "stats-cache.json")
    cold = []
    for _ in range(3):
        if os.path.exists(cache):
            os.remove(cache)
        cold.append(once())
    warm = sorted(once() for _ in range(runs))
    return statistics.median(cold), statistics.median(warm), warm[min(len(warm) - 1, int(len(warm) * 0.95))]


def peak_rss_mb(binary, root, cold):
    cache = os.path.join(root, ".claude", "exectrack", "stats-cache.json")
    if cold and os.path.exists(cache):
        os.remove(cache)
    out = os.path.join(root, "rss.txt")
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out, binary, "stats", "--json"], cwd=root, stdout=subprocess.DEVNULL, check=True)
    with open(out) as f:
        return int(f.read().split()[-1]) / 1024


def figures(binary, work, runs, live=1000, archived=5000):
    root = os.path.join(work, "stats")
    start = time.perf_counter()
    records, errors, now = generate(root, live, archived)
    generated = time.perf_counter() - start
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(os.path.join(root, ".claude", "execution")) for f in files)
    print(f"\nstats over {live:,} live and {archived:,} archived specs: {len(records):,} tasks, {len(errors):,} errors, "
          f"{size / 1e6:.0f} MB of status files and logs (generated in {generated:.0f} s)")
    db = sqlite_database(records, errors)
    sql = sqlite_ms(db, now, max(5, runs))
    cold, warm, warm95 = stats_ms(binary, root, max(5, runs))
    rss_cold, rss_warm = peak_rss_mb(binary, root, True), peak_rss_mb(binary, root, False)
    print(f"  {'exectrack stats, cache built':<40}{cold:9.1f} ms   peak RSS {rss_cold:6.1f} MB")
    print(f"  {'exectrack stats, from the cache':<40}{warm:9.1f} ms   p95 {warm95:.1f} ms   peak RSS {rss_warm:6.1f} MB")
    print(f"  {'SQLite, the same aggregations':<40}{sql:9.1f} ms   ({len(QUERIES)} statements, load excluded)")
    print(f"  ratio {warm / sql:.2f}x SQLite")
    # The two must agree on the figures, or the comparison means nothing.
    ours = json.loads(subprocess.run([binary, "stats", "--json"], cwd=root, capture_output=True, check=True).stdout)
    db.execute(SPLIT, {"now": now})
    total = db.execute("SELECT sum(p1 - p0), sum(p2 - p1), sum(p3 - p2), sum(p4 - p3) FROM c").fetchone()
    split = ours["time_split"]["total"]
    finished_split = [split["waiting_ms"], split["unclaimed_ms"], split["retried_ms"]]
    checks = {
        "completed": (ours["completed"], db.execute("SELECT count(*) FROM tasks WHERE status = 'complete'").fetchone()[0]),
        "waiting, unclaimed, retried": (finished_split, list(total[:3])),
        "errors by category": (sorted((c["category"], c["count"], c["resolved"]) for c in ours["failures"]["categories"]),
                               sorted(db.execute("SELECT category, count(*), sum(resolved) FROM errors GROUP BY category").fetchall())),
        "extra attempts": (ours["failures"]["extra_attempts"], db.execute("SELECT sum(attempts - 1) FROM tasks WHERE attempts > 1").fetchone()[0]),
        "p50 per complexity": (sorted((s["complexity"], s["p50_ms"]) for s in ours["estimate_accuracy"]),
                               sorted((row[0], row[5]) for row in db.execute(QUERIES[9]).fetchall())),
    }
    for name, (mine, theirs) in checks.items():
        print(f"  {name}: {'the same' if mine == theirs else f'DIFFER: {mine} against {theirs}'}")
    return {"cold": cold, "warm": warm, "sql": sql, "rss_cold": rss_cold, "rss_warm": rss_warm}


if __name__ == "__main__":
    args = sys.argv[1:]
    figures(args[0], args[1], int(args[2]), *(int(a) for a in args[3:5]))
