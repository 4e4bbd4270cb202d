#!/usr/bin/env bash
# README command 2: the whole test suite.
#   1. normal build in build/ (RelWithDebInfo) + ctest
#   2. sanitizer build in build-asan/ (-DPONTES_SANITIZE=ON, Debug: ASan + UBSan, leaks on) + ctest
#   3. every C test executable of build/ under valgrind (definite/indirect leaks are errors)
#   4. clang build in build-clang/ (RelWithDebInfo, -DCMAKE_C_COMPILER=clang) + ctest
# Options: --quick (phase 1 only), --no-asan, --no-valgrind, --no-clang.
# Env: PONTES_JOBS (build and ctest parallelism, default 2), PONTES_PYTHON (generator Python),
#      PONTES_VALGRIND_TIMEOUT (seconds per test under valgrind, default 600).
# Ends with a line "N passed, M failed" (tests of all phases; a failed configure/build
# counts as one failure) and exits non-zero if anything failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

asan=1
valgrind=1
clang=1
for a in "$@"; do
    case "$a" in
        --quick) asan=0; valgrind=0; clang=0 ;;
        --no-asan) asan=0 ;;
        --no-valgrind) valgrind=0 ;;
        --no-clang) clang=0 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: tools/test.sh [--quick] [--no-asan] [--no-valgrind] [--no-clang]" >&2; exit 2 ;;
    esac
done
jobs=${PONTES_JOBS:-2}

tools/bootstrap.sh || { echo "test.sh: tools/bootstrap.sh failed"; echo "0 passed, 1 failed"; exit 1; }

logdir=$(mktemp -d "${TMPDIR:-/tmp}/pontes-test.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

total_pass=0
total_fail=0
summary=()

note() { summary+=("$1"); }

# configure_and_build DIR ARGS... — returns non-zero (and counts a failure) on error.
configure_and_build() {
    local dir=$1; shift
    local args=(-S . -B "$dir" "$@")
    [ -n "${PONTES_PYTHON:-}" ] && args+=("-DPONTES_PYTHON=$PONTES_PYTHON")
    echo "== configure $dir: $*"
    if ! cmake "${args[@]}" >"$logdir/configure.log" 2>&1; then
        cat "$logdir/configure.log"
        echo "test.sh: configuring $dir FAILED"
        note "$dir: configure FAILED"
        total_fail=$((total_fail + 1))
        return 1
    fi
    echo "== build $dir"
    if ! cmake --build "$dir" -j "$jobs" >"$logdir/build.log" 2>&1; then
        # Show the errors, not the whole log.
        grep -E -B2 -A6 'error|Error|undefined reference' "$logdir/build.log" | head -n 200
        echo "test.sh: building $dir FAILED (full log: cmake --build $dir)"
        note "$dir: build FAILED"
        total_fail=$((total_fail + 1))
        return 1
    fi
}

# run_ctest DIR LABEL — runs ctest, adds its counts to the totals.
run_ctest() {
    local dir=$1 label=$2 out=$logdir/ctest-$2.log
    echo "== ctest $dir"
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" 2>&1 | tee "$out"
    local rc=${PIPESTATUS[0]}
    local line failed total
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$out" | tail -n 1)
    if [ -n "$line" ]; then
        failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
        total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    elif grep -q 'No tests were found' "$out"; then
        failed=1; total=1
        echo "test.sh: no tests found in $dir"
    else
        failed=1; total=1
    fi
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1; total=$((total + 1))   # ctest itself failed
    fi
    total_pass=$((total_pass + total - failed))
    total_fail=$((total_fail + failed))
    note "$label: $((total - failed)) passed, $failed failed"
}

# ---- phase 1: normal build ----------------------------------------------------
if configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPONTES_SANITIZE=OFF -DPONTES_BUILD_TESTS=ON; then
    run_ctest build normal
    build_ok=1
else
    build_ok=0
fi

# ---- phase 2: ASan + UBSan ------------------------------------------------------
if [ $asan -eq 1 ]; then
    if configure_and_build build-asan -DPONTES_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DPONTES_BUILD_TESTS=ON; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            run_ctest build-asan asan
    fi
fi

# ---- phase 3: valgrind over the C test executables of build/ ----------------------
if [ $valgrind -eq 1 ] && [ $build_ok -eq 1 ]; then
    echo "== valgrind (C test executables of build/)"
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "test.sh: valgrind not found"
        note "valgrind: not run (valgrind missing)"
        total_fail=$((total_fail + 1))
    elif ! ctest --test-dir build --show-only=json-v1 >"$logdir/tests.json" 2>"$logdir/tests.err"; then
        cat "$logdir/tests.err"
        note "valgrind: ctest --show-only failed"
        total_fail=$((total_fail + 1))
    else
        python3 - "$root/build" "$logdir/tests.json" "$logdir/valgrind.counts" <<'PY'
# Run every ctest test whose command is an ELF executable inside the build tree under
# valgrind, with the test's arguments, working directory and ENVIRONMENT. Tests that
# require fixtures get their FIXTURES_SETUP tests run (without valgrind) before and
# their FIXTURES_CLEANUP tests after.
import json, os, re, subprocess, sys, time

build, json_path, counts_path = os.path.realpath(sys.argv[1]), sys.argv[2], sys.argv[3]
timeout = int(os.environ.get('PONTES_VALGRIND_TIMEOUT', '600'))
VALGRIND = ['valgrind', '--leak-check=full', '--errors-for-leak-kinds=definite,indirect',
            '--error-exitcode=99', '--quiet']

with open(json_path, encoding='utf-8') as f:
    info = json.load(f)
tests = []
for t in info.get('tests', []):
    props = {p['name']: p['value'] for p in t.get('properties', [])}
    tests.append({'name': t['name'], 'command': t.get('command') or [], 'props': props})

def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]

