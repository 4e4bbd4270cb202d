/* Batches: many calls of one client in flight at once on curl's multi interface, on the
 * calling thread. Each call runs the same steps as pontes_request_send (request.c):
 * attempts, retries with waits, the time budget and OAuth2 renewal are per call; only
 * the waiting is shared (curl_multi_poll). Top of the layering: uses request.c.
 *
 * Memory: what a call needs while it is queued or running (its prepared request, the
 * exchange and its receive buffer) is a batch_call, freed as soon as the call finishes;
 * what stays per call is a small slot (status, HTTP status, error). Transport memory is
 * bounded by the concurrency limit: at most max_concurrency easy handles (pooled, reused
 * from call to call and run to run), at most that many receive buffers, and a connection
 * cache of max_concurrency connections (so that every handle's connection is kept). With
 * an on_done callback the results go to the caller as they complete, so a caller that
 * processes and frees them holds max_concurrency results at most. */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { BC_QUEUED = 0, BC_ACTIVE, BC_WAITING, BC_DONE };

/* What a call needs until it finishes (freed then). */
typedef struct batch_call {
    pontes_call k;      /* prepared call (owns its request) */
    size_t index;       /* its slot */
    double not_before;  /* BC_WAITING: start the next attempt then */
    CURL *h;            /* BC_ACTIVE: the handle it runs on */
    struct batch_call *next_wait; /* BC_WAITING: the batch's list of waiting calls */
} batch_call;

/* What stays of a call: its outcome. */
typedef struct batch_slot {
    batch_call *bc;     /* until the call finishes */
    void **out;
    int state;
    int status;
    long http_status;
    bool reported;      /* finished and handed out (the out pointer / on_done) */
    pontes_error err;
} batch_slot;

/* Slots live in chunks that never move, so pontes_batch_error pointers stay valid. */
#define SLOT_CHUNK 64u

struct pontes_batch {
    pontes_client *c;
    unsigned maxc;
    batch_slot **chunks;
    size_t n, nchunks, chunk_cap;
    size_t next;        /* first slot not started (calls start in index order) */
    size_t unreported;  /* calls finished in pontes_batch_add (build/encode errors), not handed out */
    batch_call *waiting;
    bool running;
    bool free_pending;  /* pontes_batch_free was called from on_done: freed when run returns */
    pontes_batch_done_fn on_done;
    void *on_done_ud;
    CURLM *multi;
    CURL **free_h;      /* idle, configured handles */
    size_t nfree;
    CURL **all_h;       /* every handle made, for cleanup */
    size_t nall;
};

static batch_slot *slot_at(const pontes_batch *b, size_t i) { return &b->chunks[i / SLOT_CHUNK][i % SLOT_CHUNK]; }

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

int pontes_batch_set_on_done(pontes_batch *b, pontes_batch_done_fn fn, void *userdata) {
    if (!b || b->running) return PONTES_EINVAL;
    b->on_done = fn;
    b->on_done_ud = fn ? userdata : NULL;
    return PONTES_OK;
}

/* Hand the outcome of slot i out: to on_done (which then owns the result), else to the
 * call's out pointer. With on_done, the error keeps only its status, HTTP status and
 * attempts once the callback has returned (its texts and body are released). */
static void report(pontes_batch *b, size_t i, void *result) {
    batch_slot *s = slot_at(b, i);
    s->reported = true;
    if (b->free_pending) { /* being freed: nobody takes results any more */
        pontes_free(result);
        return;
    }
    if (!b->on_done) {
        if (s->out) *s->out = result;
        else pontes_free(result);
        return;
    }
    b->on_done(b, i, s->status, result, b->on_done_ud);
    s = slot_at(b, i);
    pontes_error keep = PONTES_ERROR_INIT;
    keep.status = s->err.status;
    keep.http_status = s->err.http_status;
    keep.attempts = s->err.attempts;
    pontes_error_clear(&s->err);
    s->err = keep;
}

/* The call of slot bc->index finished (rc: a failure before or between attempts). */
static void call_done(pontes_batch *b, batch_call *bc, int rc, bool hand_out) {
    pontes_client *c = b->c;
    size_t i = bc->index;
    batch_slot *s = slot_at(b, i);
    void *result = NULL;
    s->status = pontes_call_finish(&bc->k, rc, s->out || b->on_done ? &result : NULL, &s->http_status);
    pontes_err_move(&s->err, &c->err);
    if (s->status != PONTES_OK && s->http_status == 0) s->http_status = s->err.http_status;
    pontes_call_free(&bc->k);
    free(bc);
    s->bc = NULL;
    s->state = BC_DONE;
    if (hand_out) {
        report(b, i, result);
    } else { /* finished in pontes_batch_add: a build error, no result */
        pontes_free(result);
        b->unreported++;
    }
}

