/* The HTTP client: one CURL easy handle per client (connection reuse), credentials
 * and the OAuth2 token cache, the retry policy, provider error extraction and the
 * log hook. The request builder (URL, parameters, bodies) is in request.c. */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- process-wide init (the only global state) ------------------------- */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc = CURLE_FAILED_INIT;

static void global_init_once(void) { g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

int pontes_global_init(void) {
    pthread_once(&g_once, global_init_once);
    return g_init_rc == CURLE_OK ? PONTES_OK : PONTES_ETRANSPORT;
}

/* ---- sleeping (injectable for tests) ------------------------------------ */
static void real_sleep(long ms) {
    if (ms <= 0) return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}
static void (*g_sleep)(long ms) = real_sleep;
void pontes__set_sleep_hook(void (*fn)(long ms)) { g_sleep = fn ? fn : real_sleep; }

/* ---- small helpers ------------------------------------------------------ */
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

void pontes_cl_wipe(void *p, size_t n) {
    if (p && n) wipe_memset(p, 0, n);
}

void pontes_cl_secret_free(char *s) {
    if (!s) return;
    pontes_cl_wipe(s, strlen(s));
    free(s);
}

char *pontes_cl_strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (c) memcpy(c, s, n + 1);
    return c;
}

static int ci_eq_n(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return 0;
    return 1;
}

double pontes_cl_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* NUL-terminate a pontes_buf without counting the NUL. */
int pontes_cl_buf_cstr(pontes_buf *b) {
    if (pontes_buf_append(b, "", 1) != PONTES_OK) return PONTES_ENOMEM;
    b->len--;
    return PONTES_OK;
}

void pontes_cl_buf_wipe_free(pontes_buf *b) {
    if (b->data) pontes_cl_wipe(b->data, b->cap);
    pontes_buf_free(b);
}

static int set_begin(pontes_client *c);
static int set_end(pontes_client *c, int rc);

/* ---- in-use guard ---------------------------------------------------------
 * A client is documented as one-thread-at-a-time. A second thread that calls into a
 * client already in use gets PONTES_EBUSY instead of racing on the handle, the token
 * cache and the error object (which stays the other call's: it is not touched). */
int pontes_cl_enter(pontes_client *c) {
    int expected = 0;
    if (!atomic_compare_exchange_strong_explicit(&c->busy, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed))
        return PONTES_EBUSY;
    return PONTES_OK;
}

void pontes_cl_leave(pontes_client *c) { atomic_store_explicit(&c->busy, 0, memory_order_release); }

/* ---- the time budget of a call ------------------------------------------- */
void pontes_cl_begin_call(pontes_client *c) { c->deadline = pontes_cl_now() + (double)c->o.timeout_ms / 1000.0; }

long pontes_cl_remaining_ms(const pontes_client *c) {
    double r = (c->deadline - pontes_cl_now()) * 1000.0;
    if (r <= 0) return 0;
    return r > (double)LONG_MAX ? LONG_MAX : (long)r;
}

bool pontes_cl_retry_fits(const pontes_client *c, long delay_ms) {
    /* the wait and at least a little of an attempt must fit in what is left */
    long rem = pontes_cl_remaining_ms(c);
    return delay_ms >= 0 && delay_ms < rem && rem - delay_ms >= 10;
}

/* ---- header values --------------------------------------------------------- */
long pontes_cl_bad_header_byte(const char *s) {
    if (!s) return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7F) return (long)(p - (const unsigned char *)s);
    return -1;
}

/* ---- logging ------------------------------------------------------------ */
/* Every secret value the client holds (malloc'd array of borrowed pointers in *out);
 * (size_t)-1 on ENOMEM. */
static size_t client_secrets(const pontes_client *c, const char ***out) {
    size_t cap = 3 * c->ncreds + 1, n = 0;
    const char **v = malloc(cap * sizeof *v);
    *out = v;
    if (!v) return (size_t)-1;
    for (size_t i = 0; i < c->ncreds; i++) {
        if (c->creds[i].secret) v[n++] = c->creds[i].secret;
        if (c->creds[i].plain) v[n++] = c->creds[i].plain;
        if (c->creds[i].access_token) v[n++] = c->creds[i].access_token;
    }
    if (c->o.client_key_password) v[n++] = c->o.client_key_password;
    return n;
}

