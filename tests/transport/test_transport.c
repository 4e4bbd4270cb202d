/* Transport tests: the HTTP client against a scripted in-process server. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "client_priv.h"
#include <pthread.h>
#include "test_server.h"

/* ---- descriptor types ---------------------------------------------------- */
typedef struct t_person {
    const char *name;
    pontes_presence has_name;
    int64_t age;
    pontes_presence has_age;
    pontes_extra _extra;
} t_person;

static const pontes_field person_fields[] = {
    {"name", PONTES_F_REQUIRED, offsetof(t_person, name), offsetof(t_person, has_name), &pontes_type_string, NULL, 0, 0},
    {"age", 0, offsetof(t_person, age), offsetof(t_person, has_age), &pontes_type_int64, NULL, 0, 0},
};
static const pontes_message person_msg = {"Person", 0, sizeof(t_person), person_fields, 2,
                                          offsetof(t_person, _extra)};
static const pontes_type person_type = {PONTES_KIND_OBJECT, 0, sizeof(t_person *), "Person", NULL, &person_msg, NULL,
                                        NULL};

static const pontes_type string_list_type = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "string[]",
                                             &pontes_type_string, NULL, NULL, NULL};

typedef struct t_form {
    const char *name;
    pontes_presence has_name;
    int64_t age;
    pontes_presence has_age;
    pontes_string_list tags;
    pontes_presence has_tags;
    bool flag;
    pontes_presence has_flag;
    t_person *owner;
    pontes_presence has_owner;
    const char *skipped;
    pontes_presence has_skipped;
    pontes_extra _extra;
} t_form;

static const pontes_field form_fields[] = {
    {"name", PONTES_F_REQUIRED, offsetof(t_form, name), offsetof(t_form, has_name), &pontes_type_string, NULL, 0, 0},
    {"age", 0, offsetof(t_form, age), offsetof(t_form, has_age), &pontes_type_int64, NULL, 0, 0},
    {"tags", 0, offsetof(t_form, tags), offsetof(t_form, has_tags), &string_list_type, NULL, 0, 0},
    {"flag", 0, offsetof(t_form, flag), offsetof(t_form, has_flag), &pontes_type_bool, NULL, 0, 0},
    {"owner", 0, offsetof(t_form, owner), offsetof(t_form, has_owner), &person_type, NULL, 0, 0},
    {"skipped", 0, offsetof(t_form, skipped), offsetof(t_form, has_skipped), &pontes_type_string, NULL, 0, 0},
};
static const pontes_message form_msg = {"Form", 0, sizeof(t_form), form_fields, 6, offsetof(t_form, _extra)};
static const pontes_type form_type = {PONTES_KIND_OBJECT, 0, sizeof(t_form *), "Form", NULL, &form_msg, NULL, NULL};

typedef struct t_upload {
    pontes_file doc;
    pontes_presence has_doc;
    const char *desc;
    pontes_presence has_desc;
    t_person *meta;
    pontes_presence has_meta;
    pontes_extra _extra;
} t_upload;

static const pontes_field upload_fields[] = {
    {"doc", PONTES_F_REQUIRED, offsetof(t_upload, doc), offsetof(t_upload, has_doc), &pontes_type_file, NULL, 0, 0},
    {"desc", 0, offsetof(t_upload, desc), offsetof(t_upload, has_desc), &pontes_type_string, NULL, 0, 0},
    {"meta", 0, offsetof(t_upload, meta), offsetof(t_upload, has_meta), &person_type, NULL, 0, 0},
};
static const pontes_message upload_msg = {"Upload", 0, sizeof(t_upload), upload_fields, 3,
                                          offsetof(t_upload, _extra)};
static const pontes_type upload_type = {PONTES_KIND_OBJECT, 0, sizeof(t_upload *), "Upload", NULL, &upload_msg,
                                        NULL, NULL};

typedef struct t_text {
    const char *value;
    pontes_presence has_value;
} t_text;
static const pontes_field text_fields[] = {
    {NULL, 0, offsetof(t_text, value), offsetof(t_text, has_value), &pontes_type_string, NULL, 0, 0},
};
static const pontes_message text_msg = {"Text", PONTES_M_BOX, sizeof(t_text), text_fields, 1, PONTES_NO_EXTRA};
static const pontes_type text_type = {PONTES_KIND_OBJECT, 0, sizeof(t_text *), "Text", NULL, &text_msg, NULL, NULL};

/* ---- API and operations ------------------------------------------------------ */
static const pontes_error_model eccor_errors = {"code",    "message",       "details.formErrors", "key",
                                                "message", "correlationId", "X-Request-Id", NULL, NULL};
static const pontes_api test_api = {"test", "Test API", "1.0", "http://127.0.0.1:1", &eccor_errors, NULL, 0};

static const pontes_response_desc person_responses[] = {
    {200, &person_type, NULL}, {201, &person_type, NULL}, {0, NULL, NULL}};
static const pontes_response_desc none_responses[] = {{204, NULL, NULL}, {2, NULL, NULL}};

static const pontes_security_req sec_oauth[] = {{"oauth", PONTES_SEC_BEARER, NULL, 0, 0, NULL, 0, NULL}};
static const pontes_security_req sec_basic[] = {{"basicAuth", PONTES_SEC_BASIC, NULL, 0, 0, NULL, 0, NULL}};
static const pontes_security_req sec_key[] = {{"apiKey", PONTES_SEC_API_KEY, "api_key", PONTES_IN_QUERY, 0, NULL, 0, NULL},
                                              {"hdrKey", PONTES_SEC_API_KEY, "X-Api-Key", PONTES_IN_HEADER, 0, NULL, 0, NULL}};

static const pontes_operation op_get = {
    "getPerson", "GET", "/v1/people/{id}", PONTES_OP_IDEMPOTENT, NULL, NULL, NULL, 0, PONTES_BODY_NONE, NULL, NULL,
    NULL, person_responses, 3};
static const pontes_operation op_create = {
    "createNaturalPerson", "POST", "/v1/NaturalPerson", 0, NULL, NULL, NULL, 0, PONTES_BODY_JSON, "application/json",
    &person_type, NULL, person_responses, 3};
static const pontes_operation op_delete = {
    "deletePerson", "DELETE", "/v1/people/{id}", PONTES_OP_IDEMPOTENT, NULL, NULL, NULL, 0, PONTES_BODY_NONE, NULL,
    NULL, NULL, none_responses, 2};
static const pontes_operation op_form = {
    "postForm", "POST", "/v1/form", 0, NULL, NULL, NULL, 0, PONTES_BODY_FORM, "application/x-www-form-urlencoded",
    &form_type, NULL, none_responses, 2};
static const pontes_operation op_upload = {
    "upload", "POST", "/v1/upload", 0, NULL, NULL, NULL, 0, PONTES_BODY_MULTIPART, "multipart/form-data",
    &upload_type, NULL, none_responses, 2};
static const pontes_operation op_text = {
    "postText", "PUT", "/v1/note", PONTES_OP_IDEMPOTENT, NULL, NULL, NULL, 0, PONTES_BODY_TEXT, "text/plain",
    &text_type, "text/plain", none_responses, 2};
static const pontes_operation op_secure_get = {
    "secureGet", "GET", "/v1/secure", PONTES_OP_IDEMPOTENT, NULL, NULL, sec_oauth, 1, PONTES_BODY_NONE, NULL, NULL,
    NULL, person_responses, 3};
static const pontes_operation op_secure_post = {
    "securePost", "POST", "/v1/secure", 0, NULL, NULL, sec_oauth, 1, PONTES_BODY_JSON, NULL, &person_type, NULL,
    person_responses, 3};
static const pontes_operation op_basic_get = {
    "basicGet", "GET", "v1/basic", PONTES_OP_IDEMPOTENT, NULL, NULL, sec_basic, 1, PONTES_BODY_NONE, NULL, NULL,
    NULL, none_responses, 2};
static const pontes_operation op_key_get = {
    "keyGet", "GET", "/v1/key", PONTES_OP_IDEMPOTENT, NULL, NULL, sec_key, 2, PONTES_BODY_NONE, NULL, NULL, NULL,
    none_responses, 2};
static const pontes_operation op_accented = {
    "getSimulacao", "GET", "/v1/simula\xc3\xa7\xc3\xb5" "es/{id}/a b", PONTES_OP_IDEMPOTENT, NULL, NULL, NULL, 0,
    PONTES_BODY_NONE, NULL, NULL, NULL, none_responses, 2};
static const pontes_operation op_files = {
    "filesGet", "GET", "/v1/files", PONTES_OP_IDEMPOTENT, "files", "http://127.0.0.1:1/nowhere", NULL, 0,
    PONTES_BODY_NONE, NULL, NULL, NULL, none_responses, 2};

/* ---- fixtures ---------------------------------------------------------------- */
static long g_sleep_total;
static int g_sleep_calls;
static long g_sleep_last;
static void fake_sleep(long ms) {
    g_sleep_total += ms;
    g_sleep_calls++;
    g_sleep_last = ms;
}

typedef struct fx {
    ts_server *srv;
    pontes_client *c;
} fx;

