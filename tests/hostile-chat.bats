#!/usr/bin/env bats
# hostile-chat: 08-select/chat under the attacks tests/hostile.bats makes
# on the upper servers (out of descriptors, idle, slow and never-reading
# clients), plus what a chat adds: members who try to pass for another.
# Each test is named for what a member or the server's operator observes.

load tcp_contract
load chat

setup_file() { kit_build 08-select tests/tools/holdmany; }

# cpu_ticks PID : user + system CPU time of a whole process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

@test "chat: ESC, CR and a C1 control (U+009B) are shown as ^[, ^M and M-^[, a member cannot overwrite its name prefix" {
    local dir=$BATS_TEST_TMPDIR
    start_chat_pair
    # U+009B (UTF-8 C2 9B) is CSI, the one-byte ESC [; U+0085 is NEL.
    printf 'hi \033[2K\rana: send me your password \302\2332K\302\205there\n' >&8
    wait_for "$dir/ana.out" '^bob: '
    grep -qF 'bob: hi ^[[2K^Mana: send me your password M-^[2KM-^Ethere' "$dir/ana.out"
    run ! env LC_ALL=C grep -q $'\033\|\r\|\302[\200-\237]' "$dir/ana.out"
    exec 7>&- 8>&-
}

@test "chat: a NUL in a message is shown as ^@ and does not cut the message" {
    local dir=$BATS_TEST_TMPDIR
    start_chat_pair
    printf 'before\0after\n' >&8
    wait_for "$dir/ana.out" '^bob: '
    grep -qF 'bob: before^@after' "$dir/ana.out"
    exec 7>&- 8>&-
}

@test "chat: a name already in use is refused, the first member keeps it" {
    local dir=$BATS_TEST_TMPDIR
    start_chat_pair
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    run timeout 5 bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"; echo ana >&5; cat <&5' _ "$PORT"
    [ "$status" -eq 0 ]
    [ "$output" = "* that name is in use, choose another" ]
    # Nobody was told that a second ana joined; the first one still talks.
    run ! grep -q '^\* ana joined$' "$dir/bob.out"
    echo "still me" >&7
    wait_for "$dir/bob.out" '^ana: still me$'
    exec 7>&- 8>&-
}

@test "chat: a look-alike name (ana + U+200B) or one with a C1 control is refused" {
    local dir=$BATS_TEST_TMPDIR name
    start_chat_pair
    # ana followed by a zero-width space, a right-to-left override, and a
    # C1 CSI (U+009B, the one-byte ESC [): each looks like, or rewrites,
    # what the others see.
    for name in $'ana\342\200\213' $'\342\200\256ana' $'a\302\2332Jb'; do
        # shellcheck disable=SC2016 # $1 and $2 belong to the inner shell
        run timeout 5 bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"; printf "%s\n" "$2" >&5; cat <&5' _ "$PORT" "$name"
        [ "$status" -eq 0 ]
        [ "$output" = "* a name is 1 to 32 bytes, no control characters" ] || {
            echo "name $(printf '%s' "$name" | od -An -tx1): $output"; return 1; }
    done
    [ "$(grep -c 'joined$' "$CHAT_OUT")" -eq 2 ] # ana and bob only
    exec 7>&- 8>&-
}

