/* See e2e_support.h. */
#define _GNU_SOURCE /* mkdtemp, prctl, strcasecmp */
#include "e2e_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <curl/curl.h>

#ifndef E2E_PYTHON
#error "E2E_PYTHON (the Python interpreter found by CMake) must be defined"
#endif
#ifndef E2E_MOCK_SCRIPT
#error "E2E_MOCK_SCRIPT (tools/mock/mock_server.py) must be defined"
#endif

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */

void e2e_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *e2e_unique(char *buf, size_t cap) {
    static unsigned counter;
    snprintf(buf, cap, "%ld-%u-%ld", (long)getpid(), ++counter, (long)time(NULL));
    return buf;
}

void e2e_date_in_days(char *buf, size_t cap, int days) {
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT03:00:00.000Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static void copy_str(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

const char *e2e_env(const e2e_server *s, const char *name) {
    char var[160];
    if (s && s->api && *s->api) {
        int n = snprintf(var, sizeof var, "PONTES_TEST_%s_", name);
        size_t k = n > 0 ? (size_t)n : 0;
        for (const char *p = s->api; *p && k + 1 < sizeof var; p++)
            var[k++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : (*p == '-' ? '_' : *p);
        var[k] = '\0';
        const char *v = getenv(var);
        if (v && *v) return v;
    }
    snprintf(var, sizeof var, "PONTES_TEST_%s", name);
    const char *v = getenv(var);
    return (v && *v) ? v : NULL;
}

static bool env_true(const char *v) {
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0);
}

static void strip_trailing_slash(char *s) {
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/') s[--n] = '\0';
}

/* ------------------------------------------------------------------------ */
/* the mock server as a child process                                        */

static e2e_server *live_servers[4];

static void kill_live_servers(void) {
    for (size_t i = 0; i < sizeof live_servers / sizeof live_servers[0]; i++)
        if (live_servers[i]) e2e_server_stop(live_servers[i]);
}

static void track(e2e_server *s, bool on) {
    static bool registered;
    if (on && !registered) {
        atexit(kill_live_servers); /* in case a setup path calls exit() */
        registered = true;
    }
    for (size_t i = 0; i < sizeof live_servers / sizeof live_servers[0]; i++) {
        if (on && !live_servers[i]) {
            live_servers[i] = s;
            return;
        }
        if (!on && live_servers[i] == s) {
            live_servers[i] = NULL;
            return;
        }
    }
}

static int read_port_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int port = 0;
    if (fscanf(f, "%d", &port) != 1) port = 0;
    fclose(f);
    return port;
}

static int spawn_mock(e2e_server *s, const char *const *specs, const char *port_file) {
    char ttl[32];
    snprintf(ttl, sizeof ttl, "%d", s->token_ttl);
    const char *argv[32];
    size_t n = 0;
    argv[n++] = E2E_PYTHON;
    argv[n++] = E2E_MOCK_SCRIPT;
    for (size_t i = 0; specs[i] && n < 20; i++) {
        argv[n++] = "--spec";
        argv[n++] = specs[i];
    }
    argv[n++] = "--host";
    argv[n++] = "127.0.0.1";
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--port-file";
    argv[n++] = port_file;
    argv[n++] = "--quiet";
    argv[n++] = "--token-ttl";
    argv[n++] = ttl;
    for (size_t i = 0; s->extra_args && s->extra_args[i] && n < 31; i++) argv[n++] = s->extra_args[i];
    argv[n] = NULL;

    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        perror("e2e: fork");
        return -1;
    }
    if (pid == 0) {
        /* child: only async-signal-safe calls until exec */
#ifdef __linux__
        /* die with the test process, even when it is killed (e.g. by a ctest timeout) */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);
#else
        (void)parent;
#endif
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO); /* "listening on ..." */
            if (devnull > STDERR_FILENO) close(devnull);
        }
        /* stderr is kept: mock warnings and tracebacks show up in the ctest output */
        execv(E2E_PYTHON, (char *const *)argv);
        execvp(E2E_PYTHON, (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    return 0;
}

int e2e_server_start(e2e_server *s, const char *const *specs, int token_ttl, bool allow_external) {
    const char *const *extra = s->extra_args; /* the caller's settings survive the reset */
    bool https = s->https;
    const char *api = s->api;
    memset(s, 0, sizeof *s);
    s->extra_args = extra;
    s->https = https;
    s->api = api;
    const char *v = e2e_env(s, "CLIENT_ID");
    copy_str(s->client_id, sizeof s->client_id, v ? v : E2E_DEFAULT_CLIENT_ID);
    v = e2e_env(s, "CLIENT_SECRET");
    copy_str(s->client_secret, sizeof s->client_secret, v ? v : E2E_DEFAULT_CLIENT_SECRET);
    const char *ext = e2e_env(s, "BASE_URL");
    if (ext) {
        s->external = true;
        s->stateful = env_true(e2e_env(s, "STATEFUL"));
        const char *ex = e2e_env(s, "EXAMPLES");
        s->examples = ex ? env_true(ex) : !s->stateful;
        if (!allow_external) return 0; /* the caller skips its tests */
        copy_str(s->base_url, sizeof s->base_url, ext);
        strip_trailing_slash(s->base_url);
        const char *tu = e2e_env(s, "TOKEN_URL");
        if (tu)
            copy_str(s->token_url, sizeof s->token_url, tu);
        else
            snprintf(s->token_url, sizeof s->token_url, "%s/oauth2/token", s->base_url);
        copy_str(s->auth_base, sizeof s->auth_base, s->token_url);
        size_t n = strlen(s->auth_base);
        const char *suffix = "/oauth2/token";
        size_t sl = strlen(suffix);
        if (n >= sl && strcmp(s->auth_base + n - sl, suffix) == 0) s->auth_base[n - sl] = '\0';
        return 0;
    }

    s->stateful = true;
    s->examples = true;
    s->token_ttl = token_ttl;
    copy_str(s->tmpdir, sizeof s->tmpdir, "/tmp/pontes-e2e-XXXXXX");
    if (!mkdtemp(s->tmpdir)) {
        perror("e2e: mkdtemp");
        s->tmpdir[0] = '\0';
        return -1;
    }
    char port_file[320];
    snprintf(port_file, sizeof port_file, "%s/port", s->tmpdir);
    if (spawn_mock(s, specs, port_file) != 0) {
        e2e_server_stop(s);
        return -1;
    }
    track(s, true);
    double deadline = now_s() + 30.0;
    while (now_s() < deadline) {
        int status;
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid) {
            fprintf(stderr, "e2e: the mock server exited early (%s %d); command: %s %s\n",
                    WIFEXITED(status) ? "status" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), E2E_PYTHON, E2E_MOCK_SCRIPT);
            s->pid = 0;
            e2e_server_stop(s);
            return -1;
        }
        s->port = read_port_file(port_file);
        if (s->port > 0) break;
        e2e_sleep_ms(25);
    }
    if (s->port <= 0) {
        fprintf(stderr, "e2e: the mock server did not write %s within 30 s\n", port_file);
        e2e_server_stop(s);
        return -1;
    }
    /* the port file is not needed any more: remove it now, so that nothing is left behind
     * even if this process is killed */
    unlink(port_file);
    rmdir(s->tmpdir);
    s->tmpdir[0] = '\0';
    snprintf(s->base_url, sizeof s->base_url, "%s://127.0.0.1:%d", s->https ? "https" : "http", s->port);
    snprintf(s->token_url, sizeof s->token_url, "%s/oauth2/token", s->base_url);
    copy_str(s->auth_base, sizeof s->auth_base, s->base_url);
    return 0;
}

