#!/bin/bash
# Hostile input (issue 8): pages that are broken, truncated, nested too
# deep, huge, carry NUL bytes or invalid UTF-8, JSON that is truncated,
# nested, duplicated, has numbers no double holds or trailing garbage,
# prices that are negative, NaN, absurd, in another currency, empty or in
# a changed unit, names full of quotes, semicolons, $1, backslashes and
# bidirectional controls, a page that is only a JavaScript shell.
#
# One table of cases below. For each: the source's good page is loaded
# (so the catalog has data), the catalog tables are dumped (pg_dump), the
# hostile page is served at the same URL and the source refreshed. A case
# is "failed" or "quarantined": exit status 1 (man llmref(1)), no crash
# and no sanitizer report, the error names the source and matches the
# case's regex, the source's newest run has that outcome and reason, and
# the dump is byte-identical. Model names with quotes, semicolons, $1,
# backslashes or U+202E are refused by the identity rules (failed, the
# character named); free text is not: a "stored-verbatim" case stores its
# odd text byte for byte (routes.served_by, through COPY) and changes
# nothing else. Every page also goes through "llmref sources test ID
# --page FILE" without a crash.
#
# Case files are in tests/fixtures/hostile/: FILE is served as is, and
# FILE:TEXT with every "@@" replaced by TEXT and every '@"@' by TEXT as a
# JSON string; in both, "%%xNN%%" stands for the byte 0xNN (NUL bytes,
# invalid UTF-8, U+202E). gen:NAME[:ARG] pages are written by the function
# NAME of tests/fixtures/hostile/build.py (the big and deep ones: never
# committed), which builds every case's page at the start.
. "$(dirname "$0")/lib.sh"
need_pg
H=$LLMREF_SRCDIR/tests/fixtures/hostile
PAGES=$WORK/pages
mkdir -p "$PAGES" "$WORK/src" "$WORK/good" "$WORK/case"
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages/." "$PAGES/"
for s in openrouter fireworks openrouter-endpoints; do
	cp "$LLMREF_SRCDIR/conf/sources.d/$s.conf" "$WORK/src/"
done
# the case pages' tables have no header row: their columns are read by
# number (a table without its tbody, as the pages of old, gives no rows)
sed -i -e "s#^table = .*#table = //table[@id='serverless-pricing'][tbody]#" \
	-e 's#^jq = .*#jq = .[] | {model: (.Model // ."1"), input_price: (."Input ($/1M tokens)" // ."2"), output_price: (."Output ($/1M tokens)" // ."3"), context_window: (.Context // ."4")}#' \
	-e '/^      output_price: ."Output/d' "$WORK/src/fireworks.conf"
# fwauto: the Fireworks table with the unit read from each cell ("/1M")
sed -e 's/^provider = .*/provider = fwauto/' -e 's/^provider_name = .*/provider_name = Fireworks AI (units in cells)/' \
	-e 's#^url = .*#url = https://fireworks.ai/pricing-auto#' -e 's/= per_1m$/= auto/' \
	"$WORK/src/fireworks.conf" >"$WORK/src/fwauto.conf"
cp "$H/fwauto-good.html" "$PAGES/fireworks.ai/pricing-auto"
fixture_start "$PAGES" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$WORK/src" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
# room for the 20 MB text node: the HTML parser, not the fetch, must stop it
sed -i 's/^max_body_size = .*/max_body_size = 32MiB/' "$CONF"
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

# where each source's page lives
target() {
	case $1 in
	fireworks) echo "$PAGES/fireworks.ai/pricing" ;;
	fwauto) echo "$PAGES/fireworks.ai/pricing-auto" ;;
	openrouter) echo "$PAGES/openrouter.ai/api/v1/models/__index__" ;;
	openrouter-endpoints) echo "$PAGES/openrouter.ai/api/v1/models/meta-llama/llama-3.1-405b-instruct/endpoints" ;;
	esac
}
for s in openrouter fireworks fwauto openrouter-endpoints; do cp "$(target $s)" "$WORK/good/$s"; done
llmref refresh --source openrouter >/dev/null 2>&1 || { echo "Bail out! openrouter refresh failed"; exit 1; }
llmref refresh --all >/dev/null 2>&1 || { echo "Bail out! first refresh failed"; exit 1; }

# the catalog's tables, as pg_dump writes them
dump() {
	pg_dump --data-only -t models -t routes -t prices -t route_facts -t model_facts \
		-t unmatched -t conflicts | grep -vE '^(--|\\(un)?restrict |$)'
}
hex() { od -An -v -tx1 | tr -d ' \n'; }

