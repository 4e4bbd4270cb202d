/* Bodies: envelope errors (x-pontes-envelope -> PONTES_EPROVIDER), the provider error date
 * (x-pontes-errors date -> pontes_error_provider_date) and secret request-body members
 * (PONTES_F_SECRET: redacted from every log line and every string of the error object),
 * over real HTTP against the in-process test server, with the generated bestbank and bizapis
 * libraries. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pontes/bestbank.h>
#include <pontes/bizapis.h>
#include <pontes/pontes.h>

#include "client_priv.h"
#include "test_server.h"

/* ---- log collection -------------------------------------------------------- */
typedef struct logbuf {
    char **lines;
    size_t n, cap;
} logbuf;

static void log_collect(void *user, pontes_log_level lvl, const char *msg) {
    (void)lvl;
    logbuf *l = user;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->lines = realloc(l->lines, l->cap * sizeof *l->lines);
        assert_non_null(l->lines);
    }
    l->lines[l->n++] = strdup(msg);
}

static void log_clear(logbuf *l) {
    for (size_t i = 0; i < l->n; i++) free(l->lines[i]);
    free(l->lines);
    memset(l, 0, sizeof *l);
}

static size_t log_count_containing(const logbuf *l, const char *needle) {
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->lines[i], needle)) k++;
    return k;
}

static pontes_client_options opts_for(const ts_server *s, logbuf *lb) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(s);
    o.timeout_ms = 5000;
    o.max_retries = 0;
    o.log = log_collect;
    o.log_user = lb;
    o.log_level = PONTES_LOG_DEBUG;
    return o;
}

/* ---- the error object holds no secret ------------------------------------------- */
static void assert_str_free_of(const char *what, const char *s, size_t len, const char *secret) {
    if (!s) return;
    size_t sl = strlen(secret);
    for (size_t i = 0; i + sl <= len; i++)
        if (memcmp(s + i, secret, sl) == 0) fail_msg("%s holds the secret %s: %.*s", what, secret, (int)len, s);
}

static void assert_error_free_of(const pontes_error *e, const char *secret) {
    assert_str_free_of("message", e->message, e->message ? strlen(e->message) : 0, secret);
    assert_str_free_of("provider_code", e->provider_code, e->provider_code ? strlen(e->provider_code) : 0, secret);
    assert_str_free_of("provider_message", e->provider_message,
                       e->provider_message ? strlen(e->provider_message) : 0, secret);
    assert_str_free_of("request_id", e->request_id, e->request_id ? strlen(e->request_id) : 0, secret);
    assert_str_free_of("curl_message", e->curl_message, e->curl_message ? strlen(e->curl_message) : 0, secret);
    assert_str_free_of("json_path", e->json_path, e->json_path ? strlen(e->json_path) : 0, secret);
    assert_str_free_of("expected", e->expected, e->expected ? strlen(e->expected) : 0, secret);
    assert_str_free_of("body", e->body, e->body_len, secret);
    const char *d = pontes_error_provider_date(e);
    assert_str_free_of("date", d, d ? strlen(d) : 0, secret);
    for (size_t i = 0; i < e->field_error_count; i++) {
        const char *k = e->field_errors[i].key, *m = e->field_errors[i].message;
        assert_str_free_of("field key", k, k ? strlen(k) : 0, secret);
        assert_str_free_of("field message", m, m ? strlen(m) : 0, secret);
    }
}

static void assert_logs_free_of(const logbuf *l, const char *secret) {
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->lines[i], secret)) fail_msg("log line %zu holds the secret %s: %s", i, secret, l->lines[i]);
}

/* ---- secret body members: a full bizapis credentials call ---------------------------- */
#define USER "maria.silva@example.pt"
#define PASSWORD "S3nh4-Secreta-2024"

static void credentials_call(const char *user, const char *password, const char *canned_headers,
                             const char *canned_body, logbuf *lb, ts_server *srv, bizapis_client *c) {
    bizapis_credentials_request cr = BIZAPIS_CREDENTIALS_REQUEST_INIT;
    PONTES_PUT(cr, month, "03");
    PONTES_PUT(cr, year, "2024");
    PONTES_PUT(cr, user, user);
    PONTES_PUT(cr, password, password);
    bizapis_credit_responsibility_request body = {0};
    body.kind = BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST;
    body.u.credentials_request = &cr;
    ts_push(srv, TS_ROUTE_API, 401, canned_headers, canned_body);
    bizapis_credit_responsibility_response *out = NULL;
    int rc = bizapis_extract_credit_responsibility(c, &body, &out);
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(out);
    (void)lb;
}

