#!/usr/bin/env bats
# 06-udp/relay: an impaired link for datagrams (CONTRACT.md §12). Each test
# forces its condition (a loss rate, a duplicate rate, a delay with jitter)
# and -s SEED makes the relay's choices the same on every run.

load udp_contract

setup_file() { kit_build 06-udp tests/tools/udppeer; }

# start_relay ARGS... : a server (-d 0) on port 0 and the relay in front of
# it (ARGS, then port 0, 127.0.0.1 and the server's port). Sets UPSTREAM_OUT
# (the server's log), PORT, SERVER_PID and SERVER_OUT (the relay's).
start_relay() {
    start_server 06-udp -d 0
    UPSTREAM_OUT=$SERVER_OUT
    start_program 06-udp/relay "$@" 0 127.0.0.1 "$PORT"
}

# start_sink : a UDP receiver on port 0 that writes each datagram it gets
# as one line to SINK_OUT (python3), for tests that look at the order.
start_sink() {
    require_command python3 python3
    SINK_OUT=$BATS_TEST_TMPDIR/sink.out
    setsid python3 -u -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("sink on port", s.getsockname()[1], flush=True)
while True:
    print(s.recv(65536).decode().rstrip("\n"), flush=True)
' >"$SINK_OUT" 2>&1 &
    KIT_GROUPS+=("$!")
    local i
    for ((i = 0; i < 300; i++)); do # python3 may take seconds to start
        SINK_PORT=$(sed -n 's/^sink on port //p' "$SINK_OUT")
        [ -n "$SINK_PORT" ] && return 0
        sleep 0.05
    done
    return 1
}

# totals : the relay's totals line, after SIGTERM.
totals() {
    stop_server TERM
    [ "$STOP_STATUS" -eq 0 ]
    grep '^relayed ' "$SERVER_OUT"
}

@test "bad command lines print usage and exit 2" {
    local args
    for args in "" "0" "0 127.0.0.1" "0 127.0.0.1 2000 extra" "-l 101 0 127.0.0.1 2000" \
        "-u -1 0 127.0.0.1 2000" "-D 10001 0 127.0.0.1 2000" "-j abc 0 127.0.0.1 2000" \
        "-x 0 127.0.0.1 2000" "70000 127.0.0.1 2000" "0 127.0.0.1 0" "0 127.0.0.1 12ab"; do
        # shellcheck disable=SC2086 # the arguments are split on purpose
        run timeout 5 "$KIT_ROOT/06-udp/relay" $args
        echo "args: '$args' status $status"
        [ "$status" -eq 2 ]
        [[ "$output" == *"usage: relay "* ]]
    done
}

@test "-h and --help print usage on stdout and exit 0" {
    run --separate-stderr timeout 5 "$KIT_ROOT/06-udp/relay" -h
    [ "$status" -eq 0 ]
    [[ "$output" == "usage: relay "* ]]
    run --separate-stderr timeout 5 "$KIT_ROOT/06-udp/relay" --help
    [ "$status" -eq 0 ]
    [[ "$output" == "usage: relay "* ]]
}

@test "an unknown upstream host is reported, exit 1" {
    run timeout 10 "$KIT_ROOT/06-udp/relay" 0 no-such-host.invalid 2000
    [ "$status" -eq 1 ]
    [[ "$output" == "relay: no-such-host.invalid: "* ]]
}

@test "-l 30 -s 5: the client retransmits and gets every reply of 20 lines" {
    # A line is lost when all 4 tries fail, each with probability
    # 1 - 0.7 x 0.7 = 0.51: 0.51^4 = 7 %, so over 20 lines one is often
    # lost. Seed 5 is a run where retransmission saves all 20.
    start_relay -l 30 -s 5
    seq 20 | sed 's/^/line /' >"$BATS_TEST_TMPDIR/in"
    run --separate-stderr timeout 60 "$KIT_ROOT/06-udp/client" -t 1 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in"
    [ "$status" -eq 0 ]
    [ "$output" = "$(upper_reference "$BATS_TEST_TMPDIR/in" | sed "s/.*/Reply is '&'/")" ]
    grep -q '^drop [0-9]* B client->server$' "$SERVER_OUT"
    grep -q '^drop [0-9]* B server->client$' "$SERVER_OUT"
    [[ "$(totals)" =~ ^relayed\ [0-9]+,\ dropped\ ([0-9]+), ]]
    [ "${BASH_REMATCH[1]}" -gt 0 ]
}

