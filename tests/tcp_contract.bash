# tests/tcp_contract.bash - the contract for a TCP server and its client
# (CONTRACT.md §3-5), as functions that each folder's bats file calls:
#
#   @test "a line comes back uppercased" { contract_round_trip 02-thread; }
#
# Each function takes the folder as its first argument, then (for those
# that start a server) extra server options, e.g.
#   contract_round_trip 09-epoll -E
# and fails with a message saying what a student would see go wrong.

load helper

# Bad command lines: usage on stderr, status 2, nothing started.
contract_usage_errors() {
    local folder=$1 args
    for args in "" "1 2" "abc" "70000" "-5" "-- -0" "12ab" "-d" "-d x 0" "-d -0 0" "-x 0"; do
        # shellcheck disable=SC2086 # word splitting of $args is the point
        run timeout 5 "$KIT_ROOT/$folder/server" $args
        [ "$status" -eq 2 ] || { echo "server $args: status $status, not 2"; return 1; }
        [[ "$output" == *usage:* ]] || { echo "server $args: no usage line"; return 1; }
        [[ "$output" != *listening* ]] || { echo "server $args: it started"; return 1; }
    done
    for args in "" "localhost" "localhost 0" "localhost 70000" "-n 0 localhost 1" "-n x localhost 1" "a b c"; do
        # shellcheck disable=SC2086
        run timeout 5 "$KIT_ROOT/$folder/client" $args
        [ "$status" -eq 2 ] || { echo "client $args: status $status, not 2"; return 1; }
        [[ "$output" == *usage:* ]] || { echo "client $args: no usage line"; return 1; }
    done
}

# -h and --help: the usage on stdout and status 0, for both programs.
contract_help() {
    local folder=$1 program option
    for program in server client; do
        for option in -h --help; do
            run --separate-stderr timeout 5 "$KIT_ROOT/$folder/$program" "$option"
            [ "$status" -eq 0 ] || { echo "$program $option: status $status"; return 1; }
            [[ "$output" == usage:* ]] || { echo "$program $option: no usage on stdout"; return 1; }
        done
    done
}

# A port already in use: "server: listen on port N: ...", status 1. The
# reason is libc's wording: glibc "Address already in use", musl "Address
# in use"; both say "Address" and "in use".
contract_port_in_use() {
    local folder=$1
    shift
    start_server "$folder" -q "$@"
    run --separate-stderr timeout 5 "$KIT_ROOT/$folder/server" "$PORT"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "server: listen on port $PORT: Address"*"in use" ]]
}

# The chapter's transcript: "hola" comes back as Reply is 'HOLA', and the
# server logs the client arriving and leaving.
contract_round_trip() {
    local folder=$1
    shift
    start_server "$folder" -d 20 "$@"
    run_client "$folder" localhost "$PORT" <<<"hola"
    [ "$status" -eq 0 ]
    [ "$output" = "Reply is 'HOLA'" ]
    local i
    for ((i = 0; i < 40; i++)); do
        grep -q '^Client disconnected: ' "$SERVER_OUT" && break
        sleep 0.05
    done
    grep -Eq '^Client connected: (127\.0\.0\.1|\[::1\]):[0-9]+' "$SERVER_OUT"
    grep -Eq '^Client disconnected: (127\.0\.0\.1|\[::1\]):[0-9]+' "$SERVER_OUT"
}

# Several lines on one connection, empty lines skipped (no empty reply).
contract_lines_and_empty_lines() {
    local folder=$1
    shift
    start_server "$folder" -d 10 "$@"
    run_client "$folder" 127.0.0.1 "$PORT" < <(printf 'one\n\n\ntwo words\nMiXeD 123\n')
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [ "${lines[0]}" = "Reply is 'ONE'" ]
    [ "${lines[1]}" = "Reply is 'TWO WORDS'" ]
    [ "${lines[2]}" = "Reply is 'MIXED 123'" ]
}

# Binary safety: NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z
# change. Compared byte for byte.
contract_binary_bytes() {
    local folder=$1 dir=$BATS_TEST_TMPDIR
    shift
    start_server "$folder" -d 0 -q "$@"
    printf 'a\000b\377c \303\261 z~{\n' >"$dir/in"
    printf "Reply is 'A\000B\377C \303\261 Z~{'\n" >"$dir/want"
    timeout "$KIT_TIMEOUT" "$KIT_ROOT/$folder/client" localhost "$PORT" <"$dir/in" >"$dir/got"
    cmp "$dir/want" "$dir/got"
}

