/* End-to-end test support: picks the server under test (an external one named by
 * PONTES_TEST_BASE_URL, or the mock server started here as a child process), talks to
 * the mock's admin endpoints, and runs a tiny HTTP listener that receives webhooks. */
#ifndef PONTES_E2E_SUPPORT_H
#define PONTES_E2E_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

/* The mock's default credentials (tools/mock/mock_server.py --client-id / --client-secret). */
#define E2E_DEFAULT_CLIENT_ID "pontes-demo"
#define E2E_DEFAULT_CLIENT_SECRET "pontes-demo-secret"

typedef struct e2e_server {
    bool external;          /* PONTES_TEST_BASE_URL was set: no mock, no admin endpoints */
    pid_t pid;              /* the mock child, or 0 */
    char tmpdir[256];       /* holds the port file */
    int port;
    int token_ttl;          /* --token-ttl given to the mock (0 when external) */
    char base_url[512];     /* no trailing slash */
    char token_url[600];
    char auth_base[600];    /* base URL of the "auth" server group (token_url minus /oauth2/token) */
    char client_id[256];
    char client_secret[256];
    const char *const *extra_args; /* more mock arguments (NULL-terminated), set before start */
    bool https;                    /* the mock serves TLS (extra_args carry --tls-*) */
} e2e_server;

/* Fill s from the environment (PONTES_TEST_BASE_URL, PONTES_TEST_TOKEN_URL,
 * PONTES_TEST_CLIENT_ID, PONTES_TEST_CLIENT_SECRET). When allow_external is true and
 * PONTES_TEST_BASE_URL is set, nothing is started (s->external = true). Otherwise the mock
 * is started with every spec in specs (NULL-terminated) and --token-ttl token_ttl, and its
 * port file is awaited. Returns 0 on success, -1 (with a message on stderr) on failure. */
int e2e_server_start(e2e_server *s, const char *const *specs, int token_ttl, bool allow_external);

/* Stop the mock (SIGTERM, then SIGKILL after 5 s) and reap it; remove the port file. Idempotent. */
void e2e_server_stop(e2e_server *s);

/* ---- plain HTTP to the admin endpoints (libcurl, no pontes involved) ---- */

/* Perform method url with an optional JSON body. Returns the HTTP status (or -1 on transport
 * failure); *resp (if not NULL) receives the NUL-terminated body (free()). */
long e2e_http(const char *method, const char *url, const char *json_body, char **resp);

/* POST base/__admin/<what> with body; returns the parsed JSON answer (cJSON_Delete) or NULL. */
cJSON *e2e_admin_post(const e2e_server *s, const char *what, const char *json_body, long *status);

/* POST /__admin/reset. Returns true on success. */
bool e2e_admin_reset(const e2e_server *s);

/* GET /__admin/requests: the request log (a JSON array), or NULL. */
cJSON *e2e_admin_requests(const e2e_server *s);

/* Number of log entries whose path ends with suffix (and, if method is not NULL, whose
 * method equals it). */
size_t e2e_log_count(const cJSON *log, const char *method, const char *path_suffix);

/* The last log entry whose operationId equals op_id, or NULL. */
const cJSON *e2e_log_last(const cJSON *log, const char *op_id);

/* ---- webhook listener ---- */

#define E2E_MAX_HOOKS 64

typedef struct e2e_hook {
    char *method;
    char *path;
    char *content_type;
    char *body;        /* NUL-terminated */
    size_t body_len;
} e2e_hook;

typedef struct e2e_listener e2e_listener;

/* Start listening on 127.0.0.1 (port 0) in a background thread. NULL on failure. */
e2e_listener *e2e_listener_start(void);
/* The URL to give to the mock, e.g. "http://127.0.0.1:40123/hooks/eccor". */
const char *e2e_listener_url(const e2e_listener *l);
/* Stop the thread and close the socket; the received requests stay readable. */
void e2e_listener_stop(e2e_listener *l);
size_t e2e_listener_count(const e2e_listener *l);
const e2e_hook *e2e_listener_hook(const e2e_listener *l, size_t i);
void e2e_listener_free(e2e_listener *l);

/* ---- small helpers ---- */

/* A string unique to this process and call ("<pid>-<n>-<time>"). */
const char *e2e_unique(char *buf, size_t cap);

/* "YYYY-MM-DDT03:00:00.000Z" for today + days (midnight in Brasília, as ECCOR wants). */
void e2e_date_in_days(char *buf, size_t cap, int days);

/* Sleep for ms milliseconds. */
void e2e_sleep_ms(long ms);

#endif
