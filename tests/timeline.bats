#!/usr/bin/env bats
# Stress traces and the demo timeline (CONTRACT.md §11): every client's
# -o FILE holds one line per request with times that make sense, and
# bench/timeline.awk draws a trace as text and as SVG; make demo draws
# every model on one self-contained page.

load helper
# shellcheck source=bench/sections.sh
source "$KIT_ROOT/bench/sections.sh"

# The client kinds: threads (01), processes (03), UDP (06), select (08),
# epoll (09).
TRACED=(01-iterative 03-fork 06-udp 08-select 09-epoll)

setup_file() {
    kit_build "${TRACED[@]}"
    ! tooling_skipped || return 0
    kit_build all bench/pingpong bench/echoloop bench/connload
    # One small demo for the page and text tests: 3 clients, 30 ms.
    DEMO_TIMELINE=1 timeout 150 make -s -C "$KIT_ROOT" demo DEMO_CLIENTS=3 \
        DEMO_DELAY_MS=30 >"$BATS_FILE_TMPDIR/demo.out" 2>&1
    echo $? >"$BATS_FILE_TMPDIR/demo.status"
}

# demo_models : how many models the demo drew (its progress lines with a
# time), once it has shown every demo row of every section (drawn, or not
# available on this machine: section.conf's probe).
demo_models() {
    local out="$BATS_FILE_TMPDIR/demo.out" folder rows=0 total
    for folder in $(kit_sections); do
        rows=$((rows + $(section_list "$folder" demo | wc -l)))
    done
    total=$(sed -n 's|^\[1/\([0-9]*\)\].*|\1|p' "$out" | head -n 1)
    [ "$total" = "$rows" ] || { echo "the demo showed $total rows of $rows" >&2; return 1; }
    grep -c '^\[[0-9]*/[0-9]*\] .* s (expected' "$out"
}

# check_trace FILE N R D : FILE is the trace of N clients x R requests, all
# answered: the header, then per client its requests in order, each sent
# after the previous reply, each reply at least D seconds after its
# request (the server worked D on it), and the reply's size that of the
# word sent. Prints what is wrong and fails.
check_trace() {
    awk -F'\t' -v n="$2" -v r="$3" -v d="$4" '
        BEGIN { split("6 4 6 4 3 5 2 4", size, " ") }
        NR == 1 { if ($0 != "client\trequest\tsent\treplied\tbytes") bad = bad " header"; next }
        NF != 5 || $3 !~ /^[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]$/ ||
        $4 !~ /^[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]$/ { bad = bad " fields@" NR; next }
        {
            lines++
            if ($1 < 1 || $1 > n || $2 != last_k[$1] + 1) bad = bad " order@" NR
            if ($3 + 0.000001 < last_t[$1]) bad = bad " sent-before-reply@" NR
            if ($4 - $3 < d - 0.000001) bad = bad " shorter-than-D@" NR
            if ($5 != size[($2 - 1) % 8 + 1]) bad = bad " bytes@" NR
            last_k[$1] = $2; last_t[$1] = $4
        }
        END {
            if (lines != n * r) bad = bad " lines=" lines
            if (bad != "") { print FILENAME ":" bad; exit 1 }
        }' "$1"
}

@test "every client's -o trace: a line per request, in order, each reply at least D after its request" {
    local folder trace
    for folder in "${TRACED[@]}"; do
        trace="$BATS_TEST_TMPDIR/$folder.tsv"
        start_server "$folder" -q -d 40
        run_client "$folder" -q -n 3 -r 5 -o "$trace" 127.0.0.1 "$PORT"
        [ "$status" -eq 0 ]
        # The summary line is the same as without -o.
        [[ "${lines[-1]}" =~ ^3\ clients,\ 15\ replies,\ 0\ errors,\ [0-9.]+\ s,\ [0-9]+\ req/s,\ p50\ [0-9.]+\ ms,\ p99\ [0-9.]+\ ms$ ]]
        check_trace "$trace" 3 5 0.040
        stop_server
    done
}

@test "an iterative server's trace is a staircase: no two requests served at once" {
    local trace="$BATS_TEST_TMPDIR/iterative.tsv"
    start_server 01-iterative -q -d 40
    run_client 01-iterative -q -n 3 -r 2 -o "$trace" 127.0.0.1 "$PORT"
    [ "$status" -eq 0 ]
    # The last D of each bar is the work; sorted by reply, no work starts
    # before the previous one ended.
    run bash -c "awk -F'\t' 'NR > 1 { print \$4 }' '$trace' | sort -n |
        awk -v d=0.040 'NR > 1 && \$1 - prev < d - 0.000001 { print \"overlap at \" \$1; bad = 1 }
                        { prev = \$1 } END { exit bad }'"
    [ "$status" -eq 0 ]
}

