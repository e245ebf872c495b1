#!/usr/bin/env bats
# The student kit (make student-kit): packed from the last commit, each
# assigned folder's core exercise stubbed, the lab at its start when
# assigned, the assignment written down, and no answer inside: no .patch,
# nothing uncommitted (a dirty tree is refused), no symlink's target (a
# committed symlink is refused).
#
# The kit is made from a scratch repository holding this tree's sources as
# they are now (committed there), so that these tests run the same in a
# work tree with changes of its own and in an unpacked archive.

load helper

# The numbered folders, by glob: a new folder is tested without an edit here.
ALL_FOLDERS=$(cd "$KIT_ROOT" && for f in [0-9][0-9]-*/; do printf '%s ' "${f%/}"; done)

# git with an identity of its own: the machine may have none configured.
kit_git() {
    git -c user.name=student-kit-test -c user.email=kit@localhost -c init.defaultBranch=main "$@"
}

setup_file() {
    ! tooling_skipped || return 0
    [ -d "$KIT_ROOT/exercises" ] || return 0
    command -v git >/dev/null 2>&1 || return 0
    kit_build
    # The scratch reference: this tree's sources as they are now.
    local ref=$BATS_FILE_TMPDIR/reference
    "$KIT_ROOT/scripts/scratch-copy" "$ref"
    kit_git -C "$ref" init -q
    kit_git -C "$ref" add -A
    kit_git -C "$ref" commit -q -m reference
}

setup() {
    tooling_test
    [ -d "$KIT_ROOT/exercises" ] || skip "no exercises/ here: this is a student kit"
    require_command git git
    REF=$BATS_FILE_TMPDIR/reference
}

# own_reference : a clone of the scratch reference for this test alone, in
# $REF (a test that changes it must not change the others').
own_reference() {
    kit_git clone -q "$BATS_FILE_TMPDIR/reference" "$BATS_TEST_TMPDIR/reference"
    REF=$BATS_TEST_TMPDIR/reference
}

# make_kit ITEMS : writes and unpacks the kit into $BATS_TEST_TMPDIR.
make_kit() {
    run make -s -C "$REF" student-kit EXERCISES="$1" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    tar -xzf "$BATS_TEST_TMPDIR/kit.tar.gz" -C "$BATS_TEST_TMPDIR"
    KIT=$BATS_TEST_TMPDIR/upper-kit
}

# kit_refused ITEMS WHAT : make student-kit fails, its message names WHAT,
# and no kit is written.
kit_refused() {
    run make -s -C "$REF" student-kit EXERCISES="$1" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -ne 0 ] || { echo "a kit was made: $output"; return 1; }
    [[ "$output" == *"$2"* ]] || { echo "the refusal does not name $2: $output"; return 1; }
    [ ! -e "$BATS_TEST_TMPDIR/kit.tar.gz" ] || { echo "a kit was written anyway"; return 1; }
}

# stubbed_tests_fail FOLDER : FOLDER's tests fail in the kit. The contract's
# first exchange usually fails at once; if the stub is elsewhere (a mode
# flag), the whole file runs, with short client timeouts.
stubbed_tests_fail() {
    run env KIT_TIMEOUT=5 timeout 120 bats --filter 'hola comes back' "$KIT/tests/$1.bats"
    [ "$status" -eq 0 ] || return 0
    run env KIT_TIMEOUT=5 timeout 600 bats "$KIT"/tests/"$1"*.bats
    [ "$status" -ne 0 ] || { echo "$1: every test passes with its core exercise stubbed"; return 1; }
}

@test "an unknown folder in EXERCISES is an error, and so is none, or one named twice" {
    kit_refused 99-nothing "there is no folder '99-nothing'"
    kit_refused "" "name what to assign"
    kit_refused "03-fork 03-fork" "named twice"
}

@test "no document says where an answer lies: no README or handout names a .patch" {
    run grep -rn --include='*.md' '\.patch' "$REF"
    [ -z "$output" ] || { echo "$output"; return 1; }
}

@test "every folder has a core exercise: all stubbed, the kit builds and fails each folder" {
    make_kit "$ALL_FOLDERS"
    local folder
    for folder in $ALL_FOLDERS; do
        grep -rqs "TODO($folder)" "$KIT/$folder" ||
            { echo "$folder: no TODO($folder) in the kit"; return 1; }
    done
    # No answer inside: no patch, and the graded extras' solutions are absent.
    run find "$KIT" -name '*.patch' -o -name '*.orig' -o -name '*.rej'
    [ -z "$output" ] || { echo "shipped: $output"; return 1; }
    # make succeeds with the kit's own -Werror flags ...
    run make -s -C "$KIT"
    [ "$status" -eq 0 ] || { echo "$output" | tail -20; return 1; }
    # ... and every folder's tests fail until its exercise is written.
    for folder in $ALL_FOLDERS; do
        stubbed_tests_fail "$folder"
    done
}

