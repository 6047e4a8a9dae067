#!/bin/bash
# A dataset whose rows name their own provider ([extract] provider, issue
# 15): each route lands under the provider its name resolves to through
# providers.conf; a name no provider goes by waits with one alert and is
# taken in once providers.conf names it; a row that changes provider
# moves its route; one key under two providers fails the run.
. "$(dirname "$0")/lib.sh"
need_pg
mkdir -p "$WORK/pages/data.example/v1" "$WORK/sources.d"
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
CONF=$(local_config "$WORK")
cp "$LLMREF_SRCDIR/conf/providers.conf" "$WORK/providers.conf"
sed -i "s#^providers = .*#providers = $WORK/providers.conf#" "$CONF"
cat > "$WORK/sources.d/prices.conf" <<CONF
[source]
provider = pricedata
provider_name = A price dataset
kind = pricing
url = http://127.0.0.1:$FIXTURE_PORT/data.example/v1/prices.json
format = json
authoritative = yes
[extract]
jq = .prices[] | {model: (.key // "\(.seller)/\(.id)"), provider: .seller,
    input_price: .in, output_price: .out}
[units]
input_price = per_1m
output_price = per_1m
CONF
page() { # page ROW...: the dataset, one "SELLER|ID|IN|OUT[|KEY]" per argument
	local r sep= s i a b k
	{
		printf '{"prices": ['
		for r in "$@"; do
			IFS='|' read -r s i a b k <<<"$r"
			printf '%s{"seller": "%s", "id": "%s", "in": %s, "out": %s%s}' "$sep" "$s" "$i" "$a" "$b" \
				"${k:+, \"key\": \"$k\"}"
			sep=,
		done
		printf ']}\n'
	} > "$WORK/pages/data.example/v1/prices.json"
}
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
prov() { q "select provider_id from routes where source_id = 'prices' and provider_model_id = '$1'"; }
waiting() { q "select coalesce(string_agg(name, ',' order by name), '') from unmatched_providers where source_id = 'prices' and resolved_at is null"; }
alert() { q "select coalesce(max(message), '') from alerts where kind = 'unmatched_providers' and subject = 'prices' and resolved_at is null"; }

page "Amazon Bedrock|llama-3.1-405b-instruct|2.40|2.40" "fireworks_ai|llama-3.1-405b-instruct|3|3" \
	"NewCo Cloud|llama-3.1-405b-instruct|1.5e-1|0.15000999999999998"
out=$(llmref refresh --source prices 2>&1); rc=$?
is "$rc" 0 "a dataset with a provider per row refreshes"
like "$out" "prices: ok, 3 rows: 2 added, 0 changed, 0 unchanged, 0 gone, 1 unmatched" "the row of an unknown provider is counted as waiting"
is "$(prov "Amazon Bedrock/llama-3.1-405b-instruct")" bedrock "'Amazon Bedrock' is bedrock's route"
is "$(prov "fireworks_ai/llama-3.1-405b-instruct")" fireworks "'fireworks_ai' is fireworks' route"
is "$(q "select count(*) from routes where provider_id = 'pricedata'")" 0 "no route under the dataset's own id"
is "$(waiting)" "NewCo Cloud" "an unknown provider's name waits"
like "$(alert)" "^source prices: 1 provider name\(s\) match no provider" "with one alert"
like "$(llmref unmatched)" "NewCo Cloud" "llmref unmatched lists it"
is "$(q "select count(*) from provider_routes where model_id = 'llama-3.1-405b-instruct'")" 2 "the comparison counts the two known providers"

# providers.conf learns the name: the same page, unchanged, is read again
printf '\n[newco]\nname = NewCo\naka = NewCo Cloud\n' >> "$WORK/providers.conf"
out=$(llmref refresh --source prices 2>&1); rc=$?
is "$rc" 0 "after providers.conf names it, the refresh succeeds"
like "$out" "prices: ok, 3 rows: 1 added" "and the waiting row is taken in, though the page did not change"
is "$(prov "NewCo Cloud/llama-3.1-405b-instruct")" newco "under the provider that goes by that name"
is "$(q "select input_usd_per_mtok || '|' || output_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.provider_model_id = 'NewCo Cloud/llama-3.1-405b-instruct'")" \
	"0.15|0.15000999999999998" "its prices exact (1.5e-1, 0.15000999999999998)"
is "$(waiting)" "" "nothing waits any more"
is "$(alert)" "" "and the alert is resolved"
out=$(llmref refresh --source prices 2>&1)
like "$out" "prices: unchanged" "a third refresh of the same page is unchanged"

# a row names another provider for the same key: the route moves
page "Bedrock|llama-3.1-405b-instruct|3|3|fireworks_ai/llama-3.1-405b-instruct" \
	"Amazon Bedrock|llama-3.1-405b-instruct|2.40|2.40" "NewCo Cloud|llama-3.1-405b-instruct|0.15|0.15000999999999998"
out=$(llmref refresh --source prices 2>&1); rc=$?
is "$rc" 0 "a row that changes provider refreshes (rc $rc: $out)"
is "$(prov "fireworks_ai/llama-3.1-405b-instruct")" bedrock "its route moves to the provider it now names"

# one key under two providers: an error naming both, nothing written
before=$(catalog_dump)
page "Amazon Bedrock|llama-3.1-405b-instruct|2.40|2.40|x/llama-3.1-405b-instruct" \
	"Groq|llama-3.1-405b-instruct|3|3|x/llama-3.1-405b-instruct"
out=$(llmref refresh --source prices 2>&1); rc=$?
is "$rc" 1 "one route key under two providers fails the run"
like "$out" "source prices: .*: rows 1 and 2 both name model 'x/llama-3.1-405b-instruct'" \
	"the error names the key and both rows"
is "$(catalog_dump)" "$before" "and nothing of the run is stored"
done_testing