static pontes_client_options base_opts(const ts_server *s) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(s);
    o.timeout_ms = 5000;
    o.retry_base_ms = 10;
    return o;
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->srv = ts_start();
    assert_non_null(f->srv);
    pontes_client_options o = base_opts(f->srv);
    assert_int_equal(pontes_client_new(&f->c, &test_api, &o), PONTES_OK);
    g_sleep_total = 0;
    g_sleep_calls = 0;
    g_sleep_last = -1;
    pontes__set_sleep_hook(fake_sleep);
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

/* Replace the fixture's client with one made from o. */
static void reclient(fx *f, const pontes_client_options *o) {
    pontes_client_free(f->c);
    f->c = NULL;
    assert_int_equal(pontes_client_new(&f->c, &test_api, o), PONTES_OK);
}

static bool has_header(const ts_request *r, const char *line) {
    return r && r->head && strcasestr(r->head, line) != NULL;
}

static int call_get(fx *f, const char *id, t_person **out, long *st) {
    pontes_request *r;
    int rc = pontes_request_new(&r, f->c, &op_get);
    if (rc) return rc;
    pontes_request_param(r, PONTES_IN_PATH, "id", id);
    return pontes_request_send(r, (void **)out, st);
}

static int call_create(fx *f, const char *name, t_person **out, long *st) {
    t_person p = {0};
    p.name = name;
    p.has_name = PONTES_SET;
    p.age = 41;
    p.has_age = PONTES_SET;
    pontes_request *r;
    int rc = pontes_request_new(&r, f->c, &op_create);
    if (rc) return rc;
    pontes_request_body(r, &p);
    return pontes_request_send(r, (void **)out, st);
}

/* ---- tests -------------------------------------------------------------------- */
static void test_percent_encode(void **state) {
    (void)state;
    const char *in = "a b/\xc3\xa7?&=~._-";
    char *e = pontes_percent_encode(in, strlen(in));
    assert_string_equal(e, "a%20b%2F%C3%A7%3F%26%3D~._-");
    pontes_json_free(e);
    e = pontes_percent_encode("", 0);
    assert_string_equal(e, "");
    pontes_json_free(e);
}

static void test_get_path_query(void **state) {
    fx *f = *state;
    pontes_client_options o = base_opts(f->srv);
    char base[96];
    snprintf(base, sizeof base, "%s/", ts_url(f->srv)); /* trailing slash on the base */
    o.base_url = base;
    reclient(f, &o);
    ts_push(f->srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", "{\"name\":\"Ana\",\"age\":30}");
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_get), PONTES_OK);
    assert_int_equal(pontes_request_param(r, PONTES_IN_PATH, "id", "a b/\xc3\xa7?&="), PONTES_OK);
    assert_int_equal(pontes_request_param(r, PONTES_IN_QUERY, "q", "a b/\xc3\xa7?&="), PONTES_OK);
    assert_int_equal(pontes_request_param_int(r, PONTES_IN_QUERY, "q", 42), PONTES_OK);
    assert_int_equal(pontes_request_param_bool(r, PONTES_IN_QUERY, "on", true), PONTES_OK);
    assert_int_equal(pontes_request_param_double(r, PONTES_IN_QUERY, "x y", 1.5), PONTES_OK);
    assert_int_equal(pontes_request_param(r, PONTES_IN_HEADER, "X-Trace", "t1"), PONTES_OK);
    t_person *p = NULL;
    long st = 0;
    assert_int_equal(pontes_request_send(r, (void **)&p, &st), PONTES_OK);
    assert_int_equal(st, 200);
    assert_non_null(p);
    assert_string_equal(p->name, "Ana");
    assert_int_equal(p->age, 30);
    pontes_free(p);
    const ts_request *q = ts_get(f->srv, 0);
    assert_non_null(q);
    assert_string_equal(q->method, "GET");
    assert_string_equal(q->target,
                        "/v1/people/a%20b%2F%C3%A7%3F%26%3D?q=a%20b%2F%C3%A7%3F%26%3D&q=42&on=true&x%20y=1.5");
    assert_true(has_header(q, "\r\nAccept: application/json\r\n"));
    assert_true(has_header(q, "\r\nUser-Agent: pontes/0.1.0\r\n"));
    assert_true(has_header(q, "\r\nX-Trace: t1\r\n"));
    assert_int_equal(pontes_client_last_error(f->c)->status, PONTES_OK);
}

static void test_post_json(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 201, "Content-Type: application/json\r\n",
            "{\"name\":\"Z\xc3\xa9\",\"age\":41,\"id\":\"p1\"}");
    t_person *p = NULL;
    long st = 0;
    assert_int_equal(call_create(f, "Z\xc3\xa9", &p, &st), PONTES_OK);
    assert_int_equal(st, 201);
    assert_non_null(p);
    assert_string_equal(p->name, "Z\xc3\xa9");
    pontes_free(p);
    const ts_request *q = ts_get(f->srv, 0);
    assert_string_equal(q->method, "POST");
    assert_string_equal(q->target, "/v1/NaturalPerson");
    assert_string_equal(q->body, "{\"name\":\"Z\xc3\xa9\",\"age\":41}");
    assert_true(has_header(q, "\r\nContent-Type: application/json\r\n"));
    assert_false(has_header(q, "Expect:"));
}

static void test_connection_reuse(void **state) {
    fx *f = *state;
    for (int i = 0; i < 5; i++) ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    for (int i = 0; i < 5; i++) {
        t_person *p = NULL;
        assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
        pontes_free(p);
    }
    assert_int_equal(ts_request_count(f->srv), 5);
    assert_int_equal(ts_connection_count(f->srv), 1);
}

static int closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_connect_refused(void **state) {
    fx *f = *state;
    pontes_client_options o = base_opts(f->srv);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
    o.base_url = url;
    reclient(f, &o);
    long st = -1;
    assert_int_equal(call_create(f, "x", NULL, &st), PONTES_ETRANSPORT);
    assert_int_equal(st, 0);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_int_equal(e->status, PONTES_ETRANSPORT);
    assert_int_equal(e->curl_code, 7); /* CURLE_COULDNT_CONNECT */
    assert_non_null(e->curl_message);
    /* nothing was sent: safe to retry even a POST */
    assert_int_equal(e->attempts, 3);
    assert_int_equal(g_sleep_calls, 2);
    assert_string_equal(e->operation_id, "createNaturalPerson");
}

static void test_timeout_post_not_retried(void **state) {
    fx *f = *state;
    pontes_client_options o = base_opts(f->srv);
    o.timeout_ms = 200;
    reclient(f, &o);
    ts_push_ex(f->srv, TS_ROUTE_API, 201, NULL, "{}", 2, 1500, false);
    ts_push(f->srv, TS_ROUTE_API, 201, NULL, "{\"name\":\"late\"}");
    assert_int_equal(call_create(f, "x", NULL, NULL), PONTES_ETIMEOUT);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_int_equal(e->curl_code, 28); /* CURLE_OPERATION_TIMEDOUT */
    assert_int_equal(e->attempts, 1);
    assert_int_equal(ts_request_count(f->srv), 1);
}

static void test_timeout_get_retried(void **state) {
    fx *f = *state;
    pontes_client_options o = base_opts(f->srv);
    o.attempt_timeout_ms = 200; /* per attempt; the call as a whole has 5 s */
    reclient(f, &o);
    ts_push_ex(f->srv, TS_ROUTE_API, 200, NULL, "{}", 2, 1500, false);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"ok\"}");
    t_person *p = NULL;
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
    assert_string_equal(p->name, "ok");
    pontes_free(p);
    assert_int_equal(ts_request_count(f->srv), 2);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 2);
}

static void test_oversize(void **state) {
    fx *f = *state;
    pontes_client_options o = base_opts(f->srv);
    o.max_response_bytes = 1024;
    reclient(f, &o);
    char *big = malloc(10240);
    memset(big, 'a', 10240);
    /* with Content-Length: refused by CURLOPT_MAXFILESIZE_LARGE */
    ts_push_ex(f->srv, TS_ROUTE_API, 200, NULL, big, 10240, 0, false);
    /* without: stopped by the write callback */
    ts_push_ex(f->srv, TS_ROUTE_API, 200, NULL, big, 10240, 0, true);
    free(big);
    assert_int_equal(call_get(f, "1", NULL, NULL), PONTES_ETOOBIG);
    assert_int_equal(pontes_client_last_error(f->c)->status, PONTES_ETOOBIG);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 1);
    assert_int_equal(call_get(f, "1", NULL, NULL), PONTES_ETOOBIG);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 1);
    assert_int_equal(ts_request_count(f->srv), 2);
}

static void test_503_retry_after(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: 0\r\n", "busy");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    t_person *p = NULL;
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
    pontes_free(p);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 2);
    assert_int_equal(g_sleep_calls, 1);
    assert_int_equal(g_sleep_last, 0);

    /* Retry-After in seconds, capped by retry_max_ms */
    pontes_client_options o = base_opts(f->srv);
    o.retry_max_ms = 1500;
    reclient(f, &o);
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: 1\r\n", "");
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: 120\r\n", "");
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", "");
    assert_int_equal(call_get(f, "1", NULL, NULL), PONTES_EHTTP);
    assert_int_equal(pontes_client_last_error(f->c)->http_status, 503);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 3);
    assert_int_equal(g_sleep_calls, 3);
    assert_int_equal(g_sleep_total, 0 + 1000 + 1500);
}

