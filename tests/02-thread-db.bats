#!/usr/bin/env bats
# 02-thread dbserver and dbclient: the graded assignment (CONTRACT.md §10).
# The replies are compared exactly; see 02-thread/db/dbserver.md.

load helper

setup_file() { kit_build 02-thread tests/tools/peer tests/tools/holdmany; }

# start_db [OPTIONS...] : starts the database server on port 0.
start_db() {
    start_program 02-thread/dbserver "$@" 0
}

# db REQUESTS : runs dbclient in scripted mode with REQUESTS (a string of
# lines) on stdin; bats' $output and $lines hold the replies.
db() {
    run --separate-stderr timeout "$KIT_TIMEOUT" "$KIT_ROOT/02-thread/dbclient" localhost "$PORT" <<<"$1"
}

# expect_replies EXPECTED : $output must be exactly EXPECTED, status 0.
expect_replies() {
    if [ "$status" -ne 0 ] || [ "$output" != "$1" ]; then
        echo "status $status; got:"
        printf '%s\n' "$output"
        echo "expected:"
        printf '%s\n' "$1"
        return 1
    fi
}

# pipelined FILE [GATE] : one connection through bash's /dev/tcp; sends
# every line of FILE at once, then prints one reply line per request. It
# stands for a client that pipelines requests, and costs much less than a
# dbclient per simulated client. With GATE (a directory), it connects, says
# so by creating GATE/ready.PID and sends only once GATE/go exists, so that
# many of them hit the server at the same moment (see open_gate).
pipelined() {
    local count line i gate=${2:-}
    local sock # a free descriptor chosen by bash: 3 belongs to bats
    count=$(wc -l <"$1")
    exec {sock}<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    if [ -n "$gate" ]; then
        : >"$gate/ready.$BASHPID"
        for ((i = 0; i < 3000; i++)); do
            [ -e "$gate/go" ] && break
            sleep 0.01
        done
    fi
    cat "$1" >&"$sock"
    for ((i = 0; i < count; i++)); do
        IFS= read -r -t 30 line <&"$sock" || { echo "reply $i of $count missing"; exec {sock}>&-; return 1; }
        printf '%s\n' "$line"
    done
    exec {sock}>&-
}

# open_gate GATE N : waits until N gated clients are connected, then lets
# them all send at once.
open_gate() {
    local i
    for ((i = 0; i < 2000; i++)); do
        [ "$(find "$1" -name 'ready.*' | wc -l)" -ge "$2" ] && break
        sleep 0.01
    done
    : >"$1/go"
}

