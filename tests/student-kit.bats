#!/usr/bin/env bats
# The student kit (make student-kit): the assigned folders' solution regions
# become TODOs with stubs that compile; everything else stays intact.

load helper

setup_file() {
    kit_build
}

@test "an unknown folder in EXERCISES is an error" {
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="99-nothing" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -ne 0 ]
    [[ "$output" == *"there is no folder '99-nothing'"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/kit.tar.gz" ]
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -ne 0 ]
}

@test "the student kit builds, and fails exactly the assigned folder's tests" {
    local kit=$BATS_TEST_TMPDIR/upper-kit
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="01-iterative" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -eq 0 ]
    tar -xzf "$BATS_TEST_TMPDIR/kit.tar.gz" -C "$BATS_TEST_TMPDIR"
    # No solution left in the assigned folder, a TODO instead; none of the
    # reference's build products were shipped.
    run grep -c "EXERCISE(01-iterative)" "$kit/01-iterative/server.c"
    [ "$output" = "0" ]
    grep -q "TODO(01-iterative)" "$kit/01-iterative/server.c"
    [ ! -e "$kit/01-iterative/server" ] && [ ! -d "$kit/.build" ]
    # make succeeds (with the kit's own -Werror flags) ...
    run make -s -C "$kit"
    [ "$status" -eq 0 ]
    [ -x "$kit/01-iterative/server" ]
    # ... the assigned folder's tests fail ...
    run bats "$kit/tests/01-iterative.bats"
    [ "$status" -ne 0 ]
    [[ "$output" == *"not ok"*"hola comes back"* ]]
    # ... and the reference's untouched regions still pass theirs.
    run diff "$KIT_ROOT/common/io.c" "$kit/common/io.c"
    [ "$status" -eq 0 ]
}
