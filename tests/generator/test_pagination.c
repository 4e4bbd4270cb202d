/* Iterators generated from x-pontes-pagination (tests/generator/fixtures/pagination.yaml, prefix
 * pg) against the scripted test server: every style walked to the end over several pages (the
 * items in order, each page's request on the wire, one request per page), empty first pages,
 * a server error in the middle of a walk, totals, a looping cursor, the page limit, a missing
 * cursor, copies of the caller's parameters and options, and misuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pontes/pg.h"
#include "test_server.h"

typedef struct fx {
    ts_server *srv;
    pg_client *c;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->srv = ts_start();
    assert_non_null(f->srv);
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(f->srv);
    o.timeout_ms = 5000;
    o.max_retries = 0;
    assert_int_equal(pg_client_new(&f->c, &o), PONTES_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    pg_client_free(f->c);
    ts_stop(f->srv);
    free(f);
    return 0;
}

static const char *JSON_CT = "Content-Type: application/json\r\n";

static void push(fx *f, const char *body) { ts_push(f->srv, TS_ROUTE_API, 200, JSON_CT, body); }

static const char *target(fx *f, size_t i) {
    const ts_request *q = ts_get(f->srv, i);
    assert_non_null(q);
    return q->target;
}

/* Walk a process iterator to its end; the ids joined by ',' into buf. Returns the final code. */
static int walk_processes(pg_process_list_iter *it, char *buf, size_t cap) {
    const pg_process *p;
    int rc;
    buf[0] = '\0';
    while ((rc = pg_process_list_iter_next(it, &p)) == PONTES_OK) {
        assert_non_null(p);
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%s", n ? "," : "", p->has_process_unique_id ? p->process_unique_id : "?");
    }
    return rc;
}

/* ---- keyset ----------------------------------------------------------------- */
static void keyset_walks_every_page(void **state) {
    fx *f = *state;
    push(f, "{\"totalRecords\":5,\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"a\"},"
            "{\"processUniqueId\":\"b\"}]}");
    push(f, "{\"totalRecords\":5,\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"c\"},"
            "{\"processUniqueId\":\"d x\"}]}");
    push(f, "{\"totalRecords\":5,\"hasMoreResults\":false,\"listProcessDetail\":[{\"processUniqueId\":\"e\"}]}");
    char status[16] = "open";
    char trace[16] = "t-1";
    pg_process_list_params prm = PG_PROCESS_LIST_PARAMS_INIT;
    PONTES_PUT(prm, line_count, 2);
    prm.status = status;
    prm.x_trace = trace;
    char hdr[32] = "X-Extra: one";
    const char *headers[] = {hdr, NULL};
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.headers = headers;
    pg_process_list_iter *it = NULL;
    assert_int_equal(pg_process_list_iter_new(f->c, &prm, &o, &it), PONTES_OK);
    assert_non_null(it);
    /* copies: the caller's strings and options may change or go away once _iter_new returned */
    strcpy(status, "XXXX");
    strcpy(trace, "YYY");
    strcpy(hdr, "X-Extra: two");
    assert_int_equal(ts_request_count(f->srv), 0); /* nothing is sent before the first _next */
    assert_int_equal(pg_process_list_iter_total(it), -1);
    assert_null(pg_process_list_iter_page(it));

    const pg_process *p = NULL;
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_OK);
    assert_string_equal(p->process_unique_id, "a");
    assert_int_equal(ts_request_count(f->srv), 1);
    assert_int_equal(pg_process_list_iter_total(it), 5);
    assert_int_equal(pg_process_list_iter_pages(it), 1);
    const pg_process_page *page = pg_process_list_iter_page(it);
    assert_non_null(page);
    assert_int_equal(page->has_more_results, true);
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_OK);
    assert_string_equal(p->process_unique_id, "b");
    assert_int_equal(ts_request_count(f->srv), 1); /* lazily: page 2 only once page 1 is used up */
    char ids[128];
    assert_int_equal(walk_processes(it, ids, sizeof ids), PONTES_ITEROVER);
    assert_string_equal(ids, "c,d x,e");
    assert_int_equal(ts_request_count(f->srv), 3);
    assert_int_equal(pg_process_list_iter_pages(it), 3);
    assert_string_equal(target(f, 0), "/v1/processes?lineCount=2&status=open");
    assert_string_equal(target(f, 1), "/v1/processes?lineCount=2&nextRecord=b&status=open");
    assert_string_equal(target(f, 2), "/v1/processes?lineCount=2&nextRecord=d%20x&status=open");
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(strstr(ts_get(f->srv, i)->head, "xTrace: t-1\r\n"));
        assert_non_null(strstr(ts_get(f->srv, i)->head, "X-Extra: one\r\n"));
    }
    /* the end is sticky, and sends nothing more */
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_ITEROVER);
    assert_null(p);
    assert_int_equal(ts_request_count(f->srv), 3);
    assert_string_equal(pontes_status_name(PONTES_ITEROVER), "PONTES_ITEROVER");
    assert_int_equal(pg_process_list_iter_error(it)->status, PONTES_OK);
    assert_null(pg_process_list_iter_page(it));
    /* the caller's parameters were not modified */
    assert_null(prm.next_record);
    assert_int_equal(prm.line_count, 2);
    pg_process_list_iter_free(it);
}

