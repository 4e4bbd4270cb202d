/* Streaming uploads (runtime/src/upload.c) with the generated bizAPIs client against the
 * in-process test server: multipart parts from a path and from a read callback arrive
 * byte-identical, a base64 member streamed from a path decodes to the file, x-pontes-file
 * limits (20 MB, %PDF-) refuse a file before anything is sent, missing files and failing
 * sources give clear errors, retries send the body again from the start. PDFs are made at
 * test time (a %PDF-1.4 header + pseudo-random filler). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pontes/bizapis.h"
#include "internal.h" /* pontes__set_sleep_hook */
#include "test_server.h"

static ts_server *srv;
static char tmpdir[64];
static const char OK_BODY[] = "{\"requestId\":\"r-1\",\"withoutCreditResponsibility\":true}";

static void no_sleep(long ms) { (void)ms; }

/* ---- files ----------------------------------------------------------------- */
static unsigned char *make_pdf(size_t n, const char *head) {
    unsigned char *p = malloc(n ? n : 1);
    assert_non_null(p);
    uint64_t x = 0x9E3779B97F4A7C15u ^ n;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)x;
    }
    size_t hl = strlen(head);
    memcpy(p, head, hl < n ? hl : n);
    return p;
}

static void write_file(const char *path, const unsigned char *d, size_t n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static char *tmp_path(const char *name) {
    static char buf[4][160];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", tmpdir, name);
    return b;
}

/* ---- server side: multipart parsing ----------------------------------------- */
/* The content of the part named `name` of the recorded multipart request, or NULL. */
static const char *multipart_part(const ts_request *rq, const char *name, size_t *len, char *filename, size_t fcap) {
    const char *ct = strcasestr(rq->head, "\r\nContent-Type: multipart/form-data; boundary=");
    if (!ct) return NULL;
    ct += strlen("\r\nContent-Type: multipart/form-data; boundary=");
    char delim[200] = "\r\n--";
    size_t bl = strcspn(ct, "\r\n");
    if (bl > 150) return NULL;
    memcpy(delim + 4, ct, bl);
    delim[4 + bl] = '\0';
    size_t dl = strlen(delim);
    const char *p = rq->body, *end = rq->body + rq->body_len;
    /* the first delimiter has no leading CRLF */
    if ((size_t)(end - p) < dl - 2 || memcmp(p, delim + 2, dl - 2) != 0) return NULL;
    p += dl - 2;
    char want[160];
    snprintf(want, sizeof want, "name=\"%s\"", name);
    while (p < end && !(end - p >= 2 && memcmp(p, "--", 2) == 0)) {
        const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hend) return NULL;
        const char *content = hend + 4;
        const char *next = memmem(content, (size_t)(end - content), delim, dl);
        if (!next) return NULL;
        char hdrs[1024];
        size_t hn = (size_t)(hend - p) < sizeof hdrs - 1 ? (size_t)(hend - p) : sizeof hdrs - 1;
        memcpy(hdrs, p, hn);
        hdrs[hn] = '\0';
        if (strstr(hdrs, want)) {
            const char *fnm = strstr(hdrs, "filename=\"");
            if (filename && fnm) {
                fnm += 10;
                size_t fl = strcspn(fnm, "\"");
                snprintf(filename, fcap, "%.*s", (int)fl, fnm);
            }
            *len = (size_t)(next - content);
            return content;
        }
        p = next + dl;
    }
    return NULL;
}

/* ---- client ------------------------------------------------------------------- */
static bizapis_client *new_client(void) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = ts_url(srv);
    o.retry_base_ms = 1;
    bizapis_client *c = NULL;
    assert_int_equal(bizapis_client_new(&c, &o), PONTES_OK);
    assert_int_equal(pontes_client_set_bearer(c, "bizapisKey", "k"), PONTES_OK);
    return c;
}

static int upload(bizapis_client *c, pontes_file_source *src, const pontes_file *mem) {
    bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
    if (src) {
        assert_int_equal(pontes_file_set_source(&up.file, src), PONTES_OK);
        up.file.filename = "mapa.pdf";
        up.file.content_type = "application/pdf";
    } else {
        up.file = *mem;
    }
    up.has_file = PONTES_SET;
    bizapis_credit_responsibility_response *out = NULL;
    int rc = bizapis_extract_credit_responsibility_multipart(c, &up, &out);
    if (rc == PONTES_OK) {
        assert_non_null(out);
        assert_string_equal(out->request_id, "r-1");
    }
    bizapis_credit_responsibility_response_free(out);
    return rc;
}

