#!/usr/bin/env bash
# Bounded libFuzzer run of the schema-registry harness (tests/fuzz/): every registered
# schema of every API of the build, decoded tolerant and strict, re-encoded, re-decoded.
#   tools/fuzz.sh [--install] [--seeds] [--merge] [SECONDS]     (default 60 s)
#     --install  apt-get install clang + libclang-rt-14-dev when clang/libFuzzer is missing
#     --seeds    rewrite the seed files of tests/fuzz/corpus/ from the specs' examples first
#     --merge    afterwards, add the inputs that gained coverage to tests/fuzz/corpus/ (-merge=1)
# Builds in build-fuzz-clang/ (clang, -DPONTES_FUZZ=ON). Env: PONTES_FUZZ_JOBS (parallel
# fuzzing jobs, default: number of CPUs, at most 2), PONTES_JOBS (build parallelism),
# PONTES_FUZZ_FIXTURES=OFF (only the generated/ APIs, not the test fixture APIs of tests/generator),
# PONTES_FUZZ_API=<prefix> (fuzz the schemas of that one API only).
# Prints libFuzzer's final stats (executions, cov/ft) and the coverage of the corpus per API.
# Exits non-zero on a finding (crash, leak, timeout, OOM: artifacts in build-fuzz-clang/fuzz-work/artifacts/)
# or when clang/libFuzzer is unavailable (exit 3).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

install=0 seeds=0 merge=0 secs=60
for a in "$@"; do
    case "$a" in
        --install) install=1 ;;
        --seeds) seeds=1 ;;
        --merge) merge=1 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        ''|*[!0-9]*) echo "usage: tools/fuzz.sh [--install] [--seeds] [--merge] [SECONDS]" >&2; exit 2 ;;
        *) secs=$a ;;
    esac
done
bdir=build-fuzz-clang
jobs=${PONTES_JOBS:-2}
ncpu=$(nproc 2>/dev/null || echo 1)
fjobs=${PONTES_FUZZ_JOBS:-$(( ncpu < 2 ? ncpu : 2 ))}

libfuzzer_ok() {
    command -v clang >/dev/null 2>&1 || return 1
    local t
    t=$(mktemp -d "${TMPDIR:-/tmp}/pontes-fuzzcheck.XXXXXX")
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$t/t.c"
    clang -fsanitize=fuzzer,address,undefined "$t/t.c" -o "$t/t" >/dev/null 2>&1
    local rc=$?
    rm -rf "$t"
    return $rc
}

if ! libfuzzer_ok; then
    if [ $install -eq 1 ]; then
        sudo=()
        [ "$(id -u)" -ne 0 ] && sudo=(sudo)
        export DEBIAN_FRONTEND=noninteractive
        "${sudo[@]}" apt-get install -y clang libclang-rt-14-dev ||
            { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y clang libclang-rt-14-dev; }
    fi
    if ! libfuzzer_ok; then
        echo "fuzz.sh: clang with libFuzzer not available (packages clang libclang-rt-14-dev; or run tools/fuzz.sh --install)"
        exit 3
    fi
fi

echo "== configure $bdir (clang, PONTES_FUZZ=ON)"
args=(-S . -B "$bdir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPONTES_FUZZ=ON
      -DPONTES_BUILD_TESTS=ON -DPONTES_BUILD_TOOLS=OFF -DPONTES_SANITIZE=OFF
      -DPONTES_FUZZ_FIXTURE_APIS="${PONTES_FUZZ_FIXTURES:-ON}")
[ -n "${PONTES_PYTHON:-}" ] && args+=("-DPONTES_PYTHON=$PONTES_PYTHON")
cmake "${args[@]}" >"$bdir.configure.log" 2>&1 || { cat "$bdir.configure.log"; echo "fuzz.sh: configure FAILED"; exit 1; }
rm -f "$bdir.configure.log"
echo "== build fuzz_schemas"
cmake --build "$bdir" -j "$jobs" --target fuzz_schemas fuzz_schemas_replay >"$bdir/fuzz-build.log" 2>&1 ||
    { grep -E -B2 -A6 'error|undefined reference' "$bdir/fuzz-build.log" | head -n 100; echo "fuzz.sh: build FAILED"; exit 1; }
fz=$bdir/tests/fuzz/fuzz_schemas
replay=$bdir/tests/fuzz/fuzz_schemas_replay
corpus=tests/fuzz/corpus
specs=()
for s in generated/*/openapi.json "$bdir"/tests/generator/gen/*/openapi.json; do
    [ -f "$s" ] && specs+=("$(basename "$(dirname "$s")")=$s")
done

work=$root/$bdir/fuzz-work
rm -rf "$work"
mkdir -p "$work/run" "$work/artifacts"
"$replay" --list >"$work/schemas.txt" || exit 1
if [ $seeds -eq 1 ]; then
    python3 tests/fuzz/make_seeds.py --out "$corpus" --list "$work/schemas.txt" "${specs[@]}" || exit 1
fi
"$replay" --export "$corpus" "$work/committed" || exit 1
ls "$work/committed" | sort >"$work/committed.before"

