#define _GNU_SOURCE
#include "test_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define TS_QMAX 256
#define TS_RMAX 512
#define TS_CMAX 64

typedef struct canned {
    int status;
    char *headers;
    char *body;
    size_t body_len;
    int delay_ms;
    bool no_length;
} canned;

struct ts_server {
    int fd;
    int port;
    char url[64];
    pthread_t accept_thread;
    pthread_mutex_t mu;
    canned q[2][TS_QMAX];
    size_t qhead[2], qtail[2];
    ts_request reqs[TS_RMAX];
    size_t nreqs;
    size_t route_count[2];
    int connections;
    int in_flight, max_in_flight; /* requests read and not answered yet: now, and the most at once */
    atomic_int stop;
    pthread_t conn_threads[TS_CMAX];
    int conn_fds[TS_CMAX];
    size_t nconn;
};

typedef struct conn_arg {
    ts_server *s;
    int fd;
} conn_arg;

static const char *reason(int st) {
    switch (st) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Whatever";
    }
}

static bool send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Wait ms, return false if the peer went away (or the server stops). */
static bool wait_delay(ts_server *s, int fd, int ms) {
    int left = ms;
    while (left > 0 && !atomic_load(&s->stop)) {
        int step = left > 50 ? 50 : left;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, step);
        if (r > 0) {
            char ch;
            ssize_t n = recv(fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
            if (n <= 0) return false; /* closed */
        }
        left -= step;
    }
    return !atomic_load(&s->stop);
}

/* Replace every TS_ECHO_BODY / TS_ECHO_BODY_STR in *s by the request body (raw / escaped for a
 * JSON string); true when *s was replaced. */
static bool echo_body(char **s, const char *body, size_t n) {
    if (!*s || (!strstr(*s, TS_ECHO_BODY) && !strstr(*s, TS_ECHO_BODY_STR))) return false;
    size_t cap = strlen(*s) + 1, len = 0;
    for (const char *p = *s; (p = strstr(p, "@echo-body")); p++) cap += 2 * n;
    char *o = malloc(cap);
    if (!o) return false;
    for (const char *p = *s; *p;) {
        if (strncmp(p, TS_ECHO_BODY, strlen(TS_ECHO_BODY)) == 0) {
            memcpy(o + len, body, n);
            len += n;
            p += strlen(TS_ECHO_BODY);
        } else if (strncmp(p, TS_ECHO_BODY_STR, strlen(TS_ECHO_BODY_STR)) == 0) {
            for (size_t i = 0; i < n; i++) {
                if (body[i] == '"' || body[i] == '\\') o[len++] = '\\';
                o[len++] = body[i];
            }
            p += strlen(TS_ECHO_BODY_STR);
        } else {
            o[len++] = *p++;
        }
    }
    o[len] = '\0';
    free(*s);
    *s = o;
    return true;
}

static void *conn_main(void *arg) {
    conn_arg *ca = arg;
    ts_server *s = ca->s;
    int fd = ca->fd;
    free(ca);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    for (;;) {
        /* read the head */
        char *end = NULL;
        while (!(end = memmem(buf, len, "\r\n\r\n", 4))) {
            if (len == cap) {
                cap *= 2;
                char *nb = realloc(buf, cap);
                if (!nb) goto out;
                buf = nb;
            }
            ssize_t n = recv(fd, buf + len, cap - len, 0);
            if (n <= 0) goto out;
            len += (size_t)n;
        }
        size_t head_len = (size_t)(end - buf) + 4;
        size_t clen = 0;
        {
            char *h = strndup(buf, head_len);
            if (!h) goto out;
            for (char *line = strstr(h, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
                if (strncasecmp(line + 2, "Content-Length:", 15) == 0) clen = strtoul(line + 17, NULL, 10);
            }
            free(h);
        }
        while (len < head_len + clen) {
            if (len == cap) {
                cap *= 2;
                char *nb = realloc(buf, cap);
                if (!nb) goto out;
                buf = nb;
            }
            ssize_t n = recv(fd, buf + len, cap - len, 0);
            if (n <= 0) goto out;
            len += (size_t)n;
        }
        ts_request rq;
        memset(&rq, 0, sizeof rq);
        rq.head = strndup(buf, head_len);
        rq.body = malloc(clen + 1);
        if (!rq.head || !rq.body) goto out;
        memcpy(rq.body, buf + head_len, clen);
        rq.body[clen] = '\0';
        rq.body_len = clen;
        sscanf(rq.head, "%15s %2047s", rq.method, rq.target);
        int route = strncmp(rq.target, "/token", 6) == 0 ? TS_ROUTE_TOKEN : TS_ROUTE_API;
        canned cr = {500, NULL, NULL, 0, 0, false};
        bool have = false;
        pthread_mutex_lock(&s->mu);
        if (s->nreqs < TS_RMAX) {
            s->reqs[s->nreqs++] = rq;
        } else {
            free(rq.head);
            free(rq.body);
        }
        s->route_count[route]++;
        if (++s->in_flight > s->max_in_flight) s->max_in_flight = s->in_flight;
        if (s->qhead[route] != s->qtail[route]) {
            cr = s->q[route][s->qhead[route] % TS_QMAX];
            s->qhead[route]++;
            have = true;
        }
        pthread_mutex_unlock(&s->mu);
        if (have) { /* TS_ECHO_BODY / TS_ECHO_BODY_STR: the request body, echoed */
            echo_body(&cr.headers, buf + head_len, clen);
            if (echo_body(&cr.body, buf + head_len, clen)) cr.body_len = strlen(cr.body);
        }
        memmove(buf, buf + head_len + clen, len - head_len - clen);
        len -= head_len + clen;

        bool alive = cr.delay_ms ? wait_delay(s, fd, cr.delay_ms) : true;
        if (alive) {
            char head[1024];
            const char *b = have ? cr.body : "no canned response";
            size_t bl = have ? cr.body_len : strlen(b);
            char echo[2100];
            if (have && b && strcmp(b, TS_ECHO_TARGET) == 0) { /* {"name": "<request target>"} */
                snprintf(echo, sizeof echo, "{\"name\":\"%s\"}", rq.target);
                b = echo;
                bl = strlen(echo);
            }
            int hl;
            if (cr.no_length)
                hl = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nConnection: close\r\n%s\r\n", cr.status,
                              reason(cr.status), cr.headers ? cr.headers : "");
            else if (cr.status == 204)
                hl = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n%s\r\n", cr.status, reason(cr.status),
                              cr.headers ? cr.headers : "");
            else
                hl = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s\r\n", cr.status,
                              reason(cr.status), bl, cr.headers ? cr.headers : "");
            alive = send_all(fd, head, (size_t)hl) && (cr.status == 204 || send_all(fd, b ? b : "", bl));
        }
        pthread_mutex_lock(&s->mu);
        s->in_flight--;
        pthread_mutex_unlock(&s->mu);
        bool close_it = cr.no_length || !alive;
        free(cr.headers);
        free(cr.body);
        if (close_it) {
            shutdown(fd, SHUT_WR);
            /* drain until the client closes */
            char tmp[256];
            while (recv(fd, tmp, sizeof tmp, 0) > 0) {
            }
            goto out;
        }
    }