static void test_429_post_retried(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 429, NULL, "slow down");
    ts_push(f->srv, TS_ROUTE_API, 201, NULL, "{\"name\":\"A\"}");
    t_person *p = NULL;
    assert_int_equal(call_create(f, "A", &p, NULL), PONTES_OK);
    pontes_free(p);
    assert_int_equal(ts_request_count(f->srv), 2);
    assert_int_equal(g_sleep_calls, 1);
    assert_in_range(g_sleep_last, 0, 10); /* full jitter within retry_base_ms */
}

static void test_502_only_idempotent(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 502, NULL, "bad gateway");
    assert_int_equal(call_create(f, "A", NULL, NULL), PONTES_EHTTP);
    assert_int_equal(ts_request_count(f->srv), 1);
    ts_push(f->srv, TS_ROUTE_API, 502, NULL, "bad gateway");
    ts_push(f->srv, TS_ROUTE_API, 504, NULL, "timeout");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    t_person *p = NULL;
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
    pontes_free(p);
    assert_int_equal(ts_request_count(f->srv), 4);
}

static void test_400_provider_error(void **state) {
    fx *f = *state;
    const char *body =
        "{\"code\":\"INVALID_FORM\",\"message\":\"N\xc3\xa3o foi poss\xc3\xadvel validar os dados do formul\xc3\xa1rio\","
        "\"details\":{\"formErrors\":[{\"message\":\"m\",\"key\":\"registrationNumber\"},"
        "{\"message\":\"m2\",\"key\":\"name\"}]},\"correlationId\":\"#abc\"}";
    ts_push(f->srv, TS_ROUTE_API, 400, "Content-Type: application/json\r\nX-Request-Id: hdr-id\r\n", body);
    long st = 0;
    t_person *p = (t_person *)(uintptr_t)1;
    assert_int_equal(call_create(f, "A", &p, &st), PONTES_EHTTP);
    assert_null(p);
    assert_int_equal(st, 400);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_int_equal(e->status, PONTES_EHTTP);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "INVALID_FORM");
    assert_string_equal(e->provider_message, "N\xc3\xa3o foi poss\xc3\xadvel validar os dados do formul\xc3\xa1rio");
    assert_int_equal(e->field_error_count, 2);
    assert_string_equal(e->field_errors[0].key, "registrationNumber");
    assert_string_equal(e->field_errors[0].message, "m");
    assert_string_equal(e->field_errors[1].key, "name");
    assert_string_equal(e->request_id, "#abc");
    assert_string_equal(e->operation_id, "createNaturalPerson");
    assert_int_equal(e->body_len, strlen(body));
    assert_string_equal(e->body, body);
    assert_string_equal(e->message, "POST /v1/NaturalPerson: HTTP 400 INVALID_FORM: N\xc3\xa3o foi poss\xc3\xadvel "
                                    "validar os dados do formul\xc3\xa1rio");
    assert_int_equal(e->attempts, 1);
}

/* Bodies outside the API's error model: OAuth 2.0 and RFC 9457 problem details. */
/* Literal path text outside the URL character set (a Portuguese path) is percent-encoded. */
static void test_literal_path_encoding(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_accented), PONTES_OK);
    pontes_request_param(r, PONTES_IN_PATH, "id", "7/8");
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    assert_string_equal(ts_get(f->srv, 0)->target, "/v1/simula%C3%A7%C3%B5es/7%2F8/a%20b");
}

static void test_error_body_fallbacks(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 400, "Content-Type: application/json\r\n",
            "{\"error\":\"invalid_scope\",\"error_description\":\"scope x\"}");
    assert_int_equal(call_get(f, "1", NULL, NULL), PONTES_EHTTP);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_string_equal(e->provider_code, "invalid_scope");
    assert_string_equal(e->provider_message, "scope x");
    ts_push(f->srv, TS_ROUTE_API, 422, "Content-Type: application/problem+json\r\n",
            "{\"type\":\"https://example.test/probs/out-of-credit\",\"title\":\"No credit\",\"status\":422,"
            "\"detail\":\"Balance is 30, cost is 50\"}");
    assert_int_equal(call_get(f, "1", NULL, NULL), PONTES_EHTTP);
    e = pontes_client_last_error(f->c);
    assert_int_equal(e->http_status, 422);
    assert_string_equal(e->provider_code, "https://example.test/probs/out-of-credit");
    assert_string_equal(e->provider_message, "Balance is 30, cost is 50");
}

static void test_401_empty(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 401, "X-Correlation-Id: corr-9\r\n", "");
    long st = 0;
    assert_int_equal(call_get(f, "1", NULL, &st), PONTES_EHTTP);
    assert_int_equal(st, 401);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_int_equal(e->http_status, 401);
    assert_null(e->provider_code);
    assert_null(e->provider_message);
    assert_null(e->body);
    assert_int_equal(e->field_error_count, 0);
    assert_string_equal(e->request_id, "corr-9");
    assert_string_equal(e->message, "GET /v1/people/{id}: HTTP 401");

    /* non-JSON error body */
    ts_push(f->srv, TS_ROUTE_API, 404, NULL, "<html>not found</html>");
    assert_int_equal(call_get(f, "1", NULL, &st), PONTES_EHTTP);
    e = pontes_client_last_error(f->c);
    assert_int_equal(e->http_status, 404);
    assert_null(e->provider_code);
    assert_string_equal(e->body, "<html>not found</html>");
}

static void set_oauth(fx *f, const char *scope, long margin) {
    char url[128];
    snprintf(url, sizeof url, "%s/token", ts_url(f->srv));
    pontes_oauth2_options oo = PONTES_OAUTH2_OPTIONS_INIT;
    oo.token_url = url;
    oo.client_id = "my-client";
    oo.client_secret = "s3cr3t-value";
    oo.scope = scope;
    oo.refresh_margin_s = margin;
    assert_int_equal(pontes_client_set_oauth2_client_credentials(f->c, "oauth", &oo), PONTES_OK);
}

static int call_secure_get(fx *f) {
    pontes_request *r;
    int rc = pontes_request_new(&r, f->c, &op_secure_get);
    if (rc) return rc;
    t_person *p = NULL;
    rc = pontes_request_send(r, (void **)&p, NULL);
    pontes_free(p);
    return rc;
}

/* base64("my-client:s3cr3t-value") */
#define CLIENT_BASIC "bXktY2xpZW50OnMzY3IzdC12YWx1ZQ=="

static void test_oauth2_cached(void **state) {
    fx *f = *state;
    set_oauth(f, "read write", 60);
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, "Content-Type: application/json\r\n",
            "{\"access_token\":\"tok-AAA-1\",\"token_type\":\"bearer\",\"expires_in\":3600}");
    for (int i = 0; i < 3; i++) ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    for (int i = 0; i < 3; i++) assert_int_equal(call_secure_get(f), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 1);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 3);
    const ts_request *t = ts_get(f->srv, 0);
    assert_string_equal(t->method, "POST");
    assert_string_equal(t->target, "/token");
    assert_string_equal(t->body, "grant_type=client_credentials&scope=read%20write");
    assert_true(has_header(t, "\r\nAuthorization: Basic " CLIENT_BASIC "\r\n"));
    assert_true(has_header(t, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
    for (size_t i = 1; i < 4; i++) assert_true(has_header(ts_get(f->srv, i), "\r\nAuthorization: Bearer tok-AAA-1\r\n"));
    /* same server: token and API calls share the one connection */
    assert_int_equal(ts_connection_count(f->srv), 1);
}

static void test_oauth2_expiry(void **state) {
    fx *f = *state;
    set_oauth(f, NULL, 60);
    /* expires_in smaller than the refresh margin: renewed on every call */
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"tok-1\",\"expires_in\":30}");
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"tok-2\",\"expires_in\":\"30\"}");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    assert_int_equal(call_secure_get(f), PONTES_OK);
    assert_int_equal(call_secure_get(f), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 2);
    assert_string_equal(ts_get(f->srv, 0)->body, "grant_type=client_credentials");
    assert_true(has_header(ts_get(f->srv, 3), "Authorization: Bearer tok-2\r\n"));

    /* explicit authenticate forces a fetch */
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"tok-3\"}");
    assert_int_equal(pontes_client_authenticate(f->c, "oauth"), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 3);
}

static void test_oauth2_401_refresh(void **state) {
    fx *f = *state;
    set_oauth(f, NULL, 60);
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"tok-old\",\"expires_in\":3600}");
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"tok-new\",\"expires_in\":3600}");
    ts_push(f->srv, TS_ROUTE_API, 401, NULL, "");
    ts_push(f->srv, TS_ROUTE_API, 201, NULL, "{\"name\":\"A\"}");
    t_person p = {0};
    p.name = "A";
    p.has_name = PONTES_SET;
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_secure_post), PONTES_OK);
    pontes_request_body(r, &p);
    t_person *out = NULL;
    assert_int_equal(pontes_request_send(r, (void **)&out, NULL), PONTES_OK);
    assert_non_null(out);
    pontes_free(out);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 2);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 2);
    assert_true(has_header(ts_get(f->srv, 1), "Authorization: Bearer tok-old\r\n"));
    assert_true(has_header(ts_get(f->srv, 3), "Authorization: Bearer tok-new\r\n"));
    assert_string_equal(ts_get(f->srv, 3)->body, "{\"name\":\"A\"}");

    /* 401 again after the refresh: EAUTH, no third attempt */
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"tok-3\",\"expires_in\":3600}");
    ts_push(f->srv, TS_ROUTE_API, 401, NULL, "");
    ts_push(f->srv, TS_ROUTE_API, 401, NULL, "{\"code\":\"UNAUTHORIZED\"}");
    assert_int_equal(call_secure_get(f), PONTES_EAUTH);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_int_equal(e->http_status, 401);
    assert_string_equal(e->provider_code, "UNAUTHORIZED");
    assert_int_equal(e->attempts, 2);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 4);
}

