/* x-pontes-status-code (a digit code split into named parts: in the error object of a failed
 * call, and by the generated helper on success) and x-pontes-empty-success (an empty 2xx body
 * is a success), through the generated client of fixtures/status_codes.yaml against
 * tests/transport/test_server. */
#define _POSIX_C_SOURCE 200809L
#include "pontes/sc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_server.h"

#define JSON_CT "Content-Type: application/json\r\n"
#define UID "5088c941-7ec7-4ea9-a41f-ac6f041bec62"

typedef struct fx {
    ts_server *srv;
    sc_client *c;
} fx;

static int make_client(fx *f, bool strict) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(f->srv);
    o.timeout_ms = 5000;
    o.max_retries = 0;
    o.strict_response_validation = strict;
    return sc_client_new(&f->c, &o);
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->srv = ts_start();
    assert_non_null(f->srv);
    assert_int_equal(make_client(f, false), PONTES_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    sc_client_free(f->c);
    ts_stop(f->srv);
    free(f);
    return 0;
}

/* ---- D/F: the code of a failed call, split ------------------------------------------ */

static void error_code_parts(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_API, 400, JSON_CT,
            "{\"operationStatus\":{\"operationStatusCode\":\"040102\",\"operationStatusMessage\":\"processNumber: "
            "invalid\"}}");
    sc_process body = SC_PROCESS_INIT;
    PONTES_PUT(body, process_number, 1);
    sc_operation_status_response *out = (void *)1;
    assert_int_equal(sc_process_update(f->c, UID, &body, &out), PONTES_EHTTP);
    assert_null(out);
    const pontes_error *e = sc_client_last_error(f->c);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "040102"); /* the dotted x-pontes-errors path, leading zero kept */
    assert_string_equal(e->provider_message, "processNumber: invalid");
    assert_string_equal(pontes_error_code_part(e, "category"), "04");
    assert_string_equal(pontes_error_code_part(e, SC_STATUS_CODE_FIELD), "01");
    assert_string_equal(pontes_error_code_part(e, SC_STATUS_CODE_ERROR), "02");
    assert_null(pontes_error_code_part(e, "nope"));
    assert_null(pontes_error_code_part(e, NULL));
    const char *name = NULL;
    assert_string_equal(pontes_error_code_part_at(e, 0, &name), "04");
    assert_string_equal(name, "category");
    assert_string_equal(pontes_error_code_part_at(e, 2, &name), "02");
    assert_string_equal(name, "error");
    assert_null(pontes_error_code_part_at(e, 3, &name));
    assert_null(name);
    assert_non_null(strstr(e->message, "HTTP 400 040102: processNumber: invalid"));

    /* a code that is not 6 digits: kept as the provider code, no parts */
    static const char *const bad[] = {"4012", "0401020", "04A102", "", "04 102"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char b[160];
        snprintf(b, sizeof b, "{\"operationStatus\":{\"operationStatusCode\":\"%s\",\"operationStatusMessage\":\"x\"}}",
                 bad[i]);
        ts_push(f->srv, TS_ROUTE_API, 400, JSON_CT, b);
        assert_int_equal(sc_process_update(f->c, UID, &body, &out), PONTES_EHTTP);
        e = sc_client_last_error(f->c);
        if (bad[i][0]) assert_string_equal(e->provider_code, bad[i]);
        assert_null(pontes_error_code_part(e, "category"));
        assert_null(pontes_error_code_part_at(e, 0, NULL));
    }
    /* a number instead of a string (its text, "40102": 5 digits): no parts */
    ts_push(f->srv, TS_ROUTE_API, 404, JSON_CT, "{\"operationStatus\":{\"operationStatusCode\":40102}}");
    assert_int_equal(sc_process_update(f->c, UID, &body, &out), PONTES_EHTTP);
    assert_string_equal(sc_client_last_error(f->c)->provider_code, "40102");
    assert_null(pontes_error_code_part(sc_client_last_error(f->c), "category"));

    /* another code: the parts follow the latest error */
    ts_push(f->srv, TS_ROUTE_API, 400, JSON_CT, "{\"operationStatus\":{\"operationStatusCode\":\"990001\"}}");
    assert_int_equal(sc_process_update(f->c, UID, &body, &out), PONTES_EHTTP);
    assert_string_equal(pontes_error_code_part(sc_client_last_error(f->c), "error"), "01");

    /* the next call succeeds: the last error (and its parts) are gone */
    ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT,
            "{\"operationStatus\":{\"operationStatusCode\":\"020101\",\"operationStatusMessage\":\"Process Updated "
            "successfully\"}}");
    assert_int_equal(sc_process_update(f->c, UID, &body, &out), PONTES_OK);
    assert_int_equal(sc_client_last_error(f->c)->status, PONTES_OK);
    assert_null(pontes_error_code_part(sc_client_last_error(f->c), "category"));
    /* D on success: the generated helper splits the response's code */
    char part[8];
    const char *code = out->operation_status->operation_status_code;
    assert_int_equal(sc_status_code_part(code, SC_STATUS_CODE_CATEGORY, part, sizeof part), PONTES_OK);
    assert_string_equal(part, "02");
    assert_int_equal(sc_status_code_part(code, SC_STATUS_CODE_FIELD, part, sizeof part), PONTES_OK);
    assert_string_equal(part, "01");
    assert_int_equal(sc_status_code_part(code, SC_STATUS_CODE_ERROR, part, sizeof part), PONTES_OK);
    assert_string_equal(part, "01");
    sc_operation_status_response_free(out);
    assert_int_equal(ts_request_count(f->srv), 9);
}

