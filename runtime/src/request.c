/* The request builder used by generated operations: parameters, URL, bodies
 * (JSON, form, multipart, text/binary) and the send loop (auth, retries,
 * response matching and decoding). */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"
#include "upload.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct param {
    int in;
    char *name;
    char *value;
} param;

struct pontes_request {
    pontes_client *c;
    const pontes_operation *op;
    param *params;
    size_t n, cap;
    const void *body;
    int failed; /* first error from a builder call (also in the client's last error) */
    bool holds; /* the request holds the client's in-use guard (released by free/send) */
    /* per-call options (pontes_request_options) */
    long timeout_ms, attempt_timeout_ms;
    int max_retries;      /* -1: the client's */
    char *idem_key;
    char **extra;         /* "Name: value" lines */
    size_t nextra;
    /* storage without a malloc of its own for the first parameters: their array, and their
       names and values (wiped at free: header values may carry credentials) */
    size_t pool_used;
    param inl[4];
    char pool[192];
};

/* A copy of s in the request's pool, or malloc'd when the pool is full. */
static char *req_strdup(pontes_request *r, const char *s) {
    size_t n = strlen(s) + 1;
    if (n <= sizeof r->pool - r->pool_used) {
        char *d = r->pool + r->pool_used;
        memcpy(d, s, n);
        r->pool_used += n;
        return d;
    }
    return pontes_cl_strdup(s);
}

static bool in_pool(const pontes_request *r, const char *p) {
    return p >= r->pool && p < r->pool + sizeof r->pool;
}

/* ---- percent-encoding ---------------------------------------------------- */
static int unreserved(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '.' || ch == '_' || ch == '~';
}

char *pontes_percent_encode(const char *s, size_t len) {
    if (!s) return NULL;
    pontes_buf b;
    pontes_buf_init(&b);
    if (pontes_cl_percent_append(&b, s, len) != PONTES_OK || pontes_cl_buf_cstr(&b) != PONTES_OK || b.failed) {
        pontes_buf_free(&b);
        return NULL;
    }
    if (!b.data) return pontes_cl_strdup("");
    return b.data;
}

/* ---- builder ------------------------------------------------------------ */
static int req_fail(pontes_request *r, int status, const char *fmt, const char *arg) {
    if (!r->failed) {
        r->failed = status;
        pontes_err_set(&r->c->err, status, fmt, r->op->method, r->op->path, arg);
        pontes_err_set_str(&r->c->err, &r->c->err.operation_id, r->op->operation_id, (size_t)-1);
    }
    return status;
}

int pontes_request_new(pontes_request **out, pontes_client *c, const pontes_operation *op) {
    if (!out) return PONTES_EINVAL;
    *out = NULL;
    if (!c || !op || !op->method || !op->path) return PONTES_EINVAL;
    /* From here until the request is sent or freed, the request holds the client: a
       second thread using the same client gets PONTES_EBUSY (its last error untouched). */
    if (pontes_cl_enter(c) != PONTES_OK) return PONTES_EBUSY;
    pontes_err_reset(&c->err);
    c->dev.count = c->dev.kept = 0;
    /* the client's spare request (the last one freed by its guard holder), or a new one;
       the pool's bytes need no zeroing (pool_used is 0) */
    pontes_request *r = c->spare_req;
    if (r) {
        c->spare_req = NULL;
        memset(r, 0, offsetof(pontes_request, pool));
    } else {
        r = calloc(1, sizeof *r);
    }
    if (!r) {
        pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
        pontes_cl_leave(c);
        return PONTES_ENOMEM;
    }
    r->c = c;
    r->op = op;
    r->holds = true;
    r->max_retries = -1;
    r->params = r->inl;
    r->cap = sizeof r->inl / sizeof *r->inl;
    *out = r;
    return PONTES_OK;
}

void pontes_request_free(pontes_request *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        if (!in_pool(r, r->params[i].name)) free(r->params[i].name);
        if (!in_pool(r, r->params[i].value))
            pontes_cl_secret_free(r->params[i].value); /* header values may carry credentials */
    }
    pontes_cl_wipe(r->pool, r->pool_used);
    r->pool_used = 0;
    if (r->params != r->inl) free(r->params);
    pontes_cl_secret_free(r->idem_key);
    for (size_t i = 0; i < r->nextra; i++) pontes_cl_secret_free(r->extra[i]);
    free(r->extra);
    pontes_cl_call_secrets_release(r->c, r); /* the body's secret values: wiped */
    if (r->holds) {
        /* the guard holder may keep it as the client's spare (the next request_new takes it) */
        pontes_client *c = r->c;
        if (!c->spare_req) {
            c->spare_req = r;
            r = NULL;
        }
        pontes_cl_leave(c);
    }
    free(r);
}

void pontes_cl_request_release(pontes_request *r) {
    if (r && r->holds) {
        r->holds = false;
        pontes_cl_leave(r->c);
    }
}

pontes_client *pontes_cl_request_client(const pontes_request *r) { return r->c; }
int pontes_cl_request_failed(const pontes_request *r) { return r->failed; }

static int is_tchar(unsigned char ch) {
    return unreserved(ch) || (ch && strchr("!#$%&'*+^`|", ch));
}

int pontes_request_param(pontes_request *r, pontes_param_in in, const char *name, const char *value) {
    if (!r) return PONTES_EINVAL;
    if (r->failed) return r->failed;
    if (!name || !value)
        return req_fail(r, PONTES_EINVAL, "%s %s: required parameter %s is missing", name ? name : "(name)");
    if ((int)in < PONTES_IN_PATH || (int)in > PONTES_IN_COOKIE)
        return req_fail(r, PONTES_EINVAL, "%s %s: parameter %s: bad location", name);
    if (in == PONTES_IN_PATH && !*value)
        return req_fail(r, PONTES_EINVAL, "%s %s: path parameter %s is empty", name);
    if (in == PONTES_IN_HEADER && pontes_cl_bad_header_byte(value) >= 0)
        return req_fail(r, PONTES_EINVAL,
                        "%s %s: header parameter %s contains a control character (only HTAB is allowed)", name);
    if (in == PONTES_IN_HEADER || in == PONTES_IN_COOKIE) {
        if (!*name) return req_fail(r, PONTES_EINVAL, "%s %s: empty header name%s", "");
        for (const char *p = name; *p; p++)
            if (!is_tchar((unsigned char)*p))
                return req_fail(r, PONTES_EINVAL, "%s %s: invalid header name %s", name);
    }
    if (r->n == r->cap) {
        size_t nc = r->cap * 2;
        param *np = r->params == r->inl ? malloc(nc * sizeof *np) : realloc(r->params, nc * sizeof *np);
        if (!np) return req_fail(r, PONTES_ENOMEM, "%s %s: out of memory%s", "");
        if (r->params == r->inl) memcpy(np, r->inl, sizeof r->inl);
        r->params = np;
        r->cap = nc;
    }
    param *p = &r->params[r->n];
    p->in = (int)in;
    p->name = req_strdup(r, name);
    p->value = p->name ? req_strdup(r, value) : NULL;
    if (!p->name || !p->value) {
        if (p->name && !in_pool(r, p->name)) free(p->name);
        return req_fail(r, PONTES_ENOMEM, "%s %s: out of memory%s", "");
    }
    r->n++;
    return PONTES_OK;
}