static void test_oauth2_token_error(void **state) {
    fx *f = *state;
    set_oauth(f, "bogus", 60);
    ts_push(f->srv, TS_ROUTE_TOKEN, 400, "Content-Type: application/json\r\n",
            "{\"error\":\"invalid_scope\",\"error_description\":\"scope bogus is unknown\"}");
    assert_int_equal(call_secure_get(f), PONTES_EAUTH);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_int_equal(e->status, PONTES_EAUTH);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "invalid_scope");
    assert_string_equal(e->provider_message, "scope bogus is unknown");
    assert_string_equal(e->operation_id, "secureGet");
    assert_non_null(strstr(e->message, "invalid_scope"));
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 0);

    /* a 200 without access_token */
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"token_type\":\"bearer\"}");
    assert_int_equal(pontes_client_authenticate(f->c, "oauth"), PONTES_EAUTH);
    /* no credentials at all */
    assert_int_equal(pontes_client_authenticate(f->c, "nope"), PONTES_EAUTH);
}

static void test_basic_and_api_key(void **state) {
    fx *f = *state;
    pontes_request *r;
    /* no credentials set */
    assert_int_equal(pontes_request_new(&r, f->c, &op_basic_get), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_EAUTH);
    assert_non_null(strstr(pontes_client_last_error(f->c)->message, "no credentials for scheme basicAuth"));
    assert_int_equal(ts_request_count(f->srv), 0);

    assert_int_equal(pontes_client_set_basic(f->c, "basicAuth", "user", "p\xc3\xa4ss:word", NULL), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    assert_int_equal(pontes_request_new(&r, f->c, &op_basic_get), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    /* base64("user:p\xc3\xa4ss:word") */
    assert_true(has_header(ts_get(f->srv, 0), "\r\nAuthorization: Basic dXNlcjpww6Rzczp3b3Jk\r\n"));
    assert_string_equal(ts_get(f->srv, 0)->target, "/v1/basic");

    assert_int_equal(pontes_client_set_basic(f->c, "basicAuth", NULL, NULL, "UkVBRFk="), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    assert_int_equal(pontes_request_new(&r, f->c, &op_basic_get), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    assert_true(has_header(ts_get(f->srv, 1), "\r\nAuthorization: Basic UkVBRFk=\r\n"));

    /* API key: the second alternative (header) when only it is set */
    assert_int_equal(pontes_client_set_api_key(f->c, "hdrKey", "hk-123456"), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    assert_int_equal(pontes_request_new(&r, f->c, &op_key_get), PONTES_OK);
    pontes_request_param(r, PONTES_IN_QUERY, "page", "2");
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    assert_true(has_header(ts_get(f->srv, 2), "\r\nX-Api-Key: hk-123456\r\n"));
    /* then the first (query) once set */
    assert_int_equal(pontes_client_set_api_key(f->c, "apiKey", "k/ey 1"), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    assert_int_equal(pontes_request_new(&r, f->c, &op_key_get), PONTES_OK);
    pontes_request_param(r, PONTES_IN_QUERY, "page", "2");
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    assert_string_equal(ts_get(f->srv, 3)->target, "/v1/key?page=2&api_key=k%2Fey%201");
    assert_false(has_header(ts_get(f->srv, 3), "X-Api-Key"));
}

typedef struct logbuf {
    char text[65536];
    size_t len;
    int warn;
    int lines;
} logbuf;

static void log_hook(void *user, pontes_log_level lvl, const char *msg) {
    logbuf *l = user;
    if (lvl == PONTES_LOG_WARN) l->warn++;
    l->lines++;
    assert_null(strchr(msg, '\n'));
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%d %s\n", (int)lvl, msg);
    if (n > 0 && l->len + (size_t)n < sizeof l->text) l->len += (size_t)n;
}

static void test_log_redaction(void **state) {
    fx *f = *state;
    static logbuf lb;
    memset(&lb, 0, sizeof lb);
    pontes_client_options o = base_opts(f->srv);
    o.log = log_hook;
    o.log_user = &lb;
    o.log_level = PONTES_LOG_DEBUG;
    reclient(f, &o);
    set_oauth(f, "read", 60);
    assert_int_equal(pontes_client_set_basic(f->c, "basicAuth", "user", "hunter2-pass", NULL), PONTES_OK);
    assert_int_equal(pontes_client_set_api_key(f->c, "apiKey", "KEY-zz-999"), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"tok-SECRET-42\",\"expires_in\":3600}");
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: 0\r\n", "");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    assert_int_equal(call_secure_get(f), PONTES_OK);
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_basic_get), PONTES_OK);
    pontes_request_param(r, PONTES_IN_QUERY, "password", "pw-in-query");
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    assert_int_equal(pontes_request_new(&r, f->c, &op_key_get), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);

    assert_true(lb.lines > 5);
    assert_true(lb.warn >= 1);
    assert_non_null(strstr(lb.text, "GET http://127.0.0.1"));
    assert_non_null(strstr(lb.text, "-> 200"));
    assert_non_null(strstr(lb.text, "[REDACTED]"));
    assert_non_null(strstr(lb.text, "> Authorization: [REDACTED]")); /* DEBUG header lines */
    const char *secrets[] = {"s3cr3t-value", CLIENT_BASIC, "tok-SECRET-42", "hunter2-pass",
                             "dXNlcjpodW50ZXIyLXBhc3M=", "KEY-zz-999", "pw-in-query"};
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++) {
        if (strstr(lb.text, secrets[i])) fail_msg("secret %s leaked into the log:\n%s", secrets[i], lb.text);
    }
}

static void test_redact_unit(void **state) {
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Authorization: Bearer abc.def", "Authorization: [REDACTED]"},
        {"> authorization: Basic dXNlcjpw", "> authorization: [REDACTED]"},
        {"Proxy-Authorization: x", "Proxy-Authorization: [REDACTED]"},
        {"X-Api-Key: 123", "X-Api-Key: [REDACTED]"},
        {"Cookie: sid=1", "Cookie: [REDACTED]"},
        {"Content-Type: application/json", "Content-Type: application/json"},
        {"GET https://h/x?a=1&access_token=zzz&b=2", "GET https://h/x?a=1&access_token=[REDACTED]&b=2"},
        {"grant_type=client_credentials&client_secret=s1&scope=a", "grant_type=client_credentials&client_secret=[REDACTED]&scope=a"},
        {"?password=p%20w", "?password=[REDACTED]"},
        {"{\"access_token\":\"t\\\"k\",\"expires_in\":30}", "{\"access_token\":\"[REDACTED]\",\"expires_in\":30}"},
        {"{\"client_secret\" : \"x\"}", "{\"client_secret\" : \"[REDACTED]\"}"},
        {"{\"name\":\"ok\"}", "{\"name\":\"ok\"}"},
        {"sent Bearer eyJhbGciOi and more", "sent Bearer [REDACTED] and more"},
        {"known SECRETVALUE here", "known [REDACTED] here"},
        {"a=1&b=2", "a=1&b=2"},
        {"", ""},
    };
    const char *secrets[] = {"SECRETVALUE", "abc", NULL};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *r = pontes__redact(cases[i].in, secrets, 3);
        assert_non_null(r);
        if (strcmp(r, cases[i].out) != 0) fail_msg("redact(%s) = %s, expected %s", cases[i].in, r, cases[i].out);
        free(r);
    }
    assert_true(pontes__name_is_secret("X-API-KEY", 9));
    assert_true(pontes__name_is_secret("refresh_token", 13));
    assert_false(pontes__name_is_secret("page", 4));
}

static void test_header_injection(void **state) {
    fx *f = *state;
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_get), PONTES_OK);
    pontes_request_param(r, PONTES_IN_PATH, "id", "1");
    assert_int_equal(pontes_request_param(r, PONTES_IN_HEADER, "X-A", "a\r\nX-Evil: 1"), PONTES_EINVAL);
    assert_int_equal(pontes_client_last_error(f->c)->status, PONTES_EINVAL);
    assert_non_null(strstr(pontes_client_last_error(f->c)->message, "X-A"));
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_EINVAL);
    assert_int_equal(pontes_client_last_error(f->c)->status, PONTES_EINVAL);
    assert_int_equal(pontes_request_new(&r, f->c, &op_get), PONTES_OK);
    assert_int_equal(pontes_request_param(r, PONTES_IN_HEADER, "X-B", "line\nfeed"), PONTES_EINVAL);
    pontes_request_free(r);
    assert_int_equal(pontes_request_new(&r, f->c, &op_get), PONTES_OK);
    assert_int_equal(pontes_request_param(r, PONTES_IN_HEADER, "Bad Name", "v"), PONTES_EINVAL);
    pontes_request_free(r);
    assert_int_equal(ts_request_count(f->srv), 0);
}


