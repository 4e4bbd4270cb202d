#!/usr/bin/env bash
# ABI stability across regeneration, the way a user meets it (ctest: abi_stability, label abi):
#   1. install BUILD into a temporary prefix ("v1"); build tests/abi/app.c against it
#   2. copy the sources, edit the spec additively (enum value and optional members inserted in
#      the middle, an operation added), tools/regenerate.sh (updates the ABI lock), build and
#      install the regenerated library ("v2"): same soname
#   3. run the v1 binary, unchanged, on the v2 library against the mock server (built from the
#      v2 spec): it must work; abidiff v1 v2 (when installed) must report no incompatible change
#   4. a removal: tools/regenerate.sh and --check fail; --accept-abi-break bumps the soname
# Usage: tests/abi/run.sh SOURCE_DIR BUILD_DIR [C_COMPILER] [CMAKE_COMMAND]
set -euo pipefail

src=$(cd "${1:?usage: run.sh SOURCE_DIR BUILD_DIR [CC] [CMAKE]}" && pwd)
build=$(cd "${2:?usage: run.sh SOURCE_DIR BUILD_DIR [CC] [CMAKE]}" && pwd)
cc=${3:-${CC:-cc}}
cmake_cmd=${4:-cmake}
here=$src/tests/abi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pontes-abi.XXXXXX")
mock_pid=
cleanup() {
    [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

step() { printf '== %s\n' "$*"; }
fail() { echo "abi/run.sh: FAILED: $*" >&2; exit 1; }
run_logged() { # run a command, show its output only if it fails
    if ! "$@" >"$tmp/step.log" 2>&1; then
        cat "$tmp/step.log" >&2
        fail "$*"
    fi
}
soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }

step "install $build as v1"
run_logged "$cmake_cmd" --install "$build" --prefix "$tmp/v1"
v1lib=$(dirname "$(find "$tmp/v1" -name 'libpontes_eccor.so.*' -print -quit)")
[ -n "$v1lib" ] && [ -d "$v1lib" ] || fail "no libpontes_eccor.so.* under $tmp/v1"
v1so=$(readlink -f "$v1lib/libpontes_eccor.so")
step "v1: $(basename "$v1so"), soname $(soname "$v1so")"

step "build the app against v1"
export PKG_CONFIG_PATH="$v1lib/pkgconfig"
# shellcheck disable=SC2046  # word splitting of the flags is intended
run_logged "$cc" -std=c11 -Wall -Wextra -Werror -g "$here/app.c" -o "$tmp/abi_app" $(pkg-config --cflags --libs pontes-eccor)

step "copy the sources, edit the spec additively, regenerate"
mkdir -p "$tmp/src/tools" "$tmp/src/specs"
cp -r "$src/CMakeLists.txt" "$src/cmake" "$src/runtime" "$src/generator" "$src/templates" "$src/generated" "$tmp/src/"
cp "$src/tools/regenerate.sh" "$src/tools/lib.sh" "$tmp/src/tools/"
spec=$(cd "$src" && grep -l '^x-pontes-api: *eccor' specs/*.yaml | head -1)
[ -n "$spec" ] || fail "no spec with x-pontes-api: eccor"
lock=${spec%.yaml}.abi.json
[ -f "$src/$lock" ] || fail "$lock missing"
cp "$src/$lock" "$tmp/src/$lock"
# every other API too (generated/ holds them all; only eccor's spec is edited below)
for f in "$src"/specs/*.yaml "$src"/specs/*.abi.json; do
    [ -e "$tmp/src/specs/$(basename "$f")" ] || cp "$f" "$tmp/src/specs/"
done
python3 "$here/edit_spec.py" add "$src/generated/eccor/openapi.json" "$tmp/src/$spec"
(cd "$tmp/src" && tools/regenerate.sh) >"$tmp/regen.log" 2>&1 || { cat "$tmp/regen.log" >&2; fail "regenerate (additive)"; }
grep -A20 'ABI ' "$tmp/regen.log" | grep -E '^pontes-gen: eccor: ABI|^  [+!]' | sed 's/^/   /'
grep -q 'additive: soname unchanged' "$tmp/regen.log" || fail "regenerate did not report an additive ABI change"
for want in 'enum value eccor_civil_status "StableUnion"' 'member eccor_natural_person_input.nickname' \
            'function eccor_get_abi_probe'; do
    grep -qF "$want" "$tmp/regen.log" || fail "the ABI report does not list: $want"
done
(cd "$tmp/src" && tools/regenerate.sh --check) >/dev/null 2>&1 || fail "regenerate --check fails after an additive regenerate"

# The control: without the lock, the same spec renumbers and moves (what the lock prevents).
python3 "$tmp/src/generator/pontes-gen" "$tmp/src/$spec" --out "$tmp/nolock" --abi-lock "$tmp/none.json" --quiet
h=include/pontes/eccor.h
grep -q 'ECCOR_CIVIL_STATUS_SINGLE = 6' "$tmp/nolock/$h" || fail "control: without a lock SINGLE should be 6"
grep -q 'ECCOR_CIVIL_STATUS_SINGLE = 5' "$tmp/src/generated/eccor/$h" || fail "with the lock SINGLE must stay 5"
grep -q 'ECCOR_CIVIL_STATUS_STABLE_UNION = 6' "$tmp/src/generated/eccor/$h" || fail "the new value must get the next number"

step "build and install v2"
run_logged "$cmake_cmd" -S "$tmp/src" -B "$tmp/build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPONTES_BUILD_TESTS=OFF -DPONTES_BUILD_TOOLS=OFF
run_logged "$cmake_cmd" --build "$tmp/build" -j2
run_logged "$cmake_cmd" --install "$tmp/build" --prefix "$tmp/v2"
v2lib=$(dirname "$(find "$tmp/v2" -name 'libpontes_eccor.so.*' -print -quit)")
v2so=$(readlink -f "$v2lib/libpontes_eccor.so")
step "v2: $(basename "$v2so"), soname $(soname "$v2so")"
[ "$(soname "$v1so")" = "$(soname "$v2so")" ] || fail "additive change changed the soname"
[ "$v1so" != "$v2so" ] || true

step "run the v1 app on the v2 library against the mock (v2 spec)"
mock=$src/tools/mock/mock_server.py
[ -f "$mock" ] || mock=$src/tools/mock_server.py
python3 "$mock" --spec "$tmp/src/generated/eccor/openapi.json" --port 0 --port-file "$tmp/port" --quiet \
    >"$tmp/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || { cat "$tmp/mock.log" >&2; fail "the mock server did not start"; }
resolved=$(LD_LIBRARY_PATH="$v2lib" ldd "$tmp/abi_app" | sed -n 's/.*libpontes_eccor[^ ]* => \([^ ]*\).*/\1/p')
[ "$(readlink -f "$resolved")" = "$v2so" ] || fail "the app does not load the v2 library ($resolved)"
LD_LIBRARY_PATH="$v2lib" "$tmp/abi_app" "http://127.0.0.1:$(cat "$tmp/port")" || fail "the v1 app on the v2 library"

if command -v abidiff >/dev/null 2>&1; then
    step "abidiff v1 v2"
    set +e
    abidiff --headers-dir1 "$tmp/v1/include" --headers-dir2 "$tmp/v2/include" "$v1so" "$v2so" >"$tmp/abidiff.txt" 2>&1
    st=$?
    set -e
    sed -n '1,6p' "$tmp/abidiff.txt" | sed 's/^/   /'
    echo "   abidiff exit status $st (bit 8: incompatible change, bit 4: compatible change)"
    [ $((st & 1)) -eq 0 ] || { cat "$tmp/abidiff.txt" >&2; fail "abidiff could not run"; }
    [ $((st & 8)) -eq 0 ] || { cat "$tmp/abidiff.txt" >&2; fail "abidiff reports an incompatible ABI change"; }
else
    step "abidiff not installed (apt-get install abigail-tools): skipped"
fi

step "a removal is an ABI break"
python3 "$here/edit_spec.py" remove "$tmp/src/generated/eccor/openapi.json" "$tmp/src/$spec"
if (cd "$tmp/src" && tools/regenerate.sh --check) >"$tmp/check.log" 2>&1; then
    fail "regenerate --check passed after a removal"
fi
grep -q 'natural_person_input.occupation removed' "$tmp/check.log" || { cat "$tmp/check.log" >&2; fail "--check does not name the removal"; }
if (cd "$tmp/src" && tools/regenerate.sh) >"$tmp/regen2.log" 2>&1; then
    fail "plain regenerate accepted a removal"
fi
grep -q 'accept-abi-break eccor' "$tmp/regen2.log" || fail "regenerate does not say how to accept the break"
(cd "$tmp/src" && tools/regenerate.sh --accept-abi-break eccor) >"$tmp/regen3.log" 2>&1 \
    || { cat "$tmp/regen3.log" >&2; fail "--accept-abi-break"; }
old_major=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["abi"]["major"])' "$src/$lock")
new_major=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["abi"]["major"])' "$tmp/src/$lock")
[ "$new_major" -eq $((old_major + 1)) ] || fail "--accept-abi-break: major $old_major -> $new_major"
(cd "$tmp/src" && tools/regenerate.sh --check) >/dev/null 2>&1 || fail "--check fails after --accept-abi-break"
run_logged "$cmake_cmd" --build "$tmp/build" -j2 --target pontes_eccor
v3so=$(find "$tmp/build" -name "libpontes_eccor.so.$new_major.*" -print -quit)
[ -n "$v3so" ] && [ "$(soname "$v3so")" = "libpontes_eccor.so.$new_major" ] \
    || fail "after --accept-abi-break the soname is not libpontes_eccor.so.$new_major"
step "soname $(soname "$v1so") -> $(soname "$v3so")"

echo "abi/run.sh: OK"
