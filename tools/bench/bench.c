/*
 * pontes-bench — performance of the pontes runtime and the generated ECCOR client,
 * each figure measured against a plain cJSON / libcurl baseline in the same run
 * (ratios, not absolute claims). Not a test: performance misses do not change the
 * exit code; functional failures (a decode error, a failed request) do.
 *
 *   pontes-bench [--quick] [--persons N] [--requests N] [--spec path/to/openapi.json] [--upload-only]
 *
 * 1. decode      cJSON_ParseWithLength + cJSON_Delete   vs  eccor_natural_person_page_decode + _free
 * 2. encode      cJSON_PrintUnformatted + cJSON_free     vs  eccor_natural_person_page_encode + pontes_json_free
 * 3. allocations per decoded response (cJSON via cJSON_InitHooks; the runtime via
 *    ld --wrap=malloc when available, and the arena's block count)
 * 4. throughput  GET /v1/Product against an in-process HTTP/1.1 keep-alive server:
 *    plain libcurl (one reused handle)  vs  eccor_list_products (decode + free included)
 * 5. memory      peak RSS growth while a close-delimited body larger than the response
 *    cap (100 MB against 64 MiB; --quick: 12 MB against 8 MiB) is refused: a plain
 *    libcurl loop into a doubling realloc buffer with the same cap  vs  eccor_list_products
 *    (each in a forked child, VmHWM - VmRSS before)
 * 6. upload      peak RSS growth while a generated 19 MB PDF is POSTed to a loopback server
 *    that reads and discards the body (bizAPIs credit-responsibility operation): multipart
 *    streamed from a path, base64 JSON streamed from a path, and (info) base64 JSON from
 *    the file loaded into memory by the caller; each in a forked child, VmHWM - VmRSS before
 *    (VmHWM reset through /proc/self/clear_refs when the kernel allows it)
 *
 * Payloads come from the spec's examples (generated/eccor/openapi.json): the
 * NaturalPerson of GET /v1/NaturalPerson/{personId} (address + both bank accounts),
 * replicated N times with varied ids/names into a NaturalPersonPage, and the
 * ProductPage of GET /v1/Product.
 */
#define _GNU_SOURCE /* sched_setaffinity */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "pontes/eccor.h"
#include "pontes/bizapis.h"
#include "internal.h" /* pontes_arena_of, pontes_arena_block_count */

#ifndef PONTES_BENCH_SPEC
#define PONTES_BENCH_SPEC "generated/eccor/openapi.json"
#endif

/* ====================================================================== */
/* allocation counting                                                     */
/* ====================================================================== */

/* cJSON (shared library): counted through cJSON_InitHooks while measuring. */
static size_t g_cj_mallocs, g_cj_frees;
static void *count_cj_malloc(size_t n);
static void count_cj_free(void *p);

/* The runtime (linked statically): every malloc/calloc/realloc/free it calls goes
 * through these wrappers (ld --wrap), counted only while g_rt_on is set. */
static atomic_int g_rt_on;
static atomic_size_t g_rt_allocs, g_rt_frees;
#ifdef PONTES_BENCH_WRAP_MALLOC
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t s);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
void *__wrap_malloc(size_t n) {
    if (atomic_load_explicit(&g_rt_on, memory_order_relaxed)) atomic_fetch_add(&g_rt_allocs, 1);
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t s) {
    if (atomic_load_explicit(&g_rt_on, memory_order_relaxed)) atomic_fetch_add(&g_rt_allocs, 1);
    return __real_calloc(n, s);
}
void *__wrap_realloc(void *p, size_t n) {
    if (atomic_load_explicit(&g_rt_on, memory_order_relaxed)) atomic_fetch_add(&g_rt_allocs, 1);
    return __real_realloc(p, n);
}
void __wrap_free(void *p) {
    if (p && atomic_load_explicit(&g_rt_on, memory_order_relaxed)) atomic_fetch_add(&g_rt_frees, 1);
    __real_free(p);
}
#define HAVE_RT_COUNT 1
#define REAL_MALLOC __real_malloc /* keep cJSON's blocks out of the runtime's count */
#define REAL_FREE __real_free
#else
#define HAVE_RT_COUNT 0
#define REAL_MALLOC malloc
#define REAL_FREE free
#endif

static void *count_cj_malloc(size_t n) {
    g_cj_mallocs++;
    return REAL_MALLOC(n);
}
static void count_cj_free(void *p) {
    if (p) g_cj_frees++;
    REAL_FREE(p);
}

static void counting_begin(void) {
    cJSON_Hooks h = {count_cj_malloc, count_cj_free};
    cJSON_InitHooks(&h);
    g_cj_mallocs = g_cj_frees = 0;
    atomic_store(&g_rt_allocs, 0);
    atomic_store(&g_rt_frees, 0);
    atomic_store(&g_rt_on, 1);
}
static void counting_pause(void) { atomic_store(&g_rt_on, 0); }
static void counting_resume(void) { atomic_store(&g_rt_on, 1); }
static void counting_end(void) {
    atomic_store(&g_rt_on, 0);
    cJSON_InitHooks(NULL); /* back to malloc/free (+ realloc in cJSON's printer) */
}

/* ====================================================================== */
/* small helpers                                                           */
/* ====================================================================== */

static int g_failures;

static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pontes-bench: FAILED: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    g_failures++;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        char *nb = realloc(buf, n + 1);
        if (nb) buf = nb;
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* paths./p.get.responses.200.content.application/json.examples.<first>.value */
static const cJSON *example_of(const cJSON *spec, const char *path, const char *method, const char *status) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "paths"), path);
    p = cJSON_GetObjectItemCaseSensitive(p, method);
    p = cJSON_GetObjectItemCaseSensitive(p, "responses");
    p = cJSON_GetObjectItemCaseSensitive(p, status);
    p = cJSON_GetObjectItemCaseSensitive(p, "content");
    p = cJSON_GetObjectItemCaseSensitive(p, "application/json");
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(p, "examples");
    if (ex && ex->child) return cJSON_GetObjectItemCaseSensitive(ex->child, "value");
    return cJSON_GetObjectItemCaseSensitive(p, "example");
}

/* ---- payload: NaturalPersonPage with n varied persons -------------------- */

static uint64_t g_rng = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static void uuid(char out[37]) {
    uint64_t a = rnd(), b = rnd();
    snprintf(out, 37, "%08x-%04x-4%03x-%x%03x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffffu,
             (unsigned)a & 0xfffu, 8u + (unsigned)(b >> 62), (unsigned)(b >> 48) & 0xfffu,
             (unsigned long long)(b & 0xffffffffffffull));
}