# eventually COMMAND... : true once COMMAND succeeds, trying for 2 s.
eventually() {
    local i
    for ((i = 0; i < 40; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    "$@"
}

# threads_are N / fds_are N : the server has N threads / descriptors.
threads_are() { [ "$(thread_count "$SERVER_PID")" -eq "$1" ]; }
fds_are() { [ "$(fd_count "$SERVER_PID")" -eq "$1" ]; }

# repeat N LINE... : prints the LINEs N times over.
repeat() {
    local n=$1 i
    shift
    for ((i = 0; i < n; i++)); do printf '%s\n' "$@"; done
}

# server_was_clean : after stop_server, exit 0 and nothing on stderr but
# the lines the server logs on purpose (no sanitizer report, no abort).
server_was_clean() {
    [ "$STOP_STATUS" -eq 0 ] || { echo "server exit status $STOP_STATUS"; cat "$SERVER_ERR"; return 1; }
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    if grep -Eq 'Sanitizer|runtime error|Abort|check_lock' "$SERVER_ERR"; then
        cat "$SERVER_ERR"
        return 1
    fi
}

@test "bad command lines print usage and exit 2" {
    local args
    for args in "" "1 2" "abc" "70000" "-5" "12ab" "-d" "-d x 0" "-x 0" "-L" "-L fast 0" "-L RECORD 0"; do
        # shellcheck disable=SC2086 # word splitting of $args is the point
        run timeout 5 "$KIT_ROOT/02-thread/dbserver" $args
        [ "$status" -eq 2 ] || { echo "dbserver $args: status $status"; return 1; }
        [[ "$output" == *"usage: dbserver [-d MS] [-q] [-L MODE] PORT"* ]] || { echo "dbserver $args: $output"; return 1; }
        [[ "$output" != *listening* ]]
    done
    run timeout 5 "$KIT_ROOT/02-thread/dbserver" -L fast 0
    [[ "${lines[0]}" == "dbserver: -L: must be record or global" ]]
    for args in "" "localhost" "localhost 0" "localhost 70000" "localhost x" "a b c" "-x localhost 1"; do
        # shellcheck disable=SC2086
        run timeout 5 "$KIT_ROOT/02-thread/dbclient" $args
        [ "$status" -eq 2 ] || { echo "dbclient $args: status $status"; return 1; }
        [[ "$output" == *"usage: dbclient HOST PORT"* ]] || { echo "dbclient $args: $output"; return 1; }
    done
}

@test "-h prints usage on stdout and exits 0, for dbserver and dbclient" {
    run --separate-stderr timeout 5 "$KIT_ROOT/02-thread/dbserver" -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: dbserver [-d MS] [-q] [-L MODE] PORT" ]
    [[ "$output" == *"-L MODE locking: record"* ]]
    run --separate-stderr timeout 5 "$KIT_ROOT/02-thread/dbclient" -h
    [ "$status" -eq 0 ]
    [ "$output" = "usage: dbclient HOST PORT" ]
}

@test "a port already in use is reported, exit 1" {
    start_db -q
    run --separate-stderr timeout 5 "$KIT_ROOT/02-thread/dbserver" "$PORT"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "dbserver: listen on port $PORT: Address"*"in use" ]]
}

@test "the server logs each client; -q silences the log" {
    start_db
    db "upper x"
    expect_replies "OK X"
    eventually grep -q '^Client disconnected: ' "$SERVER_OUT"
    grep -Eq '^Client connected: (127\.0\.0\.1|\[::1\]):[0-9]+$' "$SERVER_OUT"
    grep -Eq '^Client disconnected: (127\.0\.0\.1|\[::1\]):[0-9]+$' "$SERVER_OUT"
    start_db -q
    db "upper y"
    expect_replies "OK Y"
    stop_server
    [ "$(cat "$SERVER_OUT")" = "$(printf 'listening on port %s\nshut down' "$PORT")" ]
}

@test "UPPER, LOWER and REVERSE answer OK and the result" {
    start_db -q
    db "$(printf '%s\n' 'UPPER hola Mundo 1' 'LOWER HoLa MUNDO 1' 'REVERSE hola mundo' \
        'UPPER  two  spaces inside  ' 'upper añb' 'lower ÁÉ AB')"
    expect_replies "$(printf '%s\n' 'OK HOLA MUNDO 1' 'OK hola mundo 1' 'OK odnum aloh' \
        'OK TWO  SPACES INSIDE' 'OK AñB' 'OK ÁÉ ab')"
}

@test "REVERSE reverses UTF-8 characters, not bytes" {
    start_db -q
    db "$(printf '%s\n' 'REVERSE añb€' 'REVERSE 日本語' 'REVERSE 😀x' 'REVERSE a')"
    expect_replies "$(printf '%s\n' 'OK €bña' 'OK 語本日' 'OK x😀' 'OK a')"
    # Byte by byte: c3 b1 stays c3 b1 (a byte-wise reverse would give b1 c3).
    [ "$(printf '%s' "${lines[0]}" | od -An -tx1 | tr -d ' \n')" = "4f4b20e282ac62c3b161" ]
}

@test "REVERSE of invalid UTF-8 is an error, the connection goes on" {
    start_db -q
    db "$(printf 'REVERSE a\377b\nREVERSE \303\nREVERSE \300\257\nREVERSE \355\240\200\nREVERSE ok\n')"
    expect_replies "$(printf '%s\n' 'ERR invalid UTF-8' 'ERR invalid UTF-8' 'ERR invalid UTF-8' \
        'ERR invalid UTF-8' 'OK ko')"
}

