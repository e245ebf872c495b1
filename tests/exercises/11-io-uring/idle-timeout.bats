#!/usr/bin/env bats
# Grader of the 11-io-uring extra "idle-timeout": `server -i SEC` drops a
# client that sent nothing for SEC seconds, with a timeout linked to each
# read (exercises/11-io-uring/idle-timeout.patch is one answer).

load ../../helper
load ../../io_uring

setup_file() { kit_build 11-io-uring; }

setup() { require_io_uring; }

# silent_client : connects, sends nothing, reads until the server closes
# (cat sees end of file) or `timeout` gives up (status 124).
silent_client() {
    # shellcheck disable=SC2016 # $1 is the inner bash's argument
    run timeout "$1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; cat <&3' _ "$PORT"
}

@test "-i 1 closes a silent client after about a second, and says why" {
    start_server 11-io-uring -d 0 -i 1
    local start ms
    start=$(date +%s%N)
    silent_client 6
    [ "$status" -eq 0 ]
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "closed after $ms ms"
    [ "$ms" -ge 900 ] && [ "$ms" -lt 4500 ]
    grep -q "idle for 1 s" "$SERVER_ERR"
}

@test "-i 1: a client sending a line every 0.4 s is never idle" {
    start_server 11-io-uring -d 0 -i 1
    run_client 11-io-uring 127.0.0.1 "$PORT" < <(for i in 1 2 3 4 5; do echo "line $i"; sleep 0.4; done)
    [ "$status" -eq 0 ]
    [ "$(grep -c "Reply is 'LINE" <<< "$output")" -eq 5 ]
    run ! grep -q "idle" "$SERVER_ERR"
}

@test "without -i a silent client stays connected" {
    start_server 11-io-uring -d 0
    silent_client 2
    [ "$status" -eq 124 ] # still open when timeout gave up
}

@test "-i takes 0 to 3600 seconds, anything else is a usage error" {
    local sec
    start_server 11-io-uring -i 3600
    stop_server
    for sec in -1 3601 x; do
        run timeout 5 "$KIT_ROOT/11-io-uring/server" -i "$sec" 0
        [ "$status" -eq 2 ] || { echo "-i $sec: status $status"; return 1; }
    done
}

@test "-i 1: 20 silent clients are all dropped, and the server still serves" {
    local i silent=()
    start_server 11-io-uring -d 0 -q -i 1
    for ((i = 0; i < 20; i++)); do
        # shellcheck disable=SC2016
        timeout 6 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; cat <&3' _ "$PORT" &
        silent+=("$!")
    done
    wait "${silent[@]}" # not the server, which `wait` alone would wait for
    [ "$(grep -c "idle for 1 s" "$SERVER_ERR")" -eq 20 ]
    run_client 11-io-uring 127.0.0.1 "$PORT" <<<"still serving"
    [ "$output" = "Reply is 'STILL SERVING'" ]
    stop_server
    [ "$STOP_STATUS" -eq 0 ]
}
