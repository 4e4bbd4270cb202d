/* Webhook receivers: the generic part of the generated <api>_<webhook>_receive.
 *
 * The partner's HTTPS endpoint hands us the raw body and the headers it received; we check
 * the Content-Type, decode the body (the codec, tolerant or strict per the options; an
 * exactly-one-of constraint not met is always an error here), and build one arena holding
 * the notification struct, a byte-exact copy of the body, the Content-Type and the headers
 * the webhook declares. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ascii_lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch; }

static bool ieq_n(const char *a, size_t an, const char *b, size_t bn) {
    if (an != bn) return false;
    for (size_t i = 0; i < an; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i])) return false;
    return true;
}

static bool is_ows(char ch) { return ch == ' ' || ch == '\t'; }

/* The first header named name (case-insensitively), or NULL. */
static const char *find_header(const pontes_header *h, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (h[i].name && h[i].value && ieq_n(h[i].name, strlen(h[i].name), name, strlen(name))) return h[i].value;
    return NULL;
}

/* Whether the Content-Type value ct names the media type want (case-insensitive, optional
 * whitespace; parameters allowed, but a charset must be UTF-8). NULL *why on success. */
static bool content_type_ok(const char *ct, const char *want, const char **why) {
    *why = NULL;
    const char *p = ct;
    while (is_ows(*p)) p++;
    const char *e = p;
    while (*e && *e != ';') e++;
    const char *te = e;
    while (te > p && is_ows(te[-1])) te--;
    if (!ieq_n(p, (size_t)(te - p), want, strlen(want))) {
        *why = "media type";
        return false;
    }
    while (*e == ';') { /* parameters: name=value; only charset is looked at */
        p = e + 1;
        while (is_ows(*p)) p++;
        e = p;
        while (*e && *e != ';') e++;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (!eq) continue;
        const char *ne = eq;
        while (ne > p && is_ows(ne[-1])) ne--;
        if (!ieq_n(p, (size_t)(ne - p), "charset", 7)) continue;
        const char *v = eq + 1, *ve = e;
        while (v < ve && is_ows(*v)) v++;
        while (ve > v && is_ows(ve[-1])) ve--;
        if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
            v++;
            ve--;
        }
        if (!ieq_n(v, (size_t)(ve - v), "utf-8", 5) && !ieq_n(v, (size_t)(ve - v), "utf8", 4)) {
            *why = "charset";
            return false;
        }
    }
    return true;
}

static int fail(pontes_error *err, long http_status, int status, const char *fmt, ...) PONTES_PRINTF(4, 5);
static int fail(pontes_error *err, long http_status, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pontes_err_vset(err, status, fmt, ap);
    va_end(ap);
    if (err) err->http_status = http_status;
    return status;
}

/* A required header that is missing: a deviation (tolerant) or an error (strict). */
static int missing_header(const pontes_decode_options *opts, const char *wname, const char *hname, pontes_error *err) {
    bool strict = opts && opts->version >= 2 && opts->strict;
    if (strict) return fail(err, 400, PONTES_EDECODE, "webhook %s: missing required header %s", wname, hname);
    pontes_deviations *d = opts && opts->version >= 2 ? opts->deviations : NULL;
    if (d) {
        d->count++;
        if (d->kept < PONTES_DEVIATIONS_KEPT) {
            pontes_deviation *x = &d->first[d->kept++];
            snprintf(x->path, sizeof x->path, "header %s", hname);
            snprintf(x->what, sizeof x->what, "missing required header");
        }
    }
    return PONTES_OK;
}

int pontes_webhook_receive(const pontes_webhook_desc *w, const char *body, size_t len, const pontes_header *headers,
                           size_t header_count, const pontes_decode_options *opts, void **out, pontes_error *err) {
    if (out) *out = NULL;
    pontes_err_reset(err);
    if (opts && opts->version >= 2 && opts->deviations) {
        opts->deviations->count = 0;
        opts->deviations->kept = 0;
    }
    if (!w || !out || !w->body_type || (!body && len) || (!headers && header_count))
        return pontes_err_set(err, PONTES_EINVAL, "pontes_webhook_receive: NULL argument");
    const char *wname = w->name ? w->name : "?";
    const char *ct = find_header(headers, header_count, "Content-Type");
    const char *want = w->content_type ? w->content_type : "application/json";
    const char *why;
    if (ct && !content_type_ok(ct, want, &why)) {
        char shown[80];
        size_t k = 0;
        for (const char *p = ct; *p && k + 1 < sizeof shown; p++) /* printable excerpt */
            shown[k++] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' : *p;
        shown[k] = '\0';
        return fail(err, 415, PONTES_EDECODE, "webhook %s: Content-Type \"%s\" is not %s%s", wname, shown, want,
                    strcmp(why, "charset") == 0 ? " in UTF-8" : "");
    }
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) i++;
    if (i == len) return fail(err, 400, PONTES_EDECODE, "webhook %s: empty body", wname);

    /* strings, the body's structs and the copy of the body */
    pontes_arena *a = pontes_arena_new(2 * len + len / 4 + 512);
    if (!a) return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    unsigned char *n = pontes_arena_alloc_root(a, w->size);
    char *raw = n ? pontes_arena_strndup(a, body, len) : NULL;
    size_t bsize = w->body_type->kind == PONTES_KIND_OBJECT && w->body_type->msg ? w->body_type->msg->size
                   : w->body_type->kind == PONTES_KIND_UNION && w->body_type->un ? w->body_type->un->size
                                                                                 : 0;
    void *b = raw && bsize ? pontes_arena_alloc(a, bsize) : NULL;
    if (!n || !raw || (bsize && !b)) {
        pontes_arena_destroy(a);
        return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    if (!bsize) {
        pontes_arena_destroy(a);
        return pontes_err_set(err, PONTES_EINVAL, "webhook %s: body type must be an object or a union", wname);
    }
    int rc = pontes_codec_decode_opts(a, w->body_type, body, len, opts, PONTES_CODEC_ONE_OF_ERROR, b, err);
    if (rc != PONTES_OK) {
        pontes_arena_destroy(a);
        if (err && err->message) { /* say which webhook, keep the codec's path and expectation */
            size_t ml = strlen(err->message);
            char *m = malloc(ml + 1);
            if (m) {
                memcpy(m, err->message, ml + 1);
                pontes_err_set(err, rc, "webhook %s: %s", wname, m);
                free(m);
            }
        }
        if (err) err->http_status = rc == PONTES_ENOMEM ? 0 : 400;
        return rc;
    }
    memcpy(n + w->raw_body_offset, &raw, sizeof raw);
    memcpy(n + w->raw_body_len_offset, &len, sizeof len);
    memcpy(n + w->body_offset, &b, sizeof b);
    const char *ctc = ct ? pontes_arena_strndup(a, ct, strlen(ct)) : NULL;
    if (ct && !ctc) goto nomem;
    memcpy(n + w->content_type_offset, &ctc, sizeof ctc);
    for (size_t h = 0; h < w->header_count; h++) {
        const pontes_webhook_header_desc *hd = &w->headers[h];
        const char *v = find_header(headers, header_count, hd->name);
        if (!v) {
            if (hd->required && (rc = missing_header(opts, wname, hd->name, err)) != PONTES_OK) {
                pontes_arena_destroy(a);
                return rc;
            }
            continue;
        }
        const char *vc = pontes_arena_strndup(a, v, strlen(v));
        if (!vc) goto nomem;
        memcpy(n + hd->offset, &vc, sizeof vc);
    }
    *out = n;
    return PONTES_OK;
nomem:
    pontes_arena_destroy(a);
    return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
}