@test "ADD, GET, SET, DEL and BIRTHDAY: every success reply" {
    start_db -q
    db "$(printf '%s\n' 'ADD 42 30 Ana Perez' 'GET 42' 'SET 42 31 Ana María Pérez' 'GET 42' \
        'BIRTHDAY 42' 'GET 42' 'DEL 42' 'GET 42')"
    expect_replies "$(printf '%s\n' 'OK' 'OK 42 30 Ana Perez' 'OK' 'OK 42 31 Ana María Pérez' \
        'OK 32' 'OK 42 32 Ana María Pérez' 'OK' 'ERR not found')"
}

@test "missing and existing records: ERR not found, ERR exists" {
    start_db -q
    db "$(printf '%s\n' 'GET nobody' 'SET nobody 1 X' 'DEL nobody' 'BIRTHDAY nobody' \
        'ADD x 1 X' 'ADD x 2 Y' 'GET x' 'DEL x' 'DEL x' 'ADD x 3 Z' 'GET x')"
    expect_replies "$(printf '%s\n' 'ERR not found' 'ERR not found' 'ERR not found' 'ERR not found' \
        'OK' 'ERR exists' 'OK x 1 X' 'OK' 'ERR not found' 'OK' 'OK x 3 Z')"
}

@test "ids: 1-64 of [A-Za-z0-9_-], case-sensitive; longer or other characters are errors" {
    start_db -q
    local id64 id65
    id64=$(printf 'a%.0s' {1..64})
    id65=$(printf 'b%.0s' {1..65})
    db "$(printf '%s\n' "ADD $id64 1 Long" "GET $id64" "ADD $id65 1 X" "GET $id65" \
        'ADD a.b 1 X' 'ADD a/b 1 X' 'GET ñ' 'ADD Az_09-x 2 Y' 'GET Az_09-x' 'GET az_09-x')"
    expect_replies "$(printf '%s\n' 'OK' "OK $id64 1 Long" 'ERR id too long' 'ERR id too long' \
        'ERR bad id' 'ERR bad id' 'ERR bad id' 'OK' 'OK Az_09-x 2 Y' 'ERR not found')"
}

@test "ages: decimal 0-200, strictly; anything else is ERR bad age" {
    start_db -q
    db "$(printf '%s\n' 'ADD a 0 Zero' 'ADD b 200 Old' 'GET a' 'GET b' \
        'ADD c 201 X' 'ADD c -1 X' 'ADD c +5 X' 'ADD c 07 X' 'ADD c 1000 X' 'ADD c 1e2 X' 'ADD c x X' \
        'SET a 201 X' 'GET a')"
    expect_replies "$(printf '%s\n' 'OK' 'OK' 'OK a 0 Zero' 'OK b 200 Old' \
        'ERR bad age' 'ERR bad age' 'ERR bad age' 'ERR bad age' 'ERR bad age' 'ERR bad age' 'ERR bad age' \
        'ERR bad age' 'OK a 0 Zero')"
}

@test "names: 1-200 bytes of UTF-8 with spaces; longer, invalid or control bytes are errors" {
    start_db -q
    local n200 n201
    n200=$(printf 'n%.0s' {1..200})
    n201=$(printf 'n%.0s' {1..201})
    db "$(printf '%s\n' "ADD a 1 $n200" "GET a" "ADD b 1 $n201" 'ADD c 1 José Ñandú  García' 'GET c')
$(printf 'ADD d 1 bad\377name\nADD e 1 tab\there\nSET c 2 \303\n')"
    expect_replies "$(printf '%s\n' 'OK' "OK a 1 $n200" 'ERR name too long' 'OK' 'OK c 1 José Ñandú  García' \
        'ERR bad name' 'ERR bad name' 'ERR bad name')"
}

