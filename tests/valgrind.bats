#!/usr/bin/env bats
# Every server under valgrind's memcheck: a scripted session (round trip,
# a few stress clients, a peer that resets, SIGTERM) must end with exit 0,
# no memory error and no definitely-lost byte. Workers and children are
# followed too (--trace-children=yes). Skipped without valgrind, and in
# sanitizer builds (ASan/TSan and valgrind cannot share a process).

load tcp_contract
load servers

# Every configuration of every upper server (tests/servers.bash).
KIT_VALGRIND_SERVERS=("${KIT_TCP_SERVERS[@]}" "${KIT_UDP_SERVERS[@]}")

setup_file() {
    kit_build tests/tools/peer
}

setup() {
    require_command valgrind valgrind
    if [[ -n "${SAN:-}" || " ${MAKEFLAGS:-} " == *" SAN="[a-z]* ]]; then
        skip "sanitizer build: valgrind runs only on plain builds"
    fi
    [ "${KIT_REPEAT:-0}" = 0 ] || skip "a repeat run: the plain make check runs valgrind"
}

# valgrind_logs_clean LABEL : fails, showing it, when valgrind logged
# anything (a memory error or a definite leak).
valgrind_logs_clean() {
    local log
    for log in "$BATS_TEST_TMPDIR"/valgrind*.log; do
        [ -s "$log" ] || continue
        echo "$1: valgrind reported:"
        cat "$log"
        return 1
    done
}

# memcheck_session FOLDER OPTIONS... : the scripted session under valgrind.
memcheck_session() {
    local folder=$1
    shift
    VALGRIND=1 start_server "$folder" -q -d 0 "$@"
    KIT_TIMEOUT=60 run_client "$folder" localhost "$PORT" <<<"under valgrind"
    [ "$output" = "Reply is 'UNDER VALGRIND'" ] || { echo "$folder: '$output'"; return 1; }
    KIT_TIMEOUT=60 run_client "$folder" -q -n 4 -r 4 localhost "$PORT"
    [ "$status" -eq 0 ] || { echo "$folder stress: $output"; return 1; }
    if [ "$(section_list "$folder" serves)" = tcp ]; then
        run_peer reset localhost "$PORT" 20000
    fi
    KIT_STOP_WAIT=30 stop_server TERM || return 1
    [ "$STOP_STATUS" -eq 0 ] || { echo "$folder: exit status $STOP_STATUS under valgrind"; cat "$BATS_TEST_TMPDIR"/valgrind*.log; return 1; }
    valgrind_logs_clean "$folder $*"
}

@test "every server ends a session under valgrind with no error and no leak" {
    for_each memcheck_session "${KIT_VALGRIND_SERVERS[@]}"
}
