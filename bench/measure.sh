# bench/measure.sh - how `make bench` measures one run (sourced by bench.sh):
# a client run under timeout, the server group's CPU ticks and the
# machine's context switches before and after it, one line of ROWS per
# run, and the median of a set of runs.
#
#   measure KEY LABEL MODEL C R RUN PLACEMENT PORT PGID CLIENT
#   stats KEY        # -> "median min max p50 p99 errors cpu_us"
#
# Uses bench.sh's settings (RUNS, TARGET, PROBE, RUN_TIMEOUT, REPLY_TIMEOUT,
# TICKS, ROWS, NOTES, PLACEMENT, LEVELS_CAP, FD_LIMIT) and lib.sh.

# note TEXT : a remark printed once, and listed under the tables.
note() {
    grep -qxF -- "$*" "$NOTES" && return 0
    echo "note: $*"
    echo "$*" >>"$NOTES"
}

# pin PLACEMENT : the command prefix that places a process.
pin() {
    case "$1" in cpu0) echo "taskset -c 0" ;; *) echo "" ;; esac
}

# group_ticks PGID : CPU clock ticks (user + system, plus those of reaped
# children) used so far by every process of the group.
group_ticks() {
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '
        { sub(/^.*\) /, "") }      # after "pid (comm) ": state is $1
        $3 == g { t += $12 + $13 + $14 + $15 }
        END { print t + 0 }'
}

# peak_rss_mib PID : the most memory the process has held (VmHWM).
peak_rss_mib() {
    awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}

# start_client PLACEMENT C R PORT OUTFILE CLIENT : starts one client run
# under timeout (lib.sh's start_job); its summary line ends up in OUTFILE.
start_client() {
    local place=$1 c=$2 r=$3 port=$4 out=$5 client=$6
    # shellcheck disable=SC2046 # pin prints zero or more words
    start_job "$out" timeout "$RUN_TIMEOUT" $(pin "$place") "$client" -q \
        -n "$c" -r "$r" -t "$REPLY_TIMEOUT" 127.0.0.1 "$port"
}

# run_client PLACEMENT C R PORT OUTFILE CLIENT : the same, waiting for it;
# returns its exit status.
run_client() {
    start_client "$@"
    wait_jobs
}

# calibrate PLACEMENT C PORT CLIENT : a short probe, then sets ROUNDS to
# the -r that makes one run last about TARGET seconds at the probe's rate;
# at least the chapter's 8 messages, so that connecting does not dominate
# at 10,000 clients. (A variable, not output: $(...) would run the probe
# in a subshell that Ctrl-C's cleanup cannot see.)
calibrate() {
    local place=$1 c=$2 port=$3 client=$4 out="$BENCH_TMP/probe.out" rate
    run_client "$place" "$c" $(((PROBE + c - 1) / c)) "$port" "$out" "$client"
    rate=$(summary_field "$(summary_line "$out")" req/s)
    ROUNDS=$(awk -v rate="${rate:-0}" -v t="$TARGET" -v c="$c" \
        'BEGIN { r = int(rate * t / c); print (r < 8 ? 8 : r) }')
}

# machine_switches : context switches so far on the whole machine (the
# ctxt line of /proc/stat). Per request, the difference over a run says
# how often a thread or process had to sleep and be woken to serve one
# request: the price of a model that cannot be read in its CPU time alone.
# It counts the client's switches too, the same ones for every server.
machine_switches() {
    awk '$1 == "ctxt" { print $2 }' /proc/stat
}

# per_request COUNT REPLIES : COUNT / REPLIES, 2 decimals ("-" for none).
per_request() {
    awk -v n="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.2f", n / r; else print "-" }'
}

# measure KEY LABEL MODEL C R RUN PLACEMENT PORT PGID CLIENT... : one run,
# appended to ROWS as: key table label model c run rate p50 p99 errors
# replies cpu_us status rss switches. KEY is table|label|c|placement;
# switches is machine_switches per reply.
measure() {
    local key=$1 label=$2 model=$3 c=$4 r=$5 run=$6 place=$7 port=$8 pgid=$9
    shift 9
    local out="$BENCH_TMP/run.out" before after status line cpu_us rss sw0 sw1
    before=$(group_ticks "$pgid")
    sw0=$(machine_switches)
    run_client "$place" "$c" "$r" "$port" "$out" "$1"
    status=$?
    sw1=$(machine_switches)
    after=$(group_ticks "$pgid")
    rss=$(peak_rss_mib "$pgid")
    line=$(summary_line "$out")
    if [ -z "$line" ]; then
        line="$c clients, 0 replies, $c errors, 0 s, 0 req/s, p50 0 ms, p99 0 ms"
        [ "$status" -ne 0 ] || status=1
    fi
    local replies
    replies=$(summary_field "$line" replies)
    cpu_us=$(calc "$replies > 0 ? ($after - $before) * 1000000 / $TICKS / $replies : 0" "%.1f")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$key" "${key%%|*}" "$label" "$model" "$c" "$run" \
        "$(summary_field "$line" req/s)" "$(summary_field "$line" p50)" \
        "$(summary_field "$line" p99)" "$(summary_field "$line" errors)" \
        "$replies" "$cpu_us" "$status" "${rss:-0}" \
        "$(per_request $((sw1 - sw0)) "$replies")" >>"$ROWS"
    if [ "$status" -ne 0 ]; then
        echo "  run failed (status $status): $(tail -n 2 "$out" | tr '\n' ' ')"
    fi
    return "$status"
}

