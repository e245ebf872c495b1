#!/usr/bin/env bats
# Grader of 06-udp's graded extra "per-client-count" (06-udp/README.md,
# Exercises): the basic loop's log line says which request of its client
# each one is, "New request: N HOST:PORT (request K from this client)",
# from a table bounded at CLIENT_TABLE_SIZE (64) clients.

load ../../helper

setup_file() { kit_build 06-udp; }

# logged N : waits up to 5 s for N "New request" lines in the server's log.
logged() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(grep -c '^New request: ' "$SERVER_OUT")" -ge "$1" ] && return 0
        sleep 0.05
    done
    echo "fewer than $1 requests logged:" >&2
    cat "$SERVER_OUT" >&2
    return 1
}

# others N : N datagrams, each from a new client: a socket of its own, all
# N open until every one has sent, so that each has its own source port.
# (A socket closed at once frees its port, and the kernel may hand the same
# port to the next socket: two "others" would then be one client to a
# correct server.) Checks that the N source ports the server logged really
# are N distinct ones.
others() {
    local i fd before
    local -a fds=()
    before=$(grep -c '^New request: ' "$SERVER_OUT")
    for ((i = 1; i <= $1; i++)); do
        exec {fd}<>"/dev/udp/127.0.0.1/$PORT"
        fds+=("$fd")
        echo "other $i" >&"$fd"
    done
    logged $((before + $1))
    for fd in "${fds[@]}"; do
        exec {fd}>&-
    done
    [ "$(grep '^New request: ' "$SERVER_OUT" | tail -n "$1" | awk '{ print $4 }' |
        sort -u | wc -l)" -eq "$1" ] ||
        { echo "the $1 others did not come from $1 distinct ports:" >&2; cat "$SERVER_OUT" >&2; return 1; }
}

@test "three lines of one client are its requests 1, 2 and 3" {
    start_server 06-udp -d 0
    run_client 06-udp 127.0.0.1 "$PORT" < <(printf 'a\nb\nc\n')
    [ "$status" -eq 0 ]
    logged 3
    grep -Eq '^New request: 1 127\.0\.0\.1:[0-9]+ \(request 1 from this client\)$' "$SERVER_OUT"
    grep -Eq '^New request: 2 127\.0\.0\.1:[0-9]+ \(request 2 from this client\)$' "$SERVER_OUT"
    grep -Eq '^New request: 3 127\.0\.0\.1:[0-9]+ \(request 3 from this client\)$' "$SERVER_OUT"
}

@test "a second client starts again at request 1" {
    start_server 06-udp -d 0
    run_client 06-udp 127.0.0.1 "$PORT" < <(printf 'a\nb\n')
    run_client 06-udp 127.0.0.1 "$PORT" <<<"c"
    logged 3
    grep -Eq '^New request: 3 127\.0\.0\.1:[0-9]+ \(request 1 from this client\)$' "$SERVER_OUT"
}

@test "a client is remembered across 10 others, forgotten after 64" {
    start_server 06-udp -d 0
    exec 7<>"/dev/udp/127.0.0.1/$PORT" # one socket: one client address
    echo first >&7
    logged 1
    others 10
    echo second >&7
    logged 12
    grep -Eq '^New request: 12 127\.0\.0\.1:[0-9]+ \(request 2 from this client\)$' "$SERVER_OUT"
    others 64
    echo third >&7
    logged 77
    exec 7>&-
    grep -Eq '^New request: 77 127\.0\.0\.1:[0-9]+ \(request 1 from this client\)$' "$SERVER_OUT"
}
