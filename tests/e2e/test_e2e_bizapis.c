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
 * reached (a request sent, an answer decoded).
 *
 * Also: uploads of a PDF made at test time (a few MB) streamed from a path and from a read
 * callback (multipart) and Base64-encoded from a path (JSON); which input the mock saw (its
 * X-Pontes-Mock-Input response header in the DEBUG log, the requestId prefix, /__admin/state);
 * files refused before sending (over 20971520 bytes, not a PDF: /__admin/requests unchanged);
 * the mock's error bodies (wrong-password -> 400 SOURCE_LOGIN_FAILED, a wrong API key -> 401)
 * decoded into the error object; secrets (end-user user/password, the API key) in no DEBUG log
 * line and in no string of the error object; money totals with their exact text. Against an
 * external stateless server only the assertions needing state or the admin endpoints are
 * skipped (e2e_needs_state); refused uploads are never counted as reached. */
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
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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


/* ---- helpers of the upload, error and secret tests ---------------------- */

static char g_tmpdir[256]; /* holds the PDFs made at test time */

#define PDF_HEAD "%PDF-1.4\n"
#define PDF_TAIL "\n%%EOF\n"
#define BIG_PDF_BYTES (3u * 1024u * 1024u + 17u) /* a few MB, not a multiple of 3 */
#define MAX_FILE 20971520u

/* Byte `off` of the generated PDF of `size` bytes: %PDF-1.4 header, printable filler (one
 * line per 64 bytes), %%EOF trailer. Used for the file on disk and by the read callback. */
static unsigned char pdf_byte(uint64_t off, uint64_t size) {
    const uint64_t hl = sizeof PDF_HEAD - 1, tl = sizeof PDF_TAIL - 1;
    if (off < hl) return (unsigned char)PDF_HEAD[off];
    if (off >= size - tl) return (unsigned char)PDF_TAIL[off - (size - tl)];
    if (off % 64 == 63) return '\n';
    return (unsigned char)('A' + (off * 7 + off / 64) % 26);
}

/* Write the generated PDF (or, with head, a file starting with head) of size bytes. */
static void make_file(const char *path, uint64_t size, const char *head) {
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot create %s", path);
    static unsigned char buf[65536];
    uint64_t off = 0;
    while (off < size) {
        size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
        for (size_t i = 0; i < n; i++) buf[i] = pdf_byte(off + i, size);
        if (head && off == 0) memcpy(buf, head, strlen(head) < n ? strlen(head) : n);
        if (fwrite(buf, 1, n, f) != n) fail_msg("cannot write %s", path);
        off += n;
    }
    if (fclose(f) != 0) fail_msg("cannot write %s", path);
}

static const char *tmp_path(char *buf, size_t cap, const char *name) {
    snprintf(buf, cap, "%s/%s", g_tmpdir, name);
    return buf;
}

/* The DEBUG log of a client, every line kept. */
typedef struct log_lines {
    char **line;
    size_t n, cap;
} log_lines;

static void collect_log(void *user, pontes_log_level level, const char *message) {
    (void)level;
    log_lines *l = user;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **p = realloc(l->line, cap * sizeof *p);
        if (!p) return;
        l->line = p;
        l->cap = cap;
    }
    l->line[l->n] = strdup(message ? message : "");
    if (l->line[l->n]) l->n++;
}

static void log_lines_free(log_lines *l) {
    for (size_t i = 0; i < l->n; i++) free(l->line[i]);
    free(l->line);
    memset(l, 0, sizeof *l);
}

/* The first log line containing needle (case-insensitive), or NULL. */
static const char *log_find(const log_lines *l, const char *needle) {
    for (size_t i = 0; i < l->n; i++)
        if (strcasestr(l->line[i], needle)) return l->line[i];
    return NULL;
}

/* The value of the response header X-Pontes-Mock-Input as the DEBUG log shows it ("< name: v"),
 * copied into buf ("" when absent). */
static const char *mock_input_header(const log_lines *l, char *buf, size_t cap) {
    buf[0] = '\0';
    const char *line = log_find(l, "< X-Pontes-Mock-Input:");
    if (line) {
        const char *v = strchr(line, ':') + 1;
        while (*v == ' ') v++;
        snprintf(buf, cap, "%s", v);
    }
    return buf;
}