static void test_secret_body_members_redacted(void **state) {
    (void)state;
    ts_server *srv = ts_start();
    assert_non_null(srv);
    logbuf lb = {0};
    pontes_client_options o = opts_for(srv, &lb);
    bizapis_client *c = NULL;
    assert_int_equal(bizapis_client_new(&c, &o), PONTES_OK);
    assert_int_equal(pontes_client_set_bearer(c, "bizapisKey", "api-key-0123456789"), PONTES_OK);

    /* the server echoes the request body into a header and into its error body, raw and
       inside the error's message string */
    credentials_call(USER, PASSWORD, "X-Echo: " TS_ECHO_BODY "\r\nX-Request-Id: rq-" TS_ECHO_BODY_STR "\r\n",
                     "{\"requestId\":\"req-1 " TS_ECHO_BODY_STR "\",\"errorCode\":\"BIZ-401\","
                     "\"errorName\":\"LOGIN_FAILED for " TS_ECHO_BODY_STR "\",\"timestamp\":\"" PASSWORD "\","
                     "\"echo\":" TS_ECHO_BODY "}",
                     &lb, srv, c);
    /* the body did reach the server (so the assertions below could fail) */
    assert_int_equal(ts_request_count(srv), 1);
    const ts_request *rq = ts_get(srv, 0);
    assert_non_null(strstr(rq->body, "\"user\":\"" USER "\""));
    assert_non_null(strstr(rq->body, "\"password\":\"" PASSWORD "\""));

    const pontes_error *e = bizapis_client_last_error(c);
    assert_int_equal(e->status, PONTES_EHTTP);
    assert_int_equal(e->http_status, 401);
    assert_string_equal(e->provider_code, "BIZ-401");
    assert_non_null(e->provider_message);
    assert_non_null(strstr(e->provider_message, "LOGIN_FAILED for "));
    assert_non_null(strstr(e->provider_message, "[REDACTED]"));
    assert_non_null(e->body);
    assert_non_null(strstr(e->body, "\"echo\":{\"month\":\"03\",\"year\":\"2024\",\"user\":\"[REDACTED]\""));
    assert_string_equal(pontes_error_provider_date(e), "[REDACTED]"); /* timestamp echoed the password */
    assert_error_free_of(e, USER);
    assert_error_free_of(e, PASSWORD);

    /* every log line (request, response headers at DEBUG incl. the echo header) */
    assert_true(lb.n > 3);
    assert_true(log_count_containing(&lb, "X-Echo: ") == 1);
    assert_true(log_count_containing(&lb, "[REDACTED]") >= 2);
    assert_logs_free_of(&lb, USER);
    assert_logs_free_of(&lb, PASSWORD);
    assert_logs_free_of(&lb, "api-key-0123456789");
    /* the call's secrets are gone (wiped) once it ended */
    assert_int_equal(pontes_cl_call_secrets_count(c), 0);
    log_clear(&lb);

    /* a password with JSON-special characters: the raw echo carries its escaped form */
    const char *pw2 = "p\"ss\\w0rd/\xc3\xa7-long";
    const char *pw2_json = "p\\\"ss\\\\w0rd/\xc3\xa7-long";
    credentials_call(USER, pw2, "X-Echo: " TS_ECHO_BODY "\r\n",
                     "{\"requestId\":\"req-2\",\"errorCode\":\"BIZ-401\",\"errorName\":\"LOGIN_FAILED\","
                     "\"echo\":" TS_ECHO_BODY "}",
                     &lb, srv, c);
    rq = ts_get(srv, 1);
    assert_non_null(strstr(rq->body, pw2_json));
    e = bizapis_client_last_error(c);
    assert_int_equal(e->status, PONTES_EHTTP);
    assert_error_free_of(e, pw2);
    assert_error_free_of(e, pw2_json);
    assert_error_free_of(e, USER);
    assert_logs_free_of(&lb, pw2);
    assert_logs_free_of(&lb, pw2_json);
    assert_logs_free_of(&lb, USER);
    assert_true(log_count_containing(&lb, "X-Echo: ") == 1);
    log_clear(&lb);

    /* the same in a batch: two calls in flight, each error free of both calls' secrets */
    pontes_batch *b = NULL;
    assert_int_equal(pontes_batch_new(&b, c, NULL), PONTES_OK);
    bizapis_credentials_request cr1 = BIZAPIS_CREDENTIALS_REQUEST_INIT, cr2 = BIZAPIS_CREDENTIALS_REQUEST_INIT;
    PONTES_PUT(cr1, month, "01");
    PONTES_PUT(cr1, year, "2024");
    PONTES_PUT(cr1, user, "first.user@example.pt");
    PONTES_PUT(cr1, password, "first-password-1");
    PONTES_PUT(cr2, month, "02");
    PONTES_PUT(cr2, year, "2024");
    PONTES_PUT(cr2, user, "second.user@example.pt");
    PONTES_PUT(cr2, password, "second-password-2");
    bizapis_credit_responsibility_request b1 = {0}, b2 = {0};
    b1.kind = b2.kind = BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST;
    b1.u.credentials_request = &cr1;
    b2.u.credentials_request = &cr2;
    ts_push_n(srv, TS_ROUTE_API, 400, "X-Echo: " TS_ECHO_BODY "\r\n",
              "{\"errorCode\":\"BIZ-400\",\"errorName\":\"" TS_ECHO_BODY_STR "\",\"echo\":" TS_ECHO_BODY "}", 0, 2);
    pontes_call_options co = PONTES_CALL_OPTIONS_INIT;
    co.batch = b;
    bizapis_credit_responsibility_response *o1 = NULL, *o2 = NULL;
    assert_int_equal(bizapis_extract_credit_responsibility_ex(c, &b1, &o1, &co), PONTES_OK);
    assert_int_equal(bizapis_extract_credit_responsibility_ex(c, &b2, &o2, &co), PONTES_OK);
    memset(&cr1, 0, sizeof cr1); /* the caller's values may go away once queued */
    memset(&cr2, 0, sizeof cr2);
    assert_int_equal(pontes_batch_run(b), PONTES_EHTTP);
    assert_int_equal(ts_request_count(srv), 4);
    assert_non_null(strstr(ts_get(srv, 2)->body, "-password-"));
    const char *secrets[] = {"first.user@example.pt", "first-password-1", "second.user@example.pt",
                             "second-password-2"};
    for (size_t i = 0; i < 2; i++) {
        const pontes_error *be = pontes_batch_error(b, i);
        assert_int_equal(be->status, PONTES_EHTTP);
        for (size_t k = 0; k < 4; k++) assert_error_free_of(be, secrets[k]);
    }
    for (size_t k = 0; k < 4; k++) assert_logs_free_of(&lb, secrets[k]);
    assert_true(log_count_containing(&lb, "X-Echo: ") == 2);
    pontes_batch_free(b);
    assert_int_equal(pontes_cl_call_secrets_count(c), 0);
    log_clear(&lb);

    bizapis_client_free(c);
    ts_stop(srv);
}

