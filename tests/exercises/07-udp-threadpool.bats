#!/usr/bin/env bats
# Graders for the exercises of 07-udp-threadpool/README.md (make
# check-07-udp-threadpool runs them). The core exercise (TODO(07-...), the
# bounded queue) is graded by tests/07-udp-threadpool.bats.

load ../helper

setup_file() { kit_build 07-udp-threadpool; }

# burst N : N datagrams to the server at once, each from a new socket (the
# replies are not read: only the server's "New request" lines count).
burst() {
    local i
    for ((i = 1; i <= $1; i++)); do
        echo "burst $i" >"/dev/udp/127.0.0.1/$PORT"
    done
}

received() { grep -c '^New request:' "$SERVER_OUT" || true; }

@test "exercise 1: -Q 2 with one busy worker: the receiver takes only 3" {
    # One worker busy for 2 s with the first request, 2 in the queue: the
    # receiver waits for room (back-pressure) and the rest wait unread in
    # the socket's buffer.
    start_server 07-udp-threadpool -d 2000 -w 1 -Q 2
    burst 10
    sleep 0.8
    echo "received: $(received)"
    [ "$(received)" -eq 3 ]
    stop_server
    [ "$STOP_STATUS" -eq 0 ]
}

@test "exercise 1: the default queue (64) takes the whole burst at once" {
    start_server 07-udp-threadpool -d 2000 -w 1
    burst 10
    sleep 0.8
    echo "received: $(received)"
    [ "$(received)" -eq 10 ]
    stop_server
}

@test "exercise 1: -Q takes 1 to 1024 slots" {
    local q
    start_server 07-udp-threadpool -Q 1024
    stop_server
    for q in 0 1025 x; do
        run timeout 5 "$KIT_ROOT/07-udp-threadpool/server" -Q "$q" 0
        [ "$status" -eq 2 ] || { echo "-Q $q: status $status"; return 1; }
    done
}
