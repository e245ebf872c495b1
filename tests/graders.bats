#!/usr/bin/env bats
# The graded extras, proved in both directions. Each one is a solution,
# exercises/NN-name/EXTRA.patch, and a grader, tests/exercises/NN-name/EXTRA.bats.
# The reference does not have the feature, so its grader must fail there;
# with the solution applied to a scratch copy it must pass. A grader that
# passes on the reference grades nothing; one that fails on the solution
# would fail every student.

load helper
load scratch
# shellcheck source=bench/sections.sh
source "$KIT_ROOT/bench/sections.sh"

setup_file() {
    ! tooling_skipped || return 0
    kit_build
}

setup() {
    tooling_test
    compgen -G "$KIT_ROOT/exercises/*/*.patch" >/dev/null ||
        skip "no solutions here: this is a student kit"
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

# Every section (the numbered folders; KIT_SECTIONS="03-fork" picks some)
# has graded extras, each proved. Not-numbered items of exercises/ (such
# as a lab) are proved by their own tests, not here.
@test "every section: each grader fails on the reference and passes with its solution" {
    local folder folders failed=()
    mapfile -t folders < <(kit_sections)
    for folder in "${folders[@]}"; do
        echo "# $folder" >&3
        prove_graders "$folder" || failed+=("$folder")
    done
    [ "${#failed[@]}" -eq 0 ] || { echo "failed for: ${failed[*]}"; return 1; }
}
