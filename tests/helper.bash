# tests/helper.bash - what every bats file of the kit loads.
#
#   load helper
#   start_server 01-iterative -d 50      # starts ./01-iterative/server -d 50 0
#   echo "$PORT"                          # the port from "listening on port N"
#   run_client 01-iterative localhost "$PORT" <<< "hola"
#   stop_server                           # SIGTERM, wait, report the status
#
# Servers run on port 0 (the kernel picks a free port), each in its own
# process group, and teardown kills whatever is left of every group it
# started, so a failed test never leaves a server behind. Environment:
#   VALGRIND=1   run servers under valgrind (memcheck, leak check)
#   KIT_TIMEOUT  seconds a client may take before `timeout` kills it (30)

bats_require_minimum_version 1.5.0

KIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KIT_ROOT
KIT_TIMEOUT="${KIT_TIMEOUT:-30}"

# Build the folder under test once per file: make is incremental, so this
# costs nothing after `make check` built everything, and lets a single file
# run on its own with `bats tests/03-fork.bats`.
# SAN and CC from the environment are passed on, so that
# `SAN=thread bats tests/02-thread.bats` tests a ThreadSanitizer build
# (under `make check SAN=thread` they arrive through MAKEFLAGS anyway).
kit_build() {
    make -s -C "$KIT_ROOT" ${SAN:+SAN="$SAN"} ${CC:+CC="$CC"} "$@" >/dev/null
}

# KIT_SLOWDOWN: how much longer than in a plain build a program may take to
# start, stop or die under a sanitizer or valgrind (LeakSanitizer checks
# every exiting process for leaks, valgrind runs everything ~20x slower).
# Only deadlines that are a promise about shutdown use it.
# KIT_SANITIZER: address, thread or empty, however make check was given it.
# Once set, it is exported and kept: a bats file that unsets SAN and
# MAKEFLAGS for its own scratch builds (build.bats) is read again for
# each of its tests, and must still know what build it runs in.
KIT_SANITIZER=${SAN:-${KIT_SANITIZER:-}}
if [ -z "$KIT_SANITIZER" ] && [[ " ${MAKEFLAGS:-} " =~ \ SAN=([a-z]+) ]]; then
    KIT_SANITIZER=${BASH_REMATCH[1]}
fi
if [ "${VALGRIND:-0}" = 1 ]; then
    KIT_SLOWDOWN=10
elif [ -n "$KIT_SANITIZER" ]; then
    KIT_SLOWDOWN=4
else
    KIT_SLOWDOWN=1
fi
export KIT_SLOWDOWN KIT_SANITIZER

# tooling_test: for the tests of the kit's tooling (the Makefile, bench/,
# scripts/, the documents) rather than of its C. A sanitizer changes
# nothing they check, and the C they happen to run is checked under every
# sanitizer by the folders' own tests, so `make check SAN=...` skips them
# and the plain `make check` runs them. KIT_REPEAT=1 marks a run that
# repeats the plain one with another compiler or libc (.ci/run's musl
# step): they skip there too, and so does the valgrind suite. Call it from
# setup(); setup_file() should `tooling_skipped && return 0` (bats cannot
# skip there).
tooling_skipped() {
    [ -n "$KIT_SANITIZER" ] || [ "${KIT_REPEAT:-0}" = 1 ]
}
tooling_test() {
    ! tooling_skipped || skip "tooling test: the plain make check runs it"
}

# require_command COMMAND PACKAGE : skip the test, naming the Debian
# package to install, when COMMAND is missing (make check lists them all).
require_command() {
    command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (apt-get install $2)"
}

# The groups this test started, killed by kit_cleanup.
KIT_GROUPS=()

# start_server FOLDER [OPTIONS...] : starts FOLDER/server OPTIONS 0 and waits
# (up to 10 s) for its "listening on port N" line. Sets PORT, SERVER_PID,
# SERVER_OUT and SERVER_ERR (files with its stdout and stderr).
start_server() {
    start_program "$1/server" "${@:2}" 0
}

