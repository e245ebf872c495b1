#!/usr/bin/env bats
# 03-fork: a process per connection, at most -m N alive (CONTRACT.md §3-§6).

load per_client

setup_file() { kit_build 03-fork tests/tools/peer; }

@test "bad command lines print usage and exit 2" { contract_usage_errors 03-fork; }
@test "-h prints usage on stdout and exits 0" { contract_help 03-fork; }
@test "a port already in use is reported, exit 1" { contract_port_in_use 03-fork; }
@test "hola comes back as Reply is 'HOLA', server logs the client" { contract_round_trip 03-fork; }
@test "several lines on one connection, empty lines skipped" { contract_lines_and_empty_lines 03-fork; }
@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" { contract_binary_bytes 03-fork; }
@test "a 1 MiB line comes back whole" { contract_one_mebibyte_line 03-fork; }
@test "IPv4 and IPv6 clients are both served" { contract_ipv4_and_ipv6 03-fork; }
@test "connection refused and unknown host: client says so, exit 1" { contract_connection_refused 03-fork; }
@test "the server closing first is an error for the client" { contract_server_closes_first 03-fork; }
@test "a peer that resets costs only itself" { contract_peer_reset 03-fork; }
@test "a half-closed client still gets its reply" { contract_half_close 03-fork; }
@test "SIGTERM with a client connected: shut down, exit 0, nothing left" { contract_sigterm_cleanup 03-fork; }
@test "SIGINT: shut down, exit 0" { contract_sigint_cleanup 03-fork; }
@test "-q silences per-client lines" { contract_quiet 03-fork; }
@test "stress mode prints every reply and the summary line" { contract_stress_summary 03-fork; }
@test "stress mode against nothing: errors counted, exit 1" { contract_stress_errors 03-fork; }
@test "stress mode gives up on a missing reply after -t seconds" { contract_stress_timeout 03-fork; }

@test "-m bad values (0, -1, abc) print usage and exit 2" {
    local value
    for value in 0 -1 abc; do
        run timeout 5 "$KIT_ROOT/03-fork/server" -m "$value" 0
        [ "$status" -eq 2 ] || { echo "-m $value: status $status"; return 1; }
        [[ "$output" == *usage:* ]]
        [[ "$output" != *listening* ]]
    done
}

@test "log lines carry the PID of the child serving the client" {
    start_server 03-fork -d 0
    # A literal address: the log line is checked for it (localhost may be ::1).
    run_client 03-fork 127.0.0.1 "$PORT" <<<"pid"
    [ "$output" = "Reply is 'PID'" ]
    wait_for_log "$SERVER_OUT" '^Client disconnected: ' 1
    local child
    child=$(sed -n 's/^Client connected: 127\.0\.0\.1:[0-9]* (pid \([0-9]*\))$/\1/p' "$SERVER_OUT")
    [ -n "$child" ] && [ "$child" -ne "$SERVER_PID" ]
    grep -q "^Client disconnected: 127\.0\.0\.1:[0-9]* (pid $child)\$" "$SERVER_OUT"
}

@test "stress replies of different clients interleave" { replies_interleave 03-fork; }

@test "10 clients x 8 words at 100 ms take about 8*D = 0.8 s, not 8 s" {
    skip_timing_under_valgrind
    stress_time 03-fork 10 100
    ratio_between "$ELAPSED" 0.8 0.95 2.5
    less_than "$ELAPSED" 3
}

@test "-m 2: 10 clients x 8 words at 100 ms take about 8*D*ceil(10/2) = 4 s" {
    skip_timing_under_valgrind
    stress_time 03-fork 10 100 -m 2
    ratio_between "$ELAPSED" 4.0 0.95 1.6
}

@test "-m 3: never more than 3 children alive while 10 clients wait" {
    start_server 03-fork -d 0 -q -m 3
    hold_clients 10 2
    local i count max=0
    for ((i = 0; i < 15; i++)); do
        count=$(ps -o pid= --ppid "$SERVER_PID" | wc -l)
        ((count > max)) && max=$count
        sleep 0.1
    done
    [ "$max" -eq 3 ] || { echo "at most $max children seen, not 3"; return 1; }
    wait "${HOLDERS[@]}" || true
}

# child_count PID : how many children PID has, zombies included.
child_count() { ps -o pid= --ppid "$1" | wc -l; }

@test "one child per connected client, gone when the client leaves" {
    start_server 03-fork -d 0 -q
    hold_clients 5 3
    wait_until 5 count_is 5 established_to "$PORT"
    [ "$(settled_value 2 child_count "$SERVER_PID")" -eq 5 ]
    wait "${HOLDERS[@]}" || true
    wait_until 5 value_is 0 child_count "$SERVER_PID"
}

@test "no zombie after 50 connections" {
    start_server 03-fork -d 0 -q
    run_peer many localhost "$PORT" 50
    [ "$status" -eq 0 ]
    wait_until 5 value_is 0 child_count "$SERVER_PID"
    [ "$(zombie_children "$SERVER_PID")" -eq 0 ]
}

@test "100 connections leave the descriptor count unchanged" { descriptors_unchanged 03-fork; }
@test "SIGTERM with busy and idle clients: nothing left behind" { shutdown_with_clients 03-fork; }
@test "a reply being worked on at SIGTERM is still sent" { reply_finished_at_shutdown 03-fork; }

@test "-m 2: SIGTERM while the parent waits at the limit: nothing left behind" {
    shutdown_with_clients 03-fork -m 2
}

@test "SIGTERM with a client that never reads: nothing left behind" { shutdown_with_stuck_writer 03-fork; }
