#!/usr/bin/env bats
# Hostile input and faults, for every TCP server of the kit: what students
# do when they point nc, browsers and each other's programs at a server.
# Every server must keep serving, lose no reply, leak no descriptor and
# leave nothing behind.

load tcp_contract
load servers

setup_file() {
    kit_build tests/tools/peer tests/tools/udppeer tests/tools/holdmany
}

# --- the checks, one configuration at a time ---------------------------------

bad_command_lines() {
    local folder=$1 args
    for args in "" "abc" "70000" "-5" "12ab" "1 2" "-d -1 0" "-d 99999999999 0" "-Z 0"; do
        # shellcheck disable=SC2086
        run timeout 5 "$KIT_ROOT/$folder/server" $args
        [ "$status" -eq 2 ] || { echo "$folder server $args: status $status"; return 1; }
        [[ "$output" != *"listening on port"* ]]
    done
}

port_in_use() {
    local folder=$1
    shift
    start_server "$folder" -q "$@"
    run --separate-stderr timeout 5 "$KIT_ROOT/$folder/server" "$@" "$PORT"
    [ "$status" -eq 1 ] || { echo "$folder: status $status"; return 1; }
    [[ "$stderr" == *"Address"*"in use"* ]]
}

reset_mid_reply() {
    local folder=$1
    shift
    start_server "$folder" -q -d 0 "$@"
    # 4 MiB in, then RST while the server is still writing the reply.
    run_peer reset localhost "$PORT" 4194304
    run_peer reset localhost "$PORT" 100
    run_client "$folder" localhost "$PORT" <<<"after the reset"
    [ "$output" = "Reply is 'AFTER THE RESET'" ] || { echo "$folder: $output"; return 1; }
}

half_close_gets_every_reply() {
    local folder=$1 dir=$BATS_TEST_TMPDIR
    shift
    start_server "$folder" -q -d 0 "$@"
    head -c 300000 /dev/urandom >"$dir/in"
    timeout 20 "$KIT_ROOT/tests/tools/peer" halfclose localhost "$PORT" <"$dir/in" >"$dir/out"
    upper_reference "$dir/in" | cmp - "$dir/out"
}

ten_mebibytes_round_trip() {
    local folder=$1 dir=$BATS_TEST_TMPDIR
    shift
    start_server "$folder" -q -d 0 "$@"
    head -c 10485760 /dev/urandom >"$dir/in"
    timeout 60 "$KIT_ROOT/tests/tools/peer" halfclose localhost "$PORT" <"$dir/in" >"$dir/out"
    upper_reference "$dir/in" | cmp - "$dir/out"
}

