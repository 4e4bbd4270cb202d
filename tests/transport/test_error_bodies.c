/* Large error bodies: what the client holds for an error response. The provider's fields are
 * read from bodies up to 1 MiB (provider error documents are small); a larger body is kept raw
 * in err->body, whole and exact, but not parsed (its cJSON tree would cost several times the
 * body). Every allocation the runtime makes during the call is recorded (ld --wrap on the
 * statically linked runtime) so that a second copy of a large body would fail the test. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pontes/bizapis.h>
#include <pontes/pontes.h>

#include "test_server.h"

/* ---- allocation recording (runtime calls only: --wrap applies to the static runtime) ---- */
#ifdef PONTES_TEST_WRAP_MALLOC
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t n, size_t s);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t n, size_t s);
static int g_rec;
static size_t g_big; /* allocations of at least g_big_min bytes */
static size_t g_big_min = SIZE_MAX;
static void note(size_t n) {
    if (g_rec && n >= g_big_min) g_big++;
}
void *__wrap_malloc(size_t n) {
    note(n);
    return __real_malloc(n);
}
void *__wrap_realloc(void *p, size_t n) {
    note(n);
    return __real_realloc(p, n);
}
void *__wrap_calloc(size_t n, size_t s) {
    if (s && n <= SIZE_MAX / s) note(n * s);
    return __real_calloc(n, s);
}
#define HAVE_WRAP 1
#else
#define HAVE_WRAP 0
static int g_rec;
static size_t g_big, g_big_min;
#endif

static char *error_doc(size_t total, size_t *len) {
    static const char head[] = "{\"errorCode\":\"BIZ-500\",\"errorName\":\"SERVICE_DOWN\",\"pad\":\"";
    static const char tail[] = "\"}";
    size_t h = sizeof head - 1, t = sizeof tail - 1;
    assert_true(total > h + t);
    char *b = malloc(total + 1);
    assert_non_null(b);
    memcpy(b, head, h);
    for (size_t i = h; i < total - t; i++) b[i] = (char)('a' + i % 26);
    memcpy(b + total - t, tail, t);
    b[total] = '\0';
    *len = total;
    return b;
}

/* One call answered HTTP 500 with body[0..len); returns the client (caller frees). */
static bizapis_client *failing_call(ts_server *srv, const char *body, size_t len) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(srv);
    o.timeout_ms = 10000;
    o.max_retries = 0;
    bizapis_client *c = NULL;
    assert_int_equal(bizapis_client_new(&c, &o), PONTES_OK);
    assert_int_equal(pontes_client_set_bearer(c, "bizapisKey", "api-key-0123456789"), PONTES_OK);
    bizapis_credentials_request cr = BIZAPIS_CREDENTIALS_REQUEST_INIT;
    PONTES_PUT(cr, month, "03");
    PONTES_PUT(cr, year, "2024");
    PONTES_PUT(cr, user, "someone");
    PONTES_PUT(cr, password, "a-password");
    bizapis_credit_responsibility_request rq = {0};
    rq.kind = BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST;
    rq.u.credentials_request = &cr;
    ts_push_ex(srv, TS_ROUTE_API, 500, "Content-Type: application/json\r\n", body, len, 0, false);
    bizapis_credit_responsibility_response *out = NULL;
    g_big = 0;
    g_big_min = len;
    g_rec = 1;
    int rc = bizapis_extract_credit_responsibility(c, &rq, &out);
    g_rec = 0;
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(out);
    return c;
}

static void check(size_t total, bool parsed) {
    ts_server *srv = ts_start();
    assert_non_null(srv);
    size_t len;
    char *body = error_doc(total, &len);
    bizapis_client *c = failing_call(srv, body, len);
    const pontes_error *e = bizapis_client_last_error(c);
    assert_int_equal(e->status, PONTES_EHTTP);
    assert_int_equal(e->http_status, 500);
    /* the raw body is kept whole and exact either way */
    assert_non_null(e->body);
    assert_int_equal(e->body_len, len);
    assert_memory_equal(e->body, body, len);
    if (parsed) {
        assert_non_null(e->provider_code);
        assert_string_equal(e->provider_code, "BIZ-500");
        assert_string_equal(e->provider_message, "SERVICE_DOWN");
    } else {
        assert_null(e->provider_code);
        assert_null(e->provider_message);
        assert_non_null(strstr(e->message, "HTTP 500"));
    }
    bizapis_client_free(c);
    free(body);
    ts_stop(srv);
}

static void test_small_body_parsed(void **state) {
    (void)state;
    check(200, true);
}

static void test_body_at_limit_parsed(void **state) {
    (void)state;
    check((size_t)1 << 20, true);
}

static void test_body_over_limit_kept_raw(void **state) {
    (void)state;
    check(((size_t)1 << 20) + 1, false);
}

/* A 24 MiB error body: the runtime makes at most two allocations of the body's size (the
 * receive buffer and the error's copy) and none for a parse tree or a redaction copy. */
static void test_large_body_allocations(void **state) {
    (void)state;
    if (!HAVE_WRAP) skip();
    ts_server *srv = ts_start();
    assert_non_null(srv);
    size_t len;
    char *body = error_doc((size_t)24 << 20, &len);
    bizapis_client *c = failing_call(srv, body, len);
    const pontes_error *e = bizapis_client_last_error(c);
    assert_int_equal(e->body_len, len);
    assert_memory_equal(e->body, body, len);
    assert_true(g_big >= 1); /* the receive buffer: so the count below could fail */
    assert_true(g_big <= PONTES_TEST_MAX_BODY_ALLOCS);
    bizapis_client_free(c);
    free(body);
    ts_stop(srv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_body_parsed),
        cmocka_unit_test(test_body_at_limit_parsed),
        cmocka_unit_test(test_body_over_limit_kept_raw),
        cmocka_unit_test(test_large_body_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
