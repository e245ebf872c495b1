#!/usr/bin/env bats
# Grader of the lab's step 3 (02-thread/db/README.md): a thread per
# client. The main thread accepts; every client is served by a thread of
# its own, so clients are served at the same time (CONTRACT.md §10,
# step 3). Only UPPER is used, with -d MS of simulated work per request.

load ../../helper
load lab

setup_file() { kit_build 02-thread tests/tools/peer; }

# threads_are N : the server runs N threads.
threads_are() { [ "$(thread_count "$SERVER_PID")" -eq "$1" ]; }

@test "step 3: a client that stays connected does not keep the next one waiting" {
    start_db -q
    local sock reply
    # The first client is served once, then stays connected and silent:
    # a server that serves one client at a time is now busy with it.
    exec {sock}<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'UPPER first\n' >&"$sock"
    IFS= read -r -t "$LAB_WAIT" reply <&"$sock"
    [ "$reply" = "OK FIRST" ]
    # A thread-per-client server answers at once; one that serves one
    # client at a time never does while the first stays (5 s: generous).
    LAB_WAIT=$((5 * KIT_SLOWDOWN)) db "upper second"
    expect_replies "OK SECOND"
    # The first one is still being served, too.
    printf 'UPPER again\n' >&"$sock"
    IFS= read -r -t "$LAB_WAIT" reply <&"$sock"
    [ "$reply" = "OK AGAIN" ]
    exec {sock}>&-
}

@test "step 3: six clients with 400 ms of work per request finish together, not one after another" {
    start_db -q -d 400
    local dir=$BATS_TEST_TMPDIR i files=() alone
    for ((i = 1; i <= 6; i++)); do
        printf 'UPPER client %s\nUPPER bye %s\n' "$i" "$i" >"$dir/c$i"
        files+=("$dir/c$i")
    done
    # The yardstick, measured here and now: one client alone (2 x 400 ms).
    together "$dir/c1"
    alone=$ELAPSED
    together "${files[@]}"
    echo "one client: $alone s; six at once: $ELAPSED s (one after another: about 6 x $alone)"
    for ((i = 1; i <= 6; i++)); do
        [ "$(cat "$dir/c$i.replies")" = "$(printf 'OK CLIENT %s\nOK BYE %s' "$i" "$i")" ] ||
            { echo "client $i got:"; cat "$dir/c$i.replies"; return 1; }
    done
    less_than "$ELAPSED" "$(awk -v a="$alone" 'BEGIN { print 3 * a }')"
}

@test "step 3: each connected client has a thread of its own, which ends when it leaves" {
    start_db -q
    local i holders=() base
    # One client first: ThreadSanitizer starts a thread of its own with
    # the first client thread, which must not count as a client's.
    db "upper warm up"
    expect_replies "OK WARM UP"
    sleep 0.3
    base=$(thread_count "$SERVER_PID")
    for ((i = 0; i < 5; i++)); do
        timeout $((3 * KIT_SLOWDOWN)) "$KIT_ROOT/tests/tools/peer" hold 127.0.0.1 "$PORT" $((2 * KIT_SLOWDOWN)) &
        holders+=($!)
    done
    eventually threads_are $((base + 5)) ||
        { echo "$(thread_count "$SERVER_PID") threads with 5 clients, $base without"; return 1; }
    wait "${holders[@]}"
    eventually threads_are "$base" ||
        { echo "$(thread_count "$SERVER_PID") threads once the 5 clients left, $base before"; return 1; }
}