static void keyset_starts_at_callers_cursor_and_stops_without_has_more(void **state) {
    fx *f = *state;
    /* hasMoreResults absent: the last page (the contract: false or absent ends the walk) */
    push(f, "{\"listProcessDetail\":[{\"processUniqueId\":\"k\"},{\"processUniqueId\":\"l\"}]}");
    pg_process_list_params prm = PG_PROCESS_LIST_PARAMS_INIT;
    prm.next_record = "j";
    pg_process_list_iter *it = NULL;
    assert_int_equal(pg_process_list_iter_new(f->c, &prm, NULL, &it), PONTES_OK);
    char ids[64];
    assert_int_equal(walk_processes(it, ids, sizeof ids), PONTES_ITEROVER);
    assert_string_equal(ids, "k,l");
    assert_int_equal(ts_request_count(f->srv), 1);
    assert_string_equal(target(f, 0), "/v1/processes?nextRecord=j");
    assert_int_equal(pg_process_list_iter_total(it), -1); /* no totalRecords in the page */
    pg_process_list_iter_free(it);
}

static void keyset_empty_first_page(void **state) {
    fx *f = *state;
    push(f, "{\"totalRecords\":0,\"hasMoreResults\":true,\"listProcessDetail\":[]}");
    pg_process_list_iter *it = NULL;
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    const pg_process *p = (const pg_process *)1;
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_ITEROVER); /* empty: the end, has_more or not */
    assert_null(p);
    assert_int_equal(ts_request_count(f->srv), 1);
    assert_string_equal(target(f, 0), "/v1/processes");
    assert_int_equal(pg_process_list_iter_total(it), 0);
    assert_int_equal(pg_process_list_iter_pages(it), 1);
    pg_process_list_iter_free(it);
}

static void keyset_server_error_mid_walk(void **state) {
    fx *f = *state;
    push(f, "{\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"a\"},{\"processUniqueId\":\"b\"}]}");
    ts_push(f->srv, TS_ROUTE_API, 500, JSON_CT, "{\"error\":\"boom\"}");
    pg_process_list_iter *it = NULL;
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    char ids[64];
    assert_int_equal(walk_processes(it, ids, sizeof ids), PONTES_EHTTP);
    assert_string_equal(ids, "a,b"); /* the items before the error were delivered */
    const pontes_error *e = pg_process_list_iter_error(it);
    assert_int_equal(e->status, PONTES_EHTTP);
    assert_int_equal(e->http_status, 500);
    assert_non_null(e->message);
    assert_non_null(strstr(e->body, "boom"));
    assert_string_equal(e->operation_id, "ProcessList");
    assert_int_equal(pg_client_last_error(f->c)->status, PONTES_EHTTP);
    /* kept: _next keeps failing, without sending again; the error survives other calls */
    const pg_process *p = (const pg_process *)1;
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_EHTTP);
    assert_null(p);
    assert_int_equal(ts_request_count(f->srv), 2);
    assert_string_equal(target(f, 1), "/v1/processes?nextRecord=b");
    push(f, "{\"processUniqueId\":\"z\"}");
    pg_process *one = NULL;
    assert_int_equal(pg_process_detail(f->c, "z", &one), PONTES_OK);
    pg_process_free(one);
    assert_int_equal(pg_process_list_iter_error(it)->status, PONTES_EHTTP);
    assert_int_equal(pg_process_list_iter_error(it)->http_status, 500);
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_EHTTP);
    assert_int_equal(pg_process_list_iter_pages(it), 1);
    pg_process_list_iter_free(it);
}