int pontes_batch_add(pontes_batch *b, pontes_request *r, void **out) {
    if (out) *out = NULL;
    if (!r) return PONTES_EINVAL;
    pontes_client *c = pontes_cl_request_client(r);
    if (!b || b->c != c || b->running) {
        pontes_err_set(&c->err, PONTES_EINVAL,
                       b && b->c == c ? "batch: calls cannot be added while the batch runs"
                                      : "batch: the call's client is not the batch's client");
        pontes_request_free(r);
        return PONTES_EINVAL;
    }
    int rc = pontes_cl_request_failed(r);
    if (rc != PONTES_OK) {
        pontes_request_free(r);
        return rc;
    }
    if (b->n == b->nchunks * SLOT_CHUNK) {
        if (b->nchunks == b->chunk_cap) {
            size_t nc = b->chunk_cap ? b->chunk_cap * 2 : 4;
            batch_slot **nv = realloc(b->chunks, nc * sizeof *nv);
            if (!nv) {
                pontes_request_free(r);
                return pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
            }
            b->chunks = nv;
            b->chunk_cap = nc;
        }
        batch_slot *ch = calloc(SLOT_CHUNK, sizeof *ch);
        if (!ch) {
            pontes_request_free(r);
            return pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
        }
        b->chunks[b->nchunks++] = ch;
    }
    batch_call *bc = calloc(1, sizeof *bc);
    if (!bc) {
        pontes_request_free(r);
        return pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
    }
    size_t i = b->n++;
    batch_slot *s = slot_at(b, i);
    s->bc = bc;
    s->out = out;
    s->state = BC_QUEUED;
    bc->index = i;
    pontes_err_reset(&c->err);
    /* Encode now: the caller may reuse its body struct once this returns. */
    rc = pontes_call_prepare(&bc->k, r);
    if (rc != PONTES_OK) {
        /* the call is part of the batch (its index stays), failed before sending */
        call_done(b, bc, rc, false);
        pontes_err_set_str(&c->err, &c->err.message, s->err.message, (size_t)-1);
        c->err.status = rc;
        return rc;
    }
    pontes_cl_request_release(r); /* queued: the client is free until pontes_batch_run */
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

static void wait_call(pontes_batch *b, batch_call *bc, double not_before) {
    slot_at(b, bc->index)->state = BC_WAITING;
    bc->not_before = not_before;
    bc->next_wait = b->waiting;
    b->waiting = bc;
}

/* Start the next attempt of bc. */
static void start_attempt(pontes_batch *b, batch_call *bc, unsigned *active) {
    pontes_client *c = b->c;
    CURL *h = take_handle(b);
    if (!h) {
        call_done(b, bc, pontes_err_set(&c->err, PONTES_ENOMEM, "batch: out of memory (curl handle)"), true);
        return;
    }
    pontes_err_reset(&c->err);
    int rc = pontes_call_attempt_begin(&bc->k, h);
    if (rc != PONTES_OK) {
        give_handle(b, h);
        call_done(b, bc, rc, true);
        return;
    }
    if (!bc->k.x.h) { /* no time left: the attempt is over before it started */
        give_handle(b, h);
        if (pontes_call_attempt_end(&bc->k) == PONTES_CALL_AGAIN) wait_call(b, bc, pontes_cl_now());
        else call_done(b, bc, PONTES_OK, true);
        return;
    }
    if (curl_multi_add_handle(b->multi, h) != CURLM_OK) {
        pontes_cl_xfer_finish(c, &bc->k.x, CURLE_FAILED_INIT);
        give_handle(b, h);
        (void)pontes_call_attempt_end(&bc->k);
        call_done(b, bc, PONTES_OK, true);
        return;
    }
    bc->h = h;
    slot_at(b, bc->index)->state = BC_ACTIVE;
    (*active)++;
}

int pontes_batch_run(pontes_batch *b) {
    if (!b) return PONTES_EINVAL;
    pontes_client *c = b->c;
    if (b->running) return PONTES_EINVAL; /* from its own on_done (the client's error is the calls' scratch) */
    if (pontes_cl_enter(c) != PONTES_OK) return PONTES_EBUSY;
    pontes_err_reset(&c->err);
    if (!b->multi) {
        b->multi = curl_multi_init();
        if (!b->multi) {
            pontes_cl_leave(c);
            return pontes_err_set(&c->err, PONTES_ENOMEM, "batch: curl_multi_init failed");
        }
        curl_multi_setopt(b->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
        /* a connection cache as large as the limit: every handle's connection is kept for
           the next call (curl's default follows the number of handles added, which drops
           as the batch drains), and never more connections than that */
        curl_multi_setopt(b->multi, CURLMOPT_MAXCONNECTS, (long)b->maxc);
        curl_multi_setopt(b->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)b->maxc);
    }
    b->running = true;
    /* calls that failed in pontes_batch_add are handed out first (on_done sees every call) */
    for (size_t i = 0; b->unreported && i < b->n; i++) {
        batch_slot *s = slot_at(b, i);
        if (s->state == BC_DONE && !s->reported) {
            b->unreported--;
            report(b, i, NULL);
        }
    }
    /* Each call's time budget starts when the batch starts running it. */
    unsigned active = 0;
    for (;;) {
        if (b->free_pending) break;
        double now = pontes_cl_now();
        /* waiting calls whose wait is over come first, then new ones */
        for (batch_call **pp = &b->waiting; *pp && active < b->maxc && !b->free_pending;) {
            batch_call *bc = *pp;
            if (bc->not_before <= now) {
                *pp = bc->next_wait;
                bc->next_wait = NULL;
                start_attempt(b, bc, &active);
            } else {
                pp = &bc->next_wait;
            }
        }
        while (active < b->maxc && b->next < b->n && !b->free_pending) {
            batch_slot *s = slot_at(b, b->next++);
            if (s->state != BC_QUEUED) continue;
            batch_call *bc = s->bc;
            bc->k.deadline = pontes_cl_now() + (double)bc->k.budget_ms / 1000.0;
            bc->k.x.deadline = bc->k.deadline;
            start_attempt(b, bc, &active);
        }
        double wake = 0;
        bool waiting = b->waiting != NULL;
        for (batch_call *w = b->waiting; w; w = w->next_wait)
            if (w == b->waiting || w->not_before < wake) wake = w->not_before;
        if (!active && !waiting && b->next >= b->n) break;

        int running = 0;
        if (active) curl_multi_perform(b->multi, &running);
        CURLMsg *msg;
        int left;
        bool finished = false;
        while (!b->free_pending && (msg = curl_multi_info_read(b->multi, &left))) {
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
            if (pontes_call_attempt_end(&bc->k) == PONTES_CALL_AGAIN)
                wait_call(b, bc, pontes_cl_now() + (bc->k.delay_ms > 0 ? (double)bc->k.delay_ms / 1000.0 : 0));
            else
                call_done(b, bc, PONTES_OK, true);
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
    b->running = false;
    pontes_err_reset(&c->err);
    if (b->free_pending) { /* freed from on_done: the calls not finished are dropped */
        pontes_batch_free(b);
        pontes_cl_leave(c);
        return PONTES_EINVAL;
    }
    int first = PONTES_OK;
    for (size_t i = 0; i < b->n && first == PONTES_OK; i++) first = slot_at(b, i)->status;
    if (first != PONTES_OK) c->err.status = first;
    pontes_cl_leave(c);
    return first;
}

size_t pontes_batch_count(const pontes_batch *b) { return b ? b->n : 0; }

int pontes_batch_status(const pontes_batch *b, size_t i) {
    return b && i < b->n ? slot_at(b, i)->status : PONTES_EINVAL;
}

const pontes_error *pontes_batch_error(const pontes_batch *b, size_t i) {
    return b && i < b->n ? &slot_at(b, i)->err : NULL;
}

long pontes_batch_http_status(const pontes_batch *b, size_t i) {
    return b && i < b->n ? slot_at(b, i)->http_status : 0;
}

void pontes_batch_free(pontes_batch *b) {
    if (!b) return;
    if (b->running) { /* from on_done: pontes_batch_run frees it when it returns */
        b->free_pending = true;
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        batch_slot *s = slot_at(b, i);
        batch_call *bc = s->bc;
        if (bc) {
            if (s->state == BC_ACTIVE && bc->h && b->multi) curl_multi_remove_handle(b->multi, bc->h);
            if (bc->k.r) pontes_call_free(&bc->k);
            free(bc);
        }
        pontes_error_clear(&s->err);
    }
    for (size_t i = 0; i < b->nchunks; i++) free(b->chunks[i]);
    free(b->chunks);
    for (size_t i = 0; i < b->nall; i++) curl_easy_cleanup(b->all_h[i]);
    free(b->all_h);
    free(b->free_h);
    if (b->multi) curl_multi_cleanup(b->multi);
    free(b);
}
