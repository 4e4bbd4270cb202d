/* Batches: many calls of one client in flight at once on curl's multi interface, on the
 * calling thread. Each call runs the same steps as pontes_request_send (request.c):
 * attempts, retries with waits, the time budget and OAuth2 renewal are per call; only
 * the waiting is shared (curl_multi_poll). Top of the layering: uses request.c. */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { BC_QUEUED = 0, BC_ACTIVE, BC_WAITING, BC_DONE };

typedef struct batch_call {
    pontes_call k;      /* prepared call (owns its request) */
    void **out;
    int state;
    double not_before;  /* BC_WAITING: start the next attempt then */
    CURL *h;            /* BC_ACTIVE: the handle it runs on */
    int status;
    long http_status;
    pontes_error err;
} batch_call;

struct pontes_batch {
    pontes_client *c;
    unsigned maxc;
    batch_call **calls;
    size_t n, cap;
    CURLM *multi;
    CURL **free_h;      /* idle, configured handles */
    size_t nfree;
    CURL **all_h;       /* every handle made, for cleanup */
    size_t nall;
};

int pontes_batch_new(pontes_batch **out, pontes_client *c, const pontes_batch_options *opts) {
    if (!out) return PONTES_EINVAL;
    *out = NULL;
    if (!c) return PONTES_EINVAL;
    pontes_batch_options o = PONTES_BATCH_OPTIONS_INIT;
    if (opts) {
        if (opts->version != PONTES_BATCH_OPTIONS_VERSION) return PONTES_EINVAL;
        o = *opts;
    }
    if (o.max_concurrency == 0) o.max_concurrency = 8;
    if (o.max_concurrency > 256) return PONTES_EINVAL;
    pontes_batch *b = calloc(1, sizeof *b);
    if (!b) return PONTES_ENOMEM;
    b->c = c;
    b->maxc = o.max_concurrency;
    b->free_h = calloc(b->maxc, sizeof *b->free_h);
    b->all_h = calloc(b->maxc, sizeof *b->all_h);
    if (!b->free_h || !b->all_h) {
        pontes_batch_free(b);
        return PONTES_ENOMEM;
    }
    *out = b;
    return PONTES_OK;
}

static void call_done(pontes_batch *b, batch_call *bc, int rc) {
    pontes_client *c = b->c;
    bc->status = pontes_call_finish(&bc->k, rc, bc->out, &bc->http_status);
    pontes_err_move(&bc->err, &c->err);
    if (bc->status != PONTES_OK && bc->http_status == 0) bc->http_status = bc->err.http_status;
    pontes_call_free(&bc->k);
    bc->state = BC_DONE;
}

int pontes_batch_add(pontes_batch *b, pontes_request *r, void **out) {
    if (out) *out = NULL;
    if (!r) return PONTES_EINVAL;
    pontes_client *c = pontes_cl_request_client(r);
    if (!b || b->c != c) {
        pontes_err_set(&c->err, PONTES_EINVAL, "batch: the call's client is not the batch's client");
        pontes_request_free(r);
        return PONTES_EINVAL;
    }
    int rc = pontes_cl_request_failed(r);
    if (rc != PONTES_OK) {
        pontes_request_free(r);
        return rc;
    }
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 16;
        batch_call **nv = realloc(b->calls, nc * sizeof *nv);
        if (!nv) {
            pontes_request_free(r);
            return pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
        }
        b->calls = nv;
        b->cap = nc;
    }
    batch_call *bc = calloc(1, sizeof *bc);
    if (!bc) {
        pontes_request_free(r);
        return pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
    }
    b->calls[b->n++] = bc;
    bc->out = out;
    pontes_err_reset(&c->err);
    /* Encode now: the caller may reuse its body struct once this returns. */
    rc = pontes_call_prepare(&bc->k, r);
    if (rc != PONTES_OK) {
        /* the call is part of the batch (its index stays), failed before sending */
        call_done(b, bc, rc);
        pontes_err_set_str(&c->err, &c->err.message, bc->err.message, (size_t)-1);
        c->err.status = rc;
        return rc;
    }
    pontes_cl_request_release(r); /* queued: the client is free until pontes_batch_run */
    bc->state = BC_QUEUED;
    return PONTES_OK;
}

static CURL *take_handle(pontes_batch *b) {
    if (b->nfree) return b->free_h[--b->nfree];
    if (b->nall >= b->maxc) return NULL;
    CURL *h = curl_easy_init();
    if (!h) return NULL;
    pontes_cl_configure_handle(b->c, h);
    b->all_h[b->nall++] = h;
    return h;
}

static void give_handle(pontes_batch *b, CURL *h) { b->free_h[b->nfree++] = h; }

/* Start the next attempt of bc. */
static void start_attempt(pontes_batch *b, batch_call *bc, unsigned *active) {
    pontes_client *c = b->c;
    CURL *h = take_handle(b);
    if (!h) {
        call_done(b, bc, pontes_err_set(&c->err, PONTES_ENOMEM, "batch: out of memory (curl handle)"));
        return;
    }
    pontes_err_reset(&c->err);
    int rc = pontes_call_attempt_begin(&bc->k, h);
    if (rc != PONTES_OK) {
        give_handle(b, h);
        call_done(b, bc, rc);
        return;
    }
    if (!bc->k.x.h) { /* no time left: the attempt is over before it started */
        give_handle(b, h);
        if (pontes_call_attempt_end(&bc->k) == PONTES_CALL_AGAIN) {
            bc->state = BC_WAITING;
            bc->not_before = pontes_cl_now();
        } else {
            call_done(b, bc, PONTES_OK);
        }
        return;
    }
    if (curl_multi_add_handle(b->multi, h) != CURLM_OK) {
        pontes_cl_xfer_finish(c, &bc->k.x, CURLE_FAILED_INIT);
        give_handle(b, h);
        (void)pontes_call_attempt_end(&bc->k);
        call_done(b, bc, PONTES_OK);
        return;
    }
    bc->h = h;
    bc->state = BC_ACTIVE;
    (*active)++;
}

