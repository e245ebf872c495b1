#!/usr/bin/env bats
# 08-select: one thread, one select() loop (CONTRACT.md §3-5 and §8).

load tcp_contract
load chat

setup_file() { kit_build 08-select tests/tools/peer tests/tools/holdmany; }

@test "bad command lines print usage and exit 2" { contract_usage_errors 08-select; }
@test "-h prints usage on stdout and exits 0" { contract_help 08-select; }
@test "a port already in use is reported, exit 1" { contract_port_in_use 08-select; }
@test "hola comes back as Reply is 'HOLA', server logs the client" { contract_round_trip 08-select; }
@test "several lines on one connection, empty lines skipped" { contract_lines_and_empty_lines 08-select; }
@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" { contract_binary_bytes 08-select; }
@test "a 1 MiB line comes back whole" { contract_one_mebibyte_line 08-select; }
@test "IPv4 and IPv6 clients are both served" { contract_ipv4_and_ipv6 08-select; }
@test "connection refused and unknown host: client says so, exit 1" { contract_connection_refused 08-select; }
@test "the server closing first is an error for the client" { contract_server_closes_first 08-select; }
@test "a peer that resets costs only itself" { contract_peer_reset 08-select; }
@test "a half-closed client still gets its reply" { contract_half_close 08-select; }
@test "SIGTERM with a client connected: shut down, exit 0, nothing left" { contract_sigterm_cleanup 08-select; }
@test "SIGINT: shut down, exit 0" { contract_sigint_cleanup 08-select; }
@test "-q silences per-client lines" { contract_quiet 08-select; }
@test "stress mode prints every reply and the summary line" { contract_stress_summary 08-select; }
@test "stress mode against nothing: errors counted, exit 1" { contract_stress_errors 08-select; }
@test "stress mode gives up on a missing reply after -t seconds" { contract_stress_timeout 08-select; }

# --- the select() server -----------------------------------------------------

@test "4 clients x 8 words at 50 ms take about 8*N*D = 1.6 s: no parallelism" {
    stress_time 08-select 4 50
    # The work runs inside the loop: never faster than the serial sum.
    ratio_between "$ELAPSED" 1.6 0.95 1.6
}

@test "stress replies are interleaved across clients (round robin), unlike 01" {
    start_server 08-select -d 20 -q
    run_client 08-select -n 4 localhost "$PORT"
    [ "$status" -eq 0 ]
    # 01-iterative gives 4 blocks of 8; here clients take turns, so the
    # client index changes at almost every reply (32 replies; at least
    # half of them, even on a loaded machine).
    changes=$(reply_blocks)
    [ "$changes" -ge 16 ]
}

@test "a client that never reads does not stall another" {
    start_server 08-select -d 10
    # 8 MiB sent as far as the buffers take them, never a byte read.
    timeout 30 "$KIT_ROOT/tests/tools/peer" noread localhost "$PORT" 8388608 10 &
    local hog=$!
    sleep 1
    elapsed timeout 10 "$KIT_ROOT/08-select/client" localhost "$PORT" <<<"still served"
    kill "$hog" 2>/dev/null || true
    [ "$STATUS" -eq 0 ]
    less_than "$ELAPSED" 3
    kill -0 "$SERVER_PID"
}

@test "a client that keeps sending and never reads is held back, then dropped" {
    start_server 08-select -d 0
    # bash's /dev/tcp: a blocking writer of 8 MiB that never reads. The
    # kernel buffers take ~4 MiB of replies; then the server's pending
    # output passes READ_PAUSE_BYTES, it stops reading (back-pressure) and
    # after STALL_TIMEOUT_S (5 s) without progress it drops the client.
    ( exec 5<>"/dev/tcp/127.0.0.1/$PORT"; head -c 8388608 /dev/zero >&5; sleep 20 ) &
    local hog=$!
    sleep 1
    run_client 08-select localhost "$PORT" <<<"not stalled"
    [ "$output" = "Reply is 'NOT STALLED'" ]
    wait_for "$SERVER_ERR" '^server: dropped 127\.0\.0\.1:[0-9]+: [0-9]+ bytes of replies unread for [0-9]+ s$' 12
    kill "$hog" 2>/dev/null || true
    # Memory stayed bounded: never more than READ_PAUSE_BYTES + one chunk.
    local pending
    pending=$(sed -n 's/.*: \([0-9]*\) bytes of replies unread.*/\1/p' "$SERVER_ERR")
    [ "$pending" -le $((256 * 1024 + 65536)) ]
    [ "$(grep -c '^Client disconnected: ' "$SERVER_OUT")" -eq 2 ]
    kill -0 "$SERVER_PID"
}

