#!/usr/bin/env bats
# scripts/serve and scripts/stop trust only a PID directory that is the
# caller's own: not a symlink, owned by the caller, mode 700; and stop
# signals only a plain positive PID still running the program named beside
# it. Each test plants what another user could, then checks that nothing
# of the caller's was signalled.

load helper

setup_file() { kit_build 01-iterative; }

# A server that scripts/serve started (a broken serve starts one even in a
# planted directory) is stopped by its PID file, then the usual cleanup.
teardown() {
    local pidfile pid name
    for pidfile in "$BATS_TEST_TMPDIR"/serve/server.*.pid; do
        [ -f "$pidfile" ] && read -r pid name <"$pidfile" &&
            [ "$name" = server ] && kill "$pid" 2>/dev/null
    done
    kit_cleanup
}

# start_victim : a process of ours that a planted PID file names (sleep);
# sets VICTIM.
start_victim() {
    setsid sleep 60 </dev/null >/dev/null 2>&1 &
    VICTIM=$!
    KIT_GROUPS+=("$VICTIM")
}

# victim_alive : the victim was not signalled.
victim_alive() { ps -o stat= -p "$VICTIM" | grep -qv '^Z'; }

# plant DIR : a PID file in DIR naming the victim and its program.
plant() { echo "$VICTIM sleep" >"$1/server.planted.pid"; }

@test "scripts/stop refuses a PID directory that is a symlink" {
    start_victim
    mkdir -m 700 "$BATS_TEST_TMPDIR/elsewhere"
    plant "$BATS_TEST_TMPDIR/elsewhere"
    ln -s "$BATS_TEST_TMPDIR/elsewhere" "$BATS_TEST_TMPDIR/serve"
    KIT_SERVE_DIR="$BATS_TEST_TMPDIR/serve" run --separate-stderr timeout 20 "$KIT_ROOT/scripts/stop"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"refused"* ]]
    victim_alive
}

@test "scripts/stop refuses a PID directory open to others (not mode 700)" {
    start_victim
    mkdir -m 777 "$BATS_TEST_TMPDIR/serve"
    plant "$BATS_TEST_TMPDIR/serve"
    KIT_SERVE_DIR="$BATS_TEST_TMPDIR/serve" run --separate-stderr timeout 20 "$KIT_ROOT/scripts/stop"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"mode 700"* ]]
    victim_alive
}

@test "scripts/stop refuses a PID directory owned by another user" {
    [ "$(id -u)" -eq 0 ] || skip "giving a directory to another user needs root"
    start_victim
    mkdir -m 700 "$BATS_TEST_TMPDIR/serve"
    plant "$BATS_TEST_TMPDIR/serve"
    chown nobody "$BATS_TEST_TMPDIR/serve"
    KIT_SERVE_DIR="$BATS_TEST_TMPDIR/serve" run --separate-stderr timeout 20 "$KIT_ROOT/scripts/stop"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"not owned by you"* ]]
    victim_alive
}

@test "scripts/stop signals no PID that is not a plain positive number" {
    # "0" with no name: kill -TERM 0 would signal stop's own process group
    # (a new session here, so nothing else); "-1" would be every process
    # of ours, too dangerous to plant even in a test.
    mkdir -m 700 "$BATS_TEST_TMPDIR/serve"
    echo "0" >"$BATS_TEST_TMPDIR/serve/server.zero.pid"
    KIT_SERVE_DIR="$BATS_TEST_TMPDIR/serve" run --separate-stderr timeout 20 setsid -w "$KIT_ROOT/scripts/stop"
    echo "status $status, stderr: $stderr"
    [ "$status" -eq 1 ] # not 143: stop was not killed by its own SIGTERM
    [[ "$stderr" == *"does not hold a PID"* ]]
}

@test "scripts/serve refuses a PID directory another user planted under its name" {
    [ "$(id -u)" -eq 0 ] || skip "giving a directory to another user needs root"
    mkdir -m 777 "$BATS_TEST_TMPDIR/serve"
    chown nobody "$BATS_TEST_TMPDIR/serve"
    KIT_SERVE_DIR="$BATS_TEST_TMPDIR/serve" run --separate-stderr timeout 20 \
        "$KIT_ROOT/scripts/serve" "$KIT_ROOT/01-iterative/server" -d 0 0
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"not owned by you"* ]]
    # Nothing was started, and the directory was left as it was.
    [ -z "$(ls "$BATS_TEST_TMPDIR/serve")" ]
    [[ "$(ls -ld "$BATS_TEST_TMPDIR/serve")" == drwxrwxrwx* ]]
}

@test "scripts/serve makes its PID directory mode 700, and scripts/stop accepts it" {
    export KIT_SERVE_DIR="$BATS_TEST_TMPDIR/serve"
    (cd "$KIT_ROOT" && scripts/serve ./01-iterative/server -d 0 -q 0 >"$BATS_TEST_TMPDIR/log" 3>&-)
    [[ "$(ls -ld "$KIT_SERVE_DIR")" == drwx------* ]]
    run --separate-stderr timeout 20 "$KIT_ROOT/scripts/stop"
    [ "$status" -eq 0 ]
    grep -q '^shut down$' "$BATS_TEST_TMPDIR/log"
}