static void set_str(cJSON *obj, const char *key, const char *val) {
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(val));
}

static char *build_person_page(const cJSON *person, int n, size_t *len) {
    static const char *const first[] = {"NILCE", "JOÃO", "MARIA", "ANTÔNIO", "FERNANDA", "JOSÉ",
                                        "LUÍZA", "PAULO", "CÉLIA", "RAIMUNDO", "ANA", "SEBASTIÃO"};
    static const char *const middle[] = {"GARBELINI", "DA SILVA", "DOS SANTOS", "CONCEIÇÃO", "PEREIRA",
                                         "DE ARAÚJO", "RIBEIRO", "GONÇALVES"};
    static const char *const last[] = {"KNUPP", "OLIVEIRA", "SOUZA", "LIMA", "CARVALHO", "FALCÃO", "MOREIRA"};
    cJSON *page = cJSON_CreateObject();
    cJSON_AddNumberToObject(page, "page", 0);
    cJSON_AddNumberToObject(page, "totalPages", 1);
    cJSON_AddNumberToObject(page, "totalItems", n);
    cJSON *data = cJSON_AddArrayToObject(page, "data");
    for (int i = 0; i < n; i++) {
        cJSON *p = cJSON_Duplicate(person, 1);
        char buf[160], id[37];
        snprintf(buf, sizeof buf, "%s %s %s", first[i % 12], middle[(i / 3) % 8], last[(i / 7) % 7]);
        set_str(p, "name", buf);
        snprintf(buf, sizeof buf, "%011llu", (unsigned long long)(rnd() % 100000000000ull));
        set_str(p, "registrationNumber", buf);
        snprintf(buf, sizeof buf, "cliente%05d@exemplo.com.br", i);
        set_str(p, "email", buf);
        uuid(id);
        set_str(p, "id", id);
        cJSON *accts = cJSON_GetObjectItemCaseSensitive(p, "bankAccounts");
        for (cJSON *acc = accts ? accts->child : NULL; acc; acc = acc->next) {
            uuid(id);
            set_str(acc, "id", id);
            if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(acc, "account"))) {
                snprintf(buf, sizeof buf, "%07u", (unsigned)(rnd() % 10000000u));
                set_str(acc, "account", buf);
            }
        }
        cJSON_AddItemToArray(data, p);
    }
    cJSON_AddNullToObject(page, "paginationToken");
    char *s = cJSON_PrintUnformatted(page);
    cJSON_Delete(page);
    *len = s ? strlen(s) : 0;
    return s;
}

/* ====================================================================== */
/* the comparison harness                                                  */
/* ====================================================================== */

typedef int (*bench_fn)(void *ctx); /* one iteration; 0 = ok */

#define MAX_REPS 64

typedef struct variant {
    const char *label;
    bench_fn fn;
    void *ctx;
    double med;            /* median seconds per iteration */
    double s[MAX_REPS];    /* seconds per iteration of each repetition */
    unsigned n;
} variant;

#define VARIANT(label_, fn_, ctx_) {.label = (label_), .fn = (fn_), .ctx = (ctx_)}

/* Range of the per-repetition ratios b/a (the batches of one repetition run back to back). */
static void ratio_range(const variant *b, const variant *a, double *lo, double *hi) {
    *lo = 1e300;
    *hi = 0;
    for (unsigned r = 0; r < a->n && r < b->n; r++) {
        double q = b->s[r] / a->s[r];
        if (q < *lo) *lo = q;
        if (q > *hi) *hi = q;
    }
}

/* Calibrate one iteration count shared by all variants so that the slowest
 * variant's batch lasts about batch_s, then run reps interleaved batches
 * (the variant order rotates each repetition) and keep the median per-iteration
 * time of each variant. iters_fixed > 0 skips the calibration. */
static int compare(variant *v, size_t nv, unsigned reps, double batch_s, size_t iters_fixed, size_t *iters_out) {
    double slowest = 0;
    for (int pass = 0; pass < 2; pass++) { /* pass 0: warm-up; pass 1: estimate */
        for (size_t k = 0; k < nv; k++) {
            size_t it = 0;
            double t0 = now_s(), t;
            do {
                if (v[k].fn(v[k].ctx)) return -1;
                it++;
                t = now_s() - t0;
            } while (iters_fixed ? it < (iters_fixed + 9) / 10 : (t < batch_s / 4 || it < 3) && it < 1000000);
            if (pass == 1 && t / (double)it > slowest) slowest = t / (double)it;
        }
    }
    size_t iters = iters_fixed;
    if (!iters) {
        iters = (size_t)(batch_s / (slowest > 0 ? slowest : 1e-9));
        if (iters < 1) iters = 1;
    }
    if (reps > MAX_REPS) reps = MAX_REPS;
    for (unsigned r = 0; r < reps; r++) {
        for (size_t j = 0; j < nv; j++) {
            size_t k = (j + r) % nv;
            double t0 = now_s();
            for (size_t i = 0; i < iters; i++)
                if (v[k].fn(v[k].ctx)) return -1;
            v[k].s[r] = (now_s() - t0) / (double)iters;
        }
    }
    for (size_t k = 0; k < nv; k++) {
        double tmp[MAX_REPS];
        memcpy(tmp, v[k].s, reps * sizeof *tmp);
        v[k].med = median(tmp, reps);
        v[k].n = reps;
    }
    if (iters_out) *iters_out = iters;
    return 0;
}

/* ---- decode / encode iterations ------------------------------------------ */

typedef struct json_ctx {
    const char *json;
    size_t len;
    const cJSON *doc;       /* encode baseline */
    const void *value;      /* encode: decoded value */
    size_t out_len;         /* last encoded length */
    pontes_error err;
} json_ctx;

static int it_cjson_parse(void *p) {
    json_ctx *c = p;
    cJSON *d = cJSON_ParseWithLength(c->json, c->len);
    if (!d) return -1;
    cJSON_Delete(d);
    return 0;
}

static int it_person_page_decode(void *p) {
    json_ctx *c = p;
    eccor_natural_person_page *v = NULL;
    if (eccor_natural_person_page_decode(c->json, c->len, &v, NULL) != PONTES_OK) return -1;
    eccor_natural_person_page_free(v);
    return 0;
}

static int it_product_page_decode(void *p) {
    json_ctx *c = p;
    eccor_product_page *v = NULL;
    if (eccor_product_page_decode(c->json, c->len, &v, NULL) != PONTES_OK) return -1;
    eccor_product_page_free(v);
    return 0;
}

static int it_cjson_print(void *p) {
    json_ctx *c = p;
    char *s = cJSON_PrintUnformatted(c->doc);
    if (!s) return -1;
    c->out_len = strlen(s);
    cJSON_free(s);
    return 0;
}