void e2e_server_stop(e2e_server *s) {
    if (!s) return;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        double deadline = now_s() + 5.0;
        int status;
        pid_t r = 0;
        while ((r = waitpid(s->pid, &status, WNOHANG)) == 0 && now_s() < deadline) e2e_sleep_ms(20);
        if (r == 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
        }
        s->pid = 0;
    }
    if (s->tmpdir[0]) {
        char p[320];
        snprintf(p, sizeof p, "%s/port", s->tmpdir);
        unlink(p);
        snprintf(p, sizeof p, "%s/port.tmp", s->tmpdir);
        unlink(p);
        rmdir(s->tmpdir);
        s->tmpdir[0] = '\0';
    }
    track(s, false);
}

/* ------------------------------------------------------------------------ */
/* admin HTTP                                                                */

typedef struct membuf {
    char *data;
    size_t len;
} membuf;

static size_t on_data(char *p, size_t size, size_t n, void *user) {
    membuf *b = user;
    size_t k = size * n;
    char *d = realloc(b->data, b->len + k + 1);
    if (!d) return 0;
    memcpy(d + b->len, p, k);
    b->data = d;
    b->len += k;
    d[b->len] = '\0';
    return k;
}

long e2e_http(const char *method, const char *url, const char *json_body, char **resp) {
    if (resp) *resp = NULL;
    CURL *h = curl_easy_init();
    if (!h) return -1;
    membuf b = {NULL, 0};
    struct curl_slist *hl = NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (json_body) {
        hl = curl_slist_append(hl, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(json_body));
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    long status = -1;
    CURLcode cc = curl_easy_perform(h);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    } else {
        fprintf(stderr, "e2e: %s %s: %s\n", method, url, curl_easy_strerror(cc));
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    if (resp) {
        *resp = b.data;
    } else {
        free(b.data);
    }
    return status;
}

typedef struct header_want {
    const char *name;
    char *buf;
    size_t cap;
} header_want;

static size_t on_header(char *p, size_t size, size_t n, void *user) {
    header_want *w = user;
    size_t k = size * n, nl = strlen(w->name);
    if (k > nl && p[nl] == ':' && strncasecmp(p, w->name, nl) == 0) {
        const char *v = p + nl + 1, *end = p + k;
        while (v < end && (*v == ' ' || *v == '\t')) v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
        snprintf(w->buf, w->cap, "%.*s", (int)(end - v), v);
    }
    return k;
}

long e2e_http_header(const char *url, const char *header, char *buf, size_t cap) {
    if (cap) buf[0] = '\0';
    CURL *h = curl_easy_init();
    if (!h) return -1;
    membuf b = {NULL, 0};
    header_want w = {header, buf, cap};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &w);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    long status = -1;
    CURLcode cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        fprintf(stderr, "e2e: GET %s: %s\n", url, curl_easy_strerror(cc));
    free(b.data);
    curl_easy_cleanup(h);
    return status;
}

