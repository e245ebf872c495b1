#!/usr/bin/env bats
# 02-thread: a thread per connection, or -w N prethreaded workers fed by a
# bounded queue (CONTRACT.md §3-§6).

load per_client

setup_file() { kit_build 02-thread tests/tools/peer; }

@test "bad command lines print usage and exit 2" { contract_usage_errors 02-thread; }
@test "-h prints usage on stdout and exits 0" { contract_help 02-thread; }
@test "a port already in use is reported, exit 1" { contract_port_in_use 02-thread; }
@test "hola comes back as Reply is 'HOLA', server logs the client" { contract_round_trip 02-thread; }
@test "several lines on one connection, empty lines skipped" { contract_lines_and_empty_lines 02-thread; }
@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" { contract_binary_bytes 02-thread; }
@test "a 1 MiB line comes back whole" { contract_one_mebibyte_line 02-thread; }
@test "IPv4 and IPv6 clients are both served" { contract_ipv4_and_ipv6 02-thread; }
@test "connection refused and unknown host: client says so, exit 1" { contract_connection_refused 02-thread; }
@test "the server closing first is an error for the client" { contract_server_closes_first 02-thread; }
@test "a peer that resets costs only itself" { contract_peer_reset 02-thread; }
@test "a half-closed client still gets its reply" { contract_half_close 02-thread; }
@test "SIGTERM with a client connected: shut down, exit 0, nothing left" { contract_sigterm_cleanup 02-thread; }
@test "SIGINT: shut down, exit 0" { contract_sigint_cleanup 02-thread; }
@test "-q silences per-client lines" { contract_quiet 02-thread; }
@test "stress mode prints every reply and the summary line" { contract_stress_summary 02-thread; }
@test "stress mode against nothing: errors counted, exit 1" { contract_stress_errors 02-thread; }
@test "stress mode gives up on a missing reply after -t seconds" { contract_stress_timeout 02-thread; }

@test "-w N: the same contract holds for the prethreaded server" {
    start_server 02-thread -d 0 -w 2
    run_client 02-thread 127.0.0.1 "$PORT" < <(printf 'one\n\ntwo words\n')
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Reply is 'ONE'" ]
    [ "${lines[1]}" = "Reply is 'TWO WORDS'" ]
    wait_for_log "$SERVER_OUT" '^Client disconnected: ' 1
    grep -Eq '^Client connected: 127\.0\.0\.1:[0-9]+ \(worker [12]\)$' "$SERVER_OUT"
    grep -Eq '^Client disconnected: 127\.0\.0\.1:[0-9]+ \(worker [12]\)$' "$SERVER_OUT"
}

@test "-w bad values (-1, abc, 5000) print usage and exit 2" {
    local value
    for value in -1 abc 5000; do
        run timeout 5 "$KIT_ROOT/02-thread/server" -w "$value" 0
        [ "$status" -eq 2 ] || { echo "-w $value: status $status"; return 1; }
        [[ "$output" == *usage:* ]]
    done
}

@test "stress replies of different clients interleave" { replies_interleave 02-thread; }
@test "-w 3: stress replies of different clients interleave" { replies_interleave 02-thread -w 3; }

@test "10 clients x 8 words at 100 ms take about 8*D = 0.8 s, not 8 s" {
    skip_timing_under_valgrind
    stress_time 02-thread 10 100
    ratio_between "$ELAPSED" 0.8 0.95 2.5
    less_than "$ELAPSED" 3
}

@test "-w 3: 10 clients x 8 words at 100 ms take about 8*D*ceil(10/3) = 3.2 s" {
    skip_timing_under_valgrind
    stress_time 02-thread 10 100 -w 3
    ratio_between "$ELAPSED" 3.2 0.95 1.6
}

