# bench/tables.sh - the main tables of `make bench` (sourced by bench.sh):
# every server with its own folder's client (stress), every TCP server
# under bench/connload (a connection per request), and the CPU per
# request again with the other placement. Which servers, with which
# options and levels: each section's section.conf (bench, bench_conn).
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

# stress_servers TABLE [LEVEL] : every section's bench rows, each server
# with its own folder's client, at each level its model holds (or only at
# LEVEL).
stress_servers() {
    local table=$1 only=${2:-} folder row options model levels rows
    for folder in $(kit_sections); do
        if reason=$(section_unavailable "$folder"); then
            note "$folder: not available here ($reason): no row"
            continue
        fi
        mapfile -t rows < <(section_list "$folder" bench)
        for row in "${rows[@]}"; do
            IFS='|' read -r options model levels <<<"$row"
            bench_server "$table" "$folder" "$options" "$model" \
                "$(pick_levels "$levels" "$only")" "$KIT_ROOT/$folder/client"
        done
    done
}

# conn_servers TABLE LEVELS : the connection-per-request table, every
# section's bench_conn rows.
conn_servers() {
    local table=$1 levels=$2 conn="$KIT_ROOT/bench/connload" folder row options model rows
    for folder in $(kit_sections); do
        section_unavailable "$folder" >/dev/null && continue
        mapfile -t rows < <(section_list "$folder" bench_conn)
        for row in "${rows[@]}"; do
            IFS='|' read -r options model <<<"$row"
            bench_server "$table" "$folder" "$options" "$model" "$levels" "$conn"
        done
    done
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
