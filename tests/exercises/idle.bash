# tests/exercises/idle.bash - graders for the idle-timeout exercise (-i SEC)
# that 08-select and 09-epoll share.

# A client that connects and never sends: with -i 1 the server must close
# it (cat sees end of file) after about a second, and say why.
idle_client_dropped() {
    start_server "$1" -d 0 -i 1
    local start ms
    start=$(date +%s%N)
    # shellcheck disable=SC2016 # $1 is the inner bash's argument
    run timeout 6 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; cat <&3' _ "$PORT"
    [ "$status" -eq 0 ]
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "closed after $ms ms"
    [ "$ms" -ge 900 ] && [ "$ms" -lt 4500 ]
    grep -q "idle for 1 s" "$SERVER_ERR"
}

# A client sending a line every 0.4 s for 2 s is never idle for 1 s.
talking_client_kept() {
    start_server "$1" -d 0 -i 1
    run_client "$1" localhost "$PORT" < <(for i in 1 2 3 4 5; do echo "line $i"; sleep 0.4; done)
    [ "$status" -eq 0 ]
    [ "$(grep -c "Reply is 'LINE" <<< "$output")" -eq 5 ]
    run ! grep -q "idle" "$SERVER_ERR"
}

# Without -i nothing changes: a silent client stays connected.
silent_client_kept_by_default() {
    start_server "$1" -d 0
    # shellcheck disable=SC2016 # $1 is the inner bash's argument
    run timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; cat <&3' _ "$PORT"
    [ "$status" -eq 124 ] # still open when timeout gave up
}

# -i takes 0 to 3600: the ends start, anything else is a usage error.
idle_option_range() {
    local sec
    start_server "$1" -i 3600
    stop_server
    for sec in -1 3601 x; do
        run timeout 5 "$KIT_ROOT/$1/server" -i "$sec" 0
        [ "$status" -eq 2 ] || { echo "-i $sec: status $status"; return 1; }
    done
}
