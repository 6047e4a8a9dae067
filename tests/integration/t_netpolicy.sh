#!/bin/bash
# The network policy of fetches. By default no request, first or
# redirected, connects to a loopback, private, link-local (cloud
# metadata) or other reserved address, judged on the address connected;
# a source allows some with [source] allow_private_network, a test rig
# all with [fetch] allow_private_networks. An https source never follows
# a redirect to http, and a source's credentials never follow a redirect
# to another origin. Each refusal names the source, the URL and the
# reason, and leaves the catalog as it was.
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
P1=$FIXTURE_PORT; LOG1=$FIXTURE_LOG
fixture_start "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK" 127.0.0.2 || { echo "Bail out! second fixture server"; exit 1; }
P2=$FIXTURE_PORT; LOG2=$FIXTURE_LOG
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
llmref refresh --all >/dev/null 2>&1 || { echo "Bail out! first refresh failed"; exit 1; }
before=$(catalog_dump)
OR=$WORK/sources.d/openrouter.conf
cp "$OR" "$WORK/openrouter.orig"
PAGE=openrouter.ai/api/v1/models
sed -i '/^allow_private_networks = yes$/d' "$CONF" # from here on, the defaults

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
source_at() { # source_at URL [ALLOW]: openrouter fetches URL, allowing ALLOW
	cp "$WORK/openrouter.orig" "$OR"
	sed -i -E "s#^url = .*#url = $1#" "$OR"
	[ -n "${2:-}" ] && sed -i "s#^\[source\]\$#[source]\nallow_private_network = $2#" "$OR"
	return 0
}
redirect_to() { # redirect_to TARGET [ALLOW]: through fixture 1, redirected to TARGET
	source_at "http://127.0.0.1:$P1/_mis/redirect-to/x/y?to=$(enc "$1")" "${2:-127.0.0.1}"
}
hits() { grep -v "^END" "$1" | grep -c "	GET	/$PAGE	"; }
refresh() { out=$(llmref refresh --source openrouter 2>&1); rc=$?; }

# the first request
source_at "http://127.0.0.1:$P1/$PAGE"
n1=$(hits "$LOG1")
refresh
is "$rc" 1 "a source on 127.0.0.1 fails by default"
like "$out" "source openrouter: http://127\.0\.0\.1:$P1/$PAGE: connection to 127\.0\.0\.1 refused: a loopback address; a source may allow it with \[source\] allow_private_network" "the error names the source, the URL and the address refused"
is "$(hits "$LOG1")" "$n1" "no request reached the server"
is "$(catalog_dump)" "$before" "the catalog is unchanged"

# redirects: the first hop is allowed (127.0.0.1), the target is not
n2=$(hits "$LOG2")
redirect_to "http://127.0.0.2:$P2/$PAGE"
refresh
is "$rc" 1 "a redirect to 127.0.0.2 fails when only 127.0.0.1 is allowed"
like "$out" "source openrouter: http://127\.0\.0\.1:$P1/_mis/redirect-to/x/y\?to=[^ ]*: connection to 127\.0\.0\.2 refused: a loopback address \(redirected to http://127\.0\.0\.2:$P2/$PAGE\)" "the error names the address and the redirect"
is "$(hits "$LOG2")" "$n2" "no request reached the second server"
is "$(catalog_dump)" "$before" "the catalog is unchanged"
redirect_to "http://[::1]:$P2/$PAGE"
refresh
like "$rc $out" "^1 .*connection to ::1 refused: a loopback address" "a redirect to [::1] is refused"
loopback_refused=$([ "$rc" = 1 ] && echo yes)
# Addresses off this machine only once loopback was refused: a build
# without the check must not send packets there.
for t in "169.254.169.254/latest/meta-data/ 169.254.169.254 link-local" \
	"[::ffff:169.254.169.254]/ ::ffff:169.254.169.254 link-local" "[fd00::1]/ fd00::1 private" \
	"10.0.0.1/ 10.0.0.1 private" "100.64.0.1/ 100.64.0.1 shared" \
	"0.0.0.0:$P1/$PAGE 0.0.0.0 unspecified" "[::ffff:127.0.0.2]:$P2/$PAGE ::ffff:127.0.0.2 loopback"; do
	set -- $t
	if [ -z "$loopback_refused" ]; then ok 1 "a redirect to http://$1 (not tried: loopback was not refused)"; continue; fi
	redirect_to "http://$1"
	refresh
	like "$rc $out" "^1 .*connection to ${2//./\\.} refused: a $3" "a redirect to http://$1 is refused ($3)"
