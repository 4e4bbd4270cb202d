/* End-to-end test of the kitchen-sink fixture client (prefix ks) over real HTTP against the
 * mock server: form-urlencoded, multipart with a binary file, the JSON/base64 variant of the
 * same operation, a path with two parameters, a path parameter that needs percent-encoding,
 * query arrays, a header parameter, a top-level array body, a bare-string response.
 * The mock's request log (/__admin/requests) is used to check what went over the wire, so
 * this test is skipped when PONTES_TEST_BASE_URL names an external server. */
#define _GNU_SOURCE
#include "e2e_support.h"

#include <pontes/ks.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <curl/curl.h>

#ifndef E2E_KS_SPEC
#error "E2E_KS_SPEC (the kitchen-sink openapi.json in the build tree) must be defined"
#endif
#ifndef E2E_ECCOR_SPEC
#error "E2E_ECCOR_SPEC must be defined"
#endif

static e2e_server g_srv;
static char g_api_base[600]; /* the mock + the spec's server path "/api" */

#define REQUIRE_MOCK()                                                                          \
    do {                                                                                        \
        if (g_srv.external) {                                                                   \
            print_message("skipped: the kitchen-sink test only runs against the mock\n");     \
            skip();                                                                             \
        }                                                                                       \
    } while (0)

static ks_client *client(void) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_api_base;
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 30000;
    ks_client *c = NULL;
    assert_int_equal(ks_client_new(&c, &o), PONTES_OK);
    /* bearer tokens come from the mock's token endpoint (served for the ECCOR spec) */
    pontes_oauth2_options a = PONTES_OAUTH2_OPTIONS_INIT;
    a.token_url = g_srv.token_url;
    a.client_id = g_srv.client_id;
    a.client_secret = g_srv.client_secret;
    a.refresh_margin_s = 0;
    assert_int_equal(pontes_client_set_oauth2_client_credentials(c, "bearer", &a), PONTES_OK);
    assert_int_equal(pontes_client_set_api_key(c, "key", "k-e2e-123"), PONTES_OK);
    return c;
}

static void check_ok(ks_client *c, int rc, const char *what, const char *file, int line) {
    if (rc == PONTES_OK) return;
    const pontes_error *e = ks_client_last_error(c);
    print_error("%s:%d: %s failed: %s (%s) http=%ld body=%s\n", file, line, what, pontes_status_name(rc),
                e->message ? e->message : "", e->http_status, e->body ? e->body : "-");
    _fail(file, line);
}
#define CHECK_OK(c, call) check_ok((c), (call), #call, __FILE__, __LINE__)

/* The last logged request of operation op_id (a copy: cJSON_Delete it). */
static cJSON *last_request(const char *op_id) {
    cJSON *log = e2e_admin_requests(&g_srv);
    assert_non_null(log);
    const cJSON *e = e2e_log_last(log, op_id);
    if (!e) {
        cJSON_Delete(log);
        fail_msg("no request of %s in the mock's log", op_id);
    }
    cJSON *copy = cJSON_Duplicate(e, 1);
    cJSON_Delete(log);
    return copy;
}

static const char *str_member(const cJSON *o, const char *name) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(m) ? m->valuestring : NULL;
}

static const char *header(const cJSON *entry, const char *name) {
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(entry, "headers");
    const cJSON *v;
    cJSON_ArrayForEach(v, h) if (v->string && strcasecmp(v->string, name) == 0 && cJSON_IsString(v)) return v->valuestring;
    return NULL;
}

static void assert_accepted(const cJSON *entry) {
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(entry, "status");
    assert_true(cJSON_IsNumber(st));
    if (st->valueint < 200 || st->valueint > 299) fail_msg("the mock answered %d", st->valueint);
}

