/* Session schemes (x-pontes-auth style session, runtime/src/auth_session.c) through the
 * generated fixture library tests/generator/fixtures/session_auth.yaml (prefix sess) against
 * the in-process test server: the login the runtime sends by itself (both answer shapes),
 * the bearer on later calls, idle expiry with a fake clock, renewal by successful calls, one
 * re-login on a 401, a second 401, a refused login, header-name overrides, the token of a
 * direct call of the login operation, secrets absent from logs and errors, bad arguments. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "pontes/sess.h"
#include "test_server.h"

#define JSON "Content-Type: application/json\r\n"
#define SCHEME "sessionAuth"
#define LOGIN_PATH "/token/authenticate"

/* credentials: distinctive values, searched for in logs and errors */
#define CID "cid-7f3a91"
#define CSECRET "S3cr3t/\"value+9"
#define BROKER "broker-55012"
#define USER "user.q@example.com"

typedef struct logbuf {
    char *text;
    size_t len;
} logbuf;

static void log_hook(void *user, pontes_log_level lvl, const char *msg) {
    (void)lvl;
    logbuf *b = user;
    size_t n = strlen(msg);
    char *t = realloc(b->text, b->len + n + 2);
    if (!t) return;
    b->text = t;
    memcpy(b->text + b->len, msg, n);
    b->len += n;
    b->text[b->len++] = '\n';
    b->text[b->len] = '\0';
}

static int64_t g_now = 1700000000;
static int64_t fake_clock(void *user) {
    (void)user;
    return g_now;
}

typedef struct fx {
    ts_server *srv;
    sess_client *c;
    logbuf log;
} fx;

static void set_all(sess_client *c) {
    assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "client_id", CID), PONTES_OK);
    assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "client_secret", CSECRET), PONTES_OK);
    assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "broker_id", BROKER), PONTES_OK);
    assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "username", USER), PONTES_OK);
    assert_int_equal(pontes_client_set_session_clock(c, SCHEME, fake_clock, NULL), PONTES_OK);
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->srv = ts_start();
    assert_non_null(f->srv);
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(f->srv);
    o.timeout_ms = 5000;
    o.max_retries = 0;
    o.log = log_hook;
    o.log_user = &f->log;
    o.log_level = PONTES_LOG_DEBUG;
    assert_int_equal(sess_client_new(&f->c, &o), PONTES_OK);
    g_now = 1700000000;
    set_all(f->c);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    sess_client_free(f->c);
    ts_stop(f->srv);
    free(f->log.text);
    free(f);
    return 0;
}

/* The value of header `name` in recorded request i (static buffer), or NULL. */
static const char *header_of(fx *f, size_t i, const char *name) {
    static char v[1024];
    const ts_request *r = ts_get(f->srv, i);
    if (!r || !r->head) return NULL;
    size_t nl = strlen(name);
    for (const char *p = r->head; *p;) {
        const char *e = strstr(p, "\r\n");
        size_t ll = e ? (size_t)(e - p) : strlen(p);
        if (ll > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *s = p + nl + 1;
            while (*s == ' ') s++;
            size_t n = (size_t)(p + ll - s);
            if (n >= sizeof v) n = sizeof v - 1;
            memcpy(v, s, n);
            v[n] = '\0';
            return v;
        }
        if (!e) break;
        p = e + 2;
    }
    return NULL;
}

static int list(fx *f) {
    sess_item_list_response *out = NULL;
    int rc = sess_item_list(f->c, &out);
    sess_item_list_response_free(out);
    return rc;
}

static void push_login(fx *f, const char *token) {
    char body[256];
    snprintf(body, sizeof body, "{\"sessionToken\":\"%s\"}", token);
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, JSON, body);
}

static void push_ok(fx *f) { ts_push(f->srv, TS_ROUTE_API, 200, JSON, "{\"count\":1}"); }

static bool is_login(fx *f, size_t i) {
    const ts_request *r = ts_get(f->srv, i);
    return r && strcmp(r->method, "POST") == 0 && strcmp(r->target, LOGIN_PATH) == 0;
}

static void assert_login_request(fx *f, size_t i) {
    assert_true(is_login(f, i));
    assert_string_equal(header_of(f, i, "xClientID"), CID);
    assert_string_equal(header_of(f, i, "xClientSecret"), CSECRET);
    assert_string_equal(header_of(f, i, "xBrokerUID"), BROKER);
    assert_string_equal(header_of(f, i, "xUsername"), USER);
    assert_null(header_of(f, i, "Authorization"));
}

