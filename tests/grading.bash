# tests/grading.bash - scratch kits and planted submissions for the tests
# of make grade (grade.bats) and scripts/grade-class (grade-class.bats).
# Everything is built on 01-iterative, whose core tests take seconds and
# whose graded extra served-count takes less than one.

# scratch_copy DIR: the kit's sources as they are (tests/scratch.bash).
# shellcheck source=tests/scratch.bash
source "$KIT_ROOT/tests/scratch.bash"

# scratch_kit DIR GROUP... : a student kit as make student-kit writes it:
# each folder's core stubbed, the lab at its start, the assignment in
# exercises/ASSIGNED, no answer inside.
scratch_kit() {
    local dir=$1 group
    shift
    scratch_copy "$dir"
    for group in "$@"; do
        if [ "$group" = lab ]; then
            sh "$dir/exercises/lab/assign.sh" "$dir" >/dev/null
        else
            (cd "$dir" && patch -p1 -s <"exercises/$group/core.patch")
        fi
    done
    find "$dir" -name '*.patch' -type f -delete
    printf '%s\n' "$@" >"$dir/exercises/ASSIGNED"
}

# solve DIR : in the kit DIR, 01-iterative's core written and its extra
# served-count too (the reference's server with that extra's answer).
solve() {
    cp "$KIT_ROOT/01-iterative/server.c" "$1/01-iterative/server.c"
    (cd "$1" && patch -p1 -s <"$KIT_ROOT/exercises/01-iterative/served-count.patch")
}

# edit_graders DIR : every test, grader and helper of 01-iterative now
# passes whatever the code, and the Makefile's check targets are gone.
edit_graders() {
    local file
    for file in "$1/tests/01-iterative.bats" "$1"/tests/exercises/01-iterative/*.bats; do
        printf '%s\n' '#!/usr/bin/env bats' '@test "passes" { true; }' >"$file"
    done
    printf '%s\n' 'kit_build() { :; }' >>"$1/tests/helper.bash"
    sed -i 's/^check: .*/check:\n\ttrue/' "$1/Makefile"
}

# plant DIR C_CODE : 01-iterative/server.c of DIR runs C_CODE (a function
# body) first thing in main, then serves as before.
plant() {
    local server=$1/01-iterative/server.c
    # (through the environment: awk -v would turn \n into a line break)
    PLANTED="$2" awk '
        /^int main\(int argc, char \*\*argv\)$/ {
            print "#include <arpa/inet.h>"
            print "#include <netinet/in.h>"
            print "#include <signal.h>"
            print "#include <string.h>"
            print "static void planted(void)"
            print "{"
            print ENVIRON["PLANTED"]
            print "}"
            print ""
            print; getline; print; print "    planted();"; next
        }
        { print }' "$server" >"$server.new"
    mv "$server.new" "$server"
    grep -q 'planted();' "$server"
}

# The planted misbehaviours (C function bodies).
FORK_BOMB='    if (fork() == 0)
        for (;;)
            (void)fork();'
# A child that leaves the process group, ignores every signal it can and
# sleeps forever; the server itself spins before it ever listens.
ENDLESS='    if (fork() == 0) {
        (void)setsid();
        for (int sig = 1; sig < 32; sig++)
            (void)signal(sig, SIG_IGN);
        for (;;)
            (void)pause();
    }
    for (volatile unsigned long spin = 0;; spin++)
        ;'
# escape_code PORT PATH... : writes "escaped" into each PATH, connects to
# 127.0.0.1:PORT and says "escaped" there, then lets the server start.
escape_code() {
    local port=$1 path
    shift
    for path in "$@"; do
        printf '    { FILE *f = fopen("%s", "w"); if (f) { fputs("escaped\\n", f); fclose(f); } }\n' "$path"
    done
    printf '%s\n' '    int fd = socket(AF_INET, SOCK_STREAM, 0);' \
        '    struct sockaddr_in to;' \
        '    memset(&to, 0, sizeof to);' \
        '    to.sin_family = AF_INET;' \
        "    to.sin_port = htons($port);" \
        '    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);' \
        '    if (fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof to) == 0) {' \
        '        ssize_t sent = write(fd, "escaped\n", 8);' \
        '        (void)sent;' \
        '    }' \
        '    if (fd >= 0)' \
        '        close(fd);'
}
