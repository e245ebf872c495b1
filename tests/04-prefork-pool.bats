#!/usr/bin/env bats
# 04-prefork-pool: N workers forked at start; the parent accepts and hands
# each connection to an idle worker by descriptor passing (CONTRACT.md §3-§5).

load prefork

setup_file() { kit_build 04-prefork-pool tests/tools/peer tests/tools/prefork_stuck_peer; }

F=04-prefork-pool

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
@test "log lines name the worker process that served the client" { prefork_log_names_worker $F; }
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

@test "the parent keeps no copy of a connection it handed to a worker" {
    start_server $F -d 0 -q -w 2
    local before holder
    before=$(fd_count "$SERVER_PID")
    timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 3 &
    holder=$!
    # Wait until a worker holds the connection: one more descriptor there.
    wait_until 2 worker_has_a_client
    [ "$(fd_count "$SERVER_PID")" -eq "$before" ]
    kill "$holder"
}

@test "a client is served by a worker even when it connects before any is idle" {
    start_server $F -d 300 -q -w 1
    # The only worker is busy for 3 x 300 ms; the second client queues in
    # the parent and is handed over as soon as the worker says it is idle.
    timeout 10 "$KIT_ROOT/$F/client" localhost "$PORT" < <(printf 'a\nb\nc\n') >/dev/null &
    local first=$!
    sleep 0.1
    elapsed timeout 10 "$KIT_ROOT/$F/client" localhost "$PORT" <<<"second"
    wait "$first"
    [ "$STATUS" -eq 0 ]
    less_than 0.9 "$ELAPSED"
}

# worker_has_a_client : some worker has more descriptors than the others
# (stdin/out/err, its channel, and now the client's connection).
worker_has_a_client() {
    local counts
    counts=$(for pid in $(worker_pids); do fd_count "$pid"; done | sort -u | wc -l)
    [ "$counts" -gt 1 ]
}

@test "a worker shares no socket with the parent: no listener, no other channel" {
    start_server $F -d 0 -q -w 3
    wait_until 2 count_is 3 worker_pids
    local pid
    for pid in $(worker_pids); do
        # Its own end of its channel, nothing the parent holds.
        [ "$(socket_inodes "$pid" | wc -l)" -eq 1 ]
        [ -z "$(shared_with_parent "$pid")" ]
    done
}

@test "with its queue full the parent waits for a free worker without spinning" {
    # 200 clients, 2 workers, 1 message of 20 ms each: about 2 s during which
    # the parent's queue is full. A parent that kept polling the listener
    # would burn that whole time on the CPU; a correct one barely wakes up.
    prefork_many_clients_none_refused $F 20
    less_than "$(cpu_ticks "$SERVER_PID")" 50
}
