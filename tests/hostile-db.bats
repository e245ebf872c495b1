#!/usr/bin/env bats
# The hostile suite for 02-thread's dbserver, as tests/hostile.bats is for
# the upper servers: out of descriptors, idle, slow and never-reading
# clients, and the three defects an audit found (each test is named after
# its defect and printed the "before" figure on the old code).

# The inner bash scripts (bash -c '...') expand their own $1, $2.
# shellcheck disable=SC2016
load helper

setup_file() { kit_build 02-thread tests/tools/peer tests/tools/holdmany; }

start_db() { start_program 02-thread/dbserver -q "$@" 0; }

# cpu_ticks PID : user + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# ask REQUEST : one request over a fresh connection; $output holds the
# reply lines, $ELAPSED the seconds it took.
ask() {
    local start
    start=$(date +%s.%N)
    run --separate-stderr timeout "${KIT_TIMEOUT:-10}" "$KIT_ROOT/02-thread/dbclient" 127.0.0.1 "$PORT" <<<"$1"
    STATUS=$status
    ELAPSED=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
}

# flood ID COUNT : one connection sending COUNT ADD/DEL pairs on ID without
# waiting for the replies (they are read and thrown away), in the
# background; its PID in FLOOD_PIDS.
flood() {
    timeout 30 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        cat <&3 >/dev/null &
        for ((i = 0; i < $3; i++)); do printf "ADD %s 1 x\nDEL %s\n" "$2" "$2"; done >&3
        wait' flood "$PORT" "$1" "$2" &
    FLOOD_PIDS+=($!)
}

@test "EMFILE: dbserver out of descriptors pauses instead of spinning, then serves again" {
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_db
    prlimit --pid "$SERVER_PID" --nofile=32:32
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 60 3 >"$BATS_TEST_TMPDIR/hold" &
    local holder=$! before after i lines
    for ((i = 0; i < 100; i++)); do
        grep -q holding "$BATS_TEST_TMPDIR/hold" && break
        sleep 0.05
    done
    before=$(cpu_ticks "$SERVER_PID")
    sleep 2
    after=$(cpu_ticks "$SERVER_PID")
    lines=$(grep -c 'accept' "$SERVER_ERR" || true)
    echo "dbserver: $((after - before)) CPU ticks and $lines accept log lines in 2 s"
    # A loop that retries at once: ~75 ticks and ~250,000 lines in 2 s.
    [ $((after - before)) -lt $((40 * KIT_SLOWDOWN)) ]
    [ "$lines" -lt 200 ]
    wait "$holder" || true
    KIT_TIMEOUT=10 ask "GET nobody"
    [ "$output" = "ERR not found" ]
}

@test "LIST reply buffers: idle connections that each did one LIST on a full table hold little memory" {
    # ASan keeps freed memory in quarantine on purpose (256 MiB), and the
    # sanitizers' allocators map memory their own way: RSS proves nothing
    # there. The plain build is the one measured.
    [ -z "$KIT_SANITIZER" ] || skip "a sanitizer's allocator keeps freed memory"
    start_db
    # A full table (10,000 records, 200-byte names): a LIST is ~2.5 MiB.
    local name i n before after
    name=$(printf 'n%.0s' {1..200})
    for ((i = 0; i < 10000; i++)); do printf 'ADD id%d 30 %s\n' "$i" "$name"; done \
        >"$BATS_TEST_TMPDIR/fill"
    timeout 60 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; cat "$2" >&3 & head -n 10000 <&3 >/dev/null' \
        fill "$PORT" "$BATS_TEST_TMPDIR/fill"
    before=$(rss_kib "$SERVER_PID")
    # One LIST first, alone: had it gone through one buffer of the whole
    # table, freeing that buffer would raise glibc's mmap threshold, and
    # the 39 LISTs that follow at once, on as many threads (and malloc
    # arenas), would leave their buffers in those arenas for good.
    local -a idle=()
    for ((i = 0; i < 40; i++)); do
        timeout 30 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; printf "LIST\n" >&3
            head -n 10001 <&3 >/dev/null; echo done; sleep 20' idle "$PORT" >"$BATS_TEST_TMPDIR/idle$i" &
        idle+=($!)
        for ((n = 0; n < 300 && i == 0; n++)); do
            grep -q "done" "$BATS_TEST_TMPDIR/idle0" && break
            sleep 0.1
        done
    done
    for ((i = 0; i < 40; i++)); do
        for ((n = 0; n < 300; n++)); do
            grep -q "done" "$BATS_TEST_TMPDIR/idle$i" && break
            sleep 0.1
        done
    done
    sleep 0.5
    after=$(rss_kib "$SERVER_PID")
    kill "${idle[@]}" 2>/dev/null || true
    echo "dbserver: RSS $before KiB before, $after KiB with 40 idle connections after a LIST each"
    # A reply buffer never holds more than 16 KiB (DB_REPLY_PIECE_MAX) and
    # the snapshot is unmapped once sent: +3.7 MiB measured (40 threads'
    # stacks and buffers); one buffer of the whole table left +8.6 to
    # +46 MiB.
    [ $((after - before)) -lt $((6 * 1024)) ]
}

@test "membership lock: a LIST is answered while clients ADD and DEL in a loop" {
    # -d 20: each ADD and DEL holds the lock 20 ms, and four floods start
    # 5 ms apart, so their holds overlap and the lock always has a shared
    # holder, even when the machine's load pauses one flood (two were
    # enough for the audit on a quiet machine).
    start_db -d 20
    ask "ADD somebody 30 Ana"
    FLOOD_PIDS=()
    local id
    for id in a b c d; do
        flood "$id" 2000
        sleep 0.005
    done
    sleep 1
    KIT_TIMEOUT=10 ask "LIST"
    kill "${FLOOD_PIDS[@]}" 2>/dev/null || true
    echo "LIST took $ELAPSED s beside four ADD/DEL floods (status $STATUS)"
    [ "$STATUS" -eq 0 ]
    [ "${lines[0]:0:3}" = "OK " ]
    # Readers preferred (glibc's default): not answered within 8 s.
    less_than "$ELAPSED" $((2 * KIT_SLOWDOWN))
}

@test "100 idle clients do not keep dbserver from answering another" {
    start_db
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 100 3 >/dev/null &
    sleep 0.5
    KIT_TIMEOUT=2 ask "GET nobody"
    [ "$output" = "ERR not found" ]
}

@test "a slow client, one byte at a time, costs only itself" {
    start_db
    timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"
        for c in G E T " " x; do printf %s "$c" >&3; sleep 0.3; done; sleep 2' slow "$PORT" &
    sleep 0.4
    KIT_TIMEOUT=2 ask "ADD fast 20 Bo"
    [ "$output" = "OK" ]
}

@test "a client that sends LISTs and never reads does not stall the others, and SIGTERM still stops" {
    start_db
    ask "ADD somebody 30 Ana"
    # 20,000 LIST requests, no reply ever read: its thread blocks in write().
    timeout 20 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"
        for ((i = 0; i < 20000; i++)); do printf "LIST\n"; done >&3; sleep 10' hog "$PORT" &
    local hog=$!
    sleep 1
    KIT_TIMEOUT=2 ask "GET somebody"
    [ "$output" = "OK somebody 30 Ana" ]
    KIT_STOP_WAIT=5 stop_server TERM
    kill "$hog" 2>/dev/null || true
    [ "$STOP_STATUS" -eq 0 ]
}
