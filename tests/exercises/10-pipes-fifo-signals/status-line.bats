#!/usr/bin/env bats
# Grader of the graded extra "status-line" of 10-pipes-fifo-signals/README.md
# (Exercises): kill -USR1 makes the FIFO server print
# "status: N requests served" from its loop, and go on serving.

load ../../helper

setup_file() { kit_build 10-pipes-fifo-signals; }

DIR=10-pipes-fifo-signals

# start_fifo_server [OPTIONS...] : the FIFO server on $FIFO, once it has
# printed "listening on FIFO ...". Sets SERVER_PID, SERVER_OUT, SERVER_ERR.
start_fifo_server() {
    FIFO=$BATS_TEST_TMPDIR/up.fifo
    SERVER_OUT=$BATS_TEST_TMPDIR/server.out
    SERVER_ERR=$BATS_TEST_TMPDIR/server.err
    setsid "$KIT_ROOT/$DIR/server" "$@" "$FIFO" >"$SERVER_OUT" 2>"$SERVER_ERR" </dev/null &
    SERVER_PID=$!
    KIT_GROUPS+=("$SERVER_PID")
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(head -n 1 "$SERVER_OUT")" = "listening on FIFO $FIFO" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

# status_line : sends SIGUSR1 and prints the status line it brings (waits
# up to 2 s for it). Fails when the server died of the signal or no line
# came.
status_line() {
    local before i
    before=$(grep -c '^status:' "$SERVER_OUT" || true)
    kill -USR1 "$SERVER_PID"
    for ((i = 0; i < 40; i++)); do
        if [ "$(grep -c '^status:' "$SERVER_OUT" || true)" -gt "$before" ]; then
            grep '^status:' "$SERVER_OUT" | tail -n 1
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

@test "status-line: SIGUSR1 prints a status line and the server goes on" {
    start_fifo_server -d 0 -q
    [ "$(status_line)" = "status: 0 requests served" ]
    run_program "$DIR/client" "$FIFO" < <(printf 'one\ntwo\n')
    [ "$status" -eq 0 ]
    [ "$(status_line)" = "status: 2 requests served" ]
    # Still serving, and still stopping cleanly.
    run_program "$DIR/client" "$FIFO" <<<"three"
    [ "$status" -eq 0 ]
    [[ "$output" == *THREE* ]]
    stop_server
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

@test "status-line: SIGUSR1 during a request waits until it is done" {
    start_fifo_server -d 600
    local client start i
    timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" <<<"slow" >/dev/null &
    client=$!
    # The request is being worked on: its "New request" line comes first.
    for ((i = 0; i < 100; i++)); do
        grep -q '^New request: 1 ' "$SERVER_OUT" && break
        sleep 0.02
    done
    grep -q '^New request: 1 ' "$SERVER_OUT" || { cat "$SERVER_OUT"; return 1; }
    start=$(date +%s%N)
    # The signal stays blocked during the work: the line comes after it,
    # and counts the request (a handler that printed at once could not).
    [ "$(status_line)" = "status: 1 requests served" ]
    [ $(( ($(date +%s%N) - start) / 1000000 )) -ge 250 ]
    wait "$client"
}