cJSON *e2e_admin_post(const e2e_server *s, const char *what, const char *json_body, long *status) {
    char url[1024];
    snprintf(url, sizeof url, "%s/__admin/%s", s->base_url, what);
    char *resp = NULL;
    long st = e2e_http("POST", url, json_body, &resp);
    if (status) *status = st;
    cJSON *doc = resp ? cJSON_Parse(resp) : NULL;
    if (st != 200) fprintf(stderr, "e2e: POST %s -> %ld %s\n", url, st, resp ? resp : "");
    free(resp);
    return doc;
}

bool e2e_admin_reset(const e2e_server *s) {
    long st = 0;
    cJSON *doc = e2e_admin_post(s, "reset", NULL, &st);
    cJSON_Delete(doc);
    return st == 200;
}

static cJSON *get_log(const e2e_server *s) {
    char url[1024];
    snprintf(url, sizeof url, "%s/__admin/requests", s->base_url);
    char *resp = NULL;
    long st = e2e_http("GET", url, NULL, &resp);
    cJSON *doc = (st == 200 && resp) ? cJSON_Parse(resp) : NULL;
    free(resp);
    if (doc && !cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    return doc;
}

/* The mock logs each request before it answers, so one read is current. */
cJSON *e2e_admin_requests(const e2e_server *s) { return get_log(s); }

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

size_t e2e_log_count(const cJSON *log, const char *method, const char *path_suffix) {
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, log) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "method");
        if (!cJSON_IsString(p) || !ends_with(p->valuestring, path_suffix)) continue;
        if (method && !(cJSON_IsString(m) && strcmp(m->valuestring, method) == 0)) continue;
        n++;
    }
    return n;
}

const cJSON *e2e_log_last(const cJSON *log, const char *op_id) {
    const cJSON *found = NULL, *e;
    cJSON_ArrayForEach(e, log) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(e, "operationId");
        if (cJSON_IsString(o) && strcmp(o->valuestring, op_id) == 0) found = e;
    }
    return found;
}

/* ------------------------------------------------------------------------ */
/* operations reached                                                        */

#define E2E_MAX_OPS 128 /* BCTT has 82 operations */