/* ---- answer shapes, bearer --------------------------------------------------------- */
static void test_bare_string_token(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, JSON, "\"tok-bare.A1\"");
    push_ok(f);
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_int_equal(list(f), PONTES_OK);
    assert_int_equal(ts_request_count(f->srv), 3);
    assert_login_request(f, 0);
    assert_string_equal(header_of(f, 1, "Authorization"), "Bearer tok-bare.A1");
    assert_string_equal(ts_get(f->srv, 1)->target, "/v1/items");
    assert_string_equal(header_of(f, 2, "Authorization"), "Bearer tok-bare.A1");
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 1);
    bool has = false;
    int64_t last = 0;
    assert_int_equal(pontes_client_session_state(f->c, SCHEME, &has, &last), PONTES_OK);
    assert_true(has);
    assert_int_equal(last, g_now);
}

static void test_object_token(void **state) {
    fx *f = *state;
    push_login(f, "tok-obj.B2");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_login_request(f, 0);
    assert_string_equal(header_of(f, 1, "Authorization"), "Bearer tok-obj.B2");
}

static void test_bad_answers(void **state) {
    fx *f = *state;
    const char *bad[] = {"{\"other\":\"x\"}", "[\"tok\"]", "42", "not json", "\"\"", "{\"sessionToken\":7}",
                         "\"has space\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ts_push(f->srv, TS_ROUTE_TOKEN, 200, JSON, bad[i]);
        assert_int_equal(list(f), PONTES_EAUTH);
        const pontes_error *e = sess_client_last_error(f->c);
        assert_non_null(strstr(e->message, "session login for scheme " SCHEME));
        assert_non_null(strstr(e->message, "no token"));
    }
    /* the member is named when an object lacks it */
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, JSON, "{\"token\":\"x\"}");
    assert_int_equal(list(f), PONTES_EAUTH);
    assert_non_null(strstr(sess_client_last_error(f->c)->message, "sessionToken"));
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 0); /* the call itself never went out */
}

/* ---- idle expiry and renewal ---------------------------------------------------------- */
static void test_idle_expiry(void **state) {
    fx *f = *state;
    push_login(f, "tok-1");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    g_now += 1739; /* idle 1739 < 1800 - 60: the session is kept */
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 1);
    g_now += 1740; /* idle 1740 >= 1800 - 60: log in again before the call */
    push_login(f, "tok-2");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_int_equal(ts_request_count(f->srv), 5);
    assert_true(is_login(f, 0));
    assert_false(is_login(f, 1));
    assert_false(is_login(f, 2));
    assert_login_request(f, 3);
    assert_string_equal(header_of(f, 4, "Authorization"), "Bearer tok-2");
    assert_non_null(strstr(f->log.text, "idle for 1740 s"));
}

static void test_renewal(void **state) {
    fx *f = *state;
    push_login(f, "tok-r");
    for (int i = 0; i <= 6; i++) { /* every 20 minutes for 2 hours */
        push_ok(f);
        assert_int_equal(list(f), PONTES_OK);
        int64_t last = 0;
        assert_int_equal(pontes_client_session_state(f->c, SCHEME, NULL, &last), PONTES_OK);
        assert_int_equal(last, g_now);
        g_now += 1200;
    }
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 1);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 7);
    assert_string_equal(header_of(f, 7, "Authorization"), "Bearer tok-r");
}

/* a failed call does not renew: the idle time counts from the last success */
static void test_failure_does_not_renew(void **state) {
    fx *f = *state;
    push_login(f, "tok-f");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    int64_t t0 = g_now;
    g_now += 1000;
    ts_push(f->srv, TS_ROUTE_API, 404, JSON, "{\"code\":\"NF\",\"message\":\"no\"}");
    assert_int_equal(list(f), PONTES_EHTTP);
    int64_t last = 0;
    assert_int_equal(pontes_client_session_state(f->c, SCHEME, NULL, &last), PONTES_OK);
    assert_int_equal(last, t0);
    g_now += 740; /* 1740 since the last success */
    push_login(f, "tok-g");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 2);
}

