#!/usr/bin/env python3
"""world.py - a test world unlike the reference page (t_world.sh).

  world.py pages DIR         write the provider pages and the curated file
  world.py expect A B DATE   print the comparison record of A and B that the
                             world must give, computed here with Decimal,
                             independently of llmref (DATE: today, UTC)

Three Qwen models, served by Fireworks (HTML table), Together (JSON list, with
a -turbo variant), OctoAI (HTML, past its sunset: deprecated), AWS Bedrock
(HTML, per 1K tokens) and OpenRouter's endpoints (JSON, per token), where
Bedrock appears as "Amazon Bedrock", Vertex as "Google Vertex" and one name
("Nebius AI Studio") is no known provider. A's cheapest input and output
are on different providers, B's cheapest route is a tie, each of A and B
leads a benchmark."""
import hashlib
import json
import os
import sys
from decimal import Decimal as D, ROUND_HALF_UP, ROUND_HALF_EVEN

A, B, C = "qwen-2.5-72b-instruct", "qwen-2.5-7b-instruct", "qwen-2.5-coder-32b-instruct"
TOKENS, SHARE = 1050000000, D("0.7")  # llmref.conf's [traffic] defaults

# (model, provider id, display name, input, output per 1M, status, variant,
#  context, how it is listed). Router endpoints name the provider.
ROUTES = [
    (A, "bedrock", "AWS Bedrock", "0.5", "1.5", "active", "", None, "bedrock"),
    (A, "fireworks", "Fireworks AI", "0.9", "0.35", "active", "", "32768", "fireworks"),
    (A, "together", "Together AI", "0.4", "2", "active", "", "32768", "together"),
    (A, "octoai", "OctoAI API (Deprecated)", "0.1", "0.1", "deprecated", "", "32768", "octoai"),
    (A, "nebius-ai-studio", "Nebius AI Studio", "1", "1.2", "active", "", "131072",
     "router:Nebius AI Studio"),
    (B, "fireworks", "Fireworks AI", "0.2", "0.2", "active", "", "32768", "fireworks"),
    (B, "deepinfra", "DeepInfra", "0.2", "0.2", "active", "", "32768", "router:DeepInfra"),
    (B, "together", "Together AI", "0.05", "0.05", "active", "turbo", "32768", "together"),
    (B, "vertex", "Google Vertex AI", "0.3", "0.15", "active", "", "32768",
     "router:Google Vertex"),
    (C, "fireworks", "Fireworks AI", "0.9", "0.9", "active", "", "32768", "fireworks"),
]
# Listed but never counted: Bedrock through the router (Bedrock is direct)
# and the router's own list. B's Together route is a variant (turbo), the
# lowest price of B and never its cheapest.
ROUTER_DUP = (A, "Amazon Bedrock", "0.6", "1.6", "32768")
BENCH = {A: {"mmlu": ("Massive Multitask Language Understanding", "86.1"),
             "gsm8k": ("Grade School Math 8K", "91.5")},
         B: {"mmlu": ("Massive Multitask Language Understanding", "74.2"),
             "gsm8k": ("Grade School Math 8K", "91.6")}}
