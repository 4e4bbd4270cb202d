/* Lowest layer of the HTTP side: process-wide init, the sleep hook, small helpers,
 * the in-use guard, the per-call time budget, header-value and URL checks,
 * percent-encoding. Depends on nothing but the codec's buffer. */
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

#include <pthread.h>

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

int pontes_cl_ci_eq_n(const char *a, const char *b, size_t n) {
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

long pontes_cl_ms_until(double deadline) {
    double r = (deadline - pontes_cl_now()) * 1000.0;
    if (r <= 0) return 0;
    return r > (double)LONG_MAX ? LONG_MAX : (long)r;
}

long pontes_cl_remaining_ms(const pontes_client *c) { return pontes_cl_ms_until(c->deadline); }

bool pontes_cl_wait_fits(double deadline, long delay_ms) {
    /* the wait and at least a little of an attempt must fit in what is left */
    long rem = pontes_cl_ms_until(deadline);
    return delay_ms >= 0 && delay_ms < rem && rem - delay_ms >= 10;
}

bool pontes_cl_retry_fits(const pontes_client *c, long delay_ms) { return pontes_cl_wait_fits(c->deadline, delay_ms); }

/* ---- header values --------------------------------------------------------- */
long pontes_cl_bad_header_byte(const char *s) {
    if (!s) return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7F) return (long)(p - (const unsigned char *)s);
    return -1;
}


uint64_t pontes_cl_rng_next(pontes_client *c) {
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
int pontes_cl_check_url(pontes_client *c, const char *what, const char *u) {
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= 0x20 || *p >= 0x7F)
            return pontes_err_set(&c->err, PONTES_EINVAL, "%s contains a space, control or non-ASCII byte at offset %ld",
                                  what, (long)(p - (const unsigned char *)u));
    return PONTES_OK;
}



/* The setters take the in-use guard and report through the client's last error. */
int pontes_cl_set_begin(pontes_client *c) {
    if (pontes_cl_enter(c) != PONTES_OK) return PONTES_EBUSY;
    pontes_err_reset(&c->err);
    return PONTES_OK;
}

int pontes_cl_set_end(pontes_client *c, int rc) {
    if (rc == PONTES_ENOMEM && !c->err.message) pontes_err_set(&c->err, rc, "out of memory");
    pontes_cl_leave(c);
    return rc;
}

void pontes_cl_sleep(long ms) { g_sleep(ms); }

static int unreserved(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '.' || ch == '_' || ch == '~';
}

int pontes_cl_percent_append(pontes_buf *b, const char *s, size_t len) {
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && unreserved((unsigned char)s[run])) run++;
        if (run > i && pontes_buf_append(b, s + i, run - i) != PONTES_OK) return PONTES_ENOMEM;
        i = run;
        if (i < len) {
            unsigned char ch = (unsigned char)s[i++];
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            if (pontes_buf_append(b, e, 3) != PONTES_OK) return PONTES_ENOMEM;
        }
    }
    return PONTES_OK;
}

void pontes_cl_slist_wipe_free(struct curl_slist *l) {
    for (struct curl_slist *i = l; i; i = i->next)
        if (i->data) pontes_cl_wipe(i->data, strlen(i->data));
    curl_slist_free_all(l);
}

/* One-line copy of s for messages (control characters become spaces). */
void pontes_cl_one_line(char *dst, size_t cap, const char *s) {
    size_t i = 0;
    for (; s && s[i] && i + 1 < cap; i++) dst[i] = ((unsigned char)s[i] < 0x20) ? ' ' : s[i];
    dst[i] = '\0';
}

/* ---- epoch seconds as text ---------------------------------------------- */

int pontes_epoch_to_time(const char *s, time_t *out) {
    if (!s || !out || !*s) return PONTES_EINVAL;
    uint64_t v = 0;
    bool over = false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return PONTES_EINVAL;
        unsigned d = (unsigned)(*p - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10) over = true; /* keep checking the rest is digits */
        else v = v * 10 + d;
    }
    if (over) return PONTES_ERANGE;
    if (sizeof(time_t) < sizeof(int64_t) && v > (uint64_t)INT32_MAX) return PONTES_ERANGE; /* 32-bit time_t */
    *out = (time_t)v;
    return PONTES_OK;
}
