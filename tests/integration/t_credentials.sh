#!/bin/bash
# Request headers with secrets ([headers], ${credential:NAME}) and URL
# redaction. A sentinel bearer key, checked for real by the fixture server
# (200 with it, 401 without), never appears in any output or log, the
# metrics file, the spool, status, export catalog, the snapshots' stored
# headers (the server echoes it back) or a pg_dump of the catalog; a
# credential file must be private; 401/403 say the provider wants
# credentials; userinfo and ?api_key= are shown redacted everywhere.
. "$(dirname "$0")/lib.sh"
need_pg
SENT="Sntl-key-$$-$(date +%s%N)"
export LLMREF_FIXTURE_BEARER_FILE=$WORK/bearer-expected
printf '%s\n' "$SENT" > "$LLMREF_FIXTURE_BEARER_FILE"
setup_local
OUT=$WORK/all-output
: > "$OUT"
mkdir -p "$WORK/spool"
printf '[diff]\nspool = %s\n[daemon]\nmetrics_file = %s\n' "$WORK/spool" "$WORK/llmref.prom" >> "$CONF"
lr() { llmref "$@" >> "$OUT" 2>&1; }
run() { out=$(llmref "$@" 2>&1); rc=$?; printf '%s\n' "$out" >> "$OUT"; }
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
OR=$WORK/sources.d/openrouter.conf
sed -i -E "s#^(url = http://127\.0\.0\.1:[0-9]+)/#\1/_mis/bearer-echo/#" "$OR"
printf '[headers]\nAuthorization = Bearer ${credential:together-api-key}\nAccept = application/json\n' >> "$OR"
CRED=$WORK/credentials/together-api-key
mkdir -p "$WORK/credentials"

# the credential file: missing, too open, a link, then right
run refresh --source openrouter
is "$rc" 1 "no credential file: the source fails"
like "$out" "source openrouter: http://127\.0\.0\.1:[0-9]+/_mis/bearer-echo/openrouter\.ai/api/v1/models: header Authorization: credential together-api-key: $WORK/credentials/together-api-key: No such file" "and says which credential and where it looked"
is "$(grep -c 'bearer-echo' "$FIXTURE_LOG")" 0 "no request was sent without it"
(umask 022; printf '%s\n' "$SENT" > "$CRED")
run refresh --source openrouter
like "$out" "has mode 0644: a credential file must not be accessible to group or others \(chmod 600 it\)" "a group/world-readable credential file is refused, saying why"
chmod 600 "$CRED"
mv "$CRED" "$WORK/real-key"; ln -s "$WORK/real-key" "$CRED"
run refresh --source openrouter
like "$out" "credential together-api-key: .*: a symbolic link" "a symbolic link is refused"
rm "$CRED"; mv "$WORK/real-key" "$CRED"
before_rows=$(q "select count(*) from routes")
run refresh --source openrouter
is "$rc" 0 "with the private credential file the fixture server accepts the key (HTTP 200)"
like "$(q "select count(*) > $before_rows from routes")" "t" "and the page was applied"
like "$(q "select headers from snapshots where source_id = 'openrouter'")" "X-Echo-Authorization: Bearer \*{10}" "the key the provider echoed is masked in the stored headers"

# $CREDENTIALS_DIRECTORY (systemd's LoadCredential=) comes first
mkdir -p "$WORK/sysd"; printf 'wrong-key\n' > "$WORK/sysd/together-api-key"
CREDENTIALS_DIRECTORY=$WORK/sysd "$LLMREF_BIN" -c "$CONF" refresh --source openrouter > "$WORK/o" 2>&1; rc=$?
cat "$WORK/o" >> "$OUT"
is "$rc" 1 "a wrong key from \$CREDENTIALS_DIRECTORY is the one sent"
like "$(cat "$WORK/o")" "the provider wants credentials \(HTTP 401\): credential together-api-key \(header Authorization\) was refused" "401 names the credential and the header"
printf '%s\n' "$SENT" > "$WORK/sysd/together-api-key"; chmod 644 "$WORK/sysd/together-api-key"
CREDENTIALS_DIRECTORY=$WORK/sysd "$LLMREF_BIN" -c "$CONF" -v refresh --source openrouter --dry-run >> "$OUT" 2>&1
ok $? "the right key from \$CREDENTIALS_DIRECTORY works (systemd sets its modes)"

# 401 and 403 without credentials
sed -i '/^\[headers\]/,$d' "$OR"
run refresh --source openrouter
like "$out" "the provider wants credentials \(HTTP 401\); give them in \[headers\]" "401 without credentials says the provider wants them"
sed -i -E "s#/_mis/bearer-echo/#/_mis/status-403/#" "$OR"
run refresh --source openrouter
like "$out" "the provider wants credentials \(HTTP 403\)" "403 too"
sed -i -E "s#/_mis/status-403/#/_mis/bearer-echo/#" "$OR"
printf '[headers]\nAuthorization = Bearer ${credential:together-api-key}\n' >> "$OR"

