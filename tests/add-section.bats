#!/usr/bin/env bats
# Adding a section (CONTRACT.md §14). A section is found by its folder's
# name alone: a copy of 01-iterative named 12-scratch, in a scratch copy of
# the kit, is built, tested by its own tests and the cross-folder suites,
# shown by make demo, packed by the student kit and graded, and not one
# file outside the section's own changes. And the two rules that make it
# so hold for every section: the Makefile's program/library rule, and a
# section.conf that says only what the kit reads.

load helper
load scratch
# shellcheck source=bench/sections.sh
source "$KIT_ROOT/bench/sections.sh"

setup() { tooling_test; }

# The names a section.conf may set and, for a list of rows, how many
# |-separated fields each row has (0: a list of server options, or a word).
declare -gA SECTION_FIELDS=([serves]=0 [configs]=0 [serial]=0 [prefork]=0
    [out_of_fds]=0 [probe]=0 [demo]=5 [bench]=3 [bench_conn]=2 [bench_switches]=3)

# add_section COPY FROM TO : the files of section FROM, renamed TO: its
# folder, its test file, its exercises and their graders.
add_section() {
    local copy=$1 from=$2 to=$3 path
    for path in "$from" "tests/$from.bats" "exercises/$from" "tests/exercises/$from"; do
        [ -e "$copy/$path" ] || continue
        cp -r "$copy/$path" "$copy/${path/$from/$to}"
    done
    grep -rl -- "$from" "$copy/$to" "$copy/tests/$to.bats" "$copy/exercises/$to" \
        "$copy/tests/exercises/$to" | xargs sed -i "s/$from/$to/g"
}

# git_in COPY ARGS... : git in the scratch copy, as a throwaway author.
git_in() {
    git -C "$1" -c user.name=kit -c user.email=kit@localhost "${@:2}"
}

@test "a copy of 01 as 12-scratch is built, tested, demonstrated, packed and graded with no other edit" {
    require_command git git
    local copy=$BATS_TEST_TMPDIR/kit kit=$BATS_TEST_TMPDIR/upper-kit
    scratch_copy "$copy"
    git_in "$copy" init -q
    git_in "$copy" add -A
    git_in "$copy" commit -q -m "the kit before"
    add_section "$copy" 01-iterative 12-scratch

    # Nothing but the section's own new files.
    run git -C "$copy" status --porcelain --untracked-files=all
    [ -n "$output" ]
    local line
    while IFS= read -r line; do
        [[ "$line" =~ ^\?\?\ (12-scratch/|tests/12-scratch\.bats$|exercises/12-scratch/|tests/exercises/12-scratch/) ]] ||
            { echo "outside the section: $line"; return 1; }
    done <<<"$output"
    git_in "$copy" add -A
    git_in "$copy" commit -q -m "12-scratch"

    # Built by make, and make check runs its tests (check-12-scratch too).
    run make -s -C "$copy" ${CC:+CC="$CC"} 12-scratch tests/tools/peer
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ -x "$copy/12-scratch/server" ] && [ -x "$copy/12-scratch/client" ]
    run make -n -C "$copy" check-12-scratch
    [[ "$output" == *"tests/12-scratch"*".bats"* ]]

    # Its own contract tests pass (a few: the full file is 01's).
    run timeout 120 bats --filter 'hola comes back|SIGTERM with a client' "$copy/tests/12-scratch.bats"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [[ "$output" == *"1..2"* ]]

    # The cross-folder suites list it, as 01 (tcp, serial) ...
    # shellcheck disable=SC2016 # expanded by the inner bash, in the copy
    run env KIT_ROOT="$copy" bash -c 'source "$KIT_ROOT/tests/servers.bash"
        printf "%s\n" "${KIT_TCP_SERVERS[@]}"; echo "serial:$KIT_SERIAL_SERVERS"'
    [[ "$output" == *$'\n12-scratch\n'* ]] || { echo "$output"; return 1; }
    [[ "$output" == *"serial: 01-iterative 12-scratch "* ]]
    # ... and run it (one check of hostile.bats, on 12-scratch only).
    run env KIT_SECTIONS=12-scratch timeout 120 bats --filter 'bad command lines' "$copy/tests/hostile.bats"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [[ "$output" == *"1..1"* ]]

    # make demo shows it (only it: KIT_SECTIONS).
    run env KIT_SECTIONS=12-scratch DEMO_DELAY_MS=10 DEMO_CLIENTS=2 timeout 60 "$copy/bench/demo.sh"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [[ "$output" == *"| 12-scratch | iterative | 0.16 |"* ]] || { echo "$output"; return 1; }

    # The student kit packs it with its core exercise stubbed, no answer.
    run make -s -C "$copy" student-kit EXERCISES=12-scratch STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    tar -xzf "$BATS_TEST_TMPDIR/kit.tar.gz" -C "$BATS_TEST_TMPDIR"
    grep -rqs 'TODO(12-scratch)' "$kit/12-scratch"
    [ -z "$(find "$kit" -name '*.patch')" ]

    # The graders' proof grades it: each of its graders fails on the
    # reference and passes with its solution.
    run env KIT_SECTIONS=12-scratch timeout 300 bats "$copy/tests/graders.bats"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [[ "$output" == *"# 12-scratch"* ]]

    # And none of it changed a file the kit tracks.
    run git -C "$copy" status --porcelain
    [ -z "$output" ] || { echo "changed: $output"; return 1; }
}

@test "every .c of a section is a program with main() or a library with its header, never both" {
    local c has_main has_header bad=""
    for c in "$KIT_ROOT"/[0-9][0-9]-*/*.c "$KIT_ROOT"/[0-9][0-9]-*/*/*.c; do
        [ -f "$c" ] || continue
        has_main=no has_header=no
        grep -Eq '^int main\(' "$c" && has_main=yes
        [ -f "${c%.c}.h" ] && has_header=yes
        # A program (main) must have no header; a library (header) no main.
        [ "$has_main" != "$has_header" ] ||
            bad="$bad ${c#"$KIT_ROOT"/} (main: $has_main, header: $has_header)"
    done
    [ -z "$bad" ] || { echo "breaks the Makefile's rule:$bad"; return 1; }
}

@test "every section has a section.conf that sets only names the kit reads, rows well formed" {
    local folder conf name row fields bad=""
    for folder in $(kit_sections); do
        conf="$KIT_ROOT/$folder/section.conf"
        [ -f "$conf" ] || { bad="$bad $folder: no section.conf;"; continue; }
        bash -n "$conf" || { bad="$bad $folder: not bash;"; continue; }
        # shellcheck disable=SC2013 # names are single words
        for name in $(sed -nE 's/^([A-Za-z_][A-Za-z0-9_]*)=.*/\1/p' "$conf"); do
            [ -n "${SECTION_FIELDS[$name]:-}" ] || { bad="$bad $folder: unknown name '$name';"; continue; }
            fields=${SECTION_FIELDS[$name]}
            [ "$fields" -gt 0 ] || continue
            while IFS= read -r row; do
                [ "$(awk -F'|' '{ print NF }' <<<"$row")" -eq "$fields" ] ||
                    bad="$bad $folder: $name row '$row' has not $fields fields;"
            done < <(section_list "$folder" "$name")
        done
        case "$(section_list "$folder" serves)" in
        tcp | udp | "") ;;
        *) bad="$bad $folder: serves is tcp, udp or nothing;" ;;
        esac
    done
    [ -z "$bad" ] || { echo "$bad"; return 1; }
}