/* An encode error of a body with a secret member never shows the value either. */
static void test_secret_not_in_encode_error(void **state) {
    (void)state;
    ts_server *srv = ts_start();
    logbuf lb = {0};
    pontes_client_options o = opts_for(srv, &lb);
    bizapis_client *c = NULL;
    assert_int_equal(bizapis_client_new(&c, &o), PONTES_OK);
    assert_int_equal(pontes_client_set_bearer(c, "bizapisKey", "api-key-0123456789"), PONTES_OK);
    bizapis_credentials_request cr = BIZAPIS_CREDENTIALS_REQUEST_INIT;
    PONTES_PUT(cr, month, "03");
    PONTES_PUT(cr, year, "2024");
    PONTES_PUT(cr, user, USER);
    PONTES_PUT(cr, password, "bad-utf8-\xff-" PASSWORD); /* invalid UTF-8: EENCODE */
    bizapis_credit_responsibility_request body = {0};
    body.kind = BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST;
    body.u.credentials_request = &cr;
    bizapis_credit_responsibility_response *out = NULL;
    assert_int_equal(bizapis_extract_credit_responsibility(c, &body, &out), PONTES_EENCODE);
    assert_int_equal(ts_request_count(srv), 0);
    const pontes_error *e = bizapis_client_last_error(c);
    assert_error_free_of(e, PASSWORD);
    assert_error_free_of(e, USER);
    assert_logs_free_of(&lb, PASSWORD);
    assert_int_equal(pontes_cl_call_secrets_count(c), 0);
    log_clear(&lb);
    bizapis_client_free(c);
    ts_stop(srv);
}