@test "1,100 connections: those beyond FD_SETSIZE are refused with a log line" {
    start_server 08-select -d 0 -q
    local before
    before=$(fd_count "$SERVER_PID")
    timeout 30 "$KIT_ROOT/tests/tools/holdmany" localhost "$PORT" 1100 4 >"$BATS_TEST_TMPDIR/hold" &
    local holder=$!
    wait_for "$BATS_TEST_TMPDIR/hold" '^holding 1100 connections$' 20
    wait_for "$SERVER_ERR" '^server: refused .*: descriptor [0-9]+ is beyond FD_SETSIZE \(1024\)$'
    # The table is full: one more client is refused too, not crashed on.
    run_client 08-select localhost "$PORT" <<<"full"
    [ "$status" -eq 1 ]
    kill -0 "$SERVER_PID"
    # At most FD_SETSIZE descriptors held (plus a few of valgrind's own).
    [ "$(fd_count "$SERVER_PID")" -le 1040 ]
    wait "$holder"
    # Once they leave, a normal client is served and no descriptor leaked.
    run_client 08-select localhost "$PORT" <<<"after"
    [ "$output" = "Reply is 'AFTER'" ]
    wait_until 5 value_is "$before" fd_count "$SERVER_PID"
}

@test "out of descriptors (ulimit -n 40): no busy loop, serves again later" {
    [ "${VALGRIND:-0}" = 1 ] && skip "valgrind needs descriptors of its own"
    local soft
    soft=$(ulimit -Sn)
    ulimit -Sn 40
    start_server 08-select -d 0 -q
    ulimit -Sn "$soft"
    timeout 30 "$KIT_ROOT/tests/tools/holdmany" localhost "$PORT" 80 3 >"$BATS_TEST_TMPDIR/hold" &
    local holder=$!
    wait_for "$BATS_TEST_TMPDIR/hold" '^holding 80 connections$'
    wait_for "$SERVER_ERR" 'accept \(not accepting for a moment\): (Too many open files|No file descriptors available)'
    sleep 1
    # utime + stime in clock ticks: a spinning loop would burn ~100 per s.
    local ticks
    ticks=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
    [ "$ticks" -lt 50 ]
    # Said once, not once per attempt.
    [ "$(grep -Ec 'Too many open files|No file descriptors available' "$SERVER_ERR")" -eq 1 ]
    wait "$holder"
    run_client 08-select localhost "$PORT" <<<"back"
    [ "$output" = "Reply is 'BACK'" ]
}

@test "500 short connections leave the descriptor count unchanged" {
    start_server 08-select -d 0 -q
    local before
    before=$(fd_count "$SERVER_PID")
    run_peer many localhost "$PORT" 500
    [ "$status" -eq 0 ]
    wait_until 5 value_is "$before" fd_count "$SERVER_PID"
}

# --- the select() client -----------------------------------------------------

@test "a pasted batch of 100 lines gets 100 replies, in order" {
    start_server 08-select -d 20 -q
    seq 1 100 | sed 's/^/line number /' >"$BATS_TEST_TMPDIR/in"
    # All 100 lines arrive at once; the server reads them in a few chunks,
    # so replies do not come one per line: the client splits by length.
    run_client 08-select localhost "$PORT" <"$BATS_TEST_TMPDIR/in"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 100 ]
    [ "$output" = "$(upper_reference "$BATS_TEST_TMPDIR/in" | sed "s/.*/Reply is '&'/")" ]
}

@test "at end of input the client half-closes and still gets every reply" {
    start_server 08-select -d 300
    # Input ends at once; the replies take 0.3 s each. A client that
    # closed instead of shutdown(SHUT_WR) would lose them.
    elapsed timeout 10 "$KIT_ROOT/08-select/client" localhost "$PORT" < <(printf 'first\nsecond\n')
    [ "$STATUS" -eq 0 ]
    run ! less_than "$ELAPSED" 0.3
    run_client 08-select localhost "$PORT" < <(printf 'one\ntwo')
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Reply is 'ONE'" ]
    [ "${lines[1]}" = "Reply is 'TWO'" ]
}

@test "the client notices at once that the server closed, even while stdin is quiet" {
    start_server 08-select -d 0 -q
    ( sleep 0.5; kill -TERM "$SERVER_PID" ) 3>&- &
    # Input comes only after 3 s; a client blocked reading stdin (like
    # 01's) would notice the closed server only then.
    elapsed timeout 10 "$KIT_ROOT/08-select/client" localhost "$PORT" < <(sleep 3; echo late)
    wait
    [ "$STATUS" -eq 1 ]
    less_than "$ELAPSED" 2
}

