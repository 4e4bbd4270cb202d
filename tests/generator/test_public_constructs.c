/* The public-spec constructs fixture (fixtures/public_constructs.yaml) through the generated
 * code: allOf of a primitive $ref, list building (PONTES_APPEND, <array>_append, _clear),
 * container names next to schema names, 2xx responses of several types decoded by status,
 * JWT/JOSE bodies as text. Its schema/property examples are round-tripped by pub_examples. */
#define _POSIX_C_SOURCE 200809L
#include "pontes/pub.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_server.h"

static void allof_primitive_and_lists(void **state) {
    (void)state;
    pub_person p = PUB_PERSON_INIT;
    PONTES_PUT(p, name, "Nilce");
    PONTES_PUT(p, cpf, "12345678901"); /* allOf [$ref Cpf, {maxLength}]: a plain string */
    PONTES_PUT(p, birth_date, "1960-02-30");
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    /* allOf [{type: string}, {format: date}]: the format is checked */
    assert_int_equal(pub_person_encode(&p, &json, &len, &err), PONTES_EENCODE);
    assert_string_equal(err.json_path, "$.birthDate");
    pontes_error_clear(&err);
    PONTES_PUT(p, birth_date, "1960-05-01");
    assert_int_equal(pub_person_encode(&p, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "{\"name\":\"Nilce\",\"cpf\":\"12345678901\",\"birthDate\":\"1960-05-01\"}");
    pontes_json_free(json);

    /* a list built by appending: PONTES_APPEND marks the member present */
    pub_item a = PUB_ITEM_INIT, b = PUB_ITEM_INIT;
    PONTES_PUT(a, sku, "A-1");
    PONTES_PUT(b, sku, "B-2");
    pub_item_array holder = PUB_ITEM_ARRAY_INIT; /* the schema named ItemArray keeps its name */
    assert_int_equal(holder.has_all, PONTES_ABSENT);
    for (int i = 0; i < 20; i++) assert_int_equal(PONTES_APPEND(holder, all, i % 2 ? &b : &a), PONTES_OK);
    assert_int_equal(holder.has_all, PONTES_SET);
    assert_int_equal(holder.all.count, 20);
    assert_ptr_equal(holder.all.items[19], &b);
    PONTES_PUT(holder, first, &a);
    assert_int_equal(pub_item_array_encode(&holder, &json, &len, &err), PONTES_OK);
    assert_non_null(strstr(json, "\"first\":{\"sku\":\"A-1\"},\"all\":[{\"sku\":\"A-1\"},{\"sku\":\"B-2\"},"));
    pontes_json_free(json);
    pub_item_array2_clear(&holder.all); /* the container of Item: not the schema's name */
    assert_null(holder.all.items);
    assert_int_equal(holder.all.count, 0);

    /* the typed append on its own, and a box of a schema that is an array (ItemList) */
    pub_item_list body = PUB_ITEM_LIST_INIT;
    assert_int_equal(pub_item_array2_append(&body.value, &a), PONTES_OK);
    assert_int_equal(pub_item_array2_append(&body.value, &b), PONTES_OK);
    body.has_value = PONTES_SET;
    assert_int_equal(pub_item_list_encode(&body, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "[{\"sku\":\"A-1\"},{\"sku\":\"B-2\"}]");
    pontes_json_free(json);
    pontes_list_free(&body.value);

    /* runtime lists and maps work the same way */
    pub_report r = PUB_REPORT_INIT;
    PONTES_PUT(r, id, "r1");
    assert_int_equal(PONTES_APPEND(r, lines, "one"), PONTES_OK);
    assert_int_equal(PONTES_APPEND(r, lines, "two"), PONTES_OK);
    assert_int_equal(pub_report_encode(&r, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "{\"id\":\"r1\",\"lines\":[\"one\",\"two\"]}");
    pontes_json_free(json);
    pontes_list_free(&r.lines);
    pontes_string_map m = {0};
    struct { pontes_string_map tags; pontes_presence has_tags; } holder2 = {{0}, 0};
    assert_int_equal(PONTES_MAP_PUT(holder2, tags, "k", "v"), PONTES_OK);
    assert_int_equal(holder2.has_tags, PONTES_SET);
    assert_string_equal(holder2.tags.keys[0], "k");
    assert_string_equal(holder2.tags.values[0], "v");
    pontes_map_free(&holder2.tags);
    pontes_map_free(&m);
    /* misuse is an error, not a crash: items missing for a non-empty list */
    pontes_string_list bad = {NULL, 5};
    assert_int_equal(pontes_list_grow(&bad, sizeof(char *)), PONTES_EINVAL);
    assert_int_equal(pontes_list_grow(NULL, sizeof(char *)), PONTES_EINVAL);
    pontes_error_clear(&err);
}

typedef struct fx {
    ts_server *srv;
    pub_client *c;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->srv = ts_start();
    assert_non_null(f->srv);
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(f->srv);
    o.timeout_ms = 5000;
    assert_int_equal(pub_client_new(&f->c, &o), PONTES_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    pub_client_free(f->c);
    ts_stop(f->srv);
    free(f);
    return 0;
}

static const char *JSON_CT = "Content-Type: application/json\r\n";

static void results_by_status(void **state) {
    fx *f = *state;
    pub_get_report_result res;
    ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT, "{\"id\":\"r1\",\"lines\":[\"a\"]}");
    assert_int_equal(pub_get_report(f->c, "r1", &res), PONTES_OK);
    assert_int_equal(res.kind, PUB_GET_REPORT_RESULT_REPORT);
    assert_int_equal(res.http_status, 200);
    assert_string_equal(res.u.report->id, "r1");
    assert_string_equal(res.u.report->lines.items[0], "a");
    pub_get_report_result_clear(&res);
    assert_int_equal(res.kind, 0);

    ts_push(f->srv, TS_ROUTE_API, 202, JSON_CT, "{\"jobId\":\"j9\",\"state\":\"running\"}");
    assert_int_equal(pub_get_report(f->c, "r1", &res), PONTES_OK);
    assert_int_equal(res.kind, PUB_GET_REPORT_RESULT_JOB);
    assert_int_equal(res.http_status, 202);
    assert_string_equal(res.u.job->job_id, "j9");
    assert_int_equal(res.u.job->state.value, PUB_JOB_STATE_RUNNING);
    pub_get_report_result_clear(&res);

    /* 204: no body, kind 0 */
    ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
    assert_int_equal(pub_get_report(f->c, "r1", &res), PONTES_OK);
    assert_int_equal(res.kind, PUB_GET_REPORT_RESULT__NONE);
    assert_int_equal(res.http_status, 204);
    pub_get_report_result_clear(&res);

    /* an undocumented 2xx falls to "default" (another type): not a result, nothing leaks */
    ts_push(f->srv, TS_ROUTE_API, 201, JSON_CT, "{\"message\":\"odd\"}");
    assert_int_equal(pub_get_report(f->c, "r1", &res), PONTES_OK);
    assert_int_equal(res.kind, 0);
    assert_int_equal(res.http_status, 201);
    pub_get_report_result_clear(&res);

    /* a body that does not match the 202 type: a decode error, the result stays empty */
    ts_push(f->srv, TS_ROUTE_API, 202, JSON_CT, "{\"jobId\":5}");
    assert_int_equal(pub_get_report(f->c, "r1", &res), PONTES_EDECODE);
    assert_int_equal(res.kind, 0);
    pub_get_report_result_clear(&res);
    /* out may be NULL */
    ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT, "{\"id\":\"r1\"}");
    assert_int_equal(pub_get_report(f->c, "r1", NULL), PONTES_OK);
}

static void jose_bodies_are_text(void **state) {
    fx *f = *state;
    const char *jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b."
                      "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji.XFBoMYUZodetZdvTiFvSkQ";
    ts_push(f->srv, TS_ROUTE_API, 201, "Content-Type: application/jose+jwe\r\n", jwe);
    pub_jose_text req = PUB_JOSE_TEXT_INIT;
    PONTES_PUT(req, value, "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
    pub_jose_text *out = NULL;
    assert_int_equal(pub_send_signed(f->c, &req, &out), PONTES_OK);
    assert_non_null(out);
    assert_string_equal(out->value, jwe);
    pub_jose_text_free(out);
    const ts_request *q = ts_get(f->srv, 0);
    assert_string_equal(q->body, "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"); /* the text, not a JSON string */
    assert_non_null(strstr(q->head, "\r\nContent-Type: application/jwt\r\n"));
    assert_non_null(strstr(q->head, "\r\nAccept: application/jose+jwe\r\n"));

    /* the text box directly: the whole text in, the same text out; a NUL byte is refused */
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(pub_jose_text_decode("a.b.c\n", 6, &out, &err), PONTES_OK);
    assert_string_equal(out->value, "a.b.c\n");
    char *txt = NULL;
    size_t len = 0;
    assert_int_equal(pub_jose_text_encode(out, &txt, &len, &err), PONTES_OK);
    assert_string_equal(txt, "a.b.c\n");
    pontes_json_free(txt);
    pub_jose_text_free(out);
    assert_int_equal(pub_jose_text_decode("a\0b", 3, &out, &err), PONTES_EDECODE);
    assert_null(out);
    pontes_error_clear(&err);
}

int main(void) {
    const char *proxies[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++) unsetenv(proxies[i]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allof_primitive_and_lists),
        cmocka_unit_test_setup_teardown(results_by_status, setup, teardown),
        cmocka_unit_test_setup_teardown(jose_bodies_are_text, setup, teardown),
    };
    return cmocka_run_group_tests_name("public_constructs", tests, NULL, NULL);
}