# stats KEY : "median min max p50 p99 errors cpu_us switches" of KEY's
# runs (p50, p99, CPU and switches per request from the median run), or
# nothing.
stats() {
    awk -F'\t' -v k="$1" '$1 == k { n++; rate[n] = $7; line[n] = $0; err += $10 }
        END {
            if (n == 0) exit
            for (i = 1; i <= n; i++) idx[i] = i
            for (i = 2; i <= n; i++)                  # insertion sort by rate
                for (j = i; j > 1 && rate[idx[j]] + 0 < rate[idx[j-1]] + 0; j--) {
                    t = idx[j]; idx[j] = idx[j-1]; idx[j-1] = t
                }
            m = idx[int((n + 1) / 2)]
            split(line[m], f, "\t")
            print rate[m], rate[idx[1]], rate[idx[n]], f[8], f[9], err, f[12], f[15]
        }' "$ROWS"
}

# progress KEY TEXT : one line for a finished set of runs.
progress() {
    local s
    read -r -a s <<<"$(stats "$1")"
    [ "${#s[@]}" -gt 0 ] || return 0
    if [ "$RUNS" -gt 1 ]; then
        printf '  %-40s %8s req/s (%s-%s), p99 %s ms, %s errors\n' "$2" \
            "${s[0]}" "${s[1]}" "${s[2]}" "${s[4]}" "${s[5]}"
    else
        printf '  %-40s %8s req/s, p99 %s ms, %s errors\n' "$2" "${s[0]}" \
            "${s[4]}" "${s[5]}"
    fi
}

# levels_for LIST : the concurrency levels of LIST this run goes up to:
# at most LEVELS_CAP, and only as many connections as descriptors allow
# (each side holds one per connection, plus a few of its own).
levels_for() {
    local c out=""
    for c in $1; do
        [ "$c" -le "$LEVELS_CAP" ] || continue
        if [ "$FD_LIMIT" != unlimited ] && [ $((c + 64)) -gt "$FD_LIMIT" ]; then
            note "ulimit -n is $FD_LIMIT: no run at $c connections" >&2
            continue
        fi
        out="$out $c"
    done
    echo "$out"
}

# bench_server TABLE FOLDER OPTIONS MODEL LEVELS CLIENT : starts FOLDER's
# server (delay 0) once, measures each level with CLIENT, stops it.
bench_server() {
    local table=$1 folder=$2 options=$3 model=$4 levels=$5 client=$6 c r run
    local label="$folder${options:+ $options}"
    # shellcheck disable=SC2046,SC2086 # pin and options are lists of words
    if ! server_start "$BENCH_TMP/server" $(pin "$PLACEMENT") \
        "$KIT_ROOT/$folder/server" $options -q -d 0 0; then
        failures=$((failures + 1))
        return 1
    fi
    for c in $levels; do
        calibrate "$PLACEMENT" "$c" "$SERVER_PORT" "$client"
        r=$ROUNDS
        for ((run = 1; run <= RUNS; run++)); do
            measure "$table|$label|$c|$PLACEMENT" "$label" "$model" "$c" "$r" \
                "$run" "$PLACEMENT" "$SERVER_PORT" "$SERVER_PID" "$client" ||
                failures=$((failures + 1))
        done
        progress "$table|$label|$c|$PLACEMENT" "$label, $c clients x $r"
    done
    if ! server_stop "$SERVER_PID"; then
        note "$label did not exit 0 on SIGTERM"
        failures=$((failures + 1))
    fi
}

# ratio_of KEY_KIT KEY_YARD : median(kit) / median(yardstick), 2 decimals.
ratio_of() {
    local kit yard
    kit=$(stats "$1" | awk '{ print $1 }')
    yard=$(stats "$2" | awk '{ print $1 }')
    if [ -z "$kit" ] || [ -z "$yard" ] || [ "$yard" = 0 ]; then
        echo "-"
    else
        calc "$kit / $yard" "%.2f"
    fi
}

median_of() {
    stats "$1" | awk '{ print $1 }'
}
