#!/bin/sh
# exercises/lab/assign.sh KITDIR - assigns the course's lab in a student kit.
#
# KITDIR is an unpacked copy of this repository (the reference). The lab's
# sources, 02-thread/db/, are replaced by its starting point, the one-shot
# server and client of exercises/lab/start/, which build into the same
# programs (02-thread/dbserver, 02-thread/dbclient). The lab's statement,
# 02-thread/db/README.md, and the line reader it may use stay. The reference's own tests of the finished
# server (tests/02-thread-db.bats, tests/hostile-db.bats) go too: they check
# every reply text and tool of the reference, far more than the lab asks;
# the lab's graders, tests/exercises/lab/, take their place.
# scripts/student-kit.sh calls it when EXERCISES names "lab". POSIX sh.
set -eu

fail() {
    echo "assign lab: $*" >&2
    exit 2
}

[ $# -eq 1 ] || fail "usage: exercises/lab/assign.sh KITDIR"
kit=$1
start=$(cd "$(dirname "$0")" && pwd)/start
[ -f "$kit/02-thread/db/README.md" ] || fail "$kit has no 02-thread/db/README.md: not a copy of the kit"
{ [ -f "$start/dbserver.c" ] && [ -f "$start/dbclient.c" ]; } || fail "no starting point in $start"

# The line reader (linereader.c and .h) stays: a given helper, as in the
# reference, not part of the lab.
find "$kit/02-thread/db" -type f ! -name README.md ! -name 'linereader.[ch]' -exec rm -f {} +
cp "$start"/*.c "$kit/02-thread/db/"
rm -f "$kit/tests/02-thread-db.bats" "$kit/tests/hostile-db.bats"
echo "assign lab: 02-thread/db/ holds the lab's starting point (02-thread/db/README.md)"