out:
    free(buf);
    return NULL;
}

static void *accept_main(void *arg) {
    ts_server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) continue;
        int cfd = accept(s->fd, NULL, NULL);
        if (cfd < 0) continue;
        struct timeval tv = {10, 0};
        setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int one = 1;
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_mutex_lock(&s->mu);
        s->connections++;
        if (s->nconn >= TS_CMAX) {
            pthread_mutex_unlock(&s->mu);
            close(cfd);
            continue;
        }
        conn_arg *ca = malloc(sizeof *ca);
        ca->s = s;
        ca->fd = cfd;
        s->conn_fds[s->nconn] = cfd;
        if (pthread_create(&s->conn_threads[s->nconn], NULL, conn_main, ca) == 0) {
            s->nconn++;
        } else {
            free(ca);
            close(cfd);
        }
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

ts_server *ts_start(void) {
    ts_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(s->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->fd, 16) != 0) {
        close(s->fd);
        free(s);
        return NULL;
    }
    socklen_t al = sizeof a;
    getsockname(s->fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    pthread_create(&s->accept_thread, NULL, accept_main, s);
    return s;
}

void ts_stop(ts_server *s) {
    if (!s) return;
    atomic_store(&s->stop, 1);
    pthread_join(s->accept_thread, NULL);
    for (size_t i = 0; i < s->nconn; i++) shutdown(s->conn_fds[i], SHUT_RDWR);
    for (size_t i = 0; i < s->nconn; i++) {
        pthread_join(s->conn_threads[i], NULL);
        close(s->conn_fds[i]);
    }
    close(s->fd);
    for (int r = 0; r < 2; r++)
        for (size_t i = s->qhead[r]; i != s->qtail[r]; i++) {
            free(s->q[r][i % TS_QMAX].headers);
            free(s->q[r][i % TS_QMAX].body);
        }
    for (size_t i = 0; i < s->nreqs; i++) {
        free(s->reqs[i].head);
        free(s->reqs[i].body);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int ts_port(const ts_server *s) { return s->port; }
const char *ts_url(const ts_server *s) { return s->url; }

void ts_push_ex(ts_server *s, int route, int status, const char *headers, const char *body, size_t body_len,
                int delay_ms, bool no_length) {
    canned c;
    c.status = status;
    c.headers = headers ? strdup(headers) : NULL;
    c.body = malloc(body_len + 1);
    if (body_len) memcpy(c.body, body, body_len);
    c.body[body_len] = '\0';
    c.body_len = body_len;
    c.delay_ms = delay_ms;
    c.no_length = no_length;
    pthread_mutex_lock(&s->mu);
    s->q[route][s->qtail[route] % TS_QMAX] = c;
    s->qtail[route]++;
    pthread_mutex_unlock(&s->mu);
}

void ts_push(ts_server *s, int route, int status, const char *headers, const char *body) {
    ts_push_ex(s, route, status, headers, body, body ? strlen(body) : 0, 0, false);
}

size_t ts_request_count(ts_server *s) {
    pthread_mutex_lock(&s->mu);
    size_t n = s->nreqs;
    pthread_mutex_unlock(&s->mu);
    return n;
}

size_t ts_route_count(ts_server *s, int route) {
    pthread_mutex_lock(&s->mu);
    size_t n = s->route_count[route];
    pthread_mutex_unlock(&s->mu);
    return n;
}

int ts_connection_count(ts_server *s) {
    pthread_mutex_lock(&s->mu);
    int n = s->connections;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int ts_max_in_flight(ts_server *s) {
    pthread_mutex_lock(&s->mu);
    int n = s->max_in_flight;
    pthread_mutex_unlock(&s->mu);
    return n;
}

const ts_request *ts_get(ts_server *s, size_t i) {
    pthread_mutex_lock(&s->mu);
    const ts_request *r = i < s->nreqs ? &s->reqs[i] : NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

void ts_push_n(ts_server *s, int route, int status, const char *headers, const char *body, int delay_ms, int n) {
    for (int i = 0; i < n; i++) ts_push_ex(s, route, status, headers, body, body ? strlen(body) : 0, delay_ms, false);
}
