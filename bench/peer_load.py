#!/usr/bin/env python3
"""peer_load.py - the peer of bench/run-load.sh (issue 18): what a user
might write instead of llmref, with requests, lxml and psycopg2 (Debian's
python3-requests, python3-lxml, python3-psycopg2). It reads the same
source files (sources.d/*.conf of bench/gen-corpus.py), fetches the same
pages one after another, reads their rows with lxml or json, and upserts
models, routes and prices with history (a new price row when a route's
price or context window changes) into its own schema, one transaction
per source. The database comes from libpq's environment (PGDATABASE...).

usage: peer_load.py CORPUS_DIR [--schema peer]
Prints "sources N rows N prices_written N" on stdout."""
import argparse
import configparser
import glob
import os
import json
import re
import sys
from decimal import Decimal

import lxml.html
import psycopg2
import psycopg2.extras
import requests

SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.models (
    id text PRIMARY KEY,
    first_seen timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS {s}.routes (
    id bigserial PRIMARY KEY,
    source_id text NOT NULL,
    provider_model_id text NOT NULL,
    model_id text NOT NULL REFERENCES {s}.models (id),
    first_seen timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, provider_model_id));
CREATE TABLE IF NOT EXISTS {s}.prices (
    id bigserial PRIMARY KEY,
    route_id bigint NOT NULL REFERENCES {s}.routes (id),
    input_usd_per_mtok numeric NOT NULL,
    output_usd_per_mtok numeric NOT NULL,
    context_window bigint,
    valid_from timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS prices_route_idx ON {s}.prices (route_id, id DESC);
"""

PER_MTOK = {"per_1m": Decimal(1), "auto": Decimal(1), "per_1k": Decimal(1000),
            "per_token": Decimal(1000000)}
NUMBER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


def parse_price(text, unit):
    """USD per 1M tokens as a Decimal (free is 0)."""
    t = text.strip()
    if t.lower() == "free":
        return Decimal(0)
    m = NUMBER.search(t)
    if m is None:
        raise ValueError("no price in %r" % text)
    d = Decimal(m.group(0).replace(",", ""))
    low = t.lower().replace(" ", "")
    if "/1ktokens" in low or "/1k" in low:
        return d * 1000
    if "/m" in low:
        return d
    return d * PER_MTOK[unit]


def parse_context(text):
    t = str(text).strip().lower().replace(",", "").replace("tokens", "").strip()
    if t.endswith("k"):
        return int(Decimal(t[:-1]) * 1000)
    if t.endswith("m"):
        return int(Decimal(t[:-1]) * 1000000)
    return int(t)


def canonical(name):
    """The canonical model id of a provider's spelling."""
    n = name.strip()
    if ": " in n:
        n = n.split(": ", 1)[1]
    n = n.rsplit("/", 1)[-1]
    if n.startswith("meta."):
        n = n[len("meta."):]
    if n.endswith("-v1:0"):
        n = n[:-len("-v1:0")]
    return re.sub(r"[ _]+", "-", n.lower())


def json_get(obj, path):
    for part in path.lstrip("$.").split("."):
        obj = obj[part]
    return obj


def read_rows(src, body):
    """(provider_model_id, model_id, input, output, context) per row."""
    ex, units = src["extract"], src["units"]
    out = []
    if src["source"]["format"] == "json":
        data = json.loads(body)
        for r in json_get(data, ex["rows"].split("[")[0]):
            name = json_get(r, ex["model"])
            out.append((name, canonical(name),
                        parse_price(json_get(r, ex["input_price"]), units["input_price"]),
                        parse_price(json_get(r, ex["output_price"]), units["output_price"]),
                        parse_context(json_get(r, ex["context_window"]))))
        return out
    doc = lxml.html.fromstring(body)
    for tr in doc.xpath(ex["rows"]):
        def cell(field):
            return tr.xpath(ex[field])[0].text_content().strip()
        name = cell("model")
        out.append((name, canonical(name), parse_price(cell("input_price"), units["input_price"]),
                    parse_price(cell("output_price"), units["output_price"]),
                    parse_context(cell("context_window"))))
    return out


def store(conn, schema, source_id, rows):
    """Upsert one source's rows in one transaction; returns prices written."""
    s = schema
    with conn, conn.cursor() as cur:
        psycopg2.extras.execute_values(
            cur, "INSERT INTO %s.models (id) VALUES %%s ON CONFLICT (id) DO NOTHING" % s,
            sorted({(r[1],) for r in rows}), page_size=1000)
        cur.execute("SELECT provider_model_id, id FROM %s.routes WHERE source_id = %%s" % s,
                    (source_id,))
        ids = dict(cur.fetchall())
        new = [(source_id, r[0], r[1]) for r in rows if r[0] not in ids]
        if new:
            ids.update(psycopg2.extras.execute_values(
                cur, "INSERT INTO %s.routes (source_id, provider_model_id, model_id) VALUES %%s"
                " RETURNING provider_model_id, id" % s, new, page_size=1000, fetch=True))
        cur.execute("SELECT DISTINCT ON (p.route_id) p.route_id, p.input_usd_per_mtok,"
                    " p.output_usd_per_mtok, p.context_window FROM %s.prices p"
                    " JOIN %s.routes r ON r.id = p.route_id WHERE r.source_id = %%s"
                    " ORDER BY p.route_id, p.id DESC" % (s, s), (source_id,))
        current = {r[0]: tuple(r[1:]) for r in cur.fetchall()}
        changed = [(ids[r[0]], r[2], r[3], r[4]) for r in rows
                   if current.get(ids[r[0]]) != (r[2], r[3], r[4])]
        if changed:
            psycopg2.extras.execute_values(
                cur, "INSERT INTO %s.prices (route_id, input_usd_per_mtok, output_usd_per_mtok,"
                " context_window) VALUES %%s" % s, changed, page_size=1000)
    return len(changed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--schema", default="peer")
    a = ap.parse_args()
    conn = psycopg2.connect("")
    with conn, conn.cursor() as cur:
        cur.execute("SET client_min_messages = warning")
        cur.execute(SCHEMA_SQL.format(s=a.schema))
    http = requests.Session()
    nsrc = nrows = nwritten = 0
    # the corpus describes each page for the peer in peer.d/ (paths and
    # XPath fields); llmref's own sources.d/ is in jq
    peer = a.corpus + ("/peer.d" if os.path.isdir(a.corpus + "/peer.d") else "/sources.d")
    for path in sorted(glob.glob(peer + "/*.conf")):
        src = configparser.RawConfigParser()
        src.read(path)
        reply = http.get(src["source"]["url"], timeout=60)
        reply.raise_for_status()
        rows = read_rows(src, reply.content)
        nwritten += store(conn, a.schema, src["source"]["provider"], rows)
        nsrc += 1
        nrows += len(rows)
    conn.close()
    print("sources %d rows %d prices_written %d" % (nsrc, nrows, nwritten))
    return 0


if __name__ == "__main__":
    sys.exit(main())