static void keyset_looping_cursor_is_an_error(void **state) {
    fx *f = *state;
    push(f, "{\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"a\"},{\"processUniqueId\":\"b\"}]}");
    push(f, "{\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"c\"}]}");
    push(f, "{\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"b\"}]}"); /* b again */
    pg_process_list_iter *it = NULL;
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    char ids[64];
    assert_int_equal(walk_processes(it, ids, sizeof ids), PONTES_EDECODE);
    assert_string_equal(ids, "a,b,c,b");
    assert_int_equal(ts_request_count(f->srv), 3);
    const pontes_error *e = pg_process_list_iter_error(it);
    assert_int_equal(e->status, PONTES_EDECODE);
    assert_non_null(strstr(e->message, "again"));
    assert_non_null(strstr(e->message, "nextRecord=\"b\""));
    /* the client's last error says the same once _next returned it */
    assert_int_equal(pg_client_last_error(f->c)->status, PONTES_EDECODE);
    assert_non_null(strstr(pg_client_last_error(f->c)->message, "again"));
    assert_int_equal(pg_process_list_iter_next(it, NULL), PONTES_EDECODE);
    assert_int_equal(ts_request_count(f->srv), 3);
    pg_process_list_iter_free(it);
}

static void keyset_page_limit_and_missing_cursor(void **state) {
    fx *f = *state;
    push(f, "{\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"a\"}]}");
    push(f, "{\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"b\"}]}");
    pg_process_list_iter *it = NULL;
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    assert_int_equal(pontes_pager_set_max_pages(it, 0), PONTES_EINVAL);
    assert_int_equal(pontes_pager_set_max_pages(it, 2), PONTES_OK);
    char ids[64];
    assert_int_equal(walk_processes(it, ids, sizeof ids), PONTES_EDECODE);
    assert_string_equal(ids, "a,b");
    assert_int_equal(ts_request_count(f->srv), 2); /* never a third request */
    assert_non_null(strstr(pg_process_list_iter_error(it)->message, "more than 2 pages"));
    pg_process_list_iter_free(it);

    /* has_more true, but the last item has no processUniqueId to continue from */
    push(f, "{\"hasMoreResults\":true,\"listProcessDetail\":[{\"processUniqueId\":\"a\"},{\"processNumber\":7}]}");
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    const pg_process *p;
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_OK);
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_OK);
    assert_int_equal(p->process_number, 7);
    assert_int_equal(pg_process_list_iter_next(it, &p), PONTES_EDECODE);
    assert_non_null(strstr(pg_process_list_iter_error(it)->message, "processUniqueId"));
    assert_int_equal(ts_request_count(f->srv), 3);
    pg_process_list_iter_free(it);
}

/* ---- page number -------------------------------------------------------------- */
static int walk_messages(pg_message_list_iter *it, char *buf, size_t cap) {
    const pg_message *m;
    int rc;
    buf[0] = '\0';
    while ((rc = pg_message_list_iter_next(it, &m)) == PONTES_OK) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%lld", n ? "," : "", (long long)m->id);
    }
    return rc;
}

