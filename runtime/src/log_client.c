/* The client's log hook (every line redacted) and redaction of the error object.
 * Uses the client's credentials as data only. */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- logging ------------------------------------------------------------ */
/* Every secret value the client holds (malloc'd array of borrowed pointers in *out);
 * (size_t)-1 on ENOMEM. */
static size_t client_secrets(const pontes_client *c, const char ***out) {
    size_t cap = 4 * c->ncreds + 1 + pontes_cl_call_secrets_count(c), n = 0;
    for (size_t i = 0; i < c->ncreds; i++) cap += pontes_cl_session_secret_count(&c->creds[i]);
    const char **v = malloc(cap * sizeof *v);
    *out = v;
    if (!v) return (size_t)-1;
    for (size_t i = 0; i < c->ncreds; i++) {
        if (c->creds[i].secret) v[n++] = c->creds[i].secret;
        if (c->creds[i].plain) v[n++] = c->creds[i].plain;
        if (c->creds[i].access_token) v[n++] = c->creds[i].access_token;
        if (c->creds[i].code) v[n++] = c->creds[i].code;
        n = pontes_cl_session_secrets_append(&c->creds[i], v, n); /* session credentials (auth_session.c) */
    }
    if (c->o.client_key_password) v[n++] = c->o.client_key_password;
    n = pontes_cl_call_secrets_append(c, v, n); /* secret members of request bodies in flight */
    return n;
}

/* Whether any secret pontes__redact_known would replace (4 bytes or more) occurs in s[0..n). */
static bool holds_secret(const char *s, size_t n, const char *const *secrets, size_t ns) {
    for (size_t k = 0; k < ns; k++) {
        const char *sec = secrets[k];
        size_t sl = sec ? strlen(sec) : 0;
        if (sl < 4 || sl > n) continue;
        const char *p = s, *end = s + n;
        while ((size_t)(end - p) >= sl && (p = memchr(p, sec[0], (size_t)(end - p) - sl + 1)) != NULL) {
            if (memcmp(p, sec, sl) == 0) return true;
            p++;
        }
    }
    return false;
}

static void redact_member(pontes_error *err, const char **member, const char *const *secrets, size_t ns) {
    if (!*member) return;
    size_t len = member == &err->body ? err->body_len : strlen(*member);
    /* nothing to replace: no copy (an error body may be tens of MiB) */
    if (!holds_secret(*member, len, secrets, ns)) return;
    size_t out_len = 0;
    char *red = pontes__redact_known(*member, len, secrets, ns, &out_len);
    if (!red) { /* never keep an unredacted copy: drop the text */
        pontes_cl_wipe((void *)(uintptr_t)*member, len);
        free((void *)(uintptr_t)*member);
        *member = NULL;
        if (member == &err->body) err->body_len = 0;
        return;
    }
    if (out_len == len && memcmp(red, *member, len) == 0) {
        free(red);
        return;
    }
    pontes_cl_wipe((void *)(uintptr_t)*member, len);
    free((void *)(uintptr_t)*member);
    *member = red;
    if (member == &err->body) err->body_len = out_len;
}

/* A server may echo a credential (gateways put the Authorization value in their error
 * text): the error object never shows one. */
void pontes_cl_redact_error(pontes_client *c, pontes_error *err) {
    const char **secrets = NULL;
    size_t ns = client_secrets(c, &secrets);
    if (ns == 0) {
        free(secrets);
        return;
    }
    if (ns == (size_t)-1) {
        /* ENOMEM: nothing to redact with. Drop every text that may hold an echo, and
           overwrite the summary in place (no allocation possible). */
        ns = 0;
        if (err->message) {
            static const char oom[] = "out of memory while redacting the error";
            char *m = (char *)(uintptr_t)err->message;
            size_t ml = strlen(m);
            if (ml >= sizeof oom - 1) memcpy(m, oom, sizeof oom);
            else m[0] = '\0';
        }
    }
    const char **date = pontes_err_date_slot(err); /* pontes_error_provider_date */
    const char **members[] = {&err->message, &err->provider_code, &err->provider_message, &err->request_id,
                              &err->curl_message, &err->json_path, &err->body, &err->expected,
                              date ? date : &err->message};
    for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
        if (ns == 0) {
            if (members[i] == &err->message) continue;
            if (*members[i]) {
                free((void *)(uintptr_t)*members[i]);
                *members[i] = NULL;
            }
            continue;
        }
        redact_member(err, members[i], secrets, ns);
    }
    for (size_t i = 0; i < err->field_error_count; i++) {
        pontes_field_error *fe = (pontes_field_error *)(uintptr_t)&err->field_errors[i];
        redact_member(err, &fe->key, secrets, ns);
        redact_member(err, &fe->message, secrets, ns);
    }
    err->body_len = err->body ? err->body_len : 0;
    free(secrets);
}

bool pontes_cl_log_enabled(const pontes_client *c, pontes_log_level lvl) {
    return c->o.log && lvl >= c->o.log_level;
}

void pontes_cl_log(pontes_client *c, pontes_log_level lvl, const char *fmt, ...) {
    if (!pontes_cl_log_enabled(c, lvl)) return;
    char stack[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(stack, sizeof stack, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    char *msg = stack;
    char *heap = NULL;
    if ((size_t)n >= sizeof stack) {
        heap = malloc((size_t)n + 1);
        if (heap) {
            va_start(ap, fmt);
            vsnprintf(heap, (size_t)n + 1, fmt, ap);
            va_end(ap);
            msg = heap;
        }
    }
    const char **secrets = NULL;
    size_t ns = client_secrets(c, &secrets);
    char *red = ns == (size_t)-1 ? NULL : pontes__redact(msg, secrets, ns);
    free(secrets);
    /* Never pass an unredacted line: drop it if redaction failed. */
    if (red) c->o.log(c->o.log_user, lvl, red);
    free(red);
    if (heap) {
        pontes_cl_wipe(heap, (size_t)n);
        free(heap);
    } else {
        pontes_cl_wipe(stack, (size_t)n < sizeof stack ? (size_t)n : sizeof stack);
    }
}

int pontes_cl_on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud) {
    (void)h;
    pontes_client *c = ud;
    const char *prefix;
    switch (type) {
    case CURLINFO_TEXT: prefix = "*"; break;
    case CURLINFO_HEADER_IN: prefix = "<"; break;
    case CURLINFO_HEADER_OUT: prefix = ">"; break;
    default: return 0; /* bodies are never logged */
    }
    size_t i = 0;
    while (i < size) {
        size_t j = i;
        while (j < size && data[j] != '\n') j++;
        size_t e = j;
        while (e > i && (data[e - 1] == '\r' || data[e - 1] == '\n')) e--;
        if (e > i) pontes_cl_log(c, PONTES_LOG_DEBUG, "%s %.*s", prefix, (int)(e - i), data + i);
        i = j + 1;
    }
    return 0;
}