int pontes_request_param_int(pontes_request *r, pontes_param_in in, const char *name, int64_t value) {
    char tmp[32];
    pontes_codec_format_int(tmp, sizeof tmp, value); /* exact, no snprintf */
    return pontes_request_param(r, in, name, tmp);
}

int pontes_request_param_double(pontes_request *r, pontes_param_in in, const char *name, double value) {
    if (!r) return PONTES_EINVAL;
    char tmp[64];
    if (pontes_codec_format_double(tmp, sizeof tmp, value) < 0)
        return req_fail(r, PONTES_EINVAL, "%s %s: parameter %s is not a finite number", name ? name : "(name)");
    return pontes_request_param(r, in, name, tmp);
}

int pontes_request_param_bool(pontes_request *r, pontes_param_in in, const char *name, bool value) {
    return pontes_request_param(r, in, name, value ? "true" : "false");
}

int pontes_request_options(pontes_request *r, const pontes_call_options *o) {
    if (!r) return PONTES_EINVAL;
    if (r->failed) return r->failed;
    if (!o) return PONTES_OK;
    if (o->version != PONTES_CALL_OPTIONS_VERSION)
        return req_fail(r, PONTES_EINVAL, "%s %s: pontes_call_options.version %s", "is not PONTES_CALL_OPTIONS_VERSION");
    if (o->timeout_ms < 0 || o->attempt_timeout_ms < 0 || o->max_retries < -1)
        return req_fail(r, PONTES_EINVAL, "%s %s: negative %s in pontes_call_options", "timeout or retry count");
    r->timeout_ms = o->timeout_ms;
    r->attempt_timeout_ms = o->attempt_timeout_ms;
    r->max_retries = o->max_retries;
    if (o->idempotency_key) {
        if (!*o->idempotency_key || pontes_cl_bad_header_byte(o->idempotency_key) >= 0)
            return req_fail(r, PONTES_EINVAL, "%s %s: idempotency key %s", "is empty or contains a control character");
        r->idem_key = pontes_cl_strdup(o->idempotency_key);
        if (!r->idem_key) return req_fail(r, PONTES_ENOMEM, "%s %s: out of memory%s", "");
    }
    size_t n = 0;
    while (o->headers && o->headers[n]) n++;
    if (n) {
        r->extra = calloc(n, sizeof *r->extra);
        if (!r->extra) return req_fail(r, PONTES_ENOMEM, "%s %s: out of memory%s", "");
        for (size_t i = 0; i < n; i++) {
            const char *h = o->headers[i];
            const char *colon = strchr(h, ':');
            bool ok = colon && colon > h;
            for (const char *q = h; ok && q < colon; q++) ok = is_tchar((unsigned char)*q);
            if (!ok) return req_fail(r, PONTES_EINVAL, "%s %s: extra header %s is not \"Name: value\"", "line");
            if (pontes_cl_bad_header_byte(colon + 1) >= 0) {
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(colon - h) < 60 ? (int)(colon - h) : 60, h);
                return req_fail(r, PONTES_EINVAL, "%s %s: extra header %s contains a control character", name);
            }
            r->extra[i] = pontes_cl_strdup(h);
            if (!r->extra[i]) return req_fail(r, PONTES_ENOMEM, "%s %s: out of memory%s", "");
            r->nextra++;
        }
    }
    return PONTES_OK;
}

int pontes_request_body(pontes_request *r, const void *value) {
    if (!r) return PONTES_EINVAL;
    if (r->failed) return r->failed;
    if (!r->op->body_type || r->op->body_kind == PONTES_BODY_NONE)
        return req_fail(r, PONTES_EINVAL, "%s %s: operation takes no body%s", "");
    if (!value) return req_fail(r, PONTES_EINVAL, "%s %s: the request body is required%s", "");
    r->body = value;
    return PONTES_OK;
}

/* ---- URL ---------------------------------------------------------------- */
static const param *find_param(const pontes_request *r, int in, const char *name, size_t nl) {
    for (size_t i = 0; i < r->n; i++)
        if (r->params[i].in == in && strlen(r->params[i].name) == nl && memcmp(r->params[i].name, name, nl) == 0)
            return &r->params[i];
    return NULL;
}

/* Literal text of a path template: kept as written, except bytes that may not appear in a
 * URL (non-ASCII, space, controls, '"<>\\^`{|}'), which are percent-encoded. */
static bool url_unfit(unsigned char ch) { return ch <= 0x20 || ch >= 0x7F || strchr("\"<>\\^`{|}", ch); }

static void append_literal(pontes_buf *u, const char *p, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0;
    while (i < n) {
        size_t run = i; /* the bytes kept as written go in one append */
        while (run < n && !url_unfit((unsigned char)p[run])) run++;
        if (run > i) pontes_buf_append(u, p + i, run - i);
        if (run == n) break;
        unsigned char ch = (unsigned char)p[run];
        char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
        pontes_buf_append(u, e, 3);
        i = run + 1;
    }
}

static int build_url(pontes_request *r, const char *base, pontes_buf *u) {
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') bl--;
    pontes_buf_append(u, base, bl);
    const char *p = r->op->path;
    if (*p && *p != '/' && *p != '?') pontes_buf_puts(u, "/");
    while (*p) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            append_literal(u, p, strlen(p));
            break;
        }
        append_literal(u, p, (size_t)(open - p));
        const param *pp = find_param(r, PONTES_IN_PATH, open + 1, (size_t)(close - open - 1));
        if (!pp) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
            r->failed = 0;
            return req_fail(r, PONTES_EINVAL, "%s %s: missing path parameter %s", name);
        }
        if (strcmp(pp->value, ".") == 0 || strcmp(pp->value, "..") == 0) {
            /* a dot segment would be removed by URL normalisation (RFC 3986 5.2.4) and
               address another resource: send it percent-encoded, as data */
            pontes_buf_puts(u, pp->value[1] ? "%2E%2E" : "%2E");
        } else {
            pontes_cl_percent_append(u, pp->value, strlen(pp->value));
        }
        p = close + 1;
    }
    char sep = strchr(r->op->path, '?') ? '&' : '?';
    for (size_t i = 0; i < r->n; i++) {
        const param *q = &r->params[i];
        if (q->in != PONTES_IN_QUERY) continue;
        pontes_buf_append(u, &sep, 1);
        sep = '&';
        pontes_cl_percent_append(u, q->name, strlen(q->name));
        pontes_buf_puts(u, "=");
        pontes_cl_percent_append(u, q->value, strlen(q->value));
    }
    if (pontes_cl_buf_cstr(u) != PONTES_OK || u->failed) return req_fail(r, PONTES_ENOMEM, "%s %s: out of memory%s", "");
    return PONTES_OK;
}

