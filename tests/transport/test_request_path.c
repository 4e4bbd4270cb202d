/* The per-call request path (issue 9): what the synchronous path keeps between calls on one
 * client (header lines, URL, response buffer, the options set on the client's handle) never
 * makes a call send a stale value; response compression (pontes_client_set_compression); the
 * response headers the runtime reads are still there when only those are kept. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "client_priv.h"
#include "test_server.h"

typedef struct t_person {
    const char *name;
    pontes_presence has_name;
    int64_t age;
    pontes_presence has_age;
    pontes_extra _extra;
} t_person;

static const pontes_field person_fields[] = {
    {"name", 0, offsetof(t_person, name), offsetof(t_person, has_name), &pontes_type_string, NULL, 0, 0},
    {"age", 0, offsetof(t_person, age), offsetof(t_person, has_age), &pontes_type_int64, NULL, 0, 0},
};
static const pontes_message person_msg = {"Person", 0, sizeof(t_person), person_fields, 2,
                                          offsetof(t_person, _extra)};
static const pontes_type person_type = {PONTES_KIND_OBJECT, 0, sizeof(t_person *), "Person", NULL, &person_msg, NULL,
                                        NULL};

/* request ids: the model's own header name (not one of the usual ones) */
static const pontes_error_model errors = {"code", "message", NULL, NULL, NULL, NULL, "Trace-Ref", NULL, NULL};
static const pontes_api api = {"t", "Test", "1.0", "http://127.0.0.1:1", &errors, NULL, 0};
static const pontes_response_desc person_responses[] = {{200, &person_type, NULL}, {0, NULL, NULL}};
static const pontes_security_req sec_bearer[] = {{"bearer", PONTES_SEC_BEARER, NULL, 0, 0, NULL, 0, NULL}};
static const pontes_operation op_get = {"getPerson", "GET", "/v1/people/{id}", PONTES_OP_IDEMPOTENT, NULL, NULL,
                                        NULL, 0, PONTES_BODY_NONE, NULL, NULL, NULL, person_responses, 2};
static const pontes_operation op_secure = {"secureGet", "GET", "/v1/secure", PONTES_OP_IDEMPOTENT, NULL, NULL,
                                           sec_bearer, 1, PONTES_BODY_NONE, NULL, NULL, NULL, person_responses, 2};
static const pontes_operation op_post = {"createPerson", "POST", "/v1/people", 0, NULL, NULL, NULL, 0,
                                         PONTES_BODY_JSON, "application/json", &person_type, NULL, person_responses, 2};
static const pontes_operation op_delete = {"deletePerson", "DELETE", "/v1/people/{id}", PONTES_OP_IDEMPOTENT, NULL,
                                           NULL, NULL, 0, PONTES_BODY_NONE, NULL, NULL, NULL, person_responses, 2};

static const char k_person[] = "{\"name\":\"Ann\",\"age\":41}";
/* gzip of {"name":"Zed","age":7} */
static const char k_gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\xca\x4b\xcc\x4d\x55\xb2\x52\x8a\x4a"
                           "\x4d\x51\xd2\x51\x4a\x4c\x07\xb2\xcd\x6b\x01\x87\x84\x3d\xbd\x16\x00\x00\x00";

