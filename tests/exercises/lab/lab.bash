# tests/exercises/lab/lab.bash - what the lab's five graders share
# (02-thread/db/README.md states the steps, CONTRACT.md §10 the protocol).
# Every grader runs the lab's own programs, 02-thread/dbserver and
# 02-thread/dbclient, on the loopback.

# Seconds one reply may take before a grader calls it missing: far more
# than any request needs, even under a sanitizer.
LAB_WAIT=$((10 * KIT_SLOWDOWN))

# start_db [OPTIONS...] : starts 02-thread/dbserver OPTIONS on port 0.
start_db() {
    start_program 02-thread/dbserver "$@" 0
}

# db LINES : dbclient with LINES on stdin (its scripted mode: no prompt,
# each reply line printed); bats' $output, $lines and $stderr hold the result.
db() {
    run --separate-stderr timeout "$LAB_WAIT" "$KIT_ROOT/02-thread/dbclient" 127.0.0.1 "$PORT" <<<"$1"
}

# expect_replies EXPECTED : the last db printed exactly EXPECTED, status 0.
expect_replies() {
    [ "$status" -eq 0 ] && [ "$output" = "$1" ] && return 0
    printf 'status %s; the replies were:\n%s\nexpected:\n%s\n' "$status" "$output" "$1"
    [ -z "${stderr:-}" ] || printf 'stderr: %s\n' "$stderr"
    return 1
}

# session FILE [GATE] : one connection that sends all of FILE's request
# lines at once and prints one reply line per request, in order (a client
# that pipelines; it costs far less than a dbclient). With GATE, a
# directory, it connects, says so with GATE/ready.PID, and sends only once
# GATE/go exists: see together.
session() {
    local sock line i count
    count=$(wc -l <"$1")
    exec {sock}<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    if [ -n "${2:-}" ]; then
        : >"$2/ready.$BASHPID"
        for ((i = 0; i < 100 * LAB_WAIT; i++)); do
            [ -e "$2/go" ] && break
            sleep 0.01
        done
    fi
    cat "$1" >&"$sock"
    for ((i = 1; i <= count; i++)); do
        IFS= read -r -t "$LAB_WAIT" line <&"$sock" || { echo "no reply to request $i of $count"; break; }
        printf '%s\n' "$line"
    done
    exec {sock}>&-
}

# together FILE... : one session per FILE, all connected first, then all
# sending at the same moment, so that their requests meet in the server.
# The replies to FILE go to FILE.replies; ELAPSED is the seconds from the
# start signal until the last reply.
together() {
    local gate file pids=() i start
    gate=$(mktemp -d "$BATS_TEST_TMPDIR/gate.XXXXXX")
    for file in "$@"; do
        session "$file" "$gate" >"$file.replies" &
        pids+=($!)
    done
    for ((i = 0; i < 100 * LAB_WAIT; i++)); do
        [ "$(find "$gate" -name 'ready.*' | wc -l)" -ge $# ] && break
        sleep 0.01
    done
    start=$(date +%s.%N)
    : >"$gate/go"
    wait "${pids[@]}"
    ELAPSED=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
}

# repeat N LINE... : the LINEs, N times over.
repeat() {
    local n=$1 i
    shift
    for ((i = 0; i < n; i++)); do printf '%s\n' "$@"; done
}

# eventually COMMAND... : true once COMMAND succeeds, trying for 5 s.
eventually() {
    local i
    for ((i = 0; i < 100; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    "$@"
}
