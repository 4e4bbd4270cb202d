/* The webhooks fixture (fixtures/webhooks.yaml) through the generated code (prefix wh):
 * the webhook receiver (wh_partner_notification_receive), exactly-one-of constraints
 * (oneOf of required members) on decode and encode, x-pontes-idempotent on the wire, a
 * DELETE with a JSON body on the wire, and the Base64 document helpers. */
#define _POSIX_C_SOURCE 200809L
#include "pontes/wh.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "test_server.h"

#define PID "5088c941-7ec7-4ea9-a41f-ac6f041bec62"
#define SID "6f1c2b9e-0d4a-4b8e-9a51-3c2d1e0f9a77"

static const pontes_header json_headers[] = {
    {"content-type", "application/json; charset=UTF-8"},
    {"X-Delivery-Id", "d-1"},
};

static int receive(const char *body, const pontes_header *h, size_t n, const pontes_decode_options *o,
                   wh_partner_notification_notification **out, pontes_error *err) {
    return wh_partner_notification_receive(body, strlen(body), h, n, o, out, err);
}

/* ---- receiver ------------------------------------------------------------ */

static void receive_process_id(void **state) {
    (void)state;
    const char *body = "{\"notificationTypeID\": 3, \"processUniqueId\": \"" PID "\", \"rawBody\": {\"state\": 2}}";
    wh_partner_notification_notification *n = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(receive(body, json_headers, 2, NULL, &n, &err), PONTES_OK);
    assert_non_null(n);
    assert_int_equal(err.status, PONTES_OK);
    assert_non_null(n->body);
    assert_int_equal(n->body->has_notification_type_id, PONTES_SET);
    assert_int_equal(n->body->notification_type_id, 3);
    assert_int_equal(n->body->has_process_unique_id, PONTES_SET);
    assert_string_equal(n->body->process_unique_id, PID);
    assert_int_equal(n->body->has_simulation_unique_id, PONTES_ABSENT);
    assert_int_equal(n->body->has_raw_body, PONTES_SET);
    assert_int_equal(cJSON_GetObjectItem(n->body->raw_body, "state")->valueint, 2);
    assert_string_equal(n->content_type, "application/json; charset=UTF-8");
    assert_string_equal(n->x_delivery_id, "d-1");
    assert_null(n->x_signature);
    assert_int_equal(n->raw_body_len, strlen(body));
    assert_string_equal(n->raw_body, body);
    wh_partner_notification_notification_free(n);
    wh_partner_notification_notification_free(NULL);
}

static void receive_simulation_id(void **state) {
    (void)state;
    const char *body = "{\"simulationUniqueId\":\"" SID "\",\"notificationTypeID\":4}";
    const pontes_header h[] = {{"X-SIGNATURE", "sig=abc"}, {"x-delivery-id", "d-2"}, {NULL, "skipped"},
                               {"Content-Type", "application/json"}};
    wh_partner_notification_notification *n = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    pontes_deviations dev;
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.deviations = &dev;
    assert_int_equal(receive(body, h, 4, &o, &n, &err), PONTES_OK);
    assert_int_equal(dev.count, 0);
    assert_int_equal(n->body->has_simulation_unique_id, PONTES_SET);
    assert_string_equal(n->body->simulation_unique_id, SID);
    assert_int_equal(n->body->has_process_unique_id, PONTES_ABSENT);
    assert_string_equal(n->x_signature, "sig=abc"); /* names match case-insensitively */
    assert_string_equal(n->x_delivery_id, "d-2");
    assert_string_equal(n->content_type, "application/json");
    wh_partner_notification_notification_free(n);

    /* no headers at all: fine (no Content-Type to check); the required X-Delivery-Id is a
       deviation when tolerant, an error when strict */
    assert_int_equal(receive(body, NULL, 0, &o, &n, &err), PONTES_OK);
    assert_null(n->content_type);
    assert_null(n->x_delivery_id);
    assert_int_equal(dev.count, 1);
    assert_string_equal(dev.first[0].path, "header X-Delivery-Id");
    assert_string_equal(dev.first[0].what, "missing required header");
    wh_partner_notification_notification_free(n);
    o.strict = true;
    assert_int_equal(receive(body, NULL, 0, &o, &n, &err), PONTES_EDECODE);
    assert_null(n);
    assert_non_null(strstr(err.message, "missing required header X-Delivery-Id"));
    assert_int_equal(err.http_status, 400);
    pontes_error_clear(&err);
    assert_int_equal(receive(body, json_headers, 2, &o, &n, &err), PONTES_OK); /* strict and conforming */
    wh_partner_notification_notification_free(n);
}

