/* Call secrets: the values of request-body members marked secret in the spec
 * (PONTES_F_SECRET: format: password, x-pontes-secret: true), e.g. an end user's
 * password sent in a JSON body. They are registered on the client for the duration of
 * one call (from pontes_call_prepare until the request is freed), so that the client's
 * redaction (log_client.c: every log line and every string of the error object) masks
 * them like the client's own credentials, then wiped.
 *
 * What is collected: every string (STRING kind) stored in a secret member, or anywhere
 * under a secret member (object, list, map, union); other kinds (numbers, enums, bytes)
 * are not. Each value is registered as written by the caller and, when they differ, in
 * its JSON-escaped form (what a server echoing the raw body sends back) and its
 * percent-encoded form (form bodies, URLs). Same layer as log_client.c (uses util). */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_MAX_DEPTH 64

struct pontes_cl_call_secrets {
    struct pontes_cl_call_secrets *next;
    const void *owner;
    char **v;
    size_t n, cap;
    bool failed;
};

typedef struct pontes_cl_call_secrets secset;

static void set_add_copy(secset *s, char *copy) {
    if (!copy) {
        s->failed = true;
        return;
    }
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], copy) == 0) { /* already there */
            pontes_cl_secret_free(copy);
            return;
        }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 4;
        char **nv = realloc(s->v, nc * sizeof *nv);
        if (!nv) {
            pontes_cl_secret_free(copy);
            s->failed = true;
            return;
        }
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = copy;
}

/* The text between the quotes of the JSON string the encoder writes for str. */
static char *json_escaped(const char *str) {
    size_t n = strlen(str), extra = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)str[i];
        if (ch == '"' || ch == '\\' || ch == '\b' || ch == '\f' || ch == '\n' || ch == '\r' || ch == '\t') extra += 1;
        else if (ch < 0x20 || ch == 0x7F) extra += 5;
    }
    if (!extra) return NULL;
    char *o = malloc(n + extra + 1), *p = o;
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)str[i];
        const char *e = NULL;
        switch (ch) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        default: break;
        }
        if (e) {
            memcpy(p, e, 2);
            p += 2;
        } else if (ch < 0x20 || ch == 0x7F) {
            snprintf(p, 7, "\\u%04x", ch);
            p += 6;
        } else {
            *p++ = (char)ch;
        }
    }
    *p = '\0';
    return o;
}

static void add_value(secset *s, const char *str) {
    if (!str || !*str) return;
    set_add_copy(s, pontes_cl_strdup(str));
    char *j = json_escaped(str);
    if (j) set_add_copy(s, j);
    char *pe = pontes_percent_encode(str, strlen(str));
    if (!pe) {
        s->failed = true;
    } else if (strcmp(pe, str) != 0) {
        set_add_copy(s, pe);
    } else {
        pontes_cl_secret_free(pe);
    }
}

static void walk_value(secset *s, const pontes_type *t, const void *st, bool secret, int depth);

/* Bytes of obj the caller has (PONTES_M_SIZED, as the encoder reads it); 0: none. */
static size_t sized_avail(const pontes_message *m, const unsigned char *obj) {
    if (!(m->flags & PONTES_M_SIZED)) return m->size;
    size_t n;
    memcpy(&n, obj, sizeof n);
    if (n < sizeof n) return 0; /* not initialised: the encoder refuses it */
    return n < m->size ? n : m->size;
}

static void walk_message(secset *s, const pontes_message *m, const unsigned char *obj, bool secret, int depth) {
    size_t avail = sized_avail(m, obj);
    for (size_t i = 0; i < m->field_count; i++) {
        const pontes_field *f = &m->fields[i];
        if (!f->type || f->presence_offset >= avail || f->offset + f->type->size > avail) continue;
        if (obj[f->presence_offset] != PONTES_SET) continue;
        walk_value(s, f->type, obj + f->offset, secret || (f->flags & PONTES_F_SECRET), depth + 1);
    }
}

static void walk_value(secset *s, const pontes_type *t, const void *st, bool secret, int depth) {
    if (!t || !st || depth > SECRET_MAX_DEPTH) return; /* the encoder refuses deeper values */
    switch (t->kind) {
    case PONTES_KIND_STRING:
        if (secret) add_value(s, *(const char *const *)st);
        return;
    case PONTES_KIND_OBJECT: {
        const unsigned char *obj = *(const unsigned char *const *)st;
        if (obj && t->msg) walk_message(s, t->msg, obj, secret, depth);
        return;
    }
    case PONTES_KIND_UNION: {
        const unsigned char *us = *(const unsigned char *const *)st;
        if (!us || !t->un) return;
        const pontes_union_head *h = (const pontes_union_head *)(const void *)us;
        if (h->kind >= 1 && (size_t)h->kind <= t->un->count)
            walk_value(s, t->un->variants[h->kind - 1], us + t->un->value_offset, secret, depth + 1);
        return;
    }
    case PONTES_KIND_ARRAY: {
        const pontes_list *l = st;
        if (!t->elem || !l->items) return;
        for (size_t i = 0; i < l->count; i++)
            walk_value(s, t->elem, (const char *)l->items + i * t->elem->size, secret, depth + 1);
        return;
    }
    case PONTES_KIND_MAP: {
        const pontes_map *mp = st;
        if (!t->elem || !mp->values) return;
        for (size_t i = 0; i < mp->count; i++)
            walk_value(s, t->elem, (const char *)mp->values + i * t->elem->size, secret, depth + 1);
        return;
    }
    default: return; /* numbers, enums, bytes, files, any: not collected */
    }
}

static void set_free(secset *s) {
    for (size_t i = 0; i < s->n; i++) pontes_cl_secret_free(s->v[i]);
    free(s->v);
    free(s);
}

int pontes_cl_call_secrets_register(pontes_client *c, const void *owner, const pontes_type *t, const void *body) {
    if (!c || !t || !body) return PONTES_OK;
    secset *s = calloc(1, sizeof *s);
    if (!s) return PONTES_ENOMEM;
    walk_value(s, t, &body, false, 0); /* the root's storage is the pointer to the value */
    if (s->failed) {
        set_free(s);
        return PONTES_ENOMEM;
    }
    if (s->n == 0) {
        set_free(s);
        return PONTES_OK;
    }
    s->owner = owner;
    s->next = c->call_secrets;
    c->call_secrets = s;
    return PONTES_OK;
}

void pontes_cl_call_secrets_release(pontes_client *c, const void *owner) {
    if (!c) return;
    secset **pp = &c->call_secrets;
    while (*pp) {
        secset *s = *pp;
        if (s->owner == owner) {
            *pp = s->next;
            set_free(s); /* wiped */
        } else {
            pp = &s->next;
        }
    }
}

size_t pontes_cl_call_secrets_count(const pontes_client *c) {
    size_t n = 0;
    for (const secset *s = c->call_secrets; s; s = s->next) n += s->n;
    return n;
}

size_t pontes_cl_call_secrets_append(const pontes_client *c, const char **v, size_t n) {
    for (const secset *s = c->call_secrets; s; s = s->next)
        for (size_t i = 0; i < s->n; i++) v[n++] = s->v[i];
    return n;
}