/* A client with the API key (or token) of the suite and a DEBUG log hook. */
static bizapis_client *client_logged(log_lines *l, const char *api_key) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_srv.base_url;
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 60000;
    o.retry_base_ms = 50;
    o.retry_max_ms = 500;
    o.log = collect_log;
    o.log_user = l;
    o.log_level = PONTES_LOG_DEBUG;
    bizapis_client *c = NULL;
    assert_int_equal(bizapis_client_new(&c, &o), PONTES_OK);
    if (g_use_oauth && !api_key) {
        pontes_oauth2_options a = PONTES_OAUTH2_OPTIONS_INIT;
        a.token_url = g_srv.token_url;
        a.client_id = g_srv.client_id;
        a.client_secret = g_srv.client_secret;
        a.scope = "credit/admin";
        assert_int_equal(pontes_client_set_oauth2_client_credentials(c, "bizapisKey", &a), PONTES_OK);
    } else {
        assert_int_equal(pontes_client_set_bearer(c, "bizapisKey", api_key ? api_key : g_api_key), PONTES_OK);
    }
    return c;
}

/* The mock's count of requests to the operation (GET /__admin/requests), or -1 without admin. */
static long op_requests(void) {
    if (g_srv.external) return -1;
    cJSON *log = e2e_admin_requests(&g_srv);
    if (!log) fail_msg("GET /__admin/requests failed");
    long n = (long)e2e_log_count(log, "POST", "/v2/documents/responsabilidade-credito-details");
    long total = cJSON_GetArraySize(log);
    cJSON_Delete(log);
    if (total >= 200) fail_msg("the mock's request log is full (200): counts would not change");
    return n;
}

/* bodyLength of the mock's last logged request of the operation, or -1. */
static long last_body_length(void) {
    if (g_srv.external) return -1;
    cJSON *log = e2e_admin_requests(&g_srv);
    if (!log) fail_msg("GET /__admin/requests failed");
    const cJSON *e = e2e_log_last(log, "extractCreditResponsibility");
    const cJSON *bl = e ? cJSON_GetObjectItemCaseSensitive(e, "bodyLength") : NULL;
    long n = cJSON_IsNumber(bl) ? (long)bl->valuedouble : -1;
    cJSON_Delete(log);
    return n;
}

/* The bizAPIs module's count of received inputs of one kind (GET /__admin/state), or -1. */
static long received(const char *kind) {
    if (g_srv.external || !g_module) return -1;
    char url[700], *resp = NULL;
    snprintf(url, sizeof url, "%s/__admin/state", g_srv.base_url);
    long st = e2e_http("GET", url, NULL, &resp);
    if (st != 200 || !resp) fail_msg("GET /__admin/state: HTTP %ld", st);
    cJSON *j = cJSON_Parse(resp);
    free(resp);
    long n = -1;
    const cJSON *api;
    cJSON_ArrayForEach(api, j) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(api, "api");
        if (!cJSON_IsString(name) || strcmp(name->valuestring, "bizapis") != 0) continue;
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(api, "received"), kind);
        if (cJSON_IsNumber(k)) n = (long)k->valuedouble;
    }
    cJSON_Delete(j);
    if (n < 0) fail_msg("/__admin/state has no bizapis received.%s", kind);
    return n;
}

typedef struct input_counts {
    long credentials, base64, multipart;
} input_counts;

static input_counts inputs_now(void) {
    input_counts c = {received("credentials"), received("base64"), received("multipart")};
    return c;
}

/* After one successful call of input `kind`: the server saw that input, and only it — the
 * X-Pontes-Mock-Input header (every server that sends it), the requestId prefix and the
 * module's counters (the bundled mock). */