/* ---- bodies ------------------------------------------------------------- */
static bool is_scalar(const pontes_type *t) {
    switch (t->kind) {
    case PONTES_KIND_BOOL:
    case PONTES_KIND_INT32:
    case PONTES_KIND_INT64:
    case PONTES_KIND_DOUBLE:
    case PONTES_KIND_STRING:
    case PONTES_KIND_ENUM:
    case PONTES_KIND_BYTES:
    case PONTES_KIND_DECIMAL: return true;
    default: return false;
    }
}

/* Append the text form of a scalar stored at p to b. */
static int scalar_text(pontes_buf *b, const pontes_type *t, const void *p, pontes_error *err, const char *what) {
    char tmp[64];
    switch (t->kind) {
    case PONTES_KIND_BOOL: return pontes_buf_puts(b, *(const bool *)p ? "true" : "false");
    case PONTES_KIND_INT32: snprintf(tmp, sizeof tmp, "%" PRId32, *(const int32_t *)p); return pontes_buf_puts(b, tmp);
    case PONTES_KIND_INT64: snprintf(tmp, sizeof tmp, "%" PRId64, *(const int64_t *)p); return pontes_buf_puts(b, tmp);
    case PONTES_KIND_DOUBLE:
        if (pontes_codec_format_double(tmp, sizeof tmp, *(const double *)p) < 0)
            return pontes_err_set(err, PONTES_EENCODE, "field %s: not a finite number", what);
        return pontes_buf_puts(b, tmp);
    case PONTES_KIND_STRING: {
        const char *s = *(const char *const *)p;
        return s ? pontes_buf_puts(b, s) : PONTES_OK;
    }
    case PONTES_KIND_ENUM: {
        const pontes_enum *e = p;
        const char *s = e->value ? pontes_enum_to_string(t->en, e->value) : e->raw;
        if (!s) return pontes_err_set(err, PONTES_EENCODE, "field %s: enum value %d has no wire text", what, e->value);
        return pontes_buf_puts(b, s);
    }
    case PONTES_KIND_DECIMAL: {
        char dt[PONTES_DECIMAL_TEXT_MAX];
        if (pontes_decimal_to_text((const pontes_decimal *)p, dt, sizeof dt) < 0)
            return pontes_err_set(err, PONTES_EENCODE, "field %s: not a valid decimal", what);
        return pontes_buf_puts(b, dt);
    }
    case PONTES_KIND_BYTES: {
        const pontes_bytes *by = p;
        if (by->len == PONTES_FILE_STREAM || (t->flags & PONTES_T_FILE_RULE)) { /* upload.c: checked, read whole */
            char m[320];
            uint64_t sz;
            int rc = pontes_up_check(t, by->data, by->len, &sz, m, sizeof m);
            const pontes_file_source *src = pontes_up_source(by->data, by->len);
            if (rc == PONTES_OK && src) rc = pontes_up_materialize_b64(b, src, sz, m, sizeof m);
            if (rc == PONTES_ENOMEM) return pontes_err_set(err, rc, "out of memory");
            if (rc != PONTES_OK) return pontes_err_set(err, rc, "field %s: %s", what, m);
            if (src) return PONTES_OK;
        }
        size_t ol = 0;
        char *enc = pontes_base64_encode(by->data, by->len, &ol);
        if (!enc) return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
        int rc = pontes_buf_append(b, enc, ol);
        free(enc);
        return rc;
    }
    default: return pontes_err_set(err, PONTES_EENCODE, "field %s: not a scalar", what);
    }
}

/* Text of any field value: scalars as text, everything else as JSON. *json tells which. */
static int field_text(pontes_buf *b, const pontes_type *t, const void *p, pontes_error *err, const char *what,
                      bool *json) {
    *json = !is_scalar(t);
    if (!*json) return scalar_text(b, t, p, err, what);
    int rc = pontes_codec_encode_value(b, t, p, err);
    return rc < 0 ? rc : PONTES_OK;
}

static const pontes_message *object_msg(const pontes_type *t) {
    return (t && t->kind == PONTES_KIND_OBJECT && t->msg && !(t->msg->flags & PONTES_M_BOX)) ? t->msg : NULL;
}

#define PRESENCE(base, f) (*(const pontes_presence *)((const char *)(base) + (f)->presence_offset))
#define STORAGE(base, f) ((const void *)((const char *)(base) + (f)->offset))

static int form_pair(pontes_buf *out, const char *name, const pontes_buf *val) {
    if (out->len) pontes_buf_puts(out, "&");
    pontes_cl_percent_append(out, name, strlen(name));
    pontes_buf_puts(out, "=");
    return pontes_cl_percent_append(out, val->data ? val->data : "", val->len);
}

/* Whether a top-level body member is sent as a form field / part: only when set. A
 * required member left absent sets *rc (EINVAL); null members are not sent (a form has
 * no null). */
static bool field_to_send(pontes_request *r, const pontes_field *f, int *rc) {
    pontes_presence p = PRESENCE(r->body, f);
    if (p == PONTES_SET) return true;
    if ((f->flags & PONTES_F_REQUIRED) && p == PONTES_ABSENT)
        *rc = pontes_err_set(&r->c->err, PONTES_EINVAL, "%s %s: missing required field %s", r->op->method,
                             r->op->path, f->name);
    return false;
}

static int build_form(pontes_request *r, pontes_buf *out) {
    pontes_error *err = &r->c->err;
    const pontes_message *m = object_msg(r->op->body_type);
    if (!m) return pontes_err_set(err, PONTES_EINVAL, "%s %s: form body needs an object type", r->op->method, r->op->path);
    pontes_buf v;
    pontes_buf_init(&v);
    int rc = PONTES_OK;
    for (size_t i = 0; i < m->field_count && rc == PONTES_OK; i++) {
        const pontes_field *f = &m->fields[i];
        if (!field_to_send(r, f, &rc)) continue;
        const void *sp = STORAGE(r->body, f);
        if (f->type->kind == PONTES_KIND_ARRAY && f->type->elem && is_scalar(f->type->elem)) {
            const pontes_list *l = sp;
            for (size_t k = 0; k < l->count && rc == PONTES_OK; k++) {
                v.len = 0;
                rc = scalar_text(&v, f->type->elem, (const char *)l->items + k * f->type->elem->size, err, f->name);
                if (rc == PONTES_OK) rc = form_pair(out, f->name, &v);
            }
            continue;
        }
        bool json;
        v.len = 0;
        rc = field_text(&v, f->type, sp, err, f->name, &json);
        if (rc == PONTES_OK) rc = form_pair(out, f->name, &v);
    }
    pontes_buf_free(&v);
    if (rc == PONTES_OK && (pontes_cl_buf_cstr(out) != PONTES_OK || out->failed))
        rc = pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    return rc;
}

