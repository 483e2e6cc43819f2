#!/usr/bin/env python3
"""An independent computation of what Claude Code transcripts cost (used by UsageEndToEndTests).

Usage: cost.py PRICES.json TRANSCRIPT.jsonl...

Prints one JSON object: tokens per kind, requests, and cost_usd (null when a model has no
price), counting each request once (by message.id, else requestId) from its last line, across
all the transcripts given. Prices are LiteLLM's model_prices_and_context_window.json: a
request whose prompt (input + cache writes + cache reads) is above N thousand tokens uses the
`_above_<N>k_tokens` rates where the model has them; 1-hour cache writes use
cache_creation_input_token_cost_above_1hr. Written apart from exectrack's Swift code, from
docs/usage.md's rules, so that the two can disagree.
"""
import json
import re
import sys

FIELDS = {"input": "input_cost_per_token", "output": "output_cost_per_token",
          "write5m": "cache_creation_input_token_cost", "write1h": "cache_creation_input_token_cost_above_1hr",
          "read": "cache_read_input_token_cost"}


def rates(entry, prompt):
    names = "|".join(FIELDS.values())
    tiers = sorted({int(m.group(2)) for key in entry for m in [re.fullmatch(rf"({names})_above_(\d+)k_tokens", key)] if m},
                   reverse=True)
    for thousands in tiers:
        if prompt > thousands * 1000:
            return {k: entry.get(f"{f}_above_{thousands}k_tokens", entry.get(f)) for k, f in FIELDS.items()}
    return {k: entry.get(f) for k, f in FIELDS.items()}


def main(prices_path, transcripts):
    prices = json.load(open(prices_path))
    last = {}
    for path in transcripts:
        for line in open(path, encoding="utf-8"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            message = obj.get("message") if isinstance(obj, dict) else None
            if not isinstance(message, dict) or not isinstance(message.get("usage"), dict):
                continue
            if message.get("model") == "<synthetic>":
                continue
            key = message.get("id") or obj.get("requestId")
            last[key] = (message.get("model", ""), message["usage"])
    totals = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "requests": 0}
    cost = 0.0
    for model, usage in last.values():
        split = usage.get("cache_creation") or {}
        w5 = split.get("ephemeral_5m_input_tokens", usage.get("cache_creation_input_tokens", 0))
        w1 = split.get("ephemeral_1h_input_tokens", 0)
        tokens = {"input": usage.get("input_tokens", 0), "output": usage.get("output_tokens", 0), "write5m": w5, "write1h": w1,
                  "read": usage.get("cache_read_input_tokens", 0)}
        totals["input_tokens"] += tokens["input"]
        totals["output_tokens"] += tokens["output"]
        totals["cache_creation_input_tokens"] += w5 + w1
        totals["cache_read_input_tokens"] += tokens["read"]
        totals["requests"] += 1
        entry = prices.get(model) or prices.get("anthropic/" + model)
        if cost is None or entry is None:
            cost = None
            continue
        r = rates(entry, tokens["input"] + w5 + w1 + tokens["read"])
        for kind, count in tokens.items():
            if count and r[kind] is None:
                cost = None
                break
            cost += count * (r[kind] or 0)
    totals["cost_usd"] = cost
    print(json.dumps(totals))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
