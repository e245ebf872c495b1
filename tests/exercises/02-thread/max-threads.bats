#!/usr/bin/env bats
# Grader of 02-thread's graded extra max-threads (02-thread/README.md,
# Exercises): server -m N keeps at most N client threads alive at once;
# the clients beyond wait in the listen queue until a thread ends.

load ../../helper

setup_file() { kit_build 02-thread tests/tools/peer tests/tools/holdmany; }

# await SECONDS COMMAND... : true once COMMAND succeeds, tried every 0.1 s
# for SECONDS (times KIT_SLOWDOWN) of wall-clock time.
await() {
    local deadline=$((SECONDS + $1 * KIT_SLOWDOWN))
    until "${@:2}"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# hold COUNT SEC : holdmany's COUNT connections to the server for SEC
# seconds, in the background (HOLDER: its PID), once all are open.
hold() {
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" "$1" "$2" >"$BATS_TEST_TMPDIR/holding" &
    HOLDER=$!
    await 5 grep -q '^holding' "$BATS_TEST_TMPDIR/holding"
}

# idle_threads : once the warm-up client's thread has ended, the server's
# thread count with no client (the main thread; ThreadSanitizer's own
# thread too, started with the first pthread_create).
idle_threads() {
    await 5 thread_count_is "$SERVER_PID" 1 >/dev/null || return 1
    thread_count "$SERVER_PID"
}

# threads_are N : the server's thread count is N.
threads_are() { [ "$(thread_count "$SERVER_PID")" -eq "$1" ]; }

@test "max-threads: -m 3 with 8 idle clients: only 3 client threads" {
    start_server 02-thread -d 0 -q -m 3
    # One client first: ThreadSanitizer starts a thread of its own with
    # the first pthread_create, which must not count as a client's.
    run_client 02-thread 127.0.0.1 "$PORT" <<<"warm up"
    local idle
    idle=$(idle_threads)
    hold 8 5
    # Three client threads start (however slowly the machine runs them),
    # and no more than three, given time to.
    await 3 threads_are $((idle + 3)) || true
    sleep 0.5
    echo "threads: $idle idle, $(thread_count "$SERVER_PID") with 8 clients"
    [ "$(thread_count "$SERVER_PID")" -eq $((idle + 3)) ]
}

@test "max-threads: -m 2: a third client waits until a thread ends, then is served" {
    start_server 02-thread -d 0 -m 2
    # Both holders are connected before the third: the listen queue is
    # first come, first served, so the third waits for their 3 s.
    hold 2 3
    elapsed timeout 10 "$KIT_ROOT/02-thread/client" 127.0.0.1 "$PORT" <<<"third"
    echo "the third client took $ELAPSED s"
    [ "$STATUS" -eq 0 ]
    at_least "$ELAPSED" 1.5
}

@test "max-threads: -m 0 (the default) sets no cap; -m -1, abc and 5000 are usage errors" {
    start_server 02-thread -d 0 -q -m 0
    run_client 02-thread 127.0.0.1 "$PORT" <<<"no cap"
    [ "$output" = "Reply is 'NO CAP'" ]
    local value
    for value in -1 abc 5000; do
        run timeout 5 "$KIT_ROOT/02-thread/server" -m "$value" 0
        [ "$status" -eq 2 ] || { echo "-m $value: status $status"; return 1; }
    done
}

@test "max-threads: SIGTERM while the acceptor waits for a slot: shut down, exit 0" {
    start_server 02-thread -d 0 -m 1
    hold 3 10
    sleep 0.2
    KIT_STOP_WAIT=3 stop_server TERM
    kill "$HOLDER" 2>/dev/null || true
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}