static int mime_text(curl_mime *mime, const char *name, const pontes_buf *v, const char *type) {
    curl_mimepart *part = curl_mime_addpart(mime);
    if (!part) return PONTES_ENOMEM;
    if (curl_mime_name(part, name) != CURLE_OK) return PONTES_ENOMEM;
    if (curl_mime_data(part, v->data ? v->data : "", v->len) != CURLE_OK) return PONTES_ENOMEM;
    if (type && curl_mime_type(part, type) != CURLE_OK) return PONTES_ENOMEM;
    return PONTES_OK;
}

/* A file part: in memory, or streamed from its source (upload.c; failures while sending are
 * recorded in *up). Checked first (x-pontes-file rules of t; a path's size): PONTES_EINVAL. */
static int mime_file(pontes_request *r, curl_mime *mime, const char *name, const pontes_type *t, const pontes_file *fl,
                     pontes_upload **up) {
    char m[320];
    uint64_t sz;
    int rc = pontes_up_check(t, fl->data, fl->len, &sz, m, sizeof m);
    if (rc == PONTES_ENOMEM) return rc;
    if (rc != PONTES_OK)
        return pontes_err_set(&r->c->err, rc, "%s %s: member %s: %s", r->op->method, r->op->path, name, m);
    const pontes_file_source *src = pontes_up_source(fl->data, fl->len);
    if (src && !*up && pontes_up_new(up) != PONTES_OK) return PONTES_ENOMEM;
    curl_mimepart *part = curl_mime_addpart(mime);
    if (!part) return PONTES_ENOMEM;
    if (curl_mime_name(part, name) != CURLE_OK) return PONTES_ENOMEM;
    if (src) {
        if (pontes_up_mime_part(*up, part, src, sz, name) != PONTES_OK) return PONTES_ENOMEM;
    } else if (curl_mime_data(part, fl->data ? (const char *)fl->data : "", fl->len) != CURLE_OK) {
        return PONTES_ENOMEM;
    }
    if (curl_mime_filename(part, fl->filename ? fl->filename : "file") != CURLE_OK) return PONTES_ENOMEM;
    if (curl_mime_type(part, fl->content_type ? fl->content_type : "application/octet-stream") != CURLE_OK)
        return PONTES_ENOMEM;
    return PONTES_OK;
}

/* Before anything is sent (even a token fetch): every file part checked (a path opened and
 * its size taken, x-pontes-file rules); the parts are built per attempt. */
static int check_multipart(pontes_request *r) {
    const pontes_message *m = object_msg(r->op->body_type);
    if (!m) return PONTES_OK; /* build_multipart reports it */
    int rc = PONTES_OK;
    for (size_t i = 0; i < m->field_count && rc == PONTES_OK; i++) {
        const pontes_field *f = &m->fields[i];
        if (!field_to_send(r, f, &rc)) continue;
        const void *sp = STORAGE(r->body, f);
        const pontes_type *t = f->type, *et = t;
        size_t n = 1;
        const unsigned char *items = sp;
        if (t->kind == PONTES_KIND_ARRAY && t->elem && t->elem->kind == PONTES_KIND_FILE) {
            const pontes_list *l = sp;
            et = t->elem;
            n = l->count;
            items = l->items;
        } else if (t->kind != PONTES_KIND_FILE) {
            continue;
        }
        for (size_t k = 0; k < n && rc == PONTES_OK; k++) {
            const pontes_file *fl = (const pontes_file *)(const void *)(items + k * et->size);
            char msg[320];
            uint64_t sz;
            rc = pontes_up_check(et, fl->data, fl->len, &sz, msg, sizeof msg);
            if (rc != PONTES_OK)
                rc = pontes_err_set(&r->c->err, rc, "%s %s: member %s: %s", r->op->method, r->op->path, f->name, msg);
        }
    }
    return rc;
}