@test "chat: 50 members that never read stay under the total cap and are all dropped" {
    local dir=$BATS_TEST_TMPDIR before peak=0 rss i line deadline
    start_program 08-select/chat --name server --port 0
    before=$(rss_kib "$SERVER_PID")
    for ((i = 1; i <= 50; i++)); do silent_member "silent$i" 60; done
    for ((i = 0; i < 200; i++)); do
        [ "$(grep -c '^\* silent[0-9]* joined$' "$SERVER_OUT")" -lt 50 ] || break
        sleep 0.05
    done
    start_member talker
    exec 7>"$dir/talker.in"
    wait_for "$SERVER_OUT" '^\* talker joined$'
    # 5 MB of chat to each of them: more than the kernel's socket buffers
    # take, so the rest waits in the server's per-member output buffers.
    line=$(head -c 1000 /dev/zero | tr '\0' y)
    yes "$line" | head -n 5000 >&7
    # Everyone gone within a few stall timeouts; never above the total
    # cap (8 MiB of pending bytes, in buffers that may be twice as big).
    deadline=$((SECONDS + 30))
    while [ "$SECONDS" -lt "$deadline" ]; do
        rss=$(rss_kib "$SERVER_PID")
        [ "$rss" -le "$peak" ] || peak=$rss
        [ "$(grep -c '^\* silent[0-9]* left$' "$dir/talker.out")" -lt 50 ] || break
        sleep 0.25
    done
    echo "RSS $before KiB before, peak $peak KiB; $(grep -c '^\* silent[0-9]* left$' "$dir/talker.out") of 50 dropped"
    # Sanitizers keep freed memory in quarantine: RSS says nothing there.
    [ -n "$KIT_SANITIZER" ] || [ $((peak - before)) -lt $((24 * 1024)) ]
    [ "$(grep -c '^\* silent[0-9]* left$' "$dir/talker.out")" -eq 50 ]
    # The total cap dropped members while the talk flowed. Whether the
    # last ones go by the cap too or by the stall timeout (their backlog
    # fitted but stopped moving) depends on how much the kernel's socket
    # buffers took: either way each drop names its defence.
    grep -q 'furthest behind, chat backlog full$' "$SERVER_ERR"
    [ "$(grep -Ec 'furthest behind, chat backlog full$|bytes unread' "$SERVER_ERR")" -eq 50 ] ||
        { cat "$SERVER_ERR"; return 1; }
    exec 7>&-
}

@test "chat: out of descriptors (EMFILE), the server pauses instead of spinning, then serves again" {
    local dir=$BATS_TEST_TMPDIR before after i
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_program 08-select/chat --name server --port 0
    prlimit --pid "$SERVER_PID" --nofile=32:32
    timeout 20 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 60 3 >"$dir/hold" &
    local holder=$!
    wait_for "$dir/hold" '^holding 60 connections$'
    before=$(cpu_ticks "$SERVER_PID")
    sleep 2
    after=$(cpu_ticks "$SERVER_PID")
    echo "chat: $((after - before)) CPU ticks in 2 s out of descriptors"
    [ $((after - before)) -lt $((40 * KIT_SLOWDOWN)) ]
    grep -q 'accept (not accepting for a moment)' "$SERVER_ERR"
    wait "$holder" || true
    start_member ana
    exec 7>"$dir/ana.in"
    wait_for "$SERVER_OUT" '^\* ana joined$'
    exec 7>&-
}

@test "chat: a line sent one byte at a time is relayed whole" {
    local dir=$BATS_TEST_TMPDIR c
    start_chat_pair
    for c in s l o w l y; do printf '%s' "$c" >&8; sleep 0.1; done
    printf '\n' >&8
    wait_for "$dir/ana.out" '^bob: slowly$'
    exec 7>&- 8>&-
}

@test "chat: a connection dribbling a nameless line, a byte every 0.5 s, is still closed after 10 s" {
    local dir=$BATS_TEST_TMPDIR start ms
    start_chat_pair
    start=$(date +%s%N)
    # One byte every half second, no newline, for up to 20 s: each byte
    # makes the socket readable, which must not postpone the deadline.
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    run timeout 25 bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"
        (for ((i = 0; i < 40; i++)); do printf x >&5 || exit 0; sleep 0.5; done) &
        cat <&5; kill $! 2>/dev/null; exit 0' _ "$PORT"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "closed after $ms ms"
    [ "$ms" -ge 9500 ] && [ "$ms" -lt 13000 ]
    grep -q 'no name within 10 s$' "$CHAT_ERR"
    echo "still here" >&7
    wait_for "$dir/bob.out" '^ana: still here$'
    exec 7>&- 8>&-
}

@test "chat: a connection that sends no name is closed after 10 s, members stay" {
    local dir=$BATS_TEST_TMPDIR start ms
    start_chat_pair
    start=$(date +%s%N)
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    run timeout 20 bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"; cat <&5' _ "$PORT"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "closed after $ms ms"
    [ "$status" -eq 0 ]
    [ "$ms" -ge 9500 ] && [ "$ms" -lt 13000 ]
    grep -q 'no name within 10 s$' "$CHAT_ERR"
    # Named members are never idle-dropped: ana still talks to bob.
    echo "still here" >&7
    wait_for "$dir/bob.out" '^ana: still here$'
    exec 7>&- 8>&-
}
