#!/usr/bin/env bats
# 07-udp-threadpool: a receiver, N worker threads, one responder
# (CONTRACT.md §3-§6).

load udp_contract

setup_file() { kit_build 07-udp-threadpool tests/tools/udppeer; }

@test "bad command lines print usage and exit 2" {
    contract_usage_errors 07-udp-threadpool
    run timeout 5 "$KIT_ROOT/07-udp-threadpool/server" -w 0 0
    [ "$status" -eq 2 ]
}
@test "-h prints usage on stdout and exits 0" { contract_help 07-udp-threadpool; }
@test "a port already in use is reported, exit 1" { contract_port_in_use 07-udp-threadpool; }
@test "hola comes back as Reply is 'HOLA', server logs New request" { udp_round_trip 07-udp-threadpool; }
@test "several lines, empty lines skipped" { contract_lines_and_empty_lines 07-udp-threadpool; }
@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" { contract_binary_bytes 07-udp-threadpool; }
@test "a 65,507-byte datagram comes back whole, an empty one gets an empty reply" { udp_largest_and_empty_datagrams 07-udp-threadpool; }
@test "a line longer than one datagram is refused, the next one still sent" { udp_line_too_long 07-udp-threadpool; }
@test "IPv4 and IPv6 clients are both served" { udp_ipv4_and_ipv6 07-udp-threadpool; }
@test "nothing listening: the loss is reported after 4 tries of -t 1" { udp_loss_reported 07-udp-threadpool; }
@test "a late reply to a retransmitted line is not taken as the next answer" { udp_late_reply_ignored 07-udp-threadpool -w 1; }
@test "-q silences per-request lines" { udp_quiet 07-udp-threadpool; }
@test "SIGTERM while working: shut down, exit 0, nothing left" { udp_stop_cleanup 07-udp-threadpool TERM; }
@test "SIGINT: shut down, exit 0" { udp_stop_cleanup 07-udp-threadpool INT; }
@test "stress mode prints every reply and the summary line" { contract_stress_summary 07-udp-threadpool; }
@test "stress mode against nothing: errors counted, exit 1" { udp_stress_errors 07-udp-threadpool; }
@test "stress mode gives up on a missing reply after 4 tries of -t" { udp_stress_timeout 07-udp-threadpool; }

@test "-w 4: the main thread, 4 workers and the responder, 6 threads" {
    start_server 07-udp-threadpool -d 0 -q -w 4
    thread_count_is "$SERVER_PID" 6
    start_server 07-udp-threadpool -d 0 -q
    thread_count_is "$SERVER_PID" 22
}

@test "parallel up to W: -w 4, 8 clients x 8 words at 50 ms take 8*D*2 = 0.8 s" {
    stress_time 07-udp-threadpool 8 50 -w 4
    timing_between "$ELAPSED" 0.8 0.95 1.6
}

@test "20 workers by default: 10 clients x 8 words at 50 ms take 8*D = 0.4 s" {
    stress_time 07-udp-threadpool 10 50
    timing_between "$ELAPSED" 0.4 0.95 2.5
}

@test "a burst beyond the queues is dropped by the kernel and counted at shutdown" {
    start_server 07-udp-threadpool -d 100 -q -w 1
    run_udppeer blast 127.0.0.1 "$PORT" 3000 1000
    [ "$status" -eq 0 ]
    sleep 0.3
    # The receiver is blocked on a full queue; SIGTERM still stops it.
    KIT_STOP_WAIT=2 stop_server TERM
    [ "$STOP_STATUS" -eq 0 ]
    local line
    line=$(grep '^Dropped datagrams: ' "$SERVER_OUT")
    [[ "$line" =~ ^Dropped\ datagrams:\ ([0-9]+)\ by\ the\ kernel\ \(socket\ buffer\ full\),\ 0\ by\ the\ server\ \(too\ long\ or\ no\ memory\),\ ([0-9]+)\ unanswered\ at\ shutdown$ ]]
    # Most of the burst was dropped; unanswered: at most the 64 in the
    # request queue and the one the receiver holds while it waits for room.
    [ "${BASH_REMATCH[1]}" -gt 1000 ]
    [ "${BASH_REMATCH[2]}" -le 65 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

@test "no drops in a quiet run: the counter line says 0" {
    start_server 07-udp-threadpool -d 0 -q
    run_client 07-udp-threadpool -q -n 4 localhost "$PORT"
    [ "$status" -eq 0 ]
    stop_server
    grep -q '^Dropped datagrams: 0 by the kernel (socket buffer full), 0 by the server (too long or no memory), 0 unanswered at shutdown$' "$SERVER_OUT"
}

@test "reflection: a source port below 1024 gets no reply, others still served" { udp_reflection_refused 07-udp-threadpool; }
@test "reflection: a datagram forged from the server's own port is not answered" { udp_self_reflection_refused 07-udp-threadpool; }
@test "reflection: a datagram forged between a 06 and a 07 server ends after a few answers" { udp_servers_ping_pong_ends 07-udp-threadpool; }
