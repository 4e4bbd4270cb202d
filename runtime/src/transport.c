/* One HTTP exchange on the client's CURL easy handle (bounded response buffer, headers,
 * per-attempt time limits from the call's budget), the retry policy and transport errors.
 * Depends on util.c and log (debug callback). */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- one HTTP exchange -------------------------------------------------- */
/* Make room for need bytes (body so far + the new data + the NUL). The buffer never
 * grows past max_response_bytes + 1: doubling stops at the cap, and a Content-Length
 * (when the server sends one) sizes it once. Small buffers move by copy + wipe; large
 * ones by realloc, which glibc does with mremap for mmap'd chunks (the pages move, no
 * copy is left behind). */
static int resp_reserve(pontes_cl_xfer *x, size_t need) {
    pontes_buf *b = &x->resp;
    if (need <= b->cap) return PONTES_OK;
    size_t lim = x->max + 1;
    size_t nc = b->cap ? b->cap : 4096;
    if (b->len == 0 && x->h) { /* first data: size from Content-Length if there is one */
        curl_off_t cl = -1;
        if (curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl > 0 &&
            (uint64_t)cl < (uint64_t)lim)
            nc = (size_t)cl + 1;
    }
    while (nc < need) nc = nc > lim / 2 ? lim : nc * 2;
    if (nc > lim) nc = lim;
    if (nc < need) return PONTES_ETOOBIG;
    char *np;
    if (nc <= ((size_t)1 << 20) || !b->data) {
        np = malloc(nc);
        if (!np) return PONTES_ENOMEM;
        if (b->data) {
            memcpy(np, b->data, b->len);
            pontes_cl_wipe(b->data, x->resp_hw);
            free(b->data);
        }
    } else {
        np = realloc(b->data, nc);
        if (!np) return PONTES_ENOMEM;
    }
    b->data = np;
    b->cap = nc;
    return PONTES_OK;
}

static size_t on_write(char *p, size_t sz, size_t n, void *ud) {
    pontes_cl_xfer *x = ud;
    size_t len = sz * n;
    if (len > x->max - x->resp.len) {
        x->toobig = true;
        return 0;
    }
    int rc = resp_reserve(x, x->resp.len + len + 1);
    if (rc != PONTES_OK) {
        if (rc == PONTES_ETOOBIG) x->toobig = true;
        else x->nomem = true;
        return 0;
    }
    memcpy(x->resp.data + x->resp.len, p, len);
    x->resp.len += len;
    x->resp.data[x->resp.len] = '\0';
    if (x->resp.len + 1 > x->resp_hw) x->resp_hw = x->resp.len + 1;
    return len;
}

/* Whether the response header line p[0..e) is one the runtime reads (pontes_cl_header's
 * callers: Retry-After for retries, the request-id headers for errors); the others are not kept. */
static bool header_wanted(const pontes_cl_xfer *x, const char *p, size_t e) {
    static const struct {
        const char *name;
        size_t len;
    } kept[] = {{"Retry-After", 11}, {"X-Request-Id", 12}, {"X-Correlation-Id", 16}};
    const char *colon = memchr(p, ':', e);
    if (!colon) return false;
    size_t nl = (size_t)(colon - p);
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        if (nl == kept[i].len && pontes_cl_ci_eq_n(p, kept[i].name, nl)) return true;
    return x->want_hdr && strlen(x->want_hdr) == nl && pontes_cl_ci_eq_n(p, x->want_hdr, nl);
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud) {
    pontes_cl_xfer *x = ud;
    size_t len = sz * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) x->hdrs.len = 0; /* a new response (after 1xx) */
    size_t e = len;
    while (e > 0 && (p[e - 1] == '\r' || p[e - 1] == '\n')) e--;
    if (e == 0 || !header_wanted(x, p, e)) return len;
    if (x->hdrs.len + e > 256 * 1024) return len; /* ignore absurd header volumes */
    if (pontes_buf_append(&x->hdrs, p, e) != PONTES_OK || pontes_buf_append(&x->hdrs, "\n", 1) != PONTES_OK) {
        x->nomem = true;
        return 0;
    }
    return len;
}