# the header's syntax, checked when the file is loaded; values never quoted
bad_header() { # bad_header LINE REGEX DESCRIPTION
	cp "$OR" "$WORK/or.keep"
	printf '%s\n' "$1" >> "$OR"
	out=$(llmref sources check 2>&1); rc=$?
	printf '%s\n' "$out" >> "$OUT"
	ok "$([ "$rc" -ne 0 ]; echo $?)" "$3: refused"
	like "$out" "openrouter\.conf:[0-9]+: \[headers\] $2" "$3: says why, with file and line"
	cp "$WORK/or.keep" "$OR"
}
bad_header "X-Key = ${SENT}-\${credental:together-api-key}" "the value of X-Key: \"\\\$\{\" must start \\\$\{credential:NAME\}" "a misspelt credential reference"
bad_header "X-Key = \${credential:../etc/passwd}" "the value of X-Key" "a credential name with a path"
bad_header "Bad Name = ${SENT}" "'Bad Name' is not a header name" "a header name with a space"
bad_header "Host = evil.example" "Host is set by llmref itself" "a header llmref sets"
bad_header "authorization = ${SENT}" "authorization set twice" "a header set twice"

# redaction: a key in the query and userinfo, already in the URL
KEYQ="Sntl-q-$$"; PASSU="Sntl-u-$$"
cp "$OR" "$WORK/or.keep"
sed -i '/^\[headers\]/,$d' "$OR"
sed -i -E "s#^url = http://(127\.0\.0\.1:[0-9]+)/_mis/bearer-echo/(.*)#url = http://user:$PASSU@\1/\2?api_key=$KEYQ\&model=all\&X-Amz-Signature=$KEYQ#" "$OR"
run refresh --source openrouter
is "$rc" 0 "a URL with userinfo and ?api_key= is fetched"
run status
like "$out" "." "status runs"
run export catalog
like "$out" "\"url\": ?\"http://REDACTED@127\.0\.0\.1:[0-9]+/openrouter\.ai/api/v1/models\?api_key=REDACTED&model=all&X-Amz-Signature=REDACTED\"" "export catalog shows the URL redacted (other parameters kept)"
sed -i -E "s#/openrouter\.ai/#/_mis/status-503/openrouter.ai/#" "$OR"
run refresh --source openrouter
like "$out" "source openrouter: http://REDACTED@127\.0\.0\.1:[0-9]+/_mis/status-503/openrouter\.ai/api/v1/models\?api_key=REDACTED&model=all&X-Amz-Signature=REDACTED: HTTP 503" "an error shows the URL redacted"
run status
like "$out" "api_key=REDACTED" "status shows the last error's URL redacted"
lr status --json; lr alerts; lr events --limit 1000
sed -i -E "s#^url = .*#url = ftp://user:$PASSU@example.invalid/?token=$KEYQ#" "$OR"
run sources check
like "$out" "'ftp://REDACTED@example\.invalid/\?token=REDACTED' is not an http:// or https:// URL" "a config error shows the URL redacted"
cp "$WORK/or.keep" "$OR"

# everything at once, then look everywhere
lr refresh --all; lr -v refresh --all --dry-run; lr status; lr status --json; lr alerts
lr events --limit 1000; lr export catalog; lr sources test openrouter --fetch; lr sources check
lr daemon --once --allow-root
ok "$([ -s "$WORK/llmref.prom" ]; echo $?)" "daemon --once wrote its metrics file"
grep -qF -- "$SENT" "$OUT"; is "$?" 1 "the key is not in any output or log line ($(wc -l < "$OUT") lines)"
grep -qF -e "$KEYQ" -e "$PASSU" "$OUT"; is "$?" 1 "nor the URL's key or password"
hits=$(grep -rlF -e "$SENT" -e "$KEYQ" -e "$PASSU" "$WORK/spool" "$WORK/llmref.prom" 2>/dev/null)
is "$hits" "" "not in the metrics file or the event spool"
pg_dump --data-only "$T_DB" > "$WORK/db.sql" 2>/dev/null
grep -qF -e "$SENT" -e "$KEYQ" -e "$PASSU" "$WORK/db.sql"; is "$?" 1 "not anywhere in the catalog ($(wc -l < "$WORK/db.sql") lines of pg_dump)"
like "$(grep -c 'Bearer \*\*\*' "$WORK/db.sql")" "^[1-9]" "the echoed key is stored masked"
done_testing