static int it_person_page_encode(void *p) {
    json_ctx *c = p;
    char *s = NULL;
    size_t n = 0;
    if (eccor_natural_person_page_encode(c->value, &s, &n, NULL) != PONTES_OK) return -1;
    c->out_len = n;
    pontes_json_free(s);
    return 0;
}

/* ====================================================================== */
/* in-process HTTP/1.1 keep-alive server                                   */
/* ====================================================================== */

#define MAX_CONNS 256

typedef struct server {
    int lfd;
    int port;
    const char *resp; /* full 200 response: headers + body */
    size_t resp_len;
    atomic_int stop;
    atomic_ulong served;
    atomic_long delay_us; /* simulated service time per request (0: answer at once) */
    pthread_t acceptor;
    pthread_t conns[MAX_CONNS];
    int conn_fds[MAX_CONNS];
    int nconns;
    pthread_mutex_t mu;
} server;

typedef struct conn_arg {
    server *s;
    int fd;
} conn_arg;

static const char k_404[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n";

static int send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *conn_main(void *p) {
    conn_arg a = *(conn_arg *)p;
    free(p);
    char buf[16384];
    size_t have = 0;
    for (;;) {
        ssize_t r = recv(a.fd, buf + have, sizeof buf - have, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        have += (size_t)r;
        /* answer every complete request head in the buffer (GETs: no body) */
        size_t off = 0;
        for (;;) {
            char *end = NULL;
            for (size_t i = off; i + 3 < have; i++)
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    end = buf + i + 4;
                    break;
                }
            if (!end) break;
            int ok = (size_t)(end - (buf + off)) > 16 && memcmp(buf + off, "GET /v1/Product ", 16) == 0;
            long d = atomic_load(&a.s->delay_us);
            if (d > 0) {
                struct timespec ts = {d / 1000000, (d % 1000000) * 1000};
                while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
                }
            }
            if (send_all(a.fd, ok ? a.s->resp : k_404, ok ? a.s->resp_len : sizeof k_404 - 1)) goto done;
            atomic_fetch_add(&a.s->served, 1);
            off = (size_t)(end - buf);
        }
        memmove(buf, buf + off, have - off);
        have -= off;
        if (have == sizeof buf) break; /* absurd request head */
    }
done:
    close(a.fd);
    return NULL;
}

static void *accept_main(void *p) {
    server *s = p;
    for (;;) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (atomic_load(&s->stop)) {
            close(fd);
            break;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn_arg *a = malloc(sizeof *a);
        pthread_mutex_lock(&s->mu);
        if (!a || s->nconns == MAX_CONNS) {
            pthread_mutex_unlock(&s->mu);
            free(a);
            close(fd);
            continue;
        }
        a->s = s;
        a->fd = fd;
        if (pthread_create(&s->conns[s->nconns], NULL, conn_main, a) != 0) {
            pthread_mutex_unlock(&s->mu);
            free(a);
            close(fd);
            continue;
        }
        s->conn_fds[s->nconns++] = fd;
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

static int server_start(server *s, const char *body, size_t body_len) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                      "Connection: keep-alive\r\n\r\n",
                      body_len);
    char *resp = malloc((size_t)hl + body_len);
    if (!resp) return -1;
    memcpy(resp, head, (size_t)hl);
    memcpy(resp + hl, body, body_len);
    s->resp = resp;
    s->resp_len = (size_t)hl + body_len;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->lfd < 0) return -1;
    int one = 1;
    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    socklen_t sl = sizeof sa;
    if (bind(s->lfd, (struct sockaddr *)&sa, sizeof sa) || listen(s->lfd, 256) ||
        getsockname(s->lfd, (struct sockaddr *)&sa, &sl))
        return -1;
    s->port = ntohs(sa.sin_port);
    if (pthread_create(&s->acceptor, NULL, accept_main, s) != 0) return -1;
    return 0;
}

/* Call after every client has closed its connection (conn threads then end). */
static void server_stop(server *s) {
    atomic_store(&s->stop, 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0); /* wake accept() */
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)s->port);
    if (fd >= 0) {
        (void)connect(fd, (struct sockaddr *)&sa, sizeof sa);
        close(fd);
    }
    pthread_join(s->acceptor, NULL);
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->nconns; i++) shutdown(s->conn_fds[i], SHUT_RDWR); /* in case a client leaked */
    for (int i = 0; i < s->nconns; i++) pthread_join(s->conns[i], NULL);
    pthread_mutex_unlock(&s->mu);
    close(s->lfd);
    free((void *)s->resp);
    pthread_mutex_destroy(&s->mu);
}

/* ---- request iterations -------------------------------------------------- */

typedef struct rbuf {
    char *data;
    size_t len, cap;
} rbuf;

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
    rbuf *b = ud;
    size_t len = sz * n;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len + 1) cap *= 2;
        char *nd = realloc(b->data, cap);
        if (!nd) return 0;
        b->data = nd;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return len;
}

typedef struct curl_ctx {
    CURL *h;
    struct curl_slist *hdrs;
    rbuf body;
    size_t expect_len;
    unsigned long done;
} curl_ctx;

static int curl_ctx_init(curl_ctx *c, const char *url, size_t expect_len) {
    memset(c, 0, sizeof *c);
    c->expect_len = expect_len;
    c->h = curl_easy_init();
    if (!c->h) return -1;
    c->hdrs = curl_slist_append(NULL, "Accept: application/json");
    c->hdrs = curl_slist_append(c->hdrs, "Authorization: Bearer x");
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
    curl_easy_setopt(c->h, CURLOPT_USERAGENT, "pontes-bench");
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &c->body);
    return 0;
}

static void curl_ctx_free(curl_ctx *c) {
    if (c->h) curl_easy_cleanup(c->h);
    curl_slist_free_all(c->hdrs);
    free(c->body.data);
}

static int curl_get(curl_ctx *c) {
    c->body.len = 0;
    CURLcode cc = curl_easy_perform(c->h);
    long st = 0;
    curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &st);
    if (cc != CURLE_OK || st != 200 || c->body.len != c->expect_len) {
        fail("plain libcurl GET: %s, HTTP %ld, %zu bytes", curl_easy_strerror(cc), st, c->body.len);
        return -1;
    }
    c->done++;
    return 0;
}

static int it_curl(void *p) { return curl_get(p); }

static int it_curl_parse(void *p) {
    curl_ctx *c = p;
    if (curl_get(c)) return -1;
    cJSON *d = cJSON_ParseWithLength(c->body.data, c->body.len);
    if (!d) {
        fail("plain libcurl + cJSON_Parse: body does not parse");
        return -1;
    }
    cJSON_Delete(d);
    return 0;
}

