#!/usr/bin/env bash
# bench/bench.sh - `make bench`: how fast each model really is (SPEC
# section 7), with yardsticks measured in the same run. bench/README.md
# explains every table.
#
#   bench/bench.sh                          the full run (a few minutes)
#   BENCH_QUICK=1 bench/bench.sh            a reduced set, under a minute
#   BENCH_OUT=results.md bench/bench.sh     also writes the tables as Markdown
#   BENCH_PLACEMENT=cpu0 bench/bench.sh     main tables pinned to CPU 0
#
# Delay 0 everywhere. Each figure is the median of 3 runs (1 when quick),
# each run sized with -r to last about TARGET seconds after a short probe.
# Server CPU per request is the user+system time of the server's whole
# process group (reaped children included) from /proc, before and after.
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

QUICK=0
case "${BENCH_QUICK:-}" in '' | 0 | no) ;; *) QUICK=1 ;; esac
OUT=${BENCH_OUT:-}
PLACEMENT=${BENCH_PLACEMENT:-none}
TICKS=$(getconf CLK_TCK)
REPLY_TIMEOUT=10 # -t: seconds a client waits for one reply
if [ "$QUICK" = 1 ]; then
    RUNS=1 TARGET=0.25 PROBE=300 RUN_TIMEOUT=20 WRK_SECONDS=1
    LEVELS_CAP=100 YARD_PLACEMENTS="cpu0" CONN_LEVELS="10"
else
    RUNS=3 TARGET=1.5 PROBE=2000 RUN_TIMEOUT=60 WRK_SECONDS=5
    LEVELS_CAP=10000 YARD_PLACEMENTS="cpu0 none" CONN_LEVELS="10 100"
fi
case "$PLACEMENT" in none | cpu0) ;; *)
    echo "bench: BENCH_PLACEMENT must be none or cpu0" >&2
    exit 2
    ;;
esac
if [ -n "$OUT" ]; then
    RESULT_DIR=$(dirname "$OUT")
else
    RESULT_DIR="$KIT_ROOT/bench-results"
fi
mkdir -p "$RESULT_DIR" || exit 1
# Results are build products: keep them out of git wherever they land.
[ -n "$OUT" ] || [ -f "$RESULT_DIR/.gitignore" ] || echo '*' >"$RESULT_DIR/.gitignore"
SVG="$RESULT_DIR/bench.svg"
[ -z "$OUT" ] || SVG="${OUT%.md}.svg"
ROWS="$BENCH_TMP/rows.tsv" # every run, one line each (format in measure)
TARGETS="$BENCH_TMP/targets.tsv"
NOTES="$BENCH_TMP/notes.txt"
: >"$ROWS"
: >"$TARGETS"
: >"$NOTES"
failures=0
ABSENT="" # folders not built yet, skipped
OTHER_PLACEMENT="" # set by other_placement_tables
# 10,000 connections need as many descriptors in the server and in the
# client: raise the soft limit to the hard one (20,000 on the project's
# machines; often 1,024 soft elsewhere).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)

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

# stats KEY : "median min max p50 p99 errors cpu_us" of KEY's runs (p50,
# p99 and CPU from the median run), or nothing.
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
            print rate[m], rate[idx[1]], rate[idx[n]], f[8], f[9], err, f[12]
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
    if ! present "$folder"; then
        case " $ABSENT " in *" $folder "*) ;; *) ABSENT="$ABSENT $folder" ;; esac
        return 0
    fi
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

# --- yardsticks ---------------------------------------------------------

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