static void page_walks_every_page(void **state) {
    fx *f = *state;
    push(f, "{\"totalCount\":5,\"count\":2,\"messages\":[{\"id\":1},{\"id\":2}]}");
    push(f, "{\"totalCount\":5,\"count\":2,\"messages\":[{\"id\":3},{\"id\":4}]}");
    push(f, "{\"totalCount\":5,\"count\":1,\"messages\":[{\"id\":5}]}");
    char id[16] = "p/1";
    const char *tags[] = {"x", "y z"};
    pg_message_list_params prm = PG_MESSAGE_LIST_PARAMS_INIT;
    PONTES_PUT(prm, page_size, 2);
    prm.tags.items = tags;
    prm.tags.count = 2;
    pg_message_list_iter *it = NULL;
    assert_int_equal(pg_message_list_iter_new(f->c, id, &prm, NULL, &it), PONTES_OK);
    strcpy(id, "gone");
    tags[0] = "changed";
    char ids[64];
    assert_int_equal(walk_messages(it, ids, sizeof ids), PONTES_ITEROVER);
    assert_string_equal(ids, "1,2,3,4,5");
    assert_int_equal(ts_request_count(f->srv), 3);
    assert_string_equal(target(f, 0), "/v1/processes/p%2F1/messages?pageNumber=1&pageSize=2&tags=x&tags=y%20z");
    assert_string_equal(target(f, 1), "/v1/processes/p%2F1/messages?pageNumber=2&pageSize=2&tags=x&tags=y%20z");
    assert_string_equal(target(f, 2), "/v1/processes/p%2F1/messages?pageNumber=3&pageSize=2&tags=x&tags=y%20z");
    assert_int_equal(pg_message_list_iter_total(it), 5);
    assert_int_equal(pg_message_list_iter_pages(it), 3);
    assert_false(prm.has_page_number); /* not modified */
    pg_message_list_iter_free(it);
}

static void page_stops_at_total_and_infers_the_size(void **state) {
    fx *f = *state;
    /* two full pages that reach totalCount: no third request */
    push(f, "{\"totalCount\":4,\"messages\":[{\"id\":1},{\"id\":2}]}");
    push(f, "{\"totalCount\":4,\"messages\":[{\"id\":3},{\"id\":4}]}");
    pg_message_list_params prm = PG_MESSAGE_LIST_PARAMS_INIT;
    PONTES_PUT(prm, page_size, 2);
    pg_message_list_iter *it = NULL;
    assert_int_equal(pg_message_list_iter_new(f->c, "p", &prm, NULL, &it), PONTES_OK);
    char ids[64];
    assert_int_equal(walk_messages(it, ids, sizeof ids), PONTES_ITEROVER);
    assert_string_equal(ids, "1,2,3,4");
    assert_int_equal(ts_request_count(f->srv), 2);
    pg_message_list_iter_free(it);

    /* no page size asked for, no total: the first page's length is the size; a shorter page ends it;
     * the walk starts at the caller's page number */
    push(f, "{\"messages\":[{\"id\":1},{\"id\":2},{\"id\":3}]}");
    push(f, "{\"messages\":[{\"id\":4},{\"id\":5},{\"id\":6}]}");
    push(f, "{\"messages\":[{\"id\":7}]}");
    pg_message_list_params from3 = PG_MESSAGE_LIST_PARAMS_INIT;
    PONTES_PUT(from3, page_number, 3);
    assert_int_equal(pg_message_list_iter_new(f->c, "p", &from3, NULL, &it), PONTES_OK);
    assert_int_equal(walk_messages(it, ids, sizeof ids), PONTES_ITEROVER);
    assert_string_equal(ids, "1,2,3,4,5,6,7");
    assert_int_equal(ts_request_count(f->srv), 5);
    assert_string_equal(target(f, 2), "/v1/processes/p/messages?pageNumber=3");
    assert_string_equal(target(f, 3), "/v1/processes/p/messages?pageNumber=4");
    assert_string_equal(target(f, 4), "/v1/processes/p/messages?pageNumber=5");
    assert_int_equal(pg_message_list_iter_total(it), -1);
    pg_message_list_iter_free(it);
}

