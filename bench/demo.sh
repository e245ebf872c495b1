#!/usr/bin/env bash
# bench/demo.sh - `make demo`: the chapter's experiment (CONTRACT.md §6).
#
# Every server runs with a simulated delay of D ms per message against its
# own client with N simulated clients of 8 messages each; the table shows
# the time the model predicts (CONTRACT.md §6), the time measured, and
# whether the model is concurrent (several clients in progress at once) and
# parallel (several messages worked on at the same moment). Then every run
# is drawn from its client's trace (-o FILE): bench-results/demo.html, one
# timeline per model (bench/timelines.sh), whose path is the last line.
#
#   DEMO_DELAY_MS=100 DEMO_CLIENTS=10 bench/demo.sh   (the defaults)
#   DEMO_TIMELINE=1 bench/demo.sh     also draws each run as text
#
# Exit status 1 when a server or client failed, a server did not exit 0 on
# SIGTERM, or a folder could not run.
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=bench/timelines.sh
. "$KIT_ROOT/bench/timelines.sh"

DELAY_MS=${DEMO_DELAY_MS:-100}
CLIENTS=${DEMO_CLIENTS:-10}
[ -n "$DELAY_MS" ] || DELAY_MS=100
[ -n "$CLIENTS" ] || CLIENTS=10
case "$DELAY_MS$CLIENTS" in
*[!0-9]*)
    echo "demo: DEMO_DELAY_MS and DEMO_CLIENTS must be whole numbers" >&2
    exit 2
    ;;
esac
if [ "$CLIENTS" -lt 1 ]; then
    echo "demo: DEMO_CLIENTS must be at least 1" >&2
    exit 2
fi

# One line per server: folder | server options | model | W | concurrent |
# parallel, from each section's demo rows (its section.conf). W is how many
# messages the model works on at once: 1 for a serial model, "each" for one
# thread or process per client, N for a pool of N whose worker keeps its
# client until it leaves, "N shared" for a pool of N that shares requests
# (any free worker takes the next one). The expected time is 8·N·D when W
# is 1, 8·D when every client has its own worker, 8·D·ceil(N/W) for a
# pool of W, and ceil(8·N/W)·D for a pool that shares requests (W no
# more than N: each client has one request in flight at a time).
CASES=()
while IFS= read -r folder; do
    while IFS= read -r row; do
        CASES+=("$folder|$row")
    done < <(section_list "$folder" demo)
done < <(kit_sections)

# expected_seconds W : CONTRACT.md §6's formula for this run's N and D.
expected_seconds() {
    local batches
    case "$1" in
    each) batches=1 ;;
    *" shared") # at most one request per client in flight: min(N, W) at once
        local w=${1% shared}
        [ "$w" -le "$CLIENTS" ] || w=$CLIENTS
        batches=$(calc "int((8 * $CLIENTS + $w - 1) / $w) / 8") ;;
    *) batches=$(((CLIENTS + $1 - 1) / $1)) ;;
    esac
    calc "8 * $DELAY_MS / 1000 * $batches" "%.2f"
}

failures=0
rows=()
total=${#CASES[@]}
index=0
echo "demo: $CLIENTS clients x 8 messages, $DELAY_MS ms of work per message"
for case in "${CASES[@]}"; do
    IFS='|' read -r folder options model workers concurrent parallel <<<"$case"
    index=$((index + 1))
    label="$folder${options:+ $options}"
    expected=$(expected_seconds "$workers")
    # A serial server keeps the last client waiting for all the others:
    # give every reply that long, plus a margin, before calling it lost.
    reply_timeout=$(calc "int(8 * $CLIENTS * $DELAY_MS / 1000) + 30" "%d")
    log="$BENCH_TMP/demo$index"
    if reason=$(section_unavailable "$folder"); then
        echo "[$index/$total] $label: not available here ($reason)"
        rows+=("$label|$model|$expected|-|-|not available|-")
        continue
    fi
    # shellcheck disable=SC2086 # options is a list of words
    if ! server_start "$log" "$KIT_ROOT/$folder/server" $options -q -d "$DELAY_MS" 0; then
        echo "[$index/$total] $label: server did not start"
        rows+=("$label|$model|$expected|-|failed: server did not start|$concurrent|$parallel")
        failures=$((failures + 1))
        continue
    fi
    printf '[%d/%d] %s: %s ... ' "$index" "$total" "$label" "$model"
    run_job "$log.client" timeout $((2 * reply_timeout + 30)) \
        "$KIT_ROOT/$folder/client" -q -n "$CLIENTS" -t "$reply_timeout" \
        -o "$log.trace" 127.0.0.1 "$SERVER_PORT"
    client_status=$?
    server_stop "$SERVER_PID"
    server_status=$?
    line=$(summary_line "$log.client")
    measured=$(summary_field "$line" s)
    note=""
    [ "$client_status" -eq 0 ] || note="client exit $client_status"
    [ "$server_status" -eq 0 ] || note="${note:+$note, }server exit $server_status"
    if [ -z "$measured" ]; then
        measured="-"
        ratio="-"
        note="${note:+$note, }no summary line"
    else
        ratio=$(calc "$measured / $expected" "%.2f")
    fi
    if [ -n "$note" ]; then
        failures=$((failures + 1))
        echo "$measured s (expected $expected s) FAILED: $note"
        sed 's/^/    /' "$log.client" | tail -n 5
        ratio="failed: $note"
    else
        echo "$measured s (expected $expected s)"
    fi
    rows+=("$label|$model|$expected|$measured|$ratio|$concurrent|$parallel")
    [ ! -s "$log.trace" ] || TIMELINES+=("$label|$model|$expected|$measured|$log.trace")
done

echo
echo "| folder | model | expected s | measured s | ratio | concurrent? | parallel? |"
echo "| --- | --- | ---: | ---: | ---: | --- | --- |"
for row in "${rows[@]}"; do
    IFS='|' read -r label model expected measured ratio concurrent parallel <<<"$row"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$model" \
        "$expected" "$measured" "$ratio" "$concurrent" "$parallel"
done
echo
echo "expected: 8*N*D for a serial model, 8*D when each client has its own"
echo "worker, 8*D*ceil(N/W) for a pool of W (ceil(8*N/W)*D when it shares"
echo "requests: 07) (N=$CLIENTS clients, D=$DELAY_MS ms)."
echo "concurrent: several clients in progress at once; parallel: several"
echo "messages worked on at the same moment."
page_dir="$KIT_ROOT/bench-results"
mkdir -p "$page_dir" || exit 1
# Results are build products: keep them out of git.
[ -f "$page_dir/.gitignore" ] || echo '*' >"$page_dir/.gitignore"
if draw_timelines "$page_dir/demo.html" "$DELAY_MS" "$CLIENTS"; then
    echo
    echo "timelines, one per model (open the page in a browser):"
    echo "$page_dir/demo.html"
else
    echo "demo: could not write $page_dir/demo.html" >&2
    failures=$((failures + 1))
fi
if [ "$failures" -gt 0 ]; then
    echo "demo: $failures server(s) failed" >&2
    exit 1
fi