# target NAME PLACEMENT KIT YARDSTICK RATIO GOAL [REMARK] : one row of the
# targets table; GOAL is ">= 0.9" or "<= 2" and decides "met".
target() {
    local met="-"
    if [ -n "$5" ] && [ "$5" != "-" ] && [[ "$6" == [\<\>]=* ]]; then
        met=$(awk -v r="$5" -v g="$6" 'BEGIN {
            split(g, w, " "); ok = (w[1] == ">=") ? r >= w[2] : r <= w[2]
            print ok ? "yes" : "NO" }')
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
        "$met${7:-}" >>"$TARGETS"
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

# compare NAME KEY_KIT KEY_YARD PLACEMENT GOAL : a target row from two keys.
# When either side's runs spread wider than 1.5x (max/min), the machine was
# busy or the placement unstable: the row says "noisy". When the two
# min-max ranges overlap, the runs cannot tell the sides apart: the row
# says "ranges overlap" (a tie, whichever median came out higher).
compare() {
    local remark
    remark=$({ stats "$2"; stats "$3"; } | awk '
        $2 > 0 && $3 / $2 > 1.5 { noisy = 1 }
        NR == 1 { lo = $2; hi = $3 }
        NR == 2 { overlap = ($2 <= hi && lo <= $3) }
        END {
            if (noisy) print " (noisy)"
            else if (overlap) print " (ranges overlap)"
        }')
    target "$1" "$4" "$(median_of "$2")" "$(median_of "$3")" \
        "$(ratio_of "$2" "$3")" "$5" "$remark"
}

# compare_cpu NAME KEY_KIT KEY_YARD PLACEMENT GOAL : the same comparison in
# server CPU per request (the median runs'). When both sides run into the
# same ceiling (the load client, the kernel's connection set-up), their
# rates tie and only the CPU each spent per request tells them apart.
compare_cpu() {
    local kit yard
    kit=$(stats "$2" | awk '{ print $7 }')
    yard=$(stats "$3" | awk '{ print $7 }')
    [ -n "$kit" ] && [ -n "$yard" ] && [ "$yard" != 0.0 ] || return 0
    target "$1" "$4" "$kit" "$yard" "$(calc "$kit / $yard" "%.2f")" "$5"
}

yardsticks() {
    local place driver driver_note="" c
    echo
    echo "== yardsticks (same placement for both sides, alternating runs)"
    if present 09-epoll; then
        driver="$KIT_ROOT/09-epoll/client"
    else
        driver="$KIT_ROOT/01-iterative/client"
        driver_note=" (09's client absent: driven by 01's threaded client)"
        note "09-epoll/client is absent: the echo-loop yardstick is driven by 01-iterative/client (a thread per connection)"
    fi
    for place in $YARD_PLACEMENTS; do
        if present 01-iterative; then
            pair "yard|pingpong|1|$place" "bench/pingpong" \
                "$KIT_ROOT/bench/pingpong -s 0" \
                "yard|01-iterative|1|$place" "01-iterative" \
                "$KIT_ROOT/01-iterative/server -q -d 0 0" 1 "$place" \
                "$KIT_ROOT/bench/pingpong" "$KIT_ROOT/01-iterative/client"
            compare "01-iterative c=1 / bare ping-pong" "yard|01-iterative|1|$place" \
                "yard|pingpong|1|$place" "$place" ">= 0.9"
        fi
        if present 09-epoll; then
            pair "yard|echoloop|100|$place" "bench/echoloop" \
                "$KIT_ROOT/bench/echoloop 0" \
                "yard|09-epoll -w 0|100|$place" "09-epoll -w 0" \
                "$KIT_ROOT/09-epoll/server -w 0 -q -d 0 0" 100 "$place" \
                "$driver" "$driver"
            compare "09-epoll c=100 / bare epoll loop" "yard|09-epoll -w 0|100|$place" \
                "yard|echoloop|100|$place" "$place" ">= 0.9"
        else
            note "09-epoll is absent: no 09 / echo loop comparison"
        fi
        if present 02-thread; then
            for c in 10 100; do
                [ "$QUICK" = 0 ] || [ "$c" = 100 ] || continue
                # The echo loop's runs here are keyed apart from those
                # against 09: each ratio uses the runs alternating with it.
                pair "yard|echoloop, for 02|$c|$place" "bench/echoloop" \
                    "$KIT_ROOT/bench/echoloop 0" \
                    "yard|02-thread -w 0|$c|$place" "02-thread -w 0" \
                    "$KIT_ROOT/02-thread/server -w 0 -q -d 0 0" "$c" "$place" \
                    "$driver" "$driver"
                compare "02-thread c=$c / bare epoll loop$driver_note" \
                    "yard|02-thread -w 0|$c|$place" "yard|echoloop, for 02|$c|$place" \
                    "$place" ">= 0.7"
            done
        else
            note "02-thread is absent: no 02 / echo loop comparison"
        fi
    done
    client_doubling
    nginx_vs_httpd
}

# client_doubling : is the load client the bottleneck? The same server and
# concurrency, driven by one client process and then by two (half the
# connections each, started together): if two processes do not raise the
# aggregate rate, one client was enough.
client_doubling() {
    local folder=09-epoll options="-w 0" c=100 place=$PLACEMENT r run
    if ! present "$folder"; then
        folder=01-iterative options="" c=10
        note "09-epoll is absent: the client-doubling check uses 01-iterative at $c clients"
    fi
    present "$folder" || return 0
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
    target "$label c=$c: 2 client processes / 1" "$place" \
        "$(median_of "double|two clients|$c|$place")" \
        "$(median_of "double|one client|$c|$place")" \
        "$(ratio_of "double|two clients|$c|$place" "double|one client|$c|$place")" \
        "<= 1.1"
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

# free_port : a loopback port below the ephemeral range that nothing uses
# now (nginx cannot be told to take port 0 and report it).
free_port() {
    local port tries
    for ((tries = 0; tries < 50; tries++)); do
        port=$((20000 + RANDOM % 12000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
            echo "$port"
            return 0
        }
    done
    return 1
}

# wrk_run KEY LABEL RUN PORT PGID : one wrk run; rows as measure's.
wrk_run() {
    local key=$1 label=$2 run=$3 port=$4 pgid=$5 before after out="$BENCH_TMP/wrk.out"
    local sw0 sw1
    before=$(group_ticks "$pgid")
    sw0=$(machine_switches)
    run_job "$out" timeout $((WRK_SECONDS + 20)) wrk -t1 -c100 \
        -d"${WRK_SECONDS}s" "http://127.0.0.1:$port/"
    local status=$?
    sw1=$(machine_switches)
    after=$(group_ticks "$pgid")
    awk -v k="$key" -v label="$label" -v run="$run" -v ticks="$TICKS" \
        -v cpu="$((after - before))" -v status="$status" \
        -v switches="$((sw1 - sw0))" '
        / requests in / { requests = $1 }
        /^Requests\/sec:/ { rate = $2 }
        /Non-2xx|Socket errors/ { errors++ }
        /^    Latency/ { lat = $2 }
        END {
            split(k, key, "|")
            if (lat ~ /us$/) lat = lat / 1000; else if (lat ~ /ms$/) lat = lat + 0
            else if (lat ~ /s$/) lat = lat * 1000
            printf "%s\t%s\t%s\thttp\t100\t%s\t%.0f\t%.3f\t-\t%d\t%d\t%.1f\t%d\t0\t%s\n",
                k, key[1], label, run, rate, lat, errors, requests,
                (requests > 0 ? cpu * 1000000 / ticks / requests : 0), status,
                (requests > 0 ? sprintf("%.2f", switches / requests) : "-")
        }' "$out" >>"$ROWS"
}

# nginx_vs_httpd : optional; nginx (one worker, its config in our temp dir,
# a free port below 32768, nothing written outside the temp dir) against
# 09-epoll/httpd, both under wrk -t1 -c100, unpinned.
nginx_vs_httpd() {
    local dir="$BENCH_TMP/nginx" port run ngx_pid httpd_pid httpd_port i
    if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
        note "nginx or wrk not installed (apt-get install -y nginx-light wrk): no httpd / nginx comparison"
        return 0
    fi
    if [ ! -x "$KIT_ROOT/09-epoll/httpd" ]; then
        note "09-epoll/httpd is absent: no httpd / nginx comparison"
        return 0
    fi
    port=$(free_port) || return 0
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    scgi_temp_path $dir/scgi;
    uwsgi_temp_path $dir/uwsgi;
    server {
        listen 127.0.0.1:$port;
        location / { default_type text/plain; return 200 "hello from nginx\n"; }
    }
}
EOF
    setsid nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
        >"$dir/out" 2>&1 </dev/null &
    ngx_pid=$!
    STARTED_GROUPS+=("$ngx_pid")
    for ((i = 0; i < 100; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
    done
    if ! server_start "$BENCH_TMP/httpd" "$KIT_ROOT/09-epoll/httpd" -q 0; then
        server_stop "$ngx_pid"
        return 1
    fi
    httpd_pid=$SERVER_PID httpd_port=$SERVER_PORT
    for ((run = 1; run <= RUNS; run++)); do
        wrk_run "wrk|nginx|100|none" "nginx, 1 worker" "$run" "$port" "$ngx_pid"
        wrk_run "wrk|09-epoll/httpd|100|none" "09-epoll/httpd" "$run" \
            "$httpd_port" "$httpd_pid"
    done
    progress "wrk|nginx|100|none" "nginx (wrk -t1 -c100)"
    progress "wrk|09-epoll/httpd|100|none" "09-epoll/httpd (wrk -t1 -c100)"
    server_stop "$httpd_pid" || note "09-epoll/httpd did not exit 0 on SIGTERM"
    server_stop "$ngx_pid" || true # nginx exits 0 on SIGTERM only as master
    compare "09-epoll/httpd / nginx (1 worker), wrk -t1 -c100" \
        "wrk|09-epoll/httpd|100|none" "wrk|nginx|100|none" none ">= 1.0"
    compare_cpu "09-epoll/httpd / nginx (1 worker), CPU us/request" \
        "wrk|09-epoll/httpd|100|none" "wrk|nginx|100|none" none "<= 1.0"
}

# --- the tables ---------------------------------------------------------

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

# cpu_target PLACEMENT TABLE C WHAT EXCLUDE [ONLY] : the model of TABLE at
# C clients that spends the most server CPU per request (the median run's),
# compared with 01-iterative in the same table; EXCLUDE names a server left
# out, ONLY restricts the row to one server (shown without a target).
cpu_target() {
    local place=$1 table=$2 c=$3 what=$4 exclude=$5 only=${6:-} base label us
    local who="" worst="" ratio
    base=$(stats "$table|01-iterative|$c|$place" | awk '{ print $7 }')
    [ -n "$base" ] && [ "$base" != 0.0 ] || return 0
    while IFS= read -r label; do
        [ "$label" != "$exclude" ] || continue
        [ -z "$only" ] || [ "$label" = "$only" ] || continue
        us=$(stats "$table|$label|$c|$place" | awk '{ print $7 }')
        if [ -z "$worst" ] || awk -v a="$us" -v b="$worst" 'BEGIN { exit !(a > b) }'; then
            who=$label worst=$us
        fi
    done < <(awk -F'\t' -v t="$table" -v c="$c" '$2 == t && $5 == c && !seen[$3]++ { print $3 }' "$ROWS")
    [ -n "$who" ] || return 0
    ratio=$(calc "$worst / $base" "%.2f")
    if [ -n "$only" ]; then
        target "CPU us/request, $what: $who / 01-iterative" "$place" \
            "$worst" "$base" "$ratio" "(the lesson)"
    else
        target "CPU us/request, $what: costliest${exclude:+ but $exclude} ($who) / 01-iterative" \
            "$place" "$worst" "$base" "$ratio" "<= 2"
    fi
}

# targets_from_tables : the targets that come from the main tables.
targets_from_tables() {
    local c s
    for c in $CONN_LEVELS; do
        [ -n "$(median_of "conn|02-thread -w 10|$c|$PLACEMENT")" ] || continue
        compare "02-thread -w 10 / -w 0, connection per request, c=$c" \
            "conn|02-thread -w 10|$c|$PLACEMENT" "conn|02-thread -w 0|$c|$PLACEMENT" \
            "$PLACEMENT" ">= 1.0"
        compare_cpu "02-thread -w 10 / -w 0, connection per request, c=$c, CPU us/request" \
            "conn|02-thread -w 10|$c|$PLACEMENT" "conn|02-thread -w 0|$c|$PLACEMENT" \
            "$PLACEMENT" "<= 1.0"
    done
    # CPU per request: every model against 01-iterative at concurrency 1;
    # in the connection-per-request table every model but fork, whose cost
    # is the lesson there (its own ratio is shown, without a target).
    cpu_target "$PLACEMENT" main 1 "stress, c=1" ""
    for c in $CONN_LEVELS; do
        cpu_target "$PLACEMENT" conn "$c" "connection per request, c=$c" 03-fork
        cpu_target "$PLACEMENT" conn "$c" "connection per request, c=$c" "" 03-fork
    done
    if [ -n "$OTHER_PLACEMENT" ]; then
        compare "02-thread -w 10 / -w 0, connection per request, c=10" \
            "cpuconn|02-thread -w 10|10|$OTHER_PLACEMENT" \
            "cpuconn|02-thread -w 0|10|$OTHER_PLACEMENT" "$OTHER_PLACEMENT" ">= 1.0"
        cpu_target "$OTHER_PLACEMENT" cpu 1 "stress, c=1" ""
        cpu_target "$OTHER_PLACEMENT" cpuconn 10 "connection per request, c=10" 03-fork
        cpu_target "$OTHER_PLACEMENT" cpuconn 10 "connection per request, c=10" "" 03-fork
    fi
    s=$(stats "main|09-epoll -w 0|10000|$PLACEMENT")
    if [ -n "$s" ]; then
        local rss
        rss=$(awk -F'\t' -v k="main|09-epoll -w 0|10000|$PLACEMENT" \
            '$1 == k && $14 > m { m = $14 } END { print m + 0 }' "$ROWS")
        target "09-epoll at 10,000 connections: errors" "$PLACEMENT" \
            "$(echo "$s" | awk '{ print $6 }')" "-" \
            "$(echo "$s" | awk '{ print $6 }')" "<= 0"
        target "09-epoll at 10,000 connections: peak RSS MiB" "$PLACEMENT" \
            "$rss" "-" "$rss" "<= 64"
    fi
    s=$(stats "main|02-thread -w 0|1000|$PLACEMENT")
    if [ -n "$s" ]; then
        target "02-thread at 1,000 connections: errors" "$PLACEMENT" \
            "$(echo "$s" | awk '{ print $6 }')" "-" \
            "$(echo "$s" | awk '{ print $6 }')" "<= 0"
    fi
}

# report : every table as Markdown (the terminal shows the same text).
report() {
    echo "# make bench: results"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), Linux $(uname -r)."
    echo "Delay 0, loopback. Main tables: placement **$PLACEMENT**"
    echo "($( [ "$PLACEMENT" = cpu0 ] && echo "server and client both pinned with taskset -c 0" ||
        echo "server and client left to the scheduler on both CPUs")); each"
    echo "figure is the median of $RUNS run(s), min-max beside it."
    [ "$QUICK" = 0 ] || echo "**Quick run (BENCH_QUICK=1)**: one run each, reduced set; not for quoting."
    awk -F'\t' -v runs="$RUNS" -v other="$OTHER_PLACEMENT" \
        -f "$KIT_ROOT/bench/report.awk" "$ROWS" "$TARGETS"
    [ -z "$ABSENT" ] || note "not built yet, skipped:$ABSENT" >/dev/null
    if [ -s "$NOTES" ]; then
        echo
        echo "Notes:"
        echo
        sed 's/^/- /' "$NOTES"
    fi
}

echo "bench: delay 0, $([ "$QUICK" = 1 ] && echo "quick set, 1 run each" || echo "median of $RUNS runs"), about $TARGET s per run"
main_tables
other_placement_tables
yardsticks
targets_from_tables
echo
report | tee "$BENCH_TMP/report.md"
awk -F'\t' -f "$KIT_ROOT/bench/plot.awk" "$ROWS" >"$SVG" &&
    echo && echo "plot: $SVG"
if [ -n "$OUT" ]; then
    cp "$BENCH_TMP/report.md" "$OUT" && echo "tables: $OUT"
fi
if [ "$failures" -gt 0 ]; then
    echo "bench: $failures run(s) or server(s) failed" >&2
    exit 1
fi
