#!/usr/bin/env bash
# bench/grade-class.sh - how long scripts/grade-class takes on a class, one
# submission at a time and side by side, and whether the grades agree.
#
#   bench/grade-class.sh [-n 40] [-f 03-fork] [-j "1 2"]
#
# The class: N submissions of a kit assigning FOLDER and the lab (when the
# reference has one). Three in four have FOLDER's core written (the
# reference's sources) and the lab finished (the reference's 02-thread/db);
# every fourth is the untouched kit. 03-fork by default: its tests take
# the median time of the ten folders' (about 20 s alone) and start a
# process per client, the load a class of servers puts on a machine.
# For each -j, prints the wall time and whether grades.csv is the same as
# the first run's. Not a test: it takes minutes, and the lock
# (/tmp/kit-tests.lock on shared machines) should be held around it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
count=40
folder=03-fork
parallel="1 2"
while getopts n:f:j: opt; do
    case $opt in
        n) count=$OPTARG ;;
        f) folder=$OPTARG ;;
        j) parallel=$OPTARG ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
[ -f "$root/exercises/$folder/core.patch" ] || { echo "grade-class.sh: $folder has no core exercise" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-grade-class.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The kit, as make student-kit would write it.
groups=$folder
[ ! -f "$root/exercises/lab/assign.sh" ] || groups="$folder lab"
kit=$work/kit
mkdir -p "$kit"
(cd "$root" && git ls-files --cached --others --exclude-standard | while IFS= read -r f; do
    [ -f "$f" ] && printf '%s\n' "$f"
done | tar -cf - -T -) | tar -xf - -C "$kit"
(cd "$kit" && patch -p1 -s <"exercises/$folder/core.patch")
[ ! -f "$kit/exercises/lab/assign.sh" ] || [ "$groups" = "$folder" ] ||
    sh "$kit/exercises/lab/assign.sh" "$kit" >/dev/null
find "$kit" -name '*.patch' -type f -delete
# shellcheck disable=SC2086 # one group a line
printf '%s\n' $groups >"$kit/exercises/ASSIGNED"

mkdir "$work/class"
for ((i = 1; i <= count; i++)); do
    student=$work/class/student$(printf '%02d' "$i")
    mkdir -p "$student/$folder" "$student/02-thread/db"
    if ((i % 4 == 0)); then
        cp "$kit/$folder"/*.[ch] "$student/$folder/"
        cp "$kit/02-thread/db"/*.[ch] "$student/02-thread/db/" 2>/dev/null || true
    else
        cp "$root/$folder"/*.[ch] "$student/$folder/"
        cp "$root/02-thread/db"/*.[ch] "$student/02-thread/db/"
    fi
done

echo "grade-class.sh: $count submissions of $groups on $(nproc) CPUs ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load $(cut -d' ' -f1-3 /proc/loadavg)"
first=""
for j in $parallel; do
    began=$(date +%s)
    "$root/scripts/grade-class" -j "$j" --kit "$kit" "$work/class" "$work/out-$j" >"$work/run-$j.log" 2>&1
    seconds=$(($(date +%s) - began))
    same=first
    if [ -n "$first" ]; then
        if cmp -s "$work/out-$first/grades.csv" "$work/out-$j/grades.csv"; then same=same; else same=DIFFERENT; fi
    else
        first=$j
    fi
    total=$(awk -F, '$2 == "total" { p += $3; m += $4 } END { print p "/" m }' "$work/out-$j/grades.csv")
    printf 'grade-class.sh: -j %s: %d s (%d min %02d s), class total %s, grades %s; load after %s\n' \
        "$j" "$seconds" $((seconds / 60)) $((seconds % 60)) "$total" "$same" "$(cut -d' ' -f1-3 /proc/loadavg)"
    grep '^grade-class: \(isolation\|no writable\|cgroup\)' "$work/run-$j.log" | sed 's/^/    /'
done