typedef struct fx {
    ts_server *srv;
    pontes_client *c;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->srv = ts_start();
    assert_non_null(f->srv);
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(f->srv);
    o.timeout_ms = 5000;
    o.retry_base_ms = 1;
    assert_int_equal(pontes_client_new(&f->c, &api, &o), PONTES_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    pontes_client_free(f->c);
    ts_stop(f->srv);
    free(f);
    return 0;
}

/* One call of op with path id, an optional header parameter, query parameters and extra lines. */
static int call(fx *f, const pontes_operation *op, const char *id, const char *hdr, const char *query,
                const char *const *extra, t_person **out) {
    pontes_request *r = NULL;
    int rc = pontes_request_new(&r, f->c, op);
    if (rc != PONTES_OK) return rc;
    if (id) pontes_request_param(r, PONTES_IN_PATH, "id", id);
    if (hdr) pontes_request_param(r, PONTES_IN_HEADER, "X-Trace", hdr);
    if (query) pontes_request_param(r, PONTES_IN_QUERY, "q", query);
    if (extra) {
        pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
        o.headers = extra;
        pontes_request_options(r, &o);
    }
    return pontes_request_send(r, (void **)out, NULL);
}

static size_t count_of(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strcasestr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

/* Header parameters, extra lines and the bearer token change from call to call on one client:
 * each request carries exactly the values of its own call. */
static void test_headers_never_stale(void **state) {
    fx *f = *state;
    ts_push_n(f->srv, TS_ROUTE_API, 200, NULL, k_person, 0, 6);
    t_person *p = NULL;
    const char *extra1[] = {"X-Extra: one", NULL};
    assert_int_equal(call(f, &op_get, "1", "aaa", NULL, extra1, &p), PONTES_OK);
    assert_string_equal(p->name, "Ann");
    pontes_free(p);
    assert_int_equal(call(f, &op_get, "1", "bbbb", NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(pontes_client_set_bearer(f->c, "bearer", "tok-first"), PONTES_OK);
    assert_int_equal(call(f, &op_secure, NULL, NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(pontes_client_set_bearer(f->c, "bearer", "tok-second"), PONTES_OK);
    assert_int_equal(call(f, &op_secure, NULL, NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(ts_request_count(f->srv), 6);
    const char *h0 = ts_get(f->srv, 0)->head, *h1 = ts_get(f->srv, 1)->head, *h2 = ts_get(f->srv, 2)->head;
    const char *h3 = ts_get(f->srv, 3)->head, *h4 = ts_get(f->srv, 4)->head, *h5 = ts_get(f->srv, 5)->head;
    assert_non_null(strstr(h0, "X-Trace: aaa\r\n"));
    assert_non_null(strstr(h0, "X-Extra: one\r\n"));
    assert_non_null(strstr(h1, "X-Trace: bbbb\r\n"));
    assert_null(strstr(h1, "aaa"));
    assert_null(strstr(h1, "X-Extra"));
    assert_null(strstr(h2, "X-Trace"));
    assert_non_null(strstr(h3, "Authorization: Bearer tok-first\r\n"));
    assert_non_null(strstr(h4, "Authorization: Bearer tok-second\r\n"));
    assert_null(strstr(h4, "tok-first"));
    assert_null(strstr(h5, "Authorization"));
    for (size_t i = 0; i < 6; i++) {
        const char *h = ts_get(f->srv, i)->head;
        assert_int_equal(count_of(h, "\r\nAccept: application/json\r\n"), 1);
        assert_null(strstr(h, "Expect")); /* no body: no Expect line */
    }
    /* after the call, what the client keeps for the next one holds no header value */
    const pontes_buf *t = &f->c->spare_htext;
    size_t written = sizeof "Accept: application/json" + sizeof "Accept-Encoding: gzip, deflate" +
                     sizeof "Authorization: Bearer tok-second"; /* by the 5th call */
    assert_non_null(t->data);
    assert_true(t->cap >= written);
    assert_int_equal(t->len, 0);
    for (size_t i = 0; i < written; i++) assert_int_equal(t->data[i], 0);
}

/* The URL changes with the path and query parameters; the response buffer kept between
 * calls never leaks a previous body into the next one (a large one is not kept). */
static void test_url_and_bodies_never_stale(void **state) {
    fx *f = *state;
    size_t big_n = 100000;
    char *big = malloc(big_n + 64);
    int n = snprintf(big, 64, "{\"name\":\"");
    memset(big + n, 'x', big_n);
    strcpy(big + n + big_n, "\",\"age\":3}");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, k_person);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, big);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"age\":5}");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"B\"}");
    t_person *p = NULL;
    assert_int_equal(call(f, &op_get, "1", NULL, "a b", NULL, &p), PONTES_OK);
    assert_int_equal(p->age, 41);
    pontes_free(p);
    assert_int_equal(call(f, &op_get, "22", NULL, NULL, NULL, &p), PONTES_OK);
    assert_int_equal(strlen(p->name), big_n);
    pontes_free(p);
    assert_null(f->c->spare_resp.data); /* > 64 KiB: not kept */
    assert_int_equal(call(f, &op_get, "333", NULL, "z", NULL, &p), PONTES_OK);
    assert_int_equal(p->has_name, PONTES_ABSENT);
    assert_int_equal(p->age, 5);
    pontes_free(p);
    /* kept, and wiped: no byte of the last body is left in it */
    assert_non_null(f->c->spare_resp.data);
    for (size_t i = 0; i < sizeof "{\"age\":5}"; i++) assert_int_equal(f->c->spare_resp.data[i], 0);
    /* many parameters: more than the request's own storage holds */
    pontes_request *r = NULL;
    assert_int_equal(pontes_request_new(&r, f->c, &op_get), PONTES_OK);
    pontes_request_param(r, PONTES_IN_PATH, "id", "4");
    char name[16], val[80];
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof name, "k%d", i);
        snprintf(val, sizeof val, "value-%d-%040d", i, i);
        assert_int_equal(pontes_request_param(r, PONTES_IN_QUERY, name, val), PONTES_OK);
    }
    assert_int_equal(pontes_request_send(r, (void **)&p, NULL), PONTES_OK);
    assert_string_equal(p->name, "B");
    pontes_free(p);
    assert_string_equal(ts_get(f->srv, 0)->target, "/v1/people/1?q=a%20b");
    assert_string_equal(ts_get(f->srv, 1)->target, "/v1/people/22");
    assert_string_equal(ts_get(f->srv, 2)->target, "/v1/people/333?q=z");
    const char *t3 = ts_get(f->srv, 3)->target;
    assert_non_null(strstr(t3, "/v1/people/4?k0=value-0-"));
    assert_non_null(strstr(t3, "&k11=value-11-0000000000000000000000000000000000000011"));
    free(big);
}

/* The options set on the client's handle follow the method from call to call. */
static void test_methods_in_turn(void **state) {
    fx *f = *state;
    ts_push_n(f->srv, TS_ROUTE_API, 200, NULL, k_person, 0, 5);
    t_person *p = NULL;
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    t_person body = {"Eve", PONTES_SET, 0, PONTES_ABSENT, {0}};
    pontes_request *r = NULL;
    assert_int_equal(pontes_request_new(&r, f->c, &op_post), PONTES_OK);
    assert_int_equal(pontes_request_body(r, &body), PONTES_OK);
    assert_int_equal(pontes_request_send(r, (void **)&p, NULL), PONTES_OK);
    pontes_free(p);
    assert_int_equal(call(f, &op_get, "2", NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(call(f, &op_delete, "3", NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(call(f, &op_get, "4", NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    const char *want[] = {"GET", "POST", "GET", "DELETE", "GET"};
    for (size_t i = 0; i < 5; i++) {
        const ts_request *q = ts_get(f->srv, i);
        assert_string_equal(q->method, want[i]);
        if (i == 1) {
            assert_string_equal(q->body, "{\"name\":\"Eve\"}");
            assert_non_null(strstr(q->head, "Content-Type: application/json\r\n"));
        } else {
            assert_int_equal(q->body_len, 0);
            assert_null(strstr(q->head, "Content-Type"));
            assert_null(strstr(q->head, "Content-Length"));
        }
    }
}

/* Compression: offered by default (gzip, deflate), a gzip answer decodes; off: not offered
 * and a compressed answer is not decoded; the caller's own Accept-Encoding wins. */
static void test_compression(void **state) {
    fx *f = *state;
    assert_int_equal(pontes_client_compression(f->c), PONTES_ENCODING_DEFAULT);
    ts_push_ex(f->srv, TS_ROUTE_API, 200, "Content-Encoding: gzip\r\n", k_gz, sizeof k_gz - 1, 0, false);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, k_person); /* a small identity answer */
    t_person *p = NULL;
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_OK);
    assert_string_equal(p->name, "Zed");
    assert_int_equal(p->age, 7);
    pontes_free(p);
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_OK);
    assert_string_equal(p->name, "Ann");
    pontes_free(p);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(count_of(ts_get(f->srv, i)->head, "\r\nAccept-Encoding: gzip, deflate\r\n"), 1);

    /* the caller's own line only (not two Accept-Encoding lines) */
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, k_person);
    const char *extra[] = {"accept-encoding: identity", NULL};
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, extra, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(count_of(ts_get(f->srv, 2)->head, "Accept-Encoding:"), 1);
    assert_non_null(strstr(ts_get(f->srv, 2)->head, "accept-encoding: identity\r\n"));

    /* off */
    assert_int_equal(pontes_client_set_compression(f->c, 0), PONTES_OK);
    assert_int_equal(pontes_client_compression(f->c), 0);
    ts_push_ex(f->srv, TS_ROUTE_API, 200, "Content-Encoding: gzip\r\n", k_gz, sizeof k_gz - 1, 0, false);
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_EDECODE);
    assert_null(p);
    assert_null(strcasestr(ts_get(f->srv, 3)->head, "Accept-Encoding"));

    /* back on: decodes again on the same handle */
    assert_int_equal(pontes_client_set_compression(f->c, PONTES_ENCODING_GZIP), PONTES_OK);
    ts_push_ex(f->srv, TS_ROUTE_API, 200, "Content-Encoding: gzip\r\n", k_gz, sizeof k_gz - 1, 0, false);
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_OK);
    assert_string_equal(p->name, "Zed");
    pontes_free(p);

    /* unknown bits: EINVAL, the setting unchanged */
    assert_int_equal(pontes_client_set_compression(f->c, 0x80u), PONTES_EINVAL);
    assert_int_equal(pontes_client_compression(f->c), PONTES_ENCODING_GZIP);
    assert_int_equal(pontes_client_set_compression(NULL, 0), PONTES_EINVAL);

    /* more encodings, when this libcurl decodes them */
    const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
    unsigned more = PONTES_ENCODING_GZIP;
    const char *line = "\r\nAccept-Encoding: gzip, deflate";
    if (vi->features & CURL_VERSION_BROTLI) more |= PONTES_ENCODING_BR;
    if (vi->features & CURL_VERSION_ZSTD) more |= PONTES_ENCODING_ZSTD;
    assert_int_equal(pontes_client_set_compression(f->c, more), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, k_person);
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    const char *h = ts_get(f->srv, 5)->head;
    assert_non_null(strstr(h, line));
    if (more & PONTES_ENCODING_BR) assert_non_null(strstr(h, ", br"));
    if (more & PONTES_ENCODING_ZSTD) assert_non_null(strstr(h, ", zstd"));
    if (!(vi->features & CURL_VERSION_BROTLI))
        assert_int_equal(pontes_client_set_compression(f->c, PONTES_ENCODING_BR), PONTES_EINVAL);
}

/* Only the response headers the runtime reads are kept: Retry-After still paces a retry,
 * the request-id headers (the API's own name too) still reach the error. */
static void test_response_headers_kept(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 503,
            "X-Noise-1: a\r\nRETRY-AFTER: 0\r\nX-Noise-2: b\r\n", "busy");
    ts_push(f->srv, TS_ROUTE_API, 200, "X-Request-Id: not-an-error\r\n", k_person);
    t_person *p = NULL;
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 2);

    ts_push(f->srv, TS_ROUTE_API, 404, "X-Other: 1\r\nTrace-Ref:  tr-77 \r\nX-Request-Id: rid-1\r\n",
            "{\"code\":\"NF\",\"message\":\"gone\"}");
    assert_int_equal(call(f, &op_get, "1", NULL, NULL, NULL, &p), PONTES_EHTTP);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_string_equal(e->request_id, "tr-77"); /* the model's header first */
    assert_string_equal(e->provider_code, "NF");

    ts_push(f->srv, TS_ROUTE_API, 500, "x-correlation-id: corr-9\r\n", "");
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.max_retries = 0;
    pontes_request *r = NULL;
    assert_int_equal(pontes_request_new(&r, f->c, &op_get), PONTES_OK);
    pontes_request_param(r, PONTES_IN_PATH, "id", "1");
    pontes_request_options(r, &o);
    assert_int_equal(pontes_request_send(r, (void **)&p, NULL), PONTES_EHTTP);
    assert_string_equal(pontes_client_last_error(f->c)->request_id, "corr-9");
}

/* A header value with a control byte is refused before anything is sent, and the next
 * call on the same client is clean. */
static void test_bad_header_then_good(void **state) {
    fx *f = *state;
    t_person *p = NULL;
    assert_int_equal(call(f, &op_get, "1", "a\r\nX-Injected: 1", NULL, NULL, &p), PONTES_EINVAL);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, k_person);
    assert_int_equal(call(f, &op_get, "1", "fine", NULL, NULL, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(ts_request_count(f->srv), 1);
    assert_null(strstr(ts_get(f->srv, 0)->head, "X-Injected"));
    assert_non_null(strstr(ts_get(f->srv, 0)->head, "X-Trace: fine\r\n"));
}

int main(void) {
    const char *proxies[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++) unsetenv(proxies[i]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_headers_never_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_and_bodies_never_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_methods_in_turn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compression, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_headers_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_header_then_good, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