static void expect_error(const char *body, size_t len, const pontes_header *h, size_t nh,
                         const pontes_decode_options *o, int status, long http, const char *msg_part) {
    wh_partner_notification_notification *n = (void *)1;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = wh_partner_notification_receive(body, len, h, nh, o, &n, &err);
    if (rc != status || !err.message || !strstr(err.message, msg_part))
        fail_msg("body %.60s: rc %d, message %s (wanted %d, \"%s\")", body ? body : "(null)", rc,
                 err.message ? err.message : "(none)", status, msg_part);
    assert_null(n);
    assert_int_equal(err.status, status);
    assert_int_equal(err.http_status, http);
    pontes_error_clear(&err);
}

static void receive_both_and_neither(void **state) {
    (void)state;
    const char *both = "{\"notificationTypeID\":4,\"processUniqueId\":\"" PID "\",\"simulationUniqueId\":\"" SID "\"}";
    const char *neither = "{\"notificationTypeID\":4}";
    pontes_decode_options strict = PONTES_DECODE_OPTIONS_INIT;
    strict.strict = true;
    pontes_decode_options tolerant = PONTES_DECODE_OPTIONS_INIT;
    /* always an error for the receiver, tolerant or strict */
    const pontes_decode_options *modes[] = {NULL, &tolerant, &strict};
    for (size_t i = 0; i < 3; i++) {
        expect_error(both, strlen(both), json_headers, 2, modes[i], PONTES_EDECODE, 400,
                     "webhook partnerNotification: $: exactly one of processUniqueId, simulationUniqueId: both present");
        expect_error(neither, strlen(neither), json_headers, 2, modes[i], PONTES_EDECODE, 400,
                     "exactly one of processUniqueId, simulationUniqueId: none present");
    }
    /* present as null counts as present (JSON Schema `required`) */
    const char *with_null = "{\"notificationTypeID\":4,\"processUniqueId\":null,\"simulationUniqueId\":\"" SID "\"}";
    expect_error(with_null, strlen(with_null), json_headers, 2, NULL, PONTES_EDECODE, 400, "both present");
}

static void receive_bad_bodies(void **state) {
    (void)state;
    expect_error("", 0, json_headers, 2, NULL, PONTES_EDECODE, 400, "webhook partnerNotification: empty body");
    expect_error(NULL, 0, NULL, 0, NULL, PONTES_EDECODE, 400, "empty body");
    expect_error(" \r\n\t", 4, json_headers, 2, NULL, PONTES_EDECODE, 400, "empty body");
    expect_error("{\"notificationTypeID\":4,", 24, json_headers, 2, NULL, PONTES_EDECODE, 400, "invalid JSON");
    expect_error("{\"notificationTypeID\":4} x", 26, json_headers, 2, NULL, PONTES_EDECODE, 400, "trailing");
    expect_error("[1,2]", 5, json_headers, 2, NULL, PONTES_EDECODE, 400, "$: expected PartnerNotification");
    expect_error("\"text\"", 6, json_headers, 2, NULL, PONTES_EDECODE, 400, "expected PartnerNotification");
    const char *wrong_type = "{\"notificationTypeID\":\"4\",\"processUniqueId\":\"" PID "\"}";
    expect_error(wrong_type, strlen(wrong_type), json_headers, 2, NULL, PONTES_EDECODE, 400, "$.notificationTypeID");
    expect_error("{\"a\":\"\xff\"}", 9, json_headers, 2, NULL, PONTES_EDECODE, 400, "invalid UTF-8");
    /* NUL bytes inside the body are not JSON */
    expect_error("{\"notificationTypeID\":4}\0", 25, json_headers, 2, NULL, PONTES_EDECODE, 400, "");
    /* NULL arguments */
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(wh_partner_notification_receive("{}", 2, NULL, 0, NULL, NULL, &err), PONTES_EINVAL);
    pontes_error_clear(&err);
    wh_partner_notification_notification *n = NULL;
    assert_int_equal(wh_partner_notification_receive(NULL, 5, NULL, 0, NULL, &n, &err), PONTES_EINVAL);
    assert_int_equal(wh_partner_notification_receive("{}", 2, NULL, 3, NULL, &n, NULL), PONTES_EINVAL);
    assert_null(n);
    pontes_error_clear(&err);
    /* a strict-only deviation: invalid uuid text is kept when tolerant, an error when strict */
    const char *bad_uuid = "{\"notificationTypeID\":4,\"processUniqueId\":\"nope\"}";
    pontes_deviations dev;
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.deviations = &dev;
    assert_int_equal(receive(bad_uuid, json_headers, 2, &o, &n, &err), PONTES_OK);
    assert_string_equal(n->body->process_unique_id, "nope");
    assert_int_equal(dev.count, 1);
    assert_string_equal(dev.first[0].path, "$.processUniqueId");
    wh_partner_notification_notification_free(n);
    o.strict = true;
    expect_error(bad_uuid, strlen(bad_uuid), json_headers, 2, &o, PONTES_EDECODE, 400, "$.processUniqueId");
}

