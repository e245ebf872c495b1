# tests/docs.bash - reads the kit's documentation for tests/docs.bats.
#
# The convention, for handout.md and every README.md:
#  - shell commands live in ```console blocks, one per line, starting with
#    "$ " (typed in the first terminal, T1) or "T2$ ", "T3$ " (a second or
#    third terminal), and run from the kit's root; the lines after a
#    command are what it prints; a line "^C" is Ctrl-C in that terminal
#    (tests/replay.py replays every block that way);
#  - a block preceded by a line  <!-- check KEY=VALUE; ... -->  is a
#    checkable transcript: its commands are run and every line it shows
#    must appear in their output, in order. Keys:
#      server=FOLDER OPTIONS   start FOLDER/server OPTIONS on port 0 first;
#                              "2000" in the commands becomes its port
#      input=LINE|LINE         what the user types (fed to stdin, and not
#                              expected in the output)
#      fuzzy                   timings and rates may differ: decimals and
#                              "N req/s" are compared as shapes
#  - commands use "$PORT" (the student sets PORT=2000 once); a server that
#    runs in the background is started with scripts/serve (which returns
#    once it listens) and stopped with scripts/stop in the same section.

# doc_files : every documentation file of the kit.
doc_files() {
    (cd "$KIT_ROOT" && find handout.md README.md CONTRACT.md common bench exercises [0-9][0-9]-* -maxdepth 2 -name '*.md' 2>/dev/null | sed 's|^\./||' | sort -u)
}

# doc_commands FILE : "LINE<TAB>COMMAND" for every command of FILE.
doc_commands() {
    awk '
        /^```console/ { inside = 1; next }
        /^```/        { inside = 0; next }
        inside && /^(T[0-9])?\$ / { sub(/^(T[0-9])?\$ /, ""); printf "%d\t%s\n", NR, $0 }
    ' "$KIT_ROOT/$1"
}

# doc_checks FILE : for every checkable block, one line
# "LINE<TAB>ATTRIBUTES" followed by the block's lines, each prefixed "|",
# and a line "." to end it.
doc_checks() {
    awk '
        /^<!-- check/ {
            attrs = $0
            sub(/^<!-- check */, "", attrs)
            sub(/ *-->.*$/, "", attrs)
            pending = 1
            next
        }
        pending && /^```console/ { inside = 1; pending = 0; printf "%d\t%s\n", NR, attrs; next }
        inside && /^```/ { inside = 0; print "."; next }
        inside { print "|" $0 }
        pending && !/^[ \t]*$/ { pending = 0 }
    ' "$KIT_ROOT/$1"
}

# kit_programs COMMAND : the kit programs a command line names
# (./NN-name/prog, NN-name/prog, bench/prog, tests/tools/prog), one per line
# with the arguments that follow it up to the next | ; & or redirection.
kit_programs() {
    local IFS=' ' word program="" args=()
    # The command is split into words on purpose (globbing off).
    set -f
    # shellcheck disable=SC2086
    set -- $1
    set +f
    for word in "$@"; do
        case $word in
            '|'|'||'|'&&'|';'|'&'|'>'*|'<'*|'2>'*)
                [ -n "$program" ] && printf '%s\t%s\n' "$program" "${args[*]}"
                program=""; args=()
                ;;
            ./[0-9][0-9]-*/*|[0-9][0-9]-*/*|./bench/*|bench/*)
                [ -n "$program" ] && printf '%s\t%s\n' "$program" "${args[*]}"
                program=${word#./}; args=()
                case $program in *.c|*.h|*.md|*/) program="" ;; esac
                ;;
            *)
                [ -n "$program" ] && args+=("$word")
                ;;
        esac
    done
    [ -n "$program" ] && printf '%s\t%s\n' "$program" "${args[*]}"
    return 0
}

# shape TEXT : decimals, rates and the relay's counts replaced by
# placeholders (for fuzzy: a retransmission under load moves them).
shape() {
    sed -E 's/[0-9]+\.[0-9]+/N.N/g; s/[0-9]+ req\/s/N req\/s/g
        s/^relayed [0-9]+, dropped [0-9]+, duplicated [0-9]+, reordered [0-9]+, delayed [0-9]+$/relayed N, dropped N, duplicated N, reordered N, delayed N/'
}

# check_invocation PROGRAM ARGS... : checks a command line against the
# program's own usage line ("usage: server [-d MS] [-q] [-w N] PORT"):
# every option is one it lists, the operand count matches, and the options
# with their values are accepted (PROGRAM OPTIONS -h exits 0; strict POSIX
# getopt stops at the first operand, so -h goes before the operands).
# Prints what is wrong; returns 1 then. Programs without such a usage line
# are not checked.
check_invocation() {
    local program=$1 usage with_value flags operands=0 wanted i word
    shift
    usage=$(cd "$KIT_ROOT" && timeout 5 "./$program" -h 2>/dev/null | head -n 1) || return 0
    [[ "$usage" == usage:* ]] || return 0
    [[ "$usage" == *--* ]] && return 0   # long options: not getopt's
    with_value=$(printf '%s\n' "$usage" | grep -o '\[-[A-Za-z0-9] [A-Z][A-Za-z|]*\]' | cut -c3 | tr -d '\n')
    flags=$(printf '%s\n' "$usage" | grep -o '\[-[A-Za-z0-9]\]' | cut -c3 | tr -d '\n')
    wanted=$(printf '%s\n' "$usage" | sed -E 's/\[[^]]*\]//g' | awk '{ print NF - 2 }')
    local -a options=()
    for ((i = 1; i <= $#; i++)); do
        word=${!i}
        if [[ "$word" == -? && "$with_value" == *"${word#-}"* ]]; then
            options+=("$word")
            i=$((i + 1))
            options+=("${!i}")
        elif [[ "$word" == -? && ( "$flags" == *"${word#-}"* || "$word" == -h ) ]]; then
            options+=("$word")
        elif [[ "$word" == -* && "$word" != "-" ]]; then
            echo "$program: option $word is not in its usage: $usage"
            return 1
        else
            operands=$(( $# - i + 1 ))
            break
        fi
    done
    if [[ "$usage" != *"..."* && "$operands" -ne "$wanted" ]]; then
        echo "$program: $operands operands, its usage wants $wanted: $usage"
        return 1
    fi
    if ! (cd "$KIT_ROOT" && timeout 5 "./$program" "${options[@]}" -h) >/dev/null 2>&1; then
        echo "$program: refuses ${options[*]}"
        return 1
    fi
}

# unstopped_servers FILE : "LINE<TAB>PROBLEM" for every background server
# FILE starts without the kit's pattern: a server started with "&" instead
# of scripts/serve, or a section (## heading) that starts one with
# scripts/serve and never runs scripts/stop after it.
unstopped_servers() {
    awk '
        function end_section() {
            if (open_line) printf "%d\tstarted here, never stopped (scripts/stop) in its section\n", open_line
            open_line = 0
        }
        /^## / { end_section(); next }
        /^```console/ { inside = 1; next }
        /^```/        { inside = 0; next }
        inside && /^(T[0-9])?\$ / {
            if ($0 ~ /scripts\/serve /) { if (!open_line) open_line = NR }
            else if ($0 ~ /scripts\/stop/) open_line = 0
            else if ($0 ~ /[0-9][0-9]-[a-z-]+\/(server|httpd|chat|relay)[ )].*&[ ]*($|sleep)/)
                printf "%d\tbackground server without scripts/serve\n", NR
        }
        END { end_section() }
    ' "$KIT_ROOT/$1"
}
