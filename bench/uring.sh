# bench/uring.sh - 11-io-uring in `make bench` (sourced by bench.sh and
# demo.sh): whether io_uring runs here, and the three-way yardstick run:
# the kit's io_uring server beside the bare io_uring loop (bench/uringloop)
# and the bare epoll loop (bench/echoloop), same placement, one client
# (09-epoll's, one thread), runs alternating; their requests per CPU-second
# and system calls per request.
#
#   io_uring_unavailable && echo "not here"   # prints the server's reason
#   uring_yardsticks PLACEMENT                # the rows and targets

# io_uring_unavailable : prints the reason 11-io-uring gives for not
# running here and returns 0, or returns 1 when it runs. The server is
# probed once per script (scripts/io-uring-probe).
io_uring_unavailable() {
    if [ -z "${URING_PROBED:-}" ]; then
        URING_PROBED=1
        URING_REASON=$("$KIT_ROOT/scripts/io-uring-probe")
    fi
    [ -n "$URING_REASON" ] || return 1
    echo "$URING_REASON"
}

# syscalls_per_request PID PLACEMENT C R PORT CLIENT : one more client
# run with `perf stat` counting the server's system calls (tracepoints,
# which work in a VM without hardware counters); prints "ALL ENTERS" per
# request, or "- -" without perf.
syscalls_per_request() {
    local pid=$1 place=$2 c=$3 r=$4 port=$5 client=$6 counts="$BENCH_TMP/perf.csv"
    local perf_pid replies
    if ! command -v perf >/dev/null 2>&1 ||
        ! perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
        echo "- -"
        return 0
    fi
    perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter \
        -p "$pid" -o "$counts" 2>/dev/null &
    perf_pid=$!
    sleep 0.3 # perf attaches
    run_client "$place" "$c" "$r" "$port" "$BENCH_TMP/perf.out" "$client"
    kill -INT "$perf_pid" 2>/dev/null
    wait "$perf_pid" 2>/dev/null
    replies=$(summary_field "$(summary_line "$BENCH_TMP/perf.out")" replies)
    awk -F, -v n="${replies:-0}" '
        $3 == "raw_syscalls:sys_enter" { all = $1 }
        $3 == "syscalls:sys_enter_io_uring_enter" { enters = $1 }
        END {
            if (n > 0) printf "%.2f %.2f\n", all / n, enters / n
            else print "- -"
        }' "$counts"
}

# uring_yardsticks PLACEMENT : the three servers at 100 clients, runs
# alternating, then the targets.
uring_yardsticks() {
    local place=$1 c=100 driver="$KIT_ROOT/09-epoll/client" reason i r run
    local names=("echoloop, for 11" "bench/uringloop" "11-io-uring")
    local commands=("$KIT_ROOT/bench/echoloop 0" "$KIT_ROOT/bench/uringloop 0"
        "$KIT_ROOT/11-io-uring/server -q -d 0 0")
    local pids=() ports=() keys=() calls
    if reason=$(io_uring_unavailable); then
        note "11-io-uring: not available here ($reason): no io_uring rows"
        return 0
    fi
    for i in 0 1 2; do
        # shellcheck disable=SC2046,SC2086
        if ! server_start "$BENCH_TMP/uring$i" $(pin "$place") ${commands[i]}; then
            failures=$((failures + 1))
            for pid in "${pids[@]}"; do server_stop "$pid"; done
            return 1
        fi
        pids+=("$SERVER_PID")
        ports+=("$SERVER_PORT")
        keys+=("yard|${names[i]}|$c|$place")
    done
    calibrate "$place" "$c" "${ports[0]}" "$driver"
    r=$ROUNDS
    for ((run = 1; run <= RUNS; run++)); do
        for i in 0 1 2; do
            measure "${keys[i]}" "${names[i]}" \
                "$([ "$i" = 2 ] && echo kit || echo yardstick)" "$c" "$r" \
                "$run" "$place" "${ports[i]}" "${pids[i]}" "$driver"
        done
    done
    # Two client processes of 50 connections each, alternating the epoll
    # loop and 11: more load per round makes bigger batches.
    for ((run = 1; run <= RUNS; run++)); do
        for i in 0 2; do
            two_clients "yard2|${names[i]}|$c|$place" "${names[i]}, 2 client processes" \
                "$c" "$r" "$run" "$place" "${ports[i]}" "${pids[i]}" "$driver"
        done
    done
    for i in 0 1 2; do
        progress "${keys[i]}" "${names[i]}, $c x $r, $place"
        # shellcheck disable=SC2207
        calls=($(syscalls_per_request "${pids[i]}" "$place" "$c" "$r" "${ports[i]}" "$driver"))
        if [ "${calls[0]}" = - ]; then
            note "${names[i]}: system calls not counted (no perf with tracepoints here: apt-get install linux-perf)"
        else
            # The count per request stands in the ratio's column: the epoll
            # loop's has a goal (a read and a write at least), the io_uring
            # servers' is what their model costs; their enters have a goal.
            target "system calls/request, ${names[i]} c=$c" "$place" "${calls[0]}" \
                "-" "${calls[0]}" "" "$([ "$i" = 0 ] && echo ">= 2" || echo "the price of the model")" \
                "${calls[0]}"
            [ "$i" = 0 ] || target "io_uring_enter/request, ${names[i]} c=$c" \
                "$place" "${calls[1]}" "-" "${calls[1]}" "" "<= 0.5" "${calls[1]}"
        fi
        server_stop "${pids[i]}" || note "${names[i]} did not exit 0 on SIGTERM"
    done
    per_cpu_second_target "11-io-uring c=$c requests/CPU-second / bare io_uring loop" \
        "${keys[2]}" "${keys[1]}" "$place" ">= 0.9"
    per_cpu_second_target "11-io-uring c=$c requests/CPU-second / bare epoll loop" \
        "${keys[2]}" "${keys[0]}" "$place" ">= 1.0"
    per_cpu_second_target "bench/uringloop c=$c requests/CPU-second / bare epoll loop" \
        "${keys[1]}" "${keys[0]}" "$place" "the price of the model"
    progress "yard2|${names[0]}|$c|$place" "${names[0]}, 2 clients x $((c / 2))"
    progress "yard2|${names[2]}|$c|$place" "${names[2]}, 2 clients x $((c / 2))"
    per_cpu_second_target "11-io-uring c=$c, 2 client processes: requests/CPU-second / bare epoll loop" \
        "yard2|${names[2]}|$c|$place" "yard2|${names[0]}|$c|$place" "$place" ">= 1.2"
}
