#!/usr/bin/env bats
# The documentation is tested like the code: every command in handout.md and
# the READMEs names programs that exist and accepts the options shown, and
# every transcript marked <!-- check ... --> is reproduced. A README that
# drifts from the code fails make check. Conventions: tests/docs.bash.

load helper
load docs
load io_uring

setup_file() {
    ! tooling_skipped || return 0
    # Documents name the bench helpers (bench/echoloop...) too.
    local tools=()
    mapfile -t tools < <(cd "$KIT_ROOT" && find bench -maxdepth 1 -name '*.c' | sed 's/\.c$//')
    kit_build all "${tools[@]}"
}

setup() { tooling_test; }

@test "every program a document names exists" {
    local file line command program args missing=()
    while IFS= read -r file; do
        while IFS=$'\t' read -r line command; do
            while IFS=$'\t' read -r program args; do
                [ -n "$program" ] || continue
                [ -x "$KIT_ROOT/$program" ] || [ -f "$KIT_ROOT/$program" ] ||
                    missing+=("$file:$line: $program")
            done < <(kit_programs "$command")
        done < <(doc_commands "$file")
    done < <(doc_files)
    [ "${#missing[@]}" -eq 0 ] || { printf 'no such program: %s\n' "${missing[@]}"; return 1; }
}

@test "every kit program a document runs accepts the options shown" {
    local file line command program args why bad=()
    while IFS= read -r file; do
        while IFS=$'\t' read -r line command; do
            while IFS=$'\t' read -r program args; do
                [ -x "$KIT_ROOT/$program" ] || continue
                [[ "$program" == *.sh ]] && continue
                # shellcheck disable=SC2086 # the arguments are split on purpose
                why=$(check_invocation "$program" $args) || bad+=("$file:$line: $why")
            done < <(kit_programs "$command")
        done < <(doc_commands "$file")
    done < <(doc_files)
    [ "${#bad[@]}" -eq 0 ] || { printf '%s\n' "${bad[@]}"; return 1; }
}

@test "every make target a document uses exists" {
    local file line command target bad=()
    while IFS= read -r file; do
        while IFS=$'\t' read -r line command; do
            [[ "$command" == make* ]] || continue
            # shellcheck disable=SC2086
            target=$(printf '%s\n' $command | grep -v '=' | sed -n 2p)
            [ -n "$target" ] || target=all
            make -n -s -C "$KIT_ROOT" "$target" >/dev/null 2>&1 || bad+=("$file:$line: make $target")
        done < <(doc_commands "$file")
    done < <(doc_files)
    [ "${#bad[@]}" -eq 0 ] || { printf 'no such target: %s\n' "${bad[@]}"; return 1; }
}