static struct {
    const char *api;
    const e2e_op *ops;
    size_t n;
    unsigned reached[E2E_MAX_OPS];
    unsigned calls[E2E_MAX_OPS];
    char unknown[256];
    size_t state_skips;
} g_ops;

void e2e_ops_init(const char *api, const e2e_op *ops) {
    memset(&g_ops, 0, sizeof g_ops);
    g_ops.api = api;
    g_ops.ops = ops;
    while (ops && ops[g_ops.n].id && g_ops.n < E2E_MAX_OPS) g_ops.n++;
}

static bool call_is(const char *call, const e2e_op *op) {
    if (strcmp(call, op->id) == 0) return true;
    if (!op->fn) return false;
    while (*call == ' ' || *call == '(') call++;
    size_t k = strlen(op->fn);
    if (strncmp(call, op->fn, k) != 0) return false;
    const char *rest = call + k;
    if (strncmp(rest, "_ex", 3) == 0) rest += 3;
    while (*rest == ' ') rest++;
    return *rest == '(';
}

int e2e_op_mark(const char *call, int rc, bool answered) {
    for (size_t i = 0; i < g_ops.n; i++) {
        if (!call_is(call, &g_ops.ops[i])) continue;
        g_ops.calls[i]++;
        if (answered) g_ops.reached[i]++;
        return rc;
    }
    fprintf(stderr, "e2e: %s is no operation of %s\n", call, g_ops.api ? g_ops.api : "?");
    size_t k = strlen(g_ops.unknown);
    snprintf(g_ops.unknown + k, sizeof g_ops.unknown - k, "%s%.40s", k ? "," : "", call);
    return rc;
}

size_t e2e_ops_report(const e2e_server *s) {
    size_t reached = 0, missing = 0;
    char list[1024] = "";
    for (size_t i = 0; i < g_ops.n; i++) {
        if (g_ops.reached[i]) {
            reached++;
            continue;
        }
        missing++;
        size_t k = strlen(list);
        snprintf(list + k, sizeof list - k, "%s%s (%u call%s, none answered)", k ? ", " : "", g_ops.ops[i].id,
                 g_ops.calls[i], g_ops.calls[i] == 1 ? "" : "s");
    }
    printf("e2e[%s]: reached %zu/%zu operations against %s (%s); state checks skipped: %zu%s%s%s%s\n",
           g_ops.api ? g_ops.api : "?", reached, g_ops.n, s && s->external ? s->base_url : "the mock",
           s && s->stateful ? "stateful" : "stateless", g_ops.state_skips, missing ? "; not reached: " : "", list,
           g_ops.unknown[0] ? "; unknown operations: " : "", g_ops.unknown);
    fflush(stdout);
    return missing + (g_ops.unknown[0] ? 1 : 0);
}

bool e2e_needs_state(const e2e_server *s, const char *what) {
    if (s->stateful) return false;
    g_ops.state_skips++;
    printf("skipped (stateless server): %s\n", what);
    return true;
}

size_t e2e_state_skips(void) { return g_ops.state_skips; }

/* ------------------------------------------------------------------------ */
/* webhook listener                                                          */

struct e2e_listener {
    int fd;
    int port;
    char url[128];
    pthread_t thread;
    bool running;
    pthread_mutex_t mu;
    atomic_int stop;
    e2e_hook hooks[E2E_MAX_HOOKS];
    size_t count;
};