static void receive_content_type(void **state) {
    (void)state;
    const char *body = "{\"notificationTypeID\":4,\"processUniqueId\":\"" PID "\"}";
    const char *bad[] = {"text/plain", "application/x-www-form-urlencoded", "application/jsonx", "",
                         "application/json; charset=iso-8859-1", "application/json;charset=\"latin1\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pontes_header h[] = {{"Content-Type", bad[i]}};
        expect_error(body, strlen(body), h, 1, NULL, PONTES_EDECODE, 415, "webhook partnerNotification: Content-Type");
    }
    const char *good[] = {"application/json", "Application/JSON", " application/json ; charset=\"utf-8\"",
                          "application/json;charset=utf8;foo=bar", "application/json; boundary"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        pontes_header h[] = {{"CONTENT-TYPE", good[i]}, {"Content-Type", "text/plain"} /* the first counts */};
        wh_partner_notification_notification *n = NULL;
        pontes_error err = PONTES_ERROR_INIT;
        if (receive(body, h, 2, NULL, &n, &err) != PONTES_OK) fail_msg("%s: %s", good[i], err.message);
        assert_string_equal(n->content_type, good[i]);
        wh_partner_notification_notification_free(n);
    }
    /* control bytes of a wrong Content-Type are not echoed into the message */
    pontes_header h[] = {{"Content-Type", "text/html\r\nX: y"}};
    wh_partner_notification_notification *n = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(receive(body, h, 1, NULL, &n, &err), PONTES_EDECODE);
    assert_null(strchr(err.message, '\r'));
    assert_null(strchr(err.message, '\n'));
    pontes_error_clear(&err);
}

static void receive_raw_body_exact_and_unknown_members(void **state) {
    (void)state;
    /* a BOM, odd spacing, escapes, a big number and an unknown member */
    const char body[] = "\xEF\xBB\xBF {\n  \"notificationTypeID\" : 7 ,\"extra\":{\"n\":12345678901234567890123,"
                        "\"s\":\"\\u00e7\\n\"},\"processUniqueId\":\"" PID "\" }\r\n";
    size_t len = sizeof body - 1;
    wh_partner_notification_notification *n = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    pontes_deviations dev;
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.deviations = &dev;
    assert_int_equal(wh_partner_notification_receive(body, len, json_headers, 2, &o, &n, &err), PONTES_OK);
    assert_int_equal(n->raw_body_len, len);
    assert_memory_equal(n->raw_body, body, len);
    assert_int_equal(n->raw_body[len], '\0');
    assert_ptr_not_equal(n->raw_body, body); /* a copy, in the notification */
    assert_int_equal(n->body->notification_type_id, 7);
    assert_int_equal(n->body->_extra.count, 1); /* the unknown member is kept */
    assert_string_equal(n->body->_extra.items[0]->string, "extra");
    const cJSON *num = cJSON_GetObjectItem(n->body->_extra.items[0], "n");
    assert_string_equal(num->valuestring, "12345678901234567890123");
    assert_int_equal(dev.count, 1);
    assert_string_equal(dev.first[0].what, "unknown member");
    assert_string_equal(dev.first[0].path, "$.extra");
    /* the decoded body encodes again with the unknown member */
    char *json = NULL;
    assert_int_equal(wh_partner_notification_encode(n->body, &json, NULL, &err), PONTES_OK);
    assert_non_null(strstr(json, "\"extra\":{\"n\":12345678901234567890123,\"s\":\"\xc3\xa7\\n\"}"));
    pontes_json_free(json);
    wh_partner_notification_notification_free(n);
    /* strict: the unknown member is an error */
    o.strict = true;
    expect_error(body, len, json_headers, 2, &o, PONTES_EDECODE, 400, "$.extra: unknown member");
}