typedef struct eccor_ctx {
    eccor_client *c;
    size_t expect_items;
    unsigned long done;
} eccor_ctx;

static int it_eccor(void *p) {
    eccor_ctx *e = p;
    eccor_product_page *pg = NULL;
    int rc = eccor_list_products(e->c, &pg);
    if (rc != PONTES_OK) {
        const pontes_error *er = eccor_client_last_error(e->c);
        fail("eccor_list_products: %s: %s (HTTP %ld)", pontes_status_name(rc), er->message ? er->message : "",
             er->http_status);
        return -1;
    }
    int ok = pg && pg->has_data == PONTES_SET && pg->data.count == e->expect_items;
    eccor_product_page_free(pg);
    if (!ok) {
        fail("eccor_list_products: unexpected page content");
        return -1;
    }
    e->done++;
    return 0;
}

/* ====================================================================== */
/* batch: N calls at a concurrency limit vs one after another              */
/* ====================================================================== */

static const char *verdict(int ok);

static double batch_once(eccor_ctx *e, int n, unsigned conc) {
    double t0 = now_s();
    if (conc == 0) {
        for (int i = 0; i < n; i++)
            if (it_eccor(e) != 0) return -1;
        return now_s() - t0;
    }
    pontes_batch_options bo = PONTES_BATCH_OPTIONS_INIT;
    bo.max_concurrency = conc;
    pontes_batch *b = NULL;
    eccor_product_page **out = calloc((size_t)n, sizeof *out);
    if (!out || pontes_batch_new(&b, e->c, &bo) != PONTES_OK) {
        free(out);
        fail("pontes_batch_new");
        return -1;
    }
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.batch = b;
    int rc = PONTES_OK;
    for (int i = 0; i < n && rc == PONTES_OK; i++) rc = eccor_list_products_ex(e->c, &out[i], &o);
    if (rc == PONTES_OK) rc = pontes_batch_run(b);
    double t = now_s() - t0;
    for (int i = 0; i < n; i++) {
        if (rc == PONTES_OK && (!out[i] || out[i]->data.count != e->expect_items)) rc = PONTES_EDECODE;
        eccor_product_page_free(out[i]);
    }
    if (rc != PONTES_OK) {
        const pontes_error *er = pontes_batch_error(b, 0);
        fail("batch: %s (%s)", pontes_status_name(rc), er && er->message ? er->message : "");
        t = -1;
    } else {
        e->done += (unsigned long)n;
    }
    pontes_batch_free(b);
    free(out);
    return t;
}

static void batch_section(eccor_ctx *e, server *srv, bool quick) {
    int n = quick ? 40 : 200;
    unsigned conc = 20;
    atomic_store(&srv->delay_us, 20000);
    double seq = batch_once(e, n, 0);
    double bat = batch_once(e, n, conc);
    atomic_store(&srv->delay_us, 0);
    if (seq < 0 || bat < 0) return;
    double speedup = seq / bat;
    printf("\n%-9s %d x GET /v1/Product, server latency 20 ms per response\n", "batch", n);
    printf("%-9s %-32s %8.3f s\n", "", "one after another", seq);
    printf("%-9s %-32s %8.3f s   speed-up %.1f x (limit %u x; target >= 15) %s\n", "", "pontes_batch, 20 in flight",
           bat, speedup, conc, verdict(speedup >= 15.0));
}

/* ====================================================================== */
/* memory: a close-delimited body past the cap                             */
/* ====================================================================== */

typedef struct flood {
    int lfd;
    size_t bytes;
} flood;

/* Answer each connection with 200 and `bytes` bytes, no Content-Length, then close. */
static void *flood_main(void *p) {
    flood *fl = p;
    static char chunk[65536];
    memset(chunk, '[', sizeof chunk);
    for (;;) {
        int fd = accept(fl->lfd, NULL, NULL);
        if (fd < 0) return NULL;
        char req[4096];
        (void)!recv(fd, req, sizeof req, 0);
        static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
        send_all(fd, head, sizeof head - 1);
        for (size_t left = fl->bytes; left;) {
            size_t n = left < sizeof chunk ? left : sizeof chunk;
            if (send_all(fd, chunk, n)) break;
            left -= n;
        }
        close(fd);
    }
}

static long proc_kb(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0) v = atol(line + kl);
    fclose(f);
    return v;
}

typedef struct grow_buf {
    char *p;
    size_t len, cap, max;
} grow_buf;

static size_t grow_write(char *d, size_t sz, size_t n, void *ud) {
    grow_buf *b = ud;
    size_t len = sz * n;
    if (len > b->max - b->len) return 0;
    if (b->len + len + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 16384;
        while (nc < b->len + len + 1) nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) return 0;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, d, len);
    b->len += len;
    return len;
}

/* In a forked child: start the flood server, fetch once (plain or eccor), report the
 * peak RSS growth in KiB through the pipe. */
static long rss_child(bool use_eccor, size_t cap, size_t body) {
    int pfd[2];
    if (pipe(pfd) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(pfd[0]);
        long result = -1;
        int lfd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t al = sizeof a;
        if (lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 4) == 0 &&
            getsockname(lfd, (struct sockaddr *)&a, &al) == 0) {
            flood fl = {lfd, body};
            pthread_t th;
            pthread_create(&th, NULL, flood_main, &fl);
            char url[64];
            snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
            long before = proc_kb("VmRSS:");
            if (use_eccor) {
                pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
                o.base_url = url;
                o.max_response_bytes = cap;
                o.max_retries = 0;
                eccor_client *c = NULL;
                eccor_product_page *pg = NULL;
                if (eccor_client_new(&c, &o) == PONTES_OK && pontes_client_set_bearer(c, "uy3Auth", "bench") == PONTES_OK &&
                    eccor_list_products(c, &pg) == PONTES_ETOOBIG)
                    result = proc_kb("VmHWM:") - before;
                eccor_product_page_free(pg);
                eccor_client_free(c);
            } else {
                char full[96];
                snprintf(full, sizeof full, "%s/v1/Product", url);
                CURL *h = curl_easy_init();
                grow_buf b = {NULL, 0, 0, cap};
                curl_easy_setopt(h, CURLOPT_URL, full);
                curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, grow_write);
                curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
                if (curl_easy_perform(h) == CURLE_WRITE_ERROR) result = proc_kb("VmHWM:") - before;
                curl_easy_cleanup(h);
                free(b.p);
            }
        }
        (void)!write(pfd[1], &result, sizeof result);
        _exit(0);
    }
    close(pfd[1]);
    long r = -1;
    if (read(pfd[0], &r, sizeof r) != (ssize_t)sizeof r) r = -1;
    close(pfd[0]);
    int st;
    waitpid(pid, &st, 0);
    return r;
}