static void test_login_form(void **state) {
    (void)state;
    REQUIRE_MOCK();
    ks_client *c = client();
    const char *scopes[] = {"read", "write all"};
    ks_login2 body;
    memset(&body, 0, sizeof body); body._size = sizeof body;
    body.user = "ana maria & co=1";
    body.has_user = PONTES_SET;
    body.remember = true;
    body.has_remember = PONTES_SET;
    body.scopes.items = scopes;
    body.scopes.count = 2;
    body.has_scopes = PONTES_SET;
    ks_login_response *out = NULL;
    CHECK_OK(c, ks_login(c, &body, &out));
    assert_non_null(out);
    ks_login_response_free(out);

    cJSON *e = last_request("login");
    assert_accepted(e);
    const char *ct = header(e, "Content-Type");
    assert_non_null(ct);
    assert_int_equal(strncmp(ct, "application/x-www-form-urlencoded", 33), 0);
    assert_null(header(e, "Authorization")); /* security: [] */
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(e, "bodyLength");
    assert_true(cJSON_IsNumber(len) && len->valueint > 0);
    cJSON_Delete(e);

    /* the required member missing is refused by the encoder: nothing is sent */
    size_t before = 0;
    {
        cJSON *log = e2e_admin_requests(&g_srv);
        before = e2e_log_count(log, "POST", "/login");
        cJSON_Delete(log);
    }
    body.has_user = PONTES_ABSENT;
    body.user = NULL;
    out = NULL;
    int rc = ks_login(c, &body, &out);
    assert_true(rc == PONTES_EENCODE || rc == PONTES_EINVAL);
    assert_null(out);
    cJSON *log = e2e_admin_requests(&g_srv);
    assert_int_equal(e2e_log_count(log, "POST", "/login"), before);
    cJSON_Delete(log);
    ks_client_free(c);
}

static const uint8_t FILE_BYTES[] = {'%', 'P', 'D', 'F', 0x00, 0x01, 0xff, 0xfe, '\r', '\n', '-', '-', 0x00};

static void test_upload_multipart(void **state) {
    (void)state;
    REQUIRE_MOCK();
    ks_client *c = client();
    ks_upload2 body;
    memset(&body, 0, sizeof body); body._size = sizeof body;
    body.file.data = FILE_BYTES;
    body.file.len = sizeof FILE_BYTES;
    body.file.filename = "relat\xc3\xb3rio final.pdf";
    body.file.content_type = "application/pdf";
    body.has_file = PONTES_SET;
    body.note = "ol\xc3\xa1 & adeus";
    body.has_note = PONTES_SET;
    body.count = 3;
    body.has_count = PONTES_SET;
    ks_upload_response *out = NULL;
    CHECK_OK(c, ks_upload(c, "my docs", "v1/final", &body, &out));
    assert_non_null(out);
    ks_upload_response_free(out);

    cJSON *e = last_request("upload");
    assert_accepted(e);
    assert_string_equal(str_member(e, "method"), "POST");
    /* two path parameters, both percent-encoded (a "/" inside a value must not split it) */
    assert_string_equal(str_member(e, "path"), "/api/upload/my%20docs/v1%2Ffinal");
    const char *ct = header(e, "Content-Type");
    assert_non_null(ct);
    assert_int_equal(strncmp(ct, "multipart/form-data", 19), 0);
    assert_non_null(strstr(ct, "boundary="));
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(e, "bodyLength");
    assert_true(cJSON_IsNumber(len) && (size_t)len->valueint > sizeof FILE_BYTES);
    const char *auth = header(e, "Authorization");
    assert_non_null(auth);
    assert_int_equal(strncmp(auth, "Bearer ", 7), 0);
    cJSON_Delete(e);
    ks_client_free(c);
}