void pontes_cl_xfer_init(pontes_cl_xfer *x) {
    memset(x, 0, sizeof *x);
    pontes_buf_init(&x->resp);
    pontes_buf_init(&x->hdrs);
}

void pontes_cl_xfer_reset_result(pontes_cl_xfer *x) {
    if (x->resp_given) { /* an error's body: the next attempt gets a buffer of its own */
        pontes_buf_init(&x->resp);
        x->resp_given = false;
        x->resp_hw = 0;
    }
    x->resp.len = 0;
    x->hdrs.len = 0;
    x->toobig = x->nomem = x->out_of_time = false;
    x->cc = CURLE_OK;
    x->status = 0;
    x->elapsed_ms = 0;
}

void pontes_cl_xfer_give_body(pontes_cl_xfer *x, pontes_error *err) {
    if (!x->resp.len || !x->resp.data || x->resp_given) return;
    pontes_err_set_str(err, &err->body, NULL, 0);
    err->body = x->resp.data; /* malloc'd, NUL-terminated at len: freed by pontes_error_clear */
    err->body_len = x->resp.len;
    x->resp_given = true;
}

void pontes_cl_xfer_free(pontes_cl_xfer *x) {
    if (x->resp_given) { /* the error owns the buffer now */
        pontes_buf_init(&x->resp);
        x->resp_given = false;
    }
    /* wipe what was written, not the whole capacity (which may never have been touched) */
    if (x->resp.data) pontes_cl_wipe(x->resp.data, x->resp_hw < x->resp.cap ? x->resp_hw : x->resp.cap);
    pontes_buf_free(&x->resp);
    x->resp_hw = 0;
    pontes_buf_free(&x->hdrs);
}

/* Value of response header name (trimmed), or NULL; *len set. Points into x->hdrs. Only the
 * headers header_wanted() keeps are there (add a name there before reading a new one). */
const char *pontes_cl_header(const pontes_cl_xfer *x, const char *name, size_t *len) {
    size_t nl = strlen(name);
    const char *p = x->hdrs.data, *end = p ? p + x->hdrs.len : NULL;
    while (p && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        if ((size_t)(eol - p) > nl && p[nl] == ':' && pontes_cl_ci_eq_n(p, name, nl)) {
            const char *v = p + nl + 1, *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            *len = (size_t)(ve - v);
            return v;
        }
        p = eol + 1;
    }
    *len = 0;
    return NULL;
}


/* Options that are the same for every exchange: set once per handle (curl keeps them
 * across transfers; connections, DNS and TLS session caches are reused). */
void pontes_cl_configure_handle(pontes_client *c, CURL *h) {
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* the URL is sent as built: no dot-segment removal */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (c->o.ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, c->o.ca_file);
    if (c->o.client_cert) curl_easy_setopt(h, CURLOPT_SSLCERT, c->o.client_cert);
    if (c->o.client_key) curl_easy_setopt(h, CURLOPT_SSLKEY, c->o.client_key);
    if (c->o.client_key_password) curl_easy_setopt(h, CURLOPT_KEYPASSWD, c->o.client_key_password);
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->o.user_agent);
    /* Compression (pontes_client_set_compression): curl decodes what accept_enc lists; the
       Accept-Encoding line itself is one of the request's header lines (request.c), so that
       curl does not format its own on every request. */
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, c->accept_enc[0] ? c->accept_enc : NULL);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_off_t maxfs = c->o.max_response_bytes > (size_t)INT64_MAX ? (curl_off_t)INT64_MAX
                                                                   : (curl_off_t)c->o.max_response_bytes;
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, maxfs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    if (pontes_cl_log_enabled(c, PONTES_LOG_DEBUG)) {
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, pontes_cl_on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }
    if (h == c->curl) {
        /* the client's handle: what the exchanges set on it is tracked in c->hs */
        pontes_cl_handle_state_free(c);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->hs.errbuf);
        c->hs.valid = true;
    }
}

void pontes_cl_handle_state_free(pontes_client *c) {
    pontes_cl_buf_wipe_free(&c->hs.url);
    c->hs.valid = c->hs.plain_get = false;
    c->hs.headers = NULL;
    c->hs.data = NULL;
    c->hs.timeout_ms = c->hs.connect_ms = -1;
}

