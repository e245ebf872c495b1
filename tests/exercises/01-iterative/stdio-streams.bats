#!/usr/bin/env bats
# Grader of 01-iterative's graded extra stdio-streams (README, Exercises):
# `server -l` serves a line at a time through fdopen()ed streams (fgets,
# fputs), and every reply reaches the client as soon as it is ready.
# Solution: exercises/01-iterative/stdio-streams.patch.
#
# The kit's client sends no newline, so these tests talk to the server
# through bash's /dev/tcp, on a literal address.

load ../../helper

setup_file() { kit_build 01-iterative; }

# since START : seconds from $EPOCHREALTIME START until now.
since() {
    awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}

# reply_to LINE : sends LINE and its newline on descriptor 5, prints the
# line that comes back (fails after 3 s without one).
reply_to() {
    local reply
    printf '%s\n' "$1" >&5
    read -r -t 3 reply <&5 && echo "$reply"
}

# open_line_client : connects descriptor 5 to the server (3 is bats' own).
open_line_client() {
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
}

@test "-l: each line comes back in capitals while the connection stays open" {
    start_server 01-iterative -d 0 -l
    open_line_client
    [ "$(reply_to hola)" = "HOLA" ]
    [ "$(reply_to 'twenty tiny tigers')" = "TWENTY TINY TIGERS" ]
    exec 5<&-
}

@test "-l: two lines sent at once are two units of work, the first reply not held back" {
    start_server 01-iterative -d 300 -l
    open_line_client
    local start first second a b
    start=$EPOCHREALTIME
    printf 'one\ntwo\n' >&5
    read -r -t 3 a <&5
    first=$(since "$start")
    read -r -t 3 b <&5
    second=$(since "$start")
    exec 5<&-
    [ "$a" = "ONE" ] && [ "$b" = "TWO" ]
    # One unit of work per line, and flushed after each: the first reply
    # comes after one delay, the second a whole delay later (held back in
    # the stream's buffer, it would come with the second; one unit of work
    # for both lines, both after one delay). The gap, not an absolute
    # time, is the yardstick: a loaded machine may start the work late.
    echo "first after $first s, second after $second s"
    at_least "$first" 0.25
    at_least "$(awk -v a="$first" -v b="$second" 'BEGIN { print b - a }')" 0.2
}

@test "-l: a line sent in two pieces gets one reply, after its newline" {
    start_server 01-iterative -d 0 -l
    open_line_client
    local reply
    printf 'ho' >&5
    # Nothing comes back before the newline.
    run ! read -r -t 0.5 -N 1 reply <&5
    printf 'la\n' >&5
    read -r -t 3 reply <&5
    [ "$reply" = "HOLA" ]
    exec 5<&-
}

@test "-l: a client that leaves is logged, the next one is served" {
    start_server 01-iterative -d 0 -l
    local reply
    open_line_client
    exec 5<&-
    open_line_client
    reply=$(reply_to next)
    exec 5<&-
    [ "$reply" = "NEXT" ]
    local deadline=$((SECONDS + 3))
    until [ "$(grep -c '^Client disconnected: ' "$SERVER_OUT")" -eq 2 ]; do
        ((SECONDS < deadline)) || { cat "$SERVER_OUT"; false; }
        sleep 0.1
    done
}

@test "-l: 30 connections leave the server's descriptor count unchanged" {
    start_server 01-iterative -d 0 -q -l
    local before i reply
    before=$(fd_count "$SERVER_PID")
    for ((i = 0; i < 30; i++)); do
        open_line_client
        reply=$(reply_to x)
        exec 5<&-
        [ "$reply" = "X" ]
    done
    # The server closes the last one when it reads its end of file, soon
    # but not at once on a loaded machine: wait for the count to settle.
    local deadline=$((SECONDS + 5 * KIT_SLOWDOWN))
    until [ "$(fd_count "$SERVER_PID")" -eq "$before" ]; do
        ((SECONDS < deadline)) || { echo "$(fd_count "$SERVER_PID") descriptors, $before before"; return 1; }
        sleep 0.05
    done
}
