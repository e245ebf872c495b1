#!/usr/bin/env bats
# Grader of 01-iterative's graded extra served-count (README, Exercises):
# at shutdown the server says how many clients it served, on a line of its
# own before "shut down". Solution: exercises/01-iterative/served-count.patch.

load ../../helper

setup_file() { kit_build 01-iterative; }

@test "at shutdown the server says how many clients it served" {
    start_server 01-iterative -d 0
    local i
    for i in 1 2 3; do
        run_client 01-iterative localhost "$PORT" <<<"hola $i"
        [ "$status" -eq 0 ]
    done
    stop_server
    [ "$STOP_STATUS" -eq 0 ]
    grep -qx "served 3 clients" "$SERVER_OUT"
    [ "$(tail -n 2 "$SERVER_OUT" | head -n 1)" = "served 3 clients" ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

@test "one client is counted in the singular, none as 0 clients" {
    start_server 01-iterative -d 0 -q
    stop_server
    grep -qx "served 0 clients" "$SERVER_OUT"
    start_server 01-iterative -d 0 -q
    run_client 01-iterative localhost "$PORT" <<<"hola"
    stop_server
    grep -qx "served 1 client" "$SERVER_OUT"
}
