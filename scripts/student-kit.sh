#!/bin/sh
# scripts/student-kit.sh - writes the student kit: the reference's last
# commit with the core exercise of each assigned folder stubbed out, the
# lab at its starting point if assigned, and no answer inside.
#
#   make student-kit EXERCISES="03-fork 08-select lab" [STUDENT_KIT=file.tar.gz]
#
# What the kit is made from lives beside the code, never in it (instructors:
# exercises/README.md):
#
#   exercises/NN-name/core.patch    turns the reference into the student's
#                                   starting point: the folder's core
#                                   function becomes a TODO and a stub
#   exercises/NN-name/EXTRA.patch   one answer of graded extra EXTRA,
#                                   graded by tests/exercises/NN-name/EXTRA.bats
#   exercises/lab/assign.sh KITDIR  turns the kit's copy of the reference
#                                   into the lab's starting point; run with
#                                   KITDIR (absolute) as its working
#                                   directory, it removes whatever in KITDIR
#                                   would answer the lab and leaves a kit
#                                   that builds
#
# To add a graded extra: write it in the reference, `git diff >
# exercises/NN-name/EXTRA.patch`, `git checkout` the sources back, write its
# grader tests/exercises/NN-name/EXTRA.bats and state it in the folder
# README's Exercises. To change a listing a patch touches, regenerate the
# patch the same way (tests/graders.bats and tests/student-kit.bats say when
# one no longer applies).
#
# The kit is packed from the committed tree (git archive of HEAD), never
# from the work tree: an uncommitted change (an answer applied to try it)
# or a file a symlink points to outside the tree cannot slip in. So it
# refuses to run outside a git checkout, in a tree with uncommitted changes
# or untracked files that git does not ignore (it names them: commit,
# stash or remove them), and when a committed symlink would be packed (it
# names it). Each assigned folder has its core.patch applied, so `make`
# still builds and that folder's tests (tests/NN-name*.bats) fail until the
# student writes the code; every .patch is left out. exercises/ASSIGNED
# lists the assignment, one item group a line (03-fork, lab), for
# `make grade`. POSIX sh, git, patch, tar, gzip.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${STUDENT_KIT:-$root/student-kit.tar.gz}
exercises=${EXERCISES:-}

fail() {
    echo "student-kit: $*" >&2
    exit 2
}

# at_most_ten : the first ten lines of stdin, then "(and N more)".
at_most_ten() {
    awk 'NR <= 10 { print "    " $0 } END { if (NR > 10) print "    (and " NR - 10 " more)" }'
}

[ -n "$exercises" ] ||
    fail 'name what to assign: make student-kit EXERCISES="03-fork 08-select lab"'

command -v git >/dev/null 2>&1 ||
    fail "git is not installed (apt-get install git): the kit is packed from the last commit, with git archive"
git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    fail "$root is not a git checkout: the kit is packed from the last commit (git archive), so that nothing uncommitted can slip in. Run it in a clone of the reference."
git -C "$root" rev-parse --verify -q HEAD >/dev/null ||
    fail "this checkout has no commit yet: commit the reference first"
# The reference may be a subfolder of a larger repository: pack that one.
prefix=$(git -C "$root" rev-parse --show-prefix)

dirty=$(git -C "$root" status --porcelain --untracked-files=normal -- .)
if [ -n "$dirty" ]; then
    echo "student-kit: the work tree differs from the last commit, which is what gets packed:" >&2
    printf '%s\n' "$dirty" | at_most_ten >&2
    fail "commit, stash or remove these first (an answer applied to try it is such a change)"
fi

links=$(git -C "$root" ls-tree -r --full-tree "HEAD:$prefix" | awk '$1 == "120000" { sub(/^[^\t]*\t/, ""); print }')
if [ -n "$links" ]; then
    echo "student-kit: these committed symlinks would be packed (a link can carry any file, answers included):" >&2
    printf '%s\n' "$links" | at_most_ten >&2
    fail "replace each with the file it should be, or remove it, and commit"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
kit="$work/upper-kit"
git -C "$root" archive --format=tar --prefix=upper-kit/ "HEAD:$prefix" | (cd "$work" && tar -xf -)

seen=" "
for item in $exercises; do
    case $seen in
        *" $item "*) fail "'$item' is named twice in EXERCISES" ;;
    esac
    seen="$seen$item "
    case $item in
        lab)
            [ -f "$kit/exercises/lab/assign.sh" ] ||
                fail "this reference has no lab to assign (no exercises/lab/assign.sh)"
            (cd "$kit" && sh exercises/lab/assign.sh "$kit") ||
                fail "exercises/lab/assign.sh failed"
            echo "student-kit: lab: its starting point is in the kit"
            ;;
        [0-9][0-9]-*)
            [ -d "$kit/$item" ] || fail "there is no folder '$item' in this kit"
            [ -f "$kit/exercises/$item/core.patch" ] ||
                fail "'$item' has no core exercise"
            (cd "$kit" && patch -p1 -s <"exercises/$item/core.patch") ||
                fail "$item: its core exercise does not apply to this reference"
            echo "student-kit: $item: core exercise stubbed (TODO($item))"
            ;;
        *) fail "'$item' is neither a section folder (like 03-fork) nor lab" ;;
    esac
done
# The answers stay with the instructor, and so does patch's litter.
find "$kit" \( -name '*.patch' -o -name '*.orig' -o -name '*.rej' \) -type f -exec rm -f {} +
find "$kit/exercises" -mindepth 1 -type d -empty -delete
# shellcheck disable=SC2086 # one item group per line: splitting is the point
printf '%s\n' $exercises >"$kit/exercises/ASSIGNED"

(cd "$work" && tar -czf - upper-kit) >"$out"
echo "student-kit: wrote $out from commit $(git -C "$root" rev-parse --short HEAD) (unpack with: tar -xzf $(basename "$out"))"