/* ---- exactly-one-of in the codec ------------------------------------------ */

static void one_of_decode_modes(void **state) {
    (void)state;
    const char *both = "{\"notificationTypeID\":4,\"processUniqueId\":\"" PID "\",\"simulationUniqueId\":\"" SID "\"}";
    void *v = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    pontes_deviations dev;
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.deviations = &dev;
    /* tolerant: a deviation at the object's path, the value kept */
    assert_int_equal(pontes_decode(&wh_partner_notification__type, both, strlen(both), &o, &v, &err), PONTES_OK);
    assert_int_equal(dev.count, 1);
    assert_string_equal(dev.first[0].path, "$");
    assert_string_equal(dev.first[0].what, "exactly one of processUniqueId, simulationUniqueId: both present");
    wh_partner_notification *pn = v;
    assert_int_equal(pn->has_process_unique_id, PONTES_SET);
    assert_int_equal(pn->has_simulation_unique_id, PONTES_SET);
    /* ... which does not encode: encoding always checks */
    char *json = NULL;
    assert_int_equal(wh_partner_notification_encode(pn, &json, NULL, &err), PONTES_EENCODE);
    assert_null(json);
    assert_string_equal(err.json_path, "$");
    assert_non_null(strstr(err.message, "exactly one of processUniqueId, simulationUniqueId: both present"));
    pontes_error_clear(&err);
    pontes_free(v);
    /* the generated _decode is tolerant too */
    wh_partner_notification *d = NULL;
    assert_int_equal(wh_partner_notification_decode("{\"notificationTypeID\":1}", 24, &d, &err), PONTES_OK);
    wh_partner_notification_free(d);
    /* strict: an error naming the members */
    o.strict = true;
    assert_int_equal(pontes_decode(&wh_partner_notification__type, "{\"notificationTypeID\":1}", 24, &o, &v, &err),
                     PONTES_EDECODE);
    assert_null(v);
    assert_string_equal(err.message, "$: exactly one of processUniqueId, simulationUniqueId: none present");
    pontes_error_clear(&err);
    /* nested: the path of the object */
    assert_int_equal(pontes_decode(&wh_pair__type, "{\"a\":\"x\"}", 9, &o, &v, &err), PONTES_EDECODE);
    assert_string_equal(err.message, "$: exactly one of a + b, c: none present");
    pontes_error_clear(&err);
    assert_int_equal(pontes_decode(&wh_pair__type, "{\"a\":\"x\",\"b\":\"y\"}", 17, &o, &v, &err), PONTES_OK);
    pontes_free(v);
    assert_int_equal(pontes_decode(&wh_pair__type, "{\"c\":\"z\",\"b\":\"y\"}", 17, &o, &v, &err), PONTES_OK);
    pontes_free(v);
}