static void assert_input_seen(const log_lines *l, const char *kind, const char *request_id, input_counts before) {
    char hdr[64];
    mock_input_header(l, hdr, sizeof hdr);
    if (g_module || hdr[0]) {
        if (strcmp(hdr, kind) != 0) fail_msg("X-Pontes-Mock-Input: '%s', expected '%s'", hdr, kind);
    } else {
        e2e_needs_state(&g_srv, "the input the server saw (X-Pontes-Mock-Input)");
    }
    if (g_module) {
        size_t k = strlen(kind);
        if (!request_id || strncmp(request_id, kind, k) != 0 || request_id[k] != '-')
            fail_msg("requestId '%s' does not name the input %s", request_id ? request_id : "(null)", kind);
        input_counts now = inputs_now();
        assert_int_equal(now.credentials - before.credentials, strcmp(kind, "credentials") == 0);
        assert_int_equal(now.base64 - before.base64, strcmp(kind, "base64") == 0);
        assert_int_equal(now.multipart - before.multipart, strcmp(kind, "multipart") == 0);
    }
}

/* Every string of an error object (the client's last error), the provider date included. */
static void assert_error_lacks(const pontes_error *e, const char *secret, const char *what) {
    const char *s[] = {e->message, e->provider_code, e->provider_message, e->request_id, e->curl_message,
                       e->json_path, e->expected, e->operation_id, pontes_error_provider_date(e)};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (s[i] && strstr(s[i], secret)) fail_msg("%s found in the error object (string %zu): %s", what, i, s[i]);
    for (size_t i = 0; i < e->field_error_count; i++) {
        const char *k = e->field_errors[i].key, *m = e->field_errors[i].message;
        if ((k && strstr(k, secret)) || (m && strstr(m, secret))) fail_msg("%s found in a field error", what);
    }
    if (e->body && memmem(e->body, e->body_len, secret, strlen(secret)))
        fail_msg("%s found in the error object's body: %.*s", what, (int)e->body_len, e->body);
}

static void assert_log_lacks(const log_lines *l, const char *secret, const char *what) {
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->line[i], secret)) fail_msg("%s found in log line %zu: %s", what, i, l->line[i]);
}

/* The log really is the DEBUG log of the exchange: the request line, the Authorization header
 * (redacted) and the response status were logged. */
static void assert_debug_log_of_call(const log_lines *l) {
    if (!log_find(l, "> POST /v2/documents/responsabilidade-credito-details"))
        fail_msg("no '> POST ...' request line in the DEBUG log (%zu lines)", l->n);
    const char *auth = log_find(l, "> Authorization:");
    if (!auth) fail_msg("no Authorization line in the DEBUG log");
    if (!strstr(auth, "[REDACTED]")) fail_msg("the Authorization line is not redacted: %s", auth);
    if (!log_find(l, "< HTTP/")) fail_msg("no response status line in the DEBUG log");
}

/* An amount with the exact text of the example (scale kept: "4200.0" stays "4200.0"). */
static void assert_decimal_text_(const pontes_decimal *d, const char *want, const char *file, int line) {
    char got[PONTES_DECIMAL_TEXT_MAX];
    if (pontes_decimal_to_text(d, got, sizeof got) != PONTES_OK || strcmp(got, want) != 0) {
        print_error("%s:%d: decimal text '%s' != '%s'\n", file, line, got, want);
        _fail(file, line);
    }
}
#define assert_decimal_text(d, want) assert_decimal_text_((d), (want), __FILE__, __LINE__)

/* The money totals of the report `bareReport`, as text. Values whose JSON text has trailing
 * zeros (4200.0) are compared as text only against the bundled mock (it writes the spec's
 * example text verbatim); another server may write the same number as 4200. */
static void check_bare_money_text(const bizapis_credit_responsibility_response *r) {
    const bizapis_summary *s = r->summary;
    assert_decimal_text(&s->credit_responsibility_joint->home_loan->in_debt_amount, "98500.12");
    assert_decimal_text(&s->credit_responsibility_joint->total_loan->in_debt_amount, "98500.12");
    assert_decimal_text(&s->credit_responsibility_individual->credit_card->in_debt_amount, "310.55");
    assert_decimal_text(&s->credit_responsibility_individual->total_loan->in_debt_amount, "4510.55");
    assert_decimal_text(&s->credit_responsibility_individual->total_loan->potential_amount, "2189.45");
    assert_decimal_text(&r->home_loan.items[0]->total_debt, "98500.12");
    assert_decimal_text(&r->home_loan.items[0]->installment, "412.3");
    assert_decimal_text(&r->home_loan.items[0]->guarantees.items[0]->value, "150000");
    if (!g_srv.external) {
        assert_decimal_text(&s->credit_responsibility_individual->personal_loan->in_debt_amount, "4200.0");
        assert_decimal_text(&r->personal_loan.items[0]->installment, "120.0");
    }
}