@test "names: a C1 control (U+009B) or an invisible format character (U+200B, U+202E) is ERR bad name" {
    # They reach other clients' terminals through GET and LIST: U+009B
    # starts an escape sequence, U+202E turns the line around, U+200B
    # makes "Ana" and "Ana" differ unseen. Other UTF-8 (é, Ñ) stays fine.
    start_db -q
    db "$(printf 'ADD a 1 x\302\233[2Jy\nADD b 1 Ana\342\200\213\nADD c 1 \342\200\256evil\nADD d 1 Zoë Ñ\nSET d 2 \302\205\nGET d\n')"
    expect_replies "$(printf '%s\n' 'ERR bad name' 'ERR bad name' 'ERR bad name' 'OK' 'ERR bad name' 'OK d 1 Zoë Ñ')"
}

@test "malformed requests get ERR with a short reason, the connection stays open" {
    start_db -q
    db "$(printf '%s\n' '   ' 'FROB x' 'GET' 'GET a b' 'DEL' 'BIRTHDAY' 'BIRTHDAY a b' 'ADD a' 'ADD a 1' \
        'SET a' 'SET a 1' 'LIST x' 'UPPER' 'LOWER   ' 'REVERSE' 'UPPER still open')"
    expect_replies "$(printf '%s\n' 'ERR empty request' 'ERR unknown command' 'ERR usage: GET id' \
        'ERR usage: GET id' 'ERR usage: DEL id' 'ERR usage: BIRTHDAY id' 'ERR usage: BIRTHDAY id' \
        'ERR usage: ADD id age name' 'ERR usage: ADD id age name' 'ERR usage: SET id age name' \
        'ERR usage: SET id age name' 'ERR usage: LIST' 'ERR usage: UPPER text' 'ERR usage: LOWER text' \
        'ERR usage: REVERSE text' 'OK STILL OPEN')"
}

@test "commands are case-insensitive, ids are not" {
    start_db -q
    db "$(printf '%s\n' 'add K 5 Kim' 'Get K' 'sEt K 6 Kim' 'birthday K' 'gET k' 'List' 'Upper x' 'dEl K' 'LiSt')"
    expect_replies "$(printf '%s\n' 'OK' 'OK K 5 Kim' 'OK' 'OK 7' 'ERR not found' 'OK 1' 'K 7 Kim' \
        'OK X' 'OK' 'OK 0')"
}

@test "lines ending in \\r\\n are answered like lines ending in \\n" {
    start_db -q
    db "$(printf 'ADD r 1 Rosa\r\nGET r\r\nUPPER crlf\r\nLIST\r\nget r \r\n')"
    expect_replies "$(printf '%s\n' 'OK' 'OK r 1 Rosa' 'OK CRLF' 'OK 1' 'r 1 Rosa' 'OK r 1 Rosa')"
    # The replies themselves end in a bare \n.
    [[ "$output" != *$'\r'* ]]
}

@test "a line over 1,024 bytes gets ERR line too long, the connection stays usable" {
    start_db -q
    local fill1018 fill1019 big
    fill1018=$(head -c 1018 /dev/zero | tr '\0' 'a')
    fill1019=$(head -c 1019 /dev/zero | tr '\0' 'a')
    big=$(head -c 200000 /dev/zero | tr '\0' 'z')
    # "UPPER " + 1018 bytes = 1024 bytes: the longest line accepted, also
    # with \r\n; one byte more is too long, and so is a 200 kB line.
    db "$(printf 'UPPER %s\nUPPER %s\r\nUPPER %s\nGET %s\nUPPER still here\n' "$fill1018" "$fill1018" "$fill1019" "$big")"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 5 ]
    [ "${lines[0]}" = "OK ${fill1018^^}" ]
    [ "${lines[1]}" = "OK ${fill1018^^}" ]
    [ "${lines[2]}" = "ERR line too long" ]
    [ "${lines[3]}" = "ERR line too long" ]
    [ "${lines[4]}" = "OK STILL HERE" ]
}