/* Set a long option on the client's handle only when it differs from what is set. */
static void set_long(CURL *h, CURLoption opt, long v, long *cur, bool track) {
    if (track && *cur == v) return;
    curl_easy_setopt(h, opt, v);
    if (track) *cur = v;
}

/* Prepare h for the exchange x (inputs: method/url/headers/body/mime; x->deadline, or
 * the client's current call budget when 0). Every option that depends on the request
 * is set explicitly, so nothing of a previous exchange carries over. false: no time
 * is left (x->cc is CURLE_OPERATION_TIMEDOUT and nothing was set up). */
bool pontes_cl_xfer_setup(pontes_client *c, pontes_cl_xfer *x, CURL *h) {
    pontes_cl_xfer_reset_result(x);
    x->max = c->o.max_response_bytes;
    x->errbuf[0] = '\0';
    x->want_hdr = c->api && c->api->errors ? c->api->errors->request_id_header : NULL;
    /* This attempt gets what is left of the call's budget (or the per-attempt limit). */
    double deadline = x->deadline > 0 ? x->deadline : c->deadline;
    long rem = pontes_cl_ms_until(deadline);
    if (rem <= 0) {
        x->cc = CURLE_OPERATION_TIMEDOUT;
        x->out_of_time = true;
        snprintf(x->curl_msg, sizeof x->curl_msg, "no time left for another attempt");
        return false;
    }
    x->h = h;
    long lim = rem;
    long per = x->attempt_timeout_ms > 0 ? x->attempt_timeout_ms : c->o.attempt_timeout_ms;
    if (per > 0 && per < lim) lim = per;
    /* The client's own handle keeps its options between exchanges: only what differs from
       the previous exchange on it is set (c->hs). Other handles (batches) get every option. */
    struct pontes_cl_hstate *hs = &c->hs;
    bool track = h == c->curl && hs->valid;
    if (track) {
        hs->errbuf[0] = '\0';
    } else {
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
        curl_easy_setopt(h, CURLOPT_PRIVATE, x);
        /* a pooled batch handle may have been configured before pontes_client_set_compression */
        if (h != c->curl) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, c->accept_enc[0] ? c->accept_enc : NULL);
    }
    set_long(h, CURLOPT_TIMEOUT_MS, lim, &hs->timeout_ms, track);
    set_long(h, CURLOPT_CONNECTTIMEOUT_MS, c->o.connect_timeout_ms < lim ? c->o.connect_timeout_ms : lim,
             &hs->connect_ms, track);
    if (!track || !hs->url.data || strcmp(hs->url.data, x->url) != 0) {
        curl_easy_setopt(h, CURLOPT_URL, x->url);
        if (track) { /* a copy to compare the next URL with (wiped: a query may carry a key) */
            pontes_cl_wipe(hs->url.data, hs->url.len);
            hs->url.len = 0;
            if (pontes_buf_puts(&hs->url, x->url) != PONTES_OK || pontes_cl_buf_cstr(&hs->url) != PONTES_OK)
                pontes_cl_buf_wipe_free(&hs->url); /* no copy: set again next time */
        }
    }
    if (!track || hs->data != x) {
        curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
        if (track) hs->data = x;
    }
    if (!track || hs->headers != x->headers) {
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
        if (track) hs->headers = x->headers;
    }

    const char *m = x->method;
    bool get = strcmp(m, "GET") == 0;
    if (track && get && hs->plain_get) {
        x->t0 = pontes_cl_now();
        x->attempt_deadline = deadline;
        return true; /* the method options are those of a plain GET already */
    }
    if (track) hs->plain_get = get;
    /* HTTPGET resets the method to GET and clears NOBODY/UPLOAD; the rest builds on it */
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    if (get) {
        /* nothing more */
    } else if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        if (x->mime) {
            curl_easy_setopt(h, CURLOPT_MIMEPOST, x->mime);
        } else if (x->read_fn) { /* a streamed body (upload.c): exact length, read while sending */
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, x->read_len);
            curl_easy_setopt(h, CURLOPT_READFUNCTION, x->read_fn);
            curl_easy_setopt(h, CURLOPT_READDATA, x->read_data);
            curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, x->seek_fn);
            curl_easy_setopt(h, CURLOPT_SEEKDATA, x->read_data);
        } else if (x->has_body || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body ? x->body : "");
        }
        if (strcmp(m, "POST") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    }
    x->t0 = pontes_cl_now();
    x->attempt_deadline = deadline;
    return true;
}

