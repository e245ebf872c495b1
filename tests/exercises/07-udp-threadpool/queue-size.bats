#!/usr/bin/env bats
# Grader of 07-udp-threadpool's graded extra queue-size (README, Exercises):
# -Q N sets the request queue's size (1 to 1024, default 64).

load ../../helper

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

# received_at_least N : true once the server has logged N requests; waits
# up to 2 s.
received_at_least() {
    local i
    for ((i = 0; i < 40; i++)); do
        [ "$(received)" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

@test "queue-size: -Q 2 with one busy worker: the receiver takes only 4" {
    # One worker busy for 3 s with the first request, 2 in the queue, and
    # one more in the receiver's hands, waiting for room (back-pressure):
    # the rest wait unread in the socket's buffer. Checked once the four
    # are in, and again a moment later, well within the 3 s.
    start_server 07-udp-threadpool -d 3000 -w 1 -Q 2
    burst 10
    received_at_least 4 || true
    sleep 0.3
    echo "received: $(received)"
    [ "$(received)" -eq 4 ]
    # The receiver waits for room until the worker takes the next request,
    # which it then works on: the stop can take two delays here.
    KIT_STOP_WAIT=10 stop_server
    [ "$STOP_STATUS" -eq 0 ]
}

@test "queue-size: the default queue (64) takes the whole burst at once" {
    start_server 07-udp-threadpool -d 2000 -w 1
    burst 10
    received_at_least 10 || true
    echo "received: $(received)"
    [ "$(received)" -eq 10 ]
    stop_server
}

@test "queue-size: -Q takes 1 to 1024 slots; 0, 1025 and x are usage errors" {
    local q
    start_server 07-udp-threadpool -Q 1024
    stop_server
    for q in 0 1025 x; do
        run timeout 5 "$KIT_ROOT/07-udp-threadpool/server" -Q "$q" 0
        [ "$status" -eq 2 ] || { echo "-Q $q: status $status"; return 1; }
    done
}
