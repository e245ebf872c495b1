#!/usr/bin/env bats
# 09-epoll: one epoll loop and the worker hand-off behind it
# (CONTRACT.md §3-5); httpd's tests are in 09-epoll-httpd.bats.

load tcp_contract

setup_file() { kit_build 09-epoll tests/tools/peer tests/tools/epoll_peer; }

EPOLL_PEER="$KIT_ROOT/tests/tools/epoll_peer"

@test "bad command lines print usage and exit 2" { contract_usage_errors 09-epoll; }
@test "-h prints usage on stdout and exits 0" { contract_help 09-epoll; }
@test "a port already in use is reported, exit 1" { contract_port_in_use 09-epoll; }
@test "hola comes back as Reply is 'HOLA', server logs the client" { contract_round_trip 09-epoll; }
@test "several lines on one connection, empty lines skipped" { contract_lines_and_empty_lines 09-epoll; }
@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" { contract_binary_bytes 09-epoll; }
@test "a 1 MiB line comes back whole" { contract_one_mebibyte_line 09-epoll; }
@test "IPv4 and IPv6 clients are both served" { contract_ipv4_and_ipv6 09-epoll; }
@test "connection refused and unknown host: client says so, exit 1" { contract_connection_refused 09-epoll; }
@test "the server closing first is an error for the client" { contract_server_closes_first 09-epoll; }
@test "a peer that resets costs only itself" { contract_peer_reset 09-epoll; }
@test "a half-closed client still gets its reply" { contract_half_close 09-epoll; }
@test "SIGTERM with a client connected: shut down, exit 0, nothing left" { contract_sigterm_cleanup 09-epoll; }
@test "SIGINT: shut down, exit 0" { contract_sigint_cleanup 09-epoll; }
@test "-q silences per-client lines" { contract_quiet 09-epoll; }
@test "stress mode prints every reply and the summary line" { contract_stress_summary 09-epoll; }
@test "stress mode against nothing: errors counted, exit 1" { contract_stress_errors 09-epoll; }
@test "stress mode gives up on a missing reply after -t seconds" { contract_stress_timeout 09-epoll; }

# --- the server's own behaviour ------------------------------------------------

@test "edge-triggered (-E): hola comes back, and 4 MiB of random bytes too" {
    start_server 09-epoll -E -d 0
    run_client 09-epoll localhost "$PORT" <<<"hola"
    [ "$output" = "Reply is 'HOLA'" ]
    head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/in"
    timeout 20 "$KIT_ROOT/tests/tools/peer" halfclose localhost "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/got"
    upper_reference "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/got"
}

@test "with -w 4 a client's chunks come back whole and in order" {
    start_server 09-epoll -w 4 -d 0 -q
    head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/in"
    timeout 20 "$KIT_ROOT/tests/tools/peer" halfclose localhost "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/got"
    upper_reference "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/got"
}

@test "-w 0: 4 clients x 8 words at 50 ms take about 8*N*D = 1.6 s" {
    stress_time 09-epoll 4 50
    # The work blocks the only thread: never faster than the serial sum.
    ratio_between "$ELAPSED" 1.6 0.95 1.6
}

@test "-w 0: replies of different clients interleave (concurrent, not parallel)" {
    start_server 09-epoll -d 20 -q
    run_client 09-epoll -n 3 localhost "$PORT"
    [ "$status" -eq 0 ]
    # The iterative server gives 3 blocks (2 changes of index); a loop that
    # serves everybody in turn changes client at almost every reply.
    changes=$(reply_blocks)
    [ "$changes" -gt 6 ]
}

@test "-w 4: 8 clients x 8 words at 50 ms take about 8*D*ceil(N/W) = 0.8 s" {
    stress_time 09-epoll 8 50 -w 4
    ratio_between "$ELAPSED" 0.8 0.95 1.8
}

@test "-w 2: the loop accepts new clients while workers sleep; -w 0 cannot" {
    local workers
    for workers in 2 0; do
        start_server 09-epoll -d 1500 -w "$workers"
        timeout 10 "$KIT_ROOT/09-epoll/client" localhost "$PORT" <<<"busy" >/dev/null &
        local busy=$!
        sleep 0.3
        timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 2 &
        local holder=$!
        sleep 0.5
        # Both clients logged as connected, 0.8 s into a 1.5 s job?
        connected[workers]=$(grep -c '^Client connected' "$SERVER_OUT")
        wait "$busy" "$holder"
        stop_server
    done
    [ "${connected[2]}" -eq 2 ]
    [ "${connected[0]}" -eq 1 ]
}

