# bench/timelines.sh - the pictures of `make demo` (sourced by demo.sh):
# every model's run drawn from its client's trace (-o FILE) by
# bench/timeline.awk, as one self-contained page (no script, no external
# file: open it from disk, show it on a projector) and, with
# DEMO_TIMELINE=1, as text in the terminal.
#
#   TIMELINES+=("LABEL|MODEL|EXPECTED|MEASURED|TRACE")   # one per model run
#   draw_timelines PAGE DELAY_MS CLIENTS                 # writes PAGE
#
# Drawings of models that share an expected time share one scale (the
# longest of their runs), so that 02 and 03 compare bar for bar; the
# page's first table puts every measured time on one scale, so that 8 s
# and 0.8 s look as different as they are.

TIMELINES=()

# trace_end TRACE : the last time in TRACE (0 when it has none).
trace_end() {
    awk -F'\t' 'NR > 1 { for (i = 3; i <= 4; i++) if ($i != "-" && $i + 0 > m) m = $i + 0 }
        END { printf "%.6f", m + 0 }' "$1" 2>/dev/null || echo 0
}

# find_spans : fills SPANS[EXPECTED] with the seconds a drawing of a model
# with that expected time spans: the latest end of any such run's trace,
# or the expected time if later.
declare -A SPANS=()
find_spans() {
    local row label model expected measured trace e span
    while read -r e span; do
        SPANS[$e]=$span
    done < <(for row in "${TIMELINES[@]}"; do
        IFS='|' read -r label model expected measured trace <<<"$row"
        echo "$expected $(trace_end "$trace")"
    done | awk '{ if (!($1 in m) || $2 + 0 > m[$1]) m[$1] = $2 + 0 }
        END { for (e in m) print e, (m[e] > e + 0 ? m[e] : e) }')
}

# page_head DELAY_MS CLIENTS : the page up to the first model, with a
# table of measured times drawn to one scale (HTML bars, not SVG).
page_head() {
    local row label model expected measured trace longest=0 width
    cat <<EOF
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<title>make demo: $2 clients × 8 messages, $1 ms of work each</title>
<style>
body { font-family: sans-serif; margin: 1.5em; max-width: 800px; }
td { padding: 2px 8px; } .bar { background: #1f4e79; height: 12px; }
.light { background: #b7d3ee; } .dash { color: #c0392b; }
</style>
</head>
<body>
<h1>make demo: $2 clients × 8 messages, $1 ms of work each</h1>
<p>Each picture is one model's run, drawn from its client's trace: one row
per client, one bar per request, from the moment the request was sent to
the moment its reply came back. The <span class="light">light part</span>
is waiting; the <b>dark part</b> is the last $1 ms, the server's work on it.
The <span class="dash">dashed red line</span> is the time the model should
take. Pictures with the same expected time share one scale.</p>
<table>
<tr><th>server</th><th>measured s</th><th>all on one scale</th></tr>
EOF
    for row in "${TIMELINES[@]}"; do
        IFS='|' read -r label model expected measured trace <<<"$row"
        [ "$measured" = - ] || longest=$(calc "$measured > $longest ? $measured : $longest")
    done
    for row in "${TIMELINES[@]}"; do
        IFS='|' read -r label model expected measured trace <<<"$row"
        width=0
        [ "$measured" = - ] || [ "$longest" = 0 ] ||
            width=$(calc "$measured / $longest * 500" "%d")
        printf '<tr><td>%s</td><td>%s</td><td><div class="bar" style="width: %dpx"></div></td></tr>\n' \
            "$label" "$measured" "$width"
    done
    echo "</table>"
}

# draw_timelines PAGE DELAY_MS CLIENTS : writes PAGE; prints each drawing
# as text too when DEMO_TIMELINE is 1.
draw_timelines() {
    local page=$1 delay=$2 clients=$3 row label model expected measured trace
    local title
    find_spans
    {
        page_head "$delay" "$clients"
        for row in "${TIMELINES[@]}"; do
            IFS='|' read -r label model expected measured trace <<<"$row"
            title="$label, $model: $measured s measured, $expected s expected"
            echo "<h2>$label</h2>"
            awk -v format=svg -v delay_ms="$delay" -v expected="$expected" \
                -v scale="${SPANS[$expected]}" -v title="$title" \
                -f "$KIT_ROOT/bench/timeline.awk" "$trace"
        done
        echo "</body>"
        echo "</html>"
    } >"$page" || return 1
    [ "${DEMO_TIMELINE:-0}" = 1 ] || return 0
    for row in "${TIMELINES[@]}"; do
        IFS='|' read -r label model expected measured trace <<<"$row"
        echo
        awk -v delay_ms="$delay" -v expected="$expected" \
            -v scale="${SPANS[$expected]}" \
            -v title="$label, $model: $measured s measured, $expected s expected" \
            -f "$KIT_ROOT/bench/timeline.awk" "$trace"
    done
}
