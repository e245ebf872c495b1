#!/usr/bin/env bats
# 01-iterative: one client at a time (CONTRACT.md §3-§5).

load tcp_contract

setup_file() { kit_build 01-iterative tests/tools/peer; }

@test "bad command lines print usage and exit 2" { contract_usage_errors 01-iterative; }
@test "-h prints usage on stdout and exits 0" { contract_help 01-iterative; }
@test "a port already in use is reported, exit 1" { contract_port_in_use 01-iterative; }
@test "hola comes back as Reply is 'HOLA', server logs the client" { contract_round_trip 01-iterative; }
@test "several lines on one connection, empty lines skipped" { contract_lines_and_empty_lines 01-iterative; }
@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" { contract_binary_bytes 01-iterative; }
@test "a 1 MiB line comes back whole" { contract_one_mebibyte_line 01-iterative; }
@test "IPv4 and IPv6 clients are both served" { contract_ipv4_and_ipv6 01-iterative; }
@test "connection refused and unknown host: client says so, exit 1" { contract_connection_refused 01-iterative; }
@test "the server closing first is an error for the client" { contract_server_closes_first 01-iterative; }
@test "a peer that resets costs only itself" { contract_peer_reset 01-iterative; }
@test "a half-closed client still gets its reply" { contract_half_close 01-iterative; }
@test "SIGTERM with a client connected: shut down, exit 0, nothing left" { contract_sigterm_cleanup 01-iterative; }
@test "SIGINT: shut down, exit 0" { contract_sigint_cleanup 01-iterative; }
@test "-q silences per-client lines" { contract_quiet 01-iterative; }
@test "stress mode prints every reply and the summary line" { contract_stress_summary 01-iterative; }
@test "stress mode against nothing: errors counted, exit 1" { contract_stress_errors 01-iterative; }
@test "stress mode gives up on a missing reply after -t seconds" { contract_stress_timeout 01-iterative; }

@test "a second client waits until the first one leaves" {
    start_server 01-iterative -d 20
    # The first client connects and holds the server for 1.5 s.
    timeout 10 "$KIT_ROOT/01-iterative/client" localhost "$PORT" < <(sleep 1.5; echo first) >/dev/null &
    local first=$!
    sleep 0.3
    elapsed timeout 10 "$KIT_ROOT/01-iterative/client" localhost "$PORT" <<<"second"
    wait "$first"
    [ "$STATUS" -eq 0 ]
    # Served only after the first left: at least 1.5 - 0.3 s of waiting.
    at_least "$ELAPSED" 1.1
}

@test "stress replies come client by client, never interleaved" {
    start_server 01-iterative -d 10 -q
    run_client 01-iterative -n 4 localhost "$PORT"
    [ "$status" -eq 0 ]
    # Each client's 8 replies form one block: 4 blocks, so 3 changes of index.
    changes=$(reply_blocks)
    [ "$changes" -eq 4 ]
}

@test "10 clients x 8 words at 50 ms take about 8*N*D = 4 s" {
    stress_time 01-iterative 10 50
    # Never faster than the serial sum; generous above for a loaded machine.
    ratio_between "$ELAPSED" 4.0 0.95 1.6
}
