#!/bin/sh
# scripts/student-kit.sh - writes the student kit: the whole kit, with the
# solution regions of the assigned folders replaced by a TODO and a stub.
#
#   make student-kit EXERCISES="03-fork 08-select" [STUDENT_KIT=file.tar.gz]
#
# A solution region in a reference source looks like this:
#
#       /* EXERCISE(03-fork): reap every child that has exited */
#       ...the reference solution...
#       /* STUB: return 0; */            (zero or more stub lines)
#       /* END EXERCISE */
#
# In the student kit, for an assigned folder, the region becomes
#
#       /* TODO(03-fork): reap every child that has exited.
#          See 03-fork/README.md, Exercises. */
#       return 0;
#
# so `make` still builds, and that folder's tests (tests/NN-name.bats and
# tests/exercises/NN-name.bats) fail until the student writes the code.
# Regions of folders not assigned stay as they are. POSIX sh, awk, tar.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${STUDENT_KIT:-$root/student-kit.tar.gz}
exercises=${EXERCISES:-}

fail() {
    echo "student-kit: $*" >&2
    exit 2
}

[ -n "$exercises" ] || fail 'name the folders to assign: make student-kit EXERCISES="03-fork 08-select"'
for folder in $exercises; do
    case $folder in
        [0-9][0-9]-*) ;;
        *) fail "'$folder' is not a section folder (like 03-fork)" ;;
    esac
    [ -d "$root/$folder" ] || fail "there is no folder '$folder' in this kit"
    # -s: a folder without .h files is fine; what counts is a match.
    grep -ls -F "EXERCISE($folder)" "$root/$folder"/*.c "$root/$folder"/*.h | grep -q . ||
        fail "'$folder' has no marked exercise region (EXERCISE($folder))"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
kit="$work/upper-kit"
mkdir "$kit"

# The sources, without build products: everything but .build/, .git/,
# student kits and the programs the Makefile builds (an executable file
# with a .c of the same name beside it).
(cd "$root" && find . -type f ! -path './.git/*' ! -path './.build/*' \
    ! -name 'student-kit*.tar.gz' ! -name 'libkit.a' ! -path './bench-results*' -print) |
while IFS= read -r file; do
    if [ -x "$root/$file" ] && [ -f "$root/$file.c" ]; then
        continue
    fi
    mkdir -p "$kit/$(dirname "$file")"
    cp -p "$root/$file" "$kit/$file"
done

# strip_regions FOLDER FILE : rewrites FILE with FOLDER's regions stubbed.
strip_regions() {
    awk -v folder="$1" '
        function indent(line) { match(line, /^[ \t]*/); return substr(line, 1, RLENGTH) }
        # The TODO: the region comment joined into one line (clang-format
        # may have wrapped it over several " * " lines).
        function todo() {
            print pad "/* TODO(" folder "): " what "."
            print pad "   See " folder "/README.md, Exercises. */"
        }
        !inside && index($0, "/* EXERCISE(" folder "): ") {
            pad = indent($0)
            what = $0
            sub(/^.*EXERCISE\([^)]*\): */, "", what)
            wrapped = (what !~ /\*\/ *$/)
            sub(/ *\*\/ *$/, "", what)
            if (!wrapped)
                todo()
            inside = 1
            regions++
            next
        }
        inside && wrapped {
            more = $0
            sub(/^[ \t]*\*? */, "", more)
            if (more ~ /\*\/ *$/) {
                sub(/ *\*\/ *$/, "", more)
                wrapped = 0
            }
            if (more != "")
                what = what " " more
            if (!wrapped)
                todo()
            next
        }
        inside && /\/\* END EXERCISE \*\// { inside = 0; next }
        inside && /\/\* STUB: .*\*\// {
            stub = $0
            sub(/^[ \t]*\/\* STUB: /, "", stub)
            sub(/ *\*\/ *$/, "", stub)
            print indent($0) stub
            next
        }
        inside { next }
        { print }
        END {
            if (inside) { print "unterminated EXERCISE region in " FILENAME > "/dev/stderr"; exit 1 }
        }
    ' "$2" >"$2.tmp"
    mv "$2.tmp" "$2"
}

for folder in $exercises; do
    for file in "$kit/$folder"/*.c "$kit/$folder"/*.h; do
        [ -f "$file" ] || continue
        grep -q "EXERCISE($folder)" "$file" || continue
        strip_regions "$folder" "$file"
    done
    echo "student-kit: $folder: solution regions replaced by TODOs"
done
# shellcheck disable=SC2086 # one folder per line: splitting is the point
printf '%s\n' $exercises >"$kit/ASSIGNED_EXERCISES"

(cd "$work" && tar -czf - upper-kit) >"$out"
echo "student-kit: wrote $out (unpack with: tar -xzf $(basename "$out"))"
