# bench/tables.sh - the main tables of `make bench` (sourced by bench.sh):
# every server with its own folder's client (stress), every TCP server
# under bench/connload (a connection per request), and the CPU per
# request again with the other placement.
#
#   main_tables; other_placement_tables
#
main_tables() {
    echo "== stress clients, one connection each, delay 0, placement $PLACEMENT"
    stress_servers main
    echo
    echo "== connection per request (bench/connload), delay 0, placement $PLACEMENT"
    conn_servers conn "$CONN_LEVELS"
}

# pick_levels LIST ONLY : ONLY when given, else the levels of LIST this
# run can hold.
pick_levels() {
    if [ -n "$2" ]; then echo "$2"; else levels_for "$1"; fi
}

# stress_servers TABLE [LEVEL] : every server with its own folder's client,
# at each level its model holds (or only at LEVEL).
stress_servers() {
    local table=$1 only=${2:-}
    bench_server "$table" 01-iterative "" "iterative" \
        "$(pick_levels "1 10 100" "$only")" "$KIT_ROOT/01-iterative/client"
    bench_server "$table" 02-thread "-w 0" "thread per client" \
        "$(pick_levels "1 10 100 1000" "$only")" "$KIT_ROOT/02-thread/client"
    bench_server "$table" 03-fork "" "process per client" \
        "$(pick_levels "1 10 100" "$only")" "$KIT_ROOT/03-fork/client"
    bench_server "$table" 04-prefork-pool "" "prefork, parent hands out" \
        "$(pick_levels "1 10 100" "$only")" "$KIT_ROOT/04-prefork-pool/client"
    bench_server "$table" 05-prefork-accept "" "prefork, workers accept" \
        "$(pick_levels "1 10 100" "$only")" "$KIT_ROOT/05-prefork-accept/client"
    bench_server "$table" 06-udp "" "UDP, one loop" \
        "$(pick_levels "1 10 100" "$only")" "$KIT_ROOT/06-udp/client"
    bench_server "$table" 07-udp-threadpool "" "UDP, thread pool" \
        "$(pick_levels "1 10 100" "$only")" "$KIT_ROOT/07-udp-threadpool/client"
    # 1,000 connections leave room below FD_SETSIZE (1,024) for the
    # listening socket and stdio.
    bench_server "$table" 08-select "" "select loop" \
        "$(pick_levels "1 10 100 1000" "$only")" "$KIT_ROOT/08-select/client"
    bench_server "$table" 09-epoll "-w 0" "epoll loop" \
        "$(pick_levels "1 10 100 1000 10000" "$only")" "$KIT_ROOT/09-epoll/client"
    if ! io_uring_unavailable >/dev/null; then
        bench_server "$table" 11-io-uring "" "io_uring loop" \
            "$(pick_levels "1 10 100 1000" "$only")" "$KIT_ROOT/11-io-uring/client"
    else
        note "11-io-uring: not available here ($(io_uring_unavailable)): no row"
    fi
}

# conn_servers TABLE LEVELS : the connection-per-request table.
conn_servers() {
    local table=$1 levels=$2 conn="$KIT_ROOT/bench/connload"
    bench_server "$table" 01-iterative "" "iterative" "$levels" "$conn"
    bench_server "$table" 02-thread "-w 0" "thread per connection" "$levels" "$conn"
    bench_server "$table" 02-thread "-w 10" "prethreaded, 10 threads" "$levels" "$conn"
    bench_server "$table" 03-fork "" "process per connection" "$levels" "$conn"
    bench_server "$table" 04-prefork-pool "" "prefork, parent hands out" "$levels" "$conn"
    bench_server "$table" 05-prefork-accept "" "prefork, workers accept" "$levels" "$conn"
    bench_server "$table" 09-epoll "-w 0" "epoll loop" "$levels" "$conn"
}

# other_placement_tables : CPU per request depends on where the threads
# run as much as on the model. A hand-off between two threads on one CPU
# is a context switch; across two CPUs it is also a wake-up of the other
# CPU (an interprocessor interrupt: dear in a virtual machine). So the
# two CPU comparisons (stress at 1 client, connection per request at 10)
# are measured again with the other placement, and both are reported.
other_placement_tables() {
    local saved=$PLACEMENT place
    for place in $YARD_PLACEMENTS; do
        [ "$place" != "$saved" ] || continue
        PLACEMENT=$place
        echo
        echo "== CPU per request again, placement $PLACEMENT: stress at 1 client, connection per request at 10"
        stress_servers cpu 1
        conn_servers cpuconn 10
        PLACEMENT=$saved
        OTHER_PLACEMENT=$place
    done
}
