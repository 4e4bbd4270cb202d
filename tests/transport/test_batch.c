/* Batches (runtime/src/batch.c) against the scripted test server: results handed out as
 * they complete (pontes_batch_set_on_done) and freed by the caller, the concurrency limit
 * (never more requests in flight than the limit, counted by the server), connections
 * reused across calls and runs (accepted connections <= the limit), misuse from a callback
 * refused, a batch freed from its own callback. No timing assertions. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pontes/pontes.h>
#include "test_server.h"

typedef struct t_person {
    const char *name;
    pontes_presence has_name;
    pontes_extra _extra;
} t_person;

static const pontes_field person_fields[] = {
    {"name", PONTES_F_REQUIRED, offsetof(t_person, name), offsetof(t_person, has_name), &pontes_type_string, NULL, 0, 0},
};
static const pontes_message person_msg = {"Person", 0, sizeof(t_person), person_fields, 1,
                                          offsetof(t_person, _extra)};
static const pontes_type person_type = {PONTES_KIND_OBJECT, 0, sizeof(t_person *), "Person", NULL, &person_msg, NULL,
                                        NULL};
static const pontes_api test_api = {"test", "Test API", "1.0", "http://127.0.0.1:1", NULL, NULL, 0};
static const pontes_response_desc person_responses[] = {{200, &person_type, NULL}, {0, NULL, NULL}};
static const pontes_operation op_get = {
    "getPerson", "GET", "/v1/people/{id}", PONTES_OP_IDEMPOTENT, NULL, NULL, NULL, 0, PONTES_BODY_NONE, NULL, NULL,
    NULL, person_responses, 2};

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
    o.max_retries = 0;
    assert_int_equal(pontes_client_new(&f->c, &test_api, &o), PONTES_OK);
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

/* Queue GET /v1/people/<id> in b (id NULL: the path parameter is missing, so the call
 * fails while it is prepared, in pontes_batch_add, and still takes its index). */
static int queue_get(fx *f, pontes_batch *b, const char *id, t_person **out) {
    pontes_request *r;
    int rc = pontes_request_new(&r, f->c, &op_get);
    if (rc) return rc;
    if (id) pontes_request_param(r, PONTES_IN_PATH, "id", id);
    return pontes_batch_add(b, r, (void **)out);
}

static pontes_batch *new_batch(fx *f, unsigned maxc) {
    pontes_batch_options bo = PONTES_BATCH_OPTIONS_INIT;
    bo.max_concurrency = maxc;
    pontes_batch *b = NULL;
    assert_int_equal(pontes_batch_new(&b, f->c, &bo), PONTES_OK);
    return b;
}

/* ---- results handed out as they complete ------------------------------------------ */
enum { N_DONE = 40 };
typedef struct done_log {
    fx *f;
    int seen[N_DONE];
    int calls;
    int misuse_checked;
    int body_seen; /* the failing call's error body, seen inside the callback */
} done_log;

static void on_done_check(pontes_batch *b, size_t i, int status, void *result, void *ud) {
    done_log *d = ud;
    assert_true(i < N_DONE);
    d->seen[i]++;
    d->calls++;
    assert_int_equal(status, pontes_batch_status(b, i));
    const pontes_error *e = pontes_batch_error(b, i);
    assert_non_null(e);
    if (i == 7) { /* the missing path parameter: failed in pontes_batch_add, reported first */
        assert_int_equal(d->calls, 1);
        assert_int_equal(status, PONTES_EINVAL);
        assert_null(result);
        assert_non_null(e->message);
    } else if (i == 11) { /* HTTP 500 with a body: the details are there during the callback */
        assert_int_equal(status, PONTES_EHTTP);
        assert_null(result);
        assert_int_equal(pontes_batch_http_status(b, i), 500);
        assert_non_null(e->message);
        assert_non_null(e->body);
        assert_string_equal(e->body, "{\"oops\":true}");
        d->body_seen = 1;
    } else {
        assert_int_equal(status, PONTES_OK);
        assert_non_null(result);
        t_person *p = result;
        char want[32];
        snprintf(want, sizeof want, "/v1/people/p%zu", i);
        assert_string_equal(p->name, want);
        pontes_free(result); /* the callback owns it */
    }
    if (!d->misuse_checked) { /* what a callback may not do is refused, not a crash */
        d->misuse_checked = 1;
        assert_int_equal(pontes_batch_run(b), PONTES_EINVAL);
        assert_int_equal(pontes_batch_set_on_done(b, NULL, NULL), PONTES_EINVAL);
        t_person *tmp = NULL;
        assert_int_not_equal(queue_get(d->f, b, "x", &tmp), PONTES_OK); /* the client is busy */
        assert_null(tmp);
    }
}