static int build_multipart(pontes_request *r, curl_mime **out, CURL *h, pontes_upload **up) {
    pontes_error *err = &r->c->err;
    const pontes_message *m = object_msg(r->op->body_type);
    if (!m)
        return pontes_err_set(err, PONTES_EINVAL, "%s %s: multipart body needs an object type", r->op->method,
                              r->op->path);
    curl_mime *mime = curl_mime_init(h);
    if (!mime) return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    pontes_buf v;
    pontes_buf_init(&v);
    int rc = PONTES_OK;
    for (size_t i = 0; i < m->field_count && rc == PONTES_OK; i++) {
        const pontes_field *f = &m->fields[i];
        if (!field_to_send(r, f, &rc)) continue;
        const void *sp = STORAGE(r->body, f);
        const pontes_type *t = f->type;
        if (t->kind == PONTES_KIND_FILE) {
            rc = mime_file(r, mime, f->name, t, sp, up);
        } else if (t->kind == PONTES_KIND_ARRAY && t->elem && t->elem->kind == PONTES_KIND_FILE) {
            const pontes_list *l = sp;
            for (size_t k = 0; k < l->count && rc == PONTES_OK; k++)
                rc = mime_file(r, mime, f->name, t->elem,
                               (const pontes_file *)((const char *)l->items + k * t->elem->size), up);
        } else {
            bool json;
            v.len = 0;
            rc = field_text(&v, t, sp, err, f->name, &json);
            if (rc == PONTES_OK) rc = mime_text(mime, f->name, &v, json ? "application/json" : NULL);
        }
        if (rc == PONTES_ENOMEM && (!err->message || err->status != PONTES_ENOMEM))
            pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    pontes_buf_free(&v);
    if (rc != PONTES_OK) {
        curl_mime_free(mime);
        return rc;
    }
    *out = mime;
    return PONTES_OK;
}

/* A raw body value streamed from a source, or with x-pontes-file rules (upload.c): checked;
 * a source becomes the body's one segment (*streamed). */
static int raw_stream(pontes_request *r, const pontes_type *t, const uint8_t *data, size_t len, pontes_upload **up,
                      bool *streamed) {
    if (len != PONTES_FILE_STREAM && !(t->flags & PONTES_T_FILE_RULE)) return PONTES_OK;
    char m[320];
    uint64_t sz;
    int rc = pontes_up_check(t, data, len, &sz, m, sizeof m);
    const pontes_file_source *src = pontes_up_source(data, len);
    if (rc == PONTES_OK && src && !*up) rc = pontes_up_new(up);
    if (rc == PONTES_OK && src) rc = pontes_up_add_segment(*up, 0, src, sz, false);
    if (rc == PONTES_ENOMEM) return pontes_err_set(&r->c->err, rc, "out of memory");
    if (rc != PONTES_OK) return pontes_err_set(&r->c->err, rc, "%s %s: body: %s", r->op->method, r->op->path, m);
    *streamed = src != NULL;
    return PONTES_OK;
}

/* TEXT / BINARY: the boxed value as raw bytes. */
static int build_raw(pontes_request *r, pontes_buf *out, const char **ctype_override, pontes_upload **up) {
    const pontes_type *t = r->op->body_type;
    const void *sp = r->body;
    if (t->kind == PONTES_KIND_OBJECT && t->msg && (t->msg->flags & PONTES_M_BOX) && t->msg->field_count > 0) {
        sp = STORAGE(r->body, &t->msg->fields[0]);
        t = t->msg->fields[0].type;
    }
    switch (t->kind) {
    case PONTES_KIND_STRING: {
        const char *s = *(const char *const *)sp;
        if (s) pontes_buf_puts(out, s);
        break;
    }
    case PONTES_KIND_BYTES: {
        const pontes_bytes *b = sp;
        bool streamed = false;
        int rc = raw_stream(r, t, b->data, b->len, up, &streamed);
        if (rc != PONTES_OK) return rc;
        if (!streamed && b->len) pontes_buf_append(out, b->data, b->len);
        break;
    }
    case PONTES_KIND_FILE: {
        const pontes_file *f = sp;
        if (f->content_type) *ctype_override = f->content_type;
        bool streamed = false;
        int rc = raw_stream(r, t, f->data, f->len, up, &streamed);
        if (rc != PONTES_OK) return rc;
        if (!streamed && f->len) pontes_buf_append(out, f->data, f->len);
        if (f->content_type) *ctype_override = f->content_type;
        break;
    }
    default: {
        pontes_error *err = &r->c->err;
        if (!is_scalar(t))
            return pontes_err_set(err, PONTES_EINVAL, "%s %s: raw body must be a string or bytes", r->op->method,
                                  r->op->path);
        int rc = scalar_text(out, t, sp, err, "body");
        if (rc != PONTES_OK) return rc;
    }
    }
    if (pontes_cl_buf_cstr(out) != PONTES_OK || out->failed) return pontes_err_set(&r->c->err, PONTES_ENOMEM, "out of memory");
    return PONTES_OK;
}

/* ---- headers ------------------------------------------------------------ */
/* The request's header lines are built every attempt into k->htext ("Name: value\0" each, a
 * buffer the synchronous path reuses from call to call) and handed to curl as a list of
 * nodes pointing into it (k->nodes): no allocation per line, nothing kept from an earlier
 * call (every value is the current one), wiped after the attempt. */
static void hline(pontes_buf *t, const char *name, const char *sep, const char *value) {
    pontes_buf_puts(t, name);
    pontes_buf_puts(t, sep);
    pontes_buf_puts(t, value);
    pontes_buf_append(t, "", 1);
}

/* Whether the caller sends its own header name (a header parameter or an extra line). */
static bool caller_header(const pontes_request *r, const char *name, size_t nl) {
    for (size_t i = 0; i < r->n; i++)
        if (r->params[i].in == PONTES_IN_HEADER && strlen(r->params[i].name) == nl &&
            pontes_cl_ci_eq_n(r->params[i].name, name, nl))
            return true;
    for (size_t i = 0; i < r->nextra; i++)
        if (pontes_cl_ci_eq_n(r->extra[i], name, nl) && r->extra[i][nl] == ':') return true;
    return false;
}

static int build_headers(pontes_call *k, const char *content_type, const char *auth_header) {
    pontes_request *r = k->r;
    pontes_buf *t = &k->htext;
    pontes_cl_wipe(t->data, t->len);
    t->len = 0;
    int rc = PONTES_OK;
    const char *accept = r->op->accept ? r->op->accept : "application/json";
    if (pontes_cl_bad_header_byte(accept) >= 0 || (content_type && pontes_cl_bad_header_byte(content_type) >= 0) ||
        (r->idem_key && pontes_cl_bad_header_byte(r->idem_key) >= 0) ||
        (auth_header && pontes_cl_bad_header_byte(auth_header) >= 0))
        rc = PONTES_EINVAL; /* checked where values enter; never sent */
    hline(t, "Accept", ": ", accept);
    /* compression: the line curl would otherwise format on every request (transport.c sets
       CURLOPT_ACCEPT_ENCODING to the same list, so that curl decodes them) */
    const char *enc = r->c->accept_enc;
    if (enc[0] && !caller_header(r, "Accept-Encoding", 15)) hline(t, "Accept-Encoding", ": ", enc);
    if (content_type) hline(t, "Content-Type", ": ", content_type);
    /* no "Expect: 100-continue" round trip for a body (curl adds none without one) */
    if (k->has_body || k->multipart) pontes_buf_append(t, "Expect:", 8);
    bool cookie = false;
    for (size_t i = 0; i < r->n && rc == PONTES_OK; i++) {
        const param *p = &r->params[i];
        if (p->in == PONTES_IN_HEADER) {
            if (pontes_cl_bad_header_byte(p->value) >= 0) rc = PONTES_EINVAL;
            hline(t, p->name, ": ", p->value);
        } else if (p->in == PONTES_IN_COOKIE) {
            cookie = true;
        }
    }
    if (cookie) { /* one Cookie line: name=value pairs, values percent-encoded */
        bool first = true;
        pontes_buf_puts(t, "Cookie: ");
        for (size_t i = 0; i < r->n; i++) {
            const param *p = &r->params[i];
            if (p->in != PONTES_IN_COOKIE) continue;
            if (!first) pontes_buf_puts(t, "; ");
            first = false;
            pontes_buf_puts(t, p->name);
            pontes_buf_puts(t, "=");
            pontes_cl_percent_append(t, p->value, strlen(p->value));
        }
        pontes_buf_append(t, "", 1);
    }
    if (r->idem_key) hline(t, "Idempotency-Key", ": ", r->idem_key);
    for (size_t i = 0; i < r->nextra; i++) pontes_buf_append(t, r->extra[i], strlen(r->extra[i]) + 1);
    if (auth_header) pontes_buf_append(t, auth_header, strlen(auth_header) + 1);
    if (rc == PONTES_OK && t->failed) rc = PONTES_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; rc == PONTES_OK && i < t->len; i++) n += t->data[i] == '\0';
    if (rc == PONTES_OK && n > k->ncap) {
        struct curl_slist *nn = realloc(k->nodes, n * sizeof *nn);
        if (!nn) rc = PONTES_ENOMEM;
        else {
            k->nodes = nn;
            k->ncap = n;
        }
    }
    if (rc != PONTES_OK) {
        pontes_cl_wipe(t->data, t->len);
        t->len = 0;
        if (rc == PONTES_EINVAL)
            return pontes_err_set(&r->c->err, rc, "%s %s: a header value contains a control character", r->op->method,
                                  r->op->path);
        return pontes_err_set(&r->c->err, PONTES_ENOMEM, "out of memory");
    }
    char *p = t->data;
    for (size_t i = 0; i < n; i++) {
        k->nodes[i].data = p;
        k->nodes[i].next = i + 1 < n ? &k->nodes[i + 1] : NULL;
        p += strlen(p) + 1;
    }
    return PONTES_OK;
}