@test "requests split across reads, or several in one read, are all answered" {
    start_db -q
    local sock a b c
    exec {sock}<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'UPP' >&"$sock"
    sleep 0.2
    printf 'ER one\nUPPER two\nUPPER thr' >&"$sock"
    sleep 0.2
    printf 'ee\n' >&"$sock"
    IFS= read -r -t 10 a <&"$sock"
    IFS= read -r -t 10 b <&"$sock"
    IFS= read -r -t 10 c <&"$sock"
    exec {sock}>&-
    [ "$a $b $c" = "OK ONE OK TWO OK THREE" ]
}

@test "LIST: OK n, then the records sorted by id" {
    start_db -q
    db "$(printf '%s\n' 'LIST' 'ADD m 3 Mar' 'ADD B 2 Bea' 'ADD a 1 Ana' 'ADD z_9 9 Zoe' 'ADD 10 4 Diez' 'LIST')"
    # strcmp order: digits, then capitals, then lower case.
    expect_replies "$(printf '%s\n' 'OK 0' 'OK' 'OK' 'OK' 'OK' 'OK' 'OK 5' \
        '10 4 Diez' 'B 2 Bea' 'a 1 Ana' 'm 3 Mar' 'z_9 9 Zoe')"
}

@test "BIRTHDAY goes past 200" {
    start_db -q
    db "$(printf '%s\n' 'ADD old 199 Matusalén' 'BIRTHDAY old' 'BIRTHDAY old' 'BIRTHDAY old' 'GET old' 'SET old 201 X')"
    expect_replies "$(printf '%s\n' 'OK' 'OK 200' 'OK 201' 'OK 202' 'OK old 202 Matusalén' 'ERR bad age')"
}

@test "the database is shared: what one client adds, another one sees" {
    start_db -q
    db "ADD shared 20 Compartido"
    expect_replies "OK"
    db "GET shared"
    expect_replies "OK shared 20 Compartido"
}

@test "ADD beyond 10,000 records: ERR database full" {
    start_db -q
    local dir=$BATS_TEST_TMPDIR i
    for ((i = 0; i < 10000; i++)); do echo "ADD r$i 1 N"; done >"$dir/adds"
    echo "ADD one-more 1 N" >>"$dir/adds"
    echo "LIST" >>"$dir/adds"
    timeout 60 "$KIT_ROOT/02-thread/dbclient" localhost "$PORT" <"$dir/adds" >"$dir/replies"
    [ "$(head -n 10000 "$dir/replies" | grep -c '^OK$')" -eq 10000 ]
    [ "$(sed -n 10001p "$dir/replies")" = "ERR database full" ]
    [ "$(sed -n 10002p "$dir/replies")" = "OK 10000" ]
    [ "$(wc -l <"$dir/replies")" -eq 20002 ]
}

# birthday_storm MODE : 50 clients send BIRTHDAY for one record 100 times
# each; every reply must be a distinct age and the record must end 5,000
# older. A lost update (two threads reading the same age) fails both.
# -d 1 puts a millisecond between reading the age and writing it back, so
# that a missing lock loses updates for sure (5,000 x 1 ms: about 5 s).
birthday_storm() {
    local dir=$BATS_TEST_TMPDIR i
    start_db -q -d 1 -L "$1"
    db "ADD shared 0 Same Record"
    expect_replies "OK"
    repeat 100 "BIRTHDAY shared" >"$dir/requests"
    local pids=()
    mkdir "$dir/gate"
    for ((i = 0; i < 50; i++)); do
        pipelined "$dir/requests" "$dir/gate" >"$dir/replies.$i" &
        pids+=($!)
    done
    open_gate "$dir/gate" 50
    wait "${pids[@]}"
    cat "$dir"/replies.* >"$dir/all"
    [ "$(grep -c '^OK [0-9]*$' "$dir/all")" -eq 5000 ] || { grep -v '^OK [0-9]*$' "$dir/all" | head; return 1; }
    [ "$(cut -d' ' -f2 "$dir/all" | sort -n | uniq | wc -l)" -eq 5000 ]
    [ "$(cut -d' ' -f2 "$dir/all" | sort -n | tail -n 1)" -eq 5000 ]
    db "GET shared"
    expect_replies "OK shared 5000 Same Record"
    stop_server
    server_was_clean
}

