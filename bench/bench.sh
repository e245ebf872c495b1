#!/usr/bin/env bash
# bench/bench.sh - `make bench`: how fast each model really is
# (CONTRACT.md §7), with yardsticks measured in the same run.
# bench/README.md explains every table. This file holds the settings and
# the order of the tables; each table's code is in its own file:
# measure.sh (one run, its figures), tables.sh (stress and connection per
# request), yardsticks.sh, httpd.sh (against nginx) and targets.sh.
#
#   bench/bench.sh                          the full run (a few minutes)
#   BENCH_QUICK=1 bench/bench.sh            a reduced set, under a minute
#   BENCH_OUT=results.md bench/bench.sh     also writes the tables as Markdown
#   BENCH_PLACEMENT=cpu0 bench/bench.sh     main tables pinned to CPU 0
#   BENCH_ONLY=io_uring bench/bench.sh      only 11-io-uring and its yardsticks
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
OTHER_PLACEMENT="" # set by other_placement_tables
# 10,000 connections need as many descriptors in the server and in the
# client: raise the soft limit to the hard one (20,000 on the project's
# machines; often 1,024 soft elsewhere).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)
# shellcheck source=bench/measure.sh
. "$KIT_ROOT/bench/measure.sh"
# shellcheck source=bench/tables.sh
. "$KIT_ROOT/bench/tables.sh"
# shellcheck source=bench/yardsticks.sh
. "$KIT_ROOT/bench/yardsticks.sh"
# shellcheck source=bench/httpd.sh
. "$KIT_ROOT/bench/httpd.sh"
# shellcheck source=bench/targets.sh
. "$KIT_ROOT/bench/targets.sh"
# shellcheck source=bench/uring.sh
. "$KIT_ROOT/bench/uring.sh"

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
    if [ -s "$NOTES" ]; then
        echo
        echo "Notes:"
        echo
        sed 's/^/- /' "$NOTES"
    fi
}

echo "bench: delay 0, $([ "$QUICK" = 1 ] && echo "quick set, 1 run each" || echo "median of $RUNS runs"), about $TARGET s per run"
if [ "${BENCH_ONLY:-}" = io_uring ]; then
    # Only 11-io-uring beside its two yardsticks (bench/uring.sh).
    for place in $YARD_PLACEMENTS; do uring_yardsticks "$place"; done
else
    main_tables
    other_placement_tables
    yardsticks
    for place in $YARD_PLACEMENTS; do uring_yardsticks "$place"; done
    targets_from_tables
fi
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