/* ---- response ----------------------------------------------------------- */
static const pontes_response_desc *match_response(const pontes_operation *op, long status) {
    for (size_t i = 0; i < op->response_count; i++)
        if (op->responses[i].status == status) return &op->responses[i];
    for (size_t i = 0; i < op->response_count; i++)
        if (op->responses[i].status >= 1 && op->responses[i].status <= 5 && op->responses[i].status == status / 100)
            return &op->responses[i];
    /* An undocumented 2xx is a success of the operation's own result type (the type its
       out-parameter has), never the "default" response, which describes errors. */
    if (status >= 200 && status <= 299)
        for (size_t i = 0; i < op->response_count; i++) {
            int st = op->responses[i].status;
            if (((st >= 200 && st <= 299) || st == 2) && op->responses[i].type) return &op->responses[i];
        }
    for (size_t i = 0; i < op->response_count; i++)
        if (op->responses[i].status == 0) return &op->responses[i];
    return NULL;
}

/* ---- a call: prepare, attempts, finish (used by pontes_request_send and batch.c) ---- */
/* lend: the synchronous path (pontes_request_send, the client held): the URL, header and
 * response buffers are the client's spares, given back (wiped) by pontes_call_free */
static int call_prepare(pontes_call *k, pontes_request *r, bool lend) {
    memset(k, 0, sizeof *k);
    k->r = r;
    pontes_buf_init(&k->url);
    pontes_buf_init(&k->body);
    pontes_cl_xfer_init(&k->x);
    pontes_client *c = r->c;
    if (lend) {
        k->lent = true;
        k->url = c->spare_url;
        pontes_buf_init(&c->spare_url);
        k->htext = c->spare_htext;
        pontes_buf_init(&c->spare_htext);
        k->nodes = c->spare_nodes;
        k->ncap = c->spare_ncap;
        c->spare_nodes = NULL;
        c->spare_ncap = 0;
        k->x.resp = c->spare_resp;
        pontes_buf_init(&c->spare_resp);
    }
    const pontes_operation *op = r->op;
    pontes_error *err = &c->err;
    long budget = r->timeout_ms > 0 ? r->timeout_ms : c->o.timeout_ms;
    k->budget_ms = budget;
    k->deadline = pontes_cl_now() + (double)budget / 1000.0;
    k->x.deadline = k->deadline;
    k->x.attempt_timeout_ms = r->attempt_timeout_ms;
    k->x.budget_ms = budget;
    k->max_retries = r->max_retries >= 0 ? (unsigned)r->max_retries : c->o.max_retries;
    k->idempotent = (op->flags & PONTES_OP_IDEMPOTENT) != 0 || r->idem_key != NULL;
    if (r->failed) return r->failed;

    const char *base = pontes_cl_base_url(c, op);
    if (!base) return pontes_err_set(err, PONTES_EINVAL, "%s %s: no base URL (set base_url or a server)", op->method,
                                     op->path);
    int rc = build_url(r, base, &k->url);
    if (rc != PONTES_OK) return rc;

    if (r->body && op->body_type && op->body_kind != PONTES_BODY_NONE) {
        k->has_body = true;
        /* secret members' values: redacted from logs and errors until the request is freed
           (registered before encoding, so that an encode error cannot show one either) */
        rc = pontes_cl_call_secrets_register(c, r, op->body_type, r->body);
        if (rc != PONTES_OK) return pontes_err_set(err, rc, "out of memory");
        switch (op->body_kind) {
        case PONTES_BODY_JSON: {
            char *json = NULL;
            size_t jl = 0;
            /* streamed members (upload.c) become segments of k->up, spliced in while sending */
            rc = pontes_codec_encode_up(op->body_type, r->body, &json, &jl, &k->up, err);
            if (rc == PONTES_OK) {
                if (pontes_buf_append(&k->body, json, jl) != PONTES_OK || pontes_cl_buf_cstr(&k->body) != PONTES_OK)
                    rc = pontes_err_set(err, PONTES_ENOMEM, "out of memory");
                pontes_cl_wipe(json, jl);
                pontes_json_free(json);
                if (rc == PONTES_OK && k->up) pontes_up_set_text(k->up, k->body.data, k->body.len);
            }
            k->ctype = op->content_type ? op->content_type : "application/json";
            break;
        }
        case PONTES_BODY_FORM:
            rc = build_form(r, &k->body);
            k->ctype = "application/x-www-form-urlencoded";
            break;
        case PONTES_BODY_MULTIPART:
            k->multipart = true; /* built per attempt, on the attempt's handle */
            rc = check_multipart(r);
            break;
        case PONTES_BODY_TEXT:
        case PONTES_BODY_BINARY:
            k->ctype = op->content_type ? op->content_type
                                        : (op->body_kind == PONTES_BODY_TEXT ? "text/plain; charset=utf-8"
                                                                             : "application/octet-stream");
            rc = build_raw(r, &k->body, &k->ctype, &k->up);
            if (rc == PONTES_OK && k->up) pontes_up_set_text(k->up, "", 0);
            break;
        default: k->has_body = false; break;
        }
        if (rc != PONTES_OK) return rc;
    }
    return pontes_cl_select_auth(c, op, &k->auth);
}

int pontes_call_prepare(pontes_call *k, pontes_request *r) { return call_prepare(k, r, false); }

/* A response buffer up to this size is kept by the client for its next call. */
#define SPARE_RESP_MAX ((size_t)64 * 1024)

static void give_back(pontes_call *k) {
    pontes_client *c = k->r->c;
    k->lent = false;
    pontes_cl_wipe(k->url.data, k->url.len);
    k->url.len = 0;
    k->url.failed = 0;
    pontes_cl_buf_wipe_free(&c->spare_url);
    c->spare_url = k->url;
    pontes_buf_init(&k->url);
    pontes_cl_wipe(k->htext.data, k->htext.len);
    k->htext.len = 0;
    k->htext.failed = 0;
    pontes_cl_buf_wipe_free(&c->spare_htext);
    c->spare_htext = k->htext;
    pontes_buf_init(&k->htext);
    free(c->spare_nodes);
    c->spare_nodes = k->nodes;
    c->spare_ncap = k->ncap;
    k->nodes = NULL;
    k->ncap = 0;
    pontes_buf *b = &k->x.resp;
    if (k->x.resp_given) { /* an error's body now: not ours to wipe or reuse */
        pontes_buf_init(b);
        k->x.resp_given = false;
        k->x.resp_hw = 0;
    }
    if (b->data && b->cap <= SPARE_RESP_MAX) {
        pontes_cl_wipe(b->data, k->x.resp_hw < b->cap ? k->x.resp_hw : b->cap);
        b->len = 0;
        b->failed = 0;
        pontes_buf_free(&c->spare_resp);
        c->spare_resp = *b;
        pontes_buf_init(b);
        k->x.resp_hw = 0;
    } /* else pontes_cl_xfer_free wipes and frees it */
}