@test "-L record: 50 clients x 100 BIRTHDAY on one record add exactly 5,000" { birthday_storm record; }
@test "-L global: 50 clients x 100 BIRTHDAY on one record add exactly 5,000" { birthday_storm global; }

# delete_while_querying MODE : writers SET the record to "1 aaaa" or
# "2 bbbbbbbbbb", a cycler DELetes and re-ADDs it, readers GET it. Every
# GET must be one whole version or ERR not found, never a mix (a torn
# read), and the server must survive and exit cleanly (no use after free:
# under SAN=address or SAN=thread a report would fail the test). With -d 1
# a SET spends a millisecond between writing the age and the name.
delete_while_querying() {
    local dir=$BATS_TEST_TMPDIR i
    start_db -q -d 1 -L "$1"
    db "ADD k 1 aaaa"
    repeat 150 "SET k 1 aaaa" "SET k 2 bbbbbbbbbb" >"$dir/writer"
    repeat 150 "DEL k" "ADD k 1 aaaa" >"$dir/cycler"
    repeat 300 "GET k" >"$dir/reader"
    local pids=() gate=$dir/gate
    mkdir "$gate"
    for ((i = 0; i < 4; i++)); do
        pipelined "$dir/writer" "$gate" >"$dir/w.$i" &
        pids+=($!)
        pipelined "$dir/reader" "$gate" >"$dir/r.$i" &
        pids+=($!)
    done
    pipelined "$dir/cycler" "$gate" >"$dir/c.0" &
    pids+=($!)
    pipelined "$dir/reader" "$gate" >"$dir/r.4" &
    pids+=($!)
    open_gate "$gate" 10
    wait "${pids[@]}"
    [ "$(cat "$dir"/r.* | wc -l)" -eq 1500 ]
    [ "$(cat "$dir"/w.* | wc -l)" -eq 1200 ]
    [ "$(wc -l <"$dir/c.0")" -eq 300 ]
    # Every reply is a whole record or "not found": no torn record, ever.
    # (`run !` asserts that grep finds no other line: a bare `! grep` that
    # is not the last line of a bats test could never fail it.)
    run ! grep -hEv '^(OK k 1 aaaa|OK k 2 bbbbbbbbbb|ERR not found)$' "$dir"/r.*
    run ! grep -hEv '^(OK|ERR not found)$' "$dir"/w.*
    run ! grep -hEv '^(OK|ERR not found|ERR exists)$' "$dir/c.0"
    kill -0 "$SERVER_PID"
    stop_server
    server_was_clean
}

@test "-L record: deleting while others query never crashes or tears a record" { delete_while_querying record; }
@test "-L global: deleting while others query never crashes or tears a record" { delete_while_querying global; }

# two_clients_time MODE : two clients, each 3 GETs of its own record with
# -d 300, at the same time; sets ELAPSED.
two_clients_time() {
    local dir=$BATS_TEST_TMPDIR
    start_db -q -d 300 -L "$1"
    printf 'GET a\nGET a\nGET a\n' >"$dir/a"
    printf 'GET b\nGET b\nGET b\n' >"$dir/b"
    local start end
    start=$(date +%s.%N)
    pipelined "$dir/a" >"$dir/ra" &
    local first=$!
    pipelined "$dir/b" >"$dir/rb"
    wait "$first"
    end=$(date +%s.%N)
    ELAPSED=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
    [ "$(cat "$dir/ra" "$dir/rb" | grep -c '^ERR not found$')" -eq 6 ]
}

@test "-L global: two clients on different records wait for each other (2 x 3 x 300 ms)" {
    two_clients_time global
    # One lock for everything: the six requests run one after another.
    at_least "$ELAPSED" 1.8
}

