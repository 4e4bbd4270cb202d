#!/usr/bin/env bash
# The build regenerates (generated/CMakeLists.txt): in a copy of the source tree,
#   regenerate  build pontes_eccor_static; edit the spec's title; a plain `cmake --build`
#               regenerates generated/eccor/ (source, .inputs) and rebuilds the library;
#               a template edit regenerates too; an input-free touch regenerates nothing.
#   no_python   -DPONTES_PYTHON=/nonexistent: the up-to-date generated/ configures and builds;
#               after a spec edit, `cmake --build` fails saying what to install.
# usage: test_regen.sh SOURCE_DIR CMAKE C_COMPILER PYTHON regenerate|no_python
# Env: KEEP=1 keeps the temporary tree.
set -euo pipefail
root=$1 cmake=$2 cc=$3 python=$4 mode=$5

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pontes-regen-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fail() { echo "FAIL $mode: $*" >&2; exit 1; }

src=$tmp/src
mkdir -p "$src"
# The whole source tree but build directories and .git (5 MB).
for d in "$root"/* "$root"/.[!.]*; do
    case ${d##*/} in build*|.git|.ci) continue ;; esac
    [ -e "$d" ] && cp -r "$d" "$src/"
done
find "$src" -name __pycache__ -prune -exec rm -rf {} +
spec=$src/specs/eccor-fgts.yaml
lib=$tmp/b/generated/eccor/libpontes_eccor.a
args=(-S "$src" -B "$tmp/b" -DCMAKE_C_COMPILER="$cc" -DPONTES_BUILD_TESTS=OFF -DPONTES_BUILD_TOOLS=OFF
      -DCMAKE_BUILD_TYPE=Debug)
build() { "$cmake" --build "$tmp/b" -j2 --target pontes_eccor_static >"$tmp/build.log" 2>&1; }
mtime() { stat -c %Y "$1"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }

if [ "$mode" = regenerate ]; then
    "$cmake" "${args[@]}" -DPONTES_PYTHON="$python" >"$tmp/configure.log" 2>&1 \
        || { cat "$tmp/configure.log"; fail "configure"; }
    build || { tail -n 40 "$tmp/build.log"; fail "first build"; }
    [ -f "$lib" ] || fail "no $lib"
    c0=$(sum "$src/generated/eccor/src/eccor.c"); i0=$(sum "$src/generated/eccor/.inputs"); l0=$(mtime "$lib")

    # touch only: nothing is regenerated, the library is not rebuilt
    sleep 1.1
    touch "$spec"
    build || { tail -n 40 "$tmp/build.log"; fail "build after touch"; }
    ! grep -q "regenerating generated/eccor" "$tmp/build.log" || fail "a touch (same content) regenerated"
    [ "$(mtime "$lib")" = "$l0" ] || fail "a touch (same content) rebuilt the library"

    # a spec edit: regenerated and rebuilt by a plain cmake --build
    sed -i 's/^  title: ECCOR FGTS API$/  title: ECCOR FGTS API edited/' "$spec"
    grep -q "title: ECCOR FGTS API edited" "$spec" || fail "could not edit the spec's title"
    sleep 1.1
    build || { tail -n 40 "$tmp/build.log"; fail "build after the spec edit"; }
    grep -q "regenerating generated/eccor (eccor-fgts.yaml changed)" "$tmp/build.log" \
        || { cat "$tmp/build.log"; fail "cmake --build did not say it regenerates generated/eccor"; }
    grep -q "ECCOR FGTS API edited" "$src/generated/eccor/src/eccor.c" || fail "generated/eccor/src/eccor.c lacks the new title"
    [ "$(sum "$src/generated/eccor/src/eccor.c")" != "$c0" ] || fail "eccor.c unchanged"
    [ "$(sum "$src/generated/eccor/.inputs")" != "$i0" ] || fail ".inputs unchanged"
    l1=$(mtime "$lib")
    [ "$l1" -gt "$l0" ] || fail "the library was not rebuilt"
    grep -q "eccor.c.o" "$tmp/build.log" || fail "eccor.c was not recompiled"

    # a template edit regenerates as well
    echo "/* test */" >>"$src/templates/examples_test.c.j2"
    sleep 1.1
    build || { tail -n 40 "$tmp/build.log"; fail "build after the template edit"; }
    grep -q "regenerating generated/eccor (templates/examples_test.c.j2 changed)" "$tmp/build.log" \
        || { cat "$tmp/build.log"; fail "a template edit did not regenerate"; }
    tail -n 1 "$src/generated/eccor/tests/eccor_examples_test.c" | grep -q "/\* test \*/" \
        || fail "the regenerated example test lacks the template edit"
    echo "ok regenerate"
elif [ "$mode" = no_python ]; then
    # (first with Python: the copy may hold a work-in-progress generated/)
    "$cmake" "${args[@]}" -DPONTES_PYTHON="$python" >"$tmp/configure.log" 2>&1 \
        || { cat "$tmp/configure.log"; fail "configure with Python"; }
    "$cmake" "${args[@]}" -DPONTES_PYTHON=/nonexistent >"$tmp/configure.log" 2>&1 \
        || { cat "$tmp/configure.log"; fail "configure without Python, generated/ up to date"; }
    grep -q "no Python 3 with Jinja2 and PyYAML (tried: /nonexistent)" "$tmp/configure.log" \
        || { cat "$tmp/configure.log"; fail "configure did not report the missing Python"; }
    build || { tail -n 40 "$tmp/build.log"; fail "build without Python, generated/ up to date"; }
    [ -f "$lib" ] || fail "no $lib"
    sed -i 's/^  title: ECCOR FGTS API$/  title: ECCOR FGTS API edited/' "$spec"
    if build; then
        fail "a build with a stale generated/ and no Python succeeded"
    fi
    grep -q "generated/eccor/ is out of date (eccor-fgts.yaml changed)" "$tmp/build.log" \
        || { cat "$tmp/build.log"; fail "the failure does not say generated/eccor is out of date"; }
    grep -q "apt-get install python3-jinja2 python3-yaml" "$tmp/build.log" \
        || { cat "$tmp/build.log"; fail "the failure does not say what to install"; }
    echo "ok no_python"
else
    fail "unknown mode"
fi
