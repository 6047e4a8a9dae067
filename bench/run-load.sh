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
# Then RUNS no-change refreshes with validators (If-None-Match, 304s) and
# RUNS without (sources.etag/last_modified cleared first: same bodies),
# each counting the catalog rows written (pg_stat_user_tables deltas).
# Prints markdown tables of median, min and max.
# Run it under a private cluster:
#   pg_virtualenv -t -o port=5497 bash bench/run-load.sh build-bench
# Knobs: RUNS (5), SCALE ("1 10"), PROVIDERS (50), MODELS (400), APIS (10),
# CONN (16, curl's --parallel-max and llmref's max_connections), KEEP=1
# keeps the work folder.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
RUNS=${RUNS:-5} SCALE=${SCALE:-1 10} CONN=${CONN:-16}
PROVIDERS=${PROVIDERS:-50} MODELS=${MODELS:-400} APIS=${APIS:-10}
llmref=$build/src/llmref
XPATH="//table[contains(concat(' ', @class, ' '), ' price-table ')]/tbody/tr"
CATALOG="'models','routes','prices','route_facts','model_facts','unmatched','conflicts','comparisons','events'"
make -C "$build" bench/raw_limits src/llmref >/dev/null
work=$(mktemp -d /tmp/llmref-bench-load.XXXXXX)
. "$top/bench/nginx.sh"
nginx_need
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

# verify DB: the stored rows against expected.tsv; prints "stored mismatches"
verify() {
	psql -qXtA -F' ' -v ON_ERROR_STOP=1 -d "$1" <<SQL
CREATE TEMP TABLE exp (source_id text, provider_model_id text, model_id text,
    input text, output text, context_window bigint);
\\copy exp FROM '$corpus/expected.tsv'
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
}
top_statements() {
	psql -qX -d llmref_prof -c "SELECT round(total_exec_time)::int AS ms, calls,
		regexp_replace(left(query, 110), '\s+', ' ', 'g') AS query
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'llmref_prof')
		ORDER BY total_exec_time DESC LIMIT 15" >&2
}

load_scale() {
	local k=$1 r n
	corpus=$work/s$k
	python3 "$top/bench/gen-corpus.py" --out "$corpus" --port "$port" --providers "$PROVIDERS" \
		--models "$MODELS" --apis "$APIS" --scale "$k"
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
	for f in curl parse copy load v304 v200; do : > "$work/$f"; done
	for r in $(seq 1 "$RUNS"); do
		raw_curl >> "$work/curl"
		raw_parse >> "$work/parse"
		raw_copy >> "$work/copy"
		dropdb --if-exists llmref_load >/dev/null 2>&1
		createdb llmref_load
		PGDATABASE=llmref_load "$llmref" -c "$corpus/llmref.conf" db migrate >/dev/null
		timed_refresh llmref_load load
		read -r stored bad < <(verify llmref_load)
		if [ "$stored" != "$nrows" ] || [ "$bad" != 0 ]; then
			echo "bench: FAIL scale $k run $r: $stored rows stored, $nrows expected, $bad mismatches" >&2
			exit 1
		fi
		echo "bench: scale ${k}x run $r: raw curl $(tail -1 "$work/curl") parse $(tail -1 "$work/parse") copy $(tail -1 "$work/copy");" \
			"load $(tail -1 "$work/load") (wall cpu rss_kib); $stored rows, 0 mismatches" >&2
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
	done
	[ "${PROFILE:-0}" = 1 ] && profile_load
	s304=$(psql -qXtA -d llmref_load -c "SELECT count(*) FROM runs WHERE http_status = 304")
	paste "$work/curl" "$work/parse" "$work/copy" | awk '{print $1 + $2 + $3}' > "$work/rawsum"
	paste "$work/load" "$work/rawsum" | awk '{print $1 / $4}' > "$work/ratio"
	report "$k"
	nginx_stop "$work"
}

report() {
	printf '\n### Scale %sx: %s rows (%s HTML pages, %s JSON lists, %s MB), %s runs\n\n' "$1" "$nrows" \
		"$PROVIDERS" "$APIS" "$(du -sm "$corpus/pages" | cut -f1)" "$RUNS"
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
	printf '\nStored rows checked against expected.tsv after every first load: %s rows, 0 mismatches. Runs answered 304: %s.\n' \
		"$nrows" "$s304"
}

echo "## bench/run-load.sh ($(date -u +%Y-%m-%d), $(nproc) cores, RUNS=$RUNS, CONN=$CONN)"
for k in $SCALE; do load_scale "$k"; done
dropdb --if-exists llmref_load >/dev/null 2>&1 || true
dropdb --if-exists llmref_raw >/dev/null 2>&1 || true