/* Record the outcome cc of the exchange set up by pontes_cl_xfer_setup on x->h. */
void pontes_cl_xfer_finish(pontes_client *c, pontes_cl_xfer *x, CURLcode cc) {
    (void)c;
    CURL *h = x->h;
    x->cc = cc;
    x->elapsed_ms = (long)((pontes_cl_now() - x->t0) * 1000.0 + 0.5);
    long st = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    x->status = st;
    if (x->cc == CURLE_FILESIZE_EXCEEDED) x->toobig = true;
    if (x->cc == CURLE_OPERATION_TIMEDOUT && pontes_cl_now() >= x->attempt_deadline) x->out_of_time = true;
    bool track = h == c->curl && c->hs.valid;
    const char *eb = track ? c->hs.errbuf : x->errbuf;
    if (x->cc != CURLE_OK) {
        if (eb[0]) {
            snprintf(x->curl_msg, sizeof x->curl_msg, "%s", eb);
        } else {
            snprintf(x->curl_msg, sizeof x->curl_msg, "%s", curl_easy_strerror(x->cc));
        }
    } else {
        x->curl_msg[0] = '\0';
    }
    if (track && c->hs.plain_get && !x->read_fn && !x->mime) {
        /* a plain GET on the client's handle: nothing per call to drop but a header list
           that is not the client's own (it is freed after this exchange) */
        if (!x->headers_kept) {
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
            c->hs.headers = NULL;
        }
        x->h = NULL;
        goto terminate;
    }
    if (track) { /* what follows resets these */
        c->hs.plain_get = false;
        c->hs.headers = NULL;
        c->hs.data = NULL;
    }
    /* Drop the references to per-call data held by the handle. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_MIMEPOST, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    if (x->read_fn) {
        curl_easy_setopt(h, CURLOPT_READFUNCTION, NULL);
        curl_easy_setopt(h, CURLOPT_READDATA, NULL);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, NULL);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, NULL);
    }
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
    if (!track) curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL); /* the client's own buffer stays */
    x->h = NULL;
terminate:
    /* NUL-terminate in place: on_write always leaves room for it (no growth here) */
    if (!x->resp.data && resp_reserve(x, 1) != PONTES_OK) x->nomem = true;
    if (x->resp.data) {
        x->resp.data[x->resp.len] = '\0';
        if (x->resp.len + 1 > x->resp_hw) x->resp_hw = x->resp.len + 1;
    }
}

/* Perform one exchange on the client's own handle. */
void pontes_cl_perform(pontes_client *c, pontes_cl_xfer *x) {
    if (!c->handle_ready) {
        pontes_cl_configure_handle(c, c->curl);
        c->handle_ready = true;
    }
    if (!pontes_cl_xfer_setup(c, x, c->curl)) return;
    pontes_cl_xfer_finish(c, x, curl_easy_perform(c->curl));
}

/* ---- retry policy ------------------------------------------------------- */
static bool curl_nothing_sent(CURLcode cc) {
    return cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY;
}

static bool curl_maybe_sent(CURLcode cc) {
    return cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR ||
           cc == CURLE_GOT_NOTHING || cc == CURLE_PARTIAL_FILE || cc == CURLE_HTTP2 || cc == CURLE_HTTP2_STREAM;
}

/* Whether the outcome of x may be retried; reason describes it. */
bool pontes_cl_should_retry(const pontes_cl_xfer *x, bool idempotent, char *reason, size_t cap) {
    if (x->toobig || x->nomem || x->out_of_time) return false;
    /* reason is formatted only for an outcome that may be retried (none on success) */
    if (x->cc != CURLE_OK) {
        bool again = curl_nothing_sent(x->cc) || (idempotent && curl_maybe_sent(x->cc));
        if (again) snprintf(reason, cap, "%s", x->curl_msg);
        return again;
    }
    bool again = x->status == 429 || x->status == 503 || (idempotent && (x->status == 502 || x->status == 504));
    if (again) snprintf(reason, cap, "HTTP %ld", x->status);
    return again;
}