/* The wrapped report of the mock's credentials answer (example `wrappedReport`). */
static void check_wrapped_report(const bizapis_credit_responsibility_response *r) {
    const bizapis_credit_responsibility_report *d = r->data;
    assert_non_null(d);
    assert_non_null(d->summary);
    assert_string_equal(d->summary->nif, "987654321");
    const bizapis_credit_responsibility_group *ind = d->summary->credit_responsibility_individual;
    assert_non_null(ind);
    assert_non_null(ind->car_loan_excluding_financial_leasing);
    assert_decimal_text(&ind->car_loan_excluding_financial_leasing->in_debt_amount, "12850.4");
    assert_decimal_text(&ind->car_loan_excluding_financial_leasing->non_compliant_amount, "350.75");
    assert_non_null(ind->total_loan);
    assert_decimal_text(&ind->total_loan->in_debt_amount, "14050.9");
    assert_decimal_text(&ind->total_loan->non_compliant_amount, "350.75");
    assert_decimal_text(&ind->total_loan->potential_amount, "799.5");
    int64_t cents = 0;
    assert_int_equal(pontes_decimal_to_minor(&ind->total_loan->in_debt_amount, 2, &cents), PONTES_OK);
    assert_true(cents == 1405090);
    assert_int_equal(ind->other_loans.count, 1);
    assert_string_equal(ind->other_loans.keys[0], "creditCard");
    assert_decimal_text(&ind->other_loans.values[0]->in_debt_amount, "1200.5");
    assert_int_equal(d->car_loan.count, 1);
    assert_decimal_text(&d->car_loan.items[0]->total_debt, "12850.4");
    assert_decimal_text(&d->car_loan.items[0]->overdue_amount, "350.75");
    assert_decimal_text(&d->car_loan.items[0]->installment, "245.9");
    assert_decimal_text(&d->car_loan.items[0]->guarantees.items[0]->value, "18000");
    assert_int_equal(d->other_loans.count, 1);
    assert_decimal_text(&d->other_loans.values[0].items[0]->total_debt, "1200.5");
    assert_decimal_text(&d->other_loans.values[0].items[0]->installment, "60.0");
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
    /* secrets and the refused source login: test_secrets_credentials_call,
     * test_error_source_login_failed */
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
    /* from a file path: test_base64_from_path; refusals: test_upload_refused_before_sending */
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
    /* streamed: test_multipart_from_path / _from_callback; a non-PDF and an oversize file are
     * refused by the client before sending (test_upload_refused_before_sending), so the mock's
     * 400 INVALID_FILE_TYPE / 413 FILE_TOO_LARGE cannot be reached through it; an unknown API key:
     * test_error_wrong_api_key. */
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
}


/* ---- streamed uploads of a PDF made here --------------------------------- */

static void test_multipart_from_path(void **state) {
    (void)state;
    char path[512];
    make_file(tmp_path(path, sizeof path, "map.pdf"), BIG_PDF_BYTES, NULL);
    log_lines l = {0};
    bizapis_client *c = client_logged(&l, NULL);
    pontes_file_source *src = NULL;
    assert_int_equal(pontes_file_source_path(&src, path), PONTES_OK);
    bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
    assert_int_equal(pontes_file_set_source(&up.file, src), PONTES_OK);
    assert_true(up.file.len == PONTES_FILE_STREAM);
    assert_ptr_equal(pontes_file_get_source(&up.file), src);
    up.file.filename = "mapa_responsabilidades.pdf";
    up.file.content_type = "application/pdf";
    up.has_file = PONTES_SET;
    input_counts before = inputs_now();
    bizapis_credit_responsibility_response *r = NULL;
    call_ok(c, bizapis_extract_credit_responsibility_multipart(c, &up, &r), OP_MULTIPART);
    check_bare_report(r);
    check_bare_money_text(r);
    assert_input_seen(&l, "multipart", r->request_id, before);
    long bl = last_body_length();
    if (bl >= 0 && (bl < (long)BIG_PDF_BYTES || bl > (long)BIG_PDF_BYTES + 1024))
        fail_msg("the multipart body has %ld bytes for a file of %u", bl, BIG_PDF_BYTES);
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
    pontes_file_source_free(src);
    log_lines_free(&l);
    unlink(path);
}