static void success_helper_validation(void **state) {
    (void)state;
    char buf[8];
    assert_int_equal(SC_STATUS_CODE_LENGTH, 6);
    assert_int_equal(sc_status_code.part_count, 3);
    assert_string_equal(sc_status_code.member, "operationStatus.operationStatusCode");
    assert_string_equal(sc_status_code.message, "operationStatus.operationStatusMessage");
    assert_int_equal(pontes_status_code_check(&sc_status_code, "000000"), PONTES_OK);
    static const char *const bad[] = {"02010", "0201010", "02010a", "", " 20101", "-20101", "０２０１０１"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(pontes_status_code_check(&sc_status_code, bad[i]), PONTES_EINVAL);
        strcpy(buf, "junk");
        assert_int_equal(sc_status_code_part(bad[i], "field", buf, sizeof buf), PONTES_EINVAL);
        assert_string_equal(buf, "");
    }
    assert_int_equal(sc_status_code_part(NULL, "field", buf, sizeof buf), PONTES_EINVAL);
    assert_int_equal(sc_status_code_part("020101", "nope", buf, sizeof buf), PONTES_EINVAL);
    assert_int_equal(sc_status_code_part("020101", NULL, buf, sizeof buf), PONTES_EINVAL);
    assert_int_equal(sc_status_code_part("020101", "field", NULL, 8), PONTES_EINVAL);
    assert_int_equal(sc_status_code_part("020101", "field", buf, 2), PONTES_EINVAL); /* no room for the NUL */
    assert_string_equal(buf, "");
    assert_int_equal(sc_status_code_part("020101", "field", buf, 3), PONTES_OK);
    assert_string_equal(buf, "01");
    const char *name;
    assert_int_equal(pontes_status_code_part_at(&sc_status_code, "123456", 1, &name, buf, sizeof buf), PONTES_OK);
    assert_string_equal(buf, "34");
    assert_string_equal(name, "field");
    assert_int_equal(pontes_status_code_part_at(&sc_status_code, "123456", 3, &name, buf, sizeof buf), PONTES_EINVAL);
    assert_null(name);
    assert_int_equal(pontes_status_code_check(NULL, "123456"), PONTES_EINVAL);
    /* a description whose parts do not add up to its length is refused */
    pontes_status_code_desc odd = sc_status_code;
    odd.length = 5;
    assert_int_equal(pontes_status_code_check(&odd, "12345"), PONTES_EINVAL);
    /* and an error without parts answers NULL */
    pontes_error err = PONTES_ERROR_INIT;
    assert_null(pontes_error_code_part(&err, "field"));
    assert_null(pontes_error_code_part(NULL, "field"));
    assert_null(pontes_error_code_part_at(NULL, 0, NULL));
}

