#!/usr/bin/env bats
# 09-epoll/httpd: the epoll loop speaking HTTP/1.1 (CONTRACT.md §8):
# keep-alive, pipelining, bodies by length or in chunks, 100 Continue, and
# the defences of a server on the open Internet: strict parsing, deadlines
# for silent, slow and non-reading clients, no spinning out of descriptors.
# shellcheck disable=SC2030,SC2031 # http_expect reads the `lines` that
# `run` (in http_raw) set in the same test's shell: not lost in a subshell.

load helper

setup_file() { kit_build 09-epoll tests/tools/peer tests/tools/epoll_peer tests/tools/holdmany; }

EPOLL_PEER="$KIT_ROOT/tests/tools/epoll_peer"
HTTPD="$KIT_ROOT/09-epoll/httpd"

# http_raw TEXT [SEC] : sends TEXT (printf format) to httpd in one write;
# the replies are in $output, "closed"/"open" (did httpd close within SEC
# seconds of silence?) in $stderr.
http_raw() {
    run --separate-stderr bash -c "printf '$1' | timeout 10 '$EPOLL_PEER' raw 127.0.0.1 $PORT ${2:-1}"
}

# http_expect TEXT STATUS_LINE closed|open [SEC] : one exchange, checked.
http_expect() {
    http_raw "$1" "${4:-1}"
    [[ "${lines[0]}" == "$2"* ]] || { echo "got '${lines[0]}', wanted '$2'"; return 1; }
    [ "$stderr" = "$3" ] || { echo "connection $stderr, wanted $3"; return 1; }
}

# count_in_output PATTERN : lines of $output that start with PATTERN.
count_in_output() { printf '%s\n' "$output" | grep -c "^$1" || true; }

# wait_for_line FILE PATTERN SEC : true once FILE has a line matching
# PATTERN (grep -E), false after SEC seconds of wall-clock time (a count
# of short sleeps would stretch on a loaded machine).
wait_for_line() {
    local deadline=$((${EPOCHREALTIME/./} + $3 * 1000000))
    while ((${EPOCHREALTIME/./} < deadline)); do
        grep -qE "$2" "$1" && return 0
        sleep 0.05
    done
    echo "no line /$2/ in $1 after $3 s:"
    cat "$1"
    return 1
}

CLOSE='Host: x\r\nConnection: close\r\n\r\n'

# --- the command line --------------------------------------------------------

@test "httpd: bad command lines exit 2, -h and --help exit 0" {
    for args in "" "1 2" "abc" "70000" "-d 5 0" "-x 0" "-H 0 0" "-H 3601 0" "-k abc 0" "-k" "--help 0"; do
        # shellcheck disable=SC2086
        run timeout 5 "$HTTPD" $args
        [ "$status" -eq 2 ] || { echo "httpd $args: status $status"; return 1; }
        [[ "$output" == usage:* ]]
    done
    for args in -h --help; do
        run --separate-stderr timeout 5 "$HTTPD" "$args"
        [ "$status" -eq 0 ] || { echo "httpd $args: status $status"; return 1; }
        [[ "$output" == "usage: httpd [-q] [-H SEC] [-k SEC] PORT" ]]
    done
}

# --- the protocol --------------------------------------------------------------

@test "httpd: 200 OK, text/plain, a Content-Length that matches the body" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_program 09-epoll/httpd -q 0
    run curl -s -D "$BATS_TEST_TMPDIR/head" -o "$BATS_TEST_TMPDIR/body" "http://127.0.0.1:$PORT/any/path?x=1"
    [ "$status" -eq 0 ]
    head -n 1 "$BATS_TEST_TMPDIR/head" | grep -q '^HTTP/1.1 200 OK'
    grep -qi '^Content-Type: text/plain' "$BATS_TEST_TMPDIR/head"
    length=$(tr -d '\r' <"$BATS_TEST_TMPDIR/head" | awk -F': ' 'tolower($1) == "content-length" { print $2 }')
    [ "$length" -eq "$(wc -c <"$BATS_TEST_TMPDIR/body")" ]
    [ "$(wc -l <"$BATS_TEST_TMPDIR/body")" -eq 1 ]
}

