/* End-to-end test support: picks the server under test (an external one, or the mock server
 * started here as a child process), talks to the mock's admin endpoints, counts the operations
 * a suite reached, and runs a tiny HTTP listener that receives webhooks.
 *
 * Server per API. Each suite names its API (e2e_server.api, the generated prefix: "eccor",
 * "bestbank", "bizapis"); every PONTES_TEST_* variable is read as PONTES_TEST_<NAME>_<API>
 * first (API upper-cased: PONTES_TEST_BASE_URL_BESTBANK), then as PONTES_TEST_<NAME>
 * (e2e_env). So one independent server per spec can be used, e.g.
 *     PONTES_TEST_BASE_URL_ECCOR=http://127.0.0.1:4010 PONTES_TEST_BASE_URL_BESTBANK=http://127.0.0.1:4011
 * while PONTES_TEST_BASE_URL alone points every suite at one server. The variables:
 *   BASE_URL       the external server (no mock is started; its admin endpoints are not used)
 *   TOKEN_URL      its token endpoint (default BASE_URL + /oauth2/token)
 *   CLIENT_ID, CLIENT_SECRET, SCOPE and the suite's own credential variables
 *   STATEFUL=1     the external server keeps state (records created can be read back, it checks
 *                  credentials and answers errors); by default an external server is taken to be
 *                  stateless, like Prism: every operation is still called and its answer decoded,
 *                  only the assertions that need state are skipped (counted by e2e_needs_state).
 *   EXAMPLES=0|1   whether decoded values are compared with the spec's first examples (default:
 *                  yes for the mock and a stateless server, no for a stateful external one).
 * Every suite ends with a test that fails unless every operation of its API was reached (a
 * request sent and an HTTP answer received: a decoded result or a decoded provider error),
 * in both modes, and prints "e2e[<api>]: reached N/M operations ..." (tools/test-prism.sh). */
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
    bool external;          /* PONTES_TEST_BASE_URL(_<API>) was set: no mock, no admin endpoints */
    bool stateful;          /* the mock, or an external server with PONTES_TEST_STATEFUL(_<API>)=1 */
    bool examples;          /* the server answers the spec's (first) examples where it keeps no state:
                               the mock and a stateless external server (like Prism), unless
                               PONTES_TEST_EXAMPLES(_<API>)=0; a stateful external one only with =1 */
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
    const char *api;               /* the generated prefix ("eccor"), set before start; NULL:
                                      only the unsuffixed PONTES_TEST_* variables are read */
} e2e_server;

/* The value of PONTES_TEST_<name>_<API> (s->api upper-cased), else of PONTES_TEST_<name>, else
 * NULL (empty values count as unset). name is e.g. "BASE_URL". The result points into the
 * environment (getenv). */
const char *e2e_env(const e2e_server *s, const char *name);

/* Fill s from the environment (e2e_env: BASE_URL, TOKEN_URL, CLIENT_ID, CLIENT_SECRET, STATEFUL).
 * When allow_external is true and BASE_URL is set, nothing is started (s->external = true). Otherwise the mock
 * is started with every spec in specs (NULL-terminated) and --token-ttl token_ttl, and its
 * port file is awaited. Returns 0 on success, -1 (with a message on stderr) on failure. */
int e2e_server_start(e2e_server *s, const char *const *specs, int token_ttl, bool allow_external);

/* Stop the mock (SIGTERM, then SIGKILL after 5 s) and reap it; remove the port file. Idempotent. */
void e2e_server_stop(e2e_server *s);

/* ---- plain HTTP to the admin endpoints (libcurl, no pontes involved) ---- */

/* Perform method url with an optional JSON body. Returns the HTTP status (or -1 on transport
 * failure); *resp (if not NULL) receives the NUL-terminated body (free()). */
long e2e_http(const char *method, const char *url, const char *json_body, char **resp);

/* GET url without following redirects; copies the value of response header `header` (e.g.
 * "Location") into buf (cap bytes, "" when absent). Returns the HTTP status or -1. */
long e2e_http_header(const char *url, const char *header, char *buf, size_t cap);

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

/* ---- operations reached ---- */

/* One operation of the API: its operationId and the generated C function ("eccor_list_products"). */
typedef struct e2e_op {
    const char *id;
    const char *fn;
} e2e_op;

/* Start counting the operations of a suite: ops lists every operation of the API, ended by
 * {NULL, NULL} (kept by pointer). */
void e2e_ops_init(const char *api, const e2e_op *ops);
/* Record one call: call is the operationId or the text of the C call ("eccor_list_products(c,
 * &pp)", "eccor_list_products_ex(...)": matched by its function name). answered: the operation
 * was reached — the call succeeded, or an HTTP answer came back and was decoded as a provider
 * error. Returns rc. A call of no listed operation is reported and fails the final check. */
int e2e_op_mark(const char *call, int rc, bool answered);
/* Print "e2e[<api>]: reached N/M operations; state checks skipped: K; not reached: ..." and
 * return the number of operations not reached (plus unknown ones). */
size_t e2e_ops_report(const e2e_server *s);
/* The server keeps no state (an external server without STATEFUL=1): returns true, prints
 * "skipped (stateless server): <what>" and counts it; false against a stateful server. */
bool e2e_needs_state(const e2e_server *s, const char *what);
/* Number of e2e_needs_state skips so far. */
size_t e2e_state_skips(void);

/* ---- small helpers ---- */

/* A string unique to this process and call ("<pid>-<n>-<time>"). */
const char *e2e_unique(char *buf, size_t cap);

/* "YYYY-MM-DDT03:00:00.000Z" for today + days (midnight in Brasília, as ECCOR wants). */
void e2e_date_in_days(char *buf, size_t cap, int days);

/* Sleep for ms milliseconds. */
void e2e_sleep_ms(long ms);

#endif