done
is "$(catalog_dump)" "$before" "the catalog is unchanged after them all"

# allowed: by prefix, by yes, and by the test rigs' switch
n2=$(hits "$LOG2")
redirect_to "http://127.0.0.2:$P2/$PAGE" "127.0.0.1/32, 127.0.0.2"
refresh
is "$rc" 0 "allow_private_network = 127.0.0.1/32, 127.0.0.2 follows the redirect"
is "$(hits "$LOG2")" "$((n2 + 1))" "and the request reached the second server"
redirect_to "http://127.0.0.2:$P2/$PAGE" "yes"
refresh
is "$rc" 0 "allow_private_network = yes too"
redirect_to "http://127.0.0.2:$P2/$PAGE" "no"
printf '[fetch]\nallow_private_networks = yes\n' >> "$CONF"
refresh
is "$rc" 0 "[fetch] allow_private_networks = yes (test rigs) too"
sed -i '/^allow_private_networks = yes$/d' "$CONF"
redirect_to "http://127.0.0.2:$P2/$PAGE" "10.0.0.0/33"
out=$(llmref sources check 2>&1)
like "$out" "openrouter\.conf:[0-9]+: \[source\] allow_private_network: '10\.0\.0\.0/33' is not yes, no or an IP address or prefix" "a bad prefix is a config error with file and line"

# credentials stay on their origin, even where the address is allowed
mkdir -p "$WORK/credentials"; (umask 077; echo "k-$$" > "$WORK/credentials/k")
redirect_to "http://127.0.0.2:$P2/$PAGE" "yes"
printf '[headers]\nX-Api-Key = ${credential:k}\n' >> "$OR"
n2=$(hits "$LOG2")
refresh
like "$rc $out" "^1 .*redirect to another origin refused: header X-Api-Key carries credential k \(to http://127\.0\.0\.2:$P2/$PAGE\)" "a redirect to another origin is refused when the source sends credentials"
is "$(hits "$LOG2")" "$n2" "and the other host got no request"
redirect_to "http://127.0.0.1:$P1/$PAGE" "yes"
printf '[headers]\nX-Api-Key = ${credential:k}\n' >> "$OR"
refresh
is "$rc" 0 "a redirect on the same origin is followed with them"

# https never follows a redirect to http
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/tls.key" -out "$WORK/tls.pem" >/dev/null 2>&1 ||
	skip_all "openssl cannot make a certificate"
python3 "$LLMREF_SRCDIR/tests/fixture_server.py" --root "$LLMREF_SRCDIR/tests/fixtures/pages" --port 0 \
	--port-file "$WORK/tls.port" --log "$WORK/tls.log" --tls-cert "$WORK/tls.pem" --tls-key "$WORK/tls.key" \
	>/dev/null 2>>"$WORK/fixture.stderr" &
FIXTURE_PIDS="$FIXTURE_PIDS $!"
for i in $(seq 1 200); do [ -s "$WORK/tls.port" ] && break; sleep 0.05; done
PT=$(cat "$WORK/tls.port")
printf '[fetch]\nca_file = %s\n' "$WORK/tls.pem" >> "$CONF"
source_at "https://127.0.0.1:$PT/_mis/redirect-ok/$PAGE" 127.0.0.1
refresh
is "$rc" 0 "https to https redirects are followed (fixture over TLS)"
n1=$(hits "$LOG1")
source_at "https://127.0.0.1:$PT/_mis/redirect-to/x/y?to=$(enc "http://127.0.0.1:$P1/$PAGE")" 127.0.0.1
refresh
is "$rc" 1 "an https source redirected to http fails"
like "$out" "source openrouter: https://127\.0\.0\.1:$PT/_mis/redirect-to/x/y\?to=[^ ]*: redirect from https to http refused \(to http://127\.0\.0\.1:$P1/$PAGE\)" "the error says so"
is "$(hits "$LOG1")" "$n1" "no request went out over http"
is "$(catalog_dump)" "$before" "the catalog is unchanged"
source_at "http://127.0.0.1:$P1/_mis/redirect-to/x/y?to=$(enc "https://127.0.0.1:$PT/$PAGE")" 127.0.0.1
refresh
is "$rc" 0 "an http source may be redirected to https"
done_testing