def is_build_elf(path):
    try:
        real = os.path.realpath(path)
        if not real.startswith(build + os.sep) or not os.access(real, os.X_OK):
            return False
        with open(real, 'rb') as f:
            return f.read(4) == b'\x7fELF'
    except OSError:
        return False

def env_of(t):
    env = dict(os.environ)
    for kv in as_list(t['props'].get('ENVIRONMENT')):
        k, _, v = kv.partition('=')
        env[k] = v
    return env

def run(t, wrap, limit):
    cmd = (VALGRIND if wrap else []) + t['command']
    cwd = t['props'].get('WORKING_DIRECTORY') or build
    start = time.time()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env_of(t), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=limit)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), time.time() - start
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode('utf-8', 'replace')
        return None, out + '\n[timeout after %ds]' % limit, time.time() - start

def verdict(t, rc, out):
    """(ok, skipped, why) following the ctest properties that decide pass/fail."""
    p = t['props']
    if rc is None:
        return False, False, 'timeout'
    if rc == 99:
        return False, False, 'valgrind reported errors'
    skip = p.get('SKIP_RETURN_CODE')
    if skip is not None and rc == int(skip):
        return True, True, 'skipped'
    for rx in as_list(p.get('SKIP_REGULAR_EXPRESSION')):
        if re.search(rx, out):
            return True, True, 'skipped'
    for rx in as_list(p.get('FAIL_REGULAR_EXPRESSION')):
        if re.search(rx, out):
            return False, False, 'output matched FAIL_REGULAR_EXPRESSION'
    pass_rx = as_list(p.get('PASS_REGULAR_EXPRESSION'))
    if pass_rx:
        ok = any(re.search(rx, out) for rx in pass_rx)
        return ok, False, '' if ok else 'output did not match PASS_REGULAR_EXPRESSION'
    ok = (rc != 0) if p.get('WILL_FAIL') else (rc == 0)
    return ok, False, '' if ok else 'exit status %d' % rc

by_setup, by_cleanup = {}, {}
for t in tests:
    for fx in as_list(t['props'].get('FIXTURES_SETUP')):
        by_setup.setdefault(fx, []).append(t)
    for fx in as_list(t['props'].get('FIXTURES_CLEANUP')):
        by_cleanup.setdefault(fx, []).append(t)
fixture_tests = {id(x) for v in list(by_setup.values()) + list(by_cleanup.values()) for x in v}

passed = failed = 0
candidates = [t for t in tests
              if t['command'] and id(t) not in fixture_tests and is_build_elf(t['command'][0])
              and not t['props'].get('DISABLED')]
for t in candidates:
    fixtures = as_list(t['props'].get('FIXTURES_REQUIRED'))
    setup_ok = True
    for fx in fixtures:
        for s in by_setup.get(fx, []):
            rc, out, _ = run(s, False, 300)
            if rc != 0:
                print('  fixture setup %s failed (exit %s):\n%s' % (s['name'], rc, out))
                setup_ok = False
    if setup_ok:
        rc, out, secs = run(t, True, timeout)
        ok, skipped, why = verdict(t, rc, out)
    else:
        ok, skipped, why, secs = False, False, 'fixture setup failed', 0.0
    for fx in fixtures:
        for c in by_cleanup.get(fx, []):
            run(c, False, 300)
    if ok:
        passed += 1
        print('  %-40s %s (%.1fs)' % (t['name'], 'skipped' if skipped else 'ok', secs))
    else:
        failed += 1
        print('  %-40s FAILED: %s (%.1fs)' % (t['name'], why, secs))
        print('\n'.join('    | ' + l for l in out.rstrip().splitlines()[-80:]))
    sys.stdout.flush()
if not candidates:
    print('  no C test executables found in %s' % build)
with open(counts_path, 'w') as f:
    f.write('%d %d\n' % (passed, failed))
PY
        if [ -s "$logdir/valgrind.counts" ]; then
            read -r vp vf <"$logdir/valgrind.counts"
        else
            vp=0; vf=1
        fi
        total_pass=$((total_pass + vp))
        total_fail=$((total_fail + vf))
        note "valgrind: $vp passed, $vf failed"
    fi
elif [ $valgrind -eq 1 ]; then
    note "valgrind: not run (build/ failed)"
fi

# ---- phase 4: clang ------------------------------------------------------------------
if [ $clang -eq 1 ]; then
    if ! command -v clang >/dev/null 2>&1; then
        echo "test.sh: clang not found (apt-get install clang, or --no-clang)"
        note "clang: not run (clang missing)"
        total_fail=$((total_fail + 1))
    elif configure_and_build build-clang -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DPONTES_SANITIZE=OFF -DPONTES_BUILD_TESTS=ON; then
        run_ctest build-clang clang
    fi
fi

echo
echo "== summary"
for s in "${summary[@]}"; do
    echo "  $s"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