/* The generated descriptors carry the flag. */
static void test_secret_flag_generated(void **state) {
    (void)state;
    const pontes_message *m = bizapis_credentials_request__type.msg;
    assert_non_null(m);
    size_t secret = 0;
    for (size_t i = 0; i < m->field_count; i++) {
        bool want = strcmp(m->fields[i].name, "user") == 0 || strcmp(m->fields[i].name, "password") == 0;
        assert_int_equal((m->fields[i].flags & PONTES_F_SECRET) != 0, want);
        secret += want;
    }
    assert_int_equal(secret, 2);
}

/* ---- envelopes ------------------------------------------------------------------ */
static const pontes_envelope_desc test_env = {"returnCode", "returnMsg", "0"};
static const pontes_response_desc env_responses[] = {
    {.status = 200, .type = &bestbank_check_operation_response__type, .envelope = &test_env},
    {.status = 400, .type = &bestbank_error_body__type},
    {.status = 401, .type = &bestbank_error_body__type},
};
static const pontes_operation op_check = {.operation_id = "checkOperationById",
                                          .method = "GET",
                                          .path = "/api/v2/Operation/CheckOperationByID/{ID}",
                                          .flags = PONTES_OP_IDEMPOTENT,
                                          .responses = env_responses,
                                          .response_count = 3};

typedef struct efx {
    ts_server *srv;
    logbuf lb;
    bestbank_client *c;
} efx;

static int env_setup(void **state) {
    efx *f = calloc(1, sizeof *f);
    f->srv = ts_start();
    assert_non_null(f->srv);
    pontes_client_options o = opts_for(f->srv, &f->lb);
    assert_int_equal(bestbank_client_new(&f->c, &o), PONTES_OK);
    *state = f;
    return 0;
}

static int env_teardown(void **state) {
    efx *f = *state;
    bestbank_client_free(f->c);
    ts_stop(f->srv);
    log_clear(&f->lb);
    free(f);
    return 0;
}

static int check(efx *f, int status, const char *headers, const char *body, bestbank_check_operation_response **out) {
    ts_push(f->srv, TS_ROUTE_API, status, headers, body);
    pontes_request *r = NULL;
    int rc = pontes_request_new(&r, f->c, &op_check);
    if (rc != PONTES_OK) return rc;
    pontes_request_param(r, PONTES_IN_PATH, "ID", "1-BQOCJB");
    long http = 0;
    return pontes_request_send(r, (void **)out, &http);
}

#define OK_DATA "{\"oper_id\":\"1-BQOCJB\",\"error_code\":null,\"error_desc\":null}"

static void test_envelope_success(void **state) {
    efx *f = *state;
    bestbank_check_operation_response *out = NULL;
    assert_int_equal(check(f, 200, NULL, "{\"outputData\":" OK_DATA ",\"returnCode\":\"0\",\"returnMsg\":\"Sucesso\"}",
                           &out),
                     PONTES_OK);
    assert_non_null(out);
    assert_string_equal(out->return_code, "0");
    assert_int_equal(bestbank_client_last_error(f->c)->status, PONTES_OK);
    bestbank_check_operation_response_free(out);
}

static void test_envelope_failure_string(void **state) {
    efx *f = *state;
    bestbank_check_operation_response *out = NULL;
    assert_int_equal(check(f, 200, "X-Request-Id: rq-55\r\n",
                           "{\"outputData\":null,\"returnCode\":\"5\",\"returnMsg\":\"Opera\xc3\xa7\xc3\xa3o inv\xc3\xa1lida\"}",
                           &out),
                     PONTES_EPROVIDER);
    assert_null(out);
    const pontes_error *e = bestbank_client_last_error(f->c);
    assert_int_equal(e->status, PONTES_EPROVIDER);
    assert_int_equal(e->http_status, 200);
    assert_string_equal(e->provider_code, "5");
    assert_string_equal(e->provider_message, "Opera\xc3\xa7\xc3\xa3o inv\xc3\xa1lida");
    assert_string_equal(e->request_id, "rq-55");
    assert_string_equal(e->operation_id, "checkOperationById");
    assert_non_null(e->body);
    assert_non_null(strstr(e->body, "\"returnCode\":\"5\""));
    assert_null(strchr(e->message, '\n'));
    assert_non_null(strstr(e->message, "checkOperationById"));
    assert_non_null(strstr(e->message, "returnCode \"5\""));
    assert_string_equal(pontes_status_name(PONTES_EPROVIDER), "PONTES_EPROVIDER");
}

