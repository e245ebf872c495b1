# bench/timelines.sh - the pictures of `make demo` (sourced by demo.sh):
# every model's run drawn from its client's trace (-o FILE) by
# bench/timeline.awk, as one self-contained page (no script, no external
# file: open it from disk, show it on a projector) and, with
# DEMO_TIMELINE=1, as text in the terminal.
#
#   TIMELINES+=("LABEL|MODEL|EXPECTED|MEASURED|TRACE")   # one per model run
#   draw_timelines PAGE DELAY_MS CLIENTS                 # writes PAGE
#
# Drawings of models that share an expected time share one scale (the
# longest of their runs), so that 02 and 03 compare bar for bar; the
# page's first table puts every measured time on one scale, so that 8 s
# and 0.8 s look as different as they are.

TIMELINES=()

# draw_timelines PAGE DELAY_MS CLIENTS : writes PAGE; prints each drawing
# as text too when DEMO_TIMELINE is 1. One awk for everything: the drawing
# must cost the demo next to nothing.
draw_timelines() {
    local manifest="$BENCH_TMP/timelines.txt" text=0
    [ "${DEMO_TIMELINE:-0}" = 1 ] && text=1
    printf '%s\n' "${TIMELINES[@]}" >"$manifest" || return 1
    awk -v manifest="$manifest" -v page="$1" -v delay_ms="$2" -v clients_n="$3" \
        -v text="$text" -f "$KIT_ROOT/bench/timeline.awk"
}
