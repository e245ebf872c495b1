#!/usr/bin/env bats
# Grader of 04-prefork-pool's graded extra queue-log (README, Exercises):
# when new clients find every worker busy, the parent logs how many
# connections wait in its queue, "queued: N" (nothing with -q).
# Solution: exercises/04-prefork-pool/queue-log.patch.

load ../../helper

setup_file() { kit_build 04-prefork-pool; }

F=04-prefork-pool

# wait_for_line REGEX [COUNT] : true once the server's stdout has COUNT
# (default 1) lines matching REGEX; waits up to 3 s of wall-clock time.
wait_for_line() {
    local deadline=$((SECONDS + 3))
    while ((SECONDS <= deadline)); do
        (($(grep -Ec "$1" "$SERVER_OUT") >= ${2:-1})) && return 0
        sleep 0.1
    done
    echo "no ${2:-1} lines matching '$1' in:" >&2
    cat "$SERVER_OUT" >&2
    return 1
}

@test "a client that finds the only worker busy is logged as queued: 1" {
    start_server $F -d 300 -w 1
    # The worker is busy for 3 x 300 ms with the first client.
    timeout 10 "$KIT_ROOT/$F/client" 127.0.0.1 "$PORT" < <(printf 'a\nb\nc\n') >/dev/null &
    local first=$!
    sleep 0.1
    run_client $F 127.0.0.1 "$PORT" <<<"second"
    wait "$first"
    [ "$output" = "Reply is 'SECOND'" ]
    wait_for_line '^queued: 1$'
}

@test "a client that finds an idle worker is not queued" {
    start_server $F -d 0 -w 2
    run_client $F 127.0.0.1 "$PORT" <<<"hola"
    [ "$output" = "Reply is 'HOLA'" ]
    wait_for_line '^Client disconnected: '
    run ! grep -q '^queued' "$SERVER_OUT"
}

@test "10 clients at once against 3 workers: at most 7 wait, every one is served" {
    start_server $F -d 100 -w 3
    run_client $F -q -n 10 127.0.0.1 "$PORT"
    [ "$status" -eq 0 ]
    local most
    most=$(sed -n 's/^queued: \([0-9]*\)$/\1/p' "$SERVER_OUT" | sort -n | tail -n 1)
    [ -n "$most" ] || { cat "$SERVER_OUT"; return 1; }
    [ "$most" -ge 1 ] && [ "$most" -le 7 ]
}

@test "-q silences the queue lines too" {
    start_server $F -d 300 -q -w 1
    timeout 10 "$KIT_ROOT/$F/client" 127.0.0.1 "$PORT" < <(printf 'a\nb\n') >/dev/null &
    local first=$!
    sleep 0.1
    run_client $F 127.0.0.1 "$PORT" <<<"second"
    wait "$first"
    [ "$status" -eq 0 ]
    run ! grep -q '^queued' "$SERVER_OUT"
}
