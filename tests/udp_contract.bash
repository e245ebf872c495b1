# tests/udp_contract.bash - the contract of a UDP server and its client
# (CONTRACT.md §3-§5), for tests/06-udp.bats and tests/07-udp-threadpool.bats:
#
#   @test "hola comes back as Reply is 'HOLA'" { udp_round_trip 06-udp; }
#
# The checks that do not depend on the transport (usage errors, -h, a port
# in use, several lines, binary bytes, the stress summary) are the TCP
# contract's own functions, loaded from tcp_contract.bash.

load tcp_contract

# run_udppeer ARGS... : bats `run` of tests/tools/udppeer.
run_udppeer() {
    run timeout "$KIT_TIMEOUT" "$KIT_ROOT/tests/tools/udppeer" "$@"
}

# wait_for_line FILE REGEX : up to 2 s for a line to appear in a log.
wait_for_line() {
    local i
    for ((i = 0; i < 40; i++)); do
        grep -Eq "$2" "$1" && return 0
        sleep 0.05
    done
    return 1
}

# The chapter's transcript, and the server's log line for it.
udp_round_trip() {
    local folder=$1
    start_server "$folder" -d 20 "${@:2}"
    run_client "$folder" localhost "$PORT" <<<"hola"
    [ "$status" -eq 0 ]
    [ "$output" = "Reply is 'HOLA'" ]
    wait_for_line "$SERVER_OUT" '^New request: 1 (127\.0\.0\.1|\[::1\]):[0-9]+'
}

# The largest datagram (65,507 bytes) comes back whole and transformed; an
# empty datagram gets an empty reply.
udp_largest_and_empty_datagrams() {
    local folder=$1 dir=$BATS_TEST_TMPDIR
    start_server "$folder" -d 0 -q "${@:2}"
    head -c 65507 /dev/urandom >"$dir/big"
    timeout 10 "$KIT_ROOT/tests/tools/udppeer" send 127.0.0.1 "$PORT" <"$dir/big" >"$dir/got"
    upper_reference "$dir/big" | cmp - "$dir/got"
    timeout 10 "$KIT_ROOT/tests/tools/udppeer" send 127.0.0.1 "$PORT" </dev/null >"$dir/empty"
    [ ! -s "$dir/empty" ]
}

# A line longer than one datagram: the client says so, skips it, goes on
# with the next line and ends with status 1. The longest that fits works.
udp_line_too_long() {
    local folder=$1 dir=$BATS_TEST_TMPDIR
    start_server "$folder" -d 0 -q
    { head -c 65508 /dev/zero | tr '\0' 'a'; printf '\nok\n'; } >"$dir/in"
    run --separate-stderr timeout 10 "$KIT_ROOT/$folder/client" localhost "$PORT" <"$dir/in"
    [ "$status" -eq 1 ]
    [ "$stderr" = "client: a line of 65508 bytes does not fit in one datagram (at most 65507); skipped" ]
    [ "$output" = "Reply is 'OK'" ]
    { head -c 65507 /dev/zero | tr '\0' 'a'; echo; } >"$dir/in"
    timeout 10 "$KIT_ROOT/$folder/client" localhost "$PORT" <"$dir/in" >"$dir/got"
    [ "$(wc -c <"$dir/got")" -eq $((65507 + 12)) ]
}

# timing_between VALUE EXPECTED LOW HIGH : ratio_between, with the upper
# bound relaxed under VALGRIND=1 (valgrind runs one thread at a time).
timing_between() {
    local high=$4
    [ "${VALGRIND:-0}" = 1 ] && high=$((${high%.*} * 5 + 5))
    ratio_between "$1" "$2" "$3" "$high"
}

# IPv4 and IPv6 clients reach the dual-stack socket; the log shows both.
udp_ipv4_and_ipv6() {
    local folder=$1
    start_server "$folder" -d 0
    run_client "$folder" 127.0.0.1 "$PORT" <<<"four"
    [ "$output" = "Reply is 'FOUR'" ]
    grep -q '^New request: 1 127\.0\.0\.1:' "$SERVER_OUT"
    if ! grep -q '^0\{31\}1' /proc/net/if_inet6 2>/dev/null; then
        skip "this host has no IPv6 loopback"
    fi
    run_client "$folder" ::1 "$PORT" <<<"six"
    [ "$output" = "Reply is 'SIX'" ]
    wait_for_line "$SERVER_OUT" '^New request: 2 \[::1\]:'
}