CASES=()
hcase() { CASES+=("$1"$'\x1f'"$2"$'\x1f'"$3"$'\x1f'"$4"$'\x1f'"$5"); } # hcase ID SOURCE PAGE OUTCOME REGEX|TEXT

# ---- the cases ------------------------------------------------------------
# HTML: malformed, truncated, deep, huge, NUL bytes, invalid UTF-8
hcase html-empty fireworks empty.html quarantined "no rows extracted"
hcase html-truncated-head fireworks truncated-head.html quarantined "no rows extracted"
hcase html-truncated-table fireworks truncated-table.html quarantined "4 rows, under 50.00% of the last good run's 9"
hcase html-truncated-cell fireworks truncated-cell.html failed "row 2: input_price: price '\\\$0\.': not a number"
hcase html-no-tbody fireworks no-tbody.html quarantined "no rows extracted"
hcase html-unclosed-comment fireworks unclosed-comment.html quarantined "no rows extracted"
hcase html-unclosed-attr fireworks unclosed-attr.html quarantined "2 rows, under 50.00% of the last good run's 9"
hcase html-stray-end-tags fireworks stray-tags.html quarantined "2 rows, under 50.00%"
hcase html-shifted-cells fireworks shifted-cells.html failed "row 2: output_price: absurd price '131,072'"
hcase html-binary-noise fireworks gen:binary failed "page contains a NUL byte at line [0-9]+ column [0-9]+"
hcase html-deep-300 fireworks gen:deep_html:300 failed "HTML parser stopped: Excessive depth in document: 256"
hcase html-deep-100000 fireworks gen:deep_html:100000 failed "HTML parser stopped: Excessive depth in document: 256"
hcase html-deep-cell fireworks gen:deep_cell failed "HTML parser stopped: Excessive depth"
hcase html-text-20mb fireworks gen:text_20mb failed "HTML parser stopped: .*huge text node"
hcase html-long-cell fireworks gen:long_name failed "row 1: model is too long \\(longer than 4096 bytes\\)"
hcase html-100001-rows fireworks gen:many_rows failed "more than 100000 rows"
hcase html-nul-in-price fireworks 'price.html:$0.2%%x00%%5' failed "page contains a NUL byte at line 5 column 43"
hcase html-nul-in-name fireworks 'name.html:Llama 3.1 8B%%x00%% Instruct' failed "page contains a NUL byte at line 5 column 21"
hcase html-nul-charref fireworks 'price.html:$0.2&#0;5' failed "character reference '&#0;' at line 5 column 43 names no character"
hcase html-control-charref fireworks 'price.html:$0.2&#x1;5' failed "character reference '&#x1;' at line 5 column 43 names no character"
hcase html-surrogate-charref fireworks 'price.html:$0.2&#xD800;5' failed "character reference '&#xD800;' at line 5 column 43 names no character"
# the charset a page declares (issue 17: UTF-16 and ISO-8859-1 pages were
# "a NUL byte" and "not valid UTF-8"; read as declared below)
hcase html-charset-unknown fireworks 'charset.html:x-klingon' failed "the page declares charset 'x-klingon', which this system cannot read"
hcase html-utf16-no-bom fireworks gen:utf16:le-nobom failed "NUL byte at line 1 column 2 \\(it looks like UTF-16 without a byte order mark"
hcase html-invalid-utf8-price fireworks 'price.html:$0.1%%xFF%%0' failed "table: row 2, column 2: text that is not valid UTF-8"
hcase html-invalid-utf8-name fireworks 'name.html:Llama 3.1 8B%%xE9%% Instruct' failed "table: row 2, column 1: text that is not valid UTF-8"
hcase html-overlong-utf8 fireworks 'name.html:Llama 3.1 8B%%xC0%%%%xAF%% Instruct' failed "table: row 2, column 1: text that is not valid UTF-8"
hcase html-js-shell fireworks js-shell.html quarantined "no rows extracted"
hcase html-js-shell-empty-cells fireworks js-shell-table.html failed "no price on the page: all 9 rows are unpriced"
hcase html-duplicate-rows fireworks dup-rows.html failed "rows 1 and 2 both name model 'Llama 3.2 1B Instruct'"
hcase html-empty-model fireworks 'name.html:' failed "row 2: model is empty"
# prices
hcase price-minus-1 fireworks 'price.html:-1' failed "row 2: input_price: negative price '-1' \\(-1 means dynamic only on a router source\\)"
hcase price-minus-1.00 fireworks 'price.html:-1.00' failed "row 2: input_price: negative price '-1.00'"
hcase price-nan fireworks 'price.html:NaN' failed "row 2: input_price: not a price: 'NaN'"
hcase price-1e309 fireworks 'price.html:1e309' failed "row 2: input_price: price '1e309': value too large"
hcase price-negative-dollar fireworks 'price.html:$-0.10' failed "row 2: input_price: negative price '\\\$-0.10'"
hcase price-eur fireworks 'price.html:0.10 EUR' failed "row 2: input_price: currency EUR is not USD in '0.10 EUR'"
hcase price-euro-sign fireworks 'price.html:€0.10' failed "row 2: input_price: currency € is not USD"
hcase price-too-precise fireworks 'price.html:$0.0000000000000000001' failed "too many decimal places"
hcase price-hex fireworks 'price.html:0x10' failed "row 2: input_price: not a price: '0x10'"
hcase price-fullwidth fireworks 'price.html:＄０.２０' failed "row 2: input_price: not a price"
hcase price-unit-1k fireworks 'price.html:$0.20/1K tokens' failed "unit marker /1K contradicts per_1m"
hcase price-unit-1m-became-1k fwauto fwauto-1k.html quarantined "a price moved by 10x or more"
hcase context-negative fireworks 'context.html:-128K' failed "row 2: context_window: negative context window"
hcase context-2pow70 fireworks 'context.html:2^70' failed "row 2: context_window: not a context window: '2\^70'"
# names are refused, never interpreted
hcase name-quotes fireworks 'name.html:Llama "3.1" 8B Instruct' failed "row 2: model: model id 'Llama \"3.1\" 8B Instruct' contains '\"'"
hcase name-sql fireworks "name.html:Llama 3.1 8B'; DROP TABLE routes; --" failed "row 2: model: .* contains '''"
hcase name-dollar1 fireworks 'name.html:Llama $1 8B Instruct' failed "row 2: model: .* contains '\\\$'"
hcase name-backslash fireworks 'name.html:Llama\3.1\8B Instruct' failed "row 2: model: .* contains '\\\\'"
hcase name-rtl fireworks 'name.html:Llama 3.1 8B %%xE2%%%%x80%%%%xAE%%tcurtsnI' failed "row 2: model: .* contains U\+202E"
# JSON: truncated, nested, duplicate keys, numbers, trailing garbage, bytes
hcase json-empty openrouter empty.json failed "invalid JSON at line 1 column 0"
hcase json-not-json openrouter not-json.json failed "invalid JSON at line 1"
hcase json-truncated openrouter truncated.json failed "invalid JSON at line 5 column [0-9]+: (premature end of input|unexpected newline|'}' expected)"
hcase json-truncated-string openrouter truncated-string.json failed "invalid JSON at line 5: *|invalid JSON at line 5 column [0-9]+: premature end of input"
hcase json-truncated-number openrouter truncated-number.json failed "invalid JSON at line 4 column [0-9]+: '}' expected near end of file"
hcase json-deep-100000 openrouter gen:deep_json:100000 failed "invalid JSON at line 1 column [0-9]+: maximum parsing depth reached"
hcase json-deep-field openrouter gen:deep_json_field failed "row 1: input_price is an object or array, not a value"
hcase json-duplicate-key-top openrouter dup-key-top.json failed "duplicate object key near '\"data\"'"
hcase json-duplicate-key-row openrouter dup-key-row.json failed "duplicate object key near '\"prompt\"'"
hcase json-1e400 openrouter 'price.json:1e400' failed "row 2: input_price: price '1e400': value too large"
hcase json-1e-400 openrouter 'price.json:1e-400' failed "row 2: input_price: price '1e-400': too many decimal places"
hcase json-2^70 openrouter 'context.json:2^70' failed "invalid JSON at line 3 column [0-9]+: '}' expected near '\^'"
hcase json-2pow70-digits openrouter 'context.json:1180591620717411303424' failed "row 2: context_window: context window '1180591620717411303424': value too large"
hcase json-2pow70-price openrouter 'price.json:1180591620717411303424' failed "row 2: input_price: price '1180591620717411303424': value too large"
hcase json-trailing-garbage openrouter trailing-garbage.json failed "invalid JSON( number)? at line 5 column [0-9]+"
hcase json-two-documents openrouter two-docs.json failed "invalid JSON at line 5 column 1: end of file expected"
hcase json-nan openrouter 'price.json:NaN' failed "invalid JSON number at line 3 column [0-9]+: 'NaN'"
hcase json-infinity openrouter 'price.json:-Infinity' failed "invalid JSON number at line 3 column [0-9]+: '-Infinity'"
hcase json-leading-zero openrouter 'price.json:00.1' failed "invalid JSON number at line 3 column [0-9]+: '00.1'"
hcase json-nul-escape openrouter 'name.json:meta-llama/llama-3.1-8b%%x00%%-instruct' failed "string contains a NUL character \(\\\\u0000\) at line 3 column 33"
hcase json-nul-byte openrouter 'price.json:"0.0000000%%x00%%2"' failed "invalid JSON at line 3 column [0-9]+: control character 0x0"
hcase json-invalid-utf8 openrouter 'price.json:"0.00000002%%xFF%%"' failed "invalid JSON at line 3 column [0-9]+: unable to decode byte 0xff"
hcase json-lone-surrogate openrouter 'price.json:"\ud800"' failed "invalid Unicode '\\\\uD800'"
hcase json-bom openrouter bom.json failed "invalid JSON at line 1 column 1: invalid token"
hcase json-long-name openrouter gen:long_json_name failed "row 1: model is too long"
hcase json-empty-data openrouter empty-data.json quarantined "no rows extracted"
hcase json-data-null openrouter data-null.json quarantined "no rows extracted"
hcase json-all-prices-null openrouter gen:json_nulls failed "no price on the page: all 10 rows are unpriced|input_price: no row has a value; a typo in its path\\?"
hcase json-price-negative openrouter 'price.json:"-0.00000002"' failed "row 2: input_price: negative price '-0.00000002'"
hcase json-price-nan-string openrouter 'price.json:"NaN"' failed "row 2: input_price: not a price: 'NaN'"
hcase json-price-1e309-string openrouter 'price.json:"1e309"' failed "row 2: input_price: price '1e309': value too large"
hcase json-price-eur openrouter 'price.json:"0.00000002 EUR"' failed "row 2: input_price: currency EUR is not USD"
hcase json-price-true openrouter 'price.json:true' failed "row 2: input_price: not a price: 'true'"
hcase json-price-object openrouter 'price.json:{"usd": "0.00000002"}' failed "row 2: input_price is an object or array, not a value"
hcase json-name-quotes openrouter 'name.json:meta-llama/llama-"3.1"-8b' failed "row 2: model: .* contains '\"'"
hcase json-name-sql openrouter "name.json:x'; DROP TABLE routes; --" failed "row 2: model: .* contains '''"
hcase json-name-dollar1 openrouter 'name.json:meta-llama/$1' failed "row 2: model: .* contains '\\\$'"
hcase json-name-backslash openrouter 'name.json:meta-llama\llama-3.1-8b' failed "row 2: model: .* contains '\\\\'"
hcase json-name-rtl openrouter 'name.json:meta-llama/%%xE2%%%%x80%%%%xAE%%b8-1.3-amall' failed "row 2: model: .* contains U\+202E"
# free text is stored byte for byte: the provider behind a router's route
hcase served-by-quotes openrouter-endpoints gen:served_by stored-verbatim 'Deep"Infra" '"'"'quoted'"'"
hcase served-by-sql openrouter-endpoints gen:served_by stored-verbatim "x'); DROP TABLE routes; --"
hcase served-by-dollar1 openrouter-endpoints gen:served_by stored-verbatim 'Deep $1 $$ Infra $body$'
hcase served-by-backslash openrouter-endpoints gen:served_by stored-verbatim 'Deep\Infra\\N \N \t'
hcase served-by-copy-null openrouter-endpoints gen:served_by stored-verbatim '\N'
hcase served-by-format openrouter-endpoints gen:served_by stored-verbatim 'Deep %s%n%x Infra'
hcase served-by-rtl openrouter-endpoints gen:served_by stored-verbatim 'Deep %%xE2%%%%x80%%%%xAE%%arfnI'