@test "one thread per connected client; -w 3 keeps its thread count fixed" {
    start_server 02-thread -d 0 -q
    # One client first: ThreadSanitizer starts a thread of its own with
    # the first pthread_create, which must not count as a client's.
    run_client 02-thread localhost "$PORT" <<<"warm up"
    # The warm-up client's thread ends on its own time: the count it stops at.
    local idle
    idle=$(settled_value 5 thread_count "$SERVER_PID")
    hold_clients 10 3
    # All ten connected (the kernel's side: accepted or queued), then the
    # count the server's threads stop at.
    wait_until 5 count_is 10 established_to "$PORT"
    [ "$(settled_value 5 thread_count "$SERVER_PID")" -eq $((idle + 10)) ]
    kill "${HOLDERS[@]}"
    start_server 02-thread -d 0 -q -w 3
    run_client 02-thread localhost "$PORT" <<<"warm up"
    idle=$(settled_value 5 thread_count "$SERVER_PID")
    hold_clients 10 3
    wait_until 5 count_is 10 established_to "$PORT"
    [ "$(settled_value 5 thread_count "$SERVER_PID")" -eq "$idle" ]
    kill "${HOLDERS[@]}"
}

@test "-w 3: a fourth client waits until a worker is free" {
    start_server 02-thread -d 0 -w 3
    hold_clients 3 2
    sleep 0.5
    elapsed timeout 10 "$KIT_ROOT/02-thread/client" localhost "$PORT" <<<"fourth"
    [ "$STATUS" -eq 0 ]
    # The holders leave after 2 s; the fourth was queued until then.
    at_least "$ELAPSED" 1.2
}

@test "100 connections leave the descriptor count unchanged" { descriptors_unchanged 02-thread; }
@test "-w 3: 100 connections leave the descriptor count unchanged" { descriptors_unchanged 02-thread -w 3; }

@test "300 concurrent clients, zero errors" {
    start_server 02-thread -d 10 -q
    run_client 02-thread -q -n 300 localhost "$PORT"
    [ "$status" -eq 0 ]
    [ "$(summary_field errors)" -eq 0 ]
    [ "$(summary_field replies)" -eq 2400 ]
}

@test "SIGTERM with busy and idle clients: nothing left behind" { shutdown_with_clients 02-thread; }
@test "-w 3: SIGTERM with busy and idle clients: nothing left behind" { shutdown_with_clients 02-thread -w 3; }
@test "-w 3: a reply being worked on at SIGTERM is still sent" { reply_finished_at_shutdown 02-thread -w 3; }

@test "a failed pthread_create drops that client with a log line, the server goes on" {
    # The stack of a new thread is an mmap; a small address-space limit
    # (RLIMIT_AS) makes it fail, and pthread_create returns EAGAIN. The
    # sanitizers and valgrind reserve terabytes of address space up front.
    if [ "${VALGRIND:-0}" = 1 ] || grep -q fsanitize "$KIT_ROOT/.build/flags"; then
        skip "needs an address-space limit, impossible under sanitizers/valgrind"
    fi
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_server 02-thread -d 0
    # Room for the server as it is now, plus about 4 thread stacks. The
    # limit is set on the running server alone (prlimit), not on this shell.
    local limit=$(( ($(awk '/^VmSize:/ { print $2 }' "/proc/$SERVER_PID/status") + 1200) * 1024 ))
    prlimit --pid "$SERVER_PID" --as="$limit:"
    hold_clients 12 2
    wait_for_log "$SERVER_ERR" 'no thread for ' 1
    # Either family: hold_clients connects to localhost (::1 first on a
    # stock Debian); EAGAIN's text differs between C libraries.
    grep -Eq '^server: no thread for (127\.0\.0\.1|\[::1\]):[0-9]+: ' "$SERVER_ERR"
    wait "${HOLDERS[@]}" || true
    sleep 0.3
    run_client 02-thread localhost "$PORT" <<<"still alive"
    [ "$output" = "Reply is 'STILL ALIVE'" ]
}

@test "-w 3: SIGTERM with a client that never reads: nothing left behind" {
    shutdown_with_stuck_writer 02-thread -w 3
}
@test "SIGTERM with a client that never reads: nothing left behind" { shutdown_with_stuck_writer 02-thread; }
