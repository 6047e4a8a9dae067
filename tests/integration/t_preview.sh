#!/bin/bash
# llmref preview A B (issue 20): the reference pair of the bundled world
# as one self-contained HTML page, laid out like the reference page,
# opened in headless Chromium: the rendered text shows $105 on Fireworks
# AI and $2,520 on AWS Bedrock, and a screenshot is taken.
. "$(dirname "$0")/lib.sh"
need_pg
fixture_start "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$LLMREF_SRCDIR/conf/sources.d" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
llmref refresh --all >/dev/null 2>&1
A=llama-3.2-1b-instruct B=llama-3.1-405b-instruct
llmref preview "$A" "$B" > "$WORK/page.html"; rc=$?
is "$rc" 0 "preview prints the page"
page=$(cat "$WORK/page.html")
like "$page" '^<!DOCTYPE html>' "an HTML document"
for h in "Decision scorecard" "Monthly cost at traffic" "Specs" "Pricing and availability" \
	"Capabilities" "Benchmarks" "Price history" "Last reviewed"; do
	like "$page" "<h2>$h</h2>" "with the section $h"
done
is "$(grep -c '<svg ' "$WORK/page.html")" 2 "and both models' history charts, inline"
is "$(grep -Ec '<script|<link|src=|@import' "$WORK/page.html")" 0 "self-contained: no script, no external file"
like "$page" 'class="amount">\$105</p><p>Cheapest tracked route/tier: Fireworks AI' "Llama 3.2 1B: \$105 on Fireworks AI"
like "$page" 'class="amount">\$2,520</p><p>Cheapest tracked route/tier: AWS Bedrock' "Llama 3.1 405B: \$2,520 on AWS Bedrock"
like "$page" 'Estimated monthly gap: \$2,415\.' "the gap, \$2,415"
out=$(llmref preview "$A" 2>&1); is "$?" 2 "one model is a usage error"
out=$(llmref preview "$A" no-such-model 2>&1); rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "an unknown model fails ($out)"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ] && command -v pdftotext >/dev/null; then
	run() { timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$WORK/chromium" "$@" "file://$WORK/page.html" >/dev/null 2>&1; }
	run --window-size=1100,3600 --screenshot="$WORK/page.png"
	ok "$([ -s "$WORK/page.png" ] && [ "$(head -c 8 "$WORK/page.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]; echo $?)" \
		"headless Chromium takes a screenshot of it (PNG, $(stat -c %s "$WORK/page.png" 2>/dev/null) bytes)"
	run --print-to-pdf="$WORK/page.pdf" --no-pdf-header-footer
	text=$(pdftotext "$WORK/page.pdf" - 2>/dev/null | tr -s " \n" "  ") # lines wrapped in the boxes: one line
	like "$text" 'Llama 3.2 1B vs Llama 3.1 405B Instruct' "the rendered page has the title"
	like "$text" '\$105' "and shows \$105"
	like "$text" '\$2,520' "and \$2,520"
	like "$text" 'Cheapest tracked route/tier: Fireworks AI' "on Fireworks AI"
	like "$text" 'Cheapest tracked route/tier: AWS Bedrock' "and AWS Bedrock"
	[ -n "${LLMREF_KEEP_PREVIEW:-}" ] && cp "$WORK/page.png" "$WORK/page.html" "$LLMREF_KEEP_PREVIEW/"
else
	ok 0 "# SKIP headless Chromium or pdftotext missing (scripts/deps.sh installs chromium, poppler-utils)"
fi
done_testing
