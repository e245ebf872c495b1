#!/usr/bin/env bats
# The build itself (CONTRACT.md §2): exact incremental builds, header
# tracking, flag changes, per-folder targets, and the missing-bats message.
# Each test works on a scratch copy of the sources, never on the real tree.

load helper

# The scratch builds here must be plain ones, whatever `make check` was
# given (SAN=address arrives through MAKEFLAGS and the environment).
unset MAKEFLAGS MAKELEVEL MFLAGS SAN CC

setup_file() {
    ! tooling_skipped || return 0
    export KIT_COPY="$BATS_FILE_TMPDIR/kit"
    mkdir -p "$KIT_COPY"
    # The sources only: no .git, no objects, no programs.
    (cd "$KIT_ROOT" && tar -cf - --exclude=.git --exclude=.build --exclude='*.o' \
        --exclude='libkit.a' --exclude='student-kit*.tar.gz' --exclude='bench-results*' .) |
        (cd "$KIT_COPY" && tar -xf -)
    make -s -C "$KIT_COPY" clean >/dev/null
    make -s -C "$KIT_COPY" 01-iterative >/dev/null
}

setup() { tooling_test; }

@test "a folder target builds that folder only" {
    [ -x "$KIT_COPY/01-iterative/server" ]
    [ -x "$KIT_COPY/01-iterative/client" ]
    local other
    for other in "$KIT_COPY"/0[2-9]-*/server.c; do
        [ -e "$other" ] || continue
        [ ! -e "${other%.c}" ] || { echo "built ${other%.c} too"; return 1; }
    done
}

@test "a second make with nothing changed rebuilds nothing" {
    run make -C "$KIT_COPY" 01-iterative
    [ "$status" -eq 0 ]
    [[ "$output" != *" -c "* ]]
    run make -q -C "$KIT_COPY" 01-iterative
    [ "$status" -eq 0 ]
}

@test "touching a common header rebuilds exactly the files that include it" {
    touch "$KIT_COPY/common/upper.h"
    run make -n -C "$KIT_COPY" 01-iterative
    [[ "$output" == *"-c common/upper.c"* ]]      # includes upper.h
    [[ "$output" == *"-c 01-iterative/server.c"* ]] # includes upper.h
    [[ "$output" != *"-c common/net.c"* ]]        # does not
    make -s -C "$KIT_COPY" 01-iterative >/dev/null
}

@test "changing the compiler or the sanitizer rebuilds everything" {
    run make -n -C "$KIT_COPY" 01-iterative SAN=address
    [[ "$output" == *"-fsanitize=address"*"-c common/net.c"* ]]
    run make -n -C "$KIT_COPY" 01-iterative CC=clang
    [[ "$output" == *"clang"*"-c common/net.c"* ]]
    run make -C "$KIT_COPY" 01-iterative SAN=nonsense
    [ "$status" -ne 0 ]
    [[ "$output" == *"SAN must be address or thread"* ]]
}

@test "warnings are errors" {
    printf 'int unused_warning(void);\nint unused_warning(void) { int x; return 0; }\n' >"$KIT_COPY/01-iterative/warn.c"
    run make -C "$KIT_COPY" 01-iterative
    rm -f "$KIT_COPY/01-iterative/warn.c"
    [ "$status" -ne 0 ]
    [[ "$output" == *"unused variable"* ]]
}

@test "make check without bats says how to install it and fails" {
    run make -C "$KIT_COPY" check-01-iterative BATS=no-such-bats-here
    [ "$status" -ne 0 ]
    [[ "$output" == *"apt-get install bats"* ]]
    [[ "$output" == *"brew install bats-core"* ]]
    [[ "$output" == *"npm install -g bats"* ]]
}

@test "make check names each missing command's package, and fails only without a required one" {
    run make -s -C "$KIT_COPY" tools-present CHECK_OPTIONAL="no-such-tool:some-package"
    [ "$status" -eq 0 ]
    [[ "$output" == *"not installed: some-package"*"apt-get install -y some-package"* ]]
    run make -s -C "$KIT_COPY" tools-present CHECK_REQUIRED="no-such-tool:vital-package"
    [ "$status" -ne 0 ]
    [[ "$output" == *"make check needs: vital-package"* ]]
}

@test "make clean removes every build product" {
    make -s -C "$KIT_COPY" 01-iterative tests/tools/peer >/dev/null
    make -s -C "$KIT_COPY" clean
    [ ! -e "$KIT_COPY/.build" ]
    [ ! -e "$KIT_COPY/common/libkit.a" ]
    [ ! -e "$KIT_COPY/01-iterative/server" ]
    [ ! -e "$KIT_COPY/tests/tools/peer" ]
}