/* ---- E: an empty 2xx body is a success ------------------------------------------------ */

static void empty_success(void **state) {
    fx *f = *state;
    for (int strict = 0; strict < 2; strict++) {
        if (strict) {
            sc_client_free(f->c);
            assert_int_equal(make_client(f, true), PONTES_OK);
        }
        /* 200 with Content-Length: 0 */
        ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT, "");
        sc_process *p = NULL;
        assert_int_equal(sc_process_detail(f->c, UID, &p), PONTES_OK);
        assert_non_null(p); /* a value the caller can dereference: all absent */
        assert_int_equal(p->_size, sizeof *p);
        assert_int_equal(p->has_process_number, PONTES_ABSENT);
        assert_int_equal(p->has_tags, PONTES_ABSENT);
        assert_int_equal(p->tags.count, 0);
        assert_null(p->tags.items);
        assert_int_equal(p->_extra.count, 0);
        char *json = NULL;
        size_t len = 0;
        pontes_error err = PONTES_ERROR_INIT;
        assert_int_equal(sc_process_encode(p, &json, &len, &err), PONTES_OK);
        assert_string_equal(json, "{}");
        pontes_json_free(json);
        sc_process_free(p);
        assert_int_equal(pontes_client_last_deviations(f->c)->count, 0);
        /* 204 without a body, and a body ended by closing the connection (no Content-Length) */
        ts_push(f->srv, TS_ROUTE_API, 204, NULL, NULL);
        sc_operation_status_response *os = NULL;
        sc_process body = SC_PROCESS_INIT;
        assert_int_equal(sc_process_update(f->c, UID, &body, &os), PONTES_OK);
        assert_non_null(os);
        assert_int_equal(os->has_operation_status, PONTES_ABSENT); /* required, yet absent: no deviation */
        assert_null(os->operation_status);
        sc_operation_status_response_free(os);
        ts_push_ex(f->srv, TS_ROUTE_API, 200, JSON_CT, "", 0, 0, true);
        assert_int_equal(sc_process_detail(f->c, UID, &p), PONTES_OK);
        assert_non_null(p);
        sc_process_free(p);
        /* a union body: kind 0 (unknown), raw NULL */
        ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT, "");
        sc_choice *ch = NULL;
        assert_int_equal(sc_choice_get(f->c, &ch), PONTES_OK);
        assert_non_null(ch);
        assert_int_equal(ch->kind, 0);
        assert_null(ch->raw);
        pontes_free(ch);
        /* a body that is not empty is decoded as usual: blanks or a wrong value fail */
        ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT, " ");
        p = (void *)1;
        assert_int_equal(sc_process_detail(f->c, UID, &p), PONTES_EDECODE);
        assert_null(p);
        ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT, "[]");
        assert_int_equal(sc_process_detail(f->c, UID, &p), PONTES_EDECODE);
        assert_null(p);
    }
}

static void empty_body_without_the_flag(void **state) {
    fx *f = *state;
    /* the same operation without PONTES_OP_EMPTY_SUCCESS: today's behaviour, EDECODE */
    assert_true(sc_op_process_detail.flags & PONTES_OP_EMPTY_SUCCESS);
    pontes_operation op = sc_op_process_detail;
    op.flags &= ~PONTES_OP_EMPTY_SUCCESS;
    ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT, "");
    pontes_request *r = NULL;
    assert_int_equal(pontes_request_new(&r, f->c, &op), PONTES_OK);
    assert_int_equal(pontes_request_param(r, PONTES_IN_PATH, "processUniqueId", UID), PONTES_OK);
    void *out = (void *)1;
    long st = 0;
    assert_int_equal(pontes_request_send(r, &out, &st), PONTES_EDECODE);
    assert_null(out);
    assert_int_equal(st, 200);
    assert_non_null(strstr(sc_client_last_error(f->c)->message, "empty body"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(error_code_parts, setup, teardown),
        cmocka_unit_test(success_helper_validation),
        cmocka_unit_test_setup_teardown(empty_success, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_body_without_the_flag, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
