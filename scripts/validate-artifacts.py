#!/usr/bin/env python3
"""Validates what exectrack writes with third-party validators (run by .ci/run).

Usage: validate-artifacts.py DIR...

Every *.metrics.json / *-metrics.json is checked against Schemas/metrics.schema.json and
every other *.json against Schemas/execution-status.schema.json (jsonschema, draft 2020-12); every
*.junit.xml is parsed by junitparser; every *.otlp.json is parsed into an OTLP
ExportTraceServiceRequest by protobuf's json_format; every line of every *.events.jsonl is checked
against Schemas/event.schema.json and read by the CloudEvents SDK, and its seq must follow the
line before; *.notify-state.json, *.notify-trust.json, *.notify.json, *.usage-ledger.json (the usage
ledger, .claude/exectrack/usage/<SPEC>.json), *.pricing.json (a LiteLLM-shaped price file) and
*.gates.json (.claude/exectrack/gates.json, docs/gates.md), *.mcp-config.json (a .mcp.json that
setup mcp wrote, docs/mcp.md), *.stats.json and *.estimate.json (stats --json, estimate --json) and
*.stats-cache.json (.claude/exectrack/stats-cache.json; docs/stats.md) and *.chrome-trace.json
(export --format chrome-trace, docs/html-report.md) are checked against their schemas in
Schemas/ (each also under its bare name: notify.json, usage-ledger.json, pricing.json,
gates.json). In JUnit files, every <property> of a testcase (the usage attributes,
docs/usage.md) must have a name and a value. Every line of every *.annotations.txt
(export --format annotations) must be a GitHub workflow command
`::error|warning|notice title=TITLE::MESSAGE` escaped as GitHub requires: no raw ':' or ',' in
the title, no carriage return, and every '%' an escape (%25, %0D, %0A; %3A and %2C in the title).
Exits 1 on the first kind of failure, listing every failing file; also fails when a kind has no
files at all, so an empty run cannot pass.
"""
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ElementTree