static int upload_b64(bizapis_client *c, pontes_file_source *src, const uint8_t *mem, size_t mem_len) {
    bizapis_base64_file_request b = BIZAPIS_BASE64_FILE_REQUEST_INIT;
    if (src) {
        assert_int_equal(pontes_bytes_set_source(&b.file, src), PONTES_OK);
    } else {
        b.file.data = mem;
        b.file.len = mem_len;
    }
    b.has_file = PONTES_SET;
    bizapis_credit_responsibility_request req = {BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_BASE64_FILE_REQUEST, NULL,
                                                 {.base64_file_request = &b}};
    bizapis_credit_responsibility_response *out = NULL;
    int rc = bizapis_extract_credit_responsibility(c, &req, &out);
    bizapis_credit_responsibility_response_free(out);
    return rc;
}

static void expect_part(size_t req_index, const unsigned char *want, size_t n) {
    const ts_request *rq = ts_get(srv, req_index);
    assert_non_null(rq);
    size_t len = 0;
    char fname[128] = "";
    const char *got = multipart_part(rq, "file", &len, fname, sizeof fname);
    assert_non_null(got);
    assert_int_equal(len, n);
    assert_memory_equal(got, want, n);
    assert_string_equal(fname, "mapa.pdf");
}

static void expect_b64_body(size_t req_index, const unsigned char *want, size_t n) {
    const ts_request *rq = ts_get(srv, req_index);
    assert_non_null(rq);
    assert_non_null(strcasestr(rq->head, "\r\nContent-Type: application/json"));
    bizapis_base64_file_request *d = NULL;
    pontes_error e = PONTES_ERROR_INIT;
    int rc = bizapis_base64_file_request_decode(rq->body, rq->body_len, &d, &e);
    if (rc != PONTES_OK) fail_msg("body does not decode: %s", e.message);
    assert_int_equal(d->file.len, n);
    assert_memory_equal(d->file.data, want, n);
    bizapis_base64_file_request_free(d);
    pontes_error_clear(&e);
}

static void expect_error(bizapis_client *c, int rc, const char *a, const char *b) {
    const pontes_error *e = bizapis_client_last_error(c);
    if (rc != PONTES_EINVAL) fail_msg("rc %d (%s): %s", rc, pontes_status_name(rc), e->message ? e->message : "");
    assert_non_null(e->message);
    if (a && !strstr(e->message, a)) fail_msg("message lacks '%s': %s", a, e->message);
    if (b && !strstr(e->message, b)) fail_msg("message lacks '%s': %s", b, e->message);
}

/* ---- read callbacks ------------------------------------------------------------------ */
typedef struct mem_src {
    const unsigned char *d;
    size_t n;
    uint64_t fail_at;  /* return -1 once offset reaches this (UINT64_MAX: never) */
    uint64_t end_at;   /* pretend the content ends here (UINT64_MAX: never) */
    uint64_t expect;   /* the offset the next call should have */
    int restarts, bad_order, calls;
} mem_src;

static int64_t mem_read(void *user, uint64_t offset, void *buf, size_t cap) {
    mem_src *m = user;
    m->calls++;
    if (offset != m->expect) {
        if (offset < m->expect) m->restarts++;
        else m->bad_order++;
    }
    if (offset >= m->fail_at) return -1;
    if (offset >= m->end_at || offset >= m->n) return 0;
    size_t n = m->n - (size_t)offset;
    if (n > cap) n = cap;
    if (n > 7000) n = 7000; /* short reads, not a multiple of 3 */
    memcpy(buf, m->d + offset, n);
    m->expect = offset + n;
    return (int64_t)n;
}

/* ---- tests ------------------------------------------------------------------------------ */
static void test_multipart_from_path(void **state) {
    (void)state;
    size_t n = 300001;
    unsigned char *pdf = make_pdf(n, "%PDF-1.4\n");
    char *path = tmp_path("map.pdf");
    write_file(path, pdf, n);
    bizapis_client *c = new_client();
    pontes_file_source *src = NULL;
    assert_int_equal(pontes_file_source_path(&src, path), PONTES_OK);
    size_t before = ts_request_count(srv);
    ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    assert_int_equal(upload(c, src, NULL), PONTES_OK);
    assert_int_equal(ts_request_count(srv), before + 1);
    expect_part(before, pdf, n);
    pontes_file_source_free(src);
    bizapis_client_free(c);
    free(pdf);
}