static void one_of_encode(void **state) {
    (void)state;
    char *json = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    wh_partner_notification pn = WH_PARTNER_NOTIFICATION_INIT;
    PONTES_PUT(pn, notification_type_id, 3);
    assert_int_equal(wh_partner_notification_encode(&pn, &json, NULL, &err), PONTES_EENCODE);
    assert_string_equal(err.message, "$: exactly one of processUniqueId, simulationUniqueId: none present");
    pontes_error_clear(&err);
    PONTES_PUT(pn, process_unique_id, PID);
    assert_int_equal(wh_partner_notification_encode(&pn, &json, NULL, &err), PONTES_OK);
    assert_string_equal(json, "{\"notificationTypeID\":3,\"processUniqueId\":\"" PID "\"}");
    pontes_json_free(json);
    PONTES_PUT(pn, simulation_unique_id, SID);
    assert_int_equal(wh_partner_notification_encode(&pn, &json, NULL, &err), PONTES_EENCODE);
    assert_non_null(strstr(err.message, "both present"));
    pontes_error_clear(&err);
    PONTES_CLEAR(pn, process_unique_id);
    assert_int_equal(wh_partner_notification_encode(&pn, &json, NULL, &err), PONTES_OK);
    pontes_json_free(json);
    /* two-member alternative: a alone does not hold it */
    wh_pair p = WH_PAIR_INIT;
    PONTES_PUT(p, a, "x");
    assert_int_equal(wh_pair_encode(&p, &json, NULL, &err), PONTES_EENCODE);
    pontes_error_clear(&err);
    PONTES_PUT(p, b, "y");
    assert_int_equal(wh_pair_encode(&p, &json, NULL, &err), PONTES_OK);
    pontes_json_free(json);
    PONTES_PUT(p, c, "z");
    assert_int_equal(wh_pair_encode(&p, &json, NULL, &err), PONTES_EENCODE);
    assert_non_null(strstr(err.message, "exactly one of a + b, c: both present"));
    pontes_error_clear(&err);
}

/* ---- on the wire ------------------------------------------------------------ */

typedef struct wire {
    ts_server *srv;
    wh_client *c;
} wire;

static int wire_setup(void **state) {
    wire *w = calloc(1, sizeof *w);
    w->srv = ts_start();
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(w->srv);
    o.max_retries = 2;
    o.retry_base_ms = 1;
    o.retry_max_ms = 5;
    o.timeout_ms = 20000;
    if (wh_client_new(&w->c, &o) != PONTES_OK) return -1;
    *state = w;
    return 0;
}

static int wire_teardown(void **state) {
    wire *w = *state;
    wh_client_free(w->c);
    ts_stop(w->srv);
    free(w);
    return 0;
}

#define OK_BODY "{\"operationStatus\":{\"operationStatusCode\":\"020101\"}}"