/* ---- issue 5: hardening -------------------------------------------------------- */

/* A control byte in any value that becomes a header line is refused where it enters;
 * the message names the field, never the value. */
static void test_header_values_checked_at_entry(void **state) {
    fx *f = *state;
    const char *evil = "abc\r\n\r\nGET /x HTTP/1.1\r\nHost: y\r\n\r\n";
    assert_int_equal(pontes_client_set_bearer(f->c, "oauth", evil), PONTES_EINVAL);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_non_null(strstr(e->message, "bearer token"));
    assert_null(strstr(e->message, "GET /x"));
    assert_int_equal(pontes_client_set_api_key(f->c, "hdrKey", "k\nX-Evil: 1"), PONTES_EINVAL);
    assert_non_null(strstr(pontes_client_last_error(f->c)->message, "API key"));
    assert_null(strstr(pontes_client_last_error(f->c)->message, "X-Evil"));
    assert_int_equal(pontes_client_set_basic(f->c, "basicAuth", NULL, NULL, "dXM6cA==\r\nX-Evil: 1"), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_basic(f->c, "basicAuth", "us\x01r", "p", NULL), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_basic(f->c, "basicAuth", "us:er", "p", NULL), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_basic(f->c, "basicAuth", "user", "pa\x7fss", NULL), PONTES_EINVAL);
    pontes_oauth2_options oo = PONTES_OAUTH2_OPTIONS_INIT;
    oo.token_url = "http://127.0.0.1:1/token";
    oo.basic_token = "abc\rdef";
    assert_int_equal(pontes_client_set_oauth2_client_credentials(f->c, "oauth", &oo), PONTES_EINVAL);
    oo.basic_token = "abc";
    oo.token_url = "http://127.0.0.1:1/token\r\nX: 1";
    assert_int_equal(pontes_client_set_oauth2_client_credentials(f->c, "oauth", &oo), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_server(f->c, NULL, "http://127.0.0.1:1/\nx"), PONTES_EINVAL);
    /* the user agent */
    pontes_client_options o = base_opts(f->srv);
    o.user_agent = "agent/1\r\nX-Evil: 1";
    pontes_client *c2 = NULL;
    assert_int_equal(pontes_client_new(&c2, &test_api, &o), PONTES_EINVAL);
    assert_null(c2);
    /* header parameters: every control byte but HTAB (issue 5.7) */
    const char *bad[] = {"a\rb", "a\nb", "a\x01" "b", "a\x1f" "b", "a\x7f" "b", "\x00"};
    for (size_t i = 0; i < 5; i++) {
        pontes_request *r;
        assert_int_equal(pontes_request_new(&r, f->c, &op_get), PONTES_OK);
        pontes_request_param(r, PONTES_IN_PATH, "id", "1");
        assert_int_equal(pontes_request_param(r, PONTES_IN_HEADER, "X-A", bad[i]), PONTES_EINVAL);
        assert_non_null(strstr(pontes_client_last_error(f->c)->message, "X-A"));
        assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_EINVAL);
    }
    assert_int_equal(ts_request_count(f->srv), 0);
    /* HTAB is allowed, and sent */
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_delete), PONTES_OK);
    pontes_request_param(r, PONTES_IN_PATH, "id", "1");
    assert_int_equal(pontes_request_param(r, PONTES_IN_HEADER, "X-A", "a\tb"), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    assert_true(has_header(ts_get(f->srv, 0), "X-A: a\tb\r\n"));
    /* valid credentials still work after refused ones */
    assert_int_equal(pontes_client_set_bearer(f->c, "oauth", "good-token"), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    assert_int_equal(call_secure_get(f), PONTES_OK);
    assert_true(has_header(ts_get(f->srv, 1), "Authorization: Bearer good-token\r\n"));
    assert_int_equal(ts_request_count(f->srv), 2);
}

/* An access token with CR/LF from the token endpoint is refused (EAUTH): it would
 * otherwise inject a header into every later call. */
static void test_token_endpoint_injection(void **state) {
    fx *f = *state;
    set_oauth(f, NULL, 60);
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"abc\\r\\nX-Injected: 1\",\"expires_in\":3600}");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    assert_int_equal(call_secure_get(f), PONTES_EAUTH);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_non_null(strstr(e->message, "access_token"));
    assert_non_null(strstr(e->message, "control character"));
    assert_null(strstr(e->message, "X-Injected"));
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 0);
    /* a later, clean token is used */
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"clean\",\"expires_in\":3600}");
    assert_int_equal(call_secure_get(f), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 1);
    for (size_t i = 0; i < ts_request_count(f->srv); i++)
        assert_false(has_header(ts_get(f->srv, i), "X-Injected"));
}

/* "." and ".." as path parameters are sent percent-encoded (never normalised away);
 * an empty path parameter is refused. The server records the raw request line. */
static void test_dot_segment_path_params(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    const char *ids[] = {"..", ".", "...", NULL};
    const char *want[] = {"/v1/people/%2E%2E", "/v1/people/%2E", "/v1/people/..."};
    for (size_t i = 0; ids[i]; i++) {
        pontes_request *r;
        assert_int_equal(pontes_request_new(&r, f->c, &op_delete), PONTES_OK);
        pontes_request_param(r, PONTES_IN_PATH, "id", ids[i]);
        assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
        const ts_request *q = ts_get(f->srv, i);
        assert_string_equal(q->method, "DELETE");
        if (strcmp(q->target, want[i]) != 0) fail_msg("id %s: sent %s, expected %s", ids[i], q->target, want[i]);
    }
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_delete), PONTES_OK);
    assert_int_equal(pontes_request_param(r, PONTES_IN_PATH, "id", ""), PONTES_EINVAL);
    assert_non_null(strstr(pontes_client_last_error(f->c)->message, "path parameter id is empty"));
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_EINVAL);
    assert_int_equal(ts_request_count(f->srv), 3);
}

static bool err_mentions(const pontes_error *e, const char *s) {
    const char *m[] = {e->message, e->provider_code, e->provider_message, e->body, e->request_id, e->curl_message};
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
        if (m[i] && strstr(m[i], s)) return true;
    if (e->body && e->body_len && memmem(e->body, e->body_len, s, strlen(s))) return true;
    for (size_t i = 0; i < e->field_error_count; i++)
        if (strstr(e->field_errors[i].key, s) || strstr(e->field_errors[i].message, s)) return true;
    return false;
}

/* A server that echoes credentials: none of them reaches the error object or the log. */
static void test_secrets_echoed_back(void **state) {
    fx *f = *state;
    static logbuf lb;
    memset(&lb, 0, sizeof lb);
    pontes_client_options o = base_opts(f->srv);
    o.log = log_hook;
    o.log_user = &lb;
    reclient(f, &o);
    set_oauth(f, NULL, 60);
    assert_int_equal(pontes_client_set_basic(f->c, "basicAuth", "user", "hunter2-pass", NULL), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, NULL, "{\"access_token\":\"tok-SECRET-42\",\"expires_in\":3600}");
    ts_push(f->srv, TS_ROUTE_API, 400, "X-Request-Id: tok-SECRET-42\r\n",
            "{\"code\":\"BAD tok-SECRET-42\",\"message\":\"rejected Authorization: Bearer tok-SECRET-42 for "
            "my-client / s3cr3t-value\",\"details\":{\"formErrors\":[{\"key\":\"tok-SECRET-42\","
            "\"message\":\"echo s3cr3t-value\"}]}}");
    assert_int_equal(call_secure_get(f), PONTES_EHTTP);
    const pontes_error *e = pontes_client_last_error(f->c);
    assert_int_equal(e->http_status, 400);
    assert_non_null(e->body);
    assert_non_null(strstr(e->body, "[REDACTED]"));
    assert_int_equal(e->body_len, strlen(e->body));
    assert_int_equal(e->field_error_count, 1);
    assert_non_null(strstr(e->provider_message, "rejected"));
    const char *secrets[] = {"tok-SECRET-42", "s3cr3t-value", CLIENT_BASIC};
    for (size_t i = 0; i < 3; i++)
        if (err_mentions(e, secrets[i])) fail_msg("secret %s echoed into the error object", secrets[i]);
    /* Basic: the password and the encoded credential */
    ts_push(f->srv, TS_ROUTE_API, 401, NULL,
            "{\"message\":\"bad Basic dXNlcjpodW50ZXIyLXBhc3M= (hunter2-pass)\"}");
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_basic_get), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_EHTTP);
    e = pontes_client_last_error(f->c);
    assert_false(err_mentions(e, "hunter2-pass"));
    assert_false(err_mentions(e, "dXNlcjpodW50ZXIyLXBhc3M="));
    assert_non_null(strstr(e->provider_message, "[REDACTED]"));
    for (size_t i = 0; i < 3; i++) assert_null(strstr(lb.text, secrets[i]));
    assert_null(strstr(lb.text, "hunter2-pass"));
}