@test "httpd: keep-alive, two curl requests share one connection" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_program 09-epoll/httpd 0
    run curl -s "http://127.0.0.1:$PORT/one" "http://127.0.0.1:$PORT/two"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    stop_server
    [ "$(grep -c '^Client connected' "$SERVER_OUT")" -eq 1 ]
}

@test "httpd: HTTP/1.1 stays open, Connection: close is honoured" {
    start_program 09-epoll/httpd -q 0
    http_expect 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' "HTTP/1.1 200 OK" open
    http_expect "GET / HTTP/1.1\\r\\n$CLOSE" "HTTP/1.1 200 OK" closed
}

@test "httpd: HTTP/1.0 closes unless Connection: keep-alive" {
    start_program 09-epoll/httpd -q 0
    http_expect 'GET / HTTP/1.0\r\n\r\n' "HTTP/1.1 200 OK" closed
    http_expect 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n' "HTTP/1.1 200 OK" open
}

@test "httpd: pipelined requests in one write are answered in order" {
    start_program 09-epoll/httpd -q 0
    http_raw "GET /1 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nHEAD /2 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /3 HTTP/1.1\\r\\n$CLOSE"
    [ "$stderr" = closed ]
    [ "$(count_in_output 'HTTP/1.1 200 OK')" -eq 3 ]
    # GET, HEAD (no body), GET: two bodies; keep-alive twice, then close.
    [ "$(count_in_output Hello)" -eq 2 ]
    [ "$(printf '%s\n' "$output" | grep '^Connection:' | tr -d '\r' | tr '\n' ' ')" = "Connection: keep-alive Connection: keep-alive Connection: close " ]
}

@test "httpd: 200 pipelined requests (more replies than its buffer) all answered" {
    start_program 09-epoll/httpd -q 0
    many=$(for ((i = 0; i < 199; i++)); do printf 'GET /%d HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' "$i"; done)
    http_raw "${many}GET /last HTTP/1.1\\r\\n$CLOSE"
    [ "$(count_in_output 'HTTP/1.1 200 OK')" -eq 200 ]
    [ "$stderr" = closed ]
}

@test "httpd: a request body is skipped, the next request still answered" {
    start_program 09-epoll/httpd -q 0
    http_raw "POST /form HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 11\\r\\n\\r\\nhello=worldGET / HTTP/1.1\\r\\n$CLOSE"
    [ "$(count_in_output 'HTTP/1.1 200 OK')" -eq 2 ]
    [ "$stderr" = closed ]
}

@test "httpd: garbage gets 400 Bad Request and the connection closed" {
    start_program 09-epoll/httpd -q 0
    http_expect '\001\002 hello\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'hello\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'GET / HTTP/2.0\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
}

@test "httpd: a head over 8 KiB gets 400, one under 8 KiB gets 200" {
    start_program 09-epoll/httpd -q 0
    long=$(head -c 9000 /dev/zero | tr '\0' 'a')
    http_expect "GET / HTTP/1.1\\r\\nX-Long: $long\\r\\n\\r\\n" "HTTP/1.1 400 Bad Request" closed
    short=$(head -c 8000 /dev/zero | tr '\0' 'a')
    http_expect "GET / HTTP/1.1\\r\\nX-Long: $short\\r\\n$CLOSE" "HTTP/1.1 200 OK" closed
}

@test "httpd: a head that arrives in pieces is answered once complete" {
    start_program 09-epoll/httpd -q 0
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'GET /slow HT' >&5
    sleep 0.3
    printf 'TP/1.1\r\nHost: x\r' >&5
    sleep 0.3
    printf '\nConnection: close\r\n\r\n' >&5
    run timeout 5 cat <&5
    exec 5<&-
    [[ "${lines[0]}" == "HTTP/1.1 200 OK"* ]]
}

@test "httpd: 64 KiB of random bytes get a 400 at most, and it goes on" {
    start_program 09-epoll/httpd -q 0
    head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/noise"
    run timeout 10 "$EPOLL_PEER" raw 127.0.0.1 "$PORT" 1 <"$BATS_TEST_TMPDIR/noise"
    [ "$status" -eq 0 ]
    http_expect "GET / HTTP/1.1\\r\\n$CLOSE" "HTTP/1.1 200 OK" closed
}

