#!/bin/bash
# The page builders' tree (issue 20): llmref export site DIR and the
# daemon's [export] dir. Every models/ and comparisons/ file equals what
# export model / export comparison print, byte for byte; a second write
# writes nothing; a price change rewrites exactly the files it touches; a
# failed refresh changes nothing; files no longer named are removed; a
# reader polling while the daemon refreshes never finds the index naming
# a file that is missing or half written.
. "$(dirname "$0")/lib.sh"
need_pg
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK/pages"
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
llmref refresh --all >/dev/null 2>&1
S=$WORK/site
out=$(llmref export site "$S" 2>&1); rc=$?
is "$rc" 0 "export site writes the tree ($out)"
like "$out" "^export site: $S: [0-9]+ files, [0-9]+ written, 0 removed$" "and says what it wrote"

paths() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for m in d["models"]: print("M", m["id"], m["model"], m["history"])
for p in d["providers"]: print("P", p["id"], p["provider"])
for p in d["pairs"]: print("C", p["models"][0], p["models"][1], p["comparison"])' "$S/index.json"; }
nm=$(paths | grep -c '^M'); np=$(paths | grep -c '^C')
is "$nm" "$(q "select count(distinct model_id) from provider_routes")" "the index names every model a provider serves ($nm)"
is "$np" "$(q "select count(*) from comparisons")" "and every pair with a record ($np)"
bad=0
while read -r kind a b c; do
	case $kind in
	M) llmref export model "$a" | cmp -s - "$S/$b" || { bad=$((bad + 1)); echo "# differs: $b"; } ;;
	C) llmref export comparison "$a" "$b" | cmp -s - "$S/$c" || { bad=$((bad + 1)); echo "# differs: $c"; } ;;
	esac
done < <(paths)
is "$bad" 0 "models/ and comparisons/ equal export model and export comparison byte for byte"
check=$(python3 - "$S" <<'PY'
import json, os, sys
top = sys.argv[1]
idx = json.load(open(os.path.join(top, "index.json")))
bad = []
def money(v):  # a price is a decimal string or null, never a number
    return v is None or (isinstance(v, str) and v.replace(".", "", 1).isdigit())
for m in idx["models"]:
    h = json.load(open(os.path.join(top, m["history"])))
    for r in h["routes"]:
        for p in r["prices"]:
            if not (money(p["input_usd_per_mtok"]) and money(p["output_usd_per_mtok"]) and p["valid_from"].endswith("Z")):
                bad.append(m["history"])
for p in idx["providers"]:
    d = json.load(open(os.path.join(top, p["provider"])))
    if d["schema_version"] != 1 or not d["routes"]:
        bad.append(p["provider"])
    for r in d["routes"]:
        if not (money(r["input_usd_per_mtok"]) and money(r["output_usd_per_mtok"])):
            bad.append(p["provider"])
print(len(bad), idx["schema_version"], idx["last_event_id"] > 0, *bad[:3])
PY
)
is "$check" "0 1 True" "history/ and providers/: every price an exact decimal string, every date UTC"

# every file against its JSON Schema in docs/ (Debian: python3-jsonschema)
if python3 -c 'import jsonschema' 2>/dev/null; then
	v=$(python3 - "$S" "$LLMREF_SRCDIR/docs" <<'PY'
import glob, json, os, sys, jsonschema
top, docs = sys.argv[1], sys.argv[2]
schemas = {os.path.basename(f): json.load(open(f)) for f in glob.glob(os.path.join(docs, "*.schema.json"))}
try:  # jsonschema >= 4.18
    from referencing import Registry, Resource
    reg = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in schemas.values()])
    def validator(s): return jsonschema.Draft202012Validator(s, registry=reg)
except ImportError:  # Debian 12's 4.10
    store = {s["$id"]: s for s in schemas.values()}
    def validator(s): return jsonschema.Draft202012Validator(s, resolver=jsonschema.RefResolver.from_schema(s, store=store))
