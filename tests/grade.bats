#!/usr/bin/env bats
# make grade (scripts/grade, exercises/points.tsv): one line per graded item,
# the score, the same in JSON and JUnit; a submission graded against a
# pristine kit, whatever it did to its tests. Built on scratch kits that
# assign 01-iterative (tests/grading.bash).

load helper
load grading

setup_file() {
    ! tooling_skipped || return 0
    kit_build 01-iterative tests/tools/peer
    # One kit for every test: 01-iterative assigned, and a student's copy
    # of it with the core and the extra served-count written.
    export SCRATCH_KIT="$BATS_FILE_TMPDIR/kit" SOLVED="$BATS_FILE_TMPDIR/solved"
    scratch_kit "$SCRATCH_KIT" 01-iterative
    # Built once: every copy below rebuilds only what it changes.
    make -s -C "$SCRATCH_KIT" 01-iterative tests/tools/peer >/dev/null
    cp -a "$SCRATCH_KIT" "$SOLVED"
    solve "$SOLVED"
}

setup() {
    tooling_test
    [ -f "$KIT_ROOT/exercises/01-iterative/core.patch" ] || skip "no answers here: this is a student kit"
}

# item_line ITEM RESULT POINTS MAX : $output has ITEM's line, as promised.
item_line() {
    grep -Eq "^$1: $2 \\($3/$4\\) [0-9]+\\.[0-9] s( \\(.*\\))?\$" <<<"$output" ||
        { echo "no line '$1: $2 ($3/$4) SECONDS s' in:"; echo "$output"; return 1; }
}

@test "make grade in a kit: a line per assigned item, then the score; JSON and JUnit say the same" {
    require_command xmllint libxml2-utils
    require_command python3 python3
    run make -s -C "$SOLVED" grade
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    item_line 01-iterative OK 10 10
    item_line 01-iterative/served-count OK 5 5
    item_line 01-iterative/stdio-streams FAIL 0 5
    [ "$(grep -c '^01-iterative' <<<"$output")" -eq 3 ]
    grep -qx 'Score: 15/20' <<<"$output"
    grep -q "grade-results/grade.json" <<<"$output" # says where
    local json=$SOLVED/grade-results/grade.json xml=$SOLVED/grade-results/junit.xml
    run python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["score"], r["max_score"])
