#!/usr/bin/env bats
# Graders for the exercises of 08-select/README.md (make check-08-select
# runs them). The core exercise (TODO(08-select), serve_one_read) is graded
# by tests/08-select.bats.

load ../helper

setup_file() { kit_build 08-select; }

@test "exercise 2: -i 1 drops a silent client after about a second" {
    start_server 08-select -d 0 -i 1
    local start
    start=$(date +%s%N)
    # A client that connects and never sends: the server must close it
    # (cat sees end of file) long before timeout's 6 s.
    run timeout 6 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; cat <&3' _ "$PORT"
    [ "$status" -eq 0 ]
    local ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "closed after $ms ms"
    [ "$ms" -ge 900 ] && [ "$ms" -lt 4500 ]
    grep -q "idle for 1 s" "$SERVER_ERR"
}

@test "exercise 2: a client that keeps talking is not dropped" {
    start_server 08-select -d 0 -i 1
    run_client 08-select localhost "$PORT" < <(for i in 1 2 3 4 5; do echo "line $i"; sleep 0.4; done)
    [ "$status" -eq 0 ]
    [ "$(grep -c "Reply is 'LINE" <<< "$output")" -eq 5 ]
    ! grep -q "idle" "$SERVER_ERR"
}

@test "exercise 2: without -i a silent client stays connected" {
    start_server 08-select -d 0
    run timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; cat <&3' _ "$PORT"
    [ "$status" -eq 124 ] # still open when timeout gave up
}

@test "exercise 2: -i takes 0 to 3600 seconds" {
    run timeout 5 "$KIT_ROOT/08-select/server" -i -1 0
    [ "$status" -eq 2 ]
    run timeout 5 "$KIT_ROOT/08-select/server" -i 3601 0
    [ "$status" -eq 2 ]
}