def check(schema, path):
    return list(validator(schemas[schema]).iter_errors(json.load(open(os.path.join(top, path)))))
idx = json.load(open(os.path.join(top, "index.json")))
errs, n = check("site-index.schema.json", "index.json"), 1
for m in idx["models"]:
    errs += check("model.schema.json", m["model"]) + check("site-history.schema.json", m["history"]); n += 2
for p in idx["providers"]:
    errs += check("site-provider.schema.json", p["provider"]); n += 1
for p in idx["pairs"]:
    errs += check("comparison.schema.json", p["comparison"]); n += 1
print(n, len(errs), *(e.message[:100] for e in errs[:2]))
PY
)
	like "$v" "^[0-9]+ 0$" "every file of the tree is valid against its schema in docs/ ($v)"
else
	ok 0 "# SKIP python3-jsonschema is not installed"
fi

stamp() { (cd "$S" && find . \( -name '*.json' -o -name '*.svg' \) -printf '%P %i %T@\n' | sort); }
before=$(stamp)
out=$(llmref export site "$S" 2>&1)
like "$out" ": [0-9]+ files, 0 written, 0 removed$" "a second write writes nothing"
is "$(stamp)" "$before" "no file was replaced (inodes and times unchanged)"

# one price moves: exactly its model, history, provider and pairs change
sums() { (cd "$S" && find . \( -name '*.json' -o -name '*.svg' \) -printf '%P\n' | sort | xargs sha256sum); }
s0=$(sums)
sed -i '0,/<td>\$0.10<\/td>/s//<td>$0.12<\/td>/' "$WORK/pages/fireworks.ai/pricing"
llmref refresh --source fireworks >/dev/null 2>&1
llmref export site "$S" >/dev/null 2>&1
changed=$(diff <(echo "$s0") <(sums) | sed -n 's/^> [0-9a-f]*  //p' | sort | tr '\n' ' ')
L=llama-3.2-1b-instruct
want=$( (echo index.json; echo "models/$L.json"; echo "history/$L.json"; echo "charts/$L.svg"; echo providers/fireworks.json
	 ls "$S/comparisons" | grep -F -- "$L" | sed 's#^#comparisons/#') | sort | tr '\n' ' ')
is "$changed" "$want" "a price change rewrites exactly the files it touches"
like "$(cat "$S/history/$L.json")" '"input_usd_per_mtok": "0.12"' "the history holds the new price"
like "$(cat "$S/history/$L.json")" '"input_usd_per_mtok": "0.1"' "and the old one"
svg=$(python3 - "$S" "$L" <<'PY'
import json, os, sys, xml.etree.ElementTree as ET
top, model = sys.argv[1], sys.argv[2]
idx = json.load(open(os.path.join(top, "index.json")))
ns = "{http://www.w3.org/2000/svg}"
ok = 0
for m in idx["models"]:
    root = ET.parse(os.path.join(top, m["chart"])).getroot()
    paths = root.iter(ns + "path")
    ok += root.tag == ns + "svg" and any(p.get("class") == "input" for p in root.iter(ns + "path"))
steps = [p.get("d") for p in ET.parse(os.path.join(top, "charts", model + ".svg")).getroot().iter(ns + "path")
         if p.get("class") == "input" and " V" in p.get("d")]
scripts = sum(1 for m in idx["models"] if "<script" in open(os.path.join(top, m["chart"])).read())
print(ok == len(idx["models"]), len(steps), scripts)
PY
)
is "$svg" "True 1 0" "every chart is SVG with an input line, no script; the moved price is a step in its route's line"

# a refresh that fails changes nothing
mv "$WORK/pages/fireworks.ai/pricing" "$WORK/pricing.saved"
llmref refresh --source fireworks >/dev/null 2>&1; is "$?" 1 "a refresh of a missing page fails"
before=$(stamp)
out=$(llmref export site "$S" 2>&1)
like "$out" ", 0 written, 0 removed$" "after it the tree is the same"
is "$(stamp)" "$before" "file for file"
mv "$WORK/pricing.saved" "$WORK/pages/fireworks.ai/pricing"

