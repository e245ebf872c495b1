#!/usr/bin/env bats
# Graders for the exercises of 01-iterative/README.md (make check-01-iterative
# runs them). The core exercise (TODO(01-iterative)) is graded by
# tests/01-iterative.bats.

load ../helper

setup_file() { kit_build 01-iterative; }

@test "exercise 2: at shutdown the server says how many clients it served" {
    start_server 01-iterative -d 0
    local i
    for i in 1 2 3; do
        run_client 01-iterative localhost "$PORT" <<< "hola $i"
        [ "$status" -eq 0 ]
    done
    stop_server
    [ "$STOP_STATUS" -eq 0 ]
    grep -qx "served 3 clients" "$SERVER_OUT"
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
}

@test "exercise 2: one client is counted in the singular, none as 0" {
    start_server 01-iterative -d 0 -q
    stop_server
    grep -qx "served 0 clients" "$SERVER_OUT"
    start_server 01-iterative -d 0 -q
    run_client 01-iterative localhost "$PORT" <<< "hola"
    stop_server
    grep -qx "served 1 client" "$SERVER_OUT"
}
