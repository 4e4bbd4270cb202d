/* The generic pager behind the generated <api>_<op>_iter_* functions (x-pontes-pagination):
 * keyset (cursor from the last item), page number and offset/limit walks over one list
 * operation. Pages are fetched through the generated page function, i.e. the operation's
 * own _ex function (the whole request path: auth, retries, errors, decoding), one at a time
 * and only when the previous page is used up; the previous page is freed before the next is
 * asked for, so memory is bounded by one page. See pontes.h, "pagination". */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct owned {
    void *p;
    size_t len; /* wiped on free: header parameters and extra headers may carry credentials */
} owned;

struct pontes_pager {
    pontes_client *c;
    const pontes_pagination_desc *d;
    void *state;                /* the generated page function's state (parameter copies) */
    size_t state_size;
    owned *own;                 /* copies made for the state and the options */
    size_t nown, capown;
    pontes_call_options opts;
    bool has_opts;
    bool begun;
    /* resolved from the descriptor and the body type (pontes_pager_begin) */
    const pontes_field *f_items, *f_has_more, *f_total;
    const pontes_type *elem;
    const pontes_field *f_cursor; /* keyset: member of the item (elem->msg) */
    bool ptr_items;             /* items handed out as the pointer stored in the list */
    /* the walk */
    int done;                   /* 0 running; PONTES_ITEROVER or the error code once over */
    int pending;                /* error to report once the current page is used up (0: none) */
    bool last;                  /* the current page is the last one */
    void *page;                 /* decoded body of the current page (pontes_free) */
    const pontes_list *list;
    size_t pos;
    size_t pages, max_pages;
    int64_t total;              /* -1: unknown */
    int64_t page_size;          /* asked for, or (page/offset) the first page's length; 0: unknown */
    int64_t number;             /* page / offset: the value to send for the next page */
    int64_t sent_number;        /* ... and the one sent for the current page */
    char *cursor;               /* keyset: the cursor for the next page */
    int64_t cursor_int;
    uint64_t *seen;             /* keyset: hashes of every cursor sent */
    size_t nseen, capseen;
    pontes_error err;
};

/* ---- helpers ------------------------------------------------------------ */
static const char *op_name(const pontes_pager *pg) {
    return pg->d && pg->d->operation_id ? pg->d->operation_id : "list operation";
}

static int own_add(pontes_pager *pg, void *p, size_t len) {
    if (pg->nown == pg->capown) {
        size_t nc = pg->capown ? pg->capown * 2 : 8;
        owned *n = realloc(pg->own, nc * sizeof *n);
        if (!n) return PONTES_ENOMEM;
        pg->own = n;
        pg->capown = nc;
    }
    pg->own[pg->nown].p = p;
    pg->own[pg->nown].len = len;
    pg->nown++;
    return PONTES_OK;
}

static void *own_copy(pontes_pager *pg, const void *src, size_t len) {
    void *p = malloc(len ? len : 1);
    if (!p) return NULL;
    if (len) memcpy(p, src, len);
    if (own_add(pg, p, len) != PONTES_OK) {
        free(p);
        return NULL;
    }
    return p;
}

static const char *own_str(pontes_pager *pg, const char *s) { return own_copy(pg, s, strlen(s) + 1); }

/* The client's last error: set it (as the failing setter / call would) unless another
 * thread holds the client (then the return code says it all). */
static int client_fail(pontes_client *c, const char *op_id, int rc, const char *msg) {
    if (!c) return rc;
    if (pontes_cl_set_begin(c) != PONTES_OK) return rc;
    pontes_err_set(&c->err, rc, "%s", msg);
    if (op_id) pontes_err_set_str(&c->err, &c->err.operation_id, op_id, (size_t)-1);
    return pontes_cl_set_end(c, rc);
}

static void err_copy(pontes_error *dst, const pontes_error *src) {
    pontes_error_clear(dst);
    dst->status = src->status;
    dst->http_status = src->http_status;
    dst->curl_code = src->curl_code;
    dst->attempts = src->attempts;
    pontes_err_set_str(dst, &dst->message, src->message, (size_t)-1);
    pontes_err_set_str(dst, &dst->provider_code, src->provider_code, (size_t)-1);
    pontes_err_set_str(dst, &dst->provider_message, src->provider_message, (size_t)-1);
    pontes_err_set_str(dst, &dst->request_id, src->request_id, (size_t)-1);
    pontes_err_set_str(dst, &dst->curl_message, src->curl_message, (size_t)-1);
    pontes_err_set_str(dst, &dst->json_path, src->json_path, (size_t)-1);
    pontes_err_set_str(dst, &dst->expected, src->expected, (size_t)-1);
    pontes_err_set_str(dst, &dst->operation_id, src->operation_id, (size_t)-1);
    if (src->body) {
        pontes_err_set_str(dst, &dst->body, src->body, src->body_len);
        if (dst->body) dst->body_len = src->body_len;
    }
    for (size_t i = 0; i < src->field_error_count; i++)
        pontes_err_add_field(dst, src->field_errors[i].key, src->field_errors[i].message);
    const char *date = pontes_error_provider_date(src);
    if (date) pontes_err_set_date(dst, date, (size_t)-1);
}