@test "-u 50: duplicated replies and requests, no reply printed twice" {
    start_relay -u 50 -s 1
    seq 20 | sed 's/^/dup /' >"$BATS_TEST_TMPDIR/in"
    run --separate-stderr timeout 30 "$KIT_ROOT/06-udp/client" 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in"
    [ "$status" -eq 0 ]
    [ "$output" = "$(upper_reference "$BATS_TEST_TMPDIR/in" | sed "s/.*/Reply is '&'/")" ]
    # The server did get doubled requests: more than 20.
    [ "$(grep -c '^New request' "$UPSTREAM_OUT")" -gt 20 ]
    [[ "$(totals)" =~ duplicated\ ([0-9]+), ]]
    [ "${BASH_REMATCH[1]}" -gt 0 ]
}

@test "-D 20 -j 15: 10 stress clients finish with 0 errors" {
    start_relay -q -D 20 -j 15 -s 1
    run_client 06-udp -q -n 10 127.0.0.1 "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[-1]}" == "10 clients, 80 replies, 0 errors, "* ]]
    # Every datagram was delayed (in both directions: 160 at least).
    [[ "$(totals)" =~ delayed\ ([0-9]+)$ ]]
    [ "${BASH_REMATCH[1]}" -ge 160 ]
}

@test "-D 20 -j 15: datagrams sent in order arrive out of order" {
    start_sink
    start_program 06-udp/relay -q -D 20 -j 15 -s 1 0 127.0.0.1 "$SINK_PORT"
    exec 7<>"/dev/udp/127.0.0.1/$PORT"
    local i
    for ((i = 1; i <= 30; i++)); do
        echo "$i" >&7 # back to back: well within the 30 ms of jitter
    done
    exec 7>&-
    sleep 0.3
    [ "$(grep -c '^[0-9]*$' "$SINK_OUT")" -eq 30 ]
    run sort -n -c < <(grep '^[0-9]*$' "$SINK_OUT")
    [ "$status" -ne 0 ] # sort -c: "disorder"
}

@test "-r 100: a datagram is held back until the next one overtakes it" {
    start_sink
    start_program 06-udp/relay -r 100 -s 1 0 127.0.0.1 "$SINK_PORT"
    exec 7<>"/dev/udp/127.0.0.1/$PORT"
    echo first >&7
    sleep 0.1
    echo second >&7
    exec 7>&-
    sleep 1
    [ "$(grep -v '^sink' "$SINK_OUT" | tr '\n' ' ')" = "second first " ]
    grep -q '^reorder 6 B client->server$' "$SERVER_OUT"
}

@test "a 65,507-byte datagram passes intact both ways" {
    start_relay -q -D 5
    head -c 65507 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    timeout 10 "$KIT_ROOT/tests/tools/udppeer" send 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/big" >"$BATS_TEST_TMPDIR/got"
    upper_reference "$BATS_TEST_TMPDIR/big" | cmp - "$BATS_TEST_TMPDIR/got"
    timeout 10 "$KIT_ROOT/tests/tools/udppeer" send 127.0.0.1 "$PORT" </dev/null >"$BATS_TEST_TMPDIR/empty"
    [ ! -s "$BATS_TEST_TMPDIR/empty" ]
}