import jsonschema
import junitparser
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from referencing import Registry, Resource

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_schemas():
    schemas = {}
    resources = []
    for name in ("execution-status", "metrics", "event", "notify", "notify-state", "notify-trust", "usage-ledger", "pricing", "gates",
                 "shared-snapshot", "mcp-config", "stats", "estimate", "stats-cache", "chrome-trace"):
        schema = json.loads((ROOT / "Schemas" / f"{name}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[name] = schema
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    return {name: jsonschema.Draft202012Validator(schema, registry=registry) for name, schema in schemas.items()}


def classify(path):
    name = path.name
    if name.endswith(".events.jsonl"):
        return "events"
    if name.endswith(".junit.xml"):
        return "junit"
    if name.endswith(".otlp.json"):
        return "otlp"
    if name.endswith(".annotations.txt"):
        return "annotations"
    # A machine's snapshot lives in shared/<SPEC>/ (docs/worktrees.md); collected as *.shared-snapshot.json.
    if path.parent.parent.name == "shared" or name.endswith(".shared-snapshot.json"):
        return "shared-snapshot"
    for kind in ("notify-state", "notify-trust", "notify", "usage-ledger", "pricing", "gates", "mcp-config", "stats-cache", "stats",
                 "estimate", "chrome-trace"):
        if name.endswith(f".{kind}.json") or name == f"{kind}.json":
            return kind
    if name.endswith(".metrics.json") or name.endswith("-metrics.json"):
        return "metrics"
    if name.endswith(".json"):
        return "status"
    return None


def check_junit(path):
    """junitparser reads the file; every testcase has a name, and every <property> inside one a
    name and a value (junitparser does not expose a testcase's properties: read with ElementTree)."""
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    assert all(case.name for case in cases), "a testcase has no name"
    for case in ElementTree.parse(str(path)).getroot().iter("testcase"):
        for number, prop in enumerate(case.iter("property"), start=1):
            assert prop.get("name"), f"testcase {case.get('name')!r}: property {number} has no name"
            assert prop.get("value") is not None, f"testcase {case.get('name')!r}: property {prop.get('name')!r} has no value"


def check_otlp(path):
    text = path.read_text()
    request = ExportTraceServiceRequest()
    json_format.Parse(text, request)
    # OTLP/JSON writes ids as hex (not protobuf's base64): check their lengths on the raw JSON.
    for resource_spans in json.loads(text).get("resourceSpans", []):
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                assert len(span["traceId"]) == 32 and int(span["traceId"], 16) != 0, "traceId must be 32 hex digits"
                assert len(span["spanId"]) == 16 and int(span["spanId"], 16) != 0, "spanId must be 16 hex digits"
                assert int(span["endTimeUnixNano"]) >= int(span["startTimeUnixNano"]), "span ends before it starts"
    return sum(len(s.spans) for r in request.resource_spans for s in r.scope_spans)


ANNOTATION = re.compile(r"^::(error|warning|notice) title=([^:]*)::(.*)$")
TITLE_ESCAPE = re.compile(r"%(?!25|0D|0A|3A|2C)")
MESSAGE_ESCAPE = re.compile(r"%(?!25|0D|0A)")


def check_annotations(path):
    """Every line a GitHub workflow command as export --format annotations writes it; returns the
    number of lines. The last one is the ::notice with the spec's progress."""
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\n"), "the last line has no newline"
    lines = text[:-1].split("\n")
    for number, line in enumerate(lines, start=1):
        match = ANNOTATION.match(line)
        assert match, f"line {number}: not ::error|warning|notice title=...::...: {line[:80]!r}"
        title, message = match.group(2), match.group(3)
        assert "\r" not in line, f"line {number}: a raw carriage return (escape it as %0D)"
        assert "," not in title, f"line {number}: a raw ',' in the title (escape it as %2C)"
        assert title, f"line {number}: an empty title"
        assert not TITLE_ESCAPE.search(title), f"line {number}: a '%' in the title that is no escape (write %25)"
        assert not MESSAGE_ESCAPE.search(message), f"line {number}: a '%' in the message that is no escape (write %25)"
    assert lines[-1].startswith("::notice "), "the last line is not the ::notice with the spec's progress"
    return len(lines)


def check_events(path, validator):
    """Every line an event, seqs consecutive; returns the number of events."""
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"", "the last line has no newline"
    previous = None
    for number, line in enumerate(lines[:-1], start=1):
        event = json.loads(line)
        errors = sorted(validator.iter_errors(event), key=str)
        if errors:
            raise ValueError(f"line {number}: " + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:3]))
        JSONFormat().read(CloudEvent, line)
        assert previous is None or event["seq"] == previous + 1, f"line {number}: seq {event['seq']} after {previous}"
        previous = event["seq"]
    return len(lines) - 1


def main(directories):
    validators = load_schemas()
    counts = {"status": 0, "metrics": 0, "junit": 0, "otlp": 0, "events": 0, "notify": 0, "notify-state": 0, "notify-trust": 0,
              "usage-ledger": 0, "pricing": 0, "gates": 0, "annotations": 0, "shared-snapshot": 0, "mcp-config": 0, "stats": 0,
              "estimate": 0, "stats-cache": 0, "chrome-trace": 0}
    failures = []
    for directory in directories:
        for path in sorted(pathlib.Path(directory).rglob("*")):
            kind = path.is_file() and classify(path)
            if not kind:
                continue
            try:
                if kind in ("status", "metrics", "notify", "notify-state", "notify-trust", "usage-ledger", "pricing", "gates", "shared-snapshot",
                            "mcp-config", "stats", "estimate", "stats-cache", "chrome-trace"):
                    validator = validators[{"status": "execution-status"}.get(kind, kind)]
                    errors = sorted(validator.iter_errors(json.loads(path.read_text())), key=str)
                    if errors:
                        raise ValueError("; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:3]))
                elif kind == "junit":
                    check_junit(path)
                elif kind == "annotations":
                    check_annotations(path)
                elif kind == "events":
                    counts[kind] += check_events(path, validators["event"]) - 1
                else:
                    check_otlp(path)
                counts[kind] += 1
            except Exception as error:  # report every failing file, then fail
                failures.append(f"{path}: {kind}: {error}")
    for line in failures:
        print("INVALID", line)
    print("validated: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    empty = [k for k, n in counts.items() if n == 0]
    if empty:
        print("no files of kind: " + ", ".join(empty))
    return 1 if failures or empty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or [str(ROOT / "examples" / "output")]))
