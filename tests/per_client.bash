# tests/per_client.bash - checks shared by the servers that give each client
# a thread or a process of its own (02-thread, 03-fork): what a student can
# observe when clients really are served at once.

load tcp_contract

# skip_timing_under_valgrind : valgrind makes every fork and thread slow.
skip_timing_under_valgrind() {
    [ "${VALGRIND:-0}" != 1 ] || skip "timings mean nothing under valgrind"
}

# replies_interleave FOLDER [SERVER OPTIONS...] : 4 stress clients' replies
# mix (the opposite of 01-iterative, where each client's 8 form one block).
replies_interleave() {
    start_server "$1" -d 50 -q "${@:2}"
    run_client "$1" -n 4 localhost "$PORT"
    [ "$status" -eq 0 ]
    local changes
    changes=$(reply_blocks)
    # Served one after another it would be 4 blocks; at once, many more.
    [ "$changes" -gt 8 ] || { echo "only $changes runs of one client's replies"; return 1; }
}

# settled_fd_count PID EXPECTED : waits (up to 3 s) for the server's
# descriptor count to come back to EXPECTED; clients end asynchronously.
settled_fd_count() {
    local i
    for ((i = 0; i < 60; i++)); do
        [ "$(fd_count "$1")" -eq "$2" ] && return 0
        sleep 0.05
    done
    echo "descriptors: $(fd_count "$1"), expected $2" >&2
    ls -l "/proc/$1/fd" >&2
    return 1
}

# descriptors_unchanged FOLDER [SERVER OPTIONS...] : 100 connections in a
# row leave the server with as many open descriptors as before.
descriptors_unchanged() {
    start_server "$1" -d 0 -q "${@:2}"
    local before
    before=$(fd_count "$SERVER_PID")
    run_peer many localhost "$PORT" 100
    [ "$status" -eq 0 ]
    settled_fd_count "$SERVER_PID" "$before"
}

# hold_clients COUNT SECONDS : COUNT idle connections to $PORT, in the
# background, for SECONDS; their PIDs in HOLDERS.
hold_clients() {
    local i
    HOLDERS=()
    for ((i = 0; i < $1; i++)); do
        timeout 20 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" "$2" &
        HOLDERS+=($!)
    done
}

# shutdown_with_clients FOLDER [SERVER OPTIONS...] : SIGTERM while 5 idle
# clients and one busy client are connected: "shut down", status 0, in
# time, and nothing of the server's process group left.
shutdown_with_clients() {
    start_server "$1" -d 300 "${@:2}"
    hold_clients 5 10
    timeout 10 "$KIT_ROOT/$1/client" localhost "$PORT" <<<"busy" >/dev/null 2>&1 &
    sleep 0.5
    KIT_STOP_WAIT=3 stop_server TERM
    kill "${HOLDERS[@]}" 2>/dev/null || true
    # A sanitizer's report (a data race...) would make the status 66 or 1.
    [ "$STOP_STATUS" -eq 0 ] || { cat "$SERVER_ERR"; return 1; }
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    sleep 0.2
    [ -z "$(group_pids "$SERVER_PID")" ] || { ps -f -g "$SERVER_PID"; return 1; }
}

# reply_finished_at_shutdown FOLDER [SERVER OPTIONS...] : a client whose
# request is being worked on when SIGTERM comes still gets its reply.
reply_finished_at_shutdown() {
    start_server "$1" -d 600 -q "${@:2}"
    ( sleep 0.3; kill -TERM "$SERVER_PID" ) &
    local killer=$!
    run_client "$1" localhost "$PORT" <<<"finish me"
    wait "$killer"
    [ "$status" -eq 0 ]
    [ "$output" = "Reply is 'FINISH ME'" ]
    # Signal 0: only wait for the exit. A second SIGTERM would take the
    # stop handler's escape hatch (default action) if the server is slow.
    stop_server 0
    [ "$STOP_STATUS" -eq 0 ]
}

# wait_for_log FILE PATTERN COUNT : waits (5 s) until FILE has COUNT lines
# matching PATTERN.
wait_for_log() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}

# shutdown_with_stuck_writer FOLDER [SERVER OPTIONS...] : a client that
# keeps sending and never reads leaves the server blocked in write() on its
# reply (both directions' buffers full); SIGTERM must still end everything
# within about a second.
shutdown_with_stuck_writer() {
    start_server "$1" -q -d 0 "${@:2}"
    # bash's /dev/tcp: a blocking writer that never reads.
    ( exec 3<>"/dev/tcp/127.0.0.1/$PORT" && head -c 268435456 /dev/zero >&3 ) 2>/dev/null &
    local stuck=$!
    sleep 1.5
    KIT_STOP_WAIT=4 stop_server TERM || { kill "$stuck"; return 1; }
    kill "$stuck" 2>/dev/null || true
    [ "$STOP_STATUS" -eq 0 ] || { cat "$SERVER_ERR"; return 1; }
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    sleep 0.2
    [ -z "$(group_pids "$SERVER_PID")" ] || { ps -f -g "$SERVER_PID"; return 1; }
}