static void page_empty_first_page_and_error(void **state) {
    fx *f = *state;
    push(f, "{\"totalCount\":0,\"count\":0,\"messages\":[]}");
    pg_message_list_iter *it = NULL;
    assert_int_equal(pg_message_list_iter_new(f->c, "p", NULL, NULL, &it), PONTES_OK);
    assert_int_equal(pg_message_list_iter_next(it, NULL), PONTES_ITEROVER);
    assert_int_equal(pg_message_list_iter_pages(it), 1);
    assert_int_equal(pg_message_list_iter_total(it), 0);
    pg_message_list_iter_free(it);

    /* a body that does not decode on page 2: EDECODE kept, page 1 delivered */
    push(f, "{\"messages\":[{\"id\":1},{\"id\":2}]}");
    push(f, "{\"messages\":[{\"id\":\"three\"}]}");
    assert_int_equal(pg_message_list_iter_new(f->c, "p", NULL, NULL, &it), PONTES_OK);
    char ids[64];
    assert_int_equal(walk_messages(it, ids, sizeof ids), PONTES_EDECODE);
    assert_string_equal(ids, "1,2");
    assert_non_null(pg_message_list_iter_error(it)->json_path);
    assert_int_equal(pg_message_list_iter_next(it, NULL), PONTES_EDECODE);
    pg_message_list_iter_free(it);
}