/* ---- 401 ----------------------------------------------------------------------------- */
static void test_reauth_once_on_401(void **state) {
    fx *f = *state;
    push_login(f, "tok-old");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    /* the server forgot the session: a POST refused with 401 is logged in again and resent once */
    ts_push(f->srv, TS_ROUTE_API, 401, JSON, "{\"code\":\"401\",\"message\":\"session expired\"}");
    push_login(f, "tok-new");
    ts_push(f->srv, TS_ROUTE_API, 201, JSON, "{\"count\":2}");
    sess_item_create_request body = SESS_ITEM_CREATE_REQUEST_INIT;
    body.name = "n";
    body.has_name = PONTES_SET;
    sess_item_create_response *out = NULL;
    assert_int_equal(sess_item_create(f->c, &body, &out), PONTES_OK);
    assert_non_null(out);
    assert_int_equal(out->count, 2);
    sess_item_create_response_free(out);
    assert_int_equal(ts_request_count(f->srv), 5);
    assert_string_equal(header_of(f, 2, "Authorization"), "Bearer tok-old");
    assert_login_request(f, 3);
    assert_string_equal(ts_get(f->srv, 4)->method, "POST");
    assert_string_equal(ts_get(f->srv, 4)->body, "{\"name\":\"n\"}");
    assert_string_equal(header_of(f, 4, "Authorization"), "Bearer tok-new");
    assert_int_equal(sess_client_last_error(f->c)->attempts, 2);
}

static void test_two_401(void **state) {
    fx *f = *state;
    push_login(f, "tok-a");
    ts_push(f->srv, TS_ROUTE_API, 401, JSON, "{\"code\":\"401\",\"message\":\"no\"}");
    push_login(f, "tok-b");
    ts_push(f->srv, TS_ROUTE_API, 401, JSON, "{\"code\":\"401\",\"message\":\"still no\"}");
    assert_int_equal(list(f), PONTES_EAUTH);
    const pontes_error *e = sess_client_last_error(f->c);
    assert_int_equal(e->http_status, 401);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 2);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 2);
    bool has = true;
    assert_int_equal(pontes_client_session_state(f->c, SCHEME, &has, NULL), PONTES_OK);
    assert_false(has); /* the refused token is not kept */
}

static void test_login_401(void **state) {
    fx *f = *state;
    ts_push(f->srv, TS_ROUTE_TOKEN, 401, JSON,
            "{\"code\":\"AUTH01\",\"message\":\"broker does not belong to the master\"}");
    assert_int_equal(list(f), PONTES_EAUTH);
    const pontes_error *e = sess_client_last_error(f->c);
    assert_int_equal(e->http_status, 401);
    assert_non_null(strstr(e->message, "broker does not belong to the master"));
    assert_non_null(strstr(e->message, "session login for scheme " SCHEME));
    assert_string_equal(e->provider_code, "AUTH01");
    assert_string_equal(e->operation_id, "Authenticate");
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 0);
}

/* ---- header names, direct login, set token -------------------------------------------- */
static void test_header_override(void **state) {
    fx *f = *state;
    assert_int_equal(pontes_client_set_session_header(f->c, SCHEME, "broker_id", "brokerID"), PONTES_OK);
    assert_int_equal(pontes_client_set_session_header(f->c, SCHEME, "username", "username"), PONTES_OK);
    push_login(f, "tok-h");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_string_equal(header_of(f, 0, "brokerID"), BROKER);
    assert_string_equal(header_of(f, 0, "username"), USER);
    assert_null(header_of(f, 0, "xBrokerUID"));
    assert_null(header_of(f, 0, "xUsername"));
    assert_string_equal(header_of(f, 0, "xClientID"), CID);
    /* NULL restores the spec's name */
    assert_int_equal(pontes_client_set_session_header(f->c, SCHEME, "broker_id", NULL), PONTES_OK);
    assert_int_equal(pontes_client_set_session_token(f->c, SCHEME, NULL), PONTES_OK);
    push_login(f, "tok-h2");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_string_equal(header_of(f, 2, "xBrokerUID"), BROKER);
    assert_null(header_of(f, 2, "brokerID"));
}

static void test_direct_login_captured(void **state) {
    fx *f = *state;
    push_login(f, "tok-direct");
    sess_authenticate_params p = SESS_AUTHENTICATE_PARAMS_INIT;
    p.x_client_id = CID;
    p.x_client_secret = CSECRET;
    p.x_broker_uid = BROKER;
    p.x_username = USER;
    sess_authenticate_response *out = NULL;
    assert_int_equal(sess_authenticate(f->c, &p, &out), PONTES_OK);
    assert_string_equal(out->session_token, "tok-direct");
    sess_authenticate_response_free(out);
    bool has = false;
    assert_int_equal(pontes_client_session_state(f->c, SCHEME, &has, NULL), PONTES_OK);
    assert_true(has);
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 1); /* no login of its own */
    assert_string_equal(header_of(f, 1, "Authorization"), "Bearer tok-direct");
    /* a direct login whose answer has no token: EAUTH, the held token kept */
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, JSON, "{\"nothing\":true}");
    out = NULL;
    assert_int_equal(sess_authenticate(f->c, &p, &out), PONTES_EAUTH);
    assert_null(out);
    assert_non_null(strstr(sess_client_last_error(f->c)->message, "no session token"));
}

