/* End-to-end tests of the generated bizAPIs credit-responsibility client (prefix bizapis) over
 * real HTTP: the one operation in its three inputs — credentials (JSON), the map PDF as Base64
 * (JSON; the two JSON forms are a oneOf) and the PDF as a multipart/form-data upload.
 *
 * Server under test: the mock (tools/mock/mock_server.py with generated/bizapis/openapi.json, plus
 * the ECCOR spec for its token endpoint, started here), or the external server of
 * PONTES_TEST_BASE_URL_BIZAPIS (else PONTES_TEST_BASE_URL), e.g. Prism (tools/test-prism.sh).
 * The API key (http bearer scheme bizapisKey) is PONTES_TEST_API_KEY[_BIZAPIS], default the mock's
 * pontes-demo-bizapis-key. When the mock has no bizAPIs state module (its generic core accepts
 * only bearer tokens it issued), the key is a token of the mock's /oauth2/token instead.
 *
 * Modes: a stateless server (Prism, the generic mock) answers the first documented 200 example,
 * the bare report (`bareReport`), to every input: the decoded values are compared with it. The
 * mock's bizAPIs module answers credentials with the wrapped form {data, file} and the two file
 * inputs with the bare report (fresh requestIds). The last test fails unless every input was
 * reached (a request sent, an answer decoded). */
#define _GNU_SOURCE
#include "e2e_support.h"

#include <pontes/bizapis.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <curl/curl.h>

#ifndef E2E_BIZAPIS_SPEC
#error "E2E_BIZAPIS_SPEC (generated/bizapis/openapi.json) must be defined"
#endif
#ifndef E2E_ECCOR_SPEC
#error "E2E_ECCOR_SPEC (generated/eccor/openapi.json) must be defined"
#endif

#define DEFAULT_API_KEY "pontes-demo-bizapis-key"

static e2e_server g_srv;
static char g_api_key[512];
static bool g_module;    /* the mock answers from its bizAPIs state module */
static bool g_use_oauth; /* the generic mock: bearer tokens from its token endpoint */

/* One operation, three request forms (each counts as one: bizapis_operations lists them). */
#define OP_CREDENTIALS "extractCreditResponsibility (credentials)"
#define OP_BASE64 "extractCreditResponsibility (base64)"
#define OP_MULTIPART "extractCreditResponsibility (multipart)"
static const e2e_op bizapis_ops[] = {
    {OP_CREDENTIALS, NULL},
    {OP_BASE64, NULL},
    {OP_MULTIPART, NULL},
    {NULL, NULL},
};

#define EXAMPLES() (g_srv.examples && !g_srv.stateful)

/* A small but well-formed PDF, made here (what a caller would upload). */
static const char PDF[] =
    "%PDF-1.4\n"
    "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    "trailer << /Root 1 0 R >>\n"
    "%%EOF\n";

static bizapis_client *client(void) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_srv.base_url;
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 30000;
    o.retry_base_ms = 50;
    o.retry_max_ms = 500;
    bizapis_client *c = NULL;
    assert_int_equal(bizapis_client_new(&c, &o), PONTES_OK);
    assert_non_null(c);
    if (g_use_oauth) {
        pontes_oauth2_options a = PONTES_OAUTH2_OPTIONS_INIT;
        a.token_url = g_srv.token_url;
        a.client_id = g_srv.client_id;
        a.client_secret = g_srv.client_secret;
        a.scope = "credit/admin";
        assert_int_equal(pontes_client_set_oauth2_client_credentials(c, "bizapisKey", &a), PONTES_OK);
    } else {
        assert_int_equal(pontes_client_set_bearer(c, "bizapisKey", g_api_key), PONTES_OK);
    }
    return c;
}

/* The call of one input form: counted, and a failure is reported with the server's answer. */
static void call_ok(bizapis_client *c, int rc, const char *form) {
    long http = bizapis_client_last_error(c)->http_status;
    e2e_op_mark(form, rc, rc == PONTES_OK || (rc == PONTES_EHTTP && http > 0));
    if (rc == PONTES_OK) return;
    const pontes_error *e = bizapis_client_last_error(c);
    fail_msg("%s: %s (%s) http=%ld provider_code=%s body=%s", form, pontes_status_name(rc),
             e->message ? e->message : "", e->http_status, e->provider_code ? e->provider_code : "-",
             e->body ? e->body : "-");
}