static void test_upload_json_base64(void **state) {
    (void)state;
    REQUIRE_MOCK();
    ks_client *c = client();
    ks_upload_request body;
    memset(&body, 0, sizeof body); body._size = sizeof body;
    body.file.data = FILE_BYTES;
    body.file.len = sizeof FILE_BYTES;
    body.has_file = PONTES_SET;
    body.note = "json";
    body.has_note = PONTES_SET;
    ks_upload_response *out = NULL;
    CHECK_OK(c, ks_upload_json(c, "f", "n", &body, &out));
    assert_non_null(out);
    ks_upload_response_free(out);
    cJSON *e = last_request("upload");
    assert_accepted(e);
    const char *ct = header(e, "Content-Type");
    assert_non_null(ct);
    assert_int_equal(strncmp(ct, "application/json", 16), 0);
    assert_string_equal(str_member(e, "path"), "/api/upload/f/n");
    /* {"file":"<base64 of 13 bytes = 20 chars>","note":"json"} */
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(e, "bodyLength");
    assert_true(cJSON_IsNumber(len));
    assert_int_equal(len->valueint, (int)strlen("{\"file\":\"JVBERgAB//4NCi0tAA==\",\"note\":\"json\"}"));
    cJSON_Delete(e);
    ks_client_free(c);
}

static void test_get_thing_params(void **state) {
    (void)state;
    REQUIRE_MOCK();
    ks_client *c = client();
    const char *tags[] = {"a", "b c", "\xc3\xa7"};
    ks_get_thing_params p;
    memset(&p, 0, sizeof p); p._size = sizeof p;
    p.q = "x&y=z";
    p.limit = 5;
    p.has_limit = PONTES_SET;
    p.exact = true;
    p.has_exact = PONTES_SET;
    p.tag.items = tags;
    p.tag.count = 3;
    p.x_trace = "trace-e2e-1";
    ks_everything *ev = NULL;
    CHECK_OK(c, ks_get_thing(c, "a b/c", &p, &ev));
    /* the first documented example, decoded into typed members */
    assert_int_equal(ev->has_scalars, PONTES_SET);
    assert_true(ev->scalars->big == INT64_C(9007199254740991));
    assert_int_equal(ev->scalars->color.value, KS_COLOR_NO);
    assert_int_equal(ev->has_address, PONTES_SET);
    assert_string_equal(ev->address->city, "Mococa");
    assert_int_equal(ev->pets.count, 3);
    assert_int_equal(ev->pets.items[0]->kind, KS_PET_CAT);
    assert_int_equal(ev->tags.count, 2);
    assert_int_equal(ev->extended->extra, 7);
    ks_everything_free(ev);

    cJSON *e = last_request("getThing");
    assert_accepted(e);
    assert_string_equal(str_member(e, "path"), "/api/things/a%20b%2Fc");
    const char *q = str_member(e, "query");
    assert_non_null(q);
    if (!strstr(q, "q=x%26y%3Dz") || !strstr(q, "limit=5") || !strstr(q, "exact=true") ||
        !strstr(q, "tag=a&tag=b%20c&tag=%C3%A7"))
        fail_msg("unexpected query string: %s", q);
    const char *xt = header(e, "X-Trace");
    assert_non_null(xt);
    assert_string_equal(xt, "trace-e2e-1");
    cJSON_Delete(e);

    /* a header value with CR/LF is refused before sending */
    p.x_trace = "evil\r\nX-Injected: 1";
    ev = NULL;
    int rc = ks_get_thing(c, "x", &p, &ev);
    assert_int_equal(rc, PONTES_EINVAL);
    assert_null(ev);
    ks_client_free(c);
}