@test "-L record: two clients on different records do not wait for each other" {
    two_clients_time record
    # Each client's three requests, side by side: about 0.9 s, never 1.8.
    at_least "$ELAPSED" 0.9
    less_than "$ELAPSED" 1.5
}

@test "dbclient scripted mode: no prompt, every reply line, status 0 at end of input" {
    start_db -q
    db "$(printf 'add 42 30 Ana Perez\n\nget 42\nlist\n')"
    expect_replies "$(printf '%s\n' 'OK' 'OK 42 30 Ana Perez' 'OK 1' '42 30 Ana Perez')"
    [ -z "$stderr" ]
}

@test "dbclient: connection refused is reported, status 1" {
    run --separate-stderr timeout 10 "$KIT_ROOT/02-thread/dbclient" 127.0.0.1 1 <<<"LIST"
    [ "$status" -eq 1 ]
    [ "$stderr" = "dbclient: connect to 127.0.0.1:1: Connection refused" ]
}

@test "dbclient: the server going away is an error, status 1" {
    start_db -d 1000
    # SIGTERM once the client is connected (not after a fixed time: on a
    # loaded machine the client may not have connected yet).
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    bash -c 'for ((i = 0; i < 200; i++)); do
        grep -q "^Client connected" "$1" && break; sleep 0.05; done
        sleep 0.2; kill -TERM "$2"' killer "$SERVER_OUT" "$SERVER_PID" &
    local killer=$!
    run --separate-stderr timeout 10 "$KIT_ROOT/02-thread/dbclient" localhost "$PORT" < <(echo "GET x"; sleep 2; echo "GET y")
    wait "$killer"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"closed the connection"* ]]
}

@test "a thread per client: one more thread per connection, back down when they leave" {
    start_db -q
    local i holders=() base
    # One client first: ThreadSanitizer starts a thread of its own with
    # the first client thread, which would shift the count.
    db "LIST"
    sleep 0.3
    base=$(thread_count "$SERVER_PID") # 1, or 2 under ThreadSanitizer
    for ((i = 0; i < 5; i++)); do
        timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 2 &
        holders+=($!)
    done
    eventually threads_are $((base + 5))
    wait "${holders[@]}"
    eventually threads_are "$base"
}

@test "--help, like -h, prints usage on stdout and exits 0, for dbserver and dbclient" {
    local program
    for program in dbserver dbclient; do
        run --separate-stderr timeout 5 "$KIT_ROOT/02-thread/$program" --help
        [ "$status" -eq 0 ]
        [[ "$output" == usage:* ]]
        [ -z "$stderr" ]
    done
}

@test "a thread that cannot be started drops only that client, with a log line" {
    # (clang links its sanitizer runtimes statically: ldd cannot tell.)
    if [ -n "$KIT_SANITIZER" ] || [ "${VALGRIND:-0}" = 1 ]; then
        skip "sanitizers and valgrind need far more address space"
    fi
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_db -q
    # Room for the server as it is now plus a few thread stacks (256 KiB
    # each), measured on this machine rather than guessed: the limit is
    # reached with the first handful of clients, wherever the test runs.
    local limit=$(( ($(awk '/^VmSize:/ { print $2 }' "/proc/$SERVER_PID/status") + 1200) * 1024 ))
    prlimit --pid "$SERVER_PID" --as="$limit:"
    # 30 clients that stay connected until the failure has been logged.
    timeout 30 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 30 20 >/dev/null &
    local holder=$!
    local i
    for ((i = 0; i < 200; i++)); do
        grep -q 'starting a thread' "$SERVER_ERR" && break
        sleep 0.05
    done
    kill "$holder" 2>/dev/null || true
    wait "$holder" 2>/dev/null || true
    grep -Eq '^dbserver: starting a thread: .*; dropping (127\.0\.0\.1|\[::1\]):[0-9]+$' "$SERVER_ERR"
    sleep 0.5
    # The server goes on: once the others have left, a new client is served.
    db "UPPER still serving"
    expect_replies "OK STILL SERVING"
}

