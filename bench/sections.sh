# bench/sections.sh - the kit's sections, read from the numbered folders
# themselves: what make demo, make bench and the cross-folder test suites
# (tests/servers.bash) run. Each NN-name/ folder is a section; its
# section.conf says where it takes part (CONTRACT.md §14, "Adding a
# section", explains every name). Sourced by bash; needs KIT_ROOT.
#
#   kit_sections                 01-iterative, 02-thread, ... one per line
#   section_list 09-epoll demo   that folder's demo rows, one per line
#   section_unavailable 11-io-uring   why it cannot run here (or status 1)
#   KIT_SECTIONS="03-fork 09-epoll" ...   only those sections

# kit_sections : every section folder, in order, or KIT_SECTIONS's when set
# (to run a suite, the demo or the bench on a few sections only).
kit_sections() {
    local dir
    if [ -n "${KIT_SECTIONS:-}" ]; then
        # shellcheck disable=SC2086 # a list of folder names
        printf '%s\n' $KIT_SECTIONS
        return 0
    fi
    for dir in "$KIT_ROOT"/[0-9][0-9]-*/; do
        dir=${dir%/}
        printf '%s\n' "${dir##*/}"
    done
}

# section_list FOLDER NAME : the entries of NAME in FOLDER/section.conf,
# one per line (an empty entry is an empty line); nothing when the folder
# declares none. The file is read in a subshell: its names never clash
# with the caller's.
section_list() {
    local conf="$KIT_ROOT/$1/section.conf"
    [ -f "$conf" ] || return 0
    (
        set +u
        # shellcheck source=/dev/null
        . "$conf" || exit 1
        eval "set -- \"\${$2[@]}\""
        [ "$#" -eq 0 ] || printf '%s\n' "$@"
    )
}

# section_runs NAME : "FOLDER OPTIONS" for every entry of NAME (a list of
# server options) in every section, one per line.
section_runs() {
    local folder options
    while IFS= read -r folder; do
        section_unavailable "$folder" >/dev/null && continue
        while IFS= read -r options; do
            printf '%s\n' "$folder${options:+ $options}"
        done < <(section_list "$folder" "$1")
    done < <(kit_sections)
}

# section_unavailable FOLDER : prints why and returns 0 when the section
# cannot run on this machine; returns 1 when it can. A section whose
# programs need something a machine may lack (11-io-uring: a kernel that
# lets it use io_uring) names in its section.conf a probe, a command run
# from the kit's root that exits 0 when the section can run, and otherwise
# prints the reason and exits non-zero. The suites leave such a section
# out, and make demo and make bench show it as not available. Under bats
# the answer is kept for the run (one probe per folder).
section_unavailable() {
    local probe reason cache=""
    probe=$(section_list "$1" probe)
    [ -n "$probe" ] || return 1
    [ -z "${BATS_RUN_TMPDIR:-}" ] || cache="$BATS_RUN_TMPDIR/kit-unavailable-$1"
    if [ -n "$cache" ] && [ -f "$cache" ]; then
        reason=$(cat "$cache")
    else
        # shellcheck disable=SC2086 # the probe is a command line
        if reason=$(cd "$KIT_ROOT" && $probe 2>&1); then
            reason=""
        else
            reason=${reason:-$probe failed}
        fi
        if [ -n "$cache" ]; then
            printf '%s' "$reason" >"$cache.$$" && mv "$cache.$$" "$cache"
        fi
    fi
    [ -n "$reason" ] || return 1
    printf '%s\n' "$reason"
}
