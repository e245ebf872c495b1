# bench/targets.sh - the targets table of `make bench` (sourced by
# bench.sh). Three kinds of rows, each per placement:
#
# - a model at its intrinsic cost: context switches per request at the
#   model's minimum (a blocking ping-pong 2.0 ± 0.1 at one client pinned,
#   the event loops <= 0.15 at 100 clients, 07's three threads <= 6.1);
# - a ratio to a yardstick measured in the same run (01 / bare ping-pong,
#   09 / bare epoll loop, 02 / the loop at 10 clients, httpd / nginx), and
#   the checks that the bench itself holds (capacity, the load client);
# - "the price of the model": what a model pays for what it teaches (a
#   thread per client at 100 clients, 07's hand-offs, a connection handed
#   to a thread or a process), shown with its switches per request and no
#   yes/no: removing it would mean teaching another model.
#
# - requests per CPU-second of 11-io-uring against the bare io_uring loop
#   (>= 0.9) and the bare epoll loop (>= 1.0), with one client process and
#   with two, its io_uring_enter calls per request (<= 0.5) and every
#   server's system calls per request (bench/uring.sh makes these rows).
#
# A row of TARGETS: name placement kit yardstick ratio switches goal met.

# target NAME PLACEMENT KIT YARDSTICK RATIO SWITCHES GOAL FIGURE [REMARK] :
# one row. GOAL ">= 0.9", "<= 2" or "2.0 ± 0.1" decides "met" on FIGURE;
# any other GOAL (the price of the model) is shown without a yes/no.
target() {
    local met="-"
    if [ -n "$8" ] && [ "$8" != "-" ]; then
        met=$(awk -v r="$8" -v g="$7" 'BEGIN {
            n = split(g, w, " ")
            if (w[1] == ">=") ok = r >= w[2]
            else if (w[1] == "<=") ok = r <= w[2]
            else if (n == 3 && w[2] == "±") ok = r >= w[1] - w[3] && r <= w[1] + w[3]
            else { print "-"; exit }
            print ok ? "yes" : "NO" }')
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
        "${6:--}" "$7" "$met${9:-}" >>"$TARGETS"
}

# cpu_median KEY : the median over KEY's runs of the server's CPU
# microseconds per request.
cpu_median() {
    awk -F'\t' -v k="$1" '$1 == k { v[++n] = $12 + 0 }
        END {
            if (n == 0) exit
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && v[j] < v[j-1]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
            print v[int((n + 1) / 2)]
        }' "$ROWS"
}

# per_cpu_second_target NAME KEY_KIT KEY_YARD PLACEMENT GOAL : a targets
# row on requests per CPU-second (1,000,000 / CPU us per request, medians).
per_cpu_second_target() {
    local kit yard ratio
    kit=$(cpu_median "$2")
    yard=$(cpu_median "$3")
    [ -n "$kit" ] && [ -n "$yard" ] && [ "$kit" != 0 ] && [ "$yard" != 0 ] || return 0
    kit=$(calc "1000000 / $kit" "%.0f")
    yard=$(calc "1000000 / $yard" "%.0f")
    ratio=$(calc "$kit / $yard" "%.2f")
    target "$1" "$4" "$kit" "$yard" "$ratio" "$(switches_of "$2")" "$5" "$ratio"
}

# switches_of KEY : the median run's context switches per request.
switches_of() {
    stats "$1" | awk '{ print $8 }'
}