for t in r["tests"]:
    print(t["name"], t["score"], t["max_score"], "not ok" in t["output"])' "$json"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "${lines[0]}" = "15 20" ]
    [ "${lines[1]}" = "01-iterative 10 10 False" ]
    [ "${lines[2]}" = "01-iterative/served-count 5 5 False" ]
    [ "${lines[3]}" = "01-iterative/stdio-streams 0 5 True" ] # the failing tests are in its output
    run xmllint --noout "$xml"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(xmllint --xpath 'count(//testcase)' "$xml")" = 3 ]
    [ "$(xmllint --xpath 'string(/testsuites/@failures)' "$xml")" = 1 ]
    [ "$(xmllint --xpath "count(//testcase[@name='01-iterative/stdio-streams']/failure)" "$xml")" = 1 ]
    [ "$(xmllint --xpath "string(//testsuite/properties/property[@name='score']/@value)" "$xml")" = 15 ]
    [ "$(cat "$SOLVED/grade-results/grade.csv")" = "$(printf '%s\n' item,points,max \
        01-iterative,10,10 01-iterative/served-count,5,5 01-iterative/stdio-streams,0,5 total,15,20)" ]
}

@test "an item not attempted scores 0, the others still count; an extra whose core fails says it needs it" {
    run make -s -C "$SCRATCH_KIT" grade ITEM="01-iterative 01-iterative/served-count"
    [ "$status" -eq 0 ] # a failing grade is not a failing run
    item_line 01-iterative FAIL 0 10
    item_line 01-iterative/served-count FAIL 0 5
    grep -q '^01-iterative/served-count: .*(needs 01-iterative, which failed)$' <<<"$output"
    grep -qx 'Score: 0/15' <<<"$output"
}

@test "ITEM grades one item alone; an unknown item, group or option is a usage error (2)" {
    run make -s -C "$SOLVED" grade ITEM=01-iterative/served-count
    [ "$status" -eq 0 ]
    [ "$(grep -c ': \(OK\|FAIL\) (' <<<"$output")" -eq 1 ]
    item_line 01-iterative/served-count OK 5 5
    grep -qx 'Score: 5/5' <<<"$output"
    run "$SOLVED/scripts/grade" --item 01-iterative/no-such-extra
    [ "$status" -eq 2 ]
    [[ $output == *"no item '01-iterative/no-such-extra'"* ]]
    run "$SOLVED/scripts/grade" --exercises 99-nothing
    [ "$status" -eq 2 ]
    run "$SOLVED/scripts/grade" --no-such-option
    [ "$status" -eq 2 ]
    run make -s -C "$SOLVED" grade ITEM=nothing
    [ "$status" -eq 2 ]
}

@test "the points come from exercises/points.tsv alone: a changed row changes the score, a bad one is an error" {
    local copy=$BATS_TEST_TMPDIR/copy
    cp -a "$SOLVED" "$copy"
    sed -i 's|^01-iterative/served-count\t5\t|01-iterative/served-count\t7\t|' "$copy/exercises/points.tsv"
    run make -s -C "$copy" grade ITEM=01-iterative/served-count
    item_line 01-iterative/served-count OK 7 7
    # An item the table does not list is worth the default row's points.
    sed -i '/^01-iterative\/served-count/d; s/^\*\t10\t/*\t3\t/' "$copy/exercises/points.tsv"
    run make -s -C "$copy" grade ITEM=01-iterative/served-count
    item_line 01-iterative/served-count OK 3 3
    printf '01-iterative/served-count\tmany\t-\n' >>"$copy/exercises/points.tsv"
    run "$copy/scripts/grade" --item 01-iterative/served-count
    [ "$status" -eq 2 ]
    [[ $output == *"not a whole number of points"* ]]
}

@test "a submission's edited tests, graders, helper and Makefile count for nothing: it scores what it would without them" {
    local edited=$BATS_TEST_TMPDIR/edited solved_edited=$BATS_TEST_TMPDIR/solved-edited
    cp -a "$SCRATCH_KIT" "$edited"
    edit_graders "$edited"
    cp -a "$SOLVED" "$solved_edited"
    edit_graders "$solved_edited"
    rm -rf "$solved_edited/grade-results"
    # In the student's own tree the edit "works" ...
    run make -s -C "$edited" grade ITEM=01-iterative/served-count
    item_line 01-iterative/served-count OK 5 5
    # ... but not against the pristine kit: the untouched kit's score, and
    # the solved one's with the edit.
    local sub expected
    for sub in edited solved-edited; do
        run "$KIT_ROOT/scripts/grade" --submission "$BATS_TEST_TMPDIR/$sub" --kit "$SCRATCH_KIT" \
            --out "$BATS_TEST_TMPDIR/out-$sub" --item 01-iterative/served-count --item 01-iterative
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        case $sub in
            solved-edited) expected='Score: 15/15' ;;
            *) expected='Score: 0/15' ;;
        esac
        grep -qx "$expected" <<<"$output" || { echo "$sub: expected $expected:"; echo "$output"; return 1; }
    done
    # A tarball is the same submission.
    tar -czf "$BATS_TEST_TMPDIR/edited.tar.gz" -C "$BATS_TEST_TMPDIR" edited
    run "$KIT_ROOT/scripts/grade" --submission "$BATS_TEST_TMPDIR/edited.tar.gz" --kit "$SCRATCH_KIT" \
        --out "$BATS_TEST_TMPDIR/out-tar" --item 01-iterative/served-count
    grep -qx 'Score: 0/5' <<<"$output"
}

@test "a submission's sources replace the pristine ones: a folder it left out, or a program it shipped, earns nothing" {
    # Against the reference itself, prepared and built as grade-class does:
    # its 01-iterative/server works. A submission without that folder must
    # not inherit it, nor one that ships a working program beside a
    # stubbed source.
    local base=$BATS_TEST_TMPDIR/base empty=$BATS_TEST_TMPDIR/empty shipped=$BATS_TEST_TMPDIR/shipped
    run "$KIT_ROOT/scripts/grade" --prepare "$base" --exercises 01-iterative
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ -x "$base/01-iterative/server" ]
    [ "$(cat "$base/exercises/ASSIGNED")" = 01-iterative ]
    [ -z "$(find "$base" -name '*.patch')" ] # no answer in the graded tree
    mkdir -p "$empty/02-thread"
    cp -a "$SCRATCH_KIT" "$shipped"
    cp "$base/01-iterative/server" "$shipped/01-iterative/server"
    local sub
    for sub in empty shipped; do
        run "$KIT_ROOT/scripts/grade" --submission "$BATS_TEST_TMPDIR/$sub" --base "$base" \
            --out "$BATS_TEST_TMPDIR/out-$sub" --item 01-iterative/served-count
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        grep -qx 'Score: 0/5' <<<"$output" || { echo "$sub:"; echo "$output"; return 1; }
        case $sub in
            empty) [[ $output == *"not in the submission: 01-iterative"* ]] ;;
            shipped) [[ $output != *"not in the submission"* ]] ;;
        esac
    done
}

@test "an item that hangs is stopped by its timeout, the next one is graded, and nothing it started is left" {
    local stuck=$BATS_TEST_TMPDIR/stuck
    cp -a "$SOLVED" "$stuck"
    plant "$stuck" "$ENDLESS"
    run env GRADE_TIMEOUT=5 "$stuck/scripts/grade" --item 01-iterative/served-count --item 01-iterative/stdio-streams
    [ "$status" -eq 0 ]
    grep -Eq '^01-iterative/served-count: FAIL \(0/5\) [0-9.]+ s \(stopped after the 5 s timeout\)( \(.*\))?$' <<<"$output" ||
        { echo "$output"; return 1; }
    item_line 01-iterative/stdio-streams FAIL 0 5
    sleep 0.5
    run pgrep -f "$stuck/01-iterative/server"
    [ "$status" -ne 0 ] || { echo "left running:"; ps -o pid,stat,args -p "${lines[*]}"; return 1; }
}

@test "the reference grades every item: each folder's core and extras, and the lab's steps, with their points" {
    run "$KIT_ROOT/scripts/grade" --list
    [ "$status" -eq 0 ]
    local folder
    for folder in "$KIT_ROOT"/exercises/[0-9][0-9]-*/; do
        folder=$(basename "$folder")
        grep -q "^$folder	[0-9]" <<<"$output" || { echo "no $folder"; return 1; }
    done
    grep -qx '01-iterative/served-count	5' <<<"$output"
    if compgen -G "$KIT_ROOT/tests/exercises/lab/step*-*.bats" >/dev/null; then
        grep -q '^lab/step1	' <<<"$output"
    fi
    # A kit grades only its assignment.
    run "$SCRATCH_KIT/scripts/grade" --list
    [ "$output" = "$(printf '%s\t%s\n' 01-iterative 10 01-iterative/served-count 5 01-iterative/stdio-streams 5)" ]
}
