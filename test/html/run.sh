#!/usr/bin/env bash
# The HTML report in real tools: on a throwaway cluster, generate_demo(2000)
# plus hostile strings (a channel, an owner and a reason label that are
# markup), write report_html() to a file with psql as a user would, and
#   - xmllint --noout: the page is well-formed XML (XHTML);
#   - headless Chromium renders it to a PNG: the test fails if there is no
#     PNG, if it is blank, or if the charts' bar colours are missing (the
#     SVG did not render); test/html/png_check.py decodes the PNG;
#   - Chromium's DOM (--dump-dom) holds no script element, the hostile
#     strings as text, and the six charts;
#   - the page of an empty database renders too.
# With --png FILE, also writes a screenshot of the demo's page (without
# the hostile strings) for the README to FILE (docs/report.png).
#   bash test/html/run.sh [--png docs/report.png]     (leadqual installed first)
set -euo pipefail
cd "$(dirname "$0")/../.."
PGVER=${PGVER:-15}
png_out=""
if [ "${1:-}" = "--png" ]; then png_out=$(realpath -m "$2"); fi

work=$(mktemp -d /tmp/leadqual-html.XXXXXX)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

# the pages: empty database, the demo, the demo with hostile strings
pg_virtualenv -t -v "$PGVER" bash -s "$work" <<'SCRIPT'
set -euo pipefail
work=$1
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
q -c "CREATE EXTENSION leadqual"
q -Atc 'select leadqual.report_html()' > "$work/empty.html"
q -c "SELECT leadqual.generate_demo(2000)" >/dev/null
q -Atc 'select leadqual.report_html()' > "$work/demo.html"
# markup in a channel (every lead of the channel with the fewest leads),
# in the owner of the most overdue MQL and in a reason's label
q <<'SQL'
UPDATE leadqual.lead SET source_channel = '<script>alert(1)</script>'
 WHERE source_channel = (SELECT source_channel FROM leadqual.lead WHERE source_channel IS NOT NULL
                          GROUP BY 1 ORDER BY count(*), 1 LIMIT 1);
UPDATE leadqual.lead SET owner = '"><script>alert(2)</script>'
 WHERE owner = (SELECT owner FROM leadqual.sla_breaches ORDER BY due_at, lead_id LIMIT 1);
UPDATE leadqual.rejection_reason SET label = E'<img src=x onerror=alert(3)> \x01'
 WHERE code = (SELECT reason FROM leadqual.rejection_reasons GROUP BY 1 ORDER BY sum(rejections) DESC, 1 LIMIT 1);
SQL
q -Atc 'select leadqual.report_html()' > "$work/report.html"
SCRIPT

status=0
fail() { echo "html: FAILED: $*"; status=1; }

for f in empty demo report; do
    xmllint --noout "$work/$f.html" || fail "$f.html is not well-formed XML"
done

# Chromium as root needs --no-sandbox; a profile of its own in $work
chrome() {
    timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}
chrome --screenshot="$work/report.png" --window-size=1200,3000 "file://$work/report.html" >/dev/null ||
    fail "chromium could not render report.html (see below)"
chrome --screenshot="$work/empty.png" --window-size=1200,1200 "file://$work/empty.html" >/dev/null ||
    fail "chromium could not render empty.html"
# the demo's page: bars of every colour of the charts (blue, green, red,
# grey, orange); the empty page: text and the empty funnel's axes
python3 test/html/png_check.py "$work/report.png" 3b6fb6 2e8b57 c0392b a5a5a5 e08a1e || fail "report.png"
python3 test/html/png_check.py "$work/empty.png" || fail "empty.png"

chrome --dump-dom "file://$work/report.html" > "$work/dom.html" || fail "chromium --dump-dom"
if grep -qi '<script' "$work/dom.html"; then fail "the rendered DOM has a script element"; fi
if grep -qi '<img' "$work/dom.html"; then fail "the rendered DOM has an img element"; fi
for s in '&lt;script&gt;alert(1)&lt;/script&gt;' '"&gt;&lt;script&gt;alert(2)&lt;/script&gt;' '&lt;img src=x onerror=alert(3)&gt;'; do
    grep -qF "$s" "$work/dom.html" || fail "the rendered page does not show $s as text"
done
charts=$(grep -o '<svg' "$work/dom.html" | wc -l)
[ "$charts" -eq 6 ] || fail "the rendered page has $charts charts, not 6"

if [ -n "$png_out" ]; then
    chrome --screenshot="$png_out" --window-size=1000,1200 "file://$work/demo.html" >/dev/null
    python3 test/html/png_check.py "$png_out" 3b6fb6 || fail "$png_out"
    echo "html: wrote $png_out ($(stat -c %s "$png_out") bytes)"
fi

[ $status -eq 0 ] || { echo "== chromium log"; tail -20 "$work/chromium.log"; }
echo "html: report.html $(stat -c %s "$work/report.html") bytes, $charts charts, $(( $(date +%s) - start )) s"
exit $status
