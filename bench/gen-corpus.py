#!/usr/bin/env python3
"""gen-corpus.py - the seeded end-to-end corpus of bench/run-load.sh:
P HTML pricing pages (one per provider, M models each) and Q JSON model
lists shaped like OpenRouter's /api/v1/models (M models each), the source
files that read them from http://127.0.0.1:PORT/, an llmref.conf, and the
normalized rows the catalog must hold afterwards (expected.tsv).

usage: gen-corpus.py --out DIR --port PORT [--providers 50] [--models 400]
                     [--apis 10] [--scale 1] [--grow pages|sources]
                     [--change PCT] [--seed 1] [--lang old|jq]

--scale K grows the corpus K times, so the rows are (P + Q) * M * K:
24,000 by default, 240,000 at --scale 10. --grow pages (the default)
multiplies the models per page (M*K); --grow sources multiplies the
sources instead (P*K pages, Q*K lists, 600 at --scale 10, each of M
models: source j lists the j-th slice, j mod K, of a universe of M*K
models), all on the one host. --change PCT moves the prices of about PCT
percent of the rows up by 10% (picked by a hash of source and model, the
rest of the bytes as without it): the corpus of a refresh that changes
prices.

Identity: every JSON API is authoritative and lists every model of the
universe (M*K models, ids "vendor/fam-N-SIZEb-instruct"); every HTML page
lists every model too, spelled its provider's way (display names, Fireworks
paths, Bedrock ids, underscores, "Vendor: Name"), so each of its rows
resolves to a model that an API created and every row lands.

Variation between HTML providers: price text ("$0.10", "0.1 USD",
"$0.0001 / 1K tokens", "$0.15/M", "Free" for free models), context text
("128K", "131,072", "131072 tokens", "1M"), column order, extra columns,
the rows split over one to three pricing tables, unrelated tables (GPU
hours, fine-tuning) before and after, HTML5 boilerplate.

sources.d/ is in the transform language (--lang jq, the default: a
table read by its header names, a model list by a jq program); --lang
old writes the XPath/JSON-path fields of llmref before jq, which only
an older build reads (bench/run-extract.sh compares the two). peer.d/
always holds the old fields: bench/peer_load.py's description of each
page.

expected.tsv columns: source, provider_model_id, model_id, input,
output, context_window; a price is an exact decimal in USD per 1M tokens
or the word free. The same seed gives the same bytes."""
import argparse
import json
import os
import random
import zlib
from decimal import Decimal

FAMILIES = ["nova", "aria", "orbit", "quill", "tern", "vela", "kestrel", "lumen"]
VENDORS = ["acme", "globex", "initech", "umbrella", "hooli", "vandelay"]
SIZES = [1, 3, 7, 8, 13, 34, 70, 120, 405]
# (true tokens, how providers write it: text -> literal value)
CONTEXTS = [
    (8192, [("8,192", 8192), ("8192", 8192), ("8K", 8000), ("8192 tokens", 8192)]),
    (32768, [("32,768", 32768), ("32768", 32768), ("32K", 32000), ("32768 tokens", 32768)]),
    (131072, [("131,072", 131072), ("131072", 131072), ("128K", 128000),
              ("131072 tokens", 131072)]),
    (200000, [("200,000", 200000), ("200000", 200000), ("200K", 200000),
              ("200000 tokens", 200000)]),
    (1000000, [("1,000,000", 1000000), ("1000000", 1000000), ("1M", 1000000),
               ("1000000 tokens", 1000000)]),
]
# price styles of HTML providers: (unit in the source file, formatter of a
# per-1M Decimal); Free is written "Free" by every style
PRICE_STYLES = [
    ("per_1m", lambda d: "$%s" % fmt2(d)),
    ("per_1m", lambda d: "%s USD" % plain(d)),
    ("auto", lambda d: "$%s / 1K tokens" % plain(d / 1000)),
    ("auto", lambda d: "$%s/M" % plain(d)),
    ("per_1k", lambda d: "$%s" % plain(d / 1000)),
]
COLUMNS = ["model", "input", "output", "context"]


def plain(d):
    """Decimal as plain text, no exponent, no trailing zeros."""
    s = format(d.normalize(), "f")
    return s