static void test_multipart_from_callback(void **state) {
    (void)state;
    size_t n = 250000;
    unsigned char *pdf = make_pdf(n, "%PDF-1.7\n");
    mem_src m = {pdf, n, UINT64_MAX, UINT64_MAX, 0, 0, 0, 0};
    bizapis_client *c = new_client();
    pontes_file_source *src = NULL;
    assert_int_equal(pontes_file_source_callback(&src, mem_read, &m, n), PONTES_OK);
    size_t before = ts_request_count(srv);
    ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    assert_int_equal(upload(c, src, NULL), PONTES_OK);
    expect_part(before, pdf, n);
    assert_int_equal(m.restarts, 0); /* one sequential pass (the magic check's bytes are kept) */
    assert_int_equal(m.bad_order, 0);
    pontes_file_source_free(src);
    bizapis_client_free(c);
    free(pdf);
}

static void test_multipart_in_memory_still_works(void **state) {
    (void)state;
    unsigned char *pdf = make_pdf(1000, "%PDF-1.4\n");
    bizapis_client *c = new_client();
    pontes_file f = {pdf, 1000, "mapa.pdf", "application/pdf"};
    size_t before = ts_request_count(srv);
    ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    assert_int_equal(upload(c, NULL, &f), PONTES_OK);
    expect_part(before, pdf, 1000);
    bizapis_client_free(c);
    free(pdf);
}

static void test_base64_from_path(void **state) {
    (void)state;
    for (size_t n = 100000; n < 100003; n++) { /* every base64 tail (0, 1, 2 bytes of padding) */
        unsigned char *pdf = make_pdf(n, "%PDF-1.4\n");
        char *path = tmp_path("b64.pdf");
        write_file(path, pdf, n);
        bizapis_client *c = new_client();
        pontes_file_source *src = NULL;
        assert_int_equal(pontes_file_source_path(&src, path), PONTES_OK);
        size_t before = ts_request_count(srv);
        ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
        assert_int_equal(upload_b64(c, src, NULL, 0), PONTES_OK);
        expect_b64_body(before, pdf, n);
        /* outside a request, _encode reads the source into the text: the same JSON */
        bizapis_base64_file_request b = BIZAPIS_BASE64_FILE_REQUEST_INIT;
        pontes_bytes_set_source(&b.file, src);
        b.has_file = PONTES_SET;
        char *json = NULL;
        size_t jl = 0;
        pontes_error e = PONTES_ERROR_INIT;
        assert_int_equal(bizapis_base64_file_request_encode(&b, &json, &jl, &e), PONTES_OK);
        const ts_request *rq = ts_get(srv, before);
        assert_int_equal(jl, rq->body_len);
        assert_memory_equal(json, rq->body, jl);
        pontes_json_free(json);
        pontes_file_source_free(src);
        bizapis_client_free(c);
        free(pdf);
    }
}

static void test_base64_from_callback(void **state) {
    (void)state;
    size_t n = 77777;
    unsigned char *pdf = make_pdf(n, "%PDF-1.4\n");
    mem_src m = {pdf, n, UINT64_MAX, UINT64_MAX, 0, 0, 0, 0};
    bizapis_client *c = new_client();
    pontes_file_source *src = NULL;
    assert_int_equal(pontes_file_source_callback(&src, mem_read, &m, n), PONTES_OK);
    size_t before = ts_request_count(srv);
    ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    assert_int_equal(upload_b64(c, src, NULL, 0), PONTES_OK);
    expect_b64_body(before, pdf, n);
    assert_int_equal(m.restarts + m.bad_order, 0);
    pontes_file_source_free(src);
    bizapis_client_free(c);
    free(pdf);
}

