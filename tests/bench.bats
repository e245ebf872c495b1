#!/usr/bin/env bats
# make demo and make bench (CONTRACT.md §6 and §7): the tooling runs,
# prints well-formed tables with a row per folder, and the demo's times
# match the model's formula. No absolute speed is asserted: the machine may
# be busy. The demo's timelines are tested in timeline.bats.

load helper

setup_file() {
    ! tooling_skipped || return 0
    kit_build all bench/pingpong bench/echoloop bench/connload
}

setup() { tooling_test; }

# The demo's cases and the bench's main table: a row per entry of each
# section's demo and bench lists (its section.conf), labelled
# "FOLDER OPTIONS".
# shellcheck source=bench/sections.sh
source "$KIT_ROOT/bench/sections.sh"
# section_labels NAME : "FOLDER OPTIONS" of every row of NAME.
section_labels() {
    local folder options
    for folder in $(kit_sections); do
        section_unavailable "$folder" >/dev/null && continue
        while IFS='|' read -r options _; do
            printf '%s\n' "$folder${options:+ $options}"
        done < <(section_list "$folder" "$1")
    done
}
mapfile -t DEMO_ROWS < <(section_labels demo)
mapfile -t BENCH_ROWS < <(section_labels bench)

# table_row TEXT LABEL : the first Markdown row of TEXT for LABEL.
table_row() {
    printf '%s\n' "$1" | grep -F -m 1 "| $2 |"
}

# cell ROW N : the Nth cell of a Markdown row, trimmed.
cell() {
    printf '%s\n' "$1" | awk -F'|' -v n="$2" '{ gsub(/^ +| +$/, "", $(n + 1)); print $(n + 1) }'
}

is_number() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

run_demo() {
    run timeout 120 make -s -C "$KIT_ROOT" demo DEMO_DELAY_MS=50 DEMO_CLIENTS=4
}

@test "make demo: a progress line and a table row for every server" {
    run_demo
    [ "$status" -eq 0 ]
    local label row
    for label in "${DEMO_ROWS[@]}"; do
        [[ "$output" == *"] $label: "*" s (expected "* ]]
        row=$(table_row "$output" "$label")
        [ -n "$row" ]
        is_number "$(cell "$row" 3)" # expected s
        is_number "$(cell "$row" 4)" # measured s
        is_number "$(cell "$row" 5)" # ratio
        [[ "$(cell "$row" 6)" =~ ^(yes|no)$ ]]
        [[ "$(cell "$row" 7)" =~ ^(yes|no)$ ]]
    done
    # The iterative server's row: 4 clients x 8 x 50 ms = 1.60 s, serial.
    row=$(table_row "$output" 01-iterative)
    [ "$(cell "$row" 3)" = 1.60 ]
    [ "$(cell "$row" 6)" = no ]
}

@test "make demo: every measured time is 0.7 to 1.6 times the formula" {
    local attempt label row bad
    for attempt in 1 2; do # a loaded machine earns one rerun
        run_demo
        [ "$status" -eq 0 ]
        bad=""
        for label in "${DEMO_ROWS[@]}"; do
            row=$(table_row "$output" "$label")
            ratio_between "$(cell "$row" 4)" "$(cell "$row" 3)" 0.7 1.6 ||
                bad="$bad $label"
        done
        [ -n "$bad" ] || return 0
        echo "attempt $attempt, out of range:$bad" >&2
    done
    printf '%s\n' "$output" >&2
    false
}

@test "make demo interrupted with Ctrl-C stops at once, leaving no server behind" {
    local out="$BATS_TEST_TMPDIR/demo.out" i
    # A terminal's Ctrl-C is SIGINT to the whole foreground group; bats
    # starts background jobs with SIGINT ignored, so restore it first.
    DEMO_DELAY_MS=200 setsid env --default-signal=INT "$KIT_ROOT/bench/demo.sh" \
        >"$out" 2>&1 &
    local pid=$!
    KIT_GROUPS+=("$pid")
    for ((i = 0; i < 100; i++)); do
        grep -q 'iterative \.\.\.' "$out" && break
        sleep 0.05
    done
    pgrep -f "$KIT_ROOT/01-iterative/server" >/dev/null
    # 01-iterative needs 16 s for this run: the demo must not wait for it.
    kill -s INT -- "-$pid"
    elapsed wait "$pid"
    [ "$STATUS" -eq 130 ]
    less_than "$ELAPSED" 5
    run ! pgrep -f "$KIT_ROOT/01-iterative/server"
    run ! pgrep -f "$KIT_ROOT/01-iterative/client"
}

@test "make bench BENCH_QUICK=1: well-formed tables, Markdown file and SVG plot" {
    local md="$BATS_TEST_TMPDIR/results.md" svg="$BATS_TEST_TMPDIR/results.svg"
    run timeout 600 make -s -C "$KIT_ROOT" bench BENCH_QUICK=1 BENCH_OUT="$md"
    [ "$status" -eq 0 ]
    [ -s "$md" ]
    grep -q '^## Stress clients' "$md"
    grep -q '^## Connection per request' "$md"
    grep -q '^## Targets' "$md"
    # The CPU comparisons again with the yardsticks' other placement.
    grep -q '^## CPU per request with placement cpu0: stress clients' "$md"
    grep -q '^| CPU us/request, stress, c=1: 07-udp-threadpool / 01-iterative | cpu0 |' "$md"
    local label row n
    for label in "${BENCH_ROWS[@]}"; do
        row=$(table_row "$(cat "$md")" "$label")
        [ -n "$row" ]
        # clients, req/s, p50, p99, CPU us/req, context switches per request
        for n in 3 4 6 7 8 10; do
            is_number "$(cell "$row" "$n")"
        done
        [ "$(cell "$row" 12)" = 0 ] # errors
    done
    # The targets table: every row has a number (a ratio, or switches per
    # request); a target says yes or NO, the price of a model neither.
    awk '/^## Targets/ { t = 1; next } /^(## |Notes:)/ { t = 0 }
         t && /^\| / && !/^\| (comparison|---) /' "$md" >"$BATS_TEST_TMPDIR/targets"
    [ -s "$BATS_TEST_TMPDIR/targets" ]
    while read -r row; do
        is_number "$(cell "$row" 5)" || is_number "$(cell "$row" 6)"
        if [ "$(cell "$row" 7)" = "the price of the model" ]; then
            [[ "$(cell "$row" 8)" == -* ]]
        else
            [[ "$(cell "$row" 8)" =~ ^(yes|NO) ]]
        fi
    done <"$BATS_TEST_TMPDIR/targets"
    # The three kinds of rows are all there.
    grep -q '^| switches/request, 01-iterative c=1 (a blocking ping-pong) | cpu0 | .* | 2.0 ± 0.1 |' "$md"
    grep -q '^| switches/request, 08-select c=100 (an event loop) | .* | <= 0.15 |' "$md"
    grep -q '^| 02-thread c=100 / bare epoll loop | .* | the price of the model |' "$md"
    grep -q '^| 01-iterative c=1 / bare ping-pong | .* | >= 0.9 |' "$md"
    # The plot: an SVG document with a polyline per server of the main table.
    [ -s "$svg" ]
    [ "$(head -c 4 "$svg")" = "<svg" ]
    [ "$(tail -n 1 "$svg")" = "</svg>" ]
    for label in "${BENCH_ROWS[@]}"; do
        grep -q "<polyline .*<title>$label</title>" "$svg"
    done
    if command -v xmllint >/dev/null; then
        xmllint --noout "$svg"
    fi
}