typedef struct gen_reader {
    uint64_t size;
    uint64_t next;     /* the offset expected next */
    uint64_t served;   /* bytes handed out */
    unsigned calls, restarts, out_of_order;
} gen_reader;

/* A read callback that makes the PDF as it is asked for (nothing in memory but its chunk). */
static int64_t gen_read(void *user, uint64_t offset, void *buf, size_t cap) {
    gen_reader *g = user;
    g->calls++;
    if (offset == 0 && g->next != 0) g->restarts++;
    else if (offset != g->next) g->out_of_order++;
    if (offset >= g->size) return 0;
    size_t n = g->size - offset < cap ? (size_t)(g->size - offset) : cap;
    unsigned char *b = buf;
    for (size_t i = 0; i < n; i++) b[i] = pdf_byte(offset + i, g->size);
    g->next = offset + n;
    g->served += n;
    return (int64_t)n;
}

static void test_multipart_from_callback(void **state) {
    (void)state;
    log_lines l = {0};
    bizapis_client *c = client_logged(&l, NULL);
    gen_reader g = {BIG_PDF_BYTES + 1, 0, 0, 0, 0, 0};
    pontes_file_source *src = NULL;
    assert_int_equal(pontes_file_source_callback(&src, gen_read, &g, g.size), PONTES_OK);
    bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
    assert_int_equal(pontes_file_set_source(&up.file, src), PONTES_OK);
    up.file.filename = "generated.pdf";
    up.file.content_type = "application/pdf";
    up.has_file = PONTES_SET;
    input_counts before = inputs_now();
    bizapis_credit_responsibility_response *r = NULL;
    call_ok(c, bizapis_extract_credit_responsibility_multipart(c, &up, &r), OP_MULTIPART);
    check_bare_report(r);
    assert_input_seen(&l, "multipart", r->request_id, before);
    /* the whole content was read, in order, in chunks (streamed, not at once) */
    assert_int_equal(g.out_of_order, 0);
    assert_int_equal(g.restarts, 0);
    assert_true(g.next == g.size);
    assert_true(g.calls > 2);
    long bl = last_body_length();
    if (bl >= 0 && (bl < (long)g.size || bl > (long)g.size + 1024))
        fail_msg("the multipart body has %ld bytes for a source of %llu", bl, (unsigned long long)g.size);
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
    pontes_file_source_free(src);
    log_lines_free(&l);
}

static void test_base64_from_path(void **state) {
    (void)state;
    char path[512];
    const uint64_t size = BIG_PDF_BYTES + 1; /* size % 3 == 1: Base64 with padding */
    make_file(tmp_path(path, sizeof path, "map64.pdf"), size, NULL);
    log_lines l = {0};
    bizapis_client *c = client_logged(&l, NULL);
    pontes_file_source *src = NULL;
    assert_int_equal(pontes_file_source_path(&src, path), PONTES_OK);
    bizapis_base64_file_request fr = BIZAPIS_BASE64_FILE_REQUEST_INIT;
    assert_int_equal(pontes_bytes_set_source(&fr.file, src), PONTES_OK);
    assert_ptr_equal(pontes_bytes_get_source(&fr.file), src);
    fr.has_file = PONTES_SET;
    bizapis_credit_responsibility_request body = {
        BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_BASE64_FILE_REQUEST, NULL, {.base64_file_request = &fr}};
    input_counts before = inputs_now();
    bizapis_credit_responsibility_response *r = NULL;
    call_ok(c, bizapis_extract_credit_responsibility(c, &body, &r), OP_BASE64);
    check_bare_report(r);
    check_bare_money_text(r);
    assert_input_seen(&l, "base64", r->request_id, before);
    /* {"file":"<Base64>"}: exactly 4 * ceil(size / 3) + 11 bytes (the whole file encoded) */
    long bl = last_body_length();
    long want = (long)((size + 2) / 3 * 4) + 11;
    if (bl >= 0 && bl != want) fail_msg("the JSON body has %ld bytes, expected %ld", bl, want);
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
    pontes_file_source_free(src);
    log_lines_free(&l);
    unlink(path);
}