static void test_envelope_failure_number(void **state) {
    efx *f = *state;
    bestbank_check_operation_response *out = NULL;
    /* a number code is compared as its text; the body would not even decode (returnCode is a
       string in the spec): the envelope is checked first */
    assert_int_equal(check(f, 200, NULL, "{\"outputData\":null,\"returnCode\":5,\"returnMsg\":\"Erro\"}", &out),
                     PONTES_EPROVIDER);
    const pontes_error *e = bestbank_client_last_error(f->c);
    assert_string_equal(e->provider_code, "5");
    assert_string_equal(e->provider_message, "Erro");
    assert_int_equal(e->http_status, 200);
}

static void test_envelope_missing_code(void **state) {
    efx *f = *state;
    bestbank_check_operation_response *out = NULL;
    const char *body = "{\"outputData\":" OK_DATA ",\"returnMsg\":\"Sucesso\"}";
    /* tolerant: success, the missing member recorded as a deviation */
    assert_int_equal(check(f, 200, NULL, body, &out), PONTES_OK);
    assert_non_null(out);
    bestbank_check_operation_response_free(out);
    const pontes_deviations *d = pontes_client_last_deviations(f->c);
    assert_true(d->count >= 1);
    bool found = false;
    for (size_t i = 0; i < d->kept; i++)
        if (strcmp(d->first[i].path, "$.returnCode") == 0) found = true;
    assert_true(found);
    assert_true(log_count_containing(&f->lb, "returnCode is missing") == 1);
    /* null code: the same */
    out = NULL;
    assert_int_equal(check(f, 200, NULL, "{\"outputData\":" OK_DATA ",\"returnCode\":null,\"returnMsg\":\"x\"}", &out),
                     PONTES_OK);
    bestbank_check_operation_response_free(out);

    /* strict: an error naming the member */
    bestbank_client_free(f->c);
    pontes_client_options o = opts_for(f->srv, &f->lb);
    o.strict_response_validation = true;
    assert_int_equal(bestbank_client_new(&f->c, &o), PONTES_OK);
    out = NULL;
    assert_int_equal(check(f, 200, NULL, body, &out), PONTES_EDECODE);
    assert_null(out);
    const pontes_error *e = bestbank_client_last_error(f->c);
    assert_string_equal(e->json_path, "$.returnCode");
    assert_int_equal(e->http_status, 200);
    assert_non_null(strstr(e->message, "returnCode"));
    /* strict and a success code: fine */
    assert_int_equal(check(f, 200, NULL, "{\"outputData\":" OK_DATA ",\"returnCode\":\"0\",\"returnMsg\":\"Sucesso\"}",
                           &out),
                     PONTES_OK);
    bestbank_check_operation_response_free(out);
    /* strict and a failure code: EPROVIDER, not EDECODE */
    out = NULL;
    assert_int_equal(check(f, 200, NULL, "{\"outputData\":null,\"returnCode\":\"9\",\"returnMsg\":\"no\"}", &out),
                     PONTES_EPROVIDER);
}

static void test_envelope_not_an_object(void **state) {
    efx *f = *state;
    bestbank_check_operation_response *out = NULL;
    /* not JSON / not an object: the decoder reports it, as without an envelope */
    assert_int_equal(check(f, 200, NULL, "not json", &out), PONTES_EDECODE);
    assert_int_equal(check(f, 200, NULL, "[1,2]", &out), PONTES_EDECODE);
    assert_int_equal(check(f, 200, NULL, "", &out), PONTES_EDECODE);
}