@test "-w 2: a client that resets while its job is out costs only itself" {
    start_server 09-epoll -w 2 -d 300
    run_peer reset localhost "$PORT" 1000
    [ "$status" -eq 0 ]
    sleep 0.4 # the job comes back for a connection that is gone
    run_client 09-epoll localhost "$PORT" <<<"still here"
    [ "$output" = "Reply is 'STILL HERE'" ]
    run_peer halfclose localhost "$PORT" <<<"half closed"
    [ "$output" = "HALF CLOSED" ]
    kill -0 "$SERVER_PID"
}

@test "-w 4: SIGTERM with jobs in flight: shut down, exit 0, threads joined" {
    start_server 09-epoll -w 4 -d 400 -q
    thread_count_is "$SERVER_PID" 5
    timeout 10 "$KIT_ROOT/09-epoll/client" -q -n 6 localhost "$PORT" >/dev/null 2>&1 &
    local stress=$!
    sleep 0.3
    KIT_STOP_WAIT=3 stop_server TERM
    wait "$stress" || true
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    [ -z "$(group_pids "$SERVER_PID")" ]
}

@test "a client that never reads does not stall others, nor grow memory" {
    start_server 09-epoll -d 0 -q
    timeout 20 "$KIT_ROOT/tests/tools/peer" noread localhost "$PORT" 8388608 6 &
    local noread=$!
    sleep 1
    elapsed timeout 5 "$KIT_ROOT/09-epoll/client" localhost "$PORT" <<<"not stalled"
    [ "$STATUS" -eq 0 ]
    less_than "$ELAPSED" 2
    # Back-pressure: the server stopped reading from it, so it holds at most
    # a few hundred KiB of that client's replies, not 8 MiB. (Under
    # valgrind the process is valgrind itself, and under ThreadSanitizer
    # its shadow memory dwarfs the server: not checked there.)
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
    [ "${VALGRIND:-0}" = 1 ] || [ "$KIT_SANITIZER" = thread ] || less_than "$rss" 8192
    kill "$noread" 2>/dev/null || true
}

@test "10 clients that never read are dropped once their output has not moved for 5 s" {
    contract_nonreaders_dropped 09-epoll
}

@test "5,000 short connections leave the descriptor count unchanged" {
    start_server 09-epoll -d 0 -q
    before=$(fd_count "$SERVER_PID")
    run_peer many localhost "$PORT" 5000
    [ "$status" -eq 0 ]
    wait_until 5 value_is "$before" fd_count "$SERVER_PID"
}

@test "out of descriptors (EMFILE): no busy loop, served again afterwards" {
    start_server 09-epoll -d 0 -q
    # The same as starting it under `ulimit -n 64`, after its own start-up
    # raise of the soft limit (which cannot pass the hard limit).
    prlimit --pid "$SERVER_PID" --nofile=64:64
    timeout 20 "$EPOLL_PEER" hold localhost "$PORT" 100 4 >/dev/null &
    local holder=$!
    sleep 1
    cpu_before=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
    sleep 2
    cpu_after=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
    # Clock ticks (1/100 s): a spinning loop would burn about 200 here.
    [ $((cpu_after - cpu_before)) -lt 20 ]
    grep -Eq 'accept \(out of descriptors: one client closed\): (Too many open files|No file descriptors available)' "$SERVER_ERR"
    [ "$(find "/proc/$SERVER_PID/fd" -lname 'socket:*' | wc -l)" -le 64 ]
    wait "$holder"
    run_client 09-epoll localhost "$PORT" <<<"room again"
    [ "$output" = "Reply is 'ROOM AGAIN'" ]
}

@test "the client drives 2,000 connections from one thread, zero errors" {
    start_server 09-epoll -d 0 -q
    run_client 09-epoll -q -n 2000 localhost "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[-1]}" == "2000 clients, 16000 replies, 0 errors, "* ]]
}

@test "-w 50: 500 clients with one 100 ms message each take 10 waves, 1 s" {
    start_server 09-epoll -d 100 -q -w 50
    elapsed timeout 30 "$KIT_ROOT/09-epoll/client" -q -n 500 -r 1 localhost "$PORT"
    [ "$STATUS" -eq 0 ]
    ratio_between "$ELAPSED" 1.0 0.95 3
}