/* ---- refused before any byte is sent --------------------------------------- */

/* One refused call: PONTES_EINVAL whose message has every piece of want (NULL-terminated),
 * not counted as reached. */
static void expect_refused(bizapis_client *c, int rc, const char *what, const char *const *want) {
    const pontes_error *e = bizapis_client_last_error(c);
    if (rc != PONTES_EINVAL)
        fail_msg("%s: %s (HTTP %ld), expected PONTES_EINVAL before sending", what, pontes_status_name(rc),
                 e->http_status);
    assert_int_equal(e->http_status, 0);
    assert_non_null(e->message);
    for (size_t i = 0; want[i]; i++)
        if (!strstr(e->message, want[i])) fail_msg("%s: the error '%s' does not say '%s'", what, e->message, want[i]);
}

static void test_upload_refused_before_sending(void **state) {
    (void)state;
    char big[512], zip[512];
    tmp_path(big, sizeof big, "big.pdf");
    tmp_path(zip, sizeof zip, "map.zip");
    /* 20971521 bytes (sparse: only its first bytes are written) */
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, PDF_HEAD, sizeof PDF_HEAD - 1), (ssize_t)(sizeof PDF_HEAD - 1));
    assert_int_equal(ftruncate(fd, (off_t)MAX_FILE + 1), 0);
    close(fd);
    make_file(zip, 4096, "PK\003\004");

    long before = op_requests();
    input_counts in_before = inputs_now();
    bizapis_client *c = client();
    pontes_file_source *sbig = NULL, *szip = NULL;
    assert_int_equal(pontes_file_source_path(&sbig, big), PONTES_OK);
    assert_int_equal(pontes_file_source_path(&szip, zip), PONTES_OK);
    const char *too_big[] = {"20971521", "20971520", NULL};
    const char *not_pdf[] = {"%PDF-", NULL};
    bizapis_credit_responsibility_response *r = NULL;

    /* multipart, streamed from the path */
    bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
    up.file.filename = "big.pdf";
    up.file.content_type = "application/pdf";
    up.has_file = PONTES_SET;
    pontes_file_set_source(&up.file, sbig);
    expect_refused(c, bizapis_extract_credit_responsibility_multipart(c, &up, &r), "multipart 20971521 bytes",
                   too_big);
    assert_null(r);
    pontes_file_set_source(&up.file, szip);
    expect_refused(c, bizapis_extract_credit_responsibility_multipart(c, &up, &r), "multipart non-PDF", not_pdf);
    assert_null(r);

    /* Base64 in JSON, encoded from the path */
    bizapis_base64_file_request fr = BIZAPIS_BASE64_FILE_REQUEST_INIT;
    fr.has_file = PONTES_SET;
    bizapis_credit_responsibility_request body = {
        BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_BASE64_FILE_REQUEST, NULL, {.base64_file_request = &fr}};
    pontes_bytes_set_source(&fr.file, sbig);
    expect_refused(c, bizapis_extract_credit_responsibility(c, &body, &r), "base64 20971521 bytes", too_big);
    assert_null(r);
    pontes_bytes_set_source(&fr.file, szip);
    expect_refused(c, bizapis_extract_credit_responsibility(c, &body, &r), "base64 non-PDF", not_pdf);
    assert_null(r);

    /* the same checks on bytes in memory */
    static const char ZIP[] = "PK\003\004 not a pdf";
    fr.file.data = (const uint8_t *)ZIP;
    fr.file.len = sizeof ZIP - 1;
    expect_refused(c, bizapis_extract_credit_responsibility(c, &body, &r), "base64 non-PDF in memory", not_pdf);
    up.file.data = (const uint8_t *)ZIP;
    up.file.len = sizeof ZIP - 1;
    expect_refused(c, bizapis_extract_credit_responsibility_multipart(c, &up, &r), "multipart non-PDF in memory",
                   not_pdf);

    /* nothing reached the server */
    long after = op_requests();
    if (before >= 0) assert_int_equal(after, before);
    else e2e_needs_state(&g_srv, "request count unchanged after refused uploads (/__admin/requests)");
    if (g_module) {
        input_counts now = inputs_now();
        assert_int_equal(now.base64, in_before.base64);
        assert_int_equal(now.multipart, in_before.multipart);
    }
    bizapis_client_free(c);
    pontes_file_source_free(sbig);
    pontes_file_source_free(szip);
    unlink(big);
    unlink(zip);
}