@test "-n above what select() can hold is refused with a reason, exit 2" {
    run --separate-stderr "$KIT_ROOT/08-select/client" -n 5000 localhost 1
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"FD_SETSIZE"* ]]
}

# --- the chat ----------------------------------------------------------------

@test "chat: bad command lines print usage and exit 2, --help exits 0" {
    local args
    for args in "" "--name ana" "--port 1" "--name ana --port 0" "--name server --port x" "--nam x --port 1" "--name"; do
        # shellcheck disable=SC2086
        run timeout 5 "$KIT_ROOT/08-select/chat" $args
        [ "$status" -eq 2 ] || { echo "chat $args: status $status"; return 1; }
        [[ "$output" == *usage:* ]]
    done
    run --separate-stderr "$KIT_ROOT/08-select/chat" --help
    [ "$status" -eq 0 ]
    [[ "$output" == usage:* ]]
}

@test "chat: a line from one member reaches the other with the sender's name" {
    local dir=$BATS_TEST_TMPDIR
    start_chat_pair
    echo "hello bob" >&7
    wait_for "$dir/bob.out" '^ana: hello bob$'
    printf 'hi ana\r\n' >&8
    wait_for "$dir/ana.out" '^bob: hi ana$'
    # A sender never gets its own line back.
    run ! grep -q 'hello bob' "$dir/ana.out"
    # End of input ends a member (status 0); the others are told.
    exec 8>&-
    wait_for "$dir/ana.out" '^\* bob left$'
    wait "$BOB_PID"
    exec 7>&-
    wait_for "$CHAT_OUT" '^\* ana left$'
}

@test "chat: a member killed with SIGKILL is removed and announced" {
    local dir=$BATS_TEST_TMPDIR
    start_chat_pair
    kill -KILL "$BOB_PID"
    wait_for "$dir/ana.out" '^\* bob left$'
    wait_for "$CHAT_OUT" '^Client disconnected: '
    echo "anyone?" >&7
    kill -0 "$CHAT_PID"
    exec 7>&- 8>&-
    stop_server TERM "$CHAT_PID"
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$CHAT_OUT")" = "shut down" ]
}

@test "chat: a bad name gets a notice and the connection closed" {
    start_program 08-select/chat --name server --port 0
    # bash's /dev/tcp as a raw member: a name with a tab in it.
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    run timeout 5 bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"; printf "a\tb\n" >&5; cat <&5' _ "$PORT"
    [ "$status" -eq 0 ]
    [ "$output" = "* a name is 1 to 32 bytes, no control characters" ]
    kill -0 "$SERVER_PID"
}

@test "chat: a line over 1024 bytes is dropped with a notice to its sender" {
    local dir=$BATS_TEST_TMPDIR
    start_chat_pair
    head -c 2000 /dev/zero | tr '\0' 'x' >&8
    printf '\nshort\n' >&8
    wait_for "$dir/ana.out" '^bob: short$'
    wait_for "$dir/bob.out" '^\* line too long, dropped$'
    grep -q 'dropped a line over 1024 bytes' "$CHAT_ERR"
    run ! grep -q xxxx "$dir/ana.out"
    exec 7>&- 8>&-
}

@test "chat: a member that never reads is dropped past 1 MiB, the others go on" {
    local dir=$BATS_TEST_TMPDIR
    start_chat_pair
    # "slow" joins and never reads a byte.
    ( exec 5<>"/dev/tcp/127.0.0.1/$PORT"; echo slow >&5; sleep 30 ) 3>&- 7>&- 8>&- &
    local slow=$!
    wait_for "$dir/ana.out" '^\* slow joined$'
    # ~10 MB of chat: more than the kernel buffers plus the 1 MiB cap.
    local line
    line=$(head -c 1000 /dev/zero | tr '\0' 'y')
    yes "$line" | head -n 10000 >&8
    echo "done" >&8
    wait_for "$CHAT_ERR" '^chat: dropped slow \(127\.0\.0\.1:[0-9]+\): over 1048576 bytes unread$' 20
    wait_for "$dir/ana.out" '^\* slow left$'
    wait_for "$dir/ana.out" '^bob: done$' 20
    kill "$slow" 2>/dev/null || true
    exec 7>&- 8>&-
}

@test "chat: the client reports the server going away, exit 1" {
    local dir=$BATS_TEST_TMPDIR
    start_chat_pair
    stop_server TERM "$CHAT_PID"
    local status=0
    wait "$BOB_PID" || status=$?
    exec 7>&- 8>&-
    [ "$status" -eq 1 ]
    grep -q 'closed the connection' "$dir/bob.err"
}