/* ---- offset / limit -------------------------------------------------------------- */
static void offset_walks_a_bare_array(void **state) {
    fx *f = *state;
    push(f, "[{\"url\":\"u1\"},{\"url\":\"u2\"}]");
    push(f, "[{\"url\":\"u3\"},{\"url\":\"u4\"}]");
    push(f, "[]");
    pg_callback_list_params prm = PG_CALLBACK_LIST_PARAMS_INIT;
    PONTES_PUT(prm, limit, 2);
    pg_callback_list_iter *it = NULL;
    assert_int_equal(pg_callback_list_iter_new(f->c, &prm, NULL, &it), PONTES_OK);
    const pg_callback *cb;
    char urls[64] = "";
    int rc;
    while ((rc = pg_callback_list_iter_next(it, &cb)) == PONTES_OK) {
        size_t n = strlen(urls);
        snprintf(urls + n, sizeof urls - n, "%s%s", n ? "," : "", cb->url);
    }
    assert_int_equal(rc, PONTES_ITEROVER);
    assert_string_equal(urls, "u1,u2,u3,u4");
    assert_int_equal(ts_request_count(f->srv), 3); /* full pages, then the empty one */
    assert_string_equal(target(f, 0), "/v1/callbacks?offset=0&limit=2");
    assert_string_equal(target(f, 1), "/v1/callbacks?offset=2&limit=2");
    assert_string_equal(target(f, 2), "/v1/callbacks?offset=4&limit=2");
    assert_int_equal(pg_callback_list_iter_total(it), -1); /* the spec gives no total */
    assert_int_equal(pg_callback_list_iter_pages(it), 3);
    pg_callback_list_iter_free(it);

    /* the caller's offset is the start; a short page ends the walk */
    push(f, "[{\"url\":\"u11\"}]");
    PONTES_PUT(prm, offset, 10);
    assert_int_equal(pg_callback_list_iter_new(f->c, &prm, NULL, &it), PONTES_OK);
    assert_int_equal(pg_callback_list_iter_next(it, &cb), PONTES_OK);
    assert_string_equal(cb->url, "u11");
    assert_int_equal(pg_callback_list_iter_next(it, &cb), PONTES_ITEROVER);
    assert_string_equal(target(f, 3), "/v1/callbacks?offset=10&limit=2");
    assert_int_equal(ts_request_count(f->srv), 4);
    pg_callback_list_iter_free(it);

    /* an empty first page */
    push(f, "[]");
    assert_int_equal(pg_callback_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    assert_int_equal(pg_callback_list_iter_next(it, &cb), PONTES_ITEROVER);
    assert_string_equal(target(f, 4), "/v1/callbacks?offset=0");
    pg_callback_list_iter_free(it);
}

static void offset_integer_items_and_total(void **state) {
    fx *f = *state;
    /* no limit asked: the first page (2 items) is the size; the total (3) ends the walk */
    push(f, "{\"total\":3,\"codes\":[10,20]}");
    push(f, "{\"total\":3,\"codes\":[30]}");
    pg_code_list_iter *it = NULL;
    assert_int_equal(pg_code_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    const int32_t *v;
    int32_t sum = 0;
    int rc, n = 0;
    while ((rc = pg_code_list_iter_next(it, &v)) == PONTES_OK) {
        sum += *v;
        n++;
    }
    assert_int_equal(rc, PONTES_ITEROVER);
    assert_int_equal(n, 3);
    assert_int_equal(sum, 60);
    assert_int_equal(pg_code_list_iter_total(it), 3);
    assert_int_equal(ts_request_count(f->srv), 2);
    assert_string_equal(target(f, 0), "/v1/codes?start=0");
    assert_string_equal(target(f, 1), "/v1/codes?start=2");
    pg_code_list_iter_free(it);

    /* the total reached with full pages: no request for an empty page */
    push(f, "{\"total\":4,\"codes\":[1,2]}");
    push(f, "{\"total\":4,\"codes\":[3,4]}");
    assert_int_equal(pg_code_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    n = 0;
    while ((rc = pg_code_list_iter_next(it, &v)) == PONTES_OK) n++;
    assert_int_equal(rc, PONTES_ITEROVER);
    assert_int_equal(n, 4);
    assert_int_equal(ts_request_count(f->srv), 4);
    pg_code_list_iter_free(it);
}

/* ---- misuse ------------------------------------------------------------------------ */
static void misuse_is_an_error(void **state) {
    fx *f = *state;
    pg_process_list_iter *it = (pg_process_list_iter *)1;
    pg_process_list_params bad = {0}; /* not initialised with _INIT: _size 0 */
    assert_int_equal(pg_process_list_iter_new(f->c, &bad, NULL, &it), PONTES_EINVAL);
    assert_null(it);
    assert_non_null(strstr(pg_client_last_error(f->c)->message, "PG_PROCESS_LIST_PARAMS_INIT"));
    pontes_batch *b = NULL;
    assert_int_equal(pontes_batch_new(&b, f->c, NULL), PONTES_OK);
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.batch = b;
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, &o, &it), PONTES_EINVAL);
    assert_non_null(strstr(pg_client_last_error(f->c)->message, "batch"));
    pontes_batch_free(b);
    pontes_call_options o2 = PONTES_CALL_OPTIONS_INIT;
    o2.version = 99;
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, &o2, &it), PONTES_EINVAL);
    assert_int_equal(pg_process_list_iter_new(NULL, NULL, NULL, &it), PONTES_EINVAL);
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, NULL, NULL), PONTES_EINVAL);
    assert_int_equal(pg_process_list_iter_next(NULL, NULL), PONTES_EINVAL);
    assert_int_equal(pg_process_list_iter_total(NULL), -1);
    assert_int_equal(pg_process_list_iter_pages(NULL), 0);
    assert_null(pg_process_list_iter_error(NULL));
    pg_process_list_iter_free(NULL);
    /* an iterator of one operation given to another's _next: refused */
    assert_int_equal(pg_process_list_iter_new(f->c, NULL, NULL, &it), PONTES_OK);
    assert_int_equal(pg_callback_list_iter_next((pg_callback_list_iter *)it, NULL), PONTES_EINVAL);
    pg_process_list_iter_free(it);
    assert_int_equal(ts_request_count(f->srv), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keyset_walks_every_page, setup, teardown),
        cmocka_unit_test_setup_teardown(keyset_starts_at_callers_cursor_and_stops_without_has_more, setup, teardown),
        cmocka_unit_test_setup_teardown(keyset_empty_first_page, setup, teardown),
        cmocka_unit_test_setup_teardown(keyset_server_error_mid_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(keyset_looping_cursor_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(keyset_page_limit_and_missing_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(page_walks_every_page, setup, teardown),
        cmocka_unit_test_setup_teardown(page_stops_at_total_and_infers_the_size, setup, teardown),
        cmocka_unit_test_setup_teardown(page_empty_first_page_and_error, setup, teardown),
        cmocka_unit_test_setup_teardown(offset_walks_a_bare_array, setup, teardown),
        cmocka_unit_test_setup_teardown(offset_integer_items_and_total, setup, teardown),
        cmocka_unit_test_setup_teardown(misuse_is_an_error, setup, teardown),
    };
    return cmocka_run_group_tests_name("pagination", tests, NULL, NULL);
}