/* timeout_ms bounds the whole call: attempts and waits (real sleeps here). */
static void test_total_time_bounded(void **state) {
    fx *f = *state;
    pontes__set_sleep_hook(NULL);
    pontes_client_options o = base_opts(f->srv);
    o.timeout_ms = 1000;
    o.max_retries = 5;
    o.retry_base_ms = 50;
    reclient(f, &o);
    for (int i = 0; i < 6; i++) ts_push_ex(f->srv, TS_ROUTE_API, 200, NULL, "{}", 2, 3000, false);
    double t0 = pontes_cl_now();
    assert_int_equal(call_get(f, "1", NULL, NULL), PONTES_ETIMEOUT);
    double took = pontes_cl_now() - t0;
    const pontes_error *e = pontes_client_last_error(f->c);
    if (took > 1.6) fail_msg("call took %.2f s against a 1 s limit", took);
    assert_true(e->attempts >= 1);
    char want[64];
    snprintf(want, sizeof want, "timed out after %u attempt", e->attempts);
    assert_non_null(strstr(e->message, want));
    assert_non_null(strstr(e->message, "1 s limit"));
    pontes__set_sleep_hook(fake_sleep);
}

/* A Retry-After longer than what is left of the budget is not waited for. */
static void test_retry_after_past_budget(void **state) {
    fx *f = *state;
    pontes_client_options o = base_opts(f->srv);
    o.timeout_ms = 2000;
    reclient(f, &o);
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: 999999\r\n", "busy");
    assert_int_equal(call_get(f, "1", NULL, NULL), PONTES_EHTTP);
    assert_int_equal(pontes_client_last_error(f->c)->http_status, 503);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 1);
    assert_int_equal(g_sleep_calls, 0);
    /* a wait that fits is made */
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: 1\r\n", "busy");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    t_person *p = NULL;
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
    pontes_free(p);
    assert_int_equal(g_sleep_calls, 1);
    assert_int_equal(g_sleep_last, 1000);
}

/* A close-delimited body past the cap never grows the buffer past the cap. */
static void test_oversize_memory_bounded(void **state) {
    fx *f = *state;
    size_t cap = 1u << 20, n = 3u << 20;
    pontes_client_options o = base_opts(f->srv);
    o.max_response_bytes = cap;
    reclient(f, &o);
    char *big = malloc(n);
    memset(big, 'a', n);
    ts_push_ex(f->srv, TS_ROUTE_API, 200, NULL, big, n, 0, true);
    free(big);
    char url[128];
    snprintf(url, sizeof url, "%s/v1/big", ts_url(f->srv));
    pontes_cl_xfer x;
    pontes_cl_xfer_init(&x);
    x.method = "GET";
    x.url = url;
    pontes_cl_begin_call(f->c);
    pontes_cl_perform(f->c, &x);
    assert_true(x.toobig);
    if (x.resp.cap > cap + 1) fail_msg("buffer grew to %zu bytes against a %zu-byte cap", x.resp.cap, cap);
    assert_true(x.resp_hw <= cap + 1);
    pontes_cl_xfer_free(&x);
}

/* One client used from a second place while a request holds it: PONTES_EBUSY, no race. */
static void test_busy_guard(void **state) {
    fx *f = *state;
    pontes_request *r1, *r2 = NULL;
    assert_int_equal(pontes_request_new(&r1, f->c, &op_get), PONTES_OK);
    pontes_request_param(r1, PONTES_IN_PATH, "id", "1");
    assert_int_equal(pontes_request_new(&r2, f->c, &op_get), PONTES_EBUSY);
    assert_null(r2);
    assert_int_equal(pontes_client_set_bearer(f->c, "oauth", "t"), PONTES_EBUSY);
    assert_int_equal(pontes_client_set_server(f->c, NULL, "http://127.0.0.1:1"), PONTES_EBUSY);
    assert_int_equal(pontes_client_authenticate(f->c, NULL), PONTES_EBUSY);
    assert_string_equal(pontes_status_name(PONTES_EBUSY), "PONTES_EBUSY");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"A\"}");
    t_person *p = NULL;
    assert_int_equal(pontes_request_send(r1, (void **)&p, NULL), PONTES_OK); /* releases the client */
    pontes_free(p);
    assert_int_equal(pontes_request_new(&r2, f->c, &op_get), PONTES_OK);
    pontes_request_free(r2); /* releases it too */
    assert_int_equal(pontes_client_set_bearer(f->c, "oauth", "t"), PONTES_OK);
}

typedef struct share_arg {
    fx *f;
    int ok, busy, other;
} share_arg;

static void *share_thread(void *p) {
    share_arg *a = p;
    for (int i = 0; i < 200; i++) {
        t_person *out = NULL;
        int rc = call_get(a->f, "1", &out, NULL);
        pontes_free(out);
        if (rc == PONTES_EBUSY) a->busy++;
        else if (rc == PONTES_OK || rc == PONTES_EHTTP) a->ok++;
        else a->other++;
    }
    return NULL;
}

/* Four threads sharing one client (documented as not allowed): every call either runs
 * alone or gets EBUSY; no crash, no corruption (run under ASan/valgrind/TSan). */
static void test_shared_client_threads(void **state) {
    fx *f = *state;
    pthread_t th[4];
    share_arg a[4];
    memset(a, 0, sizeof a);
    for (int i = 0; i < 4; i++) {
        a[i].f = f;
        assert_int_equal(pthread_create(&th[i], NULL, share_thread, &a[i]), 0);
    }
    int ok = 0, busy = 0, other = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ok += a[i].ok;
        busy += a[i].busy;
        other += a[i].other;
    }
    assert_int_equal(ok + busy, 800);
    assert_int_equal(other, 0);
    assert_true(ok > 0);
    /* the client is free again and works */
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"after\"}");
    t_person *p = NULL;
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
    assert_string_equal(p->name, "after");
    pontes_free(p);
}

/* Responses that deviate from the spec are decoded and the deviations recorded;
 * strict_response_validation makes them errors. */
static void test_deviations_tolerated_or_strict(void **state) {
    fx *f = *state;
    static logbuf lb;
    memset(&lb, 0, sizeof lb);
    pontes_client_options o = base_opts(f->srv);
    o.log = log_hook;
    o.log_user = &lb;
    o.log_level = PONTES_LOG_WARN;
    reclient(f, &o);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"age\":7,\"extra\":1}");
    t_person *p = NULL;
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
    assert_non_null(p);
    assert_int_equal(p->has_name, PONTES_ABSENT);
    assert_int_equal(p->age, 7);
    pontes_free(p);
    const pontes_deviations *d = pontes_client_last_deviations(f->c);
    assert_int_equal(d->count, 2); /* the unknown member, the missing required one */
    bool seen = false;
    for (size_t i = 0; i < d->kept; i++) seen = seen || strcmp(d->first[i].path, "$.name") == 0;
    assert_true(seen);
    assert_non_null(strstr(lb.text, "deviates from the spec"));
    /* the next call starts a fresh report */
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"ok\"}");
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
    pontes_free(p);
    assert_int_equal(pontes_client_last_deviations(f->c)->count, 0);
    /* strict */
    o.strict_response_validation = true;
    reclient(f, &o);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"age\":7}");
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_EDECODE);
    assert_null(p);
    assert_string_equal(pontes_client_last_error(f->c)->json_path, "$.name");
}

/* A version-1 options struct (an app built against the 0.1 header) is read only up
 * to its last member. */
static void test_options_v1(void **state) {
    fx *f = *state;
    pontes_client_options o = base_opts(f->srv);
    /* simulate the old, shorter struct: garbage after log_level must not be read */
    unsigned char buf[sizeof o];
    memset(buf, 0xA5, sizeof buf);
    memcpy(buf, &o, offsetof(pontes_client_options, strict_response_validation));
    ((pontes_client_options *)(void *)buf)->version = 1;
    pontes_client *c2 = NULL;
    assert_int_equal(pontes_client_new(&c2, &test_api, (const pontes_client_options *)(const void *)buf), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"age\":1}");
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, c2, &op_get), PONTES_OK);
    pontes_request_param(r, PONTES_IN_PATH, "id", "1");
    t_person *p = NULL;
    assert_int_equal(pontes_request_send(r, (void **)&p, NULL), PONTES_OK); /* not strict */
    pontes_free(p);
    pontes_client_free(c2);
    o.version = 99;
    assert_int_equal(pontes_client_new(&c2, &test_api, &o), PONTES_EINVAL);
}


/* ---- issue 6: per-call options and batches -------------------------------------- */

static int get_with(fx *f, const char *id, const pontes_call_options *o, t_person **out) {
    pontes_request *r;
    int rc = pontes_request_new(&r, f->c, &op_get);
    if (rc) return rc;
    pontes_request_param(r, PONTES_IN_PATH, "id", id);
    rc = pontes_request_options(r, o);
    if (o && o->batch) return pontes_batch_add(o->batch, r, (void **)out);
    if (rc != PONTES_OK) {
        pontes_request_free(r);
        return rc;
    }
    return pontes_request_send(r, (void **)out, NULL);
}

static int create_with(fx *f, const char *name, const pontes_call_options *o, t_person **out) {
    t_person p = {0};
    PONTES_PUT(p, name, name);
    pontes_request *r;
    int rc = pontes_request_new(&r, f->c, &op_create);
    if (rc) return rc;
    rc = pontes_request_options(r, o);
    if (rc == PONTES_OK) rc = pontes_request_body(r, &p);
    if (o && o->batch) return pontes_batch_add(o->batch, r, (void **)out);
    if (rc != PONTES_OK) {
        pontes_request_free(r);
        return rc;
    }
    return pontes_request_send(r, (void **)out, NULL);
}