# Dictionary: JSON tokens, and every member name and enum value of the specs.
python3 - "$work/fuzz.dict" "${specs[@]}" <<'PY'
import json, sys
out, specs = sys.argv[1], sys.argv[2:]
words = set('{ } [ ] , : " null true false 0 -1 1e308 1.5 \\u0000 \\ud83d\\ude00'.split())
def walk(n):
    if isinstance(n, dict):
        for k, v in n.items():
            if k == 'properties' and isinstance(v, dict):
                words.update('"%s"' % p for p in v)
            elif k == 'enum' and isinstance(v, list):
                words.update('"%s"' % e for e in v if isinstance(e, str))
            walk(v)
    elif isinstance(n, list):
        for v in n: walk(v)
for s in specs:
    walk(json.load(open(s.partition('=')[2], encoding='utf-8')))
def esc(w):
    return ''.join('\\x%02x' % b if b < 0x20 or b > 0x7e or b in (0x22, 0x5c) else chr(b) for b in w.encode('utf-8'))
with open(out, 'w') as f:
    for w in sorted(words):
        if len(w.encode()) <= 64:
            f.write('"%s"\n' % esc(w))
PY

echo "== fuzz for ${secs}s ($fjobs job(s)); $(wc -l <"$work/schemas.txt") schemas of: $(cut -d' ' -f1 "$work/schemas.txt" | uniq | tr '\n' ' ')"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fopts=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -max_len=8192
       -dict="$work/fuzz.dict" -artifact_prefix="$work/artifacts/")
if [ "$fjobs" -gt 1 ]; then
    (cd "$work" && "$root/$fz" "${fopts[@]}" -jobs="$fjobs" -workers="$fjobs" run committed >fuzz.log 2>&1)
    for l in "$work"/fuzz-*.log; do
        echo "-- $(basename "$l")"
        grep -E '^#[0-9]+.*(INITED|DONE)|^stat::|ERROR:|SUMMARY:|FINDING|Test unit written' "$l" | tail -n 20
    done
else
    "$fz" "${fopts[@]}" "$work/run" "$work/committed" >"$work/fuzz-0.log" 2>&1
    grep -E '^#[0-9]+.*(INITED|DONE)|^stat::|ERROR:|SUMMARY:|FINDING|Test unit written' "$work/fuzz-0.log" | tail -n 20
fi
total=$(cat "$work"/fuzz-*.log 2>/dev/null | sed -n 's/^stat::number_of_executed_units: *//p' | awk '{s+=$1} END {print s+0}')
echo "fuzz.sh: $total executions in total"

findings=$(ls "$work/artifacts" 2>/dev/null | wc -l)
if [ "$findings" -gt 0 ]; then
    echo "fuzz.sh: $findings finding(s) in $work/artifacts/ (replay: $replay --raw FILE; keep them in tests/fuzz/findings/):"
    ls -l "$work/artifacts"
fi

if [ $merge -eq 1 ]; then
    echo "== merge new coverage into $corpus"
    "$fz" -merge=1 -rss_limit_mb=2048 -timeout=10 -max_len=8192 "$work/committed" "$work/run" >"$work/merge.log" 2>&1 ||
        { tail -n 20 "$work/merge.log"; echo "fuzz.sh: merge FAILED"; exit 1; }
    mkdir -p "$work/added"
    ls "$work/committed" | sort | comm -13 "$work/committed.before" - | while read -r f; do cp "$work/committed/$f" "$work/added/"; done
    "$replay" --import "$work/added" "$corpus" || exit 1
    echo "fuzz.sh: corpus now $(find "$corpus" -type f | wc -l) files, $(du -sh --apparent-size "$corpus" | cut -f1)"
fi

# Coverage per API of the committed corpus plus everything this run found.
echo "== coverage per API (committed corpus + inputs of this run)"
cov=$work/cov
rm -rf "$cov"
mkdir -p "$cov/all"
cp -r "$corpus"/. "$cov/all/"
"$replay" --import "$work/run" "$cov/all" >/dev/null || exit 1
for api in $(cut -d' ' -f1 "$work/schemas.txt" | uniq); do
    mkdir -p "$cov/root-$api"
    [ -d "$cov/all/$api" ] || continue
    ln -s "$cov/all/$api" "$cov/root-$api/$api"
    "$replay" --export "$cov/root-$api" "$cov/in-$api" >/dev/null || exit 1
    line=$("$fz" -runs=0 -max_len=8192 "$cov/in-$api" 2>&1 | grep -E 'INITED' | tail -n 1)
    printf '  %-10s %5d inputs  %s\n' "$api" "$(ls "$cov/in-$api" | wc -l)" "$(sed -E 's/.*(cov: [0-9]+ ft: [0-9]+).*/\1/' <<<"$line")"
done
"$replay" --export "$cov/all" "$cov/in-all" >/dev/null || exit 1
line=$("$fz" -runs=0 -max_len=8192 "$cov/in-all" 2>&1 | grep -E 'INITED' | tail -n 1)
printf '  %-10s %5d inputs  %s\n' all "$(ls "$cov/in-all" | wc -l)" "$(sed -E 's/.*(cov: [0-9]+ ft: [0-9]+).*/\1/' <<<"$line")"

[ "$findings" -eq 0 ]
