#!/usr/bin/env bash
# Run every API's end-to-end suite against Prism, an independent stateless OpenAPI mock: one
# Prism per spec (tools/prism.sh), each suite with PONTES_TEST_BASE_URL_<API> set to its own
# server (stateless: state-dependent assertions are skipped, every operation must be reached)
# and PONTES_TEST_PRISM_<API>=1 (the suites' error tests then ask Prism for the documented error
# examples with `Prefer: code=...`; bctt also asks for named examples with `Prefer: example=...`, e.g. the
# ESIS PDF, whose first documented example is a placeholder that is not Base64). Every API of
# generated/ that has a test_e2e_<api> binary in BUILD_DIR is run (eccor, bestbank, bizapis, bctt).
#
#   tools/test-prism.sh [BUILD_DIR] [api...]      (default BUILD_DIR: build; default: every API
#                                                  that has a tests/e2e/test_e2e_<api> binary)
#
# Prints per API: operations reached, cmocka tests passed/skipped, state checks skipped, seconds;
# exits non-zero when a suite fails or an operation was not reached. The suites' output is kept
# in BUILD_DIR/prism-<api>.log. Env: PONTES_PRISM_VERSION (see tools/prism.sh).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
case $build in /*) ;; *) build=$root/$build ;; esac
[ -d "$build/tests/e2e" ] || { echo "test-prism.sh: $build/tests/e2e not found: build first (cmake --build $build)" >&2; exit 2; }

apis=("$@")
if [ ${#apis[@]} -eq 0 ]; then
    for d in "$root"/generated/*/; do
        a=$(basename "$d")
        [ -x "$build/tests/e2e/test_e2e_$a" ] && apis+=("$a")
    done
fi
[ ${#apis[@]} -gt 0 ] || { echo "test-prism.sh: no e2e test binaries in $build/tests/e2e" >&2; exit 2; }

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

declare -A url
t0=$SECONDS
# start one Prism per spec, all at once (each takes a few seconds to load its spec)
declare -A out
for a in "${apis[@]}"; do
    out[$a]=$(mktemp "${TMPDIR:-/tmp}/pontes-prism-start.XXXXXX")
    "$root/tools/prism.sh" "$a" --log "$build/prism-server-$a.log" >"${out[$a]}" &
done
wait
for a in "${apis[@]}"; do
    PRISM_URL= PRISM_PID=
    eval "$(grep -E '^PRISM_(URL|PID)=' "${out[$a]}")"
    rm -f "${out[$a]}"
    if [ -z "$PRISM_URL" ]; then
        echo "test-prism.sh: Prism for $a did not start (log: $build/prism-server-$a.log)" >&2
        exit 1
    fi
    pids+=("$PRISM_PID")
    url[$a]=$PRISM_URL
done
echo "test-prism.sh: ${#apis[@]} Prism server(s) up in $((SECONDS - t0)) s (Prism ${PONTES_PRISM_VERSION:-5.14.2})"

fail=0
summary=()
for a in "${apis[@]}"; do
    up=$(echo "$a" | tr 'a-z-' 'A-Z_')
    log=$build/prism-$a.log
    t1=$SECONDS
    env "PONTES_TEST_BASE_URL_$up=${url[$a]}" "PONTES_TEST_PRISM_$up=1" "$build/tests/e2e/test_e2e_$a" >"$log" 2>&1
    rc=$?
    secs=$((SECONDS - t1))
    line=$(grep -E "^e2e\[$a\]: reached" "$log" | tail -n 1)
    reached=$(echo "$line" | sed -nE 's/.*reached ([0-9]+\/[0-9]+) operations.*/\1/p')
    state=$(echo "$line" | sed -nE 's/.*state checks skipped: ([0-9]+).*/\1/p')
    passed=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test.*/\1/p' "$log" | tail -n 1)
    skipped=$(sed -nE 's/^\[  SKIPPED \] ([0-9]+) test.*/\1/p' "$log" | tail -n 1)
    failed=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test.*/\1/p' "$log" | tail -n 1)
    status=ok
    if [ $rc -ne 0 ] || [ -z "$reached" ] || [ "${reached%/*}" != "${reached#*/}" ]; then
        status=FAILED
        fail=1
        grep -E "^\[  (ERROR|FAILED) |^\[   LINE|not reached" "$log" | head -n 20 | sed "s/^/  $a: /" >&2
    fi
    summary+=("$(printf '%-9s %-6s reached %-6s tests passed %-3s skipped %-3s failed %-3s state checks skipped %-3s %3d s' \
        "$a" "$status" "${reached:-?}" "${passed:-0}" "${skipped:-0}" "${failed:-0}" "${state:-?}" "$secs")")
done
echo "test-prism.sh: results (logs: $build/prism-<api>.log)"
printf '  %s\n' "${summary[@]}"
echo "test-prism.sh: total $((SECONDS - t0)) s"
exit $fail
