#!/usr/bin/env bats
# Grader of 02-thread's graded extra max-threads (02-thread/README.md,
# Exercises): server -m N keeps at most N client threads alive at once;
# the clients beyond wait in the listen queue until a thread ends.

load ../../helper

setup_file() { kit_build 02-thread tests/tools/peer tests/tools/holdmany; }

@test "max-threads: -m 3 with 8 idle clients: only 3 client threads" {
    start_server 02-thread -d 0 -q -m 3
    # One client first: ThreadSanitizer starts a thread of its own with
    # the first pthread_create, which must not count as a client's.
    run_client 02-thread 127.0.0.1 "$PORT" <<<"warm up"
    sleep 0.3
    local idle
    idle=$(thread_count "$SERVER_PID")
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 8 3 >/dev/null &
    sleep 1
    echo "threads: $idle idle, $(thread_count "$SERVER_PID") with 8 clients"
    [ "$(thread_count "$SERVER_PID")" -eq $((idle + 3)) ]
}

@test "max-threads: -m 2: a third client waits until a thread ends, then is served" {
    start_server 02-thread -d 0 -m 2
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 2 2 >/dev/null &
    sleep 0.5
    elapsed timeout 10 "$KIT_ROOT/02-thread/client" 127.0.0.1 "$PORT" <<<"third"
    echo "the third client took $ELAPSED s"
    [ "$STATUS" -eq 0 ]
    at_least "$ELAPSED" 1.2
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
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 3 10 >/dev/null &
    local holder=$!
    sleep 0.5
    KIT_STOP_WAIT=3 stop_server TERM
    kill "$holder" 2>/dev/null || true
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}
