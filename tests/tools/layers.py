#!/usr/bin/env python3
"""layers.py - the stage order of src/, checked two ways.

  layers.py includes SRCDIR   every #include "STAGE/file.h" in src/STAGE/
                              names a stage at or below its own, and no
                              header include chain comes back to itself
  layers.py objects BUILDDIR  the same for the symbols each object file of
                              the library uses (nm): no object calls up the
                              order, and no two objects call each other
                              round a cycle

Prints one line per finding and exits 1 if there is any, else prints
nothing and exits 0. The order is the pipeline's: a stage may use those
before it in ORDER, never one after it."""
import os
import re
import subprocess
import sys

ORDER = ["core", "vocab", "fetch", "extract", "normalize", "config",
         "catalog", "diff", "daemon", "cli"]
RANK = {s: i for i, s in enumerate(ORDER)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def stage_of(path):
    parts = path.split(os.sep)
    return parts[-2] if len(parts) >= 2 else ""


def find_cycles(graph):
    """Every node that lies on a cycle, each cycle reported once."""
    found, state, stack = [], {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                cyc = stack[stack.index(m):] + [m]
                key = frozenset(cyc)
                if key not in {frozenset(c) for c in found}:
                    found.append(cyc)
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    sys.setrecursionlimit(10000)
    for n in sorted(graph):
        if n not in state:
            visit(n)
    return found


def check_rank(src, dst, what):
    s, d = stage_of(src), stage_of(dst)
    if s not in RANK:
        return ["%s: folder '%s' is not a stage (%s)" % (src, s, " ".join(ORDER))]
    if d not in RANK:
        return ["%s: %s %s outside the stages" % (src, what, dst)]
    if RANK[d] > RANK[s]:
        return ["%s: %s %s, which is up the stage order (%s after %s)" %
                (src, what, dst, d, s)]
    return []


def includes(top):
    bad, graph = [], {}
    src = os.path.join(top, "src")
    for stage in sorted(os.listdir(src)):
        folder = os.path.join(src, stage)
        if not os.path.isdir(folder) or stage == "sql":
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            rel = os.path.join(stage, name)
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                if inc == "autoconf.h":
                    continue
                if "/" not in inc:
                    bad.append("%s: includes \"%s\" without its stage folder" % (rel, inc))
                    continue
                bad += check_rank(rel, inc, "includes")
                if name.endswith(".h"):
                    graph.setdefault(rel, set()).add(inc)
    for cyc in find_cycles(graph):
        bad.append("include cycle: " + " -> ".join(cyc))
    return bad


def nm_symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defs, uses = set(), set()
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBRCG":
            defs.add(p[2])
        elif len(p) == 2 and p[0] == "U":
            uses.add(p[1])
    return defs, uses


def objects(build):
    src = os.path.join(build, "src")
    objs = []
    for stage in sorted(os.listdir(src)):
        folder = os.path.join(src, stage)
        if os.path.isdir(folder):
            objs += [os.path.join(stage, n) for n in sorted(os.listdir(folder))
                     if n.endswith(".o")]
    if not objs:
        return ["%s: no object files (build first)" % src]
    defs, uses = {}, {}
    for o in objs:
        defs[o], uses[o] = nm_symbols(os.path.join(src, o))
    owner = {s: o for o in objs for s in defs[o]}
    bad, graph = [], {}
    for o in objs:
        for sym in sorted(uses[o]):
            d = owner.get(sym)
            if d is None or d == o:
                continue
            graph.setdefault(o, set()).add(d)
            bad += check_rank(o, d, "calls %s in" % sym)
    for cyc in find_cycles(graph):
        bad.append("call cycle between objects: " + " -> ".join(cyc))
    return sorted(set(bad))


def main(argv):
    if len(argv) != 3 or argv[1] not in ("includes", "objects"):
        sys.stderr.write("usage: layers.py includes SRCDIR | objects BUILDDIR\n")
        return 2
    bad = includes(argv[2]) if argv[1] == "includes" else objects(argv[2])
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