static void assert_decimal_(const pontes_decimal *d, const char *want, const char *file, int line) {
    pontes_decimal w;
    if (pontes_decimal_parse(want, strlen(want), &w) != PONTES_OK) fail_msg("bad decimal literal %s", want);
    if (pontes_decimal_cmp(d, &w) != 0) {
        char got[PONTES_DECIMAL_TEXT_MAX];
        pontes_decimal_to_text(d, got, sizeof got);
        print_error("%s:%d: decimal %s != %s\n", file, line, got, want);
        _fail(file, line);
    }
}
#define assert_decimal(d, want) assert_decimal_((d), (want), __FILE__, __LINE__)

static void check_bucket(const bizapis_summary_bucket *b, const char *debt, const char *potential, int64_t products,
                         int64_t guaranteed) {
    assert_non_null(b);
    assert_decimal(&b->in_debt_amount, debt);
    assert_decimal(&b->non_compliant_amount, "0");
    assert_decimal(&b->potential_amount, potential);
    assert_true(b->number_of_products == products);
    assert_true(b->products_with_guarantee == guaranteed);
}

/* The report of the documented example `bareReport` (every input's answer on a stateless server,
 * and the file inputs' answer on the mock). Read in its bare root form (the spec's decision: both
 * root forms decode into one response type). */
static void check_bare_report(const bizapis_credit_responsibility_response *r) {
    assert_int_equal(r->has_request_id, PONTES_SET);
    if (EXAMPLES()) assert_string_equal(r->request_id, "00000000-0000-0000-0000-000000000000");
    assert_int_equal(r->has_without_credit_responsibility, PONTES_SET);
    assert_false(r->without_credit_responsibility);
    assert_int_equal(r->has_data, PONTES_ABSENT); /* bare: no {data, file} wrapper */
    const bizapis_summary *s = r->summary;
    assert_non_null(s);
    assert_string_equal(s->nif, "123456789");
    assert_string_equal(s->name, "NOME DO TITULAR");
    const bizapis_credit_responsibility_group *j = s->credit_responsibility_joint;
    assert_non_null(j);
    check_bucket(j->home_loan, "98500.12", "0", 1, 1);
    assert_int_equal(j->has_related_loan, PONTES_NULL);
    assert_int_equal(j->has_credit_card, PONTES_NULL);
    assert_int_equal(j->has_other_loans, PONTES_SET);
    assert_int_equal(j->other_loans.count, 0); /* {} */
    assert_non_null(j->total_loan);
    assert_decimal(&j->total_loan->in_debt_amount, "98500.12");
    assert_false(j->total_loan->is_non_compliant_amount_from_credit_card);
    const bizapis_credit_responsibility_group *ind = s->credit_responsibility_individual;
    assert_non_null(ind);
    assert_int_equal(ind->has_home_loan, PONTES_NULL);
    check_bucket(ind->personal_loan, "4200.0", "0", 1, 0);
    check_bucket(ind->credit_card, "310.55", "2189.45", 1, 0);
    assert_non_null(ind->total_loan);
    assert_decimal(&ind->total_loan->in_debt_amount, "4510.55");
    assert_decimal(&ind->total_loan->potential_amount, "2189.45");
    assert_true(ind->total_loan->number_of_products == 2);
    int64_t cents = 0;
    assert_int_equal(pontes_decimal_to_minor(&ind->total_loan->in_debt_amount, 2, &cents), PONTES_OK);
    assert_true(cents == 451055); /* exact: 4510.55 EUR */
    const bizapis_financial_institutions_and_products *fi = s->financial_institutions_and_products;
    assert_non_null(fi);
    assert_true(fi->number_of_institutions_reporting_information == 2);
    assert_true(fi->number_of_institutions_reporting_non_compliance == 0);
    assert_true(fi->total_number_of_financial_products_reported == 3);
    /* root detail arrays */
    assert_int_equal(r->home_loan.count, 1);
    const bizapis_loan_detail *h = r->home_loan.items[0];
    assert_string_equal(h->start_date, "2015-06-30");
    assert_string_equal(h->end_date, "2045-06-30");
    assert_true(h->number_debtors == 2);
    assert_decimal(&h->total_debt, "98500.12");
    assert_decimal(&h->installment, "412.3");
    assert_int_equal(h->guarantees.count, 1);
    assert_string_equal(h->guarantees.items[0]->type, "G01");
    assert_decimal(&h->guarantees.items[0]->value, "150000");
    assert_string_equal(h->guarantees.items[0]->number, "1");
    assert_int_equal(r->has_car_loan, PONTES_SET);
    assert_int_equal(r->car_loan.count, 0);
    assert_int_equal(r->has_other_loans, PONTES_SET);
    assert_int_equal(r->other_loans.count, 0);
    assert_int_equal(r->personal_loan.count, 1);
    assert_decimal(&r->personal_loan.items[0]->total_debt, "4200.0");
    assert_int_equal(r->personal_loan.items[0]->has_guarantees, PONTES_NULL); /* "guarantees": null */
    assert_int_equal(r->related_loan.count, 0);
}