static void test_set_token_and_authenticate(void **state) {
    fx *f = *state;
    assert_int_equal(pontes_client_set_session_token(f->c, SCHEME, "tok-restored"), PONTES_OK);
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 0);
    assert_string_equal(header_of(f, 0, "Authorization"), "Bearer tok-restored");
    /* pontes_client_authenticate logs in now */
    push_login(f, "tok-eager");
    assert_int_equal(pontes_client_authenticate(f->c, SCHEME), PONTES_OK);
    assert_login_request(f, 1);
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_string_equal(header_of(f, 2, "Authorization"), "Bearer tok-eager");
    /* a new credential drops the session */
    assert_int_equal(pontes_client_set_session_credential(f->c, SCHEME, "username", "other@example.com"), PONTES_OK);
    bool has = true;
    assert_int_equal(pontes_client_session_state(f->c, SCHEME, &has, NULL), PONTES_OK);
    assert_false(has);
    /* an operation without security never logs in */
    ts_push(f->srv, TS_ROUTE_API, 200, NULL, "");
    assert_int_equal(sess_public_get(f->c), PONTES_OK);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_TOKEN), 1);
    assert_null(header_of(f, 3, "Authorization"));
}

/* the login spends the call's time budget: a slow login ends the call at its timeout */
static void test_login_within_budget(void **state) {
    fx *f = *state;
    ts_push_ex(f->srv, TS_ROUTE_TOKEN, 200, JSON, "\"tok-slow\"", 10, 2000, false);
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.timeout_ms = 300;
    sess_item_list_response *out = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = sess_item_list_ex(f->c, &out, &o);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_null(out);
    assert_int_equal(rc, PONTES_ETIMEOUT);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1000.0 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    assert_true(ms < 1500);
    assert_int_equal(ts_route_count(f->srv, TS_ROUTE_API), 0);
    bool has = true;
    assert_int_equal(pontes_client_session_state(f->c, SCHEME, &has, NULL), PONTES_OK);
    assert_false(has);
}

/* ---- secrets --------------------------------------------------------------------------- */
static void assert_clean(const char *s, const char *what) {
    if (!s) return;
    const char *secrets[] = {CID, CSECRET, BROKER, USER, "tok-secret.Z9", "S3cr3t/\\\"value+9", "S3cr3t\\/\\\"value+9",
                             "S3cr3t%2F%22value%2B9"};
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        if (strstr(s, secrets[i])) fail_msg("%s contains secret %s: %s", what, secrets[i], s);
}

static void assert_error_clean(const pontes_error *e) {
    assert_clean(e->message, "message");
    assert_clean(e->provider_code, "provider_code");
    assert_clean(e->provider_message, "provider_message");
    assert_clean(e->request_id, "request_id");
    assert_clean(e->curl_message, "curl_message");
    assert_clean(e->json_path, "json_path");
    assert_clean(e->expected, "expected");
    assert_clean(e->body, "body");
    for (size_t i = 0; i < e->field_error_count; i++) {
        assert_clean(e->field_errors[i].key, "field key");
        assert_clean(e->field_errors[i].message, "field message");
    }
}

static void test_secrets_redacted(void **state) {
    fx *f = *state;
    /* a gateway that echoes the credentials and the token in its error texts */
    ts_push(f->srv, TS_ROUTE_TOKEN, 200, JSON, "\"tok-secret.Z9\"");
    ts_push(f->srv, TS_ROUTE_API, 401, JSON,
            "{\"code\":\"tok-secret.Z9\",\"message\":\"bad token tok-secret.Z9 for " CID "\"}");
    ts_push(f->srv, TS_ROUTE_TOKEN, 401, JSON,
            "{\"code\":\"" USER "\",\"message\":\"bad secret S3cr3t/\\\"value+9 of " BROKER
            " (S3cr3t%2F%22value%2B9)\"}");
    assert_int_equal(list(f), PONTES_EAUTH);
    const pontes_error *e = sess_client_last_error(f->c);
    assert_int_equal(e->http_status, 401);
    assert_non_null(strstr(e->message, "bad secret"));
    assert_error_clean(e);
    /* DEBUG lines of the login request's headers exist, redacted */
    assert_non_null(f->log.text);
    assert_non_null(strstr(f->log.text, "> xClientSecret:"));
    assert_non_null(strstr(f->log.text, "> Authorization:"));
    assert_clean(f->log.text, "log");
    /* a login refused: error strings clean too */
    ts_push(f->srv, TS_ROUTE_TOKEN, 403, JSON, "{\"code\":\"X\",\"message\":\"S3cr3t\\/\\\"value+9\"}");
    assert_int_equal(list(f), PONTES_EAUTH);
    assert_error_clean(sess_client_last_error(f->c));
    assert_clean(f->log.text, "log");
}