int pontes_batch_run(pontes_batch *b) {
    if (!b) return PONTES_EINVAL;
    pontes_client *c = b->c;
    if (pontes_cl_enter(c) != PONTES_OK) return PONTES_EBUSY;
    pontes_err_reset(&c->err);
    if (!b->multi) {
        b->multi = curl_multi_init();
        if (!b->multi) {
            pontes_cl_leave(c);
            return pontes_err_set(&c->err, PONTES_ENOMEM, "batch: curl_multi_init failed");
        }
        curl_multi_setopt(b->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    }
    /* Each call's time budget starts when the batch starts running it. */
    size_t next = 0;     /* first call not started yet */
    unsigned active = 0;
    for (;;) {
        double now = pontes_cl_now();
        /* waiting calls whose wait is over come first, then new ones */
        for (size_t i = 0; i < b->n && active < b->maxc; i++)
            if (b->calls[i]->state == BC_WAITING && b->calls[i]->not_before <= now)
                start_attempt(b, b->calls[i], &active);
        while (active < b->maxc && next < b->n) {
            batch_call *bc = b->calls[next++];
            if (bc->state != BC_QUEUED) continue;
            bc->k.deadline = pontes_cl_now() + (double)bc->k.budget_ms / 1000.0;
            bc->k.x.deadline = bc->k.deadline;
            start_attempt(b, bc, &active);
        }
        double wake = 0;
        bool waiting = false;
        for (size_t i = 0; i < b->n; i++)
            if (b->calls[i]->state == BC_WAITING) {
                if (!waiting || b->calls[i]->not_before < wake) wake = b->calls[i]->not_before;
                waiting = true;
            }
        if (!active && !waiting && next >= b->n) break;

        int running = 0;
        if (active) curl_multi_perform(b->multi, &running);
        CURLMsg *msg;
        int left;
        bool finished = false;
        while ((msg = curl_multi_info_read(b->multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *h = msg->easy_handle;
            pontes_cl_xfer *x = NULL;
            curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
            CURLcode cc = msg->data.result;
            curl_multi_remove_handle(b->multi, h);
            if (!x) continue;
            batch_call *bc = (batch_call *)(void *)((char *)x - offsetof(batch_call, k.x));
            finished = true;
            pontes_cl_xfer_finish(c, x, cc);
            give_handle(b, h);
            bc->h = NULL;
            active--;
            pontes_err_reset(&c->err);
            if (pontes_call_attempt_end(&bc->k) == PONTES_CALL_AGAIN) {
                bc->state = BC_WAITING;
                bc->not_before = pontes_cl_now() + (bc->k.delay_ms > 0 ? (double)bc->k.delay_ms / 1000.0 : 0);
            } else {
                call_done(b, bc, PONTES_OK);
            }
        }
        /* Calls finished: start the next ones at once (no wait). Otherwise wait for
           network activity, curl's own timers, or the next retry that is due. */
        if (finished) continue;
        long ms = 1000;
        if (waiting) {
            double d = (wake - pontes_cl_now()) * 1000.0;
            ms = d <= 0 ? 0 : (d < 1000 ? (long)d + 1 : 1000);
        }
        long cm = -1;
        if (active && curl_multi_timeout(b->multi, &cm) == CURLM_OK && cm >= 0 && cm < ms) ms = cm;
        if (!active && !waiting) ms = 0;
        if (ms > 0) curl_multi_poll(b->multi, NULL, 0, (int)ms, NULL);
    }
    pontes_err_reset(&c->err);
    int first = PONTES_OK;
    for (size_t i = 0; i < b->n && first == PONTES_OK; i++) first = b->calls[i]->status;
    if (first != PONTES_OK) c->err.status = first;
    pontes_cl_leave(c);
    return first;
}

size_t pontes_batch_count(const pontes_batch *b) { return b ? b->n : 0; }

int pontes_batch_status(const pontes_batch *b, size_t i) {
    return b && i < b->n ? b->calls[i]->status : PONTES_EINVAL;
}

const pontes_error *pontes_batch_error(const pontes_batch *b, size_t i) {
    return b && i < b->n ? &b->calls[i]->err : NULL;
}

long pontes_batch_http_status(const pontes_batch *b, size_t i) {
    return b && i < b->n ? b->calls[i]->http_status : 0;
}

void pontes_batch_free(pontes_batch *b) {
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) {
        batch_call *bc = b->calls[i];
        if (bc->state == BC_ACTIVE && bc->h && b->multi) curl_multi_remove_handle(b->multi, bc->h);
        if (bc->k.r) pontes_call_free(&bc->k);
        pontes_error_clear(&bc->err);
        free(bc);
    }
    free(b->calls);
    for (size_t i = 0; i < b->nall; i++) curl_easy_cleanup(b->all_h[i]);
    free(b->all_h);
    free(b->free_h);
    if (b->multi) curl_multi_cleanup(b->multi);
    free(b);
}