/* ======================================================================== */

static void test_credentials(void **state) {
    (void)state;
    bizapis_client *c = client();
    bizapis_credentials_request cr = BIZAPIS_CREDENTIALS_REQUEST_INIT;
    PONTES_PUT(cr, month, "03");
    PONTES_PUT(cr, year, "2024");
    PONTES_PUT(cr, user, "123456789");
    PONTES_PUT(cr, password, "end-user-password");
    bizapis_credit_responsibility_request body = {
        BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST, NULL, {.credentials_request = &cr}};
    bizapis_credit_responsibility_response *r = NULL;
    call_ok(c, bizapis_extract_credit_responsibility(c, &body, &r), OP_CREDENTIALS);
    assert_non_null(r);
    if (!EXAMPLES() && r->has_data == PONTES_SET) {
        /* the mock's credentials answer: the wrapped form (example wrappedReport; a stateful
         * server may answer either documented root form) */
        assert_int_equal(r->has_data, PONTES_SET);
        assert_non_null(r->data);
        assert_non_null(r->data->summary);
        assert_string_equal(r->data->summary->nif, "987654321");
        assert_int_equal(r->data->summary->has_credit_responsibility_joint, PONTES_NULL);
        assert_int_equal(r->has_file, PONTES_SET);
        assert_true(r->file.len >= 5);
        assert_memory_equal(r->file.data, "%PDF-", 5); /* the map PDF, decoded from Base64 */
    } else {
        check_bare_report(r);
    }
    /* FLOW: secrets — the password is redacted in every log event of this call and never copied
     * into the error object (log hook output grepped for it); error path: a refused source login
     * (mock: password "wrong-password" -> 400 BIZ-4004 SOURCE_LOGIN_FAILED) decoded into the
     * error object (errorCode, errorName, message, requestId). */
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
}

static void test_base64_file(void **state) {
    (void)state;
    bizapis_client *c = client();
    bizapis_base64_file_request fr = BIZAPIS_BASE64_FILE_REQUEST_INIT;
    fr.file.data = (const uint8_t *)PDF;
    fr.file.len = sizeof PDF - 1;
    fr.has_file = PONTES_SET;
    bizapis_credit_responsibility_request body = {
        BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_BASE64_FILE_REQUEST, NULL, {.base64_file_request = &fr}};
    /* on the wire: {"file": "<Base64 of the PDF>"} */
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(bizapis_credit_responsibility_request_encode(&body, &json, &len, &err), PONTES_OK);
    if (strncmp(json, "{\"file\":\"JVBERi0xLjQK", 20) != 0) fail_msg("not the Base64 of the PDF: %.60s", json);
    pontes_json_free(json);
    pontes_error_clear(&err);

    bizapis_credit_responsibility_response *r = NULL;
    call_ok(c, bizapis_extract_credit_responsibility(c, &body, &r), OP_BASE64);
    check_bare_report(r);
    if (g_module) assert_int_equal(strncmp(r->request_id, "base64-", 7), 0);
    /* FLOW: the Base64 encoded from a file path (files engineer's streaming source), and the
     * refusals before any byte is sent: a file over 20 MB, a file not starting with %PDF-. */
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
}

static void test_multipart_upload(void **state) {
    (void)state;
    bizapis_client *c = client();
    bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
    up.file.data = (const uint8_t *)PDF;
    up.file.len = sizeof PDF - 1;
    up.file.filename = "mapa_responsabilidades.pdf";
    up.file.content_type = "application/pdf";
    up.has_file = PONTES_SET;
    bizapis_credit_responsibility_response *r = NULL;
    call_ok(c, bizapis_extract_credit_responsibility_multipart(c, &up, &r), OP_MULTIPART);
    check_bare_report(r);
    if (g_module) assert_int_equal(strncmp(r->request_id, "multipart-", 10), 0);
    /* FLOW: the part streamed from a file path or a read callback (memory near constant for a
     * 19 MB PDF); error paths: a non-PDF (400 BIZ-4001 INVALID_FILE_TYPE), an oversize upload
     * (413 BIZ-4130), a missing or unknown API key (401 BIZ-4010 / BIZ-4011). */
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
}

/* The documented error example through Prism (`Prefer: code=400`: Prism answers the 4XX example;
 * PONTES_TEST_PRISM[_BIZAPIS]=1 is set by tools/test-prism.sh). */
