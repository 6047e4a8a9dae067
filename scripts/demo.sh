#!/bin/bash
# scripts/demo.sh - the main job on an embedded default, from a fresh
# Debian 12 machine: install packages, build, start a private PostgreSQL
# cluster (pg_virtualenv) and a fixture server on 127.0.0.1 serving the
# bundled sample pages, migrate, refresh every bundled source twice (the
# second run changes nothing), and print the catalog as JSON.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "${1:-}" != --inner ]; then
	scripts/deps.sh
	if [ ! -x build/src/llmref ]; then
		./autogen.sh >/dev/null 2>&1
		mkdir -p build
		(cd build && ../configure >/dev/null && make -j"$(nproc)" >/dev/null)
	else
		make -C build -j"$(nproc)" >/dev/null
	fi
	echo "== starting a private PostgreSQL cluster (pg_virtualenv)"
	exec pg_virtualenv -t "$0" --inner
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/llmref-demo.XXXXXX")
. scripts/local.sh
trap 'fixture_stop; rm -rf "$work"' EXIT
fixture_start "$top/tests/fixtures/pages" "$work"
echo "== fixture server on 127.0.0.1:$FIXTURE_PORT serving tests/fixtures/pages"
local_sources "$top/conf/sources.d" "$work/sources.d" "$FIXTURE_PORT"
conf=$(local_config "$work")
llmref() { "$top/build/src/llmref" -c "$conf" "$@"; }

echo "== llmref db migrate"
llmref db migrate
echo "== llmref refresh --all"
time llmref refresh --all
echo "== llmref refresh --all (again: nothing changes)"
llmref refresh --all
echo "== llmref export catalog"
llmref export catalog
echo "== llmref export comparison (the reference page's two models)"
llmref export comparison llama-3.2-1b-instruct llama-3.1-405b-instruct
echo "== llmref events --since 0 (the change feed: first 5 of $(llmref events --since 0 --limit 100000 | wc -l))"
llmref events --since 0 --limit 5
echo "== llmref alerts"
llmref alerts
