# tests/scratch.bash - a scratch copy of the kit, for the tests that change
# it (tests/graders.bats applies solutions, tests/add-section.bats adds a
# section).

# scratch_copy DIR : the kit's sources (what git tracks, and new files it
# does not ignore), without build products, in DIR. Outside a git checkout
# (an unpacked archive), every file but .build/ and grade-results/; make
# rebuilds the rest.
scratch_copy() {
    mkdir -p "$1"
    if git -C "$KIT_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$KIT_ROOT" && git ls-files --cached --others --exclude-standard |
            while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
            tar -cf - -T -) | tar -xf - -C "$1"
    else
        (cd "$KIT_ROOT" && tar -cf - --exclude=./.build --exclude=./grade-results .) | tar -xf - -C "$1"
        make -s -C "$1" clean >/dev/null
    fi
}
