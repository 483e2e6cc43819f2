#!/usr/bin/env python3
"""Drives `exectrack mcp` with the official MCP Python SDK's stdio client (used by MCPEndToEndTests).

Usage: client.py EXECTRACK PROJECT_DIR SPEC

Two client sessions, each its own server process, claim and complete every task of SPEC at
once; along the way every tool is called, every tool's schemas are checked with jsonschema, the
report is read as a resource and subscribed to, and bad calls are made. The SDK itself checks
each successful tool result against the tool's output schema. Prints a JSON summary on stdout;
exits 1 with the reason on stderr when something is not as MCP or docs/mcp.md says.
"""
import asyncio
import json
import sys

import jsonschema
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import Implementation

EXECTRACK, PROJECT, SPEC = sys.argv[1], sys.argv[2], sys.argv[3]
TOOLS = {"list", "next", "claim", "update", "error", "heartbeat", "usage", "gate", "report", "metrics", "agents"}


def check(condition, message):
    if not condition:
        print(f"client.py: {message}", file=sys.stderr)
        sys.exit(1)


def structured(result):
    return result.structured_content or {}


def text(result):
    return "\n".join(part.text for part in result.content if getattr(part, "type", "") == "text")


class Notifications:
    def __init__(self):
        self.updated = []

    async def __call__(self, message):
        if getattr(message, "method", None) == "notifications/resources/updated":
            self.updated.append(str(message.params.uri))


async def worker(name, summary, notifications=None):
    params = StdioServerParameters(command=EXECTRACK, args=["mcp"], cwd=PROJECT)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, client_info=Implementation(name=name, version="1.0"),
                                 message_handler=notifications) as session:
            init = await session.initialize()
            check(init.server_info.name == "exectrack", f"server name {init.server_info.name}")
            check(init.capabilities.tools is not None, "no tools capability")
            check(init.capabilities.resources is not None and init.capabilities.resources.subscribe, "no resource subscriptions")
            summary["protocol_version"] = init.protocol_version

            tools = (await session.list_tools()).tools
            check({tool.name for tool in tools} == TOOLS, f"tools {sorted(tool.name for tool in tools)}")
            for tool in tools:
                jsonschema.Draft202012Validator.check_schema(tool.input_schema)
                check(tool.input_schema.get("type") == "object", f"{tool.name}: input schema is not an object")
                check(tool.output_schema is not None and tool.output_schema.get("type") == "object", f"{tool.name}: no object output schema")
                jsonschema.Draft202012Validator.check_schema(tool.output_schema)
                check(not {"run", "command", "from_junit"} & set(tool.input_schema.get("properties", {})),
                      f"{tool.name} takes something that runs a command")
            summary["tools"] = len(tools)

            if notifications is not None:
                resources = (await session.list_resources()).resources
                uri = next((str(r.uri) for r in resources if str(r.uri).endswith(f"/{SPEC}/report")), None)
                check(uri is not None, f"no report resource for {SPEC}: {[str(r.uri) for r in resources]}")
                report = await session.read_resource(uri)
                check(SPEC in report.contents[0].text, "the report resource does not name the spec")
                await session.subscribe_resource(uri)
                summary["resource"] = uri

            claimed = []
            idle = 0
            while idle < 400:
                result = await session.call_tool("claim", {"spec": SPEC, "agent": name, "any_layer": True})
                if result.is_error:
                    report = structured(await session.call_tool("report", {"spec": SPEC}))
                    if report.get("completion_percentage") == 100:
                        break
                    # Everything ready is held by the other session: wait for it to finish some.
                    idle += 1
                    await asyncio.sleep(0.02)
                    continue
                task = structured(result)
                check(task.get("status") == "in_progress", f"claimed task is {task.get('status')}")
                claimed.append((task["layer"], task["index"]))
                if len(claimed) == 1:
                    # The lease names this client and the connection's session.
                    status = json.load(open(f"{PROJECT}/.claude/execution/{SPEC}.json"))
                    holder = status["layers"][task["layer"]]["tasks"][task["index"]]["claimed_by"]
                    check(holder.get("client") == f"{name} 1.0", f"claimed_by.client is {holder.get('client')}")
                    check(holder.get("session_id", "").startswith("mcp-"), f"claimed_by.session_id is {holder.get('session_id')}")
                    check(holder.get("agent") == name, f"claimed_by.agent is {holder.get('agent')}")
                    renewed = await session.call_tool("heartbeat", {"spec": SPEC, "agent": name})
                    check(not renewed.is_error and len(structured(renewed)["renewed"]) >= 1, f"heartbeat: {text(renewed)}")
                    used = await session.call_tool("usage", {"spec": SPEC, "layer": task["layer"], "task": task["index"],
                                                             "input_tokens": 1000, "output_tokens": 100, "model": "claude-sonnet-4-5"})
                    check(not used.is_error, f"usage: {text(used)}")
                done = await session.call_tool("update", {"spec": SPEC, "layer": task["layer"], "task": task["index"],
                                                          "status": "complete", "output": f"done by {name}"})
                check(not done.is_error and structured(done)["task"]["status"] == "complete", f"update: {text(done)}")
            check(idle < 400, "gave up waiting for tasks")
            summary["claimed"] = claimed