static void test_batch_on_done(void **state) {
    fx *f = *state;
    assert_int_equal(pontes_batch_set_on_done(NULL, on_done_check, NULL), PONTES_EINVAL);
    /* one in flight, so that the server's canned responses (popped in arrival order) map
       to indexes exactly: call #7 sends nothing, so the 11th response (#11) is the 500 */
    for (int i = 0; i < N_DONE - 1; i++) {
        if (i == 10) ts_push_ex(f->srv, TS_ROUTE_API, 500, NULL, "{\"oops\":true}", 13, 0, false);
        else ts_push(f->srv, TS_ROUTE_API, 200, NULL, TS_ECHO_TARGET);
    }
    pontes_batch *b = new_batch(f, 1);
    done_log d = {0};
    d.f = f;
    assert_int_equal(pontes_batch_set_on_done(b, on_done_check, &d), PONTES_OK);
    t_person *out[N_DONE];
    char ids[N_DONE][8];
    for (int i = 0; i < N_DONE; i++) {
        out[i] = (t_person *)(uintptr_t)1; /* set to NULL when queued, and stays NULL */
        snprintf(ids[i], sizeof ids[i], "p%d", i);
        assert_int_equal(queue_get(f, b, i == 7 ? NULL : ids[i], &out[i]), i == 7 ? PONTES_EINVAL : PONTES_OK);
    }
    assert_int_equal(pontes_batch_run(b), PONTES_EINVAL); /* the first failure by index: #7 */
    assert_int_equal(d.calls, N_DONE);
    for (int i = 0; i < N_DONE; i++) {
        assert_int_equal(d.seen[i], 1); /* every call reported once */
        assert_null(out[i]);            /* results went to the callback only */
    }
    assert_true(d.body_seen);
    /* after its callback, a call keeps only status, HTTP status and attempts */
    const pontes_error *e = pontes_batch_error(b, 11);
    assert_int_equal(e->status, PONTES_EHTTP);
    assert_int_equal(e->http_status, 500);
    assert_int_equal(e->attempts, 1);
    assert_null(e->message);
    assert_null(e->body);
    assert_int_equal(pontes_batch_status(b, 11), PONTES_EHTTP);
    assert_int_equal(pontes_batch_http_status(b, 11), 500);
    assert_int_equal(pontes_batch_status(b, 12), PONTES_OK);
    /* a second run reports nothing again */
    assert_int_equal(pontes_batch_run(b), PONTES_EINVAL);
    assert_int_equal(d.calls, N_DONE);
    pontes_batch_free(b);
}

/* ---- the concurrency limit and connection reuse ----------------------------------- */
static int g_done;
static void count_free(pontes_batch *b, size_t i, int status, void *result, void *ud) {
    (void)b;
    (void)i;
    (void)ud;
    assert_int_equal(status, PONTES_OK);
    assert_non_null(result);
    pontes_free(result);
    g_done++;
}

