# tests/chat.bash - helpers for the tests of 08-select/chat (08-select.bats
# and hostile-chat.bats): a server, members typing from FIFOs.

# wait_for FILE REGEX [SECONDS] : waits until a line of FILE matches.
wait_for() {
    local file=$1 regex=$2 i
    for ((i = 0; i < ${3:-10} * 20; i++)); do
        grep -Eq -- "$regex" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "no line matching '$regex' in $file:" >&2
    cat "$file" >&2 2>/dev/null
    return 1
}

# start_member NAME : a chat client reading the FIFO $dir/NAME.in (open it
# with `exec 7>...` to type), its output in $dir/NAME.out.
start_member() {
    local dir=$BATS_TEST_TMPDIR
    mkfifo "$dir/$1.in"
    setsid "$KIT_ROOT/08-select/chat" --name "$1" --port "$PORT" \
        <"$dir/$1.in" >"$dir/$1.out" 2>"$dir/$1.err" 3>&- 7>&- 8>&- &
    KIT_GROUPS+=("$!")
    MEMBER_PID=$!
}

# start_chat_pair : a chat server with members ana (type on fd 7) and bob
# (fd 8), both joined. Sets CHAT_OUT and CHAT_ERR (the server's output),
# CHAT_PID and BOB_PID.
start_chat_pair() {
    local dir=$BATS_TEST_TMPDIR
    start_program 08-select/chat --name server --port 0
    CHAT_OUT=$SERVER_OUT CHAT_ERR=$SERVER_ERR CHAT_PID=$SERVER_PID
    start_member ana
    exec 7>"$dir/ana.in"
    wait_for "$CHAT_OUT" '^\* ana joined$'
    start_member bob
    BOB_PID=$MEMBER_PID
    exec 8>"$dir/bob.in"
    wait_for "$dir/ana.out" '^\* bob joined$'
}

# silent_member NAME SEC : joins as NAME over bash's /dev/tcp, then never
# reads a byte for SEC seconds (in the background; its pid in SILENT_PID).
silent_member() {
    # shellcheck disable=SC2016 # $1.. belong to the inner shell
    setsid bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"; echo "$2" >&5; sleep "$3"' \
        _ "$PORT" "$1" "$2" 3>&- 7>&- 8>&- &
    KIT_GROUPS+=("$!")
    SILENT_PID=$!
}

# rss_kib PID : resident memory of a process, in KiB.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