# compare NAME KEY_KIT KEY_YARD PLACEMENT GOAL : a row from two keys, on
# the ratio of their rates. When either side's runs spread wider than 1.5x
# (max/min), the machine was busy or the placement unstable: the row says
# "noisy". When the two min-max ranges overlap, the runs cannot tell the
# sides apart: the row says "ranges overlap" (a tie, whichever median came
# out higher).
compare() {
    local remark ratio
    remark=$({ stats "$2"; stats "$3"; } | awk '
        $2 > 0 && $3 / $2 > 1.5 { noisy = 1 }
        NR == 1 { lo = $2; hi = $3 }
        NR == 2 { overlap = ($2 <= hi && lo <= $3) }
        END {
            if (noisy) print " (noisy)"
            else if (overlap) print " (ranges overlap)"
        }')
    ratio=$(ratio_of "$2" "$3")
    target "$1" "$4" "$(median_of "$2")" "$(median_of "$3")" "$ratio" \
        "$(switches_of "$2")" "$5" "$ratio" "$remark"
}

# compare_cpu NAME KEY_KIT KEY_YARD PLACEMENT GOAL : the same comparison in
# server CPU per request (the median runs'). When both sides run into the
# same ceiling (the load client, the kernel's connection set-up), their
# rates tie and only the CPU each spent per request tells them apart.
compare_cpu() {
    local kit yard ratio
    kit=$(stats "$2" | awk '{ print $7 }')
    yard=$(stats "$3" | awk '{ print $7 }')
    [ -n "$kit" ] && [ -n "$yard" ] && [ "$yard" != 0.0 ] || return 0
    ratio=$(calc "$kit / $yard" "%.2f")
    target "$1" "$4" "$kit" "$yard" "$ratio" "$(switches_of "$2")" "$5" "$ratio"
}

# switch_target NAME KEY PLACEMENT GOAL : a model at its intrinsic cost,
# its switches per request against GOAL (kit column: its rate).
switch_target() {
    local s
    s=$(switches_of "$2")
    [ -n "$s" ] || return 0
    target "$1" "$3" "$(median_of "$2")" "-" "-" "$s" "$4" "$s"
}

# pinned_key LABEL : the key of LABEL's run at 1 client pinned to CPU 0
# (the main table's when it ran pinned, else the "CPU again" table's).
pinned_key() {
    if [ "$PLACEMENT" = cpu0 ]; then
        echo "main|$1|1|cpu0"
    elif [ "$OTHER_PLACEMENT" = cpu0 ]; then
        echo "cpu|$1|1|cpu0"
    fi
}

# intrinsic_targets : switches per request at each model's minimum, as
# each section declares it (bench_switches "CLIENTS|GOAL|WHY", for its
# first bench row): at 1 client pinned to CPU 0, or at CLIENTS in the main
# table's placement; then the yardstick runs of 09's loop.
intrinsic_targets() {
    local folder label key place c goal why
    while IFS= read -r folder; do
        label=$(section_list "$folder" bench | head -n 1 | cut -d'|' -f1)
        label="$folder${label:+ $label}"
        while IFS='|' read -r c goal why; do
            if [ "$c" = 1 ]; then
                key=$(pinned_key "$label") place=cpu0
            else
                key="main|$label|$c|$PLACEMENT" place=$PLACEMENT
            fi
            [ -z "$key" ] || switch_target "switches/request, $label c=$c ($why)" \
                "$key" "$place" "$goal"
        done < <(section_list "$folder" bench_switches)
    done < <(kit_sections)
    for place in $YARD_PLACEMENTS; do
        switch_target "switches/request, 09-epoll -w 0 c=100 (an event loop), yardstick run" \
            "yard|09-epoll -w 0|100|$place" "$place" "<= 0.15"
    done
}

# price_cpu PLACEMENT TABLE C WHAT LABEL : LABEL's CPU per request over
# 01-iterative's in TABLE at C clients: the price of LABEL's model.
price_cpu() {
    compare_cpu "CPU us/request, $4: $5 / 01-iterative" "$2|$5|$3|$1" \
        "$2|01-iterative|$3|$1" "$1" "the price of the model"
}

# prices : what each model pays for its lesson, in CPU per request.
prices() {
    local c label
    price_cpu "$PLACEMENT" main 1 "stress, c=1" 07-udp-threadpool
    [ -z "$OTHER_PLACEMENT" ] ||
        price_cpu "$OTHER_PLACEMENT" cpu 1 "stress, c=1" 07-udp-threadpool
    for label in "02-thread -w 0" 04-prefork-pool 03-fork; do
        for c in $CONN_LEVELS; do
            price_cpu "$PLACEMENT" conn "$c" "connection per request, c=$c" "$label"
        done
        [ -z "$OTHER_PLACEMENT" ] || price_cpu "$OTHER_PLACEMENT" cpuconn 10 \
            "connection per request, c=10" "$label"
    done
}

# capacity_targets : the largest runs, held without an error.
capacity_targets() {
    local s rss
    s=$(stats "main|09-epoll -w 0|10000|$PLACEMENT")
    if [ -n "$s" ]; then
        rss=$(awk -F'\t' -v k="main|09-epoll -w 0|10000|$PLACEMENT" \
            '$1 == k && $14 > m { m = $14 } END { print m + 0 }' "$ROWS")
        s=$(echo "$s" | awk '{ print $6 }')
        target "09-epoll at 10,000 connections: errors" "$PLACEMENT" "$s" "-" \
            "-" "" "<= 0" "$s"
        target "09-epoll at 10,000 connections: peak RSS MiB" "$PLACEMENT" \
            "$rss" "-" "-" "" "<= 64" "$rss"
    fi
    s=$(stats "main|02-thread -w 0|1000|$PLACEMENT" | awk '{ print $6 }')
    [ -z "$s" ] || target "02-thread at 1,000 connections: errors" \
        "$PLACEMENT" "$s" "-" "-" "" "<= 0" "$s"
}

# targets_from_tables : the rows that come from the main tables (the
# yardstick rows were added as their runs finished).
targets_from_tables() {
    intrinsic_targets
    prices
    capacity_targets
}
