#!/usr/bin/env bash
# Regenerate generated/<api>/ from every specs/*.yaml (the spec's x-pontes-api gives <api>).
#
#   tools/regenerate.sh           write generated/<api>/ (only changed files are touched;
#                                 files the generator no longer produces are removed)
#   tools/regenerate.sh --check   change nothing; exit 1 if generated/ is out of date
#                                 (changed, missing or extra files, or a generated/<dir>
#                                 without a spec, or an ABI lock that is out of date or
#                                 contradicted by an incompatible spec change). Used by CI.
#   tools/regenerate.sh --accept-abi-break API
#                                 regenerate, accepting an incompatible ABI change of API
#                                 (removed/retyped members, values, functions): bumps its ABI
#                                 major (the library's soname) and rewrites its lock.
#
# ABI lock: specs/<spec>.abi.json pins struct member order, enum/union numbering, functions
# and the ABI version (generator/pontes_gen/abi.py). Additive spec changes update it (and
# print what was added); incompatible ones fail until accepted with --accept-abi-break.
#
# Python: $PONTES_PYTHON, else python3 on PATH, else /usr/bin/python3 — the first one that
# has Jinja2 and PyYAML (the same rule as cmake/PontesPython.cmake).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

check=0
accept=
case "${1:-}" in
    "") ;;
    --check) check=1 ;;
    --accept-abi-break)
        accept=${2:-}
        [ -n "$accept" ] || { echo "usage: tools/regenerate.sh --accept-abi-break API" >&2; exit 2; } ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: tools/regenerate.sh [--check | --accept-abi-break API]" >&2; exit 2 ;;
esac

die() { echo "regenerate: error: $*" >&2; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
py=$(pontes_find_python) \
    || die "no Python 3 with Jinja2 and PyYAML found (set PONTES_PYTHON, or run tools/bootstrap.sh)"

# x-pontes-api of a spec (YAML parse; falls back to a plain top-level line match).
api_of() {
    "$py" - "$1" <<'PY'
import re, sys
path = sys.argv[1]
api = None
try:
    import yaml
    with open(path, encoding='utf-8') as f:
        doc = yaml.load(f, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
    if isinstance(doc, dict):
        api = doc.get('x-pontes-api')
except Exception:
    pass
if api is None:
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'''x-pontes-api:\s*['"]?([A-Za-z0-9_]+)['"]?\s*(#.*)?$''', line)
            if m:
                api = m.group(1)
                break
print(api if isinstance(api, str) else '')
PY
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pontes-regen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
specs=(specs/*.yaml specs/*.yml)
[ ${#specs[@]} -gt 0 ] || die "no specs/*.yaml found in $root"

stale=0
apis=()
for spec in "${specs[@]}"; do
    api=$(api_of "$spec")
    [ -n "$api" ] || die "$spec has no top-level x-pontes-api (the C prefix, e.g. x-pontes-api: eccor)"
    [[ "$api" =~ ^[a-z_][a-z0-9_]*$ ]] || die "$spec: x-pontes-api '$api' must be a lower-case C identifier"
    for a in "${apis[@]}"; do
        [ "$a" != "$api" ] || die "two specs use x-pontes-api: $api"
    done
    apis+=("$api")
    out=generated/$api

    if [ $check -eq 0 ]; then
        # Write generated/<api>/ and the ABI lock first (an accepted break rewrites the lock).
        abi_args=(--update-abi-lock)
        [ "$accept" != "$api" ] || abi_args+=(--accept-abi-break)
        "$py" generator/pontes-gen "$spec" --out "$out" "${abi_args[@]}" \
            || die "pontes-gen failed on $spec"
    fi

    # Fresh generation into a scratch directory: the reference for --check and for
    # removing files the generator no longer writes.
    if ! "$py" generator/pontes-gen "$spec" --out "$tmp/$api" --quiet; then
        die "pontes-gen failed on $spec"
    fi

    if [ $check -eq 1 ]; then
        if [ ! -d "$out" ]; then
            echo "regenerate: $out does not exist (spec $spec)" >&2
            stale=1
            continue
        fi
        # The generator's own check (lists changed/missing files) ...
        if ! "$py" generator/pontes-gen "$spec" --out "$out" --check --update-abi-lock --quiet; then
            stale=1
        fi
        # ... and a full comparison, which also catches extra files.
        if ! diff -r "$tmp/$api" "$out" >"$tmp/$api.diff" 2>&1; then
            grep -E '^(Only in|Files|diff)' "$tmp/$api.diff" | sed 's/^/regenerate: /' >&2 || true
            stale=1
        fi
    else
        # Remove files the generator did not produce this time.
        while IFS= read -r -d '' f; do
            rel=${f#"$out"/}
            if [ ! -e "$tmp/$api/$rel" ]; then
                echo "regenerate: removing stale $f"
                rm -f "$f"
            fi
        done < <(find "$out" -type f -print0)
        find "$out" -mindepth 1 -type d -empty -delete
    fi
done
if [ -n "$accept" ]; then
    known=0
    for a in "${apis[@]}"; do [ "$a" != "$accept" ] || known=1; done
    [ $known -eq 1 ] || die "--accept-abi-break: no spec has x-pontes-api: $accept"
fi

# generated/<dir> that no spec produces any more.
for d in generated/*/; do
    d=${d%/}
    name=${d#generated/}
    known=0
    for a in "${apis[@]}"; do
        [ "$a" != "$name" ] || known=1
    done
    if [ $known -eq 0 ]; then
        if [ $check -eq 1 ]; then
            echo "regenerate: $d is not produced by any specs/*.yaml" >&2
            stale=1
        else
            echo "regenerate: warning: $d is not produced by any specs/*.yaml; remove it with: git rm -r $d" >&2
        fi
    fi
done

if [ $check -eq 1 ]; then
    if [ $stale -ne 0 ]; then
        echo "generated/ is out of date: run tools/regenerate.sh" >&2
        exit 1
    fi
    echo "regenerate: generated/ is up to date (${apis[*]})"
fi