# A 1 MiB line (larger than every socket buffer) comes back whole.
contract_one_mebibyte_line() {
    local folder=$1 dir=$BATS_TEST_TMPDIR
    shift
    start_server "$folder" -d 0 -q "$@"
    head -c 1048576 /dev/zero | tr '\0' 'q' >"$dir/line"
    echo >>"$dir/line"
    timeout "$KIT_TIMEOUT" "$KIT_ROOT/$folder/client" localhost "$PORT" <"$dir/line" >"$dir/got"
    [ "$(wc -c <"$dir/got")" -eq $((1048576 + 12)) ]
    [ "$(head -c 20 "$dir/got")" = "Reply is 'QQQQQQQQQQ" ]
    [ "$(tr -d "Q'\n" <"$dir/got")" = "Reply is " ]
}

# IPv4 and IPv6 clients both reach the dual-stack server.
contract_ipv4_and_ipv6() {
    local folder=$1
    shift
    start_server "$folder" -d 0 "$@"
    run_client "$folder" 127.0.0.1 "$PORT" <<<"four"
    [ "$output" = "Reply is 'FOUR'" ]
    if ! ip -6 addr show lo 2>/dev/null | grep -q '::1' && ! grep -q '^0\{31\}1' /proc/net/if_inet6 2>/dev/null; then
        skip "this host has no IPv6 loopback"
    fi
    run_client "$folder" ::1 "$PORT" <<<"six"
    [ "$output" = "Reply is 'SIX'" ]
    grep -q '^Client connected: \[::1\]:' "$SERVER_OUT"
}

# Nothing listening: "client: connect to HOST:PORT: Connection refused",
# status 1. Port 1 is privileged and below the ephemeral range, so nothing
# listens there and the client cannot connect to itself.
contract_connection_refused() {
    local folder=$1
    run --separate-stderr timeout 10 "$KIT_ROOT/$folder/client" 127.0.0.1 1 <<<"x"
    [ "$status" -eq 1 ]
    [ "$stderr" = "client: connect to 127.0.0.1:1: Connection refused" ]
    run --separate-stderr timeout 10 "$KIT_ROOT/$folder/client" no-such-host.invalid 2000 <<<"x"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "client: connect to no-such-host.invalid:2000: "* ]]
}

# The server closing first is an error for the interactive client. The
# server is stopped only once it has logged the client's arrival (a fixed
# sleep lost that race on a loaded machine: "Connection refused"). Closing
# while the client's next line is unread may send a reset instead of an
# end of file: "closed the connection" or "Connection reset by peer", both
# a message and status 1.
contract_server_closes_first() {
    local folder=$1
    shift
    start_server "$folder" -d 1000 "$@"
    # The reply would take 1 s; stop the server while the client waits.
    (
        for _ in $(seq 200); do
            grep -q '^Client connected' "$SERVER_OUT" && break
            sleep 0.05
        done
        kill -TERM "$SERVER_PID"
    ) &
    run --separate-stderr timeout 10 "$KIT_ROOT/$folder/client" localhost "$PORT" < <(echo one; sleep 2; echo two)
    wait
    [ "$status" -eq 1 ]
    [[ "$stderr" == client:* && "$stderr" != *"connect to"* ]] || { echo "stderr: $stderr"; return 1; }
}

# A peer that resets mid-request (RST) costs only itself: the server logs
# and goes on serving the next client.
contract_peer_reset() {
    local folder=$1
    shift
    start_server "$folder" -d 100 "$@"
    run_peer reset localhost "$PORT" 1000
    [ "$status" -eq 0 ]
    run_client "$folder" localhost "$PORT" <<<"still here"
    [ "$status" -eq 0 ]
    [ "$output" = "Reply is 'STILL HERE'" ]
    kill -0 "$SERVER_PID"
}

# A client that half-closes (shutdown SHUT_WR) still gets every reply.
contract_half_close() {
    local folder=$1
    shift
    start_server "$folder" -d 10 -q "$@"
    run_peer halfclose localhost "$PORT" <<<"half closed"
    [ "$status" -eq 0 ]
    [ "$output" = "HALF CLOSED" ]
}

# SIGTERM with a client connected: "shut down", status 0, within one delay
# plus a second, and no process of the server's group left behind.
contract_sigterm_cleanup() {
    local folder=$1
    shift
    start_server "$folder" -d 200 "$@"
    timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 5 &
    local holder=$!
    sleep 0.3
    KIT_STOP_WAIT=3 stop_server TERM
    kill "$holder" 2>/dev/null || true
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    sleep 0.2
    [ -z "$(group_pids "$SERVER_PID")" ]
}

