#!/usr/bin/env bats
# 05-prefork-accept: N workers forked at start, each calling accept() on the
# shared listening socket; -p gives each its own SO_REUSEPORT socket.

load prefork

setup_file() { kit_build 05-prefork-accept tests/tools/peer tests/tools/prefork_stuck_peer; }

F=05-prefork-accept

@test "bad command lines print usage and exit 2" { contract_usage_errors $F; }
@test "-h prints usage on stdout and exits 0" { contract_help $F; }
@test "a port already in use is reported, exit 1" { contract_port_in_use $F; }
@test "hola comes back as Reply is 'HOLA', server logs the client" { contract_round_trip $F; }
@test "several lines on one connection, empty lines skipped" { contract_lines_and_empty_lines $F; }
@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" { contract_binary_bytes $F; }
@test "a 1 MiB line comes back whole" { contract_one_mebibyte_line $F; }
@test "IPv4 and IPv6 clients are both served" { contract_ipv4_and_ipv6 $F; }
@test "connection refused and unknown host: client says so, exit 1" { contract_connection_refused $F; }
@test "the server closing first is an error for the client" { contract_server_closes_first $F; }
@test "a peer that resets costs only itself" { contract_peer_reset $F; }
@test "a half-closed client still gets its reply" { contract_half_close $F; }
@test "SIGTERM with a client connected: shut down, exit 0, nothing left" { contract_sigterm_cleanup $F; }
@test "SIGINT: shut down, exit 0" { contract_sigint_cleanup $F; }
@test "-q silences per-client lines" { contract_quiet $F; }
@test "stress mode prints every reply and the summary line" { contract_stress_summary $F; }
@test "stress mode against nothing: errors counted, exit 1" { contract_stress_errors $F; }
@test "stress mode gives up on a missing reply after -t seconds" { contract_stress_timeout $F; }

@test "-w 0, -w -1, -w x, -w 100000 print usage and exit 2" { prefork_bad_worker_counts $F; }
@test "-w N runs the parent plus N workers (10 by default)" { prefork_worker_count $F; }
@test "log lines name the worker process that accepted the client" { prefork_log_names_worker $F; }
@test "a worker killed with SIGKILL is reaped, logged and replaced" { prefork_killed_worker_replaced $F; }
@test "SIGKILL of the parent: every worker exits within about a second" { prefork_parent_killed $F; }
@test "Ctrl-C to the whole process group: shut down, exit 0, nothing left" { prefork_ctrl_c_to_group $F; }
@test "the parent's descriptor count is the same after 100 connections" { prefork_parent_fd_count $F; }
@test "10 clients x 8 words at 100 ms with -w 3 take about 8*D*ceil(N/W) = 3.2 s" { prefork_timing_three_workers $F; }
@test "10 clients x 8 words at 100 ms with 10 workers take about 0.8 s" { prefork_timing_default_pool $F; }
@test "6 clients and 2 workers: the extra clients wait, none is refused" { prefork_clients_wait_for_a_worker $F; }
@test "200 clients at once against 2 workers: every one is served" { prefork_many_clients_none_refused $F; }
@test "a client that never reads blocks only its own worker" { prefork_noread_client_blocks_only_its_worker $F; }
@test "SIGTERM with a worker stuck writing to a client that never reads: shut down in time" { prefork_sigterm_with_stuck_worker $F; }
@test "SIGTERM with a frozen worker: killed after the grace time, said so, shut down" { prefork_sigterm_with_frozen_worker $F; }

@test "the kernel spreads 20 connections over more than one worker" {
    start_server $F -d 0 -w 4
    run_peer many localhost "$PORT" 20
    [ "$status" -eq 0 ]
    wait_until 2 count_is 20 grep '^Client disconnected: ' "$SERVER_OUT"
    [ "$(served_by | wc -l)" -gt 1 ]
}

@test "the parent never accepts: every client is served by a worker" {
    start_server $F -d 0 -w 2
    run_peer many localhost "$PORT" 20
    [ "$status" -eq 0 ]
    wait_until 2 count_is 20 grep '^Client disconnected: ' "$SERVER_OUT"
    [ "$(grep -c "(worker $SERVER_PID)" "$SERVER_OUT")" -eq 0 ]
    [ "$(served_by | wc -l)" -ge 1 ]
    for pid in $(served_by); do worker_pids | grep -qx "$pid"; done
}

@test "-p: each worker has its own SO_REUSEPORT socket on the same port" {
    start_server $F -d 0 -w 3 -p
    wait_until 2 count_is 3 worker_pids
    # One listening socket per worker, plus the parent's copies of them all.
    [ "$(listening_sockets_on "$PORT")" -eq 3 ]
    run_client $F localhost "$PORT" <<<"hola"
    [ "$output" = "Reply is 'HOLA'" ]
}

@test "-p: the kernel spreads 40 connections over several workers" {
    start_server $F -d 0 -w 4 -p
    run_peer many localhost "$PORT" 40
    [ "$status" -eq 0 ]
    wait_until 2 count_is 40 grep '^Client disconnected: ' "$SERVER_OUT"
    [ "$(served_by | wc -l)" -gt 1 ]
}

@test "-p on a port already in use by a plain server is reported, exit 1" {
    start_server $F -d 0 -q -w 1
    run --separate-stderr timeout 5 "$KIT_ROOT/$F/server" -p "$PORT"
    [ "$status" -eq 1 ]
    # glibc says "Address already in use", musl "Address in use".
    [[ "$stderr" == "server: listen on port $PORT: Address "*"in use" ]]
}

@test "-p: a killed worker's replacement serves, SIGTERM leaves nothing" {
    start_server $F -d 0 -w 2 -p
    wait_until 2 count_is 2 worker_pids
    kill -KILL "$(worker_pids | head -n 1)"
    wait_until 2 grep -q 'killed by signal 9.*replacing it' "$SERVER_OUT"
    wait_until 2 count_is 2 worker_pids
    # Whichever socket each connection hashes to has a worker again.
    run_client $F -q -n 10 -r 2 localhost "$PORT"
    [ "$status" -eq 0 ]
    stop_server
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    wait_until 1 group_is_empty "$SERVER_PID"
}

# listening_sockets_on PORT : how many distinct listening sockets the
# kernel has on that port (ss lists each socket once, whoever holds it).
listening_sockets_on() {
    ss -Htln "sport = :$1" | wc -l
}

@test "every worker holds the one listening socket and nothing else" {
    start_server $F -d 0 -q -w 3
    wait_until 2 count_is 3 worker_pids
    local pid
    for pid in $(worker_pids); do
        [ "$(socket_inodes "$pid" | wc -l)" -eq 1 ]
        [ "$(shared_with_parent "$pid")" = "$(socket_inodes "$SERVER_PID")" ]
    done
}

@test "-p: every worker holds one listening socket, a different one each" {
    start_server $F -d 0 -q -w 3 -p
    wait_until 2 count_is 3 worker_pids
    local pid
    for pid in $(worker_pids); do
        [ "$(socket_inodes "$pid" | wc -l)" -eq 1 ]
        [ "$(shared_with_parent "$pid" | wc -l)" -eq 1 ]
        shared_with_parent "$pid"
    done >"$BATS_TEST_TMPDIR/held"
    [ "$(sort -u "$BATS_TEST_TMPDIR/held" | wc -l)" -eq 3 ]
}