static void test_error_example_prism(void **state) {
    (void)state;
    const char *v = e2e_env(&g_srv, "PRISM");
    if (!g_srv.external || !v || strcmp(v, "1") != 0) {
        print_message("skipped: needs Prism (PONTES_TEST_PRISM_BIZAPIS=1, set by tools/test-prism.sh)\n");
        skip();
    }
    bizapis_client *c = client();
    bizapis_base64_file_request fr = BIZAPIS_BASE64_FILE_REQUEST_INIT;
    fr.file.data = (const uint8_t *)PDF;
    fr.file.len = sizeof PDF - 1;
    fr.has_file = PONTES_SET;
    bizapis_credit_responsibility_request body = {
        BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_BASE64_FILE_REQUEST, NULL, {.base64_file_request = &fr}};
    const char *hdrs[] = {"Prefer: code=400", NULL};
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.headers = hdrs;
    o.max_retries = 0;
    bizapis_credit_responsibility_response *r = NULL;
    int rc = bizapis_extract_credit_responsibility_ex(c, &body, &r, &o);
    long http = bizapis_client_last_error(c)->http_status;
    e2e_op_mark(OP_BASE64, rc, rc == PONTES_OK || (rc == PONTES_EHTTP && http > 0));
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(r);
    const pontes_error *e = bizapis_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "BIZ-0000");
    assert_non_null(e->provider_message);
    assert_string_equal(e->provider_message, "EXAMPLE_ERROR_NAME");
    assert_non_null(e->request_id);
    assert_string_equal(e->request_id, "00000000-0000-0000-0000-000000000000");
    bizapis_client_free(c);
}

/* ======================================================================== */

/* The mock: is its bizAPIs module there (it takes the demo API key), or only the generic core
 * (which takes only the bearer tokens of its own token endpoint)? One call with the key tells
 * (not counted as reached). */
static int probe_mock(void) {
    g_use_oauth = false;
    bizapis_client *c = client();
    bizapis_credentials_request cr = BIZAPIS_CREDENTIALS_REQUEST_INIT;
    PONTES_PUT(cr, month, "01");
    PONTES_PUT(cr, year, "2024");
    PONTES_PUT(cr, user, "123456789");
    PONTES_PUT(cr, password, "probe");
    bizapis_credit_responsibility_request body = {
        BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST, NULL, {.credentials_request = &cr}};
    bizapis_credit_responsibility_response *r = NULL;
    int rc = bizapis_extract_credit_responsibility(c, &body, &r);
    long http = bizapis_client_last_error(c)->http_status;
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
    if (rc != PONTES_OK && http != 401) {
        fprintf(stderr, "e2e bizapis: probe of the mock: %s, HTTP %ld\n", pontes_status_name(rc), http);
        return -1;
    }
    g_module = rc == PONTES_OK;
    g_use_oauth = !g_module;
    return 0;
}

static int group_setup(void **state) {
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *specs[] = {E2E_BIZAPIS_SPEC, E2E_ECCOR_SPEC, NULL};
    g_srv.api = "bizapis";
    e2e_ops_init("bizapis", bizapis_ops);
    if (e2e_server_start(&g_srv, specs, 3600, true) != 0) return -1;
    const char *v = e2e_env(&g_srv, "API_KEY");
    snprintf(g_api_key, sizeof g_api_key, "%s", v ? v : DEFAULT_API_KEY);
    if (!g_srv.external) {
        if (probe_mock() != 0) return -1;
        if (!g_module) g_srv.stateful = false; /* the generic core keeps no bizAPIs state */
    }
    print_message("e2e bizapis: %s server %s (%s)\n", g_srv.external ? "external" : "mock", g_srv.base_url,
                  g_module ? "bizAPIs state module" : g_srv.stateful ? "stateful" : "stateless: examples checked");
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    e2e_server_stop(&g_srv);
    curl_global_cleanup();
    return 0;
}

static void test_every_operation_reached(void **state) {
    (void)state;
    size_t missing = e2e_ops_report(&g_srv);
    if (missing) fail_msg("%zu input form(s) of bizapis not reached (see the e2e[bizapis] line above)", missing);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_base64_file),
        cmocka_unit_test(test_multipart_upload),
        cmocka_unit_test(test_error_example_prism),
        /* FLOW: test_upload_from_path, test_upload_refused_before_sending, test_error_* (see the
         * FLOW comments above) */
        cmocka_unit_test(test_every_operation_reached),
    };
    return cmocka_run_group_tests_name("e2e_bizapis", tests, group_setup, group_teardown);
}