/* ---- bad arguments ---------------------------------------------------------------------- */
static void test_bad_arguments(void **state) {
    fx *f = *state;
    const pontes_error *e = sess_client_last_error(f->c);
    assert_int_equal(pontes_client_set_session_credential(f->c, "nope", "client_id", "x"), PONTES_EINVAL);
    assert_non_null(strstr(e->message, "scheme nope is not a session scheme of API sess"));
    assert_non_null(strstr(e->message, SCHEME));
    assert_int_equal(pontes_client_set_session_credential(f->c, SCHEME, "password", "x"), PONTES_EINVAL);
    assert_non_null(strstr(e->message, "has no credential role password"));
    assert_non_null(strstr(e->message, "client_id, client_secret, broker_id, username"));
    assert_int_equal(pontes_client_set_session_credential(f->c, SCHEME, "client_secret", "a\r\nX-Evil: 1"),
                     PONTES_EINVAL);
    assert_non_null(strstr(e->message, "control character"));
    assert_null(strstr(e->message, "Evil"));
    assert_int_equal(pontes_client_set_session_credential(f->c, SCHEME, "client_secret", ""), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_header(f->c, SCHEME, "broker_id", "bad name"), PONTES_EINVAL);
    assert_non_null(strstr(e->message, "not an HTTP token"));
    assert_int_equal(pontes_client_set_session_header(f->c, SCHEME, "broker_id", ""), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_header(f->c, SCHEME, "nobody", "X"), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_header(f->c, "nope", "broker_id", "X"), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_clock(f->c, "nope", NULL, NULL), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_token(f->c, SCHEME, "a b"), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_token(f->c, SCHEME, "a\n"), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_credential(NULL, SCHEME, "client_id", "x"), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_credential(f->c, NULL, "client_id", "x"), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_credential(f->c, SCHEME, NULL, "x"), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_session_header(NULL, SCHEME, "client_id", "x"), PONTES_EINVAL);
    assert_int_equal(pontes_client_session_state(f->c, "nope", NULL, NULL), PONTES_EINVAL);
    assert_int_equal(pontes_client_session_state(NULL, SCHEME, NULL, NULL), PONTES_EINVAL);
    /* the failed setters changed nothing: a login still sends the first values */
    push_login(f, "tok-x");
    push_ok(f);
    assert_int_equal(list(f), PONTES_OK);
    assert_login_request(f, 0);
    /* a credential cleared (NULL): the login is refused before anything is sent */
    assert_int_equal(pontes_client_set_session_credential(f->c, SCHEME, "client_secret", NULL), PONTES_OK);
    assert_int_equal(pontes_client_set_session_credential(f->c, SCHEME, "username", NULL), PONTES_OK);
    assert_int_equal(list(f), PONTES_EAUTH);
    assert_non_null(strstr(e->message, "credentials client_secret, username not set"));
    assert_int_equal(ts_request_count(f->srv), 2);
}

/* A client without any session credentials: the scheme has no credentials (EAUTH, nothing sent). */
static void test_no_credentials(void **state) {
    fx *f = *state;
    sess_client *c = NULL;
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(f->srv);
    o.max_retries = 0;
    assert_int_equal(sess_client_new(&c, &o), PONTES_OK);
    sess_item_list_response *out = NULL;
    assert_int_equal(sess_item_list(c, &out), PONTES_EAUTH);
    assert_non_null(strstr(sess_client_last_error(c)->message, "no credentials for scheme " SCHEME));
    bool has = true;
    assert_int_equal(pontes_client_session_state(c, SCHEME, &has, NULL), PONTES_OK);
    assert_false(has);
    sess_client_free(c);
    assert_int_equal(ts_request_count(f->srv), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bare_string_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renewal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_does_not_renew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reauth_once_on_401, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_401, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_401, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_direct_login_captured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_token_and_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_within_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets_redacted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_credentials, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
