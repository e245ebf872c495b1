# bench/yardsticks.sh - the yardstick runs of `make bench` (sourced by
# bench.sh): each kit server beside the barest program that does the same
# job (bench/pingpong, bench/echoloop), same placement, runs alternating;
# and the client-doubling check (is the load client the bottleneck?).
#
#   yardsticks       # every pair, at each of YARD_PLACEMENTS, then the rest
#
# pair KEY_A LABEL_A SERVER_A KEY_B LABEL_B SERVER_B C PLACEMENT CLIENT_A
# CLIENT_B : starts both servers with the same placement, sizes the runs on
# A (the yardstick) and alternates A and B run by run, so that a change in
# the machine's load hits both sides alike.
pair() {
    local key_a=$1 label_a=$2 server_a=$3 key_b=$4 label_b=$5 server_b=$6
    local c=$7 place=$8 client_a=$9 client_b=${10} pid_a port_a pid_b port_b r run
    # shellcheck disable=SC2046,SC2086
    server_start "$BENCH_TMP/ya" $(pin "$place") $server_a || return 1
    pid_a=$SERVER_PID port_a=$SERVER_PORT
    # shellcheck disable=SC2046,SC2086
    if ! server_start "$BENCH_TMP/yb" $(pin "$place") $server_b; then
        server_stop "$pid_a"
        return 1
    fi
    pid_b=$SERVER_PID port_b=$SERVER_PORT
    calibrate "$place" "$c" "$port_a" "$client_a"
    r=$ROUNDS
    for ((run = 1; run <= RUNS; run++)); do
        measure "$key_a" "$label_a" yardstick "$c" "$r" "$run" "$place" \
            "$port_a" "$pid_a" "$client_a"
        measure "$key_b" "$label_b" kit "$c" "$r" "$run" "$place" \
            "$port_b" "$pid_b" "$client_b"
    done
    progress "$key_a" "$label_a, $c x $r, $place"
    progress "$key_b" "$label_b, $c x $r, $place"
    server_stop "$pid_a" || note "$label_a did not exit 0 on SIGTERM"
    server_stop "$pid_b" || note "$label_b did not exit 0 on SIGTERM"
}

yardsticks() {
    local place c goal driver="$KIT_ROOT/09-epoll/client"
    echo
    echo "== yardsticks (same placement for both sides, alternating runs)"
    for place in $YARD_PLACEMENTS; do
        pair "yard|pingpong|1|$place" "bench/pingpong" \
            "$KIT_ROOT/bench/pingpong -s 0" \
            "yard|01-iterative|1|$place" "01-iterative" \
            "$KIT_ROOT/01-iterative/server -q -d 0 0" 1 "$place" \
            "$KIT_ROOT/bench/pingpong" "$KIT_ROOT/01-iterative/client"
        compare "01-iterative c=1 / bare ping-pong" "yard|01-iterative|1|$place" \
            "yard|pingpong|1|$place" "$place" ">= 0.9"
        pair "yard|echoloop|100|$place" "bench/echoloop" \
            "$KIT_ROOT/bench/echoloop 0" \
            "yard|09-epoll -w 0|100|$place" "09-epoll -w 0" \
            "$KIT_ROOT/09-epoll/server -w 0 -q -d 0 0" 100 "$place" \
            "$driver" "$driver"
        compare "09-epoll c=100 / bare epoll loop" "yard|09-epoll -w 0|100|$place" \
            "yard|echoloop|100|$place" "$place" ">= 0.9"
        for c in 10 100; do
            [ "$QUICK" = 0 ] || [ "$c" = 100 ] || continue
            # The echo loop's runs here are keyed apart from those
            # against 09: each ratio uses the runs alternating with it.
            pair "yard|echoloop, for 02|$c|$place" "bench/echoloop" \
                "$KIT_ROOT/bench/echoloop 0" \
                "yard|02-thread -w 0|$c|$place" "02-thread -w 0" \
                "$KIT_ROOT/02-thread/server -w 0 -q -d 0 0" "$c" "$place" \
                "$driver" "$driver"
            # At 100 clients a thread per client sleeps and is woken once
            # per request where the loop serves many per wake-up: the
            # price of the model, shown without a target.
            goal=">= 0.7"
            [ "$c" = 10 ] || goal="the price of the model"
            compare "02-thread c=$c / bare epoll loop" \
                "yard|02-thread -w 0|$c|$place" "yard|echoloop, for 02|$c|$place" \
                "$place" "$goal"
        done
    done
    client_doubling
    nginx_vs_httpd
}