/* An error the pager itself found (loop, page limit, a page that cannot be walked), kept in
 * the pager; publish() also puts it in the client's last error, as a failed call would, when
 * _next returns it (a pending error waits until the items before it are delivered). */
static int own_fail(pontes_pager *pg, int rc, const char *fmt, ...) PONTES_PRINTF(3, 4);
static int own_fail(pontes_pager *pg, int rc, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pontes_error_clear(&pg->err);
    pontes_err_set(&pg->err, rc, "%s: %s", op_name(pg), msg);
    if (pg->d && pg->d->operation_id)
        pontes_err_set_str(&pg->err, &pg->err.operation_id, pg->d->operation_id, (size_t)-1);
    return rc;
}

static int publish(pontes_pager *pg, int rc) {
    if (pontes_cl_set_begin(pg->c) == PONTES_OK) {
        err_copy(&pg->c->err, &pg->err);
        pontes_cl_set_end(pg->c, rc);
    }
    return rc;
}

static const pontes_field *find_field(const pontes_message *m, const char *name) {
    if (!m || !name) return NULL;
    for (size_t i = 0; i < m->field_count; i++)
        if (m->fields[i].name && strcmp(m->fields[i].name, name) == 0) return &m->fields[i];
    return NULL;
}

static bool is_int_kind(const pontes_type *t) {
    return t && (t->kind == PONTES_KIND_INT32 || t->kind == PONTES_KIND_INT64);
}

static bool present(const void *obj, const pontes_field *f) {
    return obj && f && *((const pontes_presence *)((const char *)obj + f->presence_offset)) == PONTES_SET;
}

