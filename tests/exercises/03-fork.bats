#!/usr/bin/env bats
# Graders for the exercises of 03-fork/README.md (make check-03-fork runs
# them). The core exercise (TODO(03-fork), the reaper) is graded by
# tests/03-fork.bats; exercise 2 (SIG_IGN) is an explanation.

load ../helper

setup_file() { kit_build 03-fork; }

# wait_for_line REGEX : true once the server's stdout has a matching line
# (waits up to 3 s).
wait_for_line() {
    local i
    for ((i = 0; i < 60; i++)); do
        grep -Eq "$1" "$SERVER_OUT" && return 0
        sleep 0.05
    done
    echo "no line matching '$1' in:" >&2
    cat "$SERVER_OUT" >&2
    return 1
}

@test "exercise 3: the parent logs each child's exit status" {
    start_server 03-fork -d 0
    run_client 03-fork localhost "$PORT" <<< "hola"
    [ "$status" -eq 0 ]
    local pid
    pid=$(sed -n 's/^Client connected: .* (pid \([0-9]*\))$/\1/p' "$SERVER_OUT")
    [ -n "$pid" ]
    wait_for_line "^child $pid exited with status 0\$"
}

@test "exercise 3: a child killed by a signal is logged as such" {
    start_server 03-fork -d 0
    timeout 10 "$KIT_ROOT/03-fork/client" localhost "$PORT" < <(sleep 5) >/dev/null &
    local pid
    wait_for_line '^Client connected: '
    pid=$(sed -n 's/^Client connected: .* (pid \([0-9]*\))$/\1/p' "$SERVER_OUT")
    kill -KILL "$pid"
    wait_for_line "^child $pid killed by signal 9\$"
    stop_server
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

@test "exercise 3: -q silences the exit lines too" {
    start_server 03-fork -d 0 -q
    run_client 03-fork localhost "$PORT" <<< "hola"
    sleep 0.3
    stop_server
    run ! grep -q '^child ' "$SERVER_OUT"
}