/* ---- server-side rejections and secrets ------------------------------------ */

#define SECRET_USER "pontes-e2e-user-7f3a91"
#define SECRET_PASSWORD "pontes-e2e-pass-Q8z!\"x\\y"

/* The §4 error body as the client decoded it. */
static void assert_biz_error(const pontes_error *e, long http, const char *code, const char *name) {
    assert_int_equal(e->status, PONTES_EHTTP);
    assert_int_equal(e->http_status, http);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, code);
    assert_non_null(e->provider_message);
    assert_string_equal(e->provider_message, name);
    assert_non_null(e->request_id);
    assert_int_equal(strlen(e->request_id), 36); /* a fresh UUID */
    const char *date = pontes_error_provider_date(e);
    assert_non_null(date);
    /* "2026-12-02T01:23:45.678Z" */
    if (strlen(date) != 24 || date[4] != '-' || date[10] != 'T' || date[19] != '.' || date[23] != 'Z')
        fail_msg("provider date '%s' is not the mock's timestamp", date);
    assert_non_null(e->operation_id);
    assert_string_equal(e->operation_id, "extractCreditResponsibility");
    assert_non_null(e->body);
    assert_non_null(strstr(e->body, code));
}

/* A full credentials call with a DEBUG log: neither the end user's user/password nor the API
 * key appear in any log line or in the error object. */
static void test_secrets_credentials_call(void **state) {
    (void)state;
    log_lines l = {0};
    bizapis_client *c = client_logged(&l, NULL);
    bizapis_credentials_request cr = BIZAPIS_CREDENTIALS_REQUEST_INIT;
    PONTES_PUT(cr, month, "03");
    PONTES_PUT(cr, year, "2024");
    PONTES_PUT(cr, user, SECRET_USER);
    PONTES_PUT(cr, password, SECRET_PASSWORD);
    bizapis_credit_responsibility_request body = {
        BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST, NULL, {.credentials_request = &cr}};
    input_counts before = inputs_now();
    bizapis_credit_responsibility_response *r = NULL;
    call_ok(c, bizapis_extract_credit_responsibility(c, &body, &r), OP_CREDENTIALS);
    assert_non_null(r);
    if (r->has_data == PONTES_SET) {
        check_wrapped_report(r);
        assert_input_seen(&l, "credentials", r->data->request_id, before);
    } else {
        if (g_module) fail_msg("the mock answered credentials with the bare form");
        check_bare_report(r);
        check_bare_money_text(r);
        assert_input_seen(&l, "credentials", r->request_id, before);
    }
    assert_debug_log_of_call(&l);
    assert_log_lacks(&l, SECRET_USER, "the end user's user");
    assert_log_lacks(&l, SECRET_PASSWORD, "the end user's password");
    assert_log_lacks(&l, "pontes-e2e-pass-Q8z", "the start of the password");
    if (!g_use_oauth) assert_log_lacks(&l, g_api_key, "the API key");
    const pontes_error *e = bizapis_client_last_error(c);
    assert_int_equal(e->status, PONTES_OK);
    assert_error_lacks(e, SECRET_USER, "the end user's user");
    assert_error_lacks(e, SECRET_PASSWORD, "the end user's password");
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
    log_lines_free(&l);
}