@test "-l 100: the client reports each loss after its 4 tries" {
    start_relay -l 100
    run --separate-stderr timeout 30 "$KIT_ROOT/06-udp/client" -t 1 127.0.0.1 "$PORT" < <(printf 'one\ntwo\n')
    [ "$status" -eq 1 ]
    [ "$output" = "" ]
    [ "$stderr" = "client: no reply to 'one' after 4 tries
client: no reply to 'two' after 4 tries" ]
    [ "$(grep -c '^New request' "$UPSTREAM_OUT")" -eq 0 ]
    [ "$(totals)" = "relayed 0, dropped 8, duplicated 0, reordered 0, delayed 0" ]
}

# fds_above PID N : the process holds more than N descriptors.
fds_above() { [ "$(fd_count "$1")" -gt "$2" ]; }

@test "SIGTERM with a datagram still delayed: totals, shut down, exit 0" {
    start_relay -D 3000
    local before
    before=$(fd_count "$SERVER_PID")
    timeout 10 "$KIT_ROOT/tests/tools/udppeer" send 127.0.0.1 "$PORT" <<<"late" >/dev/null &
    # The datagram is in the delay queue once the relay has opened the
    # new client's socket to the server (it queues it in the same step).
    wait_until 5 fds_above "$SERVER_PID" "$before"
    elapsed stop_server TERM
    [ "$STOP_STATUS" -eq 0 ]
    less_than "$ELAPSED" 2
    [ "$(tail -n 2 "$SERVER_OUT")" = "relayed 0, dropped 0, duplicated 0, reordered 0, delayed 1
shut down" ]
}

@test "a source port below 1024 is not relayed (no reflection through the relay)" {
    [ "$(id -u)" -eq 0 ] || skip "binding a source port below 1024 needs root"
    require_command python3 python3 # it binds port 1022
    start_relay
    run udp_send_from 1022 "$PORT" "reflect me"
    [ "$output" = "no reply" ]
    wait_for_line "$SERVER_OUT" '^Refused: 127\.0\.0\.1:1022 \(source port below 1024\)$'
    [ "$(grep -c '^New request' "$UPSTREAM_OUT")" -eq 0 ]
}

@test "a datagram forged from the upstream server is not relayed (no loop through the relay)" {
    [ "$(id -u)" -eq 0 ] || skip "forging a source address needs root"
    require_command python3 python3 # it forges a source
    start_relay
    local upstream_port
    upstream_port=$(sed -n 's/^listening on port //p' "$UPSTREAM_OUT")
    forged_is_refused "$upstream_port" "$PORT" "source is the upstream server"
    sleep 0.5
    [ "$(grep -c '^New request' "$UPSTREAM_OUT")" -eq 0 ]
    [[ "$(totals)" == "relayed 0, "* ]]
}

@test "a datagram forged from one of the relay's upstream sockets is not relayed" {
    [ "$(id -u)" -eq 0 ] || skip "forging a source address needs root"
    require_command python3 python3 # it forges a source
    start_relay
    run_client 06-udp 127.0.0.1 "$PORT" <<<"open a flow"
    [ "$output" = "Reply is 'OPEN A FLOW'" ]
    # The server saw the request come from the relay's upstream socket.
    local flow_port
    flow_port=$(sed -n 's/^New request: 1 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$UPSTREAM_OUT")
    [ -n "$flow_port" ]
    forged_is_refused "$flow_port" "$PORT" "source is one of the relay's own sockets"
    sleep 0.3
    [ "$(grep -c '^New request' "$UPSTREAM_OUT")" -eq 1 ]
}

# fill_flows_then_flood PORT : 256 clients (one datagram each: the relay's
# flow table full), then 300 new source addresses sending 5 datagrams each
# (1,500 datagrams the relay cannot take), in about a second (python3).
fill_flows_then_flood() {
    timeout 30 python3 - "$1" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def client():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s
held = [client() for _ in range(256)]
for s in held:
    s.sendto(b"hold a flow", ("127.0.0.1", port))
time.sleep(0.5)
for _ in range(300):
    s = client()
    for _ in range(5):
        s.sendto(b"flood", ("127.0.0.1", port))
    s.close()
    time.sleep(0.002)
PY
}

@test "flow table full: a flood from new addresses prints a line a second at most, none with -q" {
    require_command python3 python3 # 556 client sockets
    start_relay
    fill_flows_then_flood "$PORT"
    sleep 0.3
    local lines
    lines=$(grep -c 'clients already' "$SERVER_ERR" || true)
    echo "lines: $lines"
    [ "$lines" -ge 1 ]
    [ "$lines" -le 4 ] # about a second of flood: 1 or 2, with room for a slow run
    # The datagrams it could not take are counted as dropped.
    [[ "$(totals)" =~ dropped\ ([0-9]+), ]]
    [ "${BASH_REMATCH[1]}" -ge 1000 ]
    start_relay -q
    fill_flows_then_flood "$PORT"
    sleep 0.3
    [ ! -s "$SERVER_ERR" ]
}

@test "delay queue capped: a flood of large datagrams under -D 10000 stays within 32 MiB, the rest dropped" {
    require_command python3 python3 # a paced flood the kernel does not drop
    start_relay -q -D 10000 -u 100
    # 1,000 datagrams of 60,000 B, each doubled: 120 MB to hold for 10 s.
    timeout 30 python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(1000):
    s.sendto(b"x" * 60000, ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.001)
PY
    sleep 0.3
    local rss_kb
    rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
    echo "relay RSS: $rss_kb kB"
    [ "$rss_kb" -lt $((64 * 1024)) ] # 32 MiB of data, and the relay itself
    # Copies beyond the cap: counted as dropped (at least 2,000 - 560).
    [[ "$(totals)" =~ dropped\ ([0-9]+), ]]
    [ "${BASH_REMATCH[1]}" -ge 1000 ]
}

@test "delay queue full: the drop line comes once a second at most, with the count left unsaid" {
    require_command python3 python3 # a paced flood
    start_relay -D 10000
    timeout 30 python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5000):
    s.sendto(b"x", ("127.0.0.1", int(sys.argv[1])))
    if _ % 50 == 0:
        time.sleep(0.002)
PY
    sleep 0.3
    local lines
    lines=$(grep -c '(delay queue full: ' "$SERVER_OUT" || true)
    echo "lines: $lines"
    [ "$lines" -ge 1 ]
    [ "$lines" -le 4 ]
    grep -q '^drop 1 B client->server (delay queue full: 4096 datagrams, 4096 B; and 0 more since the last such line)$' "$SERVER_OUT"
}

# start_stale_server : a UDP "server" (python3) that answers every request
# after 300 ms and, when the word came before, first sends at once a late
# copy of that earlier reply to where the earlier reply went (what a
# delaying, duplicating link can deliver). Duplicates of one request (the
# same word and source within 200 ms) are answered once. Sets STALE_PORT.
start_stale_server() {
    require_command python3 python3
    local out=$BATS_TEST_TMPDIR/stale.out
    setsid python3 -u -c '
import select, socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("stale on port", s.getsockname()[1], flush=True)
earlier, last, due = {}, {}, []
while True:
    wait = max(0.0, min(t for t, _, _ in due) - time.time()) if due else None
    if select.select([s], [], [], wait)[0]:
        word, src = s.recvfrom(65536)
        if time.time() - last.get((word, src), 0) > 0.2:
            last[(word, src)] = time.time()
            if word in earlier:
                s.sendto(word.upper(), earlier[word])
            earlier[word] = src
            due.append((time.time() + 0.3, word.upper(), src))
    for item in [d for d in due if d[0] <= time.time()]:
        due.remove(item)
        s.sendto(item[1], item[2])
' >"$out" 2>&1 &
    KIT_GROUPS+=("$!")
    local i
    for ((i = 0; i < 300; i++)); do
        STALE_PORT=$(sed -n 's/^stale on port //p' "$out")
        [ -n "$STALE_PORT" ] && return 0
        sleep 0.05
    done
    return 1
}

@test "stress -r 24 through -u 100 -D 20: a late copy of an earlier identical word is not taken as the reply" {
    start_stale_server
    start_program 06-udp/relay -q -u 100 -D 20 -s 1 0 127.0.0.1 "$STALE_PORT"
    # One simulated client: the stale server tells clients apart by address
    # only, and a second one would get the first one's late copies.
    run_client 06-udp -n 1 -r 24 127.0.0.1 "$PORT"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^- \[0\] Reply: ' <<<"$output")" -eq 24 ]
    [[ "${lines[-1]}" == "1 clients, 24 replies, 0 errors, "* ]]
    # Every real reply takes 300 ms; a stale copy arrives in about 40.
    # Words 9-24 all had one sent at once: taken, the p50 would be a
    # stale copy's (measured: 40.7 ms).
    [[ "${lines[-1]}" =~ p50\ ([0-9.]+)\ ms ]]
    echo "p50: ${BASH_REMATCH[1]} ms"
    at_least "${BASH_REMATCH[1]}" 290
}

@test "-u 100: a source gets at most 2 datagrams back per datagram it sent (no x4 toward a forged source)" {
    require_command python3 python3 # a receiver with a large buffer
    start_relay -q -u 100
    # 100 datagrams of 1,000 B from one address (a victim's, if forged);
    # counted: what the relay sends back to it.
    run timeout 30 python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE: keep all (root)
s.bind(("127.0.0.1", 0))
s.settimeout(1.0)
for _ in range(100):
    s.sendto(b"x" * 1000, ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.002)
got = 0
try:
    while True:
        s.recv(65536)
        got += 1
except socket.timeout:
    pass
print(got)
PY
    echo "datagrams back: $output"
    [ "$status" -eq 0 ]
    [ "$output" -ge 100 ] # every request answered, some twice
    [ "$output" -le 200 ]
}