static int64_t int_of(const void *obj, const pontes_field *f) {
    const char *p = (const char *)obj + f->offset;
    if (f->type->kind == PONTES_KIND_INT32) {
        int32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    int64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t hash_text(const char *s) { /* FNV-1a, 64 bits */
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* ---- creation ----------------------------------------------------------- */
int pontes_pager_new(pontes_pager **out, pontes_client *c, const pontes_pagination_desc *d, size_t state_size,
                     void **state, const pontes_call_options *opts) {
    if (out) *out = NULL;
    if (state) *state = NULL;
    if (!out || !c || !d || !state) return PONTES_EINVAL;
    const char *id = d->operation_id;
    char msg[256];
    if (opts && opts->version != PONTES_CALL_OPTIONS_VERSION) {
        snprintf(msg, sizeof msg, "%s: iterator: pontes_call_options.version is not PONTES_CALL_OPTIONS_VERSION",
                 id ? id : "?");
        return client_fail(c, id, PONTES_EINVAL, msg);
    }
    if (opts && opts->batch) {
        snprintf(msg, sizeof msg, "%s: iterator: a batch is not supported (pages are fetched one by one)",
                 id ? id : "?");
        return client_fail(c, id, PONTES_EINVAL, msg);
    }
    pontes_pager *pg = calloc(1, sizeof *pg);
    void *st = pg ? calloc(1, state_size ? state_size : 1) : NULL;
    if (!st) {
        free(pg);
        return client_fail(c, id, PONTES_ENOMEM, "out of memory");
    }
    pg->c = c;
    pg->d = d;
    pg->state = st;
    pg->state_size = state_size;
    pg->total = -1;
    pg->max_pages = PONTES_PAGER_MAX_PAGES;
    pontes_error z = PONTES_ERROR_INIT;
    pg->err = z;
    if (opts) {
        pg->opts = *opts;
        pg->has_opts = true;
        int rc = PONTES_OK;
        if (opts->idempotency_key && !(pg->opts.idempotency_key = own_str(pg, opts->idempotency_key)))
            rc = PONTES_ENOMEM;
        size_t n = 0;
        while (rc == PONTES_OK && opts->headers && opts->headers[n]) n++;
        if (rc == PONTES_OK && n) {
            const char **h = own_copy(pg, opts->headers, (n + 1) * sizeof *h);
            if (!h) rc = PONTES_ENOMEM;
            for (size_t i = 0; rc == PONTES_OK && i < n; i++)
                if (!(h[i] = own_str(pg, opts->headers[i]))) rc = PONTES_ENOMEM;
            if (rc == PONTES_OK) {
                h[n] = NULL;
                pg->opts.headers = h;
            }
        }
        if (rc != PONTES_OK) {
            pontes_pager_free(pg);
            return client_fail(c, id, rc, "out of memory");
        }
    }
    *state = st;
    *out = pg;
    return PONTES_OK;
}

int pontes_pager_keep_string(pontes_pager *pg, const char **s) {
    if (!pg || !s) return PONTES_EINVAL;
    if (!*s) return PONTES_OK;
    const char *copy = own_str(pg, *s);
    if (!copy) return client_fail(pg->c, pg->d->operation_id, PONTES_ENOMEM, "out of memory");
    *s = copy;
    return PONTES_OK;
}

int pontes_pager_keep_string_list(pontes_pager *pg, pontes_string_list *l) {
    if (!pg || !l) return PONTES_EINVAL;
    if (!l->count) {
        l->items = NULL;
        return PONTES_OK;
    }
    if (!l->items || l->count > SIZE_MAX / sizeof *l->items) return pontes_pager_invalid(pg, "string list without items");
    const char **items = own_copy(pg, l->items, l->count * sizeof *items);
    if (!items) return client_fail(pg->c, pg->d->operation_id, PONTES_ENOMEM, "out of memory");
    l->items = items;
    for (size_t i = 0; i < l->count; i++) {
        int rc = pontes_pager_keep_string(pg, &items[i]);
        if (rc != PONTES_OK) return rc;
    }
    return PONTES_OK;
}

int pontes_pager_invalid(pontes_pager *pg, const char *what) {
    if (!pg) return PONTES_EINVAL;
    char msg[512];
    snprintf(msg, sizeof msg, "%s: iterator: %s", op_name(pg), what ? what : "invalid argument");
    return client_fail(pg->c, pg->d->operation_id, PONTES_EINVAL, msg);
}

/* The descriptor against its body type: what the walk reads must be there, with its kind. */
static const char *resolve(pontes_pager *pg) {
    const pontes_pagination_desc *d = pg->d;
    if (d->style < PONTES_PAGE_KEYSET || d->style > PONTES_PAGE_OFFSET) return "unknown style";
    if (!d->fetch) return "no page function";
    const pontes_type *bt = d->body_type;
    if (!bt || bt->kind != PONTES_KIND_OBJECT || !bt->msg) return "the body type is not an object";
    const pontes_message *m = bt->msg;
    if (!d->items) {
        if (!(m->flags & PONTES_M_BOX) || m->field_count != 1) return "items '$' needs a bare array body";
        pg->f_items = &m->fields[0];
    } else {
        pg->f_items = find_field(m, d->items);
    }
    if (!pg->f_items || !pg->f_items->type || pg->f_items->type->kind != PONTES_KIND_ARRAY || !pg->f_items->type->elem)
        return "items is not an array member of the body";
    pg->elem = pg->f_items->type->elem;
    if (!pg->elem->size) return "items have no size";
    int k = pg->elem->kind;
    pg->ptr_items = k == PONTES_KIND_OBJECT || k == PONTES_KIND_UNION || k == PONTES_KIND_STRING || k == PONTES_KIND_ANY;
    if (d->has_more) {
        pg->f_has_more = find_field(m, d->has_more);
        if (!pg->f_has_more || !pg->f_has_more->type || pg->f_has_more->type->kind != PONTES_KIND_BOOL)
            return "has_more is not a boolean member of the body";
    }
    if (d->total) {
        pg->f_total = find_field(m, d->total);
        if (!pg->f_total || !is_int_kind(pg->f_total->type)) return "total is not an integer member of the body";
    }
    if (d->style == PONTES_PAGE_KEYSET) {
        if (k != PONTES_KIND_OBJECT || !pg->elem->msg) return "keyset items must be objects";
        pg->f_cursor = find_field(pg->elem->msg, d->cursor_from);
        if (!pg->f_cursor || !pg->f_cursor->type ||
            !(pg->f_cursor->type->kind == PONTES_KIND_STRING || is_int_kind(pg->f_cursor->type)))
            return "cursor_from is not a string or integer member of the items";
    }
    return NULL;
}

int pontes_pager_begin(pontes_pager *pg, int64_t page_size, bool has_start, int64_t start) {
    if (!pg || pg->begun) return PONTES_EINVAL;
    const char *why = resolve(pg);
    if (why) {
        char msg[256];
        snprintf(msg, sizeof msg, "pagination descriptor: %s", why);
        return pontes_pager_invalid(pg, msg);
    }
    pg->page_size = page_size > 0 ? page_size : 0;
    if (pg->d->style == PONTES_PAGE_NUMBER) pg->number = has_start ? start : pg->d->first_page;
    else if (pg->d->style == PONTES_PAGE_OFFSET) pg->number = has_start ? start : 0;
    if (pg->d->style == PONTES_PAGE_OFFSET && pg->number < 0) return pontes_pager_invalid(pg, "negative offset");
    pg->begun = true;
    return PONTES_OK;
}

int pontes_pager_set_max_pages(pontes_pager *pg, size_t max_pages) {
    if (!pg || max_pages == 0) return PONTES_EINVAL;
    pg->max_pages = max_pages;
    return PONTES_OK;
}

/* ---- the walk ------------------------------------------------------------ */

/* After page pg->page arrived: is it the last one; what does the next request send. */
static void plan_next(pontes_pager *pg) {
    const pontes_pagination_desc *d = pg->d;
    size_t n = pg->list->count;
    if (pg->f_total && present(pg->page, pg->f_total)) pg->total = int_of(pg->page, pg->f_total);
    if (n == 0) {
        pg->last = true;
        return;
    }
    if (d->style == PONTES_PAGE_KEYSET) {
        if (pg->f_has_more) {
            const bool *hm = (const bool *)((const char *)pg->page + pg->f_has_more->offset);
            pg->last = !(present(pg->page, pg->f_has_more) && *hm);
        } else {
            pg->last = pg->page_size > 0 && (int64_t)n < pg->page_size;
        }
    } else {
        bool first = pg->pages == 1;
        if (pg->page_size == 0 && first) pg->page_size = (int64_t)n; /* none asked for: the server's size */
        bool short_page = pg->page_size > 0 && (int64_t)n < pg->page_size;
        int64_t after; /* items before this page's end, counted from the start of the list */
        if (d->style == PONTES_PAGE_NUMBER) {
            int64_t before = pg->sent_number - d->first_page;
            after = before > 0 && pg->page_size > 0 && before <= INT64_MAX / pg->page_size
                        ? before * pg->page_size + (int64_t)n
                        : (before > 0 ? INT64_MAX : (int64_t)n);
            pg->number = pg->sent_number < INT64_MAX ? pg->sent_number + 1 : INT64_MAX;
        } else {
            after = pg->sent_number <= INT64_MAX - (int64_t)n ? pg->sent_number + (int64_t)n : INT64_MAX;
            pg->number = after;
        }
        pg->last = short_page || (pg->total >= 0 && after >= pg->total);
    }
    if (pg->last) return;
    if (pg->pages >= pg->max_pages) {
        pg->pending = own_fail(pg, PONTES_EDECODE,
                                "more than %zu pages: the walk is stopped (the server does not end it; "
                                "pontes_pager_set_max_pages raises the limit)", pg->max_pages);
        return;
    }
    if (d->style != PONTES_PAGE_KEYSET) return;
    /* keyset: the next cursor is the cursor_from member of the last item */
    const char *slot = (const char *)pg->list->items + (n - 1) * pg->elem->size;
    const void *item = *(const void *const *)(const void *)slot;
    char num[32];
    const char *cur = NULL;
    int64_t cur_int = 0;
    if (present(item, pg->f_cursor)) {
        if (pg->f_cursor->type->kind == PONTES_KIND_STRING) {
            cur = *(const char *const *)(const void *)((const char *)item + pg->f_cursor->offset);
        } else {
            cur_int = int_of(item, pg->f_cursor);
            snprintf(num, sizeof num, "%" PRId64, cur_int);
            cur = num;
        }
    }
    if (!cur || !*cur) {
        pg->pending = own_fail(pg, PONTES_EDECODE,
                                "page %zu: the last item has no %s to ask for the next page with (the page says "
                                "there are more)", pg->pages, d->cursor_from);
        return;
    }
    uint64_t h = hash_text(cur);
    for (size_t i = 0; i < pg->nseen; i++) {
        if (pg->seen[i] == h) {
            pg->pending = own_fail(pg, PONTES_EDECODE,
                                    "page %zu: the server gave the cursor %s=\"%.64s\" again (a loop): the walk "
                                    "is stopped", pg->pages, d->cursor_param ? d->cursor_param : "cursor", cur);
            return;
        }
    }
    if (pg->nseen == pg->capseen) {
        size_t nc = pg->capseen ? pg->capseen * 2 : 16;
        uint64_t *ns = realloc(pg->seen, nc * sizeof *ns);
        if (!ns) {
            pg->pending = own_fail(pg, PONTES_ENOMEM, "out of memory");
            return;
        }
        pg->seen = ns;
        pg->capseen = nc;
    }
    char *copy = pontes_cl_strdup(cur);
    if (!copy) {
        pg->pending = own_fail(pg, PONTES_ENOMEM, "out of memory");
        return;
    }
    pg->seen[pg->nseen++] = h;
    free(pg->cursor);
    pg->cursor = copy;
    pg->cursor_int = cur_int;
}

static void drop_page(pontes_pager *pg) {
    pontes_free(pg->page);
    pg->page = NULL;
    pg->list = NULL;
    pg->pos = 0;
}

static int fetch(pontes_pager *pg) {
    drop_page(pg); /* bounded memory: the previous page goes before the next one comes */
    pontes_page_args a;
    memset(&a, 0, sizeof a);
    a.index = pg->pages;
    if (pg->d->style == PONTES_PAGE_KEYSET) {
        a.cursor = pg->pages ? pg->cursor : NULL;
        a.cursor_int = pg->cursor_int;
    } else {
        a.set_number = true;
        a.number = pg->number;
    }
    void *v = NULL;
    int rc = pg->d->fetch(pg->c, pg->state, &a, pg->has_opts ? &pg->opts : NULL, &v);
    if (rc != PONTES_OK) {
        pontes_free(v);
        if (rc == PONTES_EBUSY) { /* the client's last error belongs to the other thread's call */
            pontes_error_clear(&pg->err);
            pontes_err_set(&pg->err, rc, "%s: page %zu: the client is in use by another thread", op_name(pg),
                           pg->pages + 1);
        } else {
            err_copy(&pg->err, pontes_client_last_error(pg->c));
            if (pg->err.status == PONTES_OK) pg->err.status = rc;
            if (!pg->err.message) pontes_err_set(&pg->err, rc, "%s: page %zu: %s", op_name(pg), pg->pages + 1,
                                                 pontes_status_name(rc));
        }
        return rc;
    }
    if (!v) return publish(pg, own_fail(pg, PONTES_EDECODE, "page %zu: the response has no body", pg->pages + 1));
    pg->page = v;
    pg->list = (const pontes_list *)(const void *)((const char *)v + pg->f_items->offset);
    pg->pages++;
    pg->sent_number = a.number;
    plan_next(pg);
    return PONTES_OK;
}

int pontes_pager_next(pontes_pager *pg, const pontes_pagination_desc *d, const void **item) {
    if (item) *item = NULL;
    if (!pg || !d || d != pg->d || !pg->begun) return PONTES_EINVAL;
    for (;;) {
        if (pg->done) return pg->done;
        if (pg->page && pg->pos < pg->list->count) {
            const char *slot = (const char *)pg->list->items + pg->pos * pg->elem->size;
            pg->pos++;
            if (item) *item = pg->ptr_items ? *(const void *const *)(const void *)slot : (const void *)slot;
            return PONTES_OK;
        }
        if (pg->page && (pg->pending || pg->last)) {
            drop_page(pg);
            pg->done = pg->pending ? publish(pg, pg->pending) : PONTES_ITEROVER;
            continue;
        }
        int rc = fetch(pg);
        if (rc != PONTES_OK) {
            drop_page(pg);
            pg->done = rc;
        }
    }
}

/* ---- accessors ------------------------------------------------------------ */
int64_t pontes_pager_total(const pontes_pager *pg) { return pg ? pg->total : -1; }
size_t pontes_pager_pages(const pontes_pager *pg) { return pg ? pg->pages : 0; }
const pontes_error *pontes_pager_error(const pontes_pager *pg) { return pg ? &pg->err : NULL; }
const void *pontes_pager_page(const pontes_pager *pg) { return pg ? pg->page : NULL; }

void pontes_pager_free(pontes_pager *pg) {
    if (!pg) return;
    drop_page(pg);
    for (size_t i = 0; i < pg->nown; i++) {
        pontes_cl_wipe(pg->own[i].p, pg->own[i].len);
        free(pg->own[i].p);
    }
    free(pg->own);
    if (pg->state) {
        pontes_cl_wipe(pg->state, pg->state_size);
        free(pg->state);
    }
    free(pg->cursor);
    free(pg->seen);
    pontes_error_clear(&pg->err);
    free(pg);
}