static void idempotent_get_retried(void **state) {
    wire *w = *state;
    ts_push(w->srv, TS_ROUTE_API, 503, NULL, "busy");
    ts_push(w->srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    wh_operation_status_response *out = NULL;
    assert_int_equal(wh_process_detail(w->c, PID, &out), PONTES_OK);
    assert_int_equal(ts_request_count(w->srv), 2);
    assert_string_equal(out->operation_status->operation_status_code, "020101");
    wh_operation_status_response_free(out);
}

static void side_effect_get_not_retried(void **state) {
    wire *w = *state;
    assert_true((wh_op_process_esis_email.flags & PONTES_OP_IDEMPOTENT) == 0);
    assert_true((wh_op_process_esis_email.flags & PONTES_OP_SIDE_EFFECT) != 0);
    const int statuses[] = {503, 429, 502};
    for (size_t i = 0; i < 3; i++) {
        size_t before = ts_request_count(w->srv);
        ts_push(w->srv, TS_ROUTE_API, statuses[i], "Retry-After: 0\r\n", "busy");
        ts_push(w->srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
        wh_process_esis_email_params prm = WH_PROCESS_ESIS_EMAIL_PARAMS_INIT;
        prm.send_address = "a@b.pt";
        wh_operation_status_response *out = NULL;
        assert_int_equal(wh_process_esis_email(w->c, PID, &prm, &out), PONTES_EHTTP);
        assert_null(out);
        assert_int_equal(ts_request_count(w->srv) - before, 1); /* sent once: an e-mail may have gone */
        assert_int_equal(wh_client_last_error(w->c)->http_status, statuses[i]);
        assert_int_equal(wh_client_last_error(w->c)->attempts, 1);
        /* the queued 200 is still there: take it */
        assert_int_equal(wh_process_esis_email(w->c, PID, &prm, &out), PONTES_OK);
        wh_operation_status_response_free(out);
    }
    const ts_request *rq = ts_get(w->srv, ts_request_count(w->srv) - 1);
    assert_string_equal(rq->method, "GET");
    assert_non_null(strstr(rq->target, "/esis/email?sendAddress=a%40b.pt"));
    /* with an Idempotency-Key the server deduplicates: retried */
    size_t before = ts_request_count(w->srv);
    ts_push(w->srv, TS_ROUTE_API, 503, NULL, "busy");
    ts_push(w->srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    pontes_call_options co = PONTES_CALL_OPTIONS_INIT;
    co.idempotency_key = "k-1";
    wh_process_esis_email_params prm = WH_PROCESS_ESIS_EMAIL_PARAMS_INIT;
    prm.send_address = "a@b.pt";
    wh_operation_status_response *out = NULL;
    assert_int_equal(wh_process_esis_email_ex(w->c, PID, &prm, &out, &co), PONTES_OK);
    assert_int_equal(ts_request_count(w->srv) - before, 2);
    wh_operation_status_response_free(out);
}

static void idempotent_true_post_retried(void **state) {
    wire *w = *state;
    assert_true((wh_op_callback_echo.flags & PONTES_OP_IDEMPOTENT) != 0);
    ts_push(w->srv, TS_ROUTE_API, 502, NULL, "bad gateway"); /* 502: retried for idempotent calls only */
    ts_push(w->srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    wh_partner_notification pn = WH_PARTNER_NOTIFICATION_INIT;
    PONTES_PUT(pn, notification_type_id, 3);
    PONTES_PUT(pn, process_unique_id, PID);
    wh_operation_status_response *out = NULL;
    assert_int_equal(wh_callback_echo(w->c, "p-1", &pn, &out), PONTES_OK);
    assert_int_equal(ts_request_count(w->srv), 2);
    wh_operation_status_response_free(out);
    /* both ids: refused before anything is sent */
    PONTES_PUT(pn, simulation_unique_id, SID);
    assert_int_equal(wh_callback_echo(w->c, "p-1", &pn, &out), PONTES_EENCODE);
    assert_null(out);
    const pontes_error *e = wh_client_last_error(w->c);
    assert_non_null(strstr(e->message, "exactly one of processUniqueId, simulationUniqueId: both present"));
    assert_int_equal(ts_request_count(w->srv), 2);
}

static void delete_with_body(void **state) {
    wire *w = *state;
    ts_push(w->srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    wh_process_cancel_request body = WH_PROCESS_CANCEL_REQUEST_INIT;
    PONTES_PUT(body, process_cancel_reason_id, 12);
    wh_operation_status_response *out = NULL;
    assert_int_equal(wh_process_cancel(w->c, PID, &body, &out), PONTES_OK);
    wh_operation_status_response_free(out);
    assert_int_equal(ts_request_count(w->srv), 1);
    const ts_request *rq = ts_get(w->srv, 0);
    assert_string_equal(rq->method, "DELETE");
    assert_string_equal(rq->target, "/v1/processes/" PID "/cancel");
    assert_int_equal(rq->body_len, strlen("{\"processCancelReasonID\":12}"));
    assert_memory_equal(rq->body, "{\"processCancelReasonID\":12}", rq->body_len);
    assert_non_null(strstr(rq->head, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(rq->head, "\r\nContent-Length: 28\r\n"));
    /* idempotent by method: a 502 is retried and the body sent again */
    ts_push(w->srv, TS_ROUTE_API, 502, NULL, "x");
    ts_push(w->srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    assert_int_equal(wh_process_cancel(w->c, PID, &body, &out), PONTES_OK);
    wh_operation_status_response_free(out);
    assert_int_equal(ts_request_count(w->srv), 3);
    assert_memory_equal(ts_get(w->srv, 2)->body, "{\"processCancelReasonID\":12}", 28);
    assert_string_equal(ts_get(w->srv, 2)->method, "DELETE");
    /* the required member is checked before sending */
    wh_process_cancel_request empty = WH_PROCESS_CANCEL_REQUEST_INIT;
    assert_int_equal(wh_process_cancel(w->c, PID, &empty, &out), PONTES_EENCODE);
    assert_int_equal(ts_request_count(w->srv), 3);
}

/* ---- Base64 documents --------------------------------------------------------- */

static char tmpdir[256];

static int dir_setup(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s/pontes-b64.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static size_t dir_entries(void) {
    DIR *d = opendir(tmpdir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    if (d) closedir(d);
    return n;
}

static int dir_teardown(void **state) {
    (void)state;
    DIR *d = opendir(tmpdir);
    char p[512];
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    rmdir(tmpdir);
    return 0;
}

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1024, n = 0;
    unsigned char *b = malloc(cap);
    for (size_t r; (r = fread(b + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap) b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

static void base64_round_trip(void **state) {
    (void)state;
    unsigned seed = 12345;
    const size_t sizes[] = {0, 1, 2, 3, 4, 5, 57, 1000, 65535, 65536, 200001};
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/in.bin", tmpdir);
    snprintf(out, sizeof out, "%s/out.pdf", tmpdir);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        unsigned char *data = malloc(n + 1);
        for (size_t i = 0; i < n; i++) data[i] = (unsigned char)((seed = seed * 1103515245u + 12345u) >> 16);
        FILE *f = fopen(in, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        fclose(f);
        char *b64 = NULL;
        size_t blen = 0;
        pontes_error err = PONTES_ERROR_INIT;
        assert_int_equal(pontes_file_to_base64(in, &b64, &blen, &err), PONTES_OK);
        assert_int_equal(blen, (n + 2) / 3 * 4);
        assert_int_equal(strlen(b64), blen);
        uint64_t size = 99;
        if (pontes_base64_to_file(b64, blen, out, &size, &err) != PONTES_OK) fail_msg("n %zu: %s", n, err.message);
        assert_int_equal(size, n);
        size_t got_n = 0;
        unsigned char *got = read_all(out, &got_n);
        assert_int_equal(got_n, n);
        if (n) assert_memory_equal(got, data, n);
        free(got);
        /* the same text with line breaks every 76 characters (MIME style) and no padding */
        size_t wl = 0;
        char *wrapped = malloc(blen + blen / 76 * 2 + 4);
        for (size_t i = 0; i < blen; i++) {
            if (b64[i] == '=') break;
            if (i && i % 76 == 0) {
                wrapped[wl++] = '\r';
                wrapped[wl++] = '\n';
            }
            wrapped[wl++] = b64[i];
        }
        wrapped[wl++] = '\n';
        if (pontes_base64_to_file(wrapped, wl, out, &size, &err) != PONTES_OK)
            fail_msg("n %zu: %s", n, err.message);
        assert_int_equal(size, n);
        got = read_all(out, &got_n);
        assert_int_equal(got_n, n);
        if (n) assert_memory_equal(got, data, n);
        free(got);
        free(wrapped);
        pontes_json_free(b64);
        free(data);
    }
    assert_int_equal(dir_entries(), 2); /* in.bin and out.pdf: no temporary files left */
}

static void base64_invalid_leaves_nothing(void **state) {
    (void)state;
    char out[512];
    snprintf(out, sizeof out, "%s/esis.pdf", tmpdir);
    size_t before = dir_entries();
    const char *bad[] = {"QUJD*", "QUJD-RA==", "QQ=A", "QUJDR", "Q", "QQ===", "QUJD\fRA==", "QQ=", "=QUJ"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pontes_error err = PONTES_ERROR_INIT;
        uint64_t size = 7;
        if (pontes_base64_to_file(bad[i], strlen(bad[i]), out, &size, &err) != PONTES_EINVAL)
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(size, 0);
        assert_non_null(strstr(err.message, "invalid Base64"));
        assert_non_null(strstr(err.message, out));
        pontes_error_clear(&err);
        assert_int_equal(access(out, F_OK), -1);
        assert_int_equal(dir_entries(), before);
    }
    /* an invalid character late in a long text (after the first chunk was written) */
    size_t n = 300000;
    char *big = malloc(n);
    memset(big, 'A', n);
    big[n - 10] = '!';
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(pontes_base64_to_file(big, n, out, NULL, &err), PONTES_EINVAL);
    assert_non_null(strstr(err.message, "at byte 299990"));
    pontes_error_clear(&err);
    free(big);
    assert_int_equal(dir_entries(), before);
    /* an existing file is left as it was on failure, replaced on success */
    FILE *f = fopen(out, "wb");
    fputs("old", f);
    fclose(f);
    assert_int_equal(pontes_base64_to_file("QUJD!", 5, out, NULL, NULL), PONTES_EINVAL);
    size_t got_n = 0;
    unsigned char *got = read_all(out, &got_n);
    assert_int_equal(got_n, 3);
    assert_memory_equal(got, "old", 3);
    free(got);
    assert_int_equal(pontes_base64_to_file("QUJD", 4, out, NULL, NULL), PONTES_OK);
    got = read_all(out, &got_n);
    assert_int_equal(got_n, 3);
    assert_memory_equal(got, "ABC", 3);
    free(got);
    unlink(out);
}

static void base64_bad_paths(void **state) {
    (void)state;
    pontes_error err = PONTES_ERROR_INIT;
    char p[512];
    snprintf(p, sizeof p, "%s/no-such-dir/x.pdf", tmpdir);
    assert_int_equal(pontes_base64_to_file("QUJD", 4, p, NULL, &err), PONTES_EINVAL);
    assert_non_null(strstr(err.message, "no-such-dir/x.pdf"));
    pontes_error_clear(&err);
    if (geteuid() != 0) { /* root writes anywhere */
        char ro[300];
        snprintf(ro, sizeof ro, "%s/ro", tmpdir);
        assert_int_equal(mkdir(ro, 0500), 0);
        snprintf(p, sizeof p, "%s/x.pdf", ro);
        assert_int_equal(pontes_base64_to_file("QUJD", 4, p, NULL, &err), PONTES_EINVAL);
        assert_non_null(strstr(err.message, "cannot create"));
        pontes_error_clear(&err);
        rmdir(ro);
    }
    assert_int_equal(pontes_base64_to_file("QUJD", 4, NULL, NULL, &err), PONTES_EINVAL);
    pontes_error_clear(&err);
    assert_int_equal(pontes_base64_to_file(NULL, 4, "x", NULL, &err), PONTES_EINVAL);
    pontes_error_clear(&err);
    char *b64 = (char *)1;
    assert_int_equal(pontes_file_to_base64(p, &b64, NULL, &err), PONTES_EINVAL);
    assert_null(b64);
    assert_non_null(strstr(err.message, "cannot open"));
    pontes_error_clear(&err);
    assert_int_equal(pontes_file_to_base64(tmpdir, &b64, NULL, &err), PONTES_EINVAL); /* a directory */
    pontes_error_clear(&err);
    /* empty text: an empty file */
    snprintf(p, sizeof p, "%s/empty", tmpdir);
    uint64_t size = 5;
    assert_int_equal(pontes_base64_to_file(NULL, 0, p, &size, &err), PONTES_OK);
    assert_int_equal(size, 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 0);
    unlink(p);
}

int main(void) {
    const struct CMUnitTest receiver[] = {
        cmocka_unit_test(receive_process_id),
        cmocka_unit_test(receive_simulation_id),
        cmocka_unit_test(receive_both_and_neither),
        cmocka_unit_test(receive_bad_bodies),
        cmocka_unit_test(receive_content_type),
        cmocka_unit_test(receive_raw_body_exact_and_unknown_members),
        cmocka_unit_test(one_of_decode_modes),
        cmocka_unit_test(one_of_encode),
    };
    const struct CMUnitTest wire_tests[] = {
        cmocka_unit_test_setup_teardown(idempotent_get_retried, wire_setup, wire_teardown),
        cmocka_unit_test_setup_teardown(side_effect_get_not_retried, wire_setup, wire_teardown),
        cmocka_unit_test_setup_teardown(idempotent_true_post_retried, wire_setup, wire_teardown),
        cmocka_unit_test_setup_teardown(delete_with_body, wire_setup, wire_teardown),
    };
    const struct CMUnitTest files[] = {
        cmocka_unit_test(base64_round_trip),
        cmocka_unit_test(base64_invalid_leaves_nothing),
        cmocka_unit_test(base64_bad_paths),
    };
    int rc = cmocka_run_group_tests_name("receiver", receiver, NULL, NULL);
    rc |= cmocka_run_group_tests_name("wire", wire_tests, NULL, NULL);
    rc |= cmocka_run_group_tests_name("base64 files", files, dir_setup, dir_teardown);
    return rc;
}