@test "a request that got no reply is traced with '-', and the client still fails" {
    local trace="$BATS_TEST_TMPDIR/lost.tsv"
    start_server 01-iterative -q -d 3000
    run_client 01-iterative -q -n 1 -r 2 -t 1 -o "$trace" 127.0.0.1 "$PORT"
    [ "$status" -eq 1 ]
    [[ "${lines[-1]}" == "1 clients, 0 replies, 1 errors, "* ]]
    [ "$(sed -n 2p "$trace" | cut -f 1,2,4,5)" = "$(printf '1\t1\t-\t0')" ]
    [[ "$(sed -n 2p "$trace" | cut -f 3)" =~ ^0\.[0-9]{6}$ ]] # it was sent
    [ "$(sed -n 3p "$trace")" = "$(printf '1\t2\t-\t-\t0')" ] # never sent
}

@test "-o to a file that cannot be created: an error naming it, status 1" {
    start_server 01-iterative -q -d 0
    run_client 01-iterative -q -n 1 -r 1 -o /nonexistent/dir/trace.tsv 127.0.0.1 "$PORT"
    [ "$status" -eq 1 ]
    [[ "$output" == *"client: /nonexistent/dir/trace.tsv: "* ]]
}

@test "the text drawing of a known trace is exactly the expected staircase" {
    tooling_test
    run awk -v delay_ms=100 -v expected=0.6 \
        -v title="a staircase: 3 clients served one after the other, a 4th never answered" \
        -f "$KIT_ROOT/bench/timeline.awk" "$KIT_ROOT/tests/timeline/staircase.tsv"
    [ "$status" -eq 0 ]
    diff -u "$KIT_ROOT/tests/timeline/staircase.txt" <(printf '%s\n' "$output")
}

@test "the SVG drawing of a known trace: well-formed, one bar per request sent" {
    tooling_test
    local svg="$BATS_TEST_TMPDIR/staircase.svg"
    awk -v format=svg -v delay_ms=100 -v expected=0.6 -v title="a <staircase> & more" \
        -f "$KIT_ROOT/bench/timeline.awk" "$KIT_ROOT/tests/timeline/staircase.tsv" >"$svg"
    xmllint --noout "$svg"
    # 4 clients x 2 requests, one never sent: 7 bars.
    [ "$(grep -c '<rect ' "$svg")" -eq 7 ]
    grep -q 'a &lt;staircase&gt; &amp; more' "$svg"
    grep -q 'expected 0.60 s' "$svg"
}

@test "make demo draws every model: one self-contained page, its path the last line" {
    tooling_test
    [ "$(cat "$BATS_FILE_TMPDIR/demo.status")" -eq 0 ]
    local page svgs i
    page=$(tail -n 1 "$BATS_FILE_TMPDIR/demo.out")
    [ "$page" = "$KIT_ROOT/bench-results/demo.html" ]
    xmllint --noout "$page"
    # No script and nothing fetched from elsewhere.
    run grep -Eic '<script|src=|href=|url\(|@import' "$page"
    [ "$output" = 0 ]
    svgs=$(grep -c '<svg ' "$page")
    # One per model the demo ran.
    [ "$svgs" -eq "$(demo_models)" ]
    # Every picture: 3 clients x 8 requests, one bar each.
    for ((i = 1; i <= svgs; i++)); do
        [ "$(awk -v i="$i" '/<svg / { n++ } n == i && /<rect / { r++ } END { print r + 0 }' "$page")" -eq 24 ]
    done
    grep -q '<title>01-iterative, iterative: [0-9.]* s measured, 0.72 s expected</title>' "$page"
}

@test "DEMO_TIMELINE=1 draws every model in the terminal, 60 to 80 columns wide" {
    tooling_test
    local out="$BATS_FILE_TMPDIR/demo.out"
    local models
    models=$(demo_models)
    [ "$(grep -c '^client  [123] |' "$out")" -eq $((3 * models)) ]
    run awk '/^client +[0-9]+ \|/ && (length($0) < 60 || length($0) > 80)' "$out"
    [ -z "$output" ]
    # The iterative server draws a staircase: each client's service starts
    # (its first '#') at least a few columns after the one before.
    run awk '/^01-iterative, / { on = 1; next } on && /^client/ { print index($0, "#") }
             on && /^ *\+/ { exit }' "$out"
    [ "${#lines[@]}" -eq 3 ]
    run bash -c "printf '%s\n' ${lines[*]} | sort -n | awk 'NR > 1 && \$1 - prev < 5 { bad = 1 } { prev = \$1 } END { exit bad }'"
    [ "$status" -eq 0 ]
}