# a run the guard holds back (a price moved a hundredfold) changes nothing
cp "$WORK/pages/fireworks.ai/pricing" "$WORK/pricing.saved"
sed -i 's/<td>\$0.12<\/td>/<td>$12.00<\/td>/' "$WORK/pages/fireworks.ai/pricing"
out=$(llmref refresh --source fireworks 2>&1)
like "$out" "fireworks: quarantined" "a hundredfold price is quarantined"
before=$(stamp)
out=$(llmref export site "$S" 2>&1)
like "$out" ", 0 written, 0 removed$" "after it the tree is the same"
is "$(stamp)" "$before" "file for file"
mv "$WORK/pricing.saved" "$WORK/pages/fireworks.ai/pricing"

# a file the index no longer names goes; others are left alone
echo '{}' > "$S/models/gone-model.json"; echo keep > "$S/models/README"
out=$(llmref export site "$S" 2>&1)
like "$out" ", 0 written, 1 removed$" "a file no longer named is removed"
ok "$([ ! -e "$S/models/gone-model.json" ] && [ -e "$S/models/README" ]; echo $?)" \
	"and only that one"
out=$(llmref export site 2>&1); is "$?" 2 "export site without DIR is a usage error"
out=$(llmref export site "$WORK/$(printf 'x%.0s' $(seq 1 600))" 2>&1); rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "a folder name too long for the tree's paths is refused ($out)"

# the daemon keeps [export] dir current; a reader polling it meanwhile
# never finds a file the index names missing or unreadable
D=$WORK/dsite
printf '[export]\ndir = %s\n' "$D" >> "$CONF"
sed -i 's/^interval = .*/interval = 1s/' "$WORK"/sources.d/*.conf
( exec "$LLMREF_BIN" -c "$CONF" daemon --allow-root ) > "$WORK/d.log" 2>&1 &
DPID=$!
python3 - "$D" 9 > "$WORK/poll.out" <<'PY' &
import json, os, sys, time
top, end = sys.argv[1], time.time() + float(sys.argv[2])
polls = bad = 0; seen = set()
while time.time() < end:
    try:
        idx = json.load(open(os.path.join(top, "index.json")))
    except FileNotFoundError:
        time.sleep(0.01); continue
    except ValueError:
        bad += 1; continue
    seen.add(idx["last_event_id"]); polls += 1
    for m in idx["models"]:
        for k in ("model", "history"):
            try: json.load(open(os.path.join(top, m[k])))
            except (OSError, ValueError): bad += 1
    for p in idx["pairs"]:
        try: json.load(open(os.path.join(top, p["comparison"])))
        except (OSError, ValueError): bad += 1
print(polls, bad, len(seen))
PY
ppid=$!
for i in 1 2 3 4; do
	sleep 1.5; sed -i 's/<td>\$0.12<\/td>/<td>$0.14<\/td>/' "$WORK/pages/fireworks.ai/pricing"
	sleep 1.5; sed -i 's/<td>\$0.14<\/td>/<td>$0.12<\/td>/' "$WORK/pages/fireworks.ai/pricing"
done
wait "$ppid"
read -r polls bad seen < "$WORK/poll.out"
is "$bad" 0 "a reader polling during refreshes never found a named file missing or half written ($polls polls)"
ok "$([ "$seen" -ge 2 ]; echo $?)" "while the tree moved ($seen states of the feed seen)"
like "$(cat "$WORK/d.log")" "export site: $D: [0-9]+ files, [0-9]+ written" "the daemon logs what it wrote"
kill -TERM "$DPID"; wait "$DPID"
bad=0
while read -r kind a b c; do
	[ "$kind" = M ] && { llmref export model "$a" | cmp -s - "$D/$b" || bad=$((bad + 1)); }
done < <(S=$D paths)
is "$bad" 0 "after the daemon stops, its tree equals export model"
done_testing