def fmt2(d):
    """At least two decimals, as pricing pages write dollars."""
    s = plain(d)
    if "." not in s:
        return s + ".00"
    if len(s.split(".")[1]) < 2:
        return s + "0"
    return s


def universe(rng, n):
    models = []
    for i in range(n):
        fam = FAMILIES[i % len(FAMILIES)]
        size = SIZES[(i // len(FAMILIES)) % len(SIZES)]
        canon = "%s-%d-%db-instruct" % (fam, i, size)
        ctx = rng.choice(CONTEXTS)
        base = Decimal(rng.randint(1, 400000)) / 10000  # 0.0001 .. 40 USD / 1M
        models.append({"i": i, "fam": fam, "size": size, "canon": canon,
                       "vendor": VENDORS[i % len(VENDORS)], "ctx": ctx, "base": base})
    return models


def spell(style, m):
    """The provider's spelling of model m; all resolve to m["canon"]."""
    fam, i, size = m["fam"], m["i"], m["size"]
    if style == 0:
        return "%s %d %dB Instruct" % (fam.capitalize(), i, size)
    if style == 1:
        return "accounts/prov/models/%s" % m["canon"]
    if style == 2:
        return "%s.%s-v1:0" % ("meta", m["canon"])
    if style == 3:
        return "%s/%s_%d_%db_instruct" % (m["vendor"], fam, i, size)
    return "%s: %s %d %dB Instruct" % (m["vendor"].capitalize(), fam.capitalize(), i, size)


def price_of(rng, m):
    """A provider's price pair for m: per-1M Decimals, or None for free."""
    if m["i"] % 97 == 5:
        return None, None
    f = Decimal(rng.choice([80, 90, 100, 100, 100, 110, 125])) / 100
    inp = (m["base"] * f).quantize(Decimal("0.0001"))
    if inp == 0:
        inp = Decimal("0.0001")
    return inp, (inp * rng.choice([1, 2, 3, 4])).quantize(Decimal("0.0001"))


CHANGE_PCT = 0


def changed(pid, m, inp, outp):
    """The prices after --change: CHANGE_PCT% of rows move up by 10%."""
    if inp is None or zlib.crc32(("%s %s" % (pid, m["canon"])).encode()) % 100 >= CHANGE_PCT:
        return inp, outp
    up = Decimal("1.1")
    return (inp * up).quantize(Decimal("0.0001")), (outp * up).quantize(Decimal("0.0001"))


def norm(d):
    return "free" if d is None or d == 0 else plain(d)


def html_table(cols, rows, title):
    head = "".join("<th>%s</th>" % c.capitalize() for c in cols)
    out = ["<h2>%s</h2>\n<table class=\"table price-table striped\">\n"
           "<thead><tr>%s</tr></thead>\n<tbody>\n" % (title, head)]
    for r in rows:
        out.append("<tr>" + "".join(
            "<td>%s</td>" % r[c] if c != "model" else
            "<td><a href=\"/models/%s\">%s</a></td>" % (r["slug"], r["model"])
            for c in cols) + "</tr>\n")
    out.append("</tbody></table>\n")
    return "".join(out)


def unrelated(rng):
    rows = "".join("<tr><td>GPU %s</td><td>$%d.%02d</td><td>%d GB</td></tr>\n"
                   % (g, rng.randint(1, 9), rng.randint(0, 99), mem)
                   for g, mem in [("A100", 80), ("H100", 80), ("L40S", 48), ("H200", 141)])
    return ("<section class=\"gpus\"><h2>Dedicated deployments</h2><table class=\"table gpu-table\">"
            "<thead><tr><th>GPU</th><th>Price per hour</th><th>Memory</th></tr></thead>"
            "<tbody>\n%s</tbody></table></section>\n" % rows)


def html_page(rng, p, models, out):
    """One provider's page; returns (source file text, expected rows)."""
    pid = "html%03d" % p
    unit, pfmt = PRICE_STYLES[p % len(PRICE_STYLES)]
    sstyle, cstyle = p % 5, (p // 5) % 4
    cols = COLUMNS[:]
    rng.shuffle(cols)
    if cols[0] != "model" and p % 3:
        cols.remove("model")
        cols.insert(0, "model")
    extra = ["notes"] if p % 4 == 1 else []
    rows, expected = [], []
    for m in models:
        inp, outp = changed(pid, m, *price_of(rng, m))
        ctext, cval = m["ctx"][1][cstyle]
        name = spell(sstyle, m)
        rows.append({"model": name, "slug": m["canon"],
                     "input": "Free" if inp is None else pfmt(inp),
                     "output": "Free" if outp is None else pfmt(outp),
                     "context": ctext, "notes": rng.choice(["", "New", "Popular", "Beta"])})
        expected.append((pid, name, m["canon"], norm(inp), norm(outp), str(cval)))
    tcols = cols + extra
    ntables = 1 + p % 3
    chunk = (len(rows) + ntables - 1) // ntables
    body = [unrelated(rng)] if p % 2 else []
    for t in range(ntables):
        body.append(html_table(tcols, rows[t * chunk:(t + 1) * chunk],
                               ["Serverless text models", "Vision models", "Legacy models"][t]))
    body.append("<table class=\"table ft\"><thead><tr><th>Fine-tuning</th><th>Per 1M training tokens</th>"
                "</tr></thead><tbody><tr><td>LoRA up to 16B</td><td>$0.50</td></tr></tbody></table>\n")
    if p % 2 == 0:
        body.append(unrelated(rng))
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>Pricing - Provider %d</title><link rel=\"stylesheet\" href=\"/s.css\">\n"
            "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
            "</script>\n<style>.price-table td{padding:4px}</style></head>\n<body>"
            "<header><nav><a href=\"/\">Home</a> <a href=\"/docs\">Docs</a></nav></header>\n"
            "<main><h1>Pricing</h1><p>Prices per 1M tokens unless noted.</p>\n%s</main>\n"
            "<footer><p>&copy; 2026 Provider %d</p></footer>"
            "<script src=\"/app.js\" defer></script></body></html>\n" % (p, "".join(body), p))
    with open(os.path.join(out, "pages", pid + ".html"), "w") as f:
        f.write(page)
    xp = "//table[contains(concat(' ', @class, ' '), ' price-table ')]/tbody/tr"
    fields = "".join("%s = td[%d]\n" % ({"model": "model", "input": "input_price",
                                          "output": "output_price",
                                          "context": "context_window"}[c], k + 1)
                     for k, c in enumerate(cols))
    extract = {"old": "rows = %s\n%s" % (xp, fields),
               # the same rows: each table row an object keyed by header
               "jq": ("table = %s\njq = .[] | {model: .Model, input_price: .Input,"
                      " output_price: .Output, context_window: .Context}\n"
                      % xp[:-len("/tbody/tr")])}
    src = {lang: ("; bench provider %d: HTML, %s prices, %d table(s)\n[source]\nprovider = %s\n"
                  "provider_name = Bench HTML %d\nkind = pricing\n"
                  "url = http://127.0.0.1:PORT/pages/%s.html\n"
                  "format = html\ninterval = 1h\n\n[extract]\n%s\n[units]\n"
                  "input_price = %s\noutput_price = %s\n" % (p, unit, ntables, pid, p, pid,
                                                            extract[lang], unit, unit))
           for lang in extract}
    return src, expected


def per_token(d):
    return "0" if d is None else format((d / 1000000).quantize(Decimal("1e-10")), "f")


# how a source reads a model list: jq, or the old JSON paths (llmref
# before jq; still the peer's own description of each page: peer.d/)
JSON_EXTRACT = {
    "old": "rows = $.data[*]\nmodel = $.id\ninput_price = $.pricing.prompt\n"
           "output_price = $.pricing.completion\ncontext_window = $.context_length\n",
    "jq": "jq = .data[] | {model: .id, input_price: .pricing.prompt,"
          " output_price: .pricing.completion, context_window: .context_length}\n",
}


def json_api(rng, q, models, out):
    pid = "api%03d" % q
    data, expected = [], []
    for m in models:
        inp, outp = changed(pid, m, *price_of(rng, m))
        mid = "%s/%s" % (m["vendor"], m["canon"])
        data.append({"id": mid, "canonical_slug": mid, "name": "%s: %s" % (
            m["vendor"].capitalize(), m["canon"]), "created": 1727222400 + m["i"],
            "description": "A %dB instruct model by %s." % (m["size"], m["vendor"]),
            "context_length": m["ctx"][0],
            "architecture": {"modality": "text->text", "input_modalities": ["text"],
                             "output_modalities": ["text"], "tokenizer": "Other"},
            "pricing": {"prompt": per_token(inp), "completion": per_token(outp),
                        "request": "0", "image": "0"},
            "top_provider": {"context_length": m["ctx"][0], "is_moderated": False},
            "supported_parameters": ["max_tokens", "temperature", "top_p"]})
        expected.append((pid, mid, m["canon"], norm(inp), norm(outp), str(m["ctx"][0])))
    with open(os.path.join(out, "pages", pid + ".json"), "w") as f:
        json.dump({"data": data}, f, indent=None if q % 2 else 1)
    src = {lang: ("; bench model list %d: JSON shaped like OpenRouter's, authoritative\n"
                  "[source]\nprovider = %s\nprovider_name = Bench API %d\nkind = pricing\n"
                  "url = http://127.0.0.1:PORT/pages/%s.json\nformat = json\ninterval = 1h\n"
                  "authoritative = yes\n\n[extract]\n%s\n[units]\ninput_price = per_token\n"
                  "output_price = per_token\n" % (q, pid, q, pid, JSON_EXTRACT[lang]))
           for lang in JSON_EXTRACT}
    return src, expected


CONF = """[database]
conninfo =
lock_wait = 10s
[paths]
sources = sources.d
aliases = %s
[fetch]
timeout = 60s
connect_timeout = 5s
max_body_size = 64MiB
max_connections = 16
max_per_host = 16
host_delay = 0ms
retries = 1
backoff = 100ms
contact = mailto:bench@llmref.invalid
allow_private_networks = yes
[quarantine]
enabled = no
[diff]
pairs = all
pairs_file = %s
"""


def write_source(out, name, src, lang, port):
    """sources.d/NAME in lang, peer.d/NAME in the old paths (the peer's)."""
    for d, lng in (("sources.d", lang), ("peer.d", "old")):
        with open(os.path.join(out, d, name), "w") as f:
            f.write(src[lng].replace("PORT", str(port)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--providers", type=int, default=50)
    ap.add_argument("--models", type=int, default=400)
    ap.add_argument("--apis", type=int, default=10)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--grow", choices=("pages", "sources"), default="pages")
    ap.add_argument("--change", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lang", choices=("old", "jq"), default="jq")
    a = ap.parse_args()
    global CHANGE_PCT
    CHANGE_PCT = a.change
    rng = random.Random(a.seed)
    out = os.path.abspath(a.out)
    for d in ("pages", "sources.d", "peer.d"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    models = universe(rng, a.models * a.scale)
    k, apis, providers = 1, a.apis, a.providers
    if a.grow == "sources":
        k, apis, providers = a.scale, a.apis * a.scale, a.providers * a.scale

    def part(j):
        return models[(j % k) * a.models:(j % k + 1) * a.models] if k > 1 else models
    expected = []
    for q in range(apis):
        src, rows = json_api(rng, q, part(q), out)
        expected += rows
        write_source(out, "api%03d.conf" % q, src, a.lang, a.port)
    for p in range(providers):
        src, rows = html_page(rng, p, part(p), out)
        expected += rows
        write_source(out, "html%03d.conf" % p, src, a.lang, a.port)
    with open(os.path.join(out, "expected.tsv"), "w") as f:
        for r in expected:
            f.write("\t".join(r) + "\n")
    # comparison records: a fixed handful of pairs (bench/run-diff.sh
    # measures the diff stage); the load is about ingestion
    with open(os.path.join(out, "pairs"), "w") as f:
        for i in range(0, min(20, len(models) - 1)):
            f.write("%s %s\n" % (models[i]["canon"], models[i + 1]["canon"]))
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(out, "llmref.conf"), "w") as f:
        f.write(CONF % (os.path.join(os.path.dirname(here), "conf", "aliases.conf"),
                        os.path.join(out, "pairs")))


if __name__ == "__main__":
    main()
