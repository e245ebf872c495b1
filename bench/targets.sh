# bench/targets.sh - the targets table of `make bench` (sourced by
# bench.sh): each row compares two things measured in the same run, and
# says whether the figure meets its goal.
#
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