# ---- run them ---------------------------------------------------------------
for c in "${CASES[@]}"; do
	IFS=$'\x1f' read -r id src spec want rx <<<"$c"
	printf '%s\x1f%s\x1f%s\n' "$id" "$spec" "$([ "$want" = stored-verbatim ] && printf '%s' "$rx")"
done | python3 "$H/build.py" "$H" "$WORK/case" "$WORK/good" || { echo "Bail out! build.py failed"; exit 1; }

DUMP= # the last dump, while no run since has written to the catalog
run_case() { # run_case ID SOURCE PAGE OUTCOME REGEX|TEXT
	local id=$1 src=$2 want=$4 rx=$5 page=$WORK/case/$1.page before after rc out err run n st dp
	cp "$WORK/good/$src" "$(target "$src")"
	out=$(llmref refresh --source "$src" 2>&1) ||
		{ ok 1 "$id: the good page loads first"; printf '# %s\n' "$out"; return; }
	# a run that changed nothing writes no catalog row (t_catalog.sh)
	[ -n "$DUMP" ] && printf '%s' "$out" | grep -q "^$src: unchanged" || DUMP=$(dump)
	before=$DUMP
	cp "$page" "$(target "$src")"
	# (the page through "sources test" meanwhile: it touches no database)
	"$LLMREF_BIN" -c "$CONF" sources test "$src" --page "$page" >/dev/null 2>"$WORK/case/st.err" &
	st=$!
	llmref refresh --source "$src" >"$WORK/case/out" 2>"$WORK/case/err"; rc=$?
	dump >"$WORK/case/dump" &
	dp=$!
	err=$(cat "$WORK/case/err")
	ok "$([ "$rc" -lt 128 ] && ! grep -qE 'Sanitizer|runtime error:' "$WORK/case/err"; echo $?)" \
		"$id: no crash (exit $rc) and no sanitizer report"
	# the newest run of the source, and the good page's before it
	run=$(psql -X -Atq -v ON_ERROR_STOP=1 -c "select outcome || ' ' || replace(coalesce(error, ''), e'\n', '\n')
		from runs where source_id = '$src' order by id desc limit 2" -c "select encode(convert_to(served_by, 'UTF8'), 'hex') from routes where source_id = '$src'
		and provider_model_id = 'DeepInfra | meta-llama/llama-3.1-405b-instruct'")
	wait $dp
	DUMP=$(cat "$WORK/case/dump")
	after=$DUMP
	if [ "$want" = stored-verbatim ]; then
		is "$rc" 0 "$id: exits 0"
		like "$(sed -n 1p <<<"$run")" "^ok $" "$id: the run is ok"
		is "$(sed -n 3p <<<"$run")" "$(hex <"$WORK/case/$id.text")" "$id: stored byte for byte"
		# (the sequences' positions aside; an updated row moves in the dump)
		n=$(diff <(grep -v setval <<<"$before" | sort) <(grep -v setval <<<"$after" | sort))
		is "$(grep -E '^[<>]' <<<"$n" | grep -c "	$src	openrouter	DeepInfra | meta-llama/llama-3.1-405b-instruct	")/$(grep -cE '^[<>]' <<<"$n")" \
			2/2 "$id: nothing else changed (one route row)"
	else
		is "$rc" 1 "$id: exits 1"
		like "$err" "source $src: .*($rx)" "$id: stderr names the source and the reason"
		like "$(sed -n 1p <<<"$run")" "^$want .*($rx)" "$id: the newest run is $want, with the reason"
		like "$(sed -n 2p <<<"$run")" "^(ok|unchanged) " "$id: and the one before it loaded the good page"
		is "$after" "$before" "$id: the catalog is byte-identical (pg_dump)"
	fi
	wait $st; rc=$?
	ok "$([ "$rc" -lt 128 ] && ! grep -qE 'Sanitizer|runtime error:' "$WORK/case/st.err"; echo $?)" \
		"$id: sources test --page: no crash (exit $rc)"
	rm -f "$page"
}

start=$SECONDS
for c in "${CASES[@]}"; do
	IFS=$'\x1f' read -r id src spec want rx <<<"$c"
	run_case "$id" "$src" "$spec" "$want" "$rx"
done
echo "# ${#CASES[@]} cases in $((SECONDS - start)) s"

# pages in another charset, declared, are read as the good page: same rows
printf 'latin1\x1fgen:latin1\x1f\nutf16le\x1fgen:utf16:le\x1f\nutf16be\x1fgen:utf16:be\x1f\n' |
	python3 "$H/build.py" "$H" "$WORK/case" "$WORK/good" || { echo "Bail out! build.py failed"; exit 1; }
good=$("$LLMREF_BIN" -c "$CONF" sources test fireworks --page "$WORK/good/fireworks")
for id in latin1 utf16le utf16be; do
	cp "$WORK/good/fireworks" "$(target fireworks)"
	llmref refresh --source fireworks >/dev/null 2>&1
	is "$("$LLMREF_BIN" -c "$CONF" sources test fireworks --page "$WORK/case/$id.page")" "$good" \
		"charset $id: the same rows as the UTF-8 page"
	cp "$WORK/case/$id.page" "$(target fireworks)"
	out=$(llmref refresh --source fireworks 2>&1); rc=$?
	is "$rc" 0 "charset $id: refresh reads it ($out)"
	is "$(q "select outcome, rows_added, rows_changed, rows_gone from runs where source_id = 'fireworks' order by id desc limit 1")" \
		"ok|0|0|0" "charset $id: and changes no price"
done
is "$(q "select count(*) from runs where outcome = 'running'")" 0 "no run left open"
done_testing