# check_block FILE LINE ATTRIBUTES : reproduces one checkable transcript,
# whose lines are on stdin ("|"-prefixed).
check_block() {
    local file=$1 line=$2 attrs=$3 server="" input="" fuzzy=0 item text
    local -a commands=() expected=()
    IFS=';' read -ra items <<<"$attrs"
    for item in "${items[@]}"; do
        item=$(echo "$item" | sed 's/^ *//; s/ *$//')
        case $item in
            server=*) server=${item#server=} ;;
            input=*) input=${item#input=} ;;
            fuzzy) fuzzy=1 ;;
        esac
    done
    local skipping=0 served_other=0
    while IFS= read -r text; do
        text=${text#|}
        # "T2$ " is a command typed in another terminal: one shell here.
        [[ "$text" =~ ^T[0-9]\$\ (.*)$ ]] && text="\$ ${BASH_REMATCH[1]}"
        if [[ "$text" == '$ '* ]]; then
            # A server started in the background is the one started above
            # (on port 0), and teardown stops it: neither its scripts/serve
            # line, a "server ... &" nor what they print is replayed, nor
            # scripts/stop unless another program (06's relay, on port
            # "$((PORT+1))") was started with scripts/serve.
            skipping=0
            if [ -n "$server" ] && [[ "$text" == *scripts/serve* && "$text" != *"/server "* ]]; then
                served_other=1
            elif [ -n "$server" ] && [[ ( "$text" == *scripts/serve* && "$text" == *"/server "* ) ||
                ( "$text" == *scripts/stop* && "$served_other" = 0 ) ||
                ( "$text" == *"/server "* && "$text" == *'&' ) ]]; then
                skipping=1
                continue
            fi
            commands+=("${text#\$ }")
        elif [ "$skipping" = 0 ] && [ -n "$text" ] && [[ "|$input|" != *"|$text|"* ]]; then
            expected+=("$text")
        fi
    done
    if [ -n "$server" ]; then
        # 11-io-uring's transcripts need io_uring (tests/io_uring.bash).
        if [[ "$server" == 11-io-uring* ]] && io_uring_unavailable >/dev/null; then
            return 0
        fi
        # shellcheck disable=SC2086
        start_server $server
    fi
    local script="PORT=${PORT:-2000}"$'\n' got want
    for text in "${commands[@]}"; do
        script+="${text//2000/${PORT:-2000}}"$'\n'
    done
    got=$(cd "$KIT_ROOT" && printf '%s' "${input//|/$'\n'}"$'\n' | timeout 60 bash -c "$script" 2>&1) || true
    want=$(printf '%s\n' "${expected[@]}")
    # A second program on "$((PORT+1))" is shown listening on port 2001.
    # shellcheck disable=SC2016 # the literal text of the command, unexpanded
    if [[ "$script" == *'$((PORT+1))'* ]]; then
        want=${want//port 2001/port $((${PORT:-2000} + 1))}
    fi
    if [ "$fuzzy" = 1 ]; then
        got=$(printf '%s\n' "$got" | shape)
        want=$(printf '%s\n' "$want" | shape)
    fi
    # Every expected line, in order, somewhere in the output.
    local rest=$got
    while IFS= read -r text; do
        [ -n "$text" ] || continue
        if [[ "$rest" == *"$text"* ]]; then
            rest=${rest#*"$text"}
        else
            printf '%s:%s: expected line not printed: %s\n--- output was:\n%s\n' "$file" "$line" "$text" "$got"
            return 1
        fi
    done <<<"$want"
}

@test "every transcript marked <!-- check --> is reproduced" {
    local file header line attrs text block failures=0 count=0
    while IFS= read -r file; do
        while IFS= read -r header; do
            line=${header%%$'\t'*}
            attrs=${header#*$'\t'}
            block=""
            while IFS= read -r text && [ "$text" != "." ]; do
                block+="$text"$'\n'
            done
            count=$((count + 1))
            set +e
            (
                set -e
                trap kit_cleanup EXIT
                check_block "$file" "$line" "$attrs" <<<"$block"
            )
            local rc=$?
            set -e
            [ "$rc" -eq 0 ] || failures=$((failures + 1))
        done < <(doc_checks "$file")
    done < <(doc_files)
    echo "$count checked transcripts, $failures failed"
    [ "$failures" -eq 0 ]
}

# A prediction is a real test only if its answer is out of sight: every
# **Prediction.** of the handout is followed, before the next prediction or
# section, by a <details> block, and every **Answer.** sits inside one.
@test "every prediction's answer stays folded until the reader opens it" {
    run awk '
        /^```/ { fence = !fence; next }
        fence { next }
        /^<details>/ { depth++; if (pending) pending = 0; next }
        /^<\/details>/ { depth--; next }
        /^\*\*Prediction\./ || /^## / {
            if (pending) printf "handout.md:%d: a prediction with no folded answer\n", pending
            pending = /^\*\*Prediction\./ ? NR : 0
        }
        /^\*\*Answer\./ && depth == 0 { printf "handout.md:%d: an answer in plain sight\n", NR }
        /^\*Answer:\*/ { printf "handout.md:%d: an unfolded *Answer:*\n", NR }
        END { if (pending) printf "handout.md:%d: a prediction with no folded answer\n", pending }
    ' "$KIT_ROOT/handout.md"
    [ -z "$output" ] || { echo "$output"; return 1; }
    # And there are predictions to fold.
    [ "$(grep -c '^\*\*Prediction\.' "$KIT_ROOT/handout.md")" -ge 15 ]
}

# The handout is followed literally, section after section, in one shell:
# a server left running there makes the next section's fail ("Address
# already in use") or, worse, answer its clients.
@test "no handout section leaves a background server running" {
    local line problem problems=()
    while IFS=$'\t' read -r line problem; do
        problems+=("handout.md:$line: $problem")
    done < <(unstopped_servers handout.md)
    [ "${#problems[@]}" -eq 0 ] || { printf '%s\n' "${problems[@]}"; return 1; }
}

@test "scripts/serve returns once the server listens; scripts/stop stops it" {
    export KIT_SERVE_DIR="$BATS_TEST_TMPDIR/serve"
    # -d 0 and a client at once: a client started before the server
    # listens would be refused.
    (cd "$KIT_ROOT" && scripts/serve ./01-iterative/server -d 0 0 >"$BATS_TEST_TMPDIR/log" 3>&-)
    local port pid
    port=$(sed -n 's/^listening on port //p' "$BATS_TEST_TMPDIR/log")
    [ -n "$port" ]
    read -r pid _ < <(cat "$KIT_SERVE_DIR"/server.*.pid)
    run_client 01-iterative 127.0.0.1 "$port" <<<"hola"
    [ "$output" = "Reply is 'HOLA'" ]
    # A second server on the same port: its error, status 1, nothing left.
    run --separate-stderr "$KIT_ROOT/scripts/serve" "$KIT_ROOT/01-iterative/server" "$port"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Address"*"in use"* ]]
    (cd "$KIT_ROOT" && scripts/stop)
    run ps -o stat= -p "$pid"
    [[ -z "$output" || "$output" == Z* ]]
    grep -q '^shut down$' "$BATS_TEST_TMPDIR/log"
    [ -z "$(ls "$KIT_SERVE_DIR")" ]
}
