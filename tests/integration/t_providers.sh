#!/bin/bash
# Every shipped source (conf/sources.d, and the examples of each page
# shape in conf/examples) extracts exactly the rows listed for it in
# tests/fixtures/expected/ID.tsv from its fixture page (served on
# 127.0.0.1 in the provider's real format), through `llmref sources test
# ID --fetch`, which writes nothing; then `llmref reparse` of each.
. "$(dirname "$0")/lib.sh"
fixture_start "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$LLMREF_SRCDIR/conf/sources.d" "$WORK/sources.d" "$FIXTURE_PORT"
local_sources "$LLMREF_SRCDIR/conf/examples" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
# the key that conf/examples/fireworks-models-api.conf names ([headers])
mkdir -p "$WORK/credentials" && (umask 077 && echo "fw-test-key" > "$WORK/credentials/fireworks-api-key")

out=$(llmref sources check); rc=$?
is "$rc" 0 "sources check passes on every shipped source"
n=$(ls "$LLMREF_SRCDIR"/conf/sources.d/*.conf "$LLMREF_SRCDIR"/conf/examples/*.conf | wc -l)
like "$out" "^$n sources ok$" "and counts them ($n)"

for conf in "$LLMREF_SRCDIR"/conf/sources.d/*.conf "$LLMREF_SRCDIR"/conf/examples/*.conf; do
	id=$(basename "$conf" .conf)
	exp=$LLMREF_SRCDIR/tests/fixtures/expected/$id.tsv
	if [ ! -f "$exp" ]; then
		ok 1 "$id: has an expected-rows file"
		continue
	fi
	got=$(llmref sources test "$id" --fetch 2>&1); rc=$?
	is "$rc" 0 "$id: sources test succeeds"
	# pricing: provider_model_id, input kind+value, output kind+value,
	# context (and the provider a dataset's row names, and the row's other
	# prices, when expected)
	nf=$(head -1 "$exp" | awk -F'\t' '{print NF}')
	if grep -q '^kind = pricing' "$conf" && [ "$nf" = 8 ]; then
		cols='{print $1, $5, $6, $7, $8, $9, $14, $20}'
	elif grep -q '^kind = pricing' "$conf" && [ "$nf" = 7 ]; then
		cols='{print $1, $5, $6, $7, $8, $9, $14}'
	elif grep -q '^kind = pricing' "$conf"; then
		cols='{print $1, $5, $6, $7, $8, $9}'
	else # facts: name, fact, value
		cols='{print $1, $3, $4}'
	fi
	rows=$(printf '%s\n' "$got" | grep -v '^#' | awk -F'\t' -v OFS='\t' "$cols" | sort)
	is "$rows" "$(sort "$exp")" "$id: rows equal tests/fixtures/expected/$id.tsv"
done

# a saved page works the same without any server
got=$(llmref sources test fireworks --page "$LLMREF_SRCDIR/tests/fixtures/pages/fireworks.ai/pricing"); rc=$?
is "$rc" 0 "sources test --page reads a saved page"
like "$got" "^Llama 3.2 1B Instruct	llama-3.2-1b-instruct			value	0.1	value	0.1	128000		unpriced					unpriced		unpriced		$" "and prints the normalized row"
"$LLMREF_BIN" -c "$CONF" sources test fireworks >/dev/null 2>&1
is "$?" 2 "sources test without --page or --fetch is a usage error"

# -v: what the jq program reads (issue 15's editors' tools)
novita=$LLMREF_SRCDIR/tests/fixtures/pages/novita.ai/pricing
got=$(llmref sources test novita --page "$novita" -v 2>&1); rc=$?
is "$rc" 0 "sources test -v succeeds"
like "$got" "^# json_xpath '//script\[@id='__NEXT_DATA__'\]' selected 1 node$" "-v: how many nodes json_xpath selected"
like "$got" '^ +"inputTokenPricePerM": "0.13",$' "-v: the document, a number as the string of its exact text"
like "$got" "^# the program gave [0-9]+ rows; model in [0-9]+; input_price in [0-9]+" "-v: the rows and fields the program gave"
like "$got" "^meta-llama/llama-3.3-70b-instruct	" "-v: then the rows as without it"
# a markdown page: the HTML it renders to
printf '| Model | In |\n|---|---|\n| m1 | 0.5 |\n' > "$WORK/md.md"
cat > "$WORK/md.conf" <<CONF
[source]
provider = mdprov
provider_name = MD Prov
kind = pricing
url = https://md.example/prices.md
format = markdown
[extract]
table = //table
jq = .[] | {model: .Model, input_price: .In, output_price: .In}
[units]
input_price = per_1m
output_price = per_1m
CONF
got=$(llmref sources test --file "$WORK/md.conf" --page "$WORK/md.md" -v 2>&1); rc=$?
is "$rc" 0 "sources test --file tries a draft that is not installed"
like "$got" "^<td>m1</td>$" "-v on markdown: the HTML it renders to"
like "$got" "^m1	m1			value	0.5	value	0.5" "the draft's rows"
is "$(llmref sources list | grep -c '^md$')" 0 "and the draft is not installed"
sed -i 's#^table = //table#table = //table[@id="none"]#' "$WORK/md.conf"
got=$(llmref sources test --file "$WORK/md.conf" --page "$WORK/md.md" -v 2>&1)
like "$got" "selected 0 nodes: it matches nothing on this page" "-v: an expression that matches nothing is named"
sed -i 's#^format = markdown#format = xml#' "$WORK/md.conf"
got=$(llmref sources test --file "$WORK/md.conf" --page "$WORK/md.md" 2>&1); rc=$?
is "$rc" 3 "a broken draft given by --file exits 3"
like "$got" "md\.conf:[0-9]+: \[source\] format: unknown format" "naming its file, line and reason"
"$LLMREF_BIN" -c "$CONF" sources test nosuch --page /dev/null >/dev/null 2>&1
is "$?" 2 "sources test of an unknown source is a usage error"

# reparse works on every shipped source: after one refresh --all, each
# source's stored page is read again with its source file, changing nothing
if psql -Atqc 'select 1' >/dev/null 2>&1; then
	need_pg
	llmref db migrate >/dev/null && llmref refresh --all >/dev/null 2>&1
	before=$(q "select count(*) from routes")
	for conf in "$LLMREF_SRCDIR"/conf/sources.d/*.conf "$LLMREF_SRCDIR"/conf/examples/*.conf; do
		id=$(basename "$conf" .conf)
		out=$(llmref reparse --source "$id" 2>&1); rc=$?
		is "$rc" 0 "$id: reparse re-reads its stored page"
	done
	is "$(q "select count(*) from routes")" "$before" "and reparsing the same pages changes no route"
	# the tier cells of conf/examples/gemini-api.conf: "$1.25 / $2.50 (>128K)"
	# and its tools table: the other prices of a route, stored as one route
	# fact of exact decimals (only gemini-1.5-pro is a catalog model: the
	# others make no route)
	rf() { q "select value from current_route_facts f join routes r on r.id = f.route_id where r.source_id = 'gemini-api' and r.provider_model_id = '$1' and fact = '$2'"; }
	is "$(rf gemini-1.5-pro prices)" '{"cached_input >128000":"0.625","input >128000":"2.5","output >128000":"10","per_request grounding":"0.035"}' \
		"gemini-api: a tier cell's prices, over 128K (>), and the grounding price per request"
	like "$(llmref show model gemini-1.5-pro)" "cached_input >128000=0.625, input >128000=2.5, output >128000=10, per_request grounding=0.035" \
		"show model prints a route's other prices"
	gp() { python3 -c 'import json,sys
d=json.load(sys.stdin); ms=d["models"] if isinstance(d, dict) and "models" in d else (d if isinstance(d, list) else [d])
for m in ms:
    for r in m.get("routes", []):
        if r.get("provider") == "gemini-api" or r.get("source") == "gemini-api":
            print(r["prices"]["input >128000"], r["prices"]["per_request grounding"])'; }
	is "$(llmref export catalog | gp)" "2.5 0.035" "export catalog: the route's prices, an object of exact decimals"
	is "$(llmref export model gemini-1.5-pro | gp)" "2.5 0.035" "export model: the comparison record's routes carry them"
	# conf/examples/litellm.conf: a dataset whose rows name their provider.
	# Each route lands under the provider its name resolves to through
	# providers.conf (bedrock, fireworks_ai, together_ai, vertex_ai-...),
	# never under the dataset's own id; names no provider goes by wait.
	lp() { q "select r.provider_id from routes r where r.source_id = 'litellm' and r.provider_model_id = '$1'"; }
	is "$(lp meta.llama3-1-405b-instruct-v1:0)" bedrock "litellm: a 'bedrock' row is a route of bedrock"
	is "$(lp fireworks_ai/accounts/fireworks/models/llama-v3p2-1b-instruct)" fireworks "litellm: 'fireworks_ai' is Fireworks AI's name"
	is "$(lp vertex_ai/meta/llama-3.1-405b-instruct-maas)" vertex "litellm: 'vertex_ai-llama_models' is an aka of vertex"
	is "$(q "select count(*) from routes where provider_id = 'litellm'")" 0 "litellm: no route under the dataset's own id"
	is "$(q "select string_agg(name, ',' order by name) from unmatched_providers where source_id = 'litellm' and resolved_at is null")" \
		"dashscope,gemini,openai" "litellm: the names no provider goes by wait"
	like "$(q "select message from alerts where kind = 'unmatched_providers' and subject = 'litellm' and resolved_at is null")" \
		"source litellm: 3 provider name" "litellm: one alert counts them"
	# conf/examples/models-dev.conf: provider objects named "Amazon Bedrock",
	# "Azure", "Nebius"
	lp() { q "select r.provider_id from routes r where r.source_id = 'models-dev' and r.provider_model_id = '$1'"; }
	is "$(lp amazon-bedrock/meta.llama3-1-405b-instruct-v1:0)" bedrock "models-dev: 'Amazon Bedrock' is bedrock"
	is "$(lp azure/meta-llama-3.1-405b-instruct)" azure "models-dev: 'Azure' is azure"
	is "$(q "select string_agg(name, ',' order by name) from unmatched_providers where source_id = 'models-dev' and resolved_at is null")" \
		"Nebius" "models-dev: Nebius, which providers.conf does not name, waits"
	# conf/examples/aws-pricelist.conf: products joined to their OnDemand
	# terms by SKU; "0.0024000000" per 1K tokens is 2.4 per 1M
	is "$(q "select p.input_usd_per_mtok || '|' || p.output_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.source_id = 'aws-pricelist' and r.provider_model_id = 'Llama 3.1 405B Instruct'")" \
		"2.4|2.4" "aws-pricelist: a product's two SKUs joined into one exact route"
	# conf/examples/fireworks-models-api.conf: JSON booleans as capabilities
	is "$(q "select value from model_facts where source_id = 'fireworks-models-api' and model_id = 'llama-3.2-1b-instruct' and fact = 'capability:function_calling'")" \
		false "fireworks-models-api: supportsTools false is capability function_calling false"
else
	ok 0 "# SKIP reparse: no PostgreSQL server"
fi
done_testing