/* The generated operations carry the spec's envelope. */
static void test_envelope_generated(void **state) {
    (void)state;
    const pontes_operation *ops[] = {&bestbank_op_check_operation_by_id, &bestbank_op_tops_ups_get_payment_info};
    for (size_t k = 0; k < 2; k++) {
        const pontes_response_desc *rd = NULL;
        for (size_t i = 0; i < ops[k]->response_count; i++)
            if (ops[k]->responses[i].status == 200) rd = &ops[k]->responses[i];
        assert_non_null(rd);
        assert_non_null(rd->envelope);
        assert_string_equal(rd->envelope->code, "returnCode");
        assert_string_equal(rd->envelope->message, "returnMsg");
        assert_string_equal(rd->envelope->success, "0");
        for (size_t i = 0; i < ops[k]->response_count; i++)
            if (ops[k]->responses[i].status != 200) assert_null(ops[k]->responses[i].envelope);
    }
    assert_null(bestbank_op_balance.responses[0].envelope);
}

/* ---- the provider error date ---------------------------------------------------- */
static void test_error_date(void **state) {
    efx *f = *state;
    bestbank_check_operation_response *out = NULL;
    assert_int_equal(check(f, 401, NULL,
                           "{\"Message\":\"Certificate error\",\"ErrorDate\":\"2021-01-26T11:43:44.9602376Z\","
                           "\"ErrorID\":\"918723fe03c046a5b259fe3a932919f2\"}",
                           &out),
                     PONTES_EHTTP);
    const pontes_error *e = bestbank_client_last_error(f->c);
    assert_int_equal(e->http_status, 401);
    assert_string_equal(e->provider_code, "Certificate error");
    assert_string_equal(e->provider_message, "Certificate error");
    assert_string_equal(e->request_id, "918723fe03c046a5b259fe3a932919f2");
    assert_string_equal(pontes_error_provider_date(e), "2021-01-26T11:43:44.9602376Z");
    /* a body without the date: NULL; the next call resets it */
    assert_int_equal(check(f, 400, NULL, "{\"Message\":\"EGEN003\",\"ErrorID\":\"37be13b57e6948ad9c0c610ba483fea2\"}", &out),
                     PONTES_EHTTP);
    e = bestbank_client_last_error(f->c);
    assert_string_equal(e->provider_code, "EGEN003");
    assert_null(pontes_error_provider_date(e));
    /* a number date is given as its JSON text */
    assert_int_equal(check(f, 400, NULL, "{\"Message\":\"x\",\"ErrorDate\":1611661418}", &out), PONTES_EHTTP);
    assert_string_equal(pontes_error_provider_date(bestbank_client_last_error(f->c)), "1611661418");
    /* success: no error, no date */
    assert_int_equal(check(f, 200, NULL, "{\"outputData\":null,\"returnCode\":\"0\",\"returnMsg\":\"Sucesso\"}", &out),
                     PONTES_OK);
    bestbank_check_operation_response_free(out);
    assert_null(pontes_error_provider_date(bestbank_client_last_error(f->c)));
    assert_null(pontes_error_provider_date(NULL));
}

/* A caller-owned error: the date lives in the error's private storage, freed by
 * pontes_error_clear; redaction drops a secret from it too. */
static void test_error_date_caller_owned(void **state) {
    efx *f = *state;
    assert_int_equal(pontes_client_set_bearer(f->c, "bestbankOAuth", "bearer-token-abcdef"), PONTES_OK);
    bestbank_check_operation_response *out = NULL;
    assert_int_equal(check(f, 400, NULL, "{\"Message\":\"x\",\"ErrorDate\":\"at bearer-token-abcdef\"}", &out),
                     PONTES_EHTTP);
    const pontes_error *e = bestbank_client_last_error(f->c);
    assert_string_equal(pontes_error_provider_date(e), "at [REDACTED]");
    pontes_error mine = PONTES_ERROR_INIT;
    pontes_err_move(&mine, (pontes_error *)(uintptr_t)e);
    assert_string_equal(pontes_error_provider_date(&mine), "at [REDACTED]");
    assert_null(pontes_error_provider_date(e));
    pontes_error_clear(&mine);
    assert_null(pontes_error_provider_date(&mine));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_body_members_redacted),
        cmocka_unit_test(test_secret_not_in_encode_error),
        cmocka_unit_test(test_secret_flag_generated),
        cmocka_unit_test_setup_teardown(test_envelope_success, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_envelope_failure_string, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_envelope_failure_number, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_envelope_missing_code, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_envelope_not_an_object, env_setup, env_teardown),
        cmocka_unit_test(test_envelope_generated),
        cmocka_unit_test_setup_teardown(test_error_date, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_error_date_caller_owned, env_setup, env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