# start_program PATH ARGS... : the same for any kit program that announces
# itself (chat, httpd...). KIT_READY_REGEX (an extended regex with one
# group) says what to wait for; default "^listening on port ([0-9]+)$".
# The group's text goes to READY_MATCH (and to PORT by default).
KIT_STARTED=0
start_program() {
    local program="$KIT_ROOT/$1"
    shift
    local ready=${KIT_READY_REGEX:-'^listening on port ([0-9]+)$'}
    # A counter that never goes back: a second server in the same test must
    # not find the first one's output file (and its port).
    KIT_STARTED=$((KIT_STARTED + 1))
    local n=$KIT_STARTED
    SERVER_OUT="$BATS_TEST_TMPDIR/server$n.out"
    SERVER_ERR="$BATS_TEST_TMPDIR/server$n.err"
    : >"$SERVER_OUT"
    : >"$SERVER_ERR"
    local -a wrapper=()
    if [ "${VALGRIND:-0}" = 1 ]; then
        wrapper=(valgrind -q --error-exitcode=99 --leak-check=full
                 --errors-for-leak-kinds=definite --show-leak-kinds=definite --trace-children=yes
                 --log-file="$BATS_TEST_TMPDIR/valgrind$n.%p.log")
    fi
    # setsid: the server leads its own process group, so that cleanup can
    # signal it and every child it forked in one kill.
    setsid "${wrapper[@]}" "$program" "$@" >"$SERVER_OUT" 2>"$SERVER_ERR" </dev/null &
    SERVER_PID=$!
    KIT_GROUPS+=("$SERVER_PID")
    local i
    READY_MATCH=""
    for ((i = 0; i < 200; i++)); do
        READY_MATCH=$(sed -nE "s/${ready//\//\\/}/\\1/p" "$SERVER_OUT" 2>/dev/null | head -n 1)
        if [ -n "$READY_MATCH" ]; then
            [ -n "${KIT_READY_REGEX:-}" ] || PORT=$READY_MATCH
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "$1 did not announce itself ($ready); stderr:" >&2
    cat "$SERVER_ERR" >&2
    return 1
}

# stop_server [SIGNAL] [PID] : sends SIGTERM (or SIGNAL) and waits up to
# KIT_STOP_WAIT seconds (default 5); sets STOP_STATUS to the exit status,
# or fails when the server did not exit in time.
stop_server() {
    local sig="${1:-TERM}" pid="${2:-$SERVER_PID}" i
    kill -s "$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < ${KIT_STOP_WAIT:-5} * 20; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            STOP_STATUS=$?
            return 0
        fi
        sleep 0.05
    done
    echo "server $pid did not exit within ${KIT_STOP_WAIT:-5} s after SIG$sig" >&2
    return 1
}

# run_client FOLDER ARGS... : bats `run` of FOLDER/client under timeout.
run_client() {
    run timeout "$KIT_TIMEOUT" "$KIT_ROOT/$1/client" "${@:2}"
}

# run_peer ARGS... : bats `run` of the misbehaving test peer (tools/peer.c).
run_peer() {
    run timeout "$KIT_TIMEOUT" "$KIT_ROOT/tests/tools/peer" "$@"
}

# run_program PATH ARGS... : bats `run` of any kit program under timeout.
run_program() {
    run timeout "$KIT_TIMEOUT" "$KIT_ROOT/$1" "${@:2}"
}

# group_pids PGID : the processes still alive in a process group. Zombies
# do not count: an orphan's zombie waits for init, which on some machines
# takes a moment, but it holds nothing (no port, no memory).
group_pids() {
    ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

# thread_count PID / fd_count PID / zombie_count : from /proc and ps.
thread_count() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }
# thread_count_is PID N : the process runs N threads of its own. ThreadSanitizer
# adds a background thread to a threaded program: N + 1 is accepted then.
thread_count_is() {
    local n
    n=$(thread_count "$1")
    [ "$n" -eq "$2" ] || { [ "$KIT_SANITIZER" = thread ] && [ "$n" -eq $(($2 + 1)) ]; } ||
        { echo "$n threads, expected $2"; return 1; }
}
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
zombie_children() { pgrep -c -r Z -P "$1" || true; }

