#!/usr/bin/env bats
# Grader of 05-prefork-accept's graded extra served-per-worker (README,
# Exercises): at shutdown every worker says how many clients it accepted
# and served, "worker PID served N clients", before the parent's "shut
# down"; the counts add up to the connections made, with and without -p.
# Solution: exercises/05-prefork-accept/served-per-worker.patch.

load ../../helper

setup_file() { kit_build 05-prefork-accept tests/tools/peer; }

F=05-prefork-accept

# workers : the live children of the server.
workers() {
    ps -o pid=,stat= --ppid "$SERVER_PID" | awk '$2 !~ /^Z/ { print $1 }' | sort
}

# served_lines_add_up N : one line per worker (the ones in $BATS_TEST_TMPDIR/
# workers), each before "shut down", and their counts add up to N.
served_lines_add_up() {
    local total
    sed -n 's/^worker \([0-9]*\) served [0-9]* clients\{0,1\}$/\1/p' "$SERVER_OUT" | sort >"$BATS_TEST_TMPDIR/said"
    diff "$BATS_TEST_TMPDIR/workers" "$BATS_TEST_TMPDIR/said" || { cat "$SERVER_OUT"; return 1; }
    total=$(sed -n 's/^worker [0-9]* served \([0-9]*\) clients\{0,1\}$/\1/p' "$SERVER_OUT" | awk '{ s += $1 } END { print s + 0 }')
    [ "$total" -eq "$1" ] || { echo "served $total in all, not $1"; return 1; }
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

# connect_and_stop N [OPTIONS...] : N connections to a server started with
# OPTIONS, then SIGTERM.
connect_and_stop() {
    local n=$1
    start_server $F -d 0 -q "${@:2}"
    local i
    for ((i = 0; i < 40; i++)); do
        [ -n "$(workers)" ] && break
        sleep 0.05
    done
    run timeout 10 "$KIT_ROOT/tests/tools/peer" many 127.0.0.1 "$PORT" "$n"
    [ "$status" -eq 0 ]
    sleep 0.3
    workers >"$BATS_TEST_TMPDIR/workers"
    stop_server
    [ "$STOP_STATUS" -eq 0 ]
}

@test "at shutdown each of 3 workers says how many of 20 clients it served" {
    connect_and_stop 20 -w 3
    [ "$(wc -l <"$BATS_TEST_TMPDIR/workers")" -eq 3 ]
    served_lines_add_up 20
}

@test "-p: with a socket per worker the counts add up too" {
    connect_and_stop 30 -w 4 -p
    [ "$(wc -l <"$BATS_TEST_TMPDIR/workers")" -eq 4 ]
    served_lines_add_up 30
}

@test "one worker, one client: served 1 client, in the singular" {
    connect_and_stop 1 -w 1
    grep -qx "worker $(cat "$BATS_TEST_TMPDIR/workers") served 1 client" "$SERVER_OUT"
}