static void redact_member(pontes_error *err, const char **member, const char *const *secrets, size_t ns) {
    if (!*member) return;
    size_t len = member == &err->body ? err->body_len : strlen(*member);
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
    const char **members[] = {&err->message, &err->provider_code, &err->provider_message, &err->request_id,
                              &err->curl_message, &err->json_path, &err->body};
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

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud) {
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

/* ---- client ------------------------------------------------------------- */
static uint64_t rng_next(pontes_client *c) {
    /* xorshift64* (per client: no shared state) */
    uint64_t x = c->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A URL the client is given: no control bytes, spaces or non-ASCII (curl would send or
 * reject them unpredictably). */
static int check_url(pontes_client *c, const char *what, const char *u) {
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= 0x20 || *p >= 0x7F)
            return pontes_err_set(&c->err, PONTES_EINVAL, "%s contains a space, control or non-ASCII byte at offset %ld",
                                  what, (long)(p - (const unsigned char *)u));
    return PONTES_OK;
}

static int set_server(pontes_client *c, const char *group, const char *base_url);

int pontes_client_set_server(pontes_client *c, const char *group, const char *base_url) {
    if (!c) return PONTES_EINVAL;
    if (set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = base_url ? check_url(c, "base URL", base_url) : PONTES_OK;
    if (rc == PONTES_OK) rc = set_server(c, group, base_url);
    return set_end(c, rc);
}

static int set_server(pontes_client *c, const char *group, const char *base_url) {
    for (size_t i = 0; i < c->nservers; i++) {
        server *s = &c->servers[i];
        if ((!group && !s->group) || (group && s->group && strcmp(group, s->group) == 0)) {
            if (!base_url) { /* remove */
                free(s->group);
                free(s->url);
                c->servers[i] = c->servers[--c->nservers];
                return PONTES_OK;
            }
            char *u = pontes_cl_strdup(base_url);
            if (!u) return PONTES_ENOMEM;
            free(s->url);
            s->url = u;
            return PONTES_OK;
        }
    }
    if (!base_url) return PONTES_OK;
    server *ns = realloc(c->servers, (c->nservers + 1) * sizeof *ns);
    if (!ns) return PONTES_ENOMEM;
    c->servers = ns;
    server *s = &ns[c->nservers];
    s->group = group ? pontes_cl_strdup(group) : NULL;
    s->url = pontes_cl_strdup(base_url);
    if ((group && !s->group) || !s->url) {
        free(s->group);
        free(s->url);
        return PONTES_ENOMEM;
    }
    c->nservers++;
    return PONTES_OK;
}

static const char *find_server(const pontes_client *c, const char *group) {
    for (size_t i = 0; i < c->nservers; i++) {
        const server *s = &c->servers[i];
        if ((!group && !s->group) || (group && s->group && strcmp(group, s->group) == 0)) return s->url;
    }
    return NULL;
}

const char *pontes_cl_base_url(const pontes_client *c, const pontes_operation *op) {
    const char *u = NULL;
    if (op->server_group) u = find_server(c, op->server_group);
    if (!u && op->default_server) u = op->default_server;
    if (!u) u = find_server(c, NULL);
    if (!u) u = c->api->default_base_url;
    return u;
}

int pontes_client_new(pontes_client **out, const pontes_api *api, const pontes_client_options *opts) {
    if (!out) return PONTES_EINVAL;
    *out = NULL;
    if (!api) return PONTES_EINVAL;
    pontes_client_options d = PONTES_CLIENT_OPTIONS_INIT;
    if (opts) {
        /* Never read past what the caller's struct version has: a version-1 caller
           allocated the members up to log_level only. */
        if (opts->version == 1)
            memcpy(&d, opts, offsetof(pontes_client_options, strict_response_validation));
        else if (opts->version == PONTES_CLIENT_OPTIONS_VERSION)
            d = *opts;
        else
            return PONTES_EINVAL;
        d.version = PONTES_CLIENT_OPTIONS_VERSION;
    }
    if (d.attempt_timeout_ms < 0) d.attempt_timeout_ms = 0;
    if (d.connect_timeout_ms <= 0) d.connect_timeout_ms = 10000;
    if (d.timeout_ms <= 0) d.timeout_ms = 60000;
    if (d.max_response_bytes == 0) d.max_response_bytes = 64u * 1024u * 1024u;
    if (d.retry_base_ms < 0) d.retry_base_ms = 200;
    if (d.retry_max_ms < 0) d.retry_max_ms = 30000;
    if ((int)d.log_level < PONTES_LOG_DEBUG || (int)d.log_level > PONTES_LOG_ERROR) d.log_level = PONTES_LOG_INFO;
    /* The user agent becomes a header line, the base URL the start of every URL. */
    if (d.user_agent && pontes_cl_bad_header_byte(d.user_agent) >= 0) return PONTES_EINVAL;
    if (d.base_url)
        for (const unsigned char *p = (const unsigned char *)d.base_url; *p; p++)
            if (*p <= 0x20 || *p >= 0x7F) return PONTES_EINVAL;
    if (pontes_global_init() != PONTES_OK) return PONTES_ETRANSPORT;

    pontes_client *c = calloc(1, sizeof *c);
    if (!c) return PONTES_ENOMEM;
    atomic_init(&c->busy, 0);
    c->api = api;
    c->o = d;
    c->o.base_url = NULL;
    c->o.ca_file = pontes_cl_strdup(d.ca_file);
    c->o.client_cert = pontes_cl_strdup(d.client_cert);
    c->o.client_key = pontes_cl_strdup(d.client_key);
    c->o.client_key_password = pontes_cl_strdup(d.client_key_password);
    c->o.user_agent = pontes_cl_strdup(d.user_agent ? d.user_agent : "pontes/" PONTES_VERSION);
    c->curl = curl_easy_init();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)c;
    if (!c->rng) c->rng = 0x9E3779B97F4A7C15ULL;
    if ((d.ca_file && !c->o.ca_file) || (d.client_cert && !c->o.client_cert) ||
        (d.client_key && !c->o.client_key) || (d.client_key_password && !c->o.client_key_password) ||
        !c->o.user_agent || !c->curl || (d.base_url && set_server(c, NULL, d.base_url) != PONTES_OK)) {
        int st = c->curl ? PONTES_ENOMEM : PONTES_ETRANSPORT;
        pontes_client_free(c);
        return st;
    }
    *out = c;
    return PONTES_OK;
}

static void cred_clear(cred *cr) {
    free(cr->scheme);
    pontes_cl_secret_free(cr->secret);
    free(cr->token_url);
    free(cr->scope);
    pontes_cl_secret_free(cr->plain);
    pontes_cl_secret_free(cr->access_token);
    memset(cr, 0, sizeof *cr);
}

void pontes_client_free(pontes_client *c) {
    if (!c) return;
    if (c->curl) curl_easy_cleanup(c->curl);
    for (size_t i = 0; i < c->nservers; i++) {
        free(c->servers[i].group);
        free(c->servers[i].url);
    }
    free(c->servers);
    for (size_t i = 0; i < c->ncreds; i++) cred_clear(&c->creds[i]);
    free(c->creds);
    free((char *)(uintptr_t)c->o.ca_file);
    free((char *)(uintptr_t)c->o.client_cert);
    free((char *)(uintptr_t)c->o.client_key);
    pontes_cl_secret_free((char *)(uintptr_t)c->o.client_key_password);
    free((char *)(uintptr_t)c->o.user_agent);
    pontes_error_clear(&c->err);
    free(c);
}

const pontes_error *pontes_client_last_error(const pontes_client *c) { return c ? &c->err : NULL; }

const pontes_deviations *pontes_client_last_deviations(const pontes_client *c) { return c ? &c->dev : NULL; }

/* ---- credentials -------------------------------------------------------- */
static cred *cred_find(pontes_client *c, const char *scheme) {
    for (size_t i = 0; i < c->ncreds; i++)
        if (strcmp(c->creds[i].scheme, scheme) == 0) return &c->creds[i];
    return NULL;
}

/* Find or create the entry for scheme, cleared (scheme name kept). */
static cred *cred_slot(pontes_client *c, const char *scheme) {
    cred *cr = cred_find(c, scheme);
    if (cr) {
        char *name = cr->scheme;
        cr->scheme = NULL;
        cred_clear(cr);
        cr->scheme = name;
        return cr;
    }
    cred *nc = realloc(c->creds, (c->ncreds + 1) * sizeof *nc);
    if (!nc) return NULL;
    c->creds = nc;
    cr = &nc[c->ncreds];
    memset(cr, 0, sizeof *cr);
    cr->scheme = pontes_cl_strdup(scheme);
    if (!cr->scheme) return NULL;
    c->ncreds++;
    return cr;
}

/* Undo a half-made slot after ENOMEM. */
static int cred_fail(pontes_client *c, cred *cr) {
    size_t idx = (size_t)(cr - c->creds);
    cred_clear(cr);
    c->creds[idx] = c->creds[--c->ncreds];
    return PONTES_ENOMEM;
}

/* A value that becomes (part of) a header line must hold no control byte but HTAB:
 * a CR or LF would end the header and let the value inject headers or a request.
 * The message names the field, never the value. Sets the client's last error. */
static int check_header_value(pontes_client *c, const char *what, const char *scheme, const char *v) {
    long off = pontes_cl_bad_header_byte(v);
    if (off < 0) return PONTES_OK;
    return pontes_err_set(&c->err, PONTES_EINVAL,
                          "%s%s%s contains a control character (byte 0x%02x at offset %ld): refused, it would "
                          "break the header line",
                          what, scheme ? " for scheme " : "", scheme ? scheme : "",
                          (unsigned)(unsigned char)v[off], off);
}

/* The setters take the in-use guard and report through the client's last error. */
static int set_begin(pontes_client *c) {
    if (pontes_cl_enter(c) != PONTES_OK) return PONTES_EBUSY;
    pontes_err_reset(&c->err);
    return PONTES_OK;
}

static int set_end(pontes_client *c, int rc) {
    if (rc == PONTES_ENOMEM && !c->err.message) pontes_err_set(&c->err, rc, "out of memory");
    pontes_cl_leave(c);
    return rc;
}

int pontes_client_set_bearer(pontes_client *c, const char *scheme, const char *token) {
    if (!c || !scheme || !token) return PONTES_EINVAL;
    if (set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = check_header_value(c, "bearer token", scheme, token);
    if (rc == PONTES_OK && !*token) rc = pontes_err_set(&c->err, PONTES_EINVAL, "bearer token for scheme %s is empty", scheme);
    if (rc != PONTES_OK) return set_end(c, rc);
    cred *cr = cred_slot(c, scheme);
    if (!cr) return set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_BEARER;
    cr->secret = pontes_cl_strdup(token);
    return set_end(c, cr->secret ? PONTES_OK : cred_fail(c, cr));
}

static char *basic_of(const char *user, const char *password) {
    size_t ul = strlen(user), pl = password ? strlen(password) : 0;
    char *tmp = malloc(ul + pl + 2);
    if (!tmp) return NULL;
    memcpy(tmp, user, ul);
    tmp[ul] = ':';
    if (pl) memcpy(tmp + ul + 1, password, pl);
    tmp[ul + 1 + pl] = '\0';
    size_t olen = 0;
    char *b64 = pontes_base64_encode((const uint8_t *)tmp, ul + 1 + pl, &olen);
    pontes_cl_wipe(tmp, ul + pl + 2);
    free(tmp);
    return b64;
}

/* RFC 7617: the user-id holds no ':' and neither part holds a control character. */
static int check_basic_parts(pontes_client *c, const char *scheme, const char *user, const char *password) {
    int rc = check_header_value(c, "Basic user", scheme, user);
    if (rc == PONTES_OK && password) rc = check_header_value(c, "Basic password", scheme, password);
    if (rc == PONTES_OK && strchr(user, ':'))
        rc = pontes_err_set(&c->err, PONTES_EINVAL, "Basic user for scheme %s contains ':' (RFC 7617)", scheme);
    return rc;
}

int pontes_client_set_basic(pontes_client *c, const char *scheme, const char *user, const char *password,
                            const char *basic_token) {
    if (!c || !scheme || (!user && !basic_token)) return PONTES_EINVAL;
    if (set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = user ? check_basic_parts(c, scheme, user, password)
                  : check_header_value(c, "Basic credential", scheme, basic_token);
    if (rc != PONTES_OK) return set_end(c, rc);
    cred *cr = cred_slot(c, scheme);
    if (!cr) return set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_BASIC;
    cr->secret = user ? basic_of(user, password) : pontes_cl_strdup(basic_token);
    cr->plain = (user && password && *password) ? pontes_cl_strdup(password) : NULL;
    if (!cr->secret || (user && password && *password && !cr->plain)) return set_end(c, cred_fail(c, cr));
    return set_end(c, PONTES_OK);
}

int pontes_client_set_api_key(pontes_client *c, const char *scheme, const char *key) {
    if (!c || !scheme || !key) return PONTES_EINVAL;
    if (set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = check_header_value(c, "API key", scheme, key);
    if (rc != PONTES_OK) return set_end(c, rc);
    cred *cr = cred_slot(c, scheme);
    if (!cr) return set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_API_KEY;
    cr->secret = pontes_cl_strdup(key);
    return set_end(c, cr->secret ? PONTES_OK : cred_fail(c, cr));
}

int pontes_client_set_oauth2_client_credentials(pontes_client *c, const char *scheme,
                                                const pontes_oauth2_options *o) {
    if (!c || !scheme || !o || o->version != PONTES_OAUTH2_OPTIONS_VERSION || !o->token_url) return PONTES_EINVAL;
    if (!o->basic_token && !o->client_id) return PONTES_EINVAL;
    if (set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = o->client_id ? check_basic_parts(c, scheme, o->client_id, o->client_secret)
                          : check_header_value(c, "oauth2 Basic credential", scheme, o->basic_token);
    if (rc == PONTES_OK) rc = check_url(c, "oauth2 token_url", o->token_url);
    if (rc != PONTES_OK) return set_end(c, rc);
    cred *cr = cred_slot(c, scheme);
    if (!cr) return set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_OAUTH2;
    cr->secret = o->client_id ? basic_of(o->client_id, o->client_secret) : pontes_cl_strdup(o->basic_token);
    bool has_plain = o->client_id && o->client_secret && *o->client_secret;
    cr->plain = has_plain ? pontes_cl_strdup(o->client_secret) : NULL;
    cr->token_url = pontes_cl_strdup(o->token_url);
    cr->scope = o->scope ? pontes_cl_strdup(o->scope) : NULL;
    cr->margin_s = o->refresh_margin_s >= 0 ? o->refresh_margin_s : 60;
    if (!cr->secret || !cr->token_url || (o->scope && !cr->scope) || (has_plain && !cr->plain))
        return set_end(c, cred_fail(c, cr));
    return set_end(c, PONTES_OK);
}

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

static size_t on_header(char *p, size_t sz, size_t n, void *ud) {
    pontes_cl_xfer *x = ud;
    size_t len = sz * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) x->hdrs.len = 0; /* a new response (after 1xx) */
    size_t e = len;
    while (e > 0 && (p[e - 1] == '\r' || p[e - 1] == '\n')) e--;
    if (e == 0) return len;
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
    x->resp.len = 0;
    x->hdrs.len = 0;
    x->toobig = x->nomem = x->out_of_time = false;
    x->cc = CURLE_OK;
    x->status = 0;
    x->elapsed_ms = 0;
}

void pontes_cl_xfer_free(pontes_cl_xfer *x) {
    /* wipe what was written, not the whole capacity (which may never have been touched) */
    if (x->resp.data) pontes_cl_wipe(x->resp.data, x->resp_hw < x->resp.cap ? x->resp_hw : x->resp.cap);
    pontes_buf_free(&x->resp);
    x->resp_hw = 0;
    pontes_buf_free(&x->hdrs);
}

/* Value of response header name (trimmed), or NULL; *len set. Points into x->hdrs. */
const char *pontes_cl_header(const pontes_cl_xfer *x, const char *name, size_t *len) {
    size_t nl = strlen(name);
    const char *p = x->hdrs.data, *end = p ? p + x->hdrs.len : NULL;
    while (p && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        if ((size_t)(eol - p) > nl && p[nl] == ':' && ci_eq_n(p, name, nl)) {
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

static void slist_wipe_free(struct curl_slist *l) {
    for (struct curl_slist *i = l; i; i = i->next)
        if (i->data) pontes_cl_wipe(i->data, strlen(i->data));
    curl_slist_free_all(l);
}

/* Options that are the same for every exchange: set once per handle (curl keeps them
 * across transfers; connections, DNS and TLS session caches are reused). */
static void configure_handle(pontes_client *c) {
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
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
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_off_t maxfs = c->o.max_response_bytes > (size_t)INT64_MAX ? (curl_off_t)INT64_MAX
                                                                   : (curl_off_t)c->o.max_response_bytes;
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, maxfs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    if (pontes_cl_log_enabled(c, PONTES_LOG_DEBUG)) {
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }
    c->handle_ready = true;
}

/* Perform one exchange on the client's handle. x->method/url/headers/body/mime are inputs.
 * Every option that depends on the request is set explicitly each time (method, body,
 * headers, data pointers), so nothing of the previous exchange carries over. */
void pontes_cl_perform(pontes_client *c, pontes_cl_xfer *x) {
    CURL *h = c->curl;
    pontes_cl_xfer_reset_result(x);
    x->max = c->o.max_response_bytes;
    x->h = h;
    if (!c->handle_ready) configure_handle(c);
    c->errbuf[0] = '\0';
    /* This attempt gets what is left of the call's budget (or the per-attempt limit). */
    long rem = pontes_cl_remaining_ms(c);
    if (rem <= 0) {
        x->cc = CURLE_OPERATION_TIMEDOUT;
        x->out_of_time = true;
        snprintf(x->curl_msg, sizeof x->curl_msg, "no time left for another attempt");
        return;
    }
    long lim = rem;
    if (c->o.attempt_timeout_ms > 0 && c->o.attempt_timeout_ms < lim) lim = c->o.attempt_timeout_ms;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, lim);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->o.connect_timeout_ms < lim ? c->o.connect_timeout_ms : lim);
    curl_easy_setopt(h, CURLOPT_URL, x->url);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);

    const char *m = x->method;
    /* HTTPGET resets the method to GET and clears NOBODY/UPLOAD; the rest builds on it */
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    if (strcmp(m, "GET") == 0) {
        /* nothing more */
    } else if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        if (x->mime) {
            curl_easy_setopt(h, CURLOPT_MIMEPOST, x->mime);
        } else if (x->has_body || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body ? x->body : "");
        }
        if (strcmp(m, "POST") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    }

    double t0 = pontes_cl_now();
    x->cc = curl_easy_perform(h);
    x->elapsed_ms = (long)((pontes_cl_now() - t0) * 1000.0 + 0.5);
    long st = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    x->status = st;
    if (x->cc == CURLE_FILESIZE_EXCEEDED) x->toobig = true;
    if (x->cc == CURLE_OPERATION_TIMEDOUT && pontes_cl_remaining_ms(c) <= 0) x->out_of_time = true;
    if (x->cc != CURLE_OK) {
        if (c->errbuf[0]) {
            snprintf(x->curl_msg, sizeof x->curl_msg, "%s", c->errbuf);
        } else {
            snprintf(x->curl_msg, sizeof x->curl_msg, "%s", curl_easy_strerror(x->cc));
        }
    } else {
        x->curl_msg[0] = '\0';
    }
    /* Drop the references to per-call data held by the handle. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_MIMEPOST, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
    x->h = NULL;
    /* NUL-terminate in place: on_write always leaves room for it (no growth here) */
    if (!x->resp.data && resp_reserve(x, 1) != PONTES_OK) x->nomem = true;
    if (x->resp.data) {
        x->resp.data[x->resp.len] = '\0';
        if (x->resp.len + 1 > x->resp_hw) x->resp_hw = x->resp.len + 1;
    }
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
    if (x->cc != CURLE_OK) {
        snprintf(reason, cap, "%s", x->curl_msg);
        if (curl_nothing_sent(x->cc)) return true;
        return idempotent && curl_maybe_sent(x->cc);
    }
    snprintf(reason, cap, "HTTP %ld", x->status);
    if (x->status == 429 || x->status == 503) return true;
    return idempotent && (x->status == 502 || x->status == 504);
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
    return (long)(rng_next(c) % ((uint64_t)exp + 1)); /* full jitter */
}

void pontes_cl_sleep(long ms) { g_sleep(ms); }

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
    fmt_ms(lim, sizeof lim, c->o.timeout_ms);
    fmt_ms(per, sizeof per, c->o.attempt_timeout_ms);
    const char *pl = attempts == 1 ? "" : "s";
    if (x->toobig) {
        st = pontes_err_set(err, PONTES_ETOOBIG, "%s %s: response body larger than %zu bytes", method, what,
                            c->o.max_response_bytes);
    } else if (x->nomem) {
        st = pontes_err_set(err, PONTES_ENOMEM, "%s %s: out of memory reading the response", method, what);
    } else if (x->cc == CURLE_OPERATION_TIMEDOUT && (x->out_of_time || c->o.attempt_timeout_ms <= 0)) {
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

/* ---- provider errors ---------------------------------------------------- */
static const cJSON *json_at(const cJSON *root, const char *path) {
    if (!root || !path || !*path) return NULL;
    const cJSON *cur = root;
    const char *p = path;
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char name[128];
        if (n >= sizeof name) return NULL;
        memcpy(name, p, n);
        name[n] = '\0';
        cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, name) : NULL;
        p = dot ? dot + 1 : p + n;
    }
    return cur;
}

/* Text of a scalar JSON value (strings as-is, others printed); malloc'd or NULL. */
static char *json_text(const cJSON *v) {
    if (!v || cJSON_IsNull(v)) return NULL;
    if (cJSON_IsString(v)) return pontes_cl_strdup(v->valuestring);
    return cJSON_PrintUnformatted(v);
}

static void set_json_str(pontes_error *err, const char **member, const cJSON *v) {
    char *t = json_text(v);
    if (t) {
        pontes_err_set_str(err, member, t, (size_t)-1);
        if (cJSON_IsString(v)) {
            free(t);
        } else {
            cJSON_free(t);
        }
    }
}

static void add_field_error(pontes_error *err, const char *key, const cJSON *msg) {
    char *m = json_text(msg);
    pontes_err_add_field(err, key, m ? m : "");
    if (m) {
        if (cJSON_IsString(msg)) {
            free(m);
        } else {
            cJSON_free(m);
        }
    }
}

void pontes_cl_fill_provider_error(pontes_error *err, const pontes_error_model *m, const pontes_cl_xfer *x) {
    if (x->resp.len) {
        pontes_err_set_str(err, &err->body, x->resp.data, x->resp.len);
        if (err->body) err->body_len = x->resp.len;
    }
    cJSON *doc = x->resp.len ? cJSON_ParseWithLength(x->resp.data, x->resp.len) : NULL;
    if (doc && m) {
        set_json_str(err, &err->provider_code, json_at(doc, m->code));
        set_json_str(err, &err->provider_message, json_at(doc, m->message));
        set_json_str(err, &err->request_id, json_at(doc, m->request_id));
        const cJSON *fe = json_at(doc, m->field_errors);
        if (cJSON_IsArray(fe)) {
            const cJSON *it;
            cJSON_ArrayForEach(it, fe) {
                if (cJSON_IsObject(it)) {
                    const cJSON *k = m->field_key ? cJSON_GetObjectItemCaseSensitive(it, m->field_key) : NULL;
                    const cJSON *msg = m->field_message ? cJSON_GetObjectItemCaseSensitive(it, m->field_message) : NULL;
                    char *ks = json_text(k);
                    add_field_error(err, ks ? ks : "", msg);
                    if (ks) {
                        if (cJSON_IsString(k)) {
                            free(ks);
                        } else {
                            cJSON_free(ks);
                        }
                    }
                } else if (cJSON_IsString(it)) {
                    add_field_error(err, "", it);
                }
            }
        } else if (cJSON_IsObject(fe)) {
            /* {"field": ["message", ...]} or {"field": "message"} (ASP.NET style) */
            const cJSON *it;
            cJSON_ArrayForEach(it, fe) {
                if (cJSON_IsArray(it)) {
                    const cJSON *msg;
                    cJSON_ArrayForEach(msg, it) add_field_error(err, it->string, msg);
                } else {
                    add_field_error(err, it->string, it);
                }
            }
        }
    }
    if (cJSON_IsObject(doc) && !err->provider_code) {
        /* Bodies outside the API's model (e.g. an OAuth 2.0 token endpoint inside the API):
           RFC 6749 section 5.2 {"error", "error_description"}, then plain {"code", "message"},
           then RFC 9457 problem details. */
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
        if (cJSON_IsString(e)) {
            set_json_str(err, &err->provider_code, e);
            if (!err->provider_message)
                set_json_str(err, &err->provider_message, cJSON_GetObjectItemCaseSensitive(doc, "error_description"));
        } else {
            const cJSON *cd = cJSON_GetObjectItemCaseSensitive(doc, "code");
            if (cJSON_IsString(cd)) set_json_str(err, &err->provider_code, cd);
            if (!err->provider_message)
                set_json_str(err, &err->provider_message, cJSON_GetObjectItemCaseSensitive(doc, "message"));
            /* RFC 9457 problem details: {"type", "title", "status", "detail"} */
            const cJSON *ty = cJSON_GetObjectItemCaseSensitive(doc, "type");
            if (!err->provider_code && cJSON_IsString(ty)) set_json_str(err, &err->provider_code, ty);
            if (!err->provider_message) {
                const cJSON *d = cJSON_GetObjectItemCaseSensitive(doc, "detail");
                set_json_str(err, &err->provider_message,
                             cJSON_IsString(d) ? d : cJSON_GetObjectItemCaseSensitive(doc, "title"));
            }
        }
    }
    cJSON_Delete(doc);
    if (!err->request_id) {
        const char *names[3] = {m ? m->request_id_header : NULL, "X-Request-Id", "X-Correlation-Id"};
        for (size_t i = 0; i < 3 && !err->request_id; i++) {
            size_t len;
            const char *v = names[i] ? pontes_cl_header(x, names[i], &len) : NULL;
            if (v && len) pontes_err_set_str(err, &err->request_id, v, len);
        }
    }
}

/* One-line copy of s for messages (control characters become spaces). */
static void one_line(char *dst, size_t cap, const char *s) {
    size_t i = 0;
    for (; s && s[i] && i + 1 < cap; i++) dst[i] = ((unsigned char)s[i] < 0x20) ? ' ' : s[i];
    dst[i] = '\0';
}

void pontes_cl_http_error_message(pontes_error *err, int status, const char *method, const char *what) {
    char code[128], msg[320];
    one_line(code, sizeof code, err->provider_code);
    one_line(msg, sizeof msg, err->provider_message);
    pontes_err_set(err, status, "%s %s: HTTP %ld%s%s%s%s", method, what, err->http_status, code[0] ? " " : "",
                   code, msg[0] ? ": " : "", msg);
}

/* ---- OAuth2 client credentials ------------------------------------------ */
static const pontes_error_model oauth_error_model = {"error", "error_description", NULL, NULL, NULL, NULL, NULL};

static int oauth2_fetch(pontes_client *c, cred *cr) {
    pontes_error *err = &c->err;
    pontes_cl_secret_free(cr->access_token);
    cr->access_token = NULL;

    pontes_buf body;
    pontes_buf_init(&body);
    pontes_buf_puts(&body, "grant_type=client_credentials");
    if (cr->scope) {
        pontes_buf_puts(&body, "&scope=");
        pontes_cl_percent_append(&body, cr->scope, strlen(cr->scope));
    }
    if (pontes_cl_buf_cstr(&body) != PONTES_OK || body.failed) {
        pontes_buf_free(&body);
        return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    struct curl_slist *hl = NULL, *t;
    pontes_buf auth;
    pontes_buf_init(&auth);
    pontes_buf_puts(&auth, "Authorization: Basic ");
    pontes_buf_puts(&auth, cr->secret);
    int rc = pontes_cl_buf_cstr(&auth);
    const char *hs[] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", "Expect:",
                        auth.data};
    for (size_t i = 0; rc == PONTES_OK && i < 4; i++) {
        t = curl_slist_append(hl, hs[i]);
        if (!t) rc = PONTES_ENOMEM;
        else hl = t;
    }
    pontes_cl_buf_wipe_free(&auth);
    if (rc != PONTES_OK) {
        slist_wipe_free(hl);
        pontes_buf_free(&body);
        return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }

    pontes_cl_xfer x;
    pontes_cl_xfer_init(&x);
    x.method = "POST";
    x.url = cr->token_url;
    x.headers = hl;
    x.body = body.data;
    x.body_len = body.len;
    x.has_body = true;
    unsigned attempts = 0, retries = 0;
    for (;;) {
        pontes_cl_perform(c, &x);
        attempts++;
        if (x.cc == CURLE_OK)
            pontes_cl_log(c, PONTES_LOG_INFO, "POST %s -> %ld (%ld ms, attempt %u, oauth2 token for %s)", cr->token_url,
                   x.status, x.elapsed_ms, attempts, cr->scheme);
        else
            pontes_cl_log(c, PONTES_LOG_INFO, "POST %s -> %s (%ld ms, attempt %u, oauth2 token for %s)", cr->token_url,
                   x.curl_msg, x.elapsed_ms, attempts, cr->scheme);
        char reason[CURL_ERROR_SIZE + 32];
        if (retries < c->o.max_retries && pontes_cl_should_retry(&x, true, reason, sizeof reason)) {
            long d = pontes_cl_retry_delay(c, &x, retries);
            if (!pontes_cl_retry_fits(c, d)) {
                pontes_cl_log(c, PONTES_LOG_WARN, "not retrying POST %s: a %ld ms wait does not fit the %ld ms left (%s)",
                              cr->token_url, d, pontes_cl_remaining_ms(c), reason);
                break;
            }
            pontes_cl_log(c, PONTES_LOG_WARN, "retrying POST %s in %ld ms (attempt %u of %u): %s", cr->token_url, d,
                   attempts + 1, c->o.max_retries + 1, reason);
            pontes_cl_sleep(d);
            retries++;
            continue;
        }
        break;
    }
    slist_wipe_free(hl);
    pontes_buf_free(&body);

    if (x.cc != CURLE_OK || x.toobig || x.nomem) {
        rc = pontes_cl_transport_error(c, &x, "POST", cr->token_url, attempts);
    } else if (x.status < 200 || x.status > 299) {
        err->http_status = x.status;
        pontes_cl_fill_provider_error(err, &oauth_error_model, &x);
        char code[128], msg[320];
        one_line(code, sizeof code, err->provider_code);
        one_line(msg, sizeof msg, err->provider_message);
        rc = pontes_err_set(err, PONTES_EAUTH, "oauth2 token for %s: HTTP %ld%s%s%s%s", cr->scheme, x.status,
                            code[0] ? " " : "", code, msg[0] ? ": " : "", msg);
    } else {
        cJSON *doc = cJSON_ParseWithLength(x.resp.data, x.resp.len);
        const cJSON *at = doc ? cJSON_GetObjectItemCaseSensitive(doc, "access_token") : NULL;
        long bad = cJSON_IsString(at) ? pontes_cl_bad_header_byte(at->valuestring) : -1;
        if (!cJSON_IsString(at) || !at->valuestring[0]) {
            err->http_status = x.status;
            rc = pontes_err_set(err, PONTES_EAUTH, "oauth2 token for %s: response has no access_token", cr->scheme);
        } else if (bad >= 0) {
            /* a token with CR/LF would inject headers into every later call */
            err->http_status = x.status;
            rc = pontes_err_set(err, PONTES_EAUTH,
                                "oauth2 token for %s: access_token from the token endpoint contains a control "
                                "character (byte 0x%02x at offset %ld): refused",
                                cr->scheme, (unsigned)(unsigned char)at->valuestring[bad], bad);
        } else {
            const cJSON *ex = cJSON_GetObjectItemCaseSensitive(doc, "expires_in");
            double secs = 3600;
            if (cJSON_IsNumber(ex)) secs = ex->valuedouble;
            else if (cJSON_IsString(ex) && ex->valuestring[0]) secs = strtod(ex->valuestring, NULL);
            if (!(secs >= 0)) secs = 0;
            cr->access_token = pontes_cl_strdup(at->valuestring);
            cr->expiry = pontes_cl_now() + secs;
            rc = cr->access_token ? PONTES_OK : pontes_err_set(err, PONTES_ENOMEM, "out of memory");
        }
        if (doc) {
            /* wipe the token out of the parsed document */
            cJSON *m;
            cJSON_ArrayForEach(m, doc) if (cJSON_IsString(m) && m->valuestring) pontes_cl_wipe(m->valuestring, strlen(m->valuestring));
            cJSON_Delete(doc);
        }
    }
    if (rc != PONTES_OK) err->attempts = attempts;
    pontes_cl_xfer_free(&x);
    return rc;
}

static bool token_fresh(const cred *cr) {
    return cr->access_token && pontes_cl_now() < cr->expiry - (double)cr->margin_s;
}

static int authenticate(pontes_client *c, const char *scheme);

int pontes_client_authenticate(pontes_client *c, const char *scheme) {
    if (!c) return PONTES_EINVAL;
    if (set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    pontes_cl_begin_call(c);
    int rc = authenticate(c, scheme);
    if (rc != PONTES_OK) pontes_cl_redact_error(c, &c->err);
    return set_end(c, rc);
}

static int authenticate(pontes_client *c, const char *scheme) {
    cred *cr = NULL;
    if (scheme) {
        cr = cred_find(c, scheme);
    } else {
        for (size_t i = 0; i < c->ncreds && !cr; i++)
            if (c->creds[i].kind == CRED_OAUTH2) cr = &c->creds[i];
    }
    if (!cr) return pontes_err_set(&c->err, PONTES_EAUTH, "no credentials for scheme %s", scheme ? scheme : "(oauth2)");
    if (cr->kind != CRED_OAUTH2) return PONTES_OK; /* static credentials: nothing to fetch */
    return oauth2_fetch(c, cr);
}

/* ---- auth selection ----------------------------------------------------- */
static bool cred_fits(const cred *cr, int type) {
    switch (type) {
    case PONTES_SEC_BEARER: return cr->kind == CRED_BEARER || cr->kind == CRED_OAUTH2;
    case PONTES_SEC_BASIC: return cr->kind == CRED_BASIC;
    case PONTES_SEC_API_KEY: return cr->kind == CRED_API_KEY;
    default: return false;
    }
}

int pontes_cl_select_auth(pontes_client *c, const pontes_operation *op, pontes_cl_auth *a) {
    a->cr = NULL;
    a->req = NULL;
    if (!op->security || op->security_count == 0) return PONTES_OK;
    bool anonymous_ok = false;
    for (size_t i = 0; i < op->security_count; i++) {
        const pontes_security_req *q = &op->security[i];
        if (!q->scheme) { /* an empty requirement: anonymous access allowed */
            anonymous_ok = true;
            continue;
        }
        cred *cr = cred_find(c, q->scheme);
        if (cr && cred_fits(cr, q->type)) {
            a->cr = cr;
            a->req = q;
            return PONTES_OK;
        }
    }
    if (anonymous_ok) return PONTES_OK;
    const char *first = NULL;
    for (size_t i = 0; i < op->security_count && !first; i++) first = op->security[i].scheme;
    pontes_err_set(&c->err, PONTES_EAUTH, "%s %s: no credentials for scheme %s", op->method, op->path,
                   first ? first : "?");
    return PONTES_EAUTH;
}

/* Make the auth header ("Authorization: ...") or query pair for this attempt. */
int pontes_cl_prepare_auth(pontes_client *c, pontes_cl_auth *a, char **header, char **query) {
    *header = NULL;
    *query = NULL;
    if (!a->cr) return PONTES_OK;
    cred *cr = a->cr;
    if (cr->kind == CRED_OAUTH2 && !token_fresh(cr)) {
        int rc = oauth2_fetch(c, cr);
        if (rc != PONTES_OK) return rc;
    }
    pontes_buf b;
    pontes_buf_init(&b);
    switch (cr->kind) {
    case CRED_BEARER:
    case CRED_OAUTH2:
        pontes_buf_puts(&b, "Authorization: Bearer ");
        pontes_buf_puts(&b, cr->kind == CRED_OAUTH2 ? cr->access_token : cr->secret);
        break;
    case CRED_BASIC:
        pontes_buf_puts(&b, "Authorization: Basic ");
        pontes_buf_puts(&b, cr->secret);
        break;
    case CRED_API_KEY: {
        const char *name = a->req->param_name ? a->req->param_name : "X-API-Key";
        if (a->req->param_in == PONTES_IN_QUERY) {
            pontes_cl_percent_append(&b, name, strlen(name));
            pontes_buf_puts(&b, "=");
            pontes_cl_percent_append(&b, cr->secret, strlen(cr->secret));
        } else if (a->req->param_in == PONTES_IN_COOKIE) {
            pontes_buf_puts(&b, "Cookie: ");
            pontes_buf_puts(&b, name);
            pontes_buf_puts(&b, "=");
            pontes_buf_puts(&b, cr->secret);
        } else {
            pontes_buf_puts(&b, name);
            pontes_buf_puts(&b, ": ");
            pontes_buf_puts(&b, cr->secret);
        }
        break;
    }
    default: break;
    }
    if (pontes_cl_buf_cstr(&b) != PONTES_OK || b.failed) {
        pontes_cl_buf_wipe_free(&b);
        return pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
    }
    if (cr->kind == CRED_API_KEY && a->req->param_in == PONTES_IN_QUERY)
        *query = b.data;
    else
        *header = b.data;
    return PONTES_OK; /* ownership of b.data moves to the caller (pontes_cl_secret_free) */
}

void pontes_cl_drop_token(pontes_cl_auth *a) {
    if (a->cr && a->cr->kind == CRED_OAUTH2) {
        pontes_cl_secret_free(a->cr->access_token);
        a->cr->access_token = NULL;
    }
}