# Waiting for a condition instead of sleeping a fixed time and hoping: on a
# loaded machine a fixed sleep is sometimes too short, and the test fails
# on a correct program.
# wait_until SECONDS COMMAND... : retries COMMAND every 50 ms until it
# succeeds, for up to SECONDS x KIT_SLOWDOWN; then runs it once more, so
# its status (and any message) is the verdict.
wait_until() {
    local tries=$(($1 * KIT_SLOWDOWN * 20)) i
    for ((i = 0; i < tries; i++)); do
        "${@:2}" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    "${@:2}"
}
# count_is N COMMAND... : COMMAND prints N lines.
count_is() { [ "$("${@:2}" | wc -l)" -eq "$1" ]; }
# value_is N COMMAND... : COMMAND prints the number N.
value_is() {
    local v
    v=$("${@:2}")
    [ "$v" -eq "$1" ] || { echo "$* : got $v" >&2; return 1; }
}
# established_to PORT : one line per client-side TCP connection to
# PORT the kernel has established (accepted or still queued).
established_to() {
    ss -Htn state established "( dport = :$1 )"
}
# settled_value SECONDS COMMAND... : prints COMMAND's number once it has
# given the same one 10 times in a row (half a second), for up to SECONDS
# x KIT_SLOWDOWN. For an exact count that a wrong program could pass on
# its way up (one thread too many per client): check the value it stops at.
settled_value() {
    local tries=$(($1 * KIT_SLOWDOWN * 20)) i last="" v same=0
    for ((i = 0; i < tries && same < 10; i++)); do
        v=$("${@:2}")
        if [ "$v" = "$last" ]; then same=$((same + 1)); else same=1; last=$v; fi
        sleep 0.05
    done
    echo "$last"
}

# elapsed COMMAND... : runs COMMAND, sets ELAPSED to the wall-clock seconds
# it took (as a decimal) and STATUS to its exit status.
elapsed() {
    local start end
    start=$(date +%s.%N)
    STATUS=0
    "$@" || STATUS=$?
    end=$(date +%s.%N)
    ELAPSED=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
}

# ratio_between VALUE EXPECTED LOW HIGH : true when LOW <= VALUE/EXPECTED <= HIGH.
ratio_between() {
    awk -v v="$1" -v e="$2" -v lo="$3" -v hi="$4" 'BEGIN { r = v / e; exit !(r >= lo && r <= hi) }'
}

# less_than A B : true when A < B; at_least A B : true when A >= B (decimals).
less_than() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}
at_least() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'
}

# summary_field NAME : a field of the stress summary line in $output, e.g.
# summary_field replies -> 80.
summary_field() {
    printf '%s\n' "$output" | tail -n 1 | tr ',' '\n' | awk -v k="$1" '$2 == k { print $1 }'
}

# upper_reference FILE : the reference transform, for comparisons.
upper_reference() {
    # shellcheck disable=SC2018,SC2019 # ASCII a-z only, as CONTRACT.md §3 says
    LC_ALL=C tr 'a-z' 'A-Z' <"$1"
}

kit_cleanup() {
    local pgid
    for pgid in "${KIT_GROUPS[@]}"; do
        kill -s KILL -- "-$pgid" 2>/dev/null || true
        wait "$pgid" 2>/dev/null || true
    done
    KIT_GROUPS=()
    if [ "${VALGRIND:-0}" = 1 ] && ls "$BATS_TEST_TMPDIR"/valgrind*.log >/dev/null 2>&1; then
        # Any non-empty valgrind log is a memory error or a definite leak.
        local log
        for log in "$BATS_TEST_TMPDIR"/valgrind*.log; do
            if [ -s "$log" ]; then
                cat "$log" >&2
                return 1
            fi
        done
    fi
}

teardown() {
    kit_cleanup
}