static void test_retry_sends_the_body_again(void **state) {
    (void)state;
    size_t n = 120000;
    unsigned char *pdf = make_pdf(n, "%PDF-1.4\n");
    char *path = tmp_path("retry.pdf");
    write_file(path, pdf, n);
    mem_src m = {pdf, n, UINT64_MAX, UINT64_MAX, 0, 0, 0, 0};
    pontes_file_source *ps = NULL, *cs = NULL;
    assert_int_equal(pontes_file_source_path(&ps, path), PONTES_OK);
    assert_int_equal(pontes_file_source_callback(&cs, mem_read, &m, n), PONTES_OK);
    bizapis_client *c = new_client();
    for (int k = 0; k < 4; k++) {
        pontes_file_source *src = (k & 1) ? cs : ps;
        size_t before = ts_request_count(srv);
        ts_push(srv, TS_ROUTE_API, 503, "Retry-After: 0\r\n", "{}");
        ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
        int rc = k < 2 ? upload(c, src, NULL) : upload_b64(c, src, NULL, 0);
        assert_int_equal(rc, PONTES_OK);
        assert_int_equal(ts_request_count(srv), before + 2);
        for (size_t i = before; i < before + 2; i++) {
            if (k < 2) expect_part(i, pdf, n);
            else expect_b64_body(i, pdf, n);
        }
        m.expect = 0;
    }
    assert_true(m.restarts >= 2); /* the callback was asked again from the start */
    pontes_file_source_free(ps);
    pontes_file_source_free(cs);
    bizapis_client_free(c);
    free(pdf);
}

/* Queued in a batch (curl multi): the parts and a streamed JSON body are read while the batch runs. */
static void test_batch(void **state) {
    (void)state;
    size_t n = 90001;
    unsigned char *pdf = make_pdf(n, "%PDF-1.4\n");
    char *path = tmp_path("batch.pdf");
    write_file(path, pdf, n);
    pontes_file_source *src = NULL;
    assert_int_equal(pontes_file_source_path(&src, path), PONTES_OK);
    bizapis_client *c = new_client();
    pontes_batch *b = NULL;
    assert_int_equal(pontes_batch_new(&b, c, NULL), PONTES_OK);
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.batch = b;
    bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
    pontes_file_set_source(&up.file, src);
    up.file.filename = "mapa.pdf";
    up.has_file = PONTES_SET;
    bizapis_base64_file_request b64 = BIZAPIS_BASE64_FILE_REQUEST_INIT;
    pontes_bytes_set_source(&b64.file, src);
    b64.has_file = PONTES_SET;
    bizapis_credit_responsibility_request req = {BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_BASE64_FILE_REQUEST, NULL,
                                                 {.base64_file_request = &b64}};
    bizapis_credit_responsibility_response *out[3] = {NULL, NULL, NULL};
    size_t before = ts_request_count(srv);
    for (int i = 0; i < 3; i++) ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    assert_int_equal(bizapis_extract_credit_responsibility_multipart_ex(c, &up, &out[0], &o), PONTES_OK);
    assert_int_equal(bizapis_extract_credit_responsibility_ex(c, &req, &out[1], &o), PONTES_OK);
    assert_int_equal(bizapis_extract_credit_responsibility_multipart_ex(c, &up, &out[2], &o), PONTES_OK);
    assert_int_equal(ts_request_count(srv), before); /* queued, nothing sent */
    assert_int_equal(pontes_batch_run(b), PONTES_OK);
    assert_int_equal(ts_request_count(srv), before + 3);
    int parts = 0, jsons = 0;
    for (size_t i = before; i < before + 3; i++) {
        const ts_request *rq = ts_get(srv, i);
        if (strcasestr(rq->head, "multipart/form-data")) {
            expect_part(i, pdf, n);
            parts++;
        } else {
            expect_b64_body(i, pdf, n);
            jsons++;
        }
    }
    assert_int_equal(parts, 2);
    assert_int_equal(jsons, 1);
    for (int i = 0; i < 3; i++) bizapis_credit_responsibility_response_free(out[i]);
    pontes_batch_free(b);
    pontes_file_source_free(src);
    bizapis_client_free(c);
    free(pdf);
}

