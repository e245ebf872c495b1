#!/usr/bin/env bats
# Grader of 03-fork's graded extra exit-status (README, Exercises): the
# parent logs how each child ended, "child PID exited with status N" or
# "child PID killed by signal N", and nothing with -q.
# Solution: exercises/03-fork/exit-status.patch.

load ../../helper

setup_file() { kit_build 03-fork tests/tools/peer; }

# wait_for_line REGEX [COUNT] : true once the server's stdout has COUNT
# (default 1) lines matching REGEX; waits up to 5 s (times KIT_SLOWDOWN)
# of wall-clock time.
wait_for_line() {
    local deadline=$((SECONDS + 5 * KIT_SLOWDOWN))
    while ((SECONDS <= deadline)); do
        (($(grep -Ec "$1" "$SERVER_OUT") >= ${2:-1})) && return 0
        sleep 0.1
    done
    echo "no ${2:-1} lines matching '$1' in:" >&2
    cat "$SERVER_OUT" >&2
    return 1
}

# child_pid : the PID in the server's "Client connected" line.
child_pid() {
    sed -n 's/^Client connected: .* (pid \([0-9]*\))$/\1/p' "$SERVER_OUT" | head -n 1
}

@test "a child that served its client is logged with exit status 0" {
    start_server 03-fork -d 0
    run_client 03-fork localhost "$PORT" <<<"hola"
    [ "$status" -eq 0 ]
    local pid
    pid=$(child_pid)
    [ -n "$pid" ]
    wait_for_line "^child $pid exited with status 0\$"
}

@test "a child killed by a signal is logged as such" {
    start_server 03-fork -d 0
    timeout 10 "$KIT_ROOT/03-fork/client" localhost "$PORT" < <(sleep 5) >/dev/null 3>&- &
    local holder=$! pid
    wait_for_line '^Client connected: '
    pid=$(child_pid)
    kill -KILL "$pid"
    wait_for_line "^child $pid killed by signal 9\$"
    kill "$holder" 2>/dev/null || true
    stop_server
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

@test "every one of 20 children is logged, once" {
    start_server 03-fork -d 0
    run timeout 10 "$KIT_ROOT/tests/tools/peer" many localhost "$PORT" 20
    [ "$status" -eq 0 ]
    wait_for_line '^child [0-9]+ exited with status 0$' 20
    [ "$(grep -c '^child [0-9]* exited with status 0$' "$SERVER_OUT")" -eq 20 ]
    [ "$(grep '^child ' "$SERVER_OUT" | sort -u | wc -l)" -eq 20 ]
}

@test "-q silences the exit lines too" {
    start_server 03-fork -d 0 -q
    run_client 03-fork localhost "$PORT" <<<"hola"
    sleep 0.3
    stop_server
    run ! grep -q '^child ' "$SERVER_OUT"
}