@test "one folder assigned: only its tests fail; the kit holds exactly the committed files" {
    make_kit 06-udp
    [ "$(cat "$KIT/exercises/ASSIGNED")" = "06-udp" ]
    # Everything outside the assigned folder is the reference, byte for byte.
    run diff -r "$REF/common" "$KIT/common"
    [ "$status" -eq 0 ]
    run make -s -C "$KIT" 01-iterative 06-udp
    [ "$status" -eq 0 ]
    stubbed_tests_fail 06-udp
    run bats "$KIT/tests/01-iterative.bats"
    [ "$status" -eq 0 ] || { echo "$output" | grep -v '^ok'; return 1; }
    # Only what was committed was packed, less the answers; an ignored file
    # in the work tree (a build product, an old kit) neither stops the
    # packing nor goes in.
    run diff <(git -C "$REF" ls-files | grep -v '\.patch$' | sort) \
        <(tar -tzf "$BATS_TEST_TMPDIR/kit.tar.gz" | grep -v '/$' |
          sed 's|^upper-kit/||' | grep -vx exercises/ASSIGNED | sort)
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "an applied extra's answer is not packed: a tree with uncommitted changes is refused, naming them" {
    own_reference
    (cd "$REF" && patch -p1 -s <exercises/08-select/idle-timeout.patch)
    kit_refused 08-select "08-select/server.c"
    # A new file git does not ignore is refused too; an ignored one is not.
    git -C "$REF" checkout -q -- .
    echo "my notes" >"$REF/notes.txt"
    kit_refused 08-select "notes.txt"
    rm "$REF/notes.txt"
    echo "an old kit" >"$REF/student-kit-old.tar.gz"
    make_kit 08-select
    [ ! -e "$KIT/student-kit-old.tar.gz" ]
    run grep -rs drop_if_idle "$KIT/08-select"
    [ "$status" -ne 0 ] || { echo "the idle-timeout answer is in the kit: $output"; return 1; }
}

@test "a committed symlink is refused, naming it, and its target is not packed" {
    own_reference
    echo "secret answer" >"$BATS_TEST_TMPDIR/outside.txt"
    ln -s "$BATS_TEST_TMPDIR/outside.txt" "$REF/03-fork/hint.txt"
    kit_git -C "$REF" add 03-fork/hint.txt
    kit_git -C "$REF" commit -q -m "a link"
    kit_refused 03-fork "03-fork/hint.txt"
}

@test "lab is accepted: the lab's own step prepares the kit, and exercises/ASSIGNED lists it" {
    own_reference
    # A stand-in for the lab's preparation (exercises/lab/assign.sh KITDIR):
    # it marks the kit, and leaves an answer of its own that must not ship.
    mkdir -p "$REF/exercises/lab"
    cat >"$REF/exercises/lab/assign.sh" <<'EOF'
#!/bin/sh
set -eu
[ "$(pwd)" = "$1" ]
echo "the lab starts here" >"$1/02-thread/db/LAB-START.txt"
echo "answer" >"$1/exercises/lab/step1.patch"
EOF
    kit_git -C "$REF" add exercises/lab
    kit_git -C "$REF" commit -q -m "a lab"
    make_kit "lab 03-fork"
    [ "$(cat "$KIT/02-thread/db/LAB-START.txt")" = "the lab starts here" ]
    [ ! -e "$KIT/exercises/lab/step1.patch" ]
    [ "$(cat "$KIT/exercises/ASSIGNED")" = "$(printf 'lab\n03-fork')" ]
    # Without the lab's preparation, lab is refused.
    git -C "$REF" rm -rq exercises/lab
    kit_git -C "$REF" commit -q -m "no lab"
    rm -rf "$KIT" "$BATS_TEST_TMPDIR/kit.tar.gz"
    kit_refused lab "no lab"
}

@test "outside a git checkout make student-kit refuses, saying why" {
    local copy=$BATS_TEST_TMPDIR/unpacked
    mkdir "$copy"
    git -C "$REF" archive HEAD | tar -xf - -C "$copy"
    run env GIT_CEILING_DIRECTORIES="$BATS_TEST_TMPDIR" \
        make -s -C "$copy" student-kit EXERCISES=03-fork STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -ne 0 ]
    [[ "$output" == *"not a git checkout"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/kit.tar.gz" ]
}
