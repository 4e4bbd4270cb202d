/* The rich error object. Every string member is a malloc'd copy owned by the error. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct err_priv {
    pontes_field_error *fields;
    size_t count, cap;
    const char *date; /* pontes_error_provider_date (outside pontes_error's public layout) */
    /* pontes_error_code_part: the parts of provider_code, each NUL-terminated, one after the
       other ("04\0" "01\0" "02\0"), and the description naming them (static, generated) */
    char *code_parts;
    const pontes_status_code_desc *code_desc;
} err_priv;

static err_priv *priv_get(pontes_error *err) {
    if (!err->priv_) err->priv_ = calloc(1, sizeof(err_priv));
    return err->priv_;
}

static void free_str(const char *s) { free((void *)(uintptr_t)s); }

void pontes_error_clear(pontes_error *err) {
    if (!err) return;
    free_str(err->message);
    free_str(err->provider_code);
    free_str(err->provider_message);
    free_str(err->request_id);
    free_str(err->curl_message);
    free_str(err->json_path);
    free_str(err->expected);
    free_str(err->operation_id);
    free_str(err->body);
    err_priv *p = err->priv_;
    if (p) {
        for (size_t i = 0; i < p->count; i++) {
            free_str(p->fields[i].key);
            free_str(p->fields[i].message);
        }
        free(p->fields);
        free_str(p->date);
        free(p->code_parts);
        free(p);
    }
    pontes_error z = PONTES_ERROR_INIT;
    *err = z;
}

void pontes_err_reset(pontes_error *err) { pontes_error_clear(err); }

int pontes_err_vset(pontes_error *err, int status, const char *fmt, va_list ap) {
    if (!err) return status;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    err->status = status;
    pontes_err_set_str(err, &err->message, buf, (size_t)-1);
    return status;
}

int pontes_err_set(pontes_error *err, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pontes_err_vset(err, status, fmt, ap);
    va_end(ap);
    return status;
}

void pontes_err_set_str(pontes_error *err, const char **member, const char *s, size_t len) {
    if (!err || !member) return;
    free_str(*member);
    *member = NULL;
    if (!s) return;
    if (len == (size_t)-1) len = strlen(s);
    char *c = malloc(len + 1);
    if (!c) return; /* best effort: the status still tells what happened */
    memcpy(c, s, len);
    c[len] = '\0';
    *member = c;
}

const char *pontes_error_provider_date(const pontes_error *err) {
    const err_priv *p = err ? err->priv_ : NULL;
    return p ? p->date : NULL;
}

void pontes_err_set_date(pontes_error *err, const char *s, size_t len) {
    if (!err) return;
    err_priv *p = s ? priv_get(err) : err->priv_;
    if (p) pontes_err_set_str(err, &p->date, s, len);
}

const char **pontes_err_date_slot(pontes_error *err) {
    err_priv *p = err ? err->priv_ : NULL;
    return p ? &p->date : NULL;
}

/* ---- status codes made of parts (x-pontes-status-code) ---- */
int pontes_status_code_check(const pontes_status_code_desc *d, const char *code) {
    if (!d || !code || !d->parts || !d->part_count || !d->length) return PONTES_EINVAL;
    size_t n = 0;
    for (; code[n]; n++)
        if (n >= d->length || code[n] < '0' || code[n] > '9') return PONTES_EINVAL;
    size_t sum = 0;
    for (size_t i = 0; i < d->part_count; i++) sum += d->parts[i].digits;
    return n == d->length && sum == d->length ? PONTES_OK : PONTES_EINVAL;
}

int pontes_status_code_part_at(const pontes_status_code_desc *d, const char *code, size_t index, const char **name,
                               char *buf, size_t cap) {
    if (buf && cap) buf[0] = '\0';
    if (name) *name = NULL;
    if (pontes_status_code_check(d, code) != PONTES_OK || index >= d->part_count || !buf) return PONTES_EINVAL;
    size_t off = 0;
    for (size_t i = 0; i < index; i++) off += d->parts[i].digits;
    size_t n = d->parts[index].digits;
    if (cap <= n) return PONTES_EINVAL;
    memcpy(buf, code + off, n);
    buf[n] = '\0';
    if (name) *name = d->parts[index].name;
    return PONTES_OK;
}

