#!/usr/bin/env bats
# The course's lab (02-thread/db/README.md), proved as tests/graders.bats
# proves the folders' graded extras. Each step's grader,
# tests/exercises/lab/stepN-*.bats, fails on the lab's starting point
# (exercises/lab/start/, put in place by exercises/lab/assign.sh as in a
# student kit) and passes on the reference (02-thread/db/). The steps
# build on each other: exercises/lab/stepN.patch, one answer to steps 1 to
# N, passes graders 1 to N and fails grader N+1. And the graders of steps
# 4 and 5 catch a database that locks wrongly (exercises/lab/broken-*.patch,
# each a deliberate mistake in a copy of the reference).

load helper

setup_file() {
    ! tooling_skipped || return 0
    kit_build 02-thread tests/tools/peer
}

setup() {
    tooling_test
    compgen -G "$KIT_ROOT/exercises/lab/*.patch" >/dev/null ||
        skip "no solutions here: this is a student kit"
}

# lab_tree [start] [NAME] : TREE, a scratch copy of the kit, built; with
# "start", the lab's starting point in place of 02-thread/db/'s sources;
# with NAME, exercises/lab/NAME.patch applied. WHAT says which it is.
lab_tree() {
    TREE=$BATS_TEST_TMPDIR/tree
    WHAT="the reference"
    mkdir -p "$TREE"
    (cd "$KIT_ROOT" && tar -cf - --exclude=./.git --exclude=./.build --exclude=./bench-results .) |
        tar -xf - -C "$TREE"
    make -s -C "$TREE" clean >/dev/null
    if [ "${1:-}" = start ]; then
        shift
        WHAT="the starting point"
        "$TREE/exercises/lab/assign.sh" "$TREE" >/dev/null
    fi
    if [ -n "${1:-}" ]; then
        WHAT="$WHAT with exercises/lab/$1.patch"
        (cd "$TREE" && patch -p1 -s <"exercises/lab/$1.patch") ||
            { echo "exercises/lab/$1.patch does not apply"; return 1; }
    fi
    run make -s -C "$TREE" ${CC:+CC="$CC"} 02-thread tests/tools/peer
    [ "$status" -eq 0 ] || { echo "$WHAT does not build:"; echo "$output" | tail; return 1; }
}

# graders_pass N... / graders_fail N... : step N's grader passes / fails
# on TREE.
grader_of() { compgen -G "$TREE/tests/exercises/lab/step$1-*.bats"; }
graders_pass() {
    local n
    for n in "$@"; do
        run timeout 300 bats "$(grader_of "$n")"
        [ "$status" -eq 0 ] || { echo "step $n's grader fails on $WHAT:"; echo "$output" | grep -v '^ok'; return 1; }
    done
}
graders_fail() {
    local n
    for n in "$@"; do
        run timeout 300 bats "$(grader_of "$n")"
        [ "$status" -ne 0 ] || { echo "step $n's grader passes on $WHAT"; return 1; }
    done
}

@test "lab: the starting point builds in place of the reference, and every step's grader fails on it" {
    lab_tree start
    [ "$(cd "$TREE/02-thread/db" && echo *)" = "README.md dbclient.c dbserver.c linereader.c linereader.h" ]
    graders_fail 1 2 3 4 5
}

@test "lab: every step's grader passes on the reference" {
    TREE=$KIT_ROOT
    WHAT="the reference"
    graders_pass 1 2 3 4 5
}

@test "lab: an answer to step 1 passes step 1's grader and fails step 2's" {
    lab_tree start step1
    graders_pass 1
    graders_fail 2
}

@test "lab: an answer to steps 1-2 passes their graders and fails step 3's" {
    lab_tree start step2
    graders_pass 1 2
    graders_fail 3
}

@test "lab: an answer to steps 1-3 passes their graders and fails step 4's" {
    lab_tree start step3
    graders_pass 1 2 3
    graders_fail 4
}

@test "lab: step 4's grader fails when BIRTHDAY lets its record go during the slow access" {
    lab_tree broken-birthday
    graders_fail 4
}

@test "lab: step 5's grader fails when -L record locks the whole database; step 4's still passes" {
    lab_tree broken-record-locks
    graders_pass 4
    graders_fail 5
}