# Nothing listens (port 1): 4 tries of -t 1 s, then the loss on stderr and
# status 1, in bounded time.
udp_loss_reported() {
    local folder=$1
    elapsed timeout 20 "$KIT_ROOT/$folder/client" -t 1 127.0.0.1 1 \
        <<<"hola" 2>"$BATS_TEST_TMPDIR/err"
    [ "$STATUS" -eq 1 ]
    [ "$(cat "$BATS_TEST_TMPDIR/err")" = "client: no reply to 'hola' after 4 tries: Connection refused" ]
    at_least "$ELAPSED" 3.9
    less_than "$ELAPSED" 6.5
}

# A slow server and -t 1: 'one' is sent twice, so a second ONE arrives
# while the client waits for TWO. It must be ignored, not printed as the
# answer to 'two'. SERVER OPTIONS make the server serve one at a time.
udp_late_reply_ignored() {
    local folder=$1
    start_server "$folder" -d 1500 "${@:2}"
    run --separate-stderr timeout 20 "$KIT_ROOT/$folder/client" -t 1 localhost "$PORT" < <(printf 'one\ntwo\n')
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [ "${lines[0]}" = "Reply is 'ONE'" ]
    [ "${lines[1]}" = "Reply is 'TWO'" ]
    # The server did see the retransmissions: 'one' twice at least.
    [ "$(grep -c '^New request: ' "$SERVER_OUT")" -ge 3 ]
}

# -q silences the per-request lines, not the listening line (the TCP
# check, plus UDP's own log line).
udp_quiet() {
    contract_quiet "$1"
    [ "$(grep -c '^New request' "$SERVER_OUT")" -eq 0 ]
}

# SIGTERM (or SIGINT) while a request is being worked on: "shut down",
# status 0, within a delay plus a second, no process of the group left.
udp_stop_cleanup() {
    local folder=$1 sig=$2
    start_server "$folder" -d 300 "${@:3}"
    timeout 10 "$KIT_ROOT/tests/tools/udppeer" send 127.0.0.1 "$PORT" <<<"busy" >/dev/null &
    local peer=$!
    wait_for_line "$SERVER_OUT" '^New request: 1 '
    KIT_STOP_WAIT=2 stop_server "$sig"
    wait "$peer" || true
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    sleep 0.2
    [ -z "$(group_pids "$SERVER_PID")" ]
}

# Stress mode against nothing: every simulated client an error, status 1.
udp_stress_errors() {
    local folder=$1
    run_client "$folder" -q -n 2 -t 1 127.0.0.1 1
    [ "$status" -eq 1 ]
    [[ "${lines[-1]}" == "2 clients, 0 replies, 2 errors, "* ]]
}

# A reply slower than -t x 4 tries: an error in bounded time, not a hang.
udp_stress_timeout() {
    local folder=$1
    start_server "$folder" -d 8000 -q
    elapsed timeout 20 "$KIT_ROOT/$folder/client" -q -n 1 -t 1 localhost "$PORT"
    [ "$STATUS" -eq 1 ]
    less_than "$ELAPSED" 6.5
}

# udp_send_from SRCPORT PORT TEXT : sends TEXT from 127.0.0.1:SRCPORT to
# 127.0.0.1:PORT and prints "reply" or "no reply" (1 s wait). SRCPORT
# "raw:N" forges the source port N with a raw socket (the kernel builds the
# IP header; UDP checksum 0, "none", is valid over IPv4), so that N may be
# a port in use, even the server's own. Root only (ports < 1024, raw).
udp_send_from() {
    timeout 10 python3 - "$@" <<'PY'
import socket, struct, sys
src, port, text = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
if src.startswith("raw:"):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    header = struct.pack("!HHHH", int(src[4:]), port, 8 + len(text), 0)
    s.sendto(header + text, ("127.0.0.1", 0))
    print("sent")
    sys.exit(0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(src)))
