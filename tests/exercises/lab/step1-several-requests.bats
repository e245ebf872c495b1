#!/usr/bin/env bats
# Grader of the lab's step 1 (02-thread/db/README.md): several requests on
# one connection. The client sends every line it reads and prints every
# reply; the server answers request after request until the client
# closes. Only UPPER is used (CONTRACT.md §10, step 1).

load ../../helper
load lab

setup_file() { kit_build 02-thread; }

@test "step 1: dbclient sends every line it reads and prints each reply, in order" {
    start_db -q
    db "$(printf '%s\n' 'upper uno' 'UPPER dos' 'upper tres y cuatro')"
    expect_replies "$(printf '%s\n' 'OK UNO' 'OK DOS' 'OK TRES Y CUATRO')"
}

@test "step 1: one connection, one request at a time: each gets its reply, until the client closes" {
    start_db
    local sock reply word
    exec {sock}<>"/dev/tcp/127.0.0.1/$PORT"
    for word in uno dos tres cuatro; do
        printf 'UPPER %s\n' "$word" >&"$sock"
        IFS= read -r -t "$LAB_WAIT" reply <&"$sock" || { echo "no reply to UPPER $word"; return 1; }
        [ "$reply" = "OK ${word^^}" ] || { echo "UPPER $word: '$reply'"; return 1; }
    done
    exec {sock}>&-
    # One connection, one client: the server saw it come and go once.
    eventually grep -q '^Client disconnected' "$SERVER_OUT"
    [ "$(grep -c '^Client connected' "$SERVER_OUT")" -eq 1 ]
    [ "$(grep -c '^Client disconnected' "$SERVER_OUT")" -eq 1 ]
}

@test "step 1: requests that arrive together, or in pieces, are each answered once" {
    start_db -q
    # Three requests in one write: TCP may deliver them in one read.
    printf '%s\n' 'UPPER a' 'UPPER b' 'UPPER c' >"$BATS_TEST_TMPDIR/three"
    run session "$BATS_TEST_TMPDIR/three"
    [ "$output" = "$(printf '%s\n' 'OK A' 'OK B' 'OK C')" ] || { echo "$output"; return 1; }
    # One request in three writes: a request ends at its newline only.
    local sock reply
    exec {sock}<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'UPP' >&"$sock"
    sleep 0.2
    printf 'ER in pie' >&"$sock"
    sleep 0.2
    printf 'ces\nUPPER next\n' >&"$sock"
    IFS= read -r -t "$LAB_WAIT" reply <&"$sock"
    [ "$reply" = "OK IN PIECES" ] || { echo "got '$reply'"; return 1; }
    IFS= read -r -t "$LAB_WAIT" reply <&"$sock"
    [ "$reply" = "OK NEXT" ] || { echo "got '$reply'"; return 1; }
    exec {sock}>&-
}

@test "step 1: a long conversation: 200 requests on one connection" {
    start_db -q
    local i
    for ((i = 1; i <= 200; i++)); do echo "upper request $i"; done >"$BATS_TEST_TMPDIR/many"
    run timeout "$LAB_WAIT" "$KIT_ROOT/02-thread/dbclient" 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/many"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 200 ] || { echo "${#lines[@]} replies"; return 1; }
    [ "${lines[0]}" = "OK REQUEST 1" ]
    [ "${lines[199]}" = "OK REQUEST 200" ]
}

@test "step 1: when one client has closed, the next one is served" {
    start_db -q
    db "$(printf '%s\n' 'upper first' 'upper client')"
    expect_replies "$(printf '%s\n' 'OK FIRST' 'OK CLIENT')"
    db "$(printf '%s\n' 'upper second' 'upper client')"
    expect_replies "$(printf '%s\n' 'OK SECOND' 'OK CLIENT')"
}