# SIGINT behaves like SIGTERM.
contract_sigint_cleanup() {
    local folder=$1
    shift
    start_server "$folder" -d 0 -q "$@"
    stop_server INT
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

# -q silences per-client lines but keeps the listening line.
contract_quiet() {
    local folder=$1
    shift
    start_server "$folder" -d 0 -q "$@"
    run_client "$folder" localhost "$PORT" <<<"shh"
    [ "$output" = "Reply is 'SHH'" ]
    stop_server
    [ "$(head -n 1 "$SERVER_OUT")" = "listening on port $PORT" ]
    [ "$(grep -c '^Client' "$SERVER_OUT")" -eq 0 ]
}

# Stress mode: every reply line, then the exact summary line, status 0.
contract_stress_summary() {
    local folder=$1
    shift
    start_server "$folder" -d 0 -q "$@"
    run_client "$folder" -n 3 -r 5 localhost "$PORT"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | grep -c '^- \[[0-2]\] Reply: [A-Z]*$')" -eq 15 ]
    [[ "${lines[-1]}" =~ ^3\ clients,\ 15\ replies,\ 0\ errors,\ [0-9]+\.[0-9]{2}\ s,\ [0-9]+\ req/s,\ p50\ [0-9.]+\ ms,\ p99\ [0-9.]+\ ms$ ]]
    # The 8 words, in order, for every client.
    [ "$(printf '%s\n' "$output" | grep '^- \[1\]' | cut -d' ' -f4 | tr '\n' ' ')" = "TWENTY TINY TIGERS TAKE TWO " ]
    run_client "$folder" -q -n 2 localhost "$PORT"
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" == "2 clients, 16 replies, 0 errors, "* ]]
}

# Stress mode against nothing: every client is an error, status 1.
contract_stress_errors() {
    local folder=$1
    run_client "$folder" -q -n 2 127.0.0.1 1
    [ "$status" -eq 1 ]
    [[ "${lines[-1]}" == "2 clients, 0 replies, 2 errors, "* ]]
}

# A reply that never comes is an error after -t seconds, not a hang.
contract_stress_timeout() {
    local folder=$1
    shift
    start_server "$folder" -d 5000 -q "$@"
    elapsed timeout 20 "$KIT_ROOT/$folder/client" -q -n 1 -t 1 localhost "$PORT"
    [ "$STATUS" -eq 1 ]
    less_than "$ELAPSED" 4
}

# contract_nonreaders_dropped FOLDER : for the event loops that bound a
# client's unsent replies with a stall timeout (09, 11): 10 clients that
# send 8 MiB each and never read are each dropped with
# "server: dropped HOST:PORT: N bytes of replies unread for 5 s", their
# descriptors freed, and the server still serves.
contract_nonreaders_dropped() {
    local folder=$1 i before fds deadline
    start_server "$folder" -d 0 -q
    before=$(fd_count "$SERVER_PID")
    # Each is a blocking writer of 8 MiB (bash's /dev/tcp) that never
    # reads: the kernel's buffers fill, the server stops reading from it
    # (back-pressure), and after STALL_TIMEOUT_S without progress it drops
    # the client.
    for ((i = 0; i < 10; i++)); do
        # shellcheck disable=SC2016 # $1 belongs to the inner shell
        setsid bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"; head -c 8388608 /dev/zero >&5; sleep 30' _ "$PORT" 2>/dev/null &
        KIT_GROUPS+=("$!")
    done
    deadline=$((SECONDS + 15))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ "$(grep -c 'bytes of replies unread for 5 s$' "$SERVER_ERR")" -lt 10 ] || break
        sleep 0.1
    done
    sleep 0.2 # a cancelled request completes before its descriptor closes
    fds=$(fd_count "$SERVER_PID")
    echo "$(grep -c 'unread for 5 s$' "$SERVER_ERR") of 10 dropped; $fds descriptors ($before before)"
    [ "$(grep -c '^server: dropped 127\.0\.0\.1:[0-9]*: [0-9]* bytes of replies unread for 5 s$' "$SERVER_ERR")" -eq 10 ]
    [ "$fds" -eq "$before" ]
    run_client "$folder" 127.0.0.1 "$PORT" <<<"after the hogs"
    [ "$output" = "Reply is 'AFTER THE HOGS'" ]
}

# reply_blocks : in a stress run's $output, how many runs of consecutive
# replies come from the same simulated client. A serial server gives one
# block per client; a server that lets clients take turns gives about one
# per reply.
reply_blocks() {
    printf '%s\n' "$output" | grep '^- \[' | cut -d']' -f1 | uniq | wc -l
}

# stress_time FOLDER N D [SERVER OPTIONS...] : runs N simulated clients x 8
# words against FOLDER's server at delay D ms; sets ELAPSED; fails on errors.
stress_time() {
    local folder=$1 n=$2 d=$3
    start_server "$folder" -d "$d" -q "${@:4}"
    elapsed timeout 60 "$KIT_ROOT/$folder/client" -q -n "$n" localhost "$PORT"
    [ "$STATUS" -eq 0 ] || { echo "stress client failed"; return 1; }
}