s.settimeout(1.0)
s.sendto(text, ("127.0.0.1", port))
try:
    s.recv(65536)
    print("reply")
except socket.timeout:
    print("no reply")
PY
}

# forged_is_refused SRCPORT PORT WHY : a datagram forged from
# 127.0.0.1:SRCPORT (raw socket, root) to PORT; the program whose log is
# SERVER_OUT logs "Refused: 127.0.0.1:SRCPORT (WHY)" within 2 s.
forged_is_refused() {
    run udp_send_from "raw:$1" "$2" "forged"
    [ "$output" = "sent" ]
    wait_for_line "$SERVER_OUT" "^Refused: 127\\.0\\.0\\.1:$1 \\($3\\)\$"
}

# udp_reflection_refused FOLDER [SERVER OPTIONS...] : a datagram from a
# privileged source port (a service such as echo or DNS, the classic
# reflection peer) gets no reply and a "Refused:" log line, and the server
# goes on serving others. Root only: binding a port below 1024 needs it.
udp_reflection_refused() {
    local folder=$1
    [ "$(id -u)" -eq 0 ] || skip "binding a source port below 1024 needs root"
    require_command python3 python3 # it binds port 1023
    start_server "$folder" -d 0 "${@:2}"
    run udp_send_from 1023 "$PORT" "reflect me"
    [ "$output" = "no reply" ]
    wait_for_line "$SERVER_OUT" '^Refused: 127\.0\.0\.1:1023 \(source port below 1024\)$'
    [ "$(grep -c '^New request' "$SERVER_OUT")" -eq 0 ]
    run udp_send_from 1024 "$PORT" "a client"
    [ "$output" = "reply" ]
    run_client "$folder" 127.0.0.1 "$PORT" <<<"still"
    [ "$output" = "Reply is 'STILL'" ]
}

# udp_self_reflection_refused FOLDER [SERVER OPTIONS...] : a datagram
# forged "from" the server's own address and port. Answered, it would come
# back to the server as a new request, be answered again, for ever: the
# server must refuse it. Root only (a raw socket forges the source).
udp_self_reflection_refused() {
    local folder=$1
    [ "$(id -u)" -eq 0 ] || skip "forging a source address needs root"
    require_command python3 python3 # it forges a source
    start_server "$folder" -d 0 "${@:2}"
    forged_is_refused "$PORT" "$PORT" "source port is the server's own"
    sleep 0.3
    [ "$(grep -c '^New request' "$SERVER_OUT")" -eq 0 ]
}

# udp_servers_ping_pong_ends FOLDER [SERVER OPTIONS...] : a datagram forged
# from a second kit server (06-udp, -d 0, on its ephemeral port) to this
# one. Each answers the other's answers; after ECHO_GUARD_LIMIT (8) rounds
# of getting its own reply back, one of them refuses the other ("source
# echoes our replies") and the exchange stops. Root only (a raw socket).
udp_servers_ping_pong_ends() {
    local folder=$1 other_out other_port
    [ "$(id -u)" -eq 0 ] || skip "forging a source address needs root"
    require_command python3 python3 # it forges a source
    start_server 06-udp -d 0
    other_out=$SERVER_OUT other_port=$PORT
    start_server "$folder" -d 0 "${@:2}"
    run udp_send_from "raw:$other_port" "$PORT" "ping"
    [ "$output" = "sent" ]
    wait_for_line "$SERVER_OUT" '^New request: 1 '
    sleep 1
    local before after
    before=$(cat "$SERVER_OUT" "$other_out" | grep -c '^New request')
    sleep 1
    after=$(cat "$SERVER_OUT" "$other_out" | grep -c '^New request')
    echo "answers: $before, then $after a second later"
    [ "$after" -eq "$before" ]
    # A few rounds each (a -P pool: a few per worker), not thousands.
    [ "$after" -le 100 ]
    cat "$SERVER_OUT" "$other_out" | grep -q '^Refused: .* (source echoes our replies)$'
}