static void test_limits_refused_before_sending(void **state) {
    (void)state;
    bizapis_client *c = new_client();
    size_t before = ts_request_count(srv);
    /* 20971521 bytes on disk (sparse after the header) */
    char *big = tmp_path("big.pdf");
    write_file(big, (const unsigned char *)"%PDF-1.4\n", 9);
    assert_int_equal(truncate(big, 20971521), 0);
    char *zip = tmp_path("map.zip");
    write_file(zip, (const unsigned char *)"PK\x03\x04 not a pdf", 15);
    char *exact = tmp_path("exact.pdf");
    write_file(exact, (const unsigned char *)"%PDF-1.4\n", 9);
    assert_int_equal(truncate(exact, 20971520), 0);
    pontes_file_source *sb = NULL, *sz = NULL, *sm = NULL;
    assert_int_equal(pontes_file_source_path(&sb, big), PONTES_OK);
    assert_int_equal(pontes_file_source_path(&sz, zip), PONTES_OK);
    assert_int_equal(pontes_file_source_path(&sm, tmp_path("does-not-exist.pdf")), PONTES_OK);

    expect_error(c, upload(c, sb, NULL), "20971521 bytes", "limit of 20971520");
    expect_error(c, upload(c, sb, NULL), "member file", NULL);
    expect_error(c, upload_b64(c, sb, NULL, 0), "$.file", "20971521 bytes");
    expect_error(c, upload(c, sz, NULL), "does not start with \"%PDF-\"", "\"PK\\x03\\x04");
    expect_error(c, upload_b64(c, sz, NULL, 0), "$.file", "does not start with \"%PDF-\"");
    expect_error(c, upload(c, sm, NULL), "cannot open", "does-not-exist.pdf: No such file");
    expect_error(c, upload_b64(c, sm, NULL, 0), "cannot open", "does-not-exist.pdf");

    /* in memory: checked directly */
    unsigned char *mem = calloc(1, 20971521);
    assert_non_null(mem);
    memcpy(mem, "%PDF-1.4", 8);
    pontes_file f = {mem, 20971521, "x.pdf", NULL};
    expect_error(c, upload(c, NULL, &f), "20971521 bytes", "limit of 20971520");
    expect_error(c, upload_b64(c, NULL, mem, 20971521), "20971521 bytes", NULL);
    f.data = (const uint8_t *)"GIF89a";
    f.len = 6;
    expect_error(c, upload(c, NULL, &f), "\"GIF89a\"", "%PDF-");
    expect_error(c, upload_b64(c, NULL, (const uint8_t *)"%PD", 3), "does not start with", "\"%PD\"");
    { /* the limits are a request check: a plain encode round-trips any value */
        bizapis_base64_file_request b = BIZAPIS_BASE64_FILE_REQUEST_INIT;
        b.file.data = (const uint8_t *)"GIF89a";
        b.file.len = 6;
        b.has_file = PONTES_SET;
        char *json = NULL;
        pontes_error e = PONTES_ERROR_INIT;
        assert_int_equal(bizapis_base64_file_request_encode(&b, &json, NULL, &e), PONTES_OK);
        assert_string_equal(json, "{\"file\":\"R0lGODlh\"}");
        pontes_json_free(json);
    }
    /* a callback with a size over the limit: never called */
    mem_src m = {mem, 20971521, UINT64_MAX, UINT64_MAX, 0, 0, 0, 0};
    pontes_file_source *scb = NULL;
    assert_int_equal(pontes_file_source_callback(&scb, mem_read, &m, 20971521), PONTES_OK);
    expect_error(c, upload(c, scb, NULL), "20971521 bytes", NULL);
    assert_int_equal(ts_request_count(srv), before); /* the server received nothing */

    /* exactly the limit is accepted */
    pontes_file_source *se = NULL;
    assert_int_equal(pontes_file_source_path(&se, exact), PONTES_OK);
    ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
    assert_int_equal(upload(c, se, NULL), PONTES_OK);
    assert_int_equal(ts_request_count(srv), before + 1);
    const ts_request *rq = ts_get(srv, before);
    assert_true(rq->body_len > 20971520);

    pontes_file_source_free(sb);
    pontes_file_source_free(sz);
    pontes_file_source_free(sm);
    pontes_file_source_free(scb);
    pontes_file_source_free(se);
    free(mem);
    unlink(big);
    unlink(exact);
    bizapis_client_free(c);
}