/* Milliseconds from a Retry-After header, or -1. */
static long retry_after_ms(const pontes_cl_xfer *x) {
    size_t len;
    const char *v = pontes_cl_header(x, "Retry-After", &len);
    if (!v || len == 0 || len > 64) return -1;
    char tmp[65];
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    bool digits = true;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)tmp[i])) digits = false;
    if (digits) {
        if (len > 9) return LONG_MAX;
        long s = strtol(tmp, NULL, 10);
        return s > LONG_MAX / 1000 ? LONG_MAX : s * 1000;
    }
    time_t t = curl_getdate(tmp, NULL);
    if (t == (time_t)-1) return -1;
    time_t now = time(NULL);
    if (t <= now) return 0;
    double d = difftime(t, now) * 1000.0;
    return d > (double)LONG_MAX ? LONG_MAX : (long)d;
}

long pontes_cl_retry_delay(pontes_client *c, const pontes_cl_xfer *x, unsigned retry_index) {
    long cap = c->o.retry_max_ms;
    long ra = x->cc == CURLE_OK ? retry_after_ms(x) : -1;
    if (ra >= 0) return ra < cap ? ra : cap;
    long exp = c->o.retry_base_ms;
    for (unsigned i = 0; i < retry_index && exp < cap; i++) exp = exp > LONG_MAX / 2 ? LONG_MAX : exp * 2;
    if (exp > cap) exp = cap;
    if (exp <= 0) return 0;
    return (long)(pontes_cl_rng_next(c) % ((uint64_t)exp + 1)); /* full jitter */
}


/* Fill err for a transport failure of x. */
/* "10 s" or "1500 ms" */
static void fmt_ms(char *b, size_t cap, long ms) {
    if (ms % 1000 == 0) snprintf(b, cap, "%ld s", ms / 1000);
    else snprintf(b, cap, "%ld ms", ms);
}

int pontes_cl_transport_error(pontes_client *c, const pontes_cl_xfer *x, const char *method, const char *what,
                              unsigned attempts) {
    pontes_error *err = &c->err;
    int st;
    char lim[32], per[32];
    long per_ms = x->attempt_timeout_ms > 0 ? x->attempt_timeout_ms : c->o.attempt_timeout_ms;
    fmt_ms(lim, sizeof lim, x->budget_ms > 0 ? x->budget_ms : c->o.timeout_ms);
    fmt_ms(per, sizeof per, per_ms);
    const char *pl = attempts == 1 ? "" : "s";
    if (x->toobig) {
        st = pontes_err_set(err, PONTES_ETOOBIG, "%s %s: response body larger than %zu bytes", method, what,
                            c->o.max_response_bytes);
    } else if (x->nomem) {
        st = pontes_err_set(err, PONTES_ENOMEM, "%s %s: out of memory reading the response", method, what);
    } else if (x->cc == CURLE_OPERATION_TIMEDOUT && (x->out_of_time || per_ms <= 0)) {
        st = pontes_err_set(err, PONTES_ETIMEOUT, "%s %s: timed out after %u attempt%s, %s limit: %s", method, what,
                            attempts, pl, lim, x->curl_msg);
    } else if (x->cc == CURLE_OPERATION_TIMEDOUT) {
        st = pontes_err_set(err, PONTES_ETIMEOUT, "%s %s: timed out after %u attempt%s (%s per attempt, %s limit): %s",
                            method, what, attempts, pl, per, lim, x->curl_msg);
    } else {
        st = pontes_err_set(err, PONTES_ETRANSPORT, "%s %s: transport error after %u attempt%s: %s", method, what,
                            attempts, pl, x->curl_msg);
    }
    err->attempts = attempts;
    if (!x->toobig && !x->nomem) {
        err->curl_code = (int)x->cc;
        pontes_err_set_str(err, &err->curl_message, x->curl_msg, (size_t)-1);
    }
    if (x->status) err->http_status = x->status;
    return st;
}