static void rss_section(bool quick) {
    size_t cap = quick ? (8u << 20) : (64u << 20);
    size_t body = quick ? 12000000u : 100000000u;
    long plain = rss_child(false, cap, body);
    long ec = rss_child(true, cap, body);
    printf("\n%-9s close-delimited body of %.0f MB against a %zu MiB cap (refused)\n", "memory", (double)body / 1e6,
           cap >> 20);
    if (plain < 0 || ec < 0) {
        fail("memory benchmark (plain %ld, eccor %ld)", plain, ec);
        return;
    }
    double capk = (double)(cap >> 10);
    printf("%-9s %-32s peak RSS +%7.1f MiB  (%.2f x the cap)\n", "", "plain libcurl, doubling buffer",
           (double)plain / 1024.0, (double)plain / capk);
    printf("%-9s %-32s peak RSS +%7.1f MiB  (%.2f x the cap; ratio vs plain %.2f) (target <= 1.10 x the cap + 1 MiB) %s\n",
           "", "eccor_list_products", (double)ec / 1024.0, (double)ec / capk, (double)ec / (double)plain,
           verdict((double)ec <= 1.10 * capk + 1024.0));
}

/* ====================================================================== */
/* upload: peak memory of streaming a 19 MB PDF                            */
/* ====================================================================== */

/* Answer each request with a small 200 JSON after reading (and discarding) its body:
 * Content-Length bytes, counted. */
typedef struct sink {
    int lfd;
    atomic_ullong received; /* body bytes of the last request */
} sink;

static void *sink_main(void *p) {
    sink *sk = p;
    static char buf[65536];
    for (;;) {
        int fd = accept(sk->lfd, NULL, NULL);
        if (fd < 0) return NULL;
        size_t have = 0;
        char *end = NULL;
        while (!end) {
            ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
            if (r <= 0) break;
            have += (size_t)r;
            buf[have] = '\0';
            end = strstr(buf, "\r\n\r\n");
            if (!end && have == sizeof buf - 1) break;
        }
        if (end) {
            unsigned long long clen = 0;
            for (char *l = buf; l && l < end; l = strstr(l, "\r\n"), l = l ? l + 2 : NULL)
                if (strncasecmp(l, "Content-Length:", 15) == 0) clen = strtoull(l + 15, NULL, 10);
            unsigned long long got = (unsigned long long)(have - (size_t)(end + 4 - buf));
            while (got < clen) {
                ssize_t r = recv(fd, buf, sizeof buf, 0);
                if (r <= 0) break;
                got += (unsigned long long)r;
            }
            atomic_store(&sk->received, got);
            static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 21\r\n"
                                       "Connection: close\r\n\r\n{\"requestId\":\"bench\"}";
            send_all(fd, resp, sizeof resp - 1);
        }
        close(fd);
    }
}

/* Write a PDF of n bytes (a %PDF-1.4 header, pseudo-random filler) without holding it. */
static int write_pdf(const char *path, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    static unsigned char chunk[65536];
    uint64_t x = 0x2545F4914F6CDD1Du;
    for (size_t off = 0; off < n;) {
        size_t k = n - off < sizeof chunk ? n - off : sizeof chunk;
        for (size_t i = 0; i < k; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk[i] = (unsigned char)x;
        }
        if (off == 0) memcpy(chunk, "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n", 15 < k ? 15 : k);
        if (fwrite(chunk, 1, k, f) != k) {
            fclose(f);
            return -1;
        }
        off += k;
    }
    return fclose(f);
}

/* 0 multipart from the path, 1 base64 JSON from the path, 2 base64 JSON from memory */
static long upload_child(int mode, const char *path, size_t n, unsigned long long *received) {
    int pfd[2];
    if (pipe(pfd) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(pfd[0]);
        long res[2] = {-1, 0};
        int lfd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t al = sizeof a;
        if (lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 4) == 0 &&
            getsockname(lfd, (struct sockaddr *)&a, &al) == 0) {
            static sink sk;
            sk.lfd = lfd;
            pthread_t th;
            pthread_create(&th, NULL, sink_main, &sk);
            char url[64];
            snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
            pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
            o.base_url = url;
            o.max_retries = 0;
            bizapis_client *c = NULL;
            pontes_file_source *src = NULL;
            int ok = bizapis_client_new(&c, &o) == PONTES_OK && pontes_client_set_bearer(c, "bizapisKey", "bench") == PONTES_OK &&
                     pontes_file_source_path(&src, path) == PONTES_OK;
            /* the peak from here on (clear_refs 5 resets VmHWM to the current RSS) */
            FILE *cr = fopen("/proc/self/clear_refs", "w");
            if (cr) {
                fputs("5", cr);
                fclose(cr);
            }
            long before = proc_kb("VmRSS:");
            bizapis_credit_responsibility_response *out = NULL;
            unsigned char *mem = NULL;
            int rc = PONTES_EINVAL;
            if (ok && mode == 0) {
                bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
                pontes_file_set_source(&up.file, src);
                up.file.filename = "map.pdf";
                up.file.content_type = "application/pdf";
                up.has_file = PONTES_SET;
                rc = bizapis_extract_credit_responsibility_multipart(c, &up, &out);
            } else if (ok) {
                bizapis_base64_file_request b = BIZAPIS_BASE64_FILE_REQUEST_INIT;
                if (mode == 1) {
                    pontes_bytes_set_source(&b.file, src);
                } else { /* the caller reads the file into memory */
                    FILE *f = fopen(path, "rb");
                    mem = malloc(n);
                    if (f && mem && fread(mem, 1, n, f) == n) {
                        b.file.data = mem;
                        b.file.len = n;
                    }
                    if (f) fclose(f);
                }
                b.has_file = PONTES_SET;
                bizapis_credit_responsibility_request req = {BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_BASE64_FILE_REQUEST,
                                                             NULL, {.base64_file_request = &b}};
                if (mode == 1 || b.file.data) rc = bizapis_extract_credit_responsibility(c, &req, &out);
            }
            if (rc == PONTES_OK) {
                res[0] = proc_kb("VmHWM:") - before;
                res[1] = (long)atomic_load(&sk.received);
            } else {
                fprintf(stderr, "pontes-bench: upload (mode %d): %s\n", mode,
                        c ? bizapis_client_last_error(c)->message : "no client");
            }
            free(mem);
            bizapis_credit_responsibility_response_free(out);
            pontes_file_source_free(src);
            bizapis_client_free(c);
        }
        (void)!write(pfd[1], res, sizeof res);
        _exit(0);
    }
    close(pfd[1]);
    long r[2] = {-1, 0};
    if (read(pfd[0], r, sizeof r) != (ssize_t)sizeof r) r[0] = -1;
    close(pfd[0]);
    int st;
    waitpid(pid, &st, 0);
    *received = (unsigned long long)r[1];
    return r[0];
}