static char *dup_range(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Value of header name in the header block hdr (NUL-terminated), or NULL (malloc'd). */
static char *header_value(const char *hdr, const char *name) {
    size_t nl = strlen(name);
    const char *line = strstr(hdr, "\r\n");
    while (line && line[2] && !(line[2] == '\r' && line[3] == '\n')) {
        line += 2;
        const char *end = strstr(line, "\r\n");
        if (!end) end = line + strlen(line);
        if ((size_t)(end - line) > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0) {
            const char *v = line + nl + 1;
            while (v < end && (*v == ' ' || *v == '\t')) v++;
            return dup_range(v, (size_t)(end - v));
        }
        line = end;
        if (!*line) break;
    }
    return NULL;
}

static void serve_one(e2e_listener *l, int cfd) {
    struct timeval tv = {10, 0};
    setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    size_t hdr_end = 0;
    long content_length = -1;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, ncap);
            if (!nb) goto out;
            buf = nb;
            cap = ncap;
        }
        ssize_t r = recv(cfd, buf + len, cap - len - 1, 0);
        if (r <= 0) goto out;
        len += (size_t)r;
        buf[len] = '\0';
        if (!hdr_end) {
            char *e = strstr(buf, "\r\n\r\n");
            if (e) {
                hdr_end = (size_t)(e - buf) + 4;
                char saved = buf[hdr_end];
                buf[hdr_end] = '\0';
                char *cl = header_value(buf, "Content-Length");
                buf[hdr_end] = saved;
                content_length = cl ? strtol(cl, NULL, 10) : 0;
                free(cl);
            }
        }
        if (hdr_end && len >= hdr_end + (size_t)content_length) break;
    }
    {
        const char *sp1 = strchr(buf, ' ');
        const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        char saved = buf[hdr_end];
        buf[hdr_end] = '\0';
        e2e_hook h;
        h.method = sp1 ? dup_range(buf, (size_t)(sp1 - buf)) : NULL;
        h.path = (sp1 && sp2) ? dup_range(sp1 + 1, (size_t)(sp2 - sp1 - 1)) : NULL;
        h.content_type = header_value(buf, "Content-Type");
        buf[hdr_end] = saved;
        h.body = dup_range(buf + hdr_end, (size_t)content_length);
        h.body_len = (size_t)content_length;
        pthread_mutex_lock(&l->mu);
        if (l->count < E2E_MAX_HOOKS) {
            l->hooks[l->count++] = h;
        } else {
            free(h.method);
            free(h.path);
            free(h.content_type);
            free(h.body);
        }
        pthread_mutex_unlock(&l->mu);
    }
    {
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        size_t off = 0;
        while (off < sizeof ok - 1) {
            ssize_t w = send(cfd, ok + off, sizeof ok - 1 - off, MSG_NOSIGNAL);
            if (w <= 0) break;
            off += (size_t)w;
        }
    }
out:
    free(buf);
    close(cfd);
}

static void *listener_main(void *arg) {
    e2e_listener *l = arg;
    while (!atomic_load(&l->stop)) {
        struct pollfd p = {l->fd, POLLIN, 0};
        int r = poll(&p, 1, 50);
        if (r <= 0) continue;
        int cfd = accept(l->fd, NULL, NULL);
        if (cfd < 0) continue;
        serve_one(l, cfd);
    }
    return NULL;
}

e2e_listener *e2e_listener_start(void) {
    e2e_listener *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    pthread_mutex_init(&l->mu, NULL);
    l->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (l->fd < 0) goto fail;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(l->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(l->fd, 16) != 0) goto fail;
    socklen_t al = sizeof a;
    if (getsockname(l->fd, (struct sockaddr *)&a, &al) != 0) goto fail;
    l->port = ntohs(a.sin_port);
    snprintf(l->url, sizeof l->url, "http://127.0.0.1:%d/hooks/eccor", l->port);
    if (pthread_create(&l->thread, NULL, listener_main, l) != 0) goto fail;
    l->running = true;
    return l;
fail:
    perror("e2e: webhook listener");
    if (l->fd >= 0) close(l->fd);
    pthread_mutex_destroy(&l->mu);
    free(l);
    return NULL;
}

const char *e2e_listener_url(const e2e_listener *l) { return l->url; }

void e2e_listener_stop(e2e_listener *l) {
    if (!l || !l->running) return;
    atomic_store(&l->stop, 1);
    pthread_join(l->thread, NULL);
    l->running = false;
    close(l->fd);
    l->fd = -1;
}

size_t e2e_listener_count(const e2e_listener *l) {
    e2e_listener *m = (e2e_listener *)l;
    pthread_mutex_lock(&m->mu);
    size_t n = m->count;
    pthread_mutex_unlock(&m->mu);
    return n;
}

const e2e_hook *e2e_listener_hook(const e2e_listener *l, size_t i) {
    return i < e2e_listener_count(l) ? &l->hooks[i] : NULL;
}

void e2e_listener_free(e2e_listener *l) {
    if (!l) return;
    e2e_listener_stop(l);
    for (size_t i = 0; i < l->count; i++) {
        free(l->hooks[i].method);
        free(l->hooks[i].path);
        free(l->hooks[i].content_type);
        free(l->hooks[i].body);
    }
    pthread_mutex_destroy(&l->mu);
    free(l);
}