@test "httpd: SIGTERM: shut down, exit 0" {
    start_program 09-epoll/httpd 0
    timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 5 &
    local holder=$!
    sleep 0.2
    KIT_STOP_WAIT=3 stop_server TERM
    kill "$holder" 2>/dev/null || true
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

# --- strict parsing: control bytes, Host (issue 15, #5 and #14) ---------------

@test "httpd: NUL or a control byte in a method or header name gets 400 and a close" {
    start_program 09-epoll/httpd -q 0
    http_expect 'GE\000T / HTTP/1.1\r\nHost: x\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'GET / HTTP/1.1\r\nHost: x\r\nX-A\000b: 1\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'GET / HTTP/1.1\r\nHost: x\r\nX-A\001: 1\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\0332\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    # HTAB is the one control byte a value may hold.
    http_expect "GET / HTTP/1.1\\r\\nX-A: 1\\t2\\r\\n$CLOSE" "HTTP/1.1 200 OK" closed
}

@test "httpd: Content-Length\\0: cannot smuggle its body in as a second request" {
    start_program 09-epoll/httpd -q 0
    smuggled='GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n'
    http_raw "POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length\\000: 35\\r\\n\\r\\n$smuggled"
    [ "$(count_in_output 'HTTP/1.1 200 OK')" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(count_in_output 'HTTP/1.1 400 Bad Request')" -eq 1 ]
    [ "$stderr" = closed ]
}

@test "httpd: HTTP/1.1 without Host (or with two) gets 400, HTTP/1.0 without Host 200" {
    start_program 09-epoll/httpd -q 0
    http_expect 'GET / HTTP/1.1\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'GET / HTTP/1.0\r\n\r\n' "HTTP/1.1 200 OK" closed
}

# --- bodies: 100 Continue, chunks (issue 15, #12 and #13) ----------------------

@test "httpd: Expect: 100-continue gets 100 Continue, then the body is read and skipped" {
    start_program 09-epoll/httpd -q 0
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n' >&5
    # A client waits for this line before it sends its body.
    IFS= read -r -t 3 first <&5 || true
    [ "${first%$'\r'}" = "HTTP/1.1 100 Continue" ] || { echo "first line: '$first'"; return 1; }
    printf 'helloGET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&5
    run timeout 5 cat <&5
    exec 5<&-
    [ "$(count_in_output 'HTTP/1.1 200 OK')" -eq 2 ]
}

@test "httpd: 15 GETs, 15 HEADs and 2 Expect: 100-continue POSTs in one send: all answered in order" {
    # Enough keep-alive replies to fill all but the last few bytes of the
    # connection's output buffer, then a "100 Continue" and a keep-alive
    # reply each: the room check must count the longest of them (a check
    # sized for a shorter reply wrote past the buffer and killed httpd).
    start_program 09-epoll/httpd -q 0
    local batch="" expected="" i
    for ((i = 1; i <= 15; i++)); do
        batch+="GET /g$i HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
        expected+="200 B "
    done
    for ((i = 1; i <= 15; i++)); do
        batch+="HEAD /h$i HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
        expected+="200 "
    done
    for ((i = 1; i <= 2; i++)); do
        batch+="POST /p$i HTTP/1.1\\r\\nHost: x\\r\\nExpect: 100-continue\\r\\nContent-Length: 5\\r\\n\\r\\nhello"
        expected+="100 200 B "
    done
    http_raw "${batch}GET /last HTTP/1.1\\r\\n$CLOSE"
    expected+="200 B "
    # One word per status line (its code), a B for each body line: GETs
    # and POSTs have a body, HEADs and 100 Continue none.
    got=$(printf '%s\n' "$output" | tr -d '\r' |
        awk '/^HTTP\/1\.1 / { printf "%s ", $2 } /^Hello/ { printf "B " }')
    [ "$got" = "$expected" ] || { echo "got:    $got"; echo "wanted: $expected"; return 1; }
    [ "$stderr" = closed ]
    kill -0 "$SERVER_PID" || { echo "httpd died:"; cat "$SERVER_ERR"; return 1; }
    http_expect "GET /after HTTP/1.1\\r\\n$CLOSE" "HTTP/1.1 200 OK" closed
}

@test "httpd: Expect: 100-continue with Connection: close is answered at once, no 100" {
    start_program 09-epoll/httpd -q 0
    http_expect 'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n' "HTTP/1.1 200 OK" closed
    [ "$(count_in_output 'HTTP/1.1 100')" -eq 0 ]
}

@test "httpd: curl sends 2 MB with Expect: 100-continue, its second request is answered" {
    command -v curl >/dev/null || skip "curl is not installed: the raw 100 Continue test covers it"
    start_program 09-epoll/httpd -q 0
    head -c 2000000 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    run timeout 10 curl -s -w '%{http_code}\n' --data-binary "@$BATS_TEST_TMPDIR/big" \
        "http://127.0.0.1:$PORT/one" "http://127.0.0.1:$PORT/two"
    [ "$status" -eq 0 ] || { echo "curl: status $status"; return 1; }
    [ "$(count_in_output 'Hello from')" -eq 2 ]
    [ "$(count_in_output 200)" -eq 2 ]
}

@test "httpd: a chunked request body is skipped, the next request answered" {
    start_program 09-epoll/httpd -q 0
    chunks='5\r\nhello\r\n6;name=value\r\n world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n'
    http_raw "POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n${chunks}GET / HTTP/1.1\\r\\n$CLOSE"
    [ "$(count_in_output 'HTTP/1.1 200 OK')" -eq 2 ] || { echo "$output"; return 1; }
    [ "$stderr" = closed ]
}

@test "httpd: a chunked body split across reads anywhere is still skipped" {
    start_program 09-epoll/httpd -q 0
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
    for piece in 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1' \
        '0\r' '\nabcdefghijklmnop\r' '\n0\r\n' '\r' "\\nGET / HTTP/1.1\\r\\n$CLOSE"; do
        # shellcheck disable=SC2059 # the pieces are printf formats (\r, \n)
        printf "$piece" >&5
        sleep 0.1
    done
    run timeout 5 cat <&5
    exec 5<&-
    [ "$(count_in_output 'HTTP/1.1 200 OK')" -eq 2 ] || { echo "$output"; return 1; }
}

@test "httpd: a malformed or oversized chunk gets 400 and a close" {
    start_program 09-epoll/httpd -q 0
    head='POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
    for chunks in 'zz\r\n' '5\r\nhelloXX\r\n' ';x\r\n' '40000001\r\n' '5\r\nhello\r\n0\r\nX: \001\r\n\r\n'; do
        http_expect "$head$chunks" "HTTP/1.1 400 Bad Request" closed || { echo "chunks: $chunks"; return 1; }
    done
}

@test "httpd: Transfer-Encoding with Content-Length, or not chunked, gets 400" {
    start_program 09-epoll/httpd -q 0
    http_expect 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
    http_expect 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' "HTTP/1.1 400 Bad Request" closed
}

@test "httpd: python's http.client sends a chunked body, both requests are answered" {
    require_command python3 python3 # the raw chunked tests cover the rest
    start_program 09-epoll/httpd -q 0
    run timeout 10 python3 -c '
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("POST", "/upload", body=iter([b"abc", b"defg"] * 1000))
r = c.getresponse(); print(r.status, r.read().decode().strip())
c.request("GET", "/after"); r = c.getresponse(); print(r.status, r.read().decode().strip())
' "$PORT"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "${lines[0]}" = "200 Hello from the C kit's epoll httpd" ]
    [ "${lines[1]}" = "200 Hello from the C kit's epoll httpd" ]
}

# --- deadlines and hostile clients (issue 15, #4) ------------------------------

@test "httpd: under a small descriptor limit, silent connections are dropped after -H and a new client is served" {
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_program 09-epoll/httpd -H 1 0
    # 32 descriptors: about 26 clients. 40 silent clients take them all
    # (the rest are accepted and closed at once) and stay for 6 s.
    prlimit --pid "$SERVER_PID" --nofile=32:32
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 40 6 >"$BATS_TEST_TMPDIR/hold" &
    wait_for_line "$BATS_TEST_TMPDIR/hold" holding 5
    # Without a head deadline, every slot stays taken: the newcomer is
    # accepted and closed at once (EMFILE). With -H 1 the silent ones go.
    sleep $((2 * KIT_SLOWDOWN))
    http_expect "GET / HTTP/1.1\\r\\n$CLOSE" "HTTP/1.1 200 OK" closed
    grep -qE '^httpd: dropped 127\.0\.0\.1:[0-9]+: no complete request head in 1 s$' "$SERVER_ERR"
}

@test "httpd: a client dribbling its head (slowloris) is dropped at the -H deadline" {
    start_program 09-epoll/httpd -H 1 0
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'GET / HTTP/1.1\r\n' >&5
    # One header line every 0.2 s for 8 s: bytes keep coming, the head
    # never ends. Once httpd has closed, a write fails (in a subshell: it
    # may raise SIGPIPE); how many went through is in "sent".
    (
        for ((i = 0; i < 40; i++)); do
            printf 'X-%d: a\r\n' "$i" >&5 || break
            echo "$i" >"$BATS_TEST_TMPDIR/sent"
            sleep 0.2
        done
    ) 2>/dev/null || true
    exec 5<&-
    # Cut short: dropped about 1 s in, however much it was still sending.
    [ "$(cat "$BATS_TEST_TMPDIR/sent")" -lt 39 ]
    grep -qE '^httpd: dropped 127\.0\.0\.1:[0-9]+: no complete request head in 1 s$' "$SERVER_ERR"
}

@test "httpd: an idle keep-alive connection is closed after -k seconds, with a log line" {
    start_program 09-epoll/httpd -k 1 0
    # The peer waits up to 4 s of silence: closed after about 1 s.
    elapsed http_expect 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' "HTTP/1.1 200 OK" closed 4
    [ "$STATUS" -eq 0 ]
    less_than "$ELAPSED" $((3 * KIT_SLOWDOWN))
    grep -qE '^httpd: dropped 127\.0\.0\.1:[0-9]+: idle for 1 s$' "$SERVER_ERR"
    grep -q '^Client disconnected: 127\.0\.0\.1:' "$SERVER_OUT"
}

@test "httpd: -q drops idle connections without a log line" {
    start_program 09-epoll/httpd -q -k 1 0
    http_expect 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' "HTTP/1.1 200 OK" closed 4
    [ ! -s "$SERVER_ERR" ]
}

@test "httpd: a client that never reads its replies is dropped after -k seconds, others served" {
    start_program 09-epoll/httpd -k 1 0
    # 4 MiB of pipelined requests (16 MiB of replies), never read: both
    # directions fill up, nothing moves.
    printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >"$BATS_TEST_TMPDIR/reqs"
    for ((i = 0; i < 17; i++)); do
        cat "$BATS_TEST_TMPDIR/reqs" "$BATS_TEST_TMPDIR/reqs" >"$BATS_TEST_TMPDIR/more"
        mv "$BATS_TEST_TMPDIR/more" "$BATS_TEST_TMPDIR/reqs"
    done
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
    timeout 10 cat "$BATS_TEST_TMPDIR/reqs" >&5 2>/dev/null &
    local writer=$!
    sleep 0.5
    http_expect "GET / HTTP/1.1\\r\\n$CLOSE" "HTTP/1.1 200 OK" closed
    wait_for_line "$SERVER_ERR" '^httpd: dropped 127\.0\.0\.1:[0-9]+: no progress for 1 s$' $((5 * KIT_SLOWDOWN))
    kill "$writer" 2>/dev/null || true
    exec 5<&-
}

@test "httpd: a body that stops arriving is dropped after -k seconds" {
    start_program 09-epoll/httpd -k 1 0
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part' >&5
    wait_for_line "$SERVER_ERR" '^httpd: dropped 127\.0\.0\.1:[0-9]+: no progress for 1 s$' $((4 * KIT_SLOWDOWN))
    exec 5<&-
}

@test "httpd: out of descriptors (EMFILE), it pauses instead of spinning, then serves again" {
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_program 09-epoll/httpd -q 0
    prlimit --pid "$SERVER_PID" --nofile=32:32
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 60 3 >"$BATS_TEST_TMPDIR/hold" &
    local holder=$!
    wait_for_line "$BATS_TEST_TMPDIR/hold" holding 5
    before=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
    sleep 2
    after=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
    echo "$((after - before)) CPU ticks in 2 s out of descriptors"
    [ $((after - before)) -lt $((40 * KIT_SLOWDOWN)) ]
    wait "$holder" || true
    http_expect "GET / HTTP/1.1\\r\\n$CLOSE" "HTTP/1.1 200 OK" closed
}