non_reader_does_not_stall_others() {
    local folder=$1
    shift
    start_server "$folder" -q -d 0 "$@"
    # 8 MiB sent, nothing ever read, held for 3 s.
    timeout 10 "$KIT_ROOT/tests/tools/peer" noread localhost "$PORT" 8388608 3 &
    local hog=$!
    sleep 0.5
    if [[ "$KIT_SERIAL_SERVERS" == *" $folder "* ]] && [ $# -eq 0 ]; then
        # One client at a time: it waits for the hog to leave, then works.
        wait "$hog" || true
        run_client "$folder" localhost "$PORT" <<<"after the hog"
    else
        KIT_TIMEOUT=2 run_client "$folder" localhost "$PORT" <<<"beside the hog"
        kill "$hog" 2>/dev/null || true
    fi
    [[ "$output" == "Reply is 'AFTER THE HOG'" || "$output" == "Reply is 'BESIDE THE HOG'" ]] ||
        { echo "$folder $*: got '$output'"; return 1; }
}

descriptors_unchanged_after_5000_connections() {
    local folder=$1 before after
    shift
    start_server "$folder" -q -d 0 "$@"
    run_peer many localhost "$PORT" 50   # warm up (lazy allocations, workers)
    sleep 0.2
    before=$(fd_count "$SERVER_PID")
    # A fork per connection under ThreadSanitizer costs ~16 ms: 5,000 of
    # them need more than the usual 30 s, still bounded.
    KIT_TIMEOUT=$((KIT_TIMEOUT * KIT_SLOWDOWN)) run_peer many localhost "$PORT" "${HOSTILE_CONNECTIONS:-5000}"
    [ "$status" -eq 0 ] || { echo "$folder: $output"; return 1; }
    sleep 0.5
    after=$(fd_count "$SERVER_PID")
    [ "$before" -eq "$after" ] || { echo "$folder $*: $before fds before, $after after"; return 1; }
    [ "$(zombie_children "$SERVER_PID")" -eq 0 ] || { echo "$folder: zombies"; return 1; }
}

sigterm_with_clients_leaves_nothing() {
    local folder=$1 i
    shift
    start_server "$folder" -d 300 "$@"
    for i in 1 2 3; do
        timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 5 &
    done
    timeout 10 "$KIT_ROOT/$folder/client" localhost "$PORT" < <(echo busy; sleep 5) >/dev/null 2>&1 &
    sleep 0.5
    KIT_STOP_WAIT=4 stop_server TERM || return 1
    [ "$STOP_STATUS" -eq 0 ] || { echo "$folder: exit $STOP_STATUS"; return 1; }
    sleep 0.3
    [ -z "$(group_pids "$SERVER_PID")" ] || { echo "$folder: left $(group_pids "$SERVER_PID")"; return 1; }
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

sigkill_of_parent_ends_workers() {
    local folder=$1 i
    shift
    start_server "$folder" -q -d 0 "$@"
    sleep 0.3
    [ "$(group_pids "$SERVER_PID" | wc -l)" -gt 1 ] || { echo "$folder: no workers"; return 1; }
    kill -KILL "$SERVER_PID"
    # Within about a second (more under sanitizers: KIT_SLOWDOWN).
    for ((i = 0; i < 30 * KIT_SLOWDOWN; i++)); do
        [ -z "$(group_pids "$SERVER_PID")" ] && return 0
        sleep 0.05
    done
    echo "$folder $*: workers still alive $((15 * KIT_SLOWDOWN / 10)) s after the parent died: $(group_pids "$SERVER_PID")"
    return 1
}

# rss_kib PID : resident memory of a process, in KiB.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

udp_flood_keeps_memory_bounded() {
    local folder=$1 before after
    shift
    # Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
    # default) before it is reused, to catch use-after-free: with a request
    # allocated per datagram, RSS would measure the quarantine, not the
    # server. A 1 MiB quarantine keeps the check meaningful there too.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1" \
        start_server "$folder" -q -d 0 "$@"
    # Warm up: threads started, queues and buffers touched once.
    timeout 30 "$KIT_ROOT/tests/tools/udppeer" blast 127.0.0.1 "$PORT" 20000 100 || true
    sleep 0.5
    before=$(rss_kib "$SERVER_PID")
    timeout 60 "$KIT_ROOT/tests/tools/udppeer" blast 127.0.0.1 "$PORT" 200000 100 || true
    sleep 0.5
    after=$(rss_kib "$SERVER_PID")
    echo "$folder $*: RSS $before KiB before, $after KiB after 200,000 datagrams"
    # Within a few MiB: bounded queues, nothing kept per datagram. (Under
    # ThreadSanitizer RSS is mostly its shadow memory, which grows with the
    # heap every thread touches: only "still answering" is checked there.)
    [ "$KIT_SANITIZER" = thread ] || [ $((after - before)) -lt 4096 ] || return 1
    # And it still answers.
    KIT_TIMEOUT=10 run_client "$folder" localhost "$PORT" <<<"after the flood"
    [ "$output" = "Reply is 'AFTER THE FLOOD'" ]
}

# cpu_ticks PID : user + system CPU time of a whole process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

out_of_descriptors_does_not_spin() {
    local folder=$1 before after i
    shift
    require_command prlimit util-linux
    start_server "$folder" -q -d 0 "$@"
    # 32 descriptors for the running server, then 60 clients that stay.
    prlimit --pid "$SERVER_PID" --nofile=32:32
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" localhost "$PORT" 60 3 >"$BATS_TEST_TMPDIR/hold" &
    local holder=$!
    for ((i = 0; i < 100; i++)); do
        grep -q holding "$BATS_TEST_TMPDIR/hold" && break
        sleep 0.05
    done
    before=$(cpu_ticks "$SERVER_PID")
    sleep 2
    after=$(cpu_ticks "$SERVER_PID")
    # accept() failing with EMFILE while clients wait: a loop that retries
    # at once spins (about 200 ticks in 2 s); a paused one barely runs.
    echo "$folder $*: $((after - before)) CPU ticks in 2 s out of descriptors"
    [ $((after - before)) -lt $((40 * KIT_SLOWDOWN)) ] || return 1
    wait "$holder" || true
    KIT_TIMEOUT=10 run_client "$folder" localhost "$PORT" <<<"descriptors back"
    [ "$output" = "Reply is 'DESCRIPTORS BACK'" ]
}

# --- the tests -------------------------------------------------------------

@test "every server refuses bad command lines with status 2 and starts nothing" {
    for_each bad_command_lines "${KIT_TCP_SERVERS[@]}" "06-udp" "07-udp-threadpool"
}

@test "every server reports a port already in use with status 1" {
    for_each port_in_use "${KIT_TCP_SERVERS[@]}" "06-udp" "07-udp-threadpool"
}

@test "a peer that resets mid-reply costs only itself" {
    for_each reset_mid_reply "${KIT_TCP_SERVERS[@]}"
}

@test "a peer that half-closes still gets every reply, byte for byte" {
    for_each half_close_gets_every_reply "${KIT_TCP_SERVERS[@]}"
}

@test "10 MiB of random bytes come back exactly as the reference transform" {
    for_each ten_mebibytes_round_trip "${KIT_TCP_SERVERS[@]}"
}

@test "a peer that sends 8 MiB and never reads does not stall other clients" {
    for_each non_reader_does_not_stall_others "${KIT_TCP_SERVERS[@]}"
}

@test "5,000 short connections leave the descriptor count unchanged and no zombie" {
    for_each descriptors_unchanged_after_5000_connections "${KIT_TCP_SERVERS[@]}"
}

@test "SIGTERM with clients connected: shut down, exit 0, no process left" {
    for_each sigterm_with_clients_leaves_nothing "${KIT_TCP_SERVERS[@]}"
}

@test "SIGKILL of a prefork parent makes its workers exit by themselves" {
    for_each sigkill_of_parent_ends_workers "${KIT_PREFORK_SERVERS[@]}"
}

@test "a flood of 200,000 datagrams leaves a UDP server's memory bounded" {
    for_each udp_flood_keeps_memory_bounded "07-udp-threadpool" "07-udp-threadpool -w 2" "06-udp"
}

@test "out of descriptors (EMFILE), a server pauses instead of spinning, then serves again" {
    local configs=("02-thread" "02-thread -w 4" "04-prefork-pool -w 2" "08-select" "09-epoll")
    io_uring_unavailable >/dev/null || configs+=("11-io-uring")
    for_each out_of_descriptors_does_not_spin "${configs[@]}"
}