static void test_call_options(void **state) {
    fx *f = *state;
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    /* a per-call time limit shorter than the client's */
    o.timeout_ms = 300;
    ts_push_ex(f->srv, TS_ROUTE_API, 200, NULL, "{}", 2, 1500, false);
    assert_int_equal(get_with(f, "1", &o, NULL), PONTES_ETIMEOUT);
    assert_non_null(strstr(pontes_client_last_error(f->c)->message, "300 ms limit"));
    /* no retry for this call */
    o = (pontes_call_options)PONTES_CALL_OPTIONS_INIT;
    o.max_retries = 0;
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: 0\r\n", "busy");
    assert_int_equal(get_with(f, "1", &o, NULL), PONTES_EHTTP);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 1);
    /* a POST is not retried after a 502 ... */
    size_t before = ts_request_count(f->srv);
    ts_push(f->srv, TS_ROUTE_API, 502, NULL, "gw");
    assert_int_equal(create_with(f, "A", NULL, NULL), PONTES_EHTTP);
    assert_int_equal(ts_request_count(f->srv), before + 1);
    /* ... unless it carries an idempotency key, which is sent */
    o = (pontes_call_options)PONTES_CALL_OPTIONS_INIT;
    o.idempotency_key = "idem-123";
    const char *extra[] = {"X-Trace: t-1", "X-Empty:", NULL};
    o.headers = extra;
    ts_push(f->srv, TS_ROUTE_API, 502, NULL, "gw");
    ts_push(f->srv, TS_ROUTE_API, 201, NULL, "{\"name\":\"A\"}");
    t_person *p = NULL;
    assert_int_equal(create_with(f, "A", &o, &p), PONTES_OK);
    pontes_free(p);
    assert_int_equal(pontes_client_last_error(f->c)->attempts, 2);
    const ts_request *q = ts_get(f->srv, ts_request_count(f->srv) - 1);
    assert_true(has_header(q, "Idempotency-Key: idem-123\r\n"));
    assert_true(has_header(q, "X-Trace: t-1\r\n"));
    /* bad options are refused before anything is sent */
    before = ts_request_count(f->srv);
    const char *bad1[] = {"X-Evil: a\r\nX-Injected: 1", NULL};
    const char *bad2[] = {"no colon", NULL};
    const char *bad3[] = {"Bad Name: v", NULL};
    const char *const *bads[] = {bad1, bad2, bad3};
    for (size_t i = 0; i < 3; i++) {
        o = (pontes_call_options)PONTES_CALL_OPTIONS_INIT;
        o.headers = bads[i];
        assert_int_equal(get_with(f, "1", &o, NULL), PONTES_EINVAL);
        assert_null(strstr(pontes_client_last_error(f->c)->message, "X-Injected"));
    }
    o = (pontes_call_options)PONTES_CALL_OPTIONS_INIT;
    o.idempotency_key = "k\n1";
    assert_int_equal(get_with(f, "1", &o, NULL), PONTES_EINVAL);
    o = (pontes_call_options)PONTES_CALL_OPTIONS_INIT;
    o.version = 0;
    assert_int_equal(get_with(f, "1", &o, NULL), PONTES_EINVAL);
    assert_int_equal(ts_request_count(f->srv), before);
}

/* 30 calls, 10 in flight: each result lands in its own out pointer; connections are
 * bounded by the concurrency limit. */
static void test_batch_concurrent(void **state) {
    fx *f = *state;
    enum { N = 30 };
    ts_push_n(f->srv, TS_ROUTE_API, 200, NULL, TS_ECHO_TARGET, 100, N);
    pontes_batch_options bo = PONTES_BATCH_OPTIONS_INIT;
    bo.max_concurrency = 10;
    pontes_batch *b = NULL;
    assert_int_equal(pontes_batch_new(&b, f->c, &bo), PONTES_OK);
    t_person *out[N] = {0};
    char ids[N][8];
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.batch = b;
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "p%d", i);
        assert_int_equal(get_with(f, ids[i], &o, &out[i]), PONTES_OK);
        assert_null(out[i]);
    }
    assert_int_equal(pontes_batch_count(b), N);
    assert_int_equal(ts_request_count(f->srv), 0); /* nothing sent before run */
    assert_int_equal(pontes_batch_run(b), PONTES_OK);
    for (int i = 0; i < N; i++) {
        assert_int_equal(pontes_batch_status(b, (size_t)i), PONTES_OK);
        assert_int_equal(pontes_batch_http_status(b, (size_t)i), 200);
        assert_non_null(out[i]);
        char want[32];
        snprintf(want, sizeof want, "/v1/people/p%d", i);
        assert_string_equal(out[i]->name, want);
        pontes_free(out[i]);
    }
    assert_int_equal(ts_request_count(f->srv), N);
    assert_true(ts_connection_count(f->srv) <= 10);
    assert_int_equal(pontes_batch_status(b, N), PONTES_EINVAL);
    assert_null(pontes_batch_error(b, N));
    pontes_batch_free(b);
    /* the client works normally after */
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"after\"}");
    t_person *p = NULL;
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK);
    pontes_free(p);
}

/* One call at a time (deterministic order): a retry after 503, a provider error, a
 * POST body encoded at queue time, a build error that still takes its index. */
static void test_batch_errors_retries_bodies(void **state) {
    fx *f = *state;
    pontes_batch_options bo = PONTES_BATCH_OPTIONS_INIT;
    bo.max_concurrency = 1;
    pontes_batch *b = NULL;
    assert_int_equal(pontes_batch_new(&b, f->c, &bo), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 503, "Retry-After: 0\r\n", "busy");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"first\"}");
    ts_push(f->srv, TS_ROUTE_API, 404, NULL, "{\"code\":\"NOT_FOUND\",\"message\":\"no such person\"}");
    ts_push(f->srv, TS_ROUTE_API, 201, NULL, "{\"name\":\"created\"}");
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.batch = b;
    t_person *p0 = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL;
    assert_int_equal(get_with(f, "a", &o, &p0), PONTES_OK);
    assert_int_equal(get_with(f, "b", &o, &p1), PONTES_OK);
    assert_int_equal(create_with(f, "body-at-queue-time", &o, &p2), PONTES_OK); /* its struct is gone now */
    assert_int_equal(get_with(f, "", &o, &p3), PONTES_EINVAL); /* empty path parameter */
    assert_int_equal(pontes_batch_count(b), 3); /* a call refused by the builder is not queued */
    assert_int_equal(pontes_batch_run(b), PONTES_EHTTP); /* the first failure, by index */
    assert_int_equal(pontes_batch_status(b, 0), PONTES_OK);
    assert_string_equal(p0->name, "first");
    assert_int_equal(pontes_batch_error(b, 0)->attempts, 2);
    assert_int_equal(pontes_batch_status(b, 1), PONTES_EHTTP);
    assert_null(p1);
    const pontes_error *e = pontes_batch_error(b, 1);
    assert_int_equal(e->http_status, 404);
    assert_string_equal(e->provider_code, "NOT_FOUND");
    assert_int_equal(pontes_batch_status(b, 2), PONTES_OK);
    assert_string_equal(p2->name, "created");
    const ts_request *q = ts_get(f->srv, 3);
    assert_string_equal(q->method, "POST");
    assert_non_null(strstr(q->body, "body-at-queue-time"));
    pontes_free(p0);
    pontes_free(p2);
    pontes_batch_free(b);
}

/* The client is free while calls are only queued; busy while the batch runs. */
static void test_batch_client_guard(void **state) {
    fx *f = *state;
    pontes_batch *b = NULL;
    assert_int_equal(pontes_batch_new(&b, f->c, NULL), PONTES_OK);
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.batch = b;
    t_person *q = NULL, *p = NULL;
    assert_int_equal(get_with(f, "q", &o, &q), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"direct\"}");
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_OK); /* direct call in between */
    assert_string_equal(p->name, "direct");
    pontes_free(p);
    pontes_request *held;
    assert_int_equal(pontes_request_new(&held, f->c, &op_get), PONTES_OK);
    assert_int_equal(pontes_batch_run(b), PONTES_EBUSY);
    pontes_request_free(held);
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":\"queued\"}");
    assert_int_equal(pontes_batch_run(b), PONTES_OK);
    assert_string_equal(q->name, "queued");
    pontes_free(q);
    /* a batch of another client is refused */
    pontes_client *c2 = NULL;
    pontes_client_options co = base_opts(f->srv);
    assert_int_equal(pontes_client_new(&c2, &test_api, &co), PONTES_OK);
    pontes_request *r2;
    assert_int_equal(pontes_request_new(&r2, c2, &op_get), PONTES_OK);
    pontes_request_param(r2, PONTES_IN_PATH, "id", "1");
    assert_int_equal(pontes_batch_add(b, r2, NULL), PONTES_EINVAL);
    pontes_client_free(c2);
    /* the options struct is checked */
    pontes_batch_options bad = PONTES_BATCH_OPTIONS_INIT;
    bad.max_concurrency = 100000;
    pontes_batch *b2 = NULL;
    assert_int_equal(pontes_batch_new(&b2, f->c, &bad), PONTES_EINVAL);
    assert_null(b2);
    pontes_batch_free(b);
}