static void upload_section(bool quick) {
    size_t n = quick ? 4u * 1000u * 1000u : 19u * 1000u * 1000u;
    char path[] = "/tmp/pontes-bench-XXXXXX.pdf";
    int fd = mkstemps(path, 4);
    if (fd < 0 || (close(fd), write_pdf(path, n)) != 0) {
        fail("upload benchmark: cannot write %s", path);
        return;
    }
    static const char *const labels[] = {"multipart from a path", "base64 JSON from a path",
                                         "base64 JSON, file in memory"};
    long kb[3];
    unsigned long long rx[3];
    for (int m = 0; m < 3; m++) kb[m] = upload_child(m, path, n, &rx[m]);
    unlink(path);
    printf("\n%-9s %.1f MB PDF (%zu bytes) POSTed to a loopback server that discards the body\n", "upload",
           (double)n / 1e6, n);
    double fk = (double)n / 1024.0;
    uint64_t b64 = ((uint64_t)n + 2) / 3 * 4;
    for (int m = 0; m < 3; m++) {
        if (kb[m] < 0) {
            fail("upload benchmark: %s failed", labels[m]);
            continue;
        }
        if (m == 0 ? rx[m] <= n : rx[m] < b64) fail("upload benchmark: %s: the server got %llu bytes", labels[m], rx[m]);
        const char *target = m == 0   ? "(target: near constant, <= 0.10 x the file)"
                             : m == 1 ? "(target < 2 x the file)"
                                      : "(info: the caller holds the file; pontes adds base64 + JSON)";
        int ok = m == 0 ? (double)kb[m] <= 0.10 * fk : m == 1 ? (double)kb[m] < 2.0 * fk : 1;
        printf("%-9s %-32s peak RSS +%7.1f MiB  (%.2f x the file; body %llu B) %s%s%s\n", "", labels[m],
               (double)kb[m] / 1024.0, (double)kb[m] / fk, rx[m], target, m < 2 ? " " : "", m < 2 ? verdict(ok) : "");
    }
}

/* ====================================================================== */
/* main                                                                    */
/* ====================================================================== */

static void usage(void) {
    fprintf(stderr, "usage: pontes-bench [--quick] [--persons N] [--requests N] [--spec openapi.json] [--upload-only]\n");
}

static const char *verdict(int ok) { return ok ? "OK" : "MISS"; }