CURATED = {
    A: {"name": "Qwen2.5 72B Instruct", "creator": "Alibaba", "license_name": "Qwen License",
        "tag:long-context": "Long context", "tag:multilingual": "Multilingual",
        "capability:function_calling": "true"},
    B: {"name": "Qwen2.5 7B Instruct", "creator": "Alibaba", "license_name": "Apache 2.0",
        "tag:classification": "Classification"},
    C: {"name": "Qwen2.5 Coder 32B Instruct", "creator": "Alibaba"},
}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def html_table(rows, attrs, cells, heads):
    """A table as the shipped source reads it: its header names the columns."""
    head = "".join(f"<th>{h}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in cells(r)) + "</tr>\n" for r in rows)
    return f"<table {attrs}><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>"


def pages(d):
    direct = [r for r in ROUTES if not r[8].startswith("router:")]
    fw = [r for r in direct if r[1] == "fireworks"]
    write(f"{d}/fireworks.ai/pricing", "<html><body>" + html_table(
        fw, "id='serverless-pricing'", lambda r: [r[0], f"${r[3]}", f"${r[4]}", r[7]],
        ["Model", "Input ($/1M tokens)", "Output ($/1M tokens)", "Context"]) +
        "</body></html>")
    tg = [r for r in direct if r[1] == "together"]
    write(f"{d}/api.together.xyz/v1/models", json.dumps([
        {"id": "Qwen/" + r[0] + ("-turbo" if r[6] == "turbo" else ""), "context_length": int(r[7]),
         "pricing": {"input": float(r[3]), "output": float(r[4])}} for r in tg], indent=1))
    octo = [r for r in direct if r[1] == "octoai"]
    write(f"{d}/octo.ai/pricing", "<html><body><div class='sunset-banner'><p>Text Gen APIs "
          "will be <strong>sunset on October 31, 2024</strong>.</p></div><section id='text-gen'>" +
          html_table(octo, "class='pricing-table pricing-table--textgen'",
                     lambda r: [r[0], r[7], f"${r[3]}", f"${r[4]}", "Deprecated"],
                     ["Model", "Max context", "Input price", "Output price", "Status"]) +
          "</section></body></html>")
    bed = [r for r in direct if r[1] == "bedrock"]
    write(f"{d}/aws.amazon.com/bedrock/pricing", "<html><body><div id='meta'>"
          "<h4>Region: US East (N. Virginia) and US West (Oregon)</h4><div>" + html_table(
              bed, "", lambda r: [r[0], f"${D(r[3]) / 1000}", f"${D(r[4]) / 1000}"],
              ["Meta models", "Price per 1,000 input tokens", "Price per 1,000 output tokens"]) +
          "</div></div></body></html>")
    ids = sorted({r[0] for r in ROUTES})
    write(f"{d}/openrouter.ai/api/v1/models/__index__", json.dumps({"data": [
        {"id": "qwen/" + m, "context_length": 32768,
         "pricing": {"prompt": "0.000001", "completion": "0.000001"}} for m in ids]}))
    for m in (A, B):
        eps = [{"name": f"{r[8][7:]} | qwen/{m}", "provider_name": r[8][7:], "context_length":
                int(r[7]), "pricing": {"prompt": str(D(r[3]) / 10**6),
                                       "completion": str(D(r[4]) / 10**6)}}
               for r in ROUTES if r[0] == m and r[8].startswith("router:")]
        if m == A:
            eps.append({"name": f"{ROUTER_DUP[1]} | qwen/{m}", "provider_name": ROUTER_DUP[1],
                        "context_length": int(ROUTER_DUP[4]),
                        "pricing": {"prompt": str(D(ROUTER_DUP[2]) / 10**6),
                                    "completion": str(D(ROUTER_DUP[3]) / 10**6)}})
        write(f"{d}/openrouter.ai/api/v1/models/qwen/{m}/endpoints",
              json.dumps({"data": {"id": "qwen/" + m, "endpoints": eps}}))
    for m, b in BENCH.items():
        rows = "".join(f"<tr><td>x</td><td>{n}</td><td>5</td><td>acc</td><td>{s}</td></tr>"
                       for n, s in b.values())
        write(f"{d}/huggingface.co/Qwen/{m}", "<html><body><table><thead><tr><th>Capability"
              "</th><th>Benchmark</th><th>#</th><th>Metric</th>"
              "<th>Llama 3.2 1B Instruct</th></tr></thead>"
              f"<tbody>{rows}</tbody></table></body></html>")
    facts = [{"model": m, "fact": f, "value": v, "reason": "the world of t_world.sh",
              "expires": "2099-12-31"} for m, fs in CURATED.items() for f, v in fs.items()]
    write(f"{d}/curated/qwen.json", json.dumps({"facts": facts}, indent=1))


def num(x):
    """A decimal as llmref writes it: no exponent, no trailing zeros."""
    s = format(x, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def blend(i, o):
    return (SHARE * D(i) + (1 - SHARE) * D(o)).quantize(D(1).scaleb(-18), ROUND_HALF_UP)


def half(m, date):
    routes = []
    for r in sorted((r for r in ROUTES if r[0] == m), key=lambda r: r[1]):
        routes.append({"provider": r[1], "provider_name": r[2], "input_usd_per_mtok": num(D(r[3])),
                       "output_usd_per_mtok": num(D(r[4])), "status": r[5], "variant": r[6],
                       "context_window": r[7], "prices": {},
                       # the page's banner: "sunset on October 31, 2024"
                       "route_facts": {"deprecation_date": "2024-10-31"} if r[1] == "octoai" else {},
                       "last_reviewed": date})
    ok = [r for r in routes if r["status"] == "active" and r["variant"] == ""]

    def cheapest(key):
        r = min(ok, key=lambda r: (D(r[key]), r["provider"]))
        return {"provider": r["provider"], "provider_name": r["provider_name"],
                "usd_per_mtok": r[key]}
    best = min(ok, key=lambda r: (blend(r["input_usd_per_mtok"], r["output_usd_per_mtok"]),
                                  r["provider"]))
    bl = blend(best["input_usd_per_mtok"], best["output_usd_per_mtok"])
    monthly = (bl * TOKENS / 10**6).quantize(D(1).scaleb(-18), ROUND_HALF_UP)
    cur = CURATED[m]
    caps = {c: False for c in ("vision", "multimodal", "reasoning", "function_calling",
                               "tool_use", "structured_outputs", "code_execution",
                               "ide_integration", "computer_use", "parallel_agents")}
    caps.update({k[11:]: v == "true" for k, v in cur.items() if k.startswith("capability:")})
    ctx = max(int(r["context_window"]) for r in routes if r["context_window"])
    return {"id": m, "name": cur["name"], "creator": cur["creator"], "released": None,
            "context_window": str(ctx), "parameters": None, "architecture": None,
            "license": cur.get("license_name"), "openness": None, "commercial_use": None,
            "knowledge_cutoff": None,
            "tags": [v for k, v in sorted(cur.items()) if k.startswith("tag:")],
            "capabilities": caps,
            "benchmarks": {k: v[1] for k, v in BENCH.get(m, {}).items()},
            "benchmark_names": {k: v[0] for k, v in BENCH.get(m, {}).items()},
            "routes": routes, "route_count": len(routes),
            "cheapest_input": cheapest("input_usd_per_mtok"),
            "cheapest_output": cheapest("output_usd_per_mtok"),
            "cheapest_route": {"provider": best["provider"], "provider_name": best["provider_name"],
                               "variant": "", "input_usd_per_mtok": best["input_usd_per_mtok"],
                               "output_usd_per_mtok": best["output_usd_per_mtok"],
                               "blended_usd_per_mtok": num(bl), "monthly_cost_usd": num(monthly)},
            "monthly_cost_usd": num(monthly), "last_reviewed": date}


def percent(hi, lo):
    q = (hi - lo) / lo * 100
    exact = ((hi - lo) * 100 * D(10) ** 18) % lo == 0
    return q if exact else q.quantize(D("0.01"), ROUND_HALF_UP)


def record(a, b, date):
    ha, hb = half(a, date), half(b, date)
    provs = lambda h: {r["provider"]: r["provider_name"] for r in h["routes"]}  # noqa: E731
    pa, pb = provs(ha), provs(hb)
    oa, ob = D(ha["cheapest_output"]["usd_per_mtok"]), D(hb["cheapest_output"]["usd_per_mtok"])
    ba, bb = (D(h["cheapest_route"]["blended_usd_per_mtok"]) for h in (ha, hb))
    ma, mb = (D(h["monthly_cost_usd"]) for h in (ha, hb))
    leads = []
    for k in sorted(set(ha["benchmarks"]) & set(hb["benchmarks"])):
        sa, sb = D(ha["benchmarks"][k]), D(hb["benchmarks"][k])
        leads.append({"benchmark": k, "leader": a if sa > sb else b if sb > sa else None,
                      "lead": num(abs(sa - sb))})
    only = lambda x, y: sorted(k for k, v in x["capabilities"].items()  # noqa: E731
                               if v and not y["capabilities"][k])
    # every pair of the three has a record (one creator); shared providers
    others = []
    for x, y in ((A, B), (A, C), (B, C)):
        if {x, y} == {a, b} or not ({x, y} & {a, b}):
            continue
        n = len(set(provs(half(x, date))) & set(provs(half(y, date))))
        others.append((-n, min(x, y), max(x, y)))
    rec = {"models": [ha, hb],
           "shared_providers": [{"provider": p, "provider_name": pa[p]} for p in sorted(pa)
                                if p in pb],
           "benchmark_leads": leads,
           "unique_capabilities": {a: only(ha, hb), b: only(hb, ha)},
           "output_price_gap_usd_per_mtok": num(abs(oa - ob)),
           "output_price_gap_percent": num(percent(max(oa, ob), min(oa, ob))),
           "blended_price_gap_usd_per_mtok": num(abs(ba - bb)),
           "monthly_cost_gap_usd": num(abs(ma - mb)),
           "cheaper": a if ba < bb else b if bb < ba else None,
           "traffic": {"tokens_per_month": TOKENS, "input_share": num(SHARE)},
           "related_pairs": [{"models": [x, y], "shared_providers": -n}
                             for n, x, y in sorted(others)][:10],
           "last_reviewed": date}

    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "last_reviewed"}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    text = json.dumps(strip(rec), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    rec["record_hash"] = hashlib.sha256(text.encode()).hexdigest()
    return rec


if __name__ == "__main__":
    assert ROUND_HALF_EVEN  # the rounding llmref does not use
    if sys.argv[1] == "pages":
        pages(sys.argv[2])
    else:
        print(json.dumps(record(sys.argv[2], sys.argv[3], sys.argv[4]), indent=1))