int pontes_status_code_part(const pontes_status_code_desc *d, const char *code, const char *part, char *buf,
                            size_t cap) {
    if (buf && cap) buf[0] = '\0';
    if (!d || !part || !d->parts) return PONTES_EINVAL;
    for (size_t i = 0; i < d->part_count; i++)
        if (d->parts[i].name && strcmp(d->parts[i].name, part) == 0)
            return pontes_status_code_part_at(d, code, i, NULL, buf, cap);
    return PONTES_EINVAL;
}

void pontes_err_set_code_parts(pontes_error *err, const pontes_status_code_desc *d) {
    err_priv *p = err ? err->priv_ : NULL;
    if (p) { /* drop parts of an earlier code */
        free(p->code_parts);
        p->code_parts = NULL;
        p->code_desc = NULL;
    }
    if (!err || !d || pontes_status_code_check(d, err->provider_code) != PONTES_OK) return;
    if (!(p = priv_get(err))) return;
    char *buf = malloc(d->length + d->part_count);
    if (!buf) return; /* best effort, like the other strings */
    const char *code = err->provider_code;
    char *o = buf;
    for (size_t i = 0; i < d->part_count; i++) {
        memcpy(o, code, d->parts[i].digits);
        o += d->parts[i].digits;
        code += d->parts[i].digits;
        *o++ = '\0';
    }
    p->code_parts = buf;
    p->code_desc = d;
}

const char *pontes_error_code_part_at(const pontes_error *err, size_t index, const char **name) {
    if (name) *name = NULL;
    const err_priv *p = err ? err->priv_ : NULL;
    if (!p || !p->code_parts || !p->code_desc || index >= p->code_desc->part_count) return NULL;
    const char *s = p->code_parts;
    for (size_t i = 0; i < index; i++) s += p->code_desc->parts[i].digits + 1;
    if (name) *name = p->code_desc->parts[index].name;
    return s;
}

const char *pontes_error_code_part(const pontes_error *err, const char *part) {
    const err_priv *p = err ? err->priv_ : NULL;
    if (!p || !p->code_desc || !part) return NULL;
    for (size_t i = 0; i < p->code_desc->part_count; i++)
        if (p->code_desc->parts[i].name && strcmp(p->code_desc->parts[i].name, part) == 0)
            return pontes_error_code_part_at(err, i, NULL);
    return NULL;
}

int pontes_err_add_field(pontes_error *err, const char *key, const char *message) {
    if (!err) return PONTES_OK;
    err_priv *p = priv_get(err);
    if (!p) return PONTES_ENOMEM;
    if (p->count == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 4;
        pontes_field_error *nf = realloc(p->fields, nc * sizeof *nf);
        if (!nf) return PONTES_ENOMEM;
        p->fields = nf;
        p->cap = nc;
    }
    pontes_field_error *f = &p->fields[p->count];
    f->key = NULL;
    f->message = NULL;
    pontes_err_set_str(err, &f->key, key ? key : "", (size_t)-1);
    pontes_err_set_str(err, &f->message, message ? message : "", (size_t)-1);
    p->count++;
    err->field_errors = p->fields;
    err->field_error_count = p->count;
    return PONTES_OK;
}

void pontes_err_move(pontes_error *dst, pontes_error *src) {
    if (!dst || !src || dst == src) return;
    pontes_error_clear(dst);
    *dst = *src;
    pontes_error z = PONTES_ERROR_INIT;
    *src = z;
}

const char *pontes_status_name(int status) {
    switch (status) {
    case PONTES_OK: return "PONTES_OK";
    case PONTES_EINVAL: return "PONTES_EINVAL";
    case PONTES_ENOMEM: return "PONTES_ENOMEM";
    case PONTES_EHTTP: return "PONTES_EHTTP";
    case PONTES_ETRANSPORT: return "PONTES_ETRANSPORT";
    case PONTES_ETIMEOUT: return "PONTES_ETIMEOUT";
    case PONTES_EDECODE: return "PONTES_EDECODE";
    case PONTES_EENCODE: return "PONTES_EENCODE";
    case PONTES_EAUTH: return "PONTES_EAUTH";
    case PONTES_ETOOBIG: return "PONTES_ETOOBIG";
    case PONTES_ERANGE: return "PONTES_ERANGE";
    case PONTES_EBUSY: return "PONTES_EBUSY";
    case PONTES_EPROVIDER: return "PONTES_EPROVIDER";
    case PONTES_ITEROVER: return "PONTES_ITEROVER";
    default: return "PONTES_EUNKNOWN";
    }
}

int pontes_version_number(void) { return PONTES_VERSION_NUMBER; }
const char *pontes_version(void) { return PONTES_VERSION; }
