#!/usr/bin/env bash
# The Best Bank and bizAPIs demos against the mock (tools/demo/run-demo.sh), checked by what
# they print: the consent and the transfer went through and amounts are exact, the map's
# totals in euros for the multipart, Base64 and credentials inputs, and a non-PDF refused; the
# BCTT broker's flow submitted, its amounts and dates in Portuguese form, a wrong secret refused.
# Usage: test_demos.sh SOURCE_DIR BUILD_DIR CASE   (CASE: bestbank | bizapis | bctt)
set -euo pipefail
src=$1 build=$2 case=$3
out=$(mktemp "${TMPDIR:-/tmp}/pontes-demo-test.XXXXXX")
trap 'rm -f "$out" "$out.pdf"' EXIT
fail() { echo "test_demos: FAILED: $*" >&2; echo "--- output:" >&2; cat "$out" >&2; exit 1; }
want() { grep -qF -- "$1" "$out" || fail "missing: $1"; }
run() { PONTES_BUILD_DIR=$build "$src/tools/demo/run-demo.sh" "$@" >"$out" 2>&1; }

case $case in
bestbank)
    run bestbank || fail "the demo failed"
    want "consent 1-"
    want "given; access token valid until"
    # the fixture balances, exact (four decimals kept where they are not zero)
    want "12 345,6789 €"
    want "25/08/2020 10:01 credit"
    want "-1 000,00 €"
    want "status EXECUTED, amount 12,34 €"
    # the transfer debited the current account: 995.0000 - 12.34
    want "982,66 €"
    ;;
bizapis)
    run bizapis || fail "the demo failed (multipart)"
    want "uploaded as multipart/form-data"
    want "request multipart-"
    want "4 510,55 €"
    want "98 500,12 €"
    want "30/06/2015 30/06/2045"
    run bizapis --base64 || fail "the demo failed (base64)"
    want "request base64-"
    want "4 510,55 €"
    run bizapis --credentials 123456789 demo-password || fail "the demo failed (credentials)"
    want "request credentials-"
    if grep -qF demo-password "$out"; then fail "the password was printed"; fi
    printf 'PK\003\004 not a pdf' >"$out.pdf"
    if run bizapis --file "$out.pdf"; then fail "a non-PDF was accepted"; fi
    want 'does not start with "%PDF-"'
    ;;
bctt)
    run bctt || fail "the demo failed"
    want "session    open (broker 12345, user user@example.com)"
    want "020707 Simulation Validated successfully"
    want "020103 Process Submitted successfully"
    want "Process n.º 1251 — In Review (state 2)"
    want "loan amount          200 300,00 € over 360 months"
    want "monthly instalment   979,50 €"
    want "acquisition          250 000,00 € on 15/03/2026"
    want "AVENIDAS NOVAS, Lisboa"
    want "Joana Marques Ribeiro      KeyBorrower"
    want "Rui Manuel Ribeiro         Borrower, Spouse of the key borrower"
    want "cartao-cidadao-joana.pdf — Cartão de Cidadão (Identification, Active)"
    # 250 seeded processes + the new one, walked by the iterator in pages of 100
    want "The broker has 251 processes (3 pages of Process List;"
    if grep -qF pontes-demo-secret "$out"; then fail "the client secret was printed"; fi
    if run bctt --client-secret Wrong-Secret-77; then fail "a wrong secret was accepted"; fi
    want "HTTP 401 010101"
    want "operationStatusCode: 010101 (category 01, field 01, error 01)"
    if grep -qF Wrong-Secret-77 "$out"; then fail "the wrong secret was printed"; fi
    ;;
*) echo "usage: test_demos.sh SOURCE_DIR BUILD_DIR bestbank|bizapis|bctt" >&2; exit 2 ;;
esac
echo "test_demos $case: OK"
