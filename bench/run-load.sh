#!/bin/bash
# bench/run-load.sh BUILDDIR - issue 9's end-to-end load benchmark.
# For each scale in SCALE (default "1 10"): bench/gen-corpus.py writes a
# seeded corpus (50 HTML pricing pages + 10 OpenRouter-shaped JSON lists,
# 400 models each, times the scale), nginx serves it on 127.0.0.1 with
# ETags, and RUNS times (default 5), alternating:
#   - the raw limits: curl --parallel fetching every page to /dev/null,
#     bench/raw_limits (libxml2 parse + one XPath query per HTML page,
#     jansson load per JSON file), psql \copy of expected.tsv into tables
#     shaped like the catalog's routes and prices;
#   - a first load into a freshly migrated empty database
#     (llmref db migrate, then llmref refresh --all under /usr/bin/time),
#     its stored rows checked against expected.tsv with SQL (any mismatch
#     fails the script).
#   - the peer (issue 18): bench/peer_load.py, a plain Python script
#     (requests + lxml + psycopg2) loading the same pages into its own
#     schema of a fresh database, its rows checked the same way.
# Then RUNS no-change refreshes with validators (If-None-Match, 304s) and
# RUNS without (sources.etag/last_modified cleared first: same bodies),
# each counting the catalog rows written (pg_stat_user_tables deltas),
# alternating with a no-change run of the peer; then RUNS refreshes where
# 10% of the prices change (gen-corpus.py --change 10, then back),
# llmref's and the peer's alternating, both checked against the new
# expected rows, llmref's price.changed events counted.
# Prints markdown tables of median, min and max, and ratios of medians.
# Run it under a private cluster:
#   pg_virtualenv -t -o port=5497 bash bench/run-load.sh build-bench
# Knobs: RUNS (5), SCALE ("1 10"), PROVIDERS (50), MODELS (400), APIS (10),
# CONN (16, curl's --parallel-max and llmref's max_connections), GROW
# (sources: the scale adds sources, 600 at 10x; pages: bigger pages),
# PEER=0 skips the peer, KEEP=1 keeps the work folder.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
RUNS=${RUNS:-5} SCALE=${SCALE:-1 10} CONN=${CONN:-16}
PROVIDERS=${PROVIDERS:-50} MODELS=${MODELS:-400} APIS=${APIS:-10} GROW=${GROW:-sources}
PEER=${PEER:-1} PY=${PY:-/usr/bin/python3} # Debian's python3, where its packages are
llmref=$build/src/llmref
XPATH="//table[contains(concat(' ', @class, ' '), ' price-table ')]/tbody/tr"
CATALOG="'models','routes','prices','route_facts','model_facts','unmatched','conflicts','comparisons','events'"
make -C "$build" bench/raw_limits src/llmref >/dev/null
work=$(mktemp -d /tmp/llmref-bench-load.XXXXXX)
. "$top/bench/nginx.sh"
nginx_need
peer_need() { # the peer's libraries, Debian's packages
	"$PY" -c 'import requests, lxml.html, psycopg2' 2>/dev/null && return 0
	echo "bench: installing python3-requests python3-lxml python3-psycopg2" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-requests python3-lxml \
		python3-psycopg2 >/dev/null
}
[ "$PEER" = 1 ] && peer_need
cleanup() {
	nginx_stop "$work"
	if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')


ms() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f\n", (b-a)/1e9}'; }

# stats: "median min max" of a column of numbers
stats() { sort -g | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s %s %s\n", m, a[1], a[NR]}'; }

raw_curl() { # prints seconds
	local t0 t1
	t0=$(ms)
	curl -sS --no-progress-meter --parallel --parallel-immediate --parallel-max "$CONN" \
		-w '%{http_code}\n' -K "$corpus/curlrc" > "$work/codes"
	t1=$(ms)
	[ "$(grep -c '^200$' "$work/codes")" -eq "$npages" ] || { echo "bench: curl did not get every page" >&2; exit 1; }
	secs "$t0" "$t1"
}

raw_parse() {
	local t0 t1 out
	t0=$(ms)
	out=$("$build/bench/raw_limits" "$XPATH" "$corpus"/pages/*)
	t1=$(ms)
	set -- $out
	[ $(($2 + $4)) -eq "$nrows" ] || { echo "bench: raw_limits counted $out, expected $nrows rows" >&2; exit 1; }
	secs "$t0" "$t1"
}

raw_copy() { # \copy of the expected rows into routes- and prices-shaped tables
	local t0 t1
	psql -qX -v ON_ERROR_STOP=1 -d llmref_raw >/dev/null <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS raw_prices, raw_routes;
CREATE TABLE raw_routes (id bigint PRIMARY KEY, source_id text NOT NULL,
    provider_id text NOT NULL, provider_model_id text NOT NULL, model_id text NOT NULL,
    variant text NOT NULL DEFAULT '', status text NOT NULL DEFAULT 'active',
    first_run bigint NOT NULL, UNIQUE (source_id, provider_model_id));
CREATE TABLE raw_prices (id bigserial PRIMARY KEY, route_id bigint NOT NULL REFERENCES raw_routes (id),
    input_kind text NOT NULL, input_usd_per_mtok numeric, output_kind text NOT NULL,
    output_usd_per_mtok numeric, valid_from timestamptz NOT NULL DEFAULT now(),
    recorded_at timestamptz NOT NULL DEFAULT now(), run_id bigint NOT NULL,
    context_window bigint);
CREATE INDEX ON raw_prices (route_id, id DESC);
SQL
	t0=$(ms)
	psql -qX -v ON_ERROR_STOP=1 -d llmref_raw \
		-c "\\copy raw_routes (id, source_id, provider_id, provider_model_id, model_id, first_run) FROM '$corpus/raw_routes.tsv'" \
		-c "\\copy raw_prices (route_id, input_kind, input_usd_per_mtok, output_kind, output_usd_per_mtok, run_id, context_window) FROM '$corpus/raw_prices.tsv'" >/dev/null
	t1=$(ms)
	secs "$t0" "$t1"
}

# expected DB [EXPECTED] < SQL: run SQL after loading expected.tsv (or
# EXPECTED) into the temp table exp
expected() {
	{ printf '%s\n' "CREATE TEMP TABLE exp (source_id text, provider_model_id text, model_id text,
    input text, output text, context_window bigint);" "\\copy exp FROM '${2:-$corpus/expected.tsv}'"; cat; } |
		psql -qXtA -F' ' -v ON_ERROR_STOP=1 -d "$1"
}

# verify DB [EXPECTED]: the stored rows against expected.tsv; prints
# "stored mismatches"
verify() {
	expected "$@" <<SQL
CREATE TEMP TABLE got AS
SELECT r.source_id, r.provider_model_id, r.model_id, p.input_kind, p.input_usd_per_mtok,
       p.output_kind, p.output_usd_per_mtok, f.value::bigint AS context_window
FROM routes r JOIN current_prices p ON p.route_id = r.id
LEFT JOIN current_route_facts f ON f.route_id = r.id AND f.fact = 'context_window';
SELECT (SELECT count(*) FROM got),
       (SELECT count(*) FROM exp e FULL JOIN got g USING (source_id, provider_model_id)
        WHERE e.source_id IS NULL OR g.source_id IS NULL OR g.model_id <> e.model_id
           OR g.context_window IS DISTINCT FROM e.context_window
           OR NOT (CASE WHEN e.input = 'free' THEN g.input_kind = 'free'
                        ELSE g.input_kind = 'value' AND g.input_usd_per_mtok = e.input::numeric END)
           OR NOT (CASE WHEN e.output = 'free' THEN g.output_kind = 'free'
                        ELSE g.output_kind = 'value' AND g.output_usd_per_mtok = e.output::numeric END))
       + (SELECT count(*) - count(DISTINCT (source_id, provider_model_id)) FROM got);
SQL
}

# catalog rows written so far (inserted + updated + deleted), once the
# backends of the previous llmref process have exited and flushed
written() {
	local i
	for i in $(seq 1 50); do
		[ "$(psql -qXtA -d "$1" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1' AND pid <> pg_backend_pid()")" = 0 ] && break
		sleep 0.05
	done
	psql -qXtA -d "$1" -c "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables WHERE relname IN ($CATALOG)"
}

# verify_peer DB [EXPECTED]: the same check of the peer's schema
verify_peer() {
	expected "$@" <<SQL
CREATE TEMP TABLE got AS
SELECT r.source_id, r.provider_model_id, r.model_id, p.input_usd_per_mtok AS i,
       p.output_usd_per_mtok AS o, p.context_window
FROM peer.routes r JOIN (SELECT DISTINCT ON (route_id) * FROM peer.prices
                         ORDER BY route_id, id DESC) p ON p.route_id = r.id;
SELECT (SELECT count(*) FROM got),
       (SELECT count(*) FROM exp e FULL JOIN got g USING (source_id, provider_model_id)
        WHERE e.source_id IS NULL OR g.source_id IS NULL OR g.model_id <> e.model_id
           OR g.context_window IS DISTINCT FROM e.context_window
           OR g.i <> (CASE WHEN e.input = 'free' THEN 0 ELSE e.input::numeric END)
           OR g.o <> (CASE WHEN e.output = 'free' THEN 0 ELSE e.output::numeric END));
SQL
}

check() { # check WHAT STORED BAD: fail the script on a missing or wrong row
	if [ "$2" != "$nrows" ] || [ "$3" != 0 ]; then
		echo "bench: FAIL scale $k: $1: $2 rows stored, $nrows expected, $3 mismatches" >&2
		exit 1
	fi
}

timed_peer() { # timed_peer DB TAG: appends "wall cpu rss_kib prices_written" to $work/TAG
	local t0 t1
	t0=$(ms)
	PGDATABASE=$1 /usr/bin/time -f '%U %S %M' -o "$work/time" "$PY" "$top/bench/peer_load.py" \
		"$corpus" > "$work/peer.out" 2>&1 ||
		{ echo "bench: peer_load.py failed:" >&2; tail -5 "$work/peer.out" >&2; exit 1; }
	t1=$(ms)
	read -r u s m < "$work/time"
	echo "$(secs "$t0" "$t1") $(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}') $m $(awk '{print $6}' "$work/peer.out")" >> "$work/$2"
}

timed_refresh() { # timed_refresh DB TAG: appends "wall cpu rss_kib" to $work/TAG
	local t0 t1
	t0=$(ms)
	PGDATABASE=$1 /usr/bin/time -f '%U %S %M' -o "$work/time" "$llmref" -c "$corpus/llmref.conf" refresh --all > "$work/refresh.out" 2>&1 ||
		{ echo "bench: llmref refresh failed:" >&2; tail -5 "$work/refresh.out" >&2; exit 1; }
	t1=$(ms)
	read -r u s m < "$work/time"
	echo "$(secs "$t0" "$t1") $(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}') $m" >> "$work/$2"
}

col() { awk -v c="$2" '{print $c}' "$work/$1" | stats; }
row() { # row LABEL FILE COLUMN [DIVISOR [FORMAT]]
	read -r m lo hi < <(col "$2" "$3")
	awk -v l="$1" -v m="$m" -v lo="$lo" -v hi="$hi" -v d="${4:-1}" -v f="${5:-%.3f}" \
		'BEGIN{printf "| %s | " f " | " f " | " f " |\n", l, m/d, lo/d, hi/d}'
}

# PROFILE=1: one more first load with pg_stat_statements (track = all, so
# statements inside functions and triggers count too); the top statements
# by total time go to stderr. The cluster must preload the module:
#   pg_virtualenv -t -o port=5497 -o shared_preload_libraries=pg_stat_statements \
#     -o pg_stat_statements.track=all bash bench/run-load.sh build-bench
profile_load() {
	dropdb --if-exists llmref_prof >/dev/null 2>&1
	createdb llmref_prof
	PGDATABASE=llmref_prof "$llmref" -c "$corpus/llmref.conf" db migrate >/dev/null
	psql -qX -d llmref_prof -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
		-c "SELECT pg_stat_statements_reset()" >/dev/null
	timed_refresh llmref_prof prof
	echo "bench: profile: first load $(tail -1 "$work/prof") (wall cpu rss_kib); top statements:" >&2
	top_statements
	psql -qX -d llmref_prof -c "SELECT pg_stat_statements_reset()" >/dev/null
	timed_refresh llmref_prof prof
	echo "bench: profile: no-change refresh $(tail -1 "$work/prof") (wall cpu rss_kib); top statements:" >&2
	top_statements
	cp "$corpus/chg/pages"/* "$corpus/pages/"
	psql -qX -d llmref_prof -c "SELECT pg_stat_statements_reset()" >/dev/null
	timed_refresh llmref_prof prof
	echo "bench: profile: 10% change refresh $(tail -1 "$work/prof") (wall cpu rss_kib); top statements:" >&2
	top_statements
	cp "$corpus/orig"/* "$corpus/pages/"
}
top_statements() {
	psql -qX -d llmref_prof -c "SELECT round(total_exec_time)::int AS ms, calls,
		regexp_replace(left(query, 110), '\s+', ' ', 'g') AS query
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'llmref_prof')
		ORDER BY total_exec_time DESC LIMIT 15" >&2
	psql -qXtA -d llmref_prof -c "SELECT 'bench: profile: all statements: ' || round(sum(total_exec_time))
		|| ' ms executing, ' || round(sum(total_plan_time)) || ' ms planning (0 unless'
		|| ' pg_stat_statements.track_planning), ' || sum(calls) || ' calls, top level '
		|| sum(calls) FILTER (WHERE toplevel)
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'llmref_prof')" >&2
}

load_scale() {
	local k=$1 r n
	corpus=$work/s$k
	python3 "$top/bench/gen-corpus.py" --out "$corpus" --port "$port" --providers "$PROVIDERS" \
		--models "$MODELS" --apis "$APIS" --scale "$k" --grow "$GROW"
	python3 "$top/bench/gen-corpus.py" --out "$corpus/chg" --port "$port" --providers "$PROVIDERS" \
		--models "$MODELS" --apis "$APIS" --scale "$k" --grow "$GROW" --change 10
	cp -r "$corpus/pages" "$corpus/orig"
	sed -i "s/^max_connections = .*/max_connections = $CONN/; s/^max_per_host = .*/max_per_host = $CONN/" "$corpus/llmref.conf"
	chmod -R a+rX "$work"
	npages=$(ls "$corpus/pages" | wc -l)
	nrows=$(wc -l < "$corpus/expected.tsv")
	for f in "$corpus"/pages/*; do
		printf 'url = "http://127.0.0.1:%s/pages/%s"\noutput = "/dev/null"\n' "$port" "$(basename "$f")"
	done > "$corpus/curlrc"
	awk -F'\t' '{print NR "\t" $1 "\t" $1 "\t" $2 "\t" $3 "\t1"}' "$corpus/expected.tsv" > "$corpus/raw_routes.tsv"
	awk -F'\t' 'function k(x){return x=="free"?"free":"value"} function v(x){return x=="free"?"\\N":x}
		{print NR "\t" k($4) "\t" v($4) "\t" k($5) "\t" v($5) "\t1\t" $6}' "$corpus/expected.tsv" > "$corpus/raw_prices.tsv"
	nginx_stop "$work"
	nginx_start "$work" "$corpus" "$port"
	dropdb --if-exists llmref_raw >/dev/null 2>&1
	createdb llmref_raw
	raw_curl >/dev/null; raw_parse >/dev/null # warm the page cache
	for f in curl parse copy load v304 v200 peer peer0 chg pchg chgev; do : > "$work/$f"; done
	for r in $(seq 1 "$RUNS"); do
		raw_curl >> "$work/curl"
		raw_parse >> "$work/parse"
		raw_copy >> "$work/copy"
		dropdb --if-exists llmref_load >/dev/null 2>&1
		createdb llmref_load
		PGDATABASE=llmref_load "$llmref" -c "$corpus/llmref.conf" db migrate >/dev/null
		timed_refresh llmref_load load
		read -r stored bad < <(verify llmref_load)
		check "llmref first load, run $r" "$stored" "$bad"
		if [ "$PEER" = 1 ]; then
			dropdb --if-exists llmref_peer >/dev/null 2>&1
			createdb llmref_peer
			timed_peer llmref_peer peer
			read -r stored bad < <(verify_peer llmref_peer)
			check "peer first load, run $r" "$stored" "$bad"
		fi
		echo "bench: scale ${k}x run $r: raw curl $(tail -1 "$work/curl") parse $(tail -1 "$work/parse") copy $(tail -1 "$work/copy");" \
			"load $(tail -1 "$work/load") peer $(tail -1 "$work/peer" 2>/dev/null) (wall cpu rss_kib); $stored rows, 0 mismatches" >&2
	done
	# no-change refreshes of the last load's catalog, alternating
	for r in $(seq 1 "$RUNS"); do
		n=$(written llmref_load)
		timed_refresh llmref_load v304
		echo "$(written llmref_load) $n" | awk '{print $1 - $2}' > "$work/w"
		sed -i "\$s/\$/ $(cat "$work/w")/" "$work/v304"
		psql -qX -d llmref_load -c "UPDATE sources SET etag = NULL, last_modified = NULL" >/dev/null
		n=$(written llmref_load)
		timed_refresh llmref_load v200
		echo "$(written llmref_load) $n" | awk '{print $1 - $2}' > "$work/w"
		sed -i "\$s/\$/ $(cat "$work/w")/" "$work/v200"
		[ "$PEER" = 1 ] && timed_peer llmref_peer peer0
	done
	changed_refreshes
	[ "${PROFILE:-0}" = 1 ] && profile_load
	s304=$(psql -qXtA -d llmref_load -c "SELECT count(*) FROM runs WHERE http_status = 304")
	paste "$work/curl" "$work/parse" "$work/copy" | awk '{print $1 + $2 + $3}' > "$work/rawsum"
	paste "$work/load" "$work/rawsum" | awk '{print $1 / $4}' > "$work/ratio"
	report "$k"
	nginx_stop "$work"
}

# RUNS refreshes that move 10% of the prices (the --change 10 corpus,
# then the original again), llmref's and the peer's alternating; both
# stores checked against the new expected rows, and llmref's run must
# have written one price.changed event per changed row and left no
# model waiting for the diff stage.
changed_refreshes() {
	local r pages exp want ev0 ev dirty
	want=$(diff "$corpus/expected.tsv" "$corpus/chg/expected.tsv" | grep -c '^>' || true)
	for r in $(seq 1 "$RUNS"); do
		if [ $((r % 2)) = 1 ]; then pages=$corpus/chg/pages exp=$corpus/chg/expected.tsv
		else pages=$corpus/orig exp=$corpus/expected.tsv; fi
		cp "$pages"/* "$corpus/pages/"
		ev0=$(psql -qXtA -d llmref_load -c "SELECT coalesce(max(id), 0) FROM events")
		timed_refresh llmref_load chg
		read -r stored bad < <(verify llmref_load "$exp")
		check "llmref 10% change, run $r" "$stored" "$bad"
		ev=$(psql -qXtA -d llmref_load -c "SELECT count(*) FILTER (WHERE kind = 'price.changed') || ' ' || count(*) FILTER (WHERE kind = 'comparison.changed') FROM events WHERE id > $ev0")
		dirty=$(psql -qXtA -d llmref_load -c "SELECT count(*) FROM dirty_models")
		[ "${ev% *}" = "$want" ] && [ "$dirty" = 0 ] ||
			{ echo "bench: FAIL: $ev events (price.changed, comparison.changed), $want prices changed, $dirty dirty models" >&2; exit 1; }
		echo "$want ${ev#* }" >> "$work/chgev"
		if [ "$PEER" = 1 ]; then
			timed_peer llmref_peer pchg
			read -r stored bad < <(verify_peer llmref_peer "$exp")
			check "peer 10% change, run $r" "$stored" "$bad"
		fi
		echo "bench: scale ${k}x 10% change run $r: llmref $(tail -1 "$work/chg") peer $(tail -1 "$work/pchg" 2>/dev/null); price.changed $want, comparison.changed ${ev#* }" >&2
	done
	cp "$corpus/orig"/* "$corpus/pages/"
}

ratio() { # ratio LABEL A COL B COL: median of A over median of B
	local a b
	a=$(col "$2" "$3" | cut -d' ' -f1)
	b=$(col "$4" "$5" | cut -d' ' -f1)
	awk -v l="$1" -v a="$a" -v b="$b" 'BEGIN{printf "| %s | %.2f |\n", l, a / b}'
}

report() {
	printf '\n### Scale %sx: %s rows (%s sources, %s MB, --grow %s), %s runs\n\n' "$1" "$nrows" \
		"$(ls "$corpus/sources.d" | wc -l)" "$(du -sm "$corpus/pages" | cut -f1)" "$GROW" "$RUNS"
	printf '| measure | median | min | max |\n|---|---:|---:|---:|\n'
	row "raw: curl --parallel, every page (s)" curl 1
	row "raw: libxml2 + XPath, jansson (s)" parse 1
	row "raw: psql \\\\copy of the rows (s)" copy 1
	row "raw-limit sum (s)" rawsum 1
	row "first load: wall (s)" load 1
	row "first load: user+sys CPU of llmref (s)" load 2
	row "first load: peak RSS (MiB)" load 3 1024 %.1f
	row "first load: ratio wall / raw-limit sum" ratio 1 1 %.2f
	row "no change, validators (304): wall (s)" v304 1
	row "no change, validators: catalog rows written" v304 4 1 %d
	row "no change, no validators (200, same bodies): wall (s)" v200 1
	row "no change, no validators: catalog rows written" v200 4 1 %d
	row "10% of prices changed: wall (s)" chg 1
	if [ "$PEER" = 1 ]; then
		row "peer first load: wall (s)" peer 1
		row "peer first load: user+sys CPU (s)" peer 2
		row "peer first load: peak RSS (MiB)" peer 3 1024 %.1f
		row "peer no change: wall (s)" peer0 1
		row "peer no change: prices written" peer0 4 1 %d
		row "peer 10% of prices changed: wall (s)" pchg 1
		printf '\n| ratio of medians | llmref / peer |\n|---|---:|\n'
		ratio "first load (wall)" load 1 peer 1
		ratio "first load (peak RSS)" load 3 peer 3
		ratio "no change, validators (wall)" v304 1 peer0 1
		ratio "no change, no validators (wall)" v200 1 peer0 1
		ratio "10% of prices changed (wall)" chg 1 pchg 1
	fi
	printf '\n10%% change: %s price.changed events per run (one per changed row), comparison.changed per run: %s.\n' \
		"$(head -1 "$work/chgev" | cut -d' ' -f1)" "$(cut -d' ' -f2 "$work/chgev" | tr '\n' ' ')"
	printf '\nStored rows checked against expected.tsv after every first load: %s rows, 0 mismatches. Runs answered 304: %s.\n' \
		"$nrows" "$s304"
}

echo "## bench/run-load.sh ($(date -u +%Y-%m-%d), $(nproc) cores, RUNS=$RUNS, CONN=$CONN)"
for k in $SCALE; do load_scale "$k"; done
dropdb --if-exists llmref_load >/dev/null 2>&1 || true
dropdb --if-exists llmref_raw >/dev/null 2>&1 || true
