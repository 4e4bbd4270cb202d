# Shared shell helpers of tools/*.sh (sourced, not run).

# A Python 3 with jinja2 and yaml, chosen like cmake/PontesPython.cmake:
# $PONTES_PYTHON, then python3 on PATH, then /usr/bin/python3. Prints its path.
pontes_find_python() {
    local c
    for c in ${PONTES_PYTHON:+"$PONTES_PYTHON"} "$(command -v python3 || true)" /usr/bin/python3; do
        [ -n "$c" ] && [ -x "$c" ] || continue
        if "$c" -c 'import sys, jinja2, yaml; assert sys.version_info >= (3, 8)' >/dev/null 2>&1; then
            echo "$c"
            return 0
        fi
    done
    return 1
}
