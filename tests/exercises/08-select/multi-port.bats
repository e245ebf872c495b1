#!/usr/bin/env bats
# Grader of the 08-select extra "multi-port": `server -p PORT2 PORT` listens
# on two ports at once, both served by the one select() loop
# (exercises/08-select/multi-port.patch is one answer).

load ../../helper

setup_file() { kit_build 08-select; }

# start_two_ports : the server on two kernel-chosen ports; sets PORT, PORT2.
start_two_ports() {
    start_server 08-select -d 0 -p 0
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(grep -c '^listening on port ' "$SERVER_OUT")" -lt 2 ] || break
        sleep 0.05
    done
    PORT2=$(sed -n 's/^listening on port //p' "$SERVER_OUT" | grep -vx "$PORT" | head -n 1)
    [ -n "$PORT2" ] || { echo "no second 'listening on port N' line:"; cat "$SERVER_OUT"; return 1; }
}

@test "-p 0 prints a second 'listening on port N' line with another port" {
    start_two_ports
    [ "$PORT2" != "$PORT" ]
}

@test "a client on each port gets its reply from the same server" {
    start_two_ports
    run_client 08-select 127.0.0.1 "$PORT" <<<"first port"
    [ "$output" = "Reply is 'FIRST PORT'" ]
    run_client 08-select 127.0.0.1 "$PORT2" <<<"second port"
    [ "$output" = "Reply is 'SECOND PORT'" ]
    [ "$(grep -c '^Client connected: ' "$SERVER_OUT")" -eq 2 ]
}

@test "clients on both ports are served at once by the one loop" {
    start_two_ports
    # A silent client holds the second port; the first port still answers.
    # shellcheck disable=SC2016 # $1 is the inner bash's argument
    timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; sleep 5' _ "$PORT2" &
    local holder=$!
    sleep 0.3
    run_client 08-select 127.0.0.1 "$PORT" <<<"not blocked"
    [ "$output" = "Reply is 'NOT BLOCKED'" ]
    # shellcheck disable=SC2016
    run timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; printf abc >&3; head -c 3 <&3' _ "$PORT2"
    [ "$output" = "ABC" ]
    kill "$holder" 2>/dev/null || true
}

@test "SIGTERM closes both ports: shut down, exit 0" {
    start_two_ports
    stop_server TERM
    [ "$STOP_STATUS" -eq 0 ]
    # shellcheck disable=SC2016 # $1 is the inner bash's argument
    run timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1' _ "$PORT2"
    [ "$status" -ne 0 ]
}

@test "-p takes a port number: -p abc and -p 70000 are usage errors" {
    run timeout 5 "$KIT_ROOT/08-select/server" -p abc 0
    [ "$status" -eq 2 ]
    run timeout 5 "$KIT_ROOT/08-select/server" -p 70000 0
    [ "$status" -eq 2 ]
}