/* The mock's trigger: password "wrong-password" -> 400 BIZ-4004 SOURCE_LOGIN_FAILED. */
static void test_error_source_login_failed(void **state) {
    (void)state;
    log_lines l = {0};
    bizapis_client *c = client_logged(&l, NULL);
    bizapis_credentials_request cr = BIZAPIS_CREDENTIALS_REQUEST_INIT;
    PONTES_PUT(cr, month, "3");
    PONTES_PUT(cr, year, "2024");
    PONTES_PUT(cr, user, SECRET_USER);
    PONTES_PUT(cr, password, "wrong-password");
    bizapis_credit_responsibility_request body = {
        BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST, NULL, {.credentials_request = &cr}};
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.max_retries = 0;
    bizapis_credit_responsibility_response *r = NULL;
    int rc = bizapis_extract_credit_responsibility_ex(c, &body, &r, &o);
    const pontes_error *e = bizapis_client_last_error(c);
    e2e_op_mark(OP_CREDENTIALS, rc, rc == PONTES_OK || (rc == PONTES_EHTTP && e->http_status > 0));
    assert_debug_log_of_call(&l);
    assert_log_lacks(&l, SECRET_USER, "the end user's user");
    assert_log_lacks(&l, "wrong-password", "the end user's password");
    if (!g_use_oauth) assert_log_lacks(&l, g_api_key, "the API key");
    assert_error_lacks(e, SECRET_USER, "the end user's user");
    assert_error_lacks(e, "wrong-password", "the end user's password");
    if (g_module || (g_srv.external && g_srv.stateful)) {
        if (rc != PONTES_EHTTP) fail_msg("wrong-password: %s, expected PONTES_EHTTP 400", pontes_status_name(rc));
        assert_null(r);
        assert_biz_error(e, 400, "BIZ-4004", "SOURCE_LOGIN_FAILED");
        /* the message names the code; the error says which operation */
        assert_non_null(strstr(e->message, "400"));
    } else if (!e2e_needs_state(&g_srv, "wrong-password -> 400 SOURCE_LOGIN_FAILED")) {
        print_message("skipped: the server has no bizAPIs state module (no SOURCE_LOGIN_FAILED trigger)\n");
    }
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
    log_lines_free(&l);
}

/* A wrong API key -> 401 BIZ-4011 INVALID_API_KEY; the key is in no log line or error string. */
static void test_error_wrong_api_key(void **state) {
    (void)state;
    static const char WRONG_KEY[] = "pontes-e2e-wrong-key-5c1d0e";
    log_lines l = {0};
    bizapis_client *c = client_logged(&l, WRONG_KEY);
    bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
    up.file.data = (const uint8_t *)PDF;
    up.file.len = sizeof PDF - 1;
    up.file.filename = "map.pdf";
    up.file.content_type = "application/pdf";
    up.has_file = PONTES_SET;
    bizapis_credit_responsibility_response *r = NULL;
    int rc = bizapis_extract_credit_responsibility_multipart(c, &up, &r);
    const pontes_error *e = bizapis_client_last_error(c);
    e2e_op_mark(OP_MULTIPART, rc, rc == PONTES_OK || (rc == PONTES_EHTTP && e->http_status > 0));
    assert_debug_log_of_call(&l);
    assert_log_lacks(&l, WRONG_KEY, "the API key");
    assert_error_lacks(e, WRONG_KEY, "the API key");
    if (g_module || (g_srv.external && g_srv.stateful)) {
        if (rc != PONTES_EHTTP) fail_msg("wrong API key: %s, expected PONTES_EHTTP 401", pontes_status_name(rc));
        assert_null(r);
        assert_biz_error(e, 401, "BIZ-4011", "INVALID_API_KEY");
        assert_int_equal(e->attempts, 1); /* a static key: no re-authentication, no retry */
    } else if (!e2e_needs_state(&g_srv, "wrong API key -> 401 INVALID_API_KEY")) {
        print_message("skipped: the server has no bizAPIs state module\n");
    }
    bizapis_credit_responsibility_response_free(r);
    bizapis_client_free(c);
    log_lines_free(&l);
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
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/pontes-e2e-bizapis.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_tmpdir)) {
        perror("e2e bizapis: mkdtemp");
        return -1;
    }
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
    if (g_tmpdir[0]) rmdir(g_tmpdir); /* the tests remove their files */
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
        cmocka_unit_test(test_multipart_from_path),
        cmocka_unit_test(test_multipart_from_callback),
        cmocka_unit_test(test_base64_from_path),
        cmocka_unit_test(test_upload_refused_before_sending),
        cmocka_unit_test(test_secrets_credentials_call),
        cmocka_unit_test(test_error_source_login_failed),
        cmocka_unit_test(test_error_wrong_api_key),
        cmocka_unit_test(test_every_operation_reached),
    };
    return cmocka_run_group_tests_name("e2e_bizapis", tests, group_setup, group_teardown);
}