static void test_failing_sources(void **state) {
    (void)state;
    size_t n = 200000;
    unsigned char *pdf = make_pdf(n, "%PDF-1.4\n");
    bizapis_client *c = new_client();
    for (int k = 0; k < 4; k++) {
        mem_src m = {pdf, n, UINT64_MAX, UINT64_MAX, 0, 0, 0, 0};
        if (k & 1) m.end_at = 150000; /* ends early */
        else m.fail_at = 100000;      /* fails mid-stream */
        pontes_file_source *src = NULL;
        assert_int_equal(pontes_file_source_callback(&src, mem_read, &m, n), PONTES_OK);
        ts_push(srv, TS_ROUTE_API, 200, "Content-Type: application/json\r\n", OK_BODY);
        int rc = k < 2 ? upload(c, src, NULL) : upload_b64(c, src, NULL, 0);
        if (k & 1) expect_error(c, rc, "upload failed", "the read callback ended after 15");
        else expect_error(c, rc, "upload failed", "read callback failed after 10");
        if (!(k & 1)) assert_non_null(strstr(bizapis_client_last_error(c)->message, " of 200000 bytes (returned -1)"));
        assert_int_equal(bizapis_client_last_error(c)->attempts, 1); /* not retried */
        pontes_file_source_free(src);
    }
    /* a file that shrinks between the check and the send is caught while sending; the
       failure of a callback at once (before the magic) is a check failure */
    mem_src m0 = {pdf, n, 0, UINT64_MAX, 0, 0, 0, 0};
    pontes_file_source *s0 = NULL;
    assert_int_equal(pontes_file_source_callback(&s0, mem_read, &m0, n), PONTES_OK);
    size_t before = ts_request_count(srv);
    expect_error(c, upload(c, s0, NULL), "read callback failed after 0 of", NULL);
    assert_int_equal(ts_request_count(srv), before);
    pontes_file_source_free(s0);
    bizapis_client_free(c);
    free(pdf);
    /* drain the canned responses the aborted requests did not take */
    bizapis_client *c2 = new_client();
    for (int i = 0; i < 8; i++) {
        pontes_file f = {(const uint8_t *)"%PDF-1.4", 8, "mapa.pdf", NULL};
        if (upload(c2, NULL, &f) != PONTES_OK) break;
    }
    bizapis_client_free(c2);
}

static void test_source_api(void **state) {
    (void)state;
    pontes_file_source *s = (pontes_file_source *)1;
    assert_int_equal(pontes_file_source_path(&s, NULL), PONTES_EINVAL);
    assert_null(s);
    assert_int_equal(pontes_file_source_path(&s, ""), PONTES_EINVAL);
    assert_int_equal(pontes_file_source_callback(&s, NULL, NULL, 3), PONTES_EINVAL);
    assert_int_equal(pontes_file_source_path(NULL, "x"), PONTES_EINVAL);
    assert_int_equal(pontes_file_source_path(&s, "x.pdf"), PONTES_OK);
    pontes_file f = {(const uint8_t *)"abc", 3, NULL, NULL};
    assert_null(pontes_file_get_source(&f));
    assert_int_equal(pontes_file_set_source(&f, s), PONTES_OK);
    assert_ptr_equal(pontes_file_get_source(&f), s);
    assert_int_equal(f.len, PONTES_FILE_STREAM);
    pontes_bytes b = {NULL, 0};
    assert_int_equal(pontes_bytes_set_source(&b, NULL), PONTES_EINVAL);
    assert_int_equal(pontes_bytes_set_source(&b, s), PONTES_OK);
    assert_ptr_equal(pontes_bytes_get_source(&b), s);
    assert_null(pontes_bytes_get_source(NULL));
    pontes_file_source_free(s);
    pontes_file_source_free(NULL);
}

static int setup(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pontes-upload-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    srv = ts_start();
    pontes__set_sleep_hook(no_sleep);
    return srv ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    ts_stop(srv);
    const char *names[] = {"map.pdf", "b64.pdf", "retry.pdf", "map.zip", "big.pdf", "exact.pdf", "batch.pdf"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp_path(names[i]));
    rmdir(tmpdir);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_api),
        cmocka_unit_test(test_multipart_from_path),
        cmocka_unit_test(test_multipart_from_callback),
        cmocka_unit_test(test_multipart_in_memory_still_works),
        cmocka_unit_test(test_base64_from_path),
        cmocka_unit_test(test_base64_from_callback),
        cmocka_unit_test(test_retry_sends_the_body_again),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_limits_refused_before_sending),
        cmocka_unit_test(test_failing_sources),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
