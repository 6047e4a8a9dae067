#!/usr/bin/env python3
"""gen-pages.py - a seeded corpus of provider-like HTML pricing pages for
the fetch benchmark: --count pages of about --kib KiB each, one pricing
table per page with varied price and context formats, HTML5 boilerplate.

usage: gen-pages.py --out DIR [--count 400] [--kib 64] [--seed 1]
Writes DIR/pages/pN.html and prints nothing; the same seed gives the same
bytes."""
import argparse
import os
import random

PRICE_FORMATS = ["${:.2f}", "{:.2f} USD", "${:.4f} / 1K tokens", "${:.2f}/M", "Free"]
CONTEXTS = ["128K", "131,072", "32,768", "1M", "200K", "8192"]


def page(rng, idx, kib):
    rows = []
    size = 0
    n = 0
    while size < kib * 1024:
        fmt = rng.choice(PRICE_FORMATS)
        price = rng.randint(1, 5000) / 100
        cell = fmt if fmt == "Free" else fmt.format(price)
        row = ("<tr><td><a href=\"/models/m-%d-%d\">Model %d-%d Instruct</a></td>"
               "<td>%s</td><td>%s</td><td>%s</td></tr>\n"
               % (idx, n, idx, n, cell, cell, rng.choice(CONTEXTS)))
        rows.append(row)
        size += len(row)
        n += 1
    head = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Pricing %d</title><script>window.x=1;</script>"
            "<style>td{padding:2px}</style></head><body><nav><a href=\"/\">Home</a></nav>\n"
            "<table id=\"pricing\"><thead><tr><th>Model</th><th>Input</th><th>Output</th>"
            "<th>Context</th></tr></thead><tbody>\n" % idx)
    return head + "".join(rows) + "</tbody></table><footer>(c) bench</footer></body></html>\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--kib", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "pages"), exist_ok=True)
    for i in range(a.count):
        with open(os.path.join(a.out, "pages", "p%d.html" % i), "w") as f:
            f.write(page(rng, i, a.kib))


if __name__ == "__main__":
    main()