/* An undocumented 2xx decodes as the operation's result type, not as "default". */
static void test_undocumented_2xx(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 202, NULL, "{\"name\":\"accepted\"}");
    t_person *p = NULL;
    long st = 0;
    assert_int_equal(call_get(f, "1", &p, &st), PONTES_OK);
    assert_int_equal(st, 202);
    assert_non_null(p);
    assert_string_equal(p->name, "accepted");
    pontes_free(p);
}

static void test_missing_path_param(void **state) {
    fx *f = *state;
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_get), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_EINVAL);
    assert_non_null(strstr(pontes_client_last_error(f->c)->message, "missing path parameter id"));
    assert_int_equal(ts_request_count(f->srv), 0);
}

static void test_204_no_type(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    ts_push(f->srv, TS_ROUTE_API, 202, NULL, "{\"ignored\":true}");
    pontes_request *r;
    void *out = (void *)(uintptr_t)1;
    long st = 0;
    assert_int_equal(pontes_request_new(&r, f->c, &op_delete), PONTES_OK);
    pontes_request_param_int(r, PONTES_IN_PATH, "id", 77);
    assert_int_equal(pontes_request_send(r, &out, &st), PONTES_OK);
    assert_null(out);
    assert_int_equal(st, 204);
    assert_string_equal(ts_get(f->srv, 0)->method, "DELETE");
    assert_string_equal(ts_get(f->srv, 0)->target, "/v1/people/77");
    out = (void *)(uintptr_t)1;
    assert_int_equal(pontes_request_new(&r, f->c, &op_delete), PONTES_OK);
    pontes_request_param_int(r, PONTES_IN_PATH, "id", 78);
    assert_int_equal(pontes_request_send(r, &out, &st), PONTES_OK);
    assert_null(out);
    assert_int_equal(st, 202);
}

static void test_empty_body_expected(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "");
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":");
    t_person *p = (t_person *)(uintptr_t)1;
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_EDECODE);
    assert_null(p);
    assert_non_null(strstr(pontes_client_last_error(f->c)->message, "empty body"));
    assert_int_equal(pontes_client_last_error(f->c)->http_status, 200);
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_EDECODE);
    assert_string_equal(pontes_client_last_error(f->c)->body, "{\"name\":");
    assert_string_equal(pontes_client_last_error(f->c)->operation_id, "getPerson");
    /* a success body that does not match the schema: its members are not provider error fields */
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "{\"name\":5,\"code\":\"c\",\"type\":\"t\"}");
    assert_int_equal(call_get(f, "1", &p, NULL), PONTES_EDECODE);
    assert_string_equal(pontes_client_last_error(f->c)->json_path, "$.name");
    assert_null(pontes_client_last_error(f->c)->provider_code);
    assert_non_null(pontes_client_last_error(f->c)->body);
}

static void test_form_body(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    const char *tags[] = {"a", "b&c"};
    t_person owner = {0};
    owner.name = "x";
    owner.has_name = PONTES_SET;
    t_form v = {0};
    v.name = "Jo\xc3\xa3o Silva";
    v.has_name = PONTES_SET;
    v.age = 42;
    v.has_age = PONTES_SET;
    v.tags.items = tags;
    v.tags.count = 2;
    v.has_tags = PONTES_SET;
    v.flag = true;
    v.has_flag = PONTES_SET;
    v.owner = &owner;
    v.has_owner = PONTES_SET;
    v.skipped = "nope";
    v.has_skipped = PONTES_ABSENT;
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_form), PONTES_OK);
    assert_int_equal(pontes_request_body(r, &v), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    const ts_request *q = ts_get(f->srv, 0);
    assert_string_equal(q->body, "name=Jo%C3%A3o%20Silva&age=42&tags=a&tags=b%26c&flag=true"
                                 "&owner=%7B%22name%22%3A%22x%22%7D");
    assert_true(has_header(q, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));

    /* missing required field */
    v.has_name = PONTES_ABSENT;
    assert_int_equal(pontes_request_new(&r, f->c, &op_form), PONTES_OK);
    assert_int_equal(pontes_request_body(r, &v), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_EINVAL);
    assert_non_null(strstr(pontes_client_last_error(f->c)->message, "name"));
    assert_int_equal(ts_request_count(f->srv), 1);
}

#define BODY_HAS(q, lit) memmem((q)->body, (q)->body_len, lit, sizeof(lit) - 1)

static void test_multipart_body(void **state) {
    fx *f = *state;
    /* 429 first: the multipart body is sent again in full */
    ts_push(f->srv, TS_ROUTE_API, 429, NULL, NULL);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    static const uint8_t pdf[] = {'%', 'P', 'D', 'F', '-', '1', '.', '4', 0, 1, 2, 0xff, 'E', 'O', 'F'};
    t_person meta = {0};
    meta.name = "m";
    meta.has_name = PONTES_SET;
    t_upload u = {0};
    u.doc.data = pdf;
    u.doc.len = sizeof pdf;
    u.doc.filename = "rg.pdf";
    u.doc.content_type = "application/pdf";
    u.has_doc = PONTES_SET;
    u.desc = "frente e verso";
    u.has_desc = PONTES_SET;
    u.meta = &meta;
    u.has_meta = PONTES_SET;
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_upload), PONTES_OK);
    assert_int_equal(pontes_request_body(r, &u), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    assert_int_equal(ts_request_count(f->srv), 2);
    assert_int_equal(ts_get(f->srv, 0)->body_len, ts_get(f->srv, 1)->body_len);
    const ts_request *q = ts_get(f->srv, 1);
    assert_true(has_header(q, "\r\nContent-Type: multipart/form-data; boundary="));
    assert_non_null(memmem(q->body, q->body_len, pdf, sizeof pdf));
    assert_non_null(BODY_HAS(q, "name=\"doc\"; filename=\"rg.pdf\""));
    assert_non_null(BODY_HAS(q, "Content-Type: application/pdf"));
    assert_non_null(BODY_HAS(q, "name=\"desc\"\r\n\r\nfrente e verso"));
    assert_non_null(BODY_HAS(q, "Content-Type: application/json\r\n\r\n{\"name\":\"m\"}"));

    /* defaults for filename and content type */
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    u.doc.filename = NULL;
    u.doc.content_type = NULL;
    u.has_desc = PONTES_ABSENT;
    u.has_meta = PONTES_ABSENT;
    assert_int_equal(pontes_request_new(&r, f->c, &op_upload), PONTES_OK);
    assert_int_equal(pontes_request_body(r, &u), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    q = ts_get(f->srv, 2);
    assert_non_null(BODY_HAS(q, "filename=\"file\""));
    assert_non_null(BODY_HAS(q, "Content-Type: application/octet-stream"));
    assert_null(BODY_HAS(q, "name=\"desc\""));
}

static void test_text_body_and_servers(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    t_text t = {"plain words", PONTES_SET};
    pontes_request *r;
    assert_int_equal(pontes_request_new(&r, f->c, &op_text), PONTES_OK);
    assert_int_equal(pontes_request_body(r, &t), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    const ts_request *q = ts_get(f->srv, 0);
    assert_string_equal(q->method, "PUT");
    assert_string_equal(q->body, "plain words");
    assert_true(has_header(q, "\r\nContent-Type: text/plain\r\n"));
    assert_true(has_header(q, "\r\nAccept: text/plain\r\n"));

    /* server group: the client's server for "files" wins over the op's default */
    char url[96];
    snprintf(url, sizeof url, "%s/files-api", ts_url(f->srv));
    assert_int_equal(pontes_client_set_server(f->c, "files", url), PONTES_OK);
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    assert_int_equal(pontes_request_new(&r, f->c, &op_files), PONTES_OK);
    assert_int_equal(pontes_request_send(r, NULL, NULL), PONTES_OK);
    assert_string_equal(ts_get(f->srv, 1)->target, "/files-api/v1/files");

    /* bad options version */
    pontes_client *c2 = NULL;
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(pontes_client_new(&c2, &test_api, &o), PONTES_EINVAL);
    assert_null(c2);
    assert_int_equal(pontes_client_new(&c2, &test_api, NULL), PONTES_OK);
    pontes_client_free(c2);
}

int main(void) {
    /* the tests talk to 127.0.0.1 directly */
    const char *proxies[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++) unsetenv(proxies[i]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent_encode),
        cmocka_unit_test(test_redact_unit),
        cmocka_unit_test_setup_teardown(test_get_path_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_post_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_get_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_503_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_post_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_502_only_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_path_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_body_fallbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_400_provider_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_401_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth2_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth2_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth2_401_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth2_token_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basic_and_api_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_redaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_injection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_path_param, setup, teardown),
        cmocka_unit_test_setup_teardown(test_204_no_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_body_expected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_body_and_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_values_checked_at_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_endpoint_injection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dot_segment_path_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets_echoed_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_total_time_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_past_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_memory_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_client_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deviations_tolerated_or_strict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undocumented_2xx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_errors_retries_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_client_guard, setup, teardown),
    };
    return cmocka_run_group_tests_name("transport", tests, NULL, NULL);
}