async def misuse(summary):
    """Bad calls: each is an error the client sees, and the server answers the next call."""
    params = StdioServerParameters(command=EXECTRACK, args=["mcp"], cwd=PROJECT)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, client_info=Implementation(name="misuse", version="1.0")) as session:
            await session.initialize()
            errors = []
            for name, arguments in [("claim", {"spec": 42}), ("claim", {"spec": SPEC, "bogus": True}), ("update", {"spec": SPEC}),
                                    ("update", {"spec": SPEC, "layer": "L0", "task": 0, "status": "finished"}),
                                    ("update", {"spec": SPEC, "layer": "L9", "task": 0, "status": "complete"}),
                                    ("next", {"spec": "../../etc/passwd"}), ("report", {"spec": "NOPE"}),
                                    ("gate", {"spec": SPEC, "layer": "L0", "name": "tests", "score": 2}),
                                    ("next", {"spec": SPEC, "limit": 0})]:
                result = await session.call_tool(name, arguments)
                check(result.is_error, f"{name} {arguments} was not an error: {text(result)}")
                check(text(result).startswith("exectrack: "), f"{name}: error text {text(result)!r}")
                errors.append(text(result))
                await session.send_ping()
            try:
                await session.call_tool("run_shell", {})
                check(False, "an unknown tool was not a protocol error")
            except MCPError as error:
                errors.append(str(error))
            await session.send_ping()
            # Every read-only tool, and gate, once more with good arguments (the SDK checks their output).
            for name, arguments in [("list", {}), ("next", {"spec": SPEC, "limit": 3}), ("metrics", {"spec": SPEC}),
                                    ("agents", {"spec": SPEC}), ("report", {"spec": SPEC}),
                                    ("gate", {"spec": SPEC, "layer": "L0", "name": "tests", "score": 0.95, "threshold": 0.9}),
                                    ("error", {"spec": SPEC, "layer": "L0", "task": 0, "message": "flaky after the fact"}),
                                    ("update", {"spec": SPEC, "layer": "L0", "task": 0, "status": "complete"})]:
                result = await session.call_tool(name, arguments)
                check(not result.is_error, f"{name}: {text(result)}")
            summary["errors"] = errors


async def main():
    notifications = Notifications()
    a, b = {}, {}
    await asyncio.gather(worker("agent-a", a, notifications), worker("agent-b", b))
    claimed = a["claimed"] + b["claimed"]
    check(len(claimed) == len(set(claimed)), f"a task was claimed twice: {claimed}")
    summary = {"protocol_version": a["protocol_version"], "tools": a["tools"], "claimed": len(claimed),
               "by_session": [len(a["claimed"]), len(b["claimed"])], "resource": a["resource"]}
    misuse_summary = {}
    await misuse(misuse_summary)
    summary["errors"] = misuse_summary["errors"]
    summary["notifications"] = notifications.updated.count(a["resource"])
    print(json.dumps(summary))


asyncio.run(main())