void pontes_cl_call_spares_free(pontes_client *c) {
    pontes_cl_buf_wipe_free(&c->spare_url);
    pontes_cl_buf_wipe_free(&c->spare_htext);
    free(c->spare_nodes);
    c->spare_nodes = NULL;
    c->spare_ncap = 0;
    pontes_buf_free(&c->spare_resp); /* wiped when given back */
    free(c->spare_req);                /* wiped when freed */
    c->spare_req = NULL;
}

static void attempt_clean(pontes_call *k) {
    pontes_cl_slist_wipe_free(k->hl);
    k->hl = NULL;
    pontes_cl_wipe(k->htext.data, k->htext.len);
    k->htext.len = 0;
    pontes_cl_buf_wipe_free(&k->full);
    if (k->mime) curl_mime_free(k->mime);
    k->mime = NULL;
}

int pontes_call_attempt_begin(pontes_call *k, CURL *h) {
    pontes_request *r = k->r;
    pontes_client *c = r->c;
    pontes_error *err = &c->err;
    c->deadline = k->deadline; /* a token fetch made now spends this call's budget */
    attempt_clean(k);
    char *auth_header = NULL, *auth_query = NULL;
    int rc = pontes_cl_prepare_auth(c, &k->auth, &auth_header, &auth_query);
    if (rc != PONTES_OK) return rc; /* token endpoint failure: err filled (EAUTH/ETRANSPORT/ETIMEOUT) */
    rc = build_headers(k, k->ctype, auth_header);
    pontes_cl_secret_free(auth_header);
    if (rc == PONTES_OK) rc = pontes_cl_auth_more_headers(c, &k->auth, &k->hl); /* the requirement's other schemes */
    if (rc == PONTES_OK && k->hl) { /* after the request's own lines */
        struct curl_slist *last = k->nodes;
        while (last->next) last = last->next;
        last->next = k->hl;
    }
    pontes_buf_init(&k->full);
    if (rc == PONTES_OK && auth_query) {
        pontes_buf_append(&k->full, k->url.data, k->url.len);
        pontes_buf_puts(&k->full, strchr(k->url.data, '?') ? "&" : "?");
        pontes_buf_puts(&k->full, auth_query);
        if (pontes_cl_buf_cstr(&k->full) != PONTES_OK || k->full.failed)
            rc = pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    pontes_cl_secret_free(auth_query);
    /* a fresh MIME tree per attempt: curl does not reliably rewind a reused one */
    if (rc == PONTES_OK && k->multipart) rc = build_multipart(r, &k->mime, h, &k->up);
    if (rc != PONTES_OK) {
        attempt_clean(k);
        return rc;
    }
    pontes_cl_xfer *x = &k->x;
    x->method = r->op->method;
    x->url = k->full.data ? k->full.data : k->url.data;
    x->headers = k->nodes;
    x->headers_kept = k->lent; /* the client's nodes: the handle may keep pointing at them */
    x->body = k->body.data;
    x->body_len = k->body.len;
    x->has_body = k->has_body && !k->mime;
    x->mime = k->mime;
    x->read_fn = NULL; /* a streamed JSON / raw body (upload.c): sent from the start each attempt */
    if (k->up && pontes_up_segments(k->up)) {
        pontes_up_rewind(k->up);
        x->read_fn = pontes_up_read;
        x->seek_fn = pontes_up_seek;
        x->read_data = k->up;
        x->read_len = (curl_off_t)pontes_up_body_len(k->up);
    }
    k->attempts++;
    if (!pontes_cl_xfer_setup(c, x, h)) x->h = NULL; /* out of time: the attempt ends at once */
    return PONTES_OK;
}

int pontes_call_attempt_end(pontes_call *k) {
    pontes_request *r = k->r;
    pontes_client *c = r->c;
    const pontes_operation *op = r->op;
    pontes_cl_xfer *x = &k->x;
    attempt_clean(k);
    x->url = k->url.data;
    x->headers = NULL;
    x->mime = NULL;
    if (x->cc == CURLE_OK)
        pontes_cl_log(c, PONTES_LOG_INFO, "%s %s -> %ld (%ld ms, attempt %u)", op->method, k->url.data, x->status,
                      x->elapsed_ms, k->attempts);
    else
        pontes_cl_log(c, PONTES_LOG_INFO, "%s %s -> %s (%ld ms, attempt %u)", op->method, k->url.data, x->curl_msg,
                      x->elapsed_ms, k->attempts);

    bool session = k->auth.cr && k->auth.cr->kind == CRED_SESSION && k->auth.sent_session;
    if (x->cc == CURLE_OK && x->status == 401 && k->auth.cr && (k->auth.cr->kind == CRED_OAUTH2 || session) &&
        !k->refreshed) {
        /* The 401 proves the request was not processed: renew the token and resend once
           (a session: log in again first, auth_session.c). */
        k->refreshed = true;
        pontes_cl_drop_token(&k->auth);
        pontes_cl_log(c, PONTES_LOG_WARN, "%s %s: HTTP 401, %s and resending", op->method, k->url.data,
                      session ? "logging in to the session again" : "renewing the oauth2 token");
        k->delay_ms = -1; /* at once, no wait */
        return PONTES_CALL_AGAIN;
    }
    char reason[CURL_ERROR_SIZE + 32];
    if (pontes_up_failed(k->up, NULL)) return PONTES_CALL_DONE; /* a source failed: never resent */
    /* x-pontes-idempotent: false (PONTES_OP_SIDE_EFFECT, e.g. a GET that sends an e-mail): once the
       server has answered, the request may have had its effect: never resent, not even after a
       429/503, unless an Idempotency-Key lets the server deduplicate */
    if ((op->flags & PONTES_OP_SIDE_EFFECT) && !r->idem_key && x->cc == CURLE_OK) return PONTES_CALL_DONE;
    if (k->retries < k->max_retries && pontes_cl_should_retry(x, k->idempotent, reason, sizeof reason)) {
        long d = pontes_cl_retry_delay(c, x, k->retries);
        long rem = pontes_cl_ms_until(k->deadline);
        if (!pontes_cl_wait_fits(k->deadline, d)) {
            pontes_cl_log(c, PONTES_LOG_WARN, "not retrying %s %s: a %ld ms wait does not fit the %ld ms left (%s)",
                          op->method, k->url.data, d, rem, reason);
            return PONTES_CALL_DONE;
        }
        pontes_cl_log(c, PONTES_LOG_WARN, "retrying %s %s in %ld ms (attempt %u of %u): %s", op->method, k->url.data,
                      d, k->attempts + 1, k->max_retries + 1 + (k->refreshed ? 1u : 0u), reason);
        k->retries++;
        k->delay_ms = d;
        return PONTES_CALL_AGAIN;
    }
    return PONTES_CALL_DONE;
}

int pontes_call_finish(pontes_call *k, int rc, void **out, long *http_status) {
    pontes_request *r = k->r;
    pontes_client *c = r->c;
    const pontes_operation *op = r->op;
    pontes_error *err = &c->err;
    pontes_cl_xfer *x = &k->x;
    if (out) *out = NULL;
    if (http_status) *http_status = 0;
    if (rc != PONTES_OK) goto done;
    const char *upmsg = NULL;
    if (pontes_up_failed(k->up, &upmsg)) { /* a file source failed while the body was sent */
        rc = pontes_err_set(err, PONTES_EINVAL, "%s %s: upload failed, request aborted: %s", op->method,
                            op->path, upmsg);
        goto done;
    }
    if (x->cc != CURLE_OK || x->toobig || x->nomem) {
        rc = pontes_cl_transport_error(c, x, op->method, op->path, k->attempts);
        goto done;
    }
    if (http_status) *http_status = x->status;
    if (x->status < 200 || x->status > 299) {
        err->http_status = x->status;
        pontes_cl_fill_provider_error(err, c->api->errors, x);
        rc = (x->status == 401 && k->refreshed) ? PONTES_EAUTH : PONTES_EHTTP;
        pontes_cl_http_error_message(err, rc, op->method, op->path);
        goto done;
    }
    const pontes_response_desc *rd = match_response(op, x->status);
    bool env_missing = false; /* x-pontes-envelope: checked before decoding (a failure body may not decode) */
    if (rd && rd->envelope) {
        rc = pontes_cl_check_envelope(err, c->api->errors, rd->envelope, x, c->o.strict_response_validation,
                                      op->method, op->path, op->operation_id, &env_missing);
        if (rc != PONTES_OK) goto done;
    }
    if (rd && rd->type && out) {
        if (x->resp.len == 0 && (op->flags & PONTES_OP_EMPTY_SUCCESS)) {
            /* x-pontes-empty-success: the API declares an empty 2xx a success (strict mode too) */
            rc = pontes_codec_empty_value(rd->type, out, err);
        } else if (x->resp.len == 0) {
            rc = pontes_err_set(err, PONTES_EDECODE, "%s %s: HTTP %ld: empty body, expected %s", op->method, op->path,
                                x->status, rd->type->name ? rd->type->name : "a value");
        } else {
            pontes_decode_options dopts = PONTES_DECODE_OPTIONS_INIT;
            dopts.strict = c->o.strict_response_validation;
            dopts.deviations = &c->dev;
            rc = pontes_decode(rd->type, x->resp.data, x->resp.len, &dopts, out, err);
            if (rc == PONTES_OK && c->dev.count)
                pontes_cl_log(c, PONTES_LOG_WARN,
                              "%s %s: HTTP %ld: the response deviates from the spec in %zu place%s (first: %s: %s)",
                              op->method, op->path, x->status, c->dev.count, c->dev.count == 1 ? "" : "s",
                              c->dev.kept ? c->dev.first[0].path : "?", c->dev.kept ? c->dev.first[0].what : "?");
        }
        if (rc != PONTES_OK) {
            if (out) *out = NULL;
            err->http_status = x->status;
            pontes_cl_xfer_give_body(x, err); /* keep the raw body (a success body: no provider fields) */
            goto done;
        }
    }
    if (env_missing) {
        pontes_cl_envelope_deviation(&c->dev, rd->envelope->code);
        pontes_cl_log(c, PONTES_LOG_WARN, "%s %s: HTTP %ld: the envelope's code member %s is missing (taken as success)",
                      op->method, op->path, x->status, rd->envelope->code);
    }
    rc = PONTES_OK;

done:
    if (k->attempts) { /* token capture, token-invalid map (x-pontes-auth) */
        int arc = pontes_cl_auth_result(c, &k->auth, op, x, rc);
        if (arc != PONTES_OK && rc == PONTES_OK && out && *out) {
            pontes_free(*out);
            *out = NULL;
        }
        rc = arc;
    }
    if (rc != PONTES_OK) {
        if (!err->message) pontes_err_set(err, rc, "%s %s: %s", op->method, op->path, pontes_status_name(rc));
        err->status = rc;
        if (!err->operation_id && op->operation_id)
            pontes_err_set_str(err, &err->operation_id, op->operation_id, (size_t)-1);
        pontes_cl_redact_error(c, err);
        /* x-pontes-status-code: the provider code split into its parts (pontes_error_code_part) */
        if (c->api->errors && c->api->errors->status_code) pontes_err_set_code_parts(err, c->api->errors->status_code);
    } else {
        err->http_status = x->status;
    }
    pontes_cl_auth_done(&k->auth, k->attempts); /* a consent code is used once */
    if (k->attempts) err->attempts = k->attempts;
    return rc;
}

void pontes_call_free(pontes_call *k) {
    if (!k->r) return;
    attempt_clean(k);
    pontes_up_free(k->up);
    k->up = NULL;
    if (k->lent) give_back(k);
    pontes_cl_buf_wipe_free(&k->htext);
    free(k->nodes);
    k->nodes = NULL;
    k->ncap = 0;
    pontes_cl_xfer_free(&k->x);
    pontes_cl_buf_wipe_free(&k->body);
    pontes_buf_free(&k->url);
    pontes_request_free(k->r);
    k->r = NULL;
}

/* ---- send --------------------------------------------------------------- */
int pontes_request_send(pontes_request *r, void **out, long *http_status) {
    if (out) *out = NULL;
    if (http_status) *http_status = 0;
    if (!r) return PONTES_EINVAL;
    pontes_client *c = r->c;
    int rc;
    if (r->failed || !r->holds) { /* !holds: not made by pontes_request_new (never race) */
        rc = r->failed ? r->failed : PONTES_EINVAL;
        pontes_request_free(r);
        return rc;
    }
    pontes_err_reset(&c->err);
    pontes_call k;
    rc = call_prepare(&k, r, true); /* the call's time budget starts here */
    if (rc == PONTES_OK && !c->handle_ready) {
        pontes_cl_configure_handle(c, c->curl);
        c->handle_ready = true;
    }
    while (rc == PONTES_OK) {
        rc = pontes_call_attempt_begin(&k, c->curl);
        if (rc != PONTES_OK) break;
        if (k.x.h) pontes_cl_xfer_finish(c, &k.x, curl_easy_perform(c->curl));
        if (pontes_call_attempt_end(&k) != PONTES_CALL_AGAIN) break;
        if (k.delay_ms >= 0) pontes_cl_sleep(k.delay_ms);
    }
    rc = pontes_call_finish(&k, rc, out, http_status);
    pontes_call_free(&k); /* frees r, releases the client */
    return rc;
}