# client_doubling : is the load client the bottleneck? The same server and
# concurrency, driven by one client process and then by two (half the
# connections each, started together): if two processes do not raise the
# aggregate rate, one client was enough.
client_doubling() {
    local folder=09-epoll options="-w 0" c=100 place=$PLACEMENT r run ratio
    local label="$folder${options:+ $options}" client="$KIT_ROOT/$folder/client"
    # shellcheck disable=SC2046,SC2086
    server_start "$BENCH_TMP/dbl" $(pin "$place") "$KIT_ROOT/$folder/server" \
        $options -q -d 0 0 || return 1
    calibrate "$place" "$c" "$SERVER_PORT" "$client"
    r=$ROUNDS
    for ((run = 1; run <= RUNS; run++)); do
        measure "double|one client|$c|$place" "$label, 1 client process" \
            kit "$c" "$r" "$run" "$place" "$SERVER_PORT" "$SERVER_PID" "$client"
        two_clients "double|two clients|$c|$place" "$label, 2 client processes" \
            "$c" "$r" "$run" "$place" "$SERVER_PORT" "$SERVER_PID" "$client"
    done
    progress "double|one client|$c|$place" "$label, 1 client x $c"
    progress "double|two clients|$c|$place" "$label, 2 clients x $((c / 2))"
    server_stop "$SERVER_PID" || note "$label did not exit 0 on SIGTERM"
    ratio=$(ratio_of "double|two clients|$c|$place" "double|one client|$c|$place")
    target "$label c=$c: 2 client processes / 1" "$place" \
        "$(median_of "double|two clients|$c|$place")" \
        "$(median_of "double|one client|$c|$place")" "$ratio" \
        "$(switches_of "double|two clients|$c|$place")" "<= 1.1" "$ratio"
}

# two_clients KEY LABEL C R RUN PLACEMENT PORT PGID CLIENT : two client
# processes of C/2 connections at once; the aggregate rate is all replies
# over the longer of the two elapsed times. Appended to ROWS like measure.
two_clients() {
    local key=$1 label=$2 c=$3 r=$4 run=$5 place=$6 port=$7 pgid=$8 client=$9
    local half=$((c / 2)) before after status l1 l2 sw0 sw1
    before=$(group_ticks "$pgid")
    sw0=$(machine_switches)
    start_client "$place" "$half" "$r" "$port" "$BENCH_TMP/two1.out" "$client"
    start_client "$place" "$half" "$r" "$port" "$BENCH_TMP/two2.out" "$client"
    wait_jobs
    status=$?
    sw1=$(machine_switches)
    after=$(group_ticks "$pgid")
    l1=$(summary_line "$BENCH_TMP/two1.out")
    l2=$(summary_line "$BENCH_TMP/two2.out")
    awk -v k="$key" -v label="$label" -v c="$c" -v run="$run" -v ticks="$TICKS" \
        -v cpu="$((after - before))" -v status="$status" \
        -v switches="$((sw1 - sw0))" -v a="$l1" -v b="$l2" 'BEGIN {
            split(a, x, ", "); split(b, y, ", ")
            replies = x[2] + y[2]; errors = x[3] + y[3]
            t = (x[4] + 0 > y[4] + 0) ? x[4] + 0 : y[4] + 0
            split(x[6], p, " "); split(y[6], q, " "); p50 = (p[2] + q[2]) / 2
            split(x[7], p, " "); split(y[7], q, " "); p99 = (p[2] > q[2]) ? p[2] : q[2]
            split(k, key, "|")
            printf "%s\t%s\t%s\tkit\t%s\t%s\t%.0f\t%.3f\t%.3f\t%d\t%d\t%.1f\t%d\t0\t%s\n",
                k, key[1], label, c, run, (t > 0 ? replies / t : 0), p50, p99,
                errors, replies, (replies > 0 ? cpu * 1000000 / ticks / replies : 0),
                status, (replies > 0 ? sprintf("%.2f", switches / replies) : "-")
        }' >>"$ROWS"
}
