#!/usr/bin/env bats
# The graded extras, proved in both directions. Each one is a solution,
# exercises/NN-name/EXTRA.patch, and a grader, tests/exercises/NN-name/EXTRA.bats.
# The reference does not have the feature, so its grader must fail there;
# with the solution applied to a scratch copy it must pass. A grader that
# passes on the reference grades nothing; one that fails on the solution
# would fail every student.

load helper

setup_file() {
    ! tooling_skipped || return 0
    kit_build
}

setup() {
    tooling_test
    compgen -G "$KIT_ROOT/exercises/*/*.patch" >/dev/null ||
        skip "no solutions here: this is a student kit"
}

# scratch_copy DIR : the kit's sources (what git tracks, and new files it
# does not ignore), without build products, in DIR. Outside a git checkout
# (an unpacked archive), every file but .build/; make rebuilds the rest.
scratch_copy() {
    mkdir -p "$1"
    if git -C "$KIT_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$KIT_ROOT" && git ls-files --cached --others --exclude-standard |
            while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
            tar -cf - -T -) | tar -xf - -C "$1"
    else
        (cd "$KIT_ROOT" && tar -cf - --exclude=./.build .) | tar -xf - -C "$1"
        make -s -C "$1" clean >/dev/null
    fi
}

# prove_graders FOLDER : every grader of FOLDER fails on the reference and
# passes with its solution; every solution has a grader; there is one at least.
prove_graders() {
    local folder=$1 grader patch extra copy graded=0
    for patch in "$KIT_ROOT/exercises/$folder"/*.patch; do
        [ -f "$patch" ] || continue
        extra=$(basename "$patch" .patch)
        [ "$extra" = core ] && continue
        [ -f "$KIT_ROOT/tests/exercises/$folder/$extra.bats" ] ||
            { echo "exercises/$folder/$extra.patch has no grader tests/exercises/$folder/$extra.bats"; return 1; }
    done
    for grader in "$KIT_ROOT/tests/exercises/$folder"/*.bats; do
        [ -f "$grader" ] || continue
        extra=$(basename "$grader" .bats)
        [ -f "$KIT_ROOT/exercises/$folder/$extra.patch" ] ||
            { echo "$grader has no solution exercises/$folder/$extra.patch"; return 1; }
        run timeout 300 bats "$grader"
        [ "$status" -ne 0 ] ||
            { echo "$folder/$extra: the grader passes on the reference, which lacks the feature"; return 1; }
        copy=$BATS_TEST_TMPDIR/$extra
        scratch_copy "$copy"
        (cd "$copy" && patch -p1 -s <"exercises/$folder/$extra.patch") ||
            { echo "exercises/$folder/$extra.patch does not apply to the reference"; return 1; }
        run make -s -C "$copy" ${CC:+CC="$CC"} "$folder"
        [ "$status" -eq 0 ] || { echo "$folder/$extra: the solution does not build"; echo "$output" | tail; return 1; }
        run timeout 300 bats "$copy/tests/exercises/$folder/$extra.bats"
        [ "$status" -eq 0 ] ||
            { echo "$folder/$extra: the grader fails on its own solution"; echo "$output" | grep -v '^ok'; return 1; }
        graded=$((graded + 1))
    done
    [ "$graded" -ge 1 ] || { echo "$folder has no graded extra"; return 1; }
}

@test "01-iterative: each grader fails on the reference and passes with its solution" { prove_graders 01-iterative; }
@test "02-thread: each grader fails on the reference and passes with its solution" { prove_graders 02-thread; }
@test "03-fork: each grader fails on the reference and passes with its solution" { prove_graders 03-fork; }
@test "04-prefork-pool: each grader fails on the reference and passes with its solution" { prove_graders 04-prefork-pool; }
@test "05-prefork-accept: each grader fails on the reference and passes with its solution" { prove_graders 05-prefork-accept; }
@test "06-udp: each grader fails on the reference and passes with its solution" { prove_graders 06-udp; }
@test "07-udp-threadpool: each grader fails on the reference and passes with its solution" { prove_graders 07-udp-threadpool; }
@test "08-select: each grader fails on the reference and passes with its solution" { prove_graders 08-select; }
@test "09-epoll: each grader fails on the reference and passes with its solution" { prove_graders 09-epoll; }
@test "10-pipes-fifo-signals: each grader fails on the reference and passes with its solution" { prove_graders 10-pipes-fifo-signals; }
@test "11-io-uring: each grader fails on the reference and passes with its solution" {
    load io_uring
    require_io_uring # its grader skips, and so passes, where io_uring cannot run
    prove_graders 11-io-uring
}