@test "a half-closed client still gets every reply" {
    start_db -q
    run_peer halfclose localhost "$PORT" < <(printf 'ADD h 1 Half\nGET h\nUPPER last line without newline')
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf '%s\n' 'OK' 'OK h 1 Half' 'OK LAST LINE WITHOUT NEWLINE')" ]
}

@test "a peer that resets, or floods requests and never reads, costs only itself" {
    start_db -q
    run_peer reset localhost "$PORT" 5000
    [ "$status" -eq 0 ]
    # 10 MB of requests whose replies are never read: that client's thread
    # ends up blocked in write(), and only that thread.
    local line
    line="UPPER $(head -c 1000 /dev/zero | tr '\0' 'a')"
    # setsid: its own process group, so that one kill ends yes and head.
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    LINE=$line setsid bash -c 'yes "$LINE" | head -n 10000 >"/dev/tcp/127.0.0.1/$1"' hog "$PORT" \
        </dev/null >/dev/null 2>&1 &
    local hog=$!
    sleep 1
    db "UPPER still served"
    expect_replies "OK STILL SERVED"
    kill -0 "$hog" # still stuck writing: the server stopped reading it
    kill -- "-$hog" 2>/dev/null || true
    wait "$hog" 2>/dev/null || true
    kill -0 "$SERVER_PID"
}

@test "500 short connections leave the descriptor count unchanged" {
    start_db -q
    db "LIST"
    local before i reply sock
    before=$(fd_count "$SERVER_PID")
    for ((i = 0; i < 500; i++)); do
        exec {sock}<>"/dev/tcp/127.0.0.1/$PORT"
        printf 'UPPER x\n' >&"$sock"
        IFS= read -r -t 10 reply <&"$sock"
        exec {sock}>&-
        [ "$reply" = "OK X" ]
    done
    eventually fds_are "$before"
}

@test "SIGTERM with clients connected: shut down, exit 0, nothing left" {
    start_db -d 200
    timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 5 &
    local holder=$!
    timeout 10 "$KIT_ROOT/02-thread/dbclient" localhost "$PORT" < <(echo "LIST"; sleep 5) >/dev/null 2>&1 &
    local client=$!
    sleep 0.5
    KIT_STOP_WAIT=3 stop_server TERM
    kill "$holder" "$client" 2>/dev/null || true
    server_was_clean
    sleep 0.2
    [ -z "$(group_pids "$SERVER_PID")" ]
    [ "$(grep -c '^Client disconnected' "$SERVER_OUT")" -eq 2 ]
}

@test "SIGINT: shut down, exit 0" {
    start_db -q
    stop_server INT
    server_was_clean
}

@test "dbbench: every client on its own record, 0 errors, and the records are there" {
    start_db -q
    run timeout 60 "$KIT_ROOT/02-thread/dbbench" -n 5 -r 30 localhost "$PORT"
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^5\ clients,\ 150\ requests,\ 0\ errors,\ [0-9]+\.[0-9]{2}\ s,\ [0-9]+\ req/s$ ]]
    # GET, SET (back to 30), BIRTHDAY, ...: the 30th request was a BIRTHDAY.
    db "$(printf 'GET bench-0\nGET bench-4\nLIST\n')"
    [ "${lines[0]}" = "OK bench-0 31 Bench Client" ]
    [ "${lines[1]}" = "OK bench-4 31 Bench Client" ]
    [ "${lines[2]}" = "OK 5" ]
}

@test "dbbench.sh prints one row per locking mode" {
    run timeout 120 "$KIT_ROOT/02-thread/db/dbbench.sh" 0 4 20
    [ "$status" -eq 0 ]
    [[ "${lines[2]}" =~ ^record\ +4\ clients,\ 80\ requests,\ 0\ errors, ]]
    [[ "${lines[3]}" =~ ^global\ +4\ clients,\ 80\ requests,\ 0\ errors, ]]
}