/* A top-level string body: as text/plain (raw text) and as application/json (a JSON string). */
static void test_string_bodies(void **state) {
    (void)state;
    REQUIRE_MOCK();
    ks_client *c = client();
    const char *text = "a note with \"quotes\" and \xc3\xa7\xc3\xa3o";
    ks_put_note_request plain;
    memset(&plain, 0, sizeof plain); plain._size = sizeof plain;
    plain.value = text;
    plain.has_value = PONTES_SET;
    CHECK_OK(c, ks_put_note(c, -42, &plain));
    cJSON *e = last_request("putNote");
    assert_accepted(e);
    assert_string_equal(str_member(e, "path"), "/api/notes/-42");
    const char *ct = header(e, "Content-Type");
    assert_non_null(ct);
    assert_int_equal(strncmp(ct, "text/plain", 10), 0);
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(e, "bodyLength");
    assert_int_equal(len->valueint, (int)strlen(text));
    cJSON_Delete(e);

    ks_put_note_request2 js;
    memset(&js, 0, sizeof js); js._size = sizeof js;
    js.value = text;
    js.has_value = PONTES_SET;
    CHECK_OK(c, ks_put_note_json(c, 7, &js));
    e = last_request("putNote");
    assert_accepted(e);
    ct = header(e, "Content-Type");
    assert_non_null(ct);
    assert_int_equal(strncmp(ct, "application/json", 16), 0);
    len = cJSON_GetObjectItemCaseSensitive(e, "bodyLength");
    assert_int_equal(len->valueint, (int)strlen("\"a note with \\\"quotes\\\" and \xc3\xa7\xc3\xa3o\""));
    cJSON_Delete(e);
    ks_client_free(c);
}

static void test_array_body_and_bare_string(void **state) {
    (void)state;
    REQUIRE_MOCK();
    ks_client *c = client();
    ks_extended e1, e2;
    memset(&e1, 0, sizeof e1); e1._size = sizeof e1;
    memset(&e2, 0, sizeof e2); e2._size = sizeof e2;
    e1.id = "a";
    e1.has_id = PONTES_SET;
    e1.extra = 1;
    e1.has_extra = PONTES_SET;
    e2.id = "b";
    e2.has_id = PONTES_SET;
    e2.extra = 2;
    e2.has_extra = PONTES_SET;
    e2.created_at = "2020-01-01T00:00:00Z";
    e2.has_created_at = PONTES_SET;
    ks_extended *items[2] = {&e1, &e2};
    ks_create_things_request body;
    memset(&body, 0, sizeof body); body._size = sizeof body;
    body.value.items = items;
    body.value.count = 2;
    body.has_value = PONTES_SET;
    ks_create_things_response *ids = NULL;
    CHECK_OK(c, ks_create_things(c, &body, &ids));
    assert_int_equal(ids->has_value, PONTES_SET);
    assert_int_equal(ids->value.count, 2);
    assert_string_equal(ids->value.items[0], "14cdba56-2a51-410a-9084-3573bd74871b");
    ks_create_things_response_free(ids);
    cJSON *e = last_request("createThings");
    assert_accepted(e);
    assert_string_equal(header(e, "X-Api-Key"), "k-e2e-123"); /* apiKey scheme, in a header */
    cJSON_Delete(e);

    ks_count_things_response *s = NULL;
    CHECK_OK(c, ks_count_things(c, &s));
    assert_int_equal(s->has_value, PONTES_SET);
    assert_string_equal(s->value, "311ae9b2-a751-4819-a9f0-6d839b373172");
    ks_count_things_response_free(s);
    e = last_request("countThings");
    assert_accepted(e);
    cJSON_Delete(e);
    ks_client_free(c);
}

static int group_setup(void **state) {
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *specs[] = {E2E_KS_SPEC, E2E_ECCOR_SPEC, NULL};
    if (e2e_server_start(&g_srv, specs, 3600, false) != 0) return -1;
    snprintf(g_api_base, sizeof g_api_base, "%s/api", g_srv.base_url);
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    e2e_server_stop(&g_srv);
    curl_global_cleanup();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_form),
        cmocka_unit_test(test_upload_multipart),
        cmocka_unit_test(test_upload_json_base64),
        cmocka_unit_test(test_get_thing_params),
        cmocka_unit_test(test_array_body_and_bare_string),
        cmocka_unit_test(test_string_bodies),
    };
    return cmocka_run_group_tests_name("e2e_kitchen_sink", tests, group_setup, group_teardown);
}
