#!/usr/bin/env bats
# Grader of 04-prefork-pool's graded extra queue-log (README, Exercises):
# when new clients find every worker busy, the parent logs how many
# connections wait in its queue, "queued: N" (nothing with -q).
# Solution: exercises/04-prefork-pool/queue-log.patch.

load ../../helper

setup_file() { kit_build 04-prefork-pool; }

F=04-prefork-pool

# await SECONDS COMMAND... : true once COMMAND succeeds, tried every 0.1 s
# for SECONDS of wall-clock time.
await() {
    local deadline=$((SECONDS + $1))
    until "${@:2}"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

@test "a client that finds the only worker busy is logged as queued: 1" {
    start_server $F -d 300 -w 1
    # The worker is busy for 3 x 300 ms with the first client.
    timeout 10 "$KIT_ROOT/$F/client" 127.0.0.1 "$PORT" < <(printf 'a\nb\nc\n') >/dev/null &
    local first=$!
    # The worker has the first client before the second comes.
    await 5 grep -q '^Client connected: ' "$SERVER_OUT" || { cat "$SERVER_OUT"; return 1; }
    run_client $F 127.0.0.1 "$PORT" <<<"second"
    wait "$first"
    [ "$output" = "Reply is 'SECOND'" ]
    await 3 grep -q '^queued: 1$' "$SERVER_OUT" || { cat "$SERVER_OUT"; return 1; }
}

@test "a client that finds an idle worker is not queued" {
    start_server $F -d 0 -w 2
    run_client $F 127.0.0.1 "$PORT" <<<"hola"
    [ "$output" = "Reply is 'HOLA'" ]
    await 3 grep -q '^Client disconnected: ' "$SERVER_OUT"
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