static void test_batch_limit_and_reuse(void **state) {
    fx *f = *state;
    enum { LIMIT = 5, N1 = 60, N2 = 25 };
    pontes_batch *b = new_batch(f, LIMIT);
    assert_int_equal(pontes_batch_set_on_done(b, count_free, NULL), PONTES_OK);
    /* more calls than the limit, each answered after 30 ms: the server sees many at once */
    ts_push_n(f->srv, TS_ROUTE_API, 200, NULL, TS_ECHO_TARGET, 30, N1);
    g_done = 0;
    for (int i = 0; i < N1; i++) assert_int_equal(queue_get(f, b, "a", NULL), PONTES_OK);
    assert_int_equal(pontes_batch_run(b), PONTES_OK);
    assert_int_equal(g_done, N1);
    assert_int_equal(ts_request_count(f->srv), N1);
    assert_true(ts_max_in_flight(f->srv) <= LIMIT);
    assert_true(ts_max_in_flight(f->srv) >= 2); /* it did run concurrently */
    int conns = ts_connection_count(f->srv);
    assert_true(conns <= LIMIT);
    /* a second run of the same batch: the pooled handles and cached connections are
       reused, including those whose calls finished first while the batch drained */
    ts_push_n(f->srv, TS_ROUTE_API, 200, NULL, TS_ECHO_TARGET, 30, N2);
    for (int i = 0; i < N2; i++) assert_int_equal(queue_get(f, b, "b", NULL), PONTES_OK);
    assert_int_equal(pontes_batch_run(b), PONTES_OK);
    assert_int_equal(g_done, N1 + N2);
    assert_int_equal(pontes_batch_count(b), N1 + N2);
    assert_true(ts_max_in_flight(f->srv) <= LIMIT);
    assert_int_equal(ts_connection_count(f->srv), conns); /* no new connection */
    pontes_batch_free(b);
}

/* Out pointers (no callback): each result lands in its own pointer; the error pointers
 * handed out stay valid while more calls are queued (slots never move). */
static void test_batch_out_pointers_stable_errors(void **state) {
    fx *f = *state;
    enum { N = 150 };
    pontes_batch *b = new_batch(f, 8);
    t_person **out = calloc(N, sizeof *out);
    assert_non_null(out);
    assert_int_equal(queue_get(f, b, NULL, &out[0]), PONTES_EINVAL); /* #0 fails at once */
    const pontes_error *e0 = pontes_batch_error(b, 0);
    assert_int_equal(e0->status, PONTES_EINVAL);
    assert_non_null(e0->message);
    char *msg = strdup(e0->message);
    for (int i = 1; i < N; i++) assert_int_equal(queue_get(f, b, "z", &out[i]), PONTES_OK);
    assert_ptr_equal(pontes_batch_error(b, 0), e0);
    assert_string_equal(e0->message, msg); /* without a callback the error is kept whole */
    ts_push_n(f->srv, TS_ROUTE_API, 200, NULL, TS_ECHO_TARGET, 0, N - 1);
    assert_int_equal(pontes_batch_run(b), PONTES_EINVAL);
    assert_string_equal(pontes_batch_error(b, 0)->message, msg);
    assert_null(out[0]);
    for (int i = 1; i < N; i++) {
        assert_int_equal(pontes_batch_status(b, (size_t)i), PONTES_OK);
        assert_non_null(out[i]);
        assert_string_equal(out[i]->name, "/v1/people/z");
        pontes_free(out[i]);
    }
    assert_true(ts_connection_count(f->srv) <= 8);
    free(msg);
    free(out);
    pontes_batch_free(b);
}

/* ---- a batch freed from its own callback ------------------------------------------ */
static int g_freed_after;
static void free_at_third(pontes_batch *b, size_t i, int status, void *result, void *ud) {
    (void)i;
    (void)status;
    (void)ud;
    pontes_free(result);
    if (++g_freed_after == 3) pontes_batch_free(b); /* the run stops; it frees the batch */
}

static void test_batch_free_from_callback(void **state) {
    fx *f = *state;
    enum { N = 20 };
    pontes_batch *b = new_batch(f, 2);
    assert_int_equal(pontes_batch_set_on_done(b, free_at_third, NULL), PONTES_OK);
    ts_push_n(f->srv, TS_ROUTE_API, 200, NULL, TS_ECHO_TARGET, 20, N);
    for (int i = 0; i < N; i++) assert_int_equal(queue_get(f, b, "f", NULL), PONTES_OK);
    g_freed_after = 0;
    assert_int_equal(pontes_batch_run(b), PONTES_EINVAL); /* b is gone now (ASan/valgrind: no leak) */
    assert_int_equal(g_freed_after, 3);
    assert_true(ts_request_count(f->srv) < N);
    /* the client works normally after */
    pontes_batch *b2 = new_batch(f, 2);
    t_person *p = NULL;
    assert_int_equal(queue_get(f, b2, "again", &p), PONTES_OK);
    assert_int_equal(pontes_batch_run(b2), PONTES_OK);
    assert_non_null(p);
    pontes_free(p);
    pontes_batch_free(b2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batch_on_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_limit_and_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_out_pointers_stable_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_free_from_callback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