int main(int argc, char **argv) {
    int quick = 0, persons = 100;
    long requests = 0;
    const char *spec_path = PONTES_BENCH_SPEC;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else if (strcmp(argv[i], "--upload-only") == 0) { /* section 6 alone */
            upload_section(quick);
            return g_failures ? 1 : 0;
        } else if (strcmp(argv[i], "--persons") == 0 && i + 1 < argc) {
            persons = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc) {
            requests = atol(argv[++i]);
        } else if (strcmp(argv[i], "--spec") == 0 && i + 1 < argc) {
            spec_path = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage();
            return 0;
        } else {
            usage();
            return 2;
        }
    }
    if (persons < 1 || persons > 100000 || requests < 0) {
        usage();
        return 2;
    }
    if (!requests) requests = quick ? 300 : 2000;
    const unsigned reps = quick ? 5 : 15;        /* decode/encode batches per variant */
    const double batch_s = quick ? 0.04 : 0.12;  /* target duration of one batch */
    const unsigned http_reps = quick ? 3 : 5;

    /* ---- payloads from the spec's examples ---- */
    size_t spec_len = 0;
    char *spec_text = read_file(spec_path, &spec_len);
    if (!spec_text) {
        fprintf(stderr, "pontes-bench: cannot read %s (use --spec)\n", spec_path);
        return 1;
    }
    cJSON *spec = cJSON_ParseWithLength(spec_text, spec_len);
    free(spec_text);
    const cJSON *person = example_of(spec, "/v1/NaturalPerson/{personId}", "get", "200");
    const cJSON *product_page = example_of(spec, "/v1/Product", "get", "200");
    if (!cJSON_IsObject(person) || !cJSON_IsObject(product_page)) {
        fprintf(stderr, "pontes-bench: %s lacks the NaturalPerson / ProductPage examples\n", spec_path);
        cJSON_Delete(spec);
        return 1;
    }
    size_t big_len = 0, small_len;
    char *big = build_person_page(person, persons, &big_len);
    char *small = cJSON_PrintUnformatted(product_page);
    small_len = small ? strlen(small) : 0;
    const cJSON *pp_data = cJSON_GetObjectItemCaseSensitive(product_page, "data");
    size_t small_items = (size_t)cJSON_GetArraySize(pp_data);
    cJSON_Delete(spec);
    if (!big || !small) {
        fprintf(stderr, "pontes-bench: out of memory building payloads\n");
        return 1;
    }

    printf("pontes-bench %s (runtime %s, cJSON %s, %s)%s\n", PONTES_VERSION, pontes_version(), cJSON_Version(),
           curl_version(), quick ? " [--quick]" : "");
    printf("payload: NaturalPersonPage, %d persons (address + 2 bank accounts each), %.1f KB; "
           "ProductPage example, %zu B\n",
           persons, (double)big_len / 1024.0, small_len);
    printf("method: median of %u interleaved batches per variant (%u for HTTP), CLOCK_MONOTONIC, same bytes in "
           "both paths;\n        [lo..hi] = range of the per-repetition ratios\n",
           reps, http_reps);
    {
        FILE *la = fopen("/proc/loadavg", "r"); /* context only: other load skews absolute figures */
        double l1 = 0;
        if (la && fscanf(la, "%lf", &l1) == 1)
            printf("        load average at start: %.2f on %ld CPUs%s\n", l1, sysconf(_SC_NPROCESSORS_ONLN),
                   l1 > 0.5 * (double)sysconf(_SC_NPROCESSORS_ONLN) ? " (busy machine: expect noisy figures)" : "");
        if (la) fclose(la);
    }
    {
        /* One CPU for the whole run: the HTTP client and the in-process server then take
           turns on it. Across two CPUs every request pays a cross-CPU wake-up, which on a
           virtual machine costs up to ~200 µs at random and swamps what is measured. */
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
        if (sched_setaffinity(0, sizeof one, &one) == 0)
            printf("        pinned to one CPU (client and server threads take turns on it)\n");
    }
    printf("\n");

    /* ---- functional check of the decoded / encoded values ---- */
    eccor_natural_person_page *val = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    if (eccor_natural_person_page_decode(big, big_len, &val, &err) != PONTES_OK) {
        fail("eccor_natural_person_page_decode: %s at %s", err.message ? err.message : "?",
             err.json_path ? err.json_path : "?");
        pontes_error_clear(&err);
        free(big);
        cJSON_free(small);
        return 1;
    }
    if (val->data.count != (size_t)persons || !val->data.items[0]->name ||
        val->data.items[0]->bank_accounts.count != 2)
        fail("decoded NaturalPersonPage has unexpected content (%zu persons)", val->data.count);
    cJSON *big_doc = cJSON_ParseWithLength(big, big_len);
    {
        char *enc = NULL;
        size_t enc_len = 0;
        if (eccor_natural_person_page_encode(val, &enc, &enc_len, &err) != PONTES_OK) {
            fail("eccor_natural_person_page_encode: %s", err.message ? err.message : "?");
        } else {
            cJSON *re = cJSON_ParseWithLength(enc, enc_len);
            if (!re || !cJSON_Compare(re, big_doc, 1)) fail("encoded NaturalPersonPage differs from the input");
            cJSON_Delete(re);
            pontes_json_free(enc);
        }
        pontes_error_clear(&err);
    }

    int decode_ok = 0, alloc_ok = 0, http_ok = 0, have_http = 0;
    double decode_ratio = 0, http_ratio = 0, http_ratio_parse = 0;

    /* ---- 1. decode ---- */
    json_ctx jc_big = {big, big_len, NULL, NULL, 0, PONTES_ERROR_INIT};
    json_ctx jc_small = {small, small_len, NULL, NULL, 0, PONTES_ERROR_INIT};
    variant dec[2] = {VARIANT("cJSON_ParseWithLength+Delete", it_cjson_parse, &jc_big),
                      VARIANT("eccor decode+free", it_person_page_decode, &jc_big)};
    variant dec_s[2] = {VARIANT("cJSON_ParseWithLength+Delete", it_cjson_parse, &jc_small),
                        VARIANT("eccor decode+free", it_product_page_decode, &jc_small)};
    size_t it_big = 0, it_small = 0;
    if (compare(dec, 2, reps, batch_s, 0, &it_big)) fail("decode benchmark (big payload)");
    if (compare(dec_s, 2, reps, batch_s, 0, &it_small)) fail("decode benchmark (small payload)");
    double mb = (double)big_len / 1e6, mbs = (double)small_len / 1e6;
    decode_ratio = dec[1].med / dec[0].med;
    decode_ok = decode_ratio <= 1.15;
    double lo, hi;
    ratio_range(&dec[1], &dec[0], &lo, &hi);
    printf("%-9s %-32s %10s %10s\n", "", "", "per call", "input");
    printf("%-9s %-32s %8.1f µs %6.0f MB/s   (NaturalPersonPage %.0f KB, %zu calls/batch)\n", "decode",
           dec[0].label, dec[0].med * 1e6, mb / dec[0].med, (double)big_len / 1024.0, it_big);
    printf("%-9s %-32s %8.1f µs %6.0f MB/s   ratio %.2f [%.2f..%.2f] (target <= 1.15) %s\n", "", dec[1].label,
           dec[1].med * 1e6, mb / dec[1].med, decode_ratio, lo, hi, verdict(decode_ok));
    printf("%-9s %-32s %8.2f µs %6.0f MB/s   (ProductPage %zu B, %zu calls/batch)\n", "decode", dec_s[0].label,
           dec_s[0].med * 1e6, mbs / dec_s[0].med, small_len, it_small);
    ratio_range(&dec_s[1], &dec_s[0], &lo, &hi);
    printf("%-9s %-32s %8.2f µs %6.0f MB/s   ratio %.2f [%.2f..%.2f] (info)\n", "", dec_s[1].label,
           dec_s[1].med * 1e6, mbs / dec_s[1].med, dec_s[1].med / dec_s[0].med, lo, hi);

    /* ---- 2. encode ---- */
    json_ctx je_a = {NULL, 0, big_doc, NULL, 0, PONTES_ERROR_INIT};
    json_ctx je_b = {NULL, 0, NULL, val, 0, PONTES_ERROR_INIT};
    variant enc[2] = {VARIANT("cJSON_PrintUnformatted+free", it_cjson_print, &je_a),
                      VARIANT("eccor encode+pontes_json_free", it_person_page_encode, &je_b)};
    size_t it_enc = 0;
    if (!big_doc || compare(enc, 2, reps, batch_s, 0, &it_enc)) fail("encode benchmark");
    printf("\n%-9s %-32s %8.1f µs %6.0f MB/s   (output %zu B, %zu calls/batch)\n", "encode", enc[0].label,
           enc[0].med * 1e6, (double)je_a.out_len / 1e6 / enc[0].med, je_a.out_len, it_enc);
    ratio_range(&enc[1], &enc[0], &lo, &hi);
    printf("%-9s %-32s %8.1f µs %6.0f MB/s   ratio %.2f [%.2f..%.2f] (output %zu B)\n", "", enc[1].label,
           enc[1].med * 1e6, (double)je_b.out_len / 1e6 / enc[1].med, enc[1].med / enc[0].med, lo, hi,
           je_b.out_len);

    /* ---- 3. allocations per decoded response ---- */
    printf("\nallocations per decoded response (malloc/calloc/realloc calls during one decode)\n");
    printf("  runtime counted via %s\n",
           HAVE_RT_COUNT ? "ld --wrap=malloc,calloc,realloc,free (pontes code linked statically)"
                         : "the arena's block count only (no --wrap linker support)");
    struct {
        const char *name;
        const char *json;
        size_t len;
        int big;
    } payloads[2] = {{"NaturalPersonPage", big, big_len, 1}, {"ProductPage", small, small_len, 0}};
    size_t worst_extra = 0;
    for (int k = 0; k < 2; k++) {
        counting_begin();
        cJSON *d = cJSON_ParseWithLength(payloads[k].json, payloads[k].len);
        size_t plain = g_cj_mallocs;
        cJSON_Delete(d);
        g_cj_mallocs = g_cj_frees = 0;
        atomic_store(&g_rt_allocs, 0);
        atomic_store(&g_rt_frees, 0);
        void *v = NULL;
        int rc = payloads[k].big ? eccor_natural_person_page_decode(payloads[k].json, payloads[k].len,
                                                                    (eccor_natural_person_page **)&v, NULL)
                                 : eccor_product_page_decode(payloads[k].json, payloads[k].len,
                                                             (eccor_product_page **)&v, NULL);
        counting_pause();
        size_t cj = g_cj_mallocs, rt = atomic_load(&g_rt_allocs);
        size_t blocks = v ? pontes_arena_block_count(pontes_arena_of(v)) : 0;
        counting_resume();
        if (payloads[k].big)
            eccor_natural_person_page_free(v);
        else
            eccor_product_page_free(v);
        size_t cj_freed = g_cj_frees, rt_freed = atomic_load(&g_rt_frees);
        counting_end();
        if (rc != PONTES_OK) {
            fail("decode of %s while counting", payloads[k].name);
            continue;
        }
        size_t extra = HAVE_RT_COUNT ? rt : blocks;
        if (extra > worst_extra) worst_extra = extra;
        printf("  %-18s cJSON allocations: %6zu (plain cJSON_Parse: %zu)   pontes allocations beyond cJSON: %zu"
               " (arena blocks %zu)",
               payloads[k].name, cj, plain, extra, blocks);
        if (HAVE_RT_COUNT)
            printf("   freed: cJSON %zu/%zu, pontes %zu/%zu", cj_freed, cj, rt_freed, rt);
        printf("\n");
        if (cj_freed != cj || (HAVE_RT_COUNT && rt_freed != rt))
            printf("  note: %s decode+free did not free as many blocks as it allocated\n", payloads[k].name);
    }
    alloc_ok = worst_extra <= 5;
    printf("  target: pontes allocations beyond cJSON <= 5 per response: %s\n", verdict(alloc_ok));

    /* ---- 4. request throughput ---- */
    printf("\nrequest throughput: GET /v1/Product (ProductPage example, %zu B body), HTTP/1.1 keep-alive on "
           "127.0.0.1,\n  in-process server thread, %ld sequential requests per batch\n",
           small_len, requests);
    server srv;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || server_start(&srv, small, small_len)) {
        fail("cannot start the local HTTP server");
    } else {
        have_http = 1;
        char base[64], url[96];
        snprintf(base, sizeof base, "http://127.0.0.1:%d", srv.port);
        snprintf(url, sizeof url, "%s/v1/Product", base);
        curl_ctx plain, plain_parse;
        eccor_ctx ec = {NULL, small_items, 0};
        pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
        o.base_url = base;
        o.max_retries = 0;
        int setup = curl_ctx_init(&plain, url, small_len) | curl_ctx_init(&plain_parse, url, small_len);
        int crc = eccor_client_new(&ec.c, &o);
        if (crc == PONTES_OK) crc = pontes_client_set_bearer(ec.c, "uy3Auth", "x");
        if (setup || crc != PONTES_OK) {
            fail("client setup (%s)", pontes_status_name(crc));
        } else {
            variant hv[3] = {VARIANT("plain libcurl (1 easy handle)", it_curl, &plain),
                             VARIANT("plain libcurl + cJSON_Parse", it_curl_parse, &plain_parse),
                             VARIANT("eccor_list_products+free", it_eccor, &ec)};
            if (compare(hv, 3, http_reps, 0, (size_t)requests, NULL)) {
                fail("throughput benchmark");
            } else {
                double ratio = hv[0].med / hv[2].med;
                http_ok = ratio >= 0.90;
                http_ratio = ratio;
                http_ratio_parse = hv[1].med / hv[2].med;
                printf("%-9s %-32s %8.0f req/s  %6.1f µs/req\n", "http", hv[0].label, 1.0 / hv[0].med,
                       hv[0].med * 1e6);
                printf("%-9s %-32s %8.0f req/s  %6.1f µs/req   ratio %.2f (info: transport + cJSON)\n", "",
                       hv[1].label, 1.0 / hv[1].med, hv[1].med * 1e6, hv[0].med / hv[1].med);
                printf("%-9s %-32s %8.0f req/s  %6.1f µs/req   ratio %.2f (target >= 0.90) %s\n", "", hv[2].label,
                       1.0 / hv[2].med, hv[2].med * 1e6, ratio, verdict(http_ok));
                printf("  ratio = req/s relative to plain libcurl. eccor costs %.1f µs/req more than plain libcurl,\n"
                       "  %.1f µs/req more than libcurl + cJSON_Parse (req/s ratio vs that: %.2f)\n",
                       (hv[2].med - hv[0].med) * 1e6, (hv[2].med - hv[1].med) * 1e6, hv[1].med / hv[2].med);
                /* The same comparison with a server that takes 200 µs per request (a fast
                   service on a LAN; real partner APIs take milliseconds): what the
                   per-request overhead means once the server does any work. */
                atomic_store(&srv.delay_us, 200);
                variant lv[2] = {VARIANT("plain libcurl (1 easy handle)", it_curl, &plain),
                                 VARIANT("eccor_list_products+free", it_eccor, &ec)};
                size_t lreq = (size_t)requests / 4 ? (size_t)requests / 4 : 1;
                if (compare(lv, 2, http_reps, 0, lreq, NULL)) {
                    fail("throughput benchmark (200 µs server time)");
                } else {
                    printf("  with 200 µs of server time per request: plain libcurl %.0f req/s, eccor %.0f req/s, "
                           "ratio %.2f (info)\n",
                           1.0 / lv[0].med, 1.0 / lv[1].med, lv[0].med / lv[1].med);
                }
                atomic_store(&srv.delay_us, 0);
            }
            /* Concurrency on one thread: a batch (curl multi) against the same calls one
               after another, with 20 ms of server latency per response. */
            batch_section(&ec, &srv, quick);
        }
        unsigned long sent = plain.done + plain_parse.done + ec.done;
        curl_ctx_free(&plain);
        curl_ctx_free(&plain_parse);
        eccor_client_free(ec.c);
        server_stop(&srv);
        unsigned long served = atomic_load(&srv.served);
        printf("  server answered %lu requests (clients counted %lu)\n", served, sent);
        if (served != sent) fail("server answered %lu requests, clients completed %lu", served, sent);
    }
    rss_section(quick);
    upload_section(quick);
    curl_global_cleanup();

    printf("\ntargets: decode %s (%.2f <= 1.15), allocations %s (%zu <= 5), throughput %s (%.2f >= 0.90; "
           "vs libcurl + cJSON_Parse: %.2f)\n",
           verdict(decode_ok), decode_ratio, verdict(alloc_ok), worst_extra, have_http ? verdict(http_ok) : "n/a",
           http_ratio, http_ratio_parse);

    eccor_natural_person_page_free(val);
    cJSON_Delete(big_doc);
    free(big);
    cJSON_free(small);
    if (g_failures) {
        fprintf(stderr, "pontes-bench: %d functional failure(s)\n", g_failures);
        return 1;
    }
    return 0;
}
