#!/usr/bin/env bats
# Graders for the exercises of 09-epoll/README.md (make check-09-epoll runs
# them). The core exercise (TODO(09-epoll), read_from) is graded by
# tests/09-epoll.bats.

load ../helper
load idle

setup_file() { kit_build 09-epoll; }

@test "exercise 2: -i 1 closes a silent client after about a second" { idle_client_dropped 09-epoll; }
@test "exercise 2: a client that keeps talking is not closed" { talking_client_kept 09-epoll; }
@test "exercise 2: without -i a silent client stays connected" { silent_client_kept_by_default 09-epoll; }
@test "exercise 2: -i takes 0 to 3600 seconds" { idle_option_range 09-epoll; }

@test "exercise 2: -i works with workers (-w 2) and edge-triggered (-E)" {
    start_server 09-epoll -d 0 -i 1 -w 2 -E
    # shellcheck disable=SC2016 # $1 is the inner bash's argument
    run timeout 6 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; cat <&3' _ "$PORT"
    [ "$status" -eq 0 ]
    run_client 09-epoll localhost "$PORT" <<< "hola"
    [ "$status" -eq 0 ]
    [[ "$output" == *HOLA* ]]
}
