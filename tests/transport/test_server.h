/* A tiny scriptable HTTP/1.1 server for the transport tests.
 *
 * Listens on 127.0.0.1 (port chosen by the kernel), one thread per connection,
 * keep-alive. Each request pops a canned response from a queue (route 1 for
 * targets starting with "/token", route 0 for everything else) and is recorded
 * (request line + headers, body). Accepted connections are counted. */
#ifndef PONTES_TEST_SERVER_H
#define PONTES_TEST_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define TS_ROUTE_API 0
#define TS_ROUTE_TOKEN 1

typedef struct ts_request {
    char method[16];
    char target[2048];
    char *head; /* request line and headers, NUL-terminated */
    char *body; /* NUL-terminated (may contain NULs before body_len) */
    size_t body_len;
} ts_request;

typedef struct ts_server ts_server;

ts_server *ts_start(void);
void ts_stop(ts_server *s);
int ts_port(const ts_server *s);
/* Base URL "http://127.0.0.1:PORT" (static storage inside s). */
const char *ts_url(const ts_server *s);

/* Queue a response. headers: extra header lines each ending in "\r\n" (or NULL).
 * delay_ms: wait before answering (aborted if the client goes away).
 * no_length: send the body without Content-Length and close the connection. */
void ts_push_ex(ts_server *s, int route, int status, const char *headers, const char *body, size_t body_len,
                int delay_ms, bool no_length);
void ts_push(ts_server *s, int route, int status, const char *headers, const char *body);
/* A canned body equal to TS_ECHO_TARGET is answered as {"name":"<request target>"}. */
#define TS_ECHO_TARGET "@echo-target"
/* In a canned body or header lines, TS_ECHO_BODY is replaced by the request body as received
 * (raw bytes) and TS_ECHO_BODY_STR by the request body escaped for a JSON string ('"', '\\'). */
#define TS_ECHO_BODY "@echo-body@"
#define TS_ECHO_BODY_STR "@echo-body-str@"
/* Queue n copies of the same response. */
void ts_push_n(ts_server *s, int route, int status, const char *headers, const char *body, int delay_ms, int n);

size_t ts_request_count(ts_server *s);
size_t ts_route_count(ts_server *s, int route);
int ts_connection_count(ts_server *s);
/* The most requests in progress at once (read, not answered yet) since ts_start. */
int ts_max_in_flight(ts_server *s);
/* Copy of recorded request i (valid until ts_stop). */
const ts_request *ts_get(ts_server *s, size_t i);

#endif
