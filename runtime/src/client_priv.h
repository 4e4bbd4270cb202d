/* Private interfaces shared by client.c (client, auth, transport, errors) and
 * request.c (request builder and send loop). Not installed. */
#ifndef PONTES_CLIENT_PRIV_H
#define PONTES_CLIENT_PRIV_H

#include "internal.h"

#include <curl/curl.h>
#include <stdatomic.h>

enum { CRED_BEARER = 1, CRED_BASIC, CRED_API_KEY, CRED_OAUTH2, CRED_OAUTHP, CRED_SESSION };

typedef struct cred {
    char *scheme;
    int kind;            /* CRED_* */
    char *secret;        /* bearer token, Basic credential (base64), API key; OAuth2: client Basic credential */
    char *token_url;     /* OAuth2 */
    char *scope;         /* OAuth2, or NULL */
    long margin_s;       /* OAuth2 refresh margin */
    char *plain;         /* Basic password / OAuth2 client secret as given: kept only to redact echoes */
    char *access_token;  /* OAuth2 token cache, or NULL */
    double expiry;       /* CLOCK_MONOTONIC seconds */
    /* CRED_OAUTHP (auth_oauthp.c): secret = consumer key, plain = secret key, access_token */
    char *code;          /* one-time consent code, or NULL */
    int64_t expires_at;  /* wall-clock Unix seconds of access_token's expiry (0: unknown) */
    int sign;            /* -1: the profile's default, 0, 1 */
    pontes_clock_fn clock;
    void *clock_user;
    unsigned token_gen;  /* bumped whenever access_token changes */
    /* CRED_SESSION (auth_session.c): access_token = the session token, clock as above */
    struct pontes_cl_session *sess;
} cred;

typedef struct server {
    char *group; /* NULL: main */
    char *url;
} server;

struct pontes_client {
    const pontes_api *api;
    pontes_client_options o; /* strings are owned copies (base_url lives in servers) */
    CURL *curl;
    pontes_error err;
    server *servers;
    size_t nservers;
    cred *creds;
    size_t ncreds;
    uint64_t rng;
    bool handle_ready; /* the options that never change are set on curl */
    atomic_int busy;   /* in-use guard: 1 while a call or a request builder holds the client */
    double deadline;   /* CLOCK_MONOTONIC end of the current call's time budget */
    pontes_deviations dev; /* deviations tolerated while decoding the last response */
    struct pontes_cl_call_secrets *call_secrets; /* secrets.c: secret body values of the calls in progress */
    /* transport.c: what is set on the client's own handle (c->curl) now, so that an exchange
       sets only the options that differ from the previous one on it */
    struct pontes_cl_hstate {
        bool valid;                 /* the fields below describe the handle */
        bool plain_get;             /* the method options are those of a plain GET (HTTPGET, no body) */
        pontes_buf url;             /* CURLOPT_URL as set (wiped when replaced: it may carry a query key) */
        const struct curl_slist *headers; /* CURLOPT_HTTPHEADER as set */
        const void *data;           /* WRITEDATA / HEADERDATA as set */
        long timeout_ms, connect_ms;
        char errbuf[CURL_ERROR_SIZE]; /* the handle's CURLOPT_ERRORBUFFER (the client's, set once) */
    } hs;
    /* request.c: buffers lent to the synchronous call (pontes_request_send) and kept between
       calls, wiped after each: the URL, the request header lines and their list nodes, the
       response body (kept while small), one spare request */
    pontes_buf spare_url, spare_htext, spare_resp;
    struct curl_slist *spare_nodes;
    size_t spare_ncap;
    struct pontes_request *spare_req;
    /* response compression (pontes_client_set_compression): PONTES_ENCODING_* bits and the
       Accept-Encoding value they make ("" : none) */
    unsigned encodings;
    char accept_enc[40];
};

/* One HTTP exchange: inputs, then the result of the last pontes_cl_perform. */
typedef struct pontes_cl_xfer {
    const char *method;
    const char *url;
    struct curl_slist *headers;
    const char *body;
    size_t body_len;
    bool has_body;
    curl_mime *mime;
    /* a streamed body (upload.c), when read_fn is set: read_len bytes from read_fn */
    curl_read_callback read_fn;
    curl_seek_callback seek_fn;
    void *read_data;
    curl_off_t read_len;
    /* result */
    CURLcode cc;
    long status;
    long elapsed_ms;
    bool toobig, nomem;
    size_t max;
    pontes_buf resp; /* NUL-terminated after pontes_cl_perform */
    size_t resp_hw;  /* bytes of resp.data ever written (what freeing wipes) */
    bool resp_given; /* resp.data was handed to an error's body (pontes_cl_xfer_give_body): readable
                        until the call ends, never freed, wiped or reused through x */
    CURL *h;         /* the handle of the exchange in progress */
    bool out_of_time; /* the call's time budget was spent before/while this attempt ran */
    double deadline;  /* input: end of this call's budget (0: the client's current call) */
    long attempt_timeout_ms; /* input: per-attempt limit (0: the client's option) */
    long budget_ms;   /* the call's whole limit, for messages (0: the client's timeout_ms) */
    double t0, attempt_deadline;
    char errbuf[CURL_ERROR_SIZE];
    pontes_buf hdrs; /* "Name: value\n" lines of the final response: only those the runtime reads
                        (Retry-After, X-Request-Id, X-Correlation-Id, want_hdr; see pontes_cl_header) */
    char curl_msg[CURL_ERROR_SIZE];
    const char *want_hdr; /* input: one more response header to keep (the API's request-id header), or NULL */
    bool headers_kept;    /* input: the header list outlives the exchange (the client's own, request.c) */
} pontes_cl_xfer;

#define PONTES_CL_AUTH_MORE 4
typedef struct pontes_cl_auth {
    cred *cr;                        /* NULL: no auth */
    const pontes_security_req *req;
    const pontes_operation *op;
    /* the other schemes of the same requirement (pontes_security_req.group), all sent */
    cred *more[PONTES_CL_AUTH_MORE];
    const pontes_security_req *more_req[PONTES_CL_AUTH_MORE];
    size_t nmore;
    /* oauth-params: what the last attempt carried */
    bool sent_code, sent_token;
    unsigned token_gen;
    /* session: the last attempt carried the session token (token_gen) at this clock time */
    bool sent_session;
    unsigned session_gen;
    int64_t session_sent_at;
} pontes_cl_auth;

/* in-use guard (PONTES_EBUSY when another thread holds the client) */
int pontes_cl_enter(pontes_client *c);
void pontes_cl_leave(pontes_client *c);

/* the time budget of one call (timeout_ms covers every attempt and wait) */
void pontes_cl_begin_call(pontes_client *c);
long pontes_cl_remaining_ms(const pontes_client *c);
long pontes_cl_ms_until(double deadline); /* ms left until a CLOCK_MONOTONIC deadline (0 when past) */
bool pontes_cl_wait_fits(double deadline, long delay_ms);

/* header-value checks: a control byte other than HTAB (or DEL) makes a value unfit for
 * a header line; returns the offset of the first such byte, or -1 */
long pontes_cl_bad_header_byte(const char *s);

/* redact the client's known secrets out of every string of err */
void pontes_cl_redact_error(pontes_client *c, pontes_error *err);

/* secrets.c: values of PONTES_F_SECRET members of a request body, known secrets of the client
 * (log and error redaction) from register until release (by owner: the request), then wiped */
int pontes_cl_call_secrets_register(pontes_client *c, const void *owner, const pontes_type *t, const void *body);
void pontes_cl_call_secrets_release(pontes_client *c, const void *owner);
size_t pontes_cl_call_secrets_count(const pontes_client *c);
size_t pontes_cl_call_secrets_append(const pontes_client *c, const char **v, size_t n); /* returns the new n */

/* util.c */
int pontes_cl_ci_eq_n(const char *a, const char *b, size_t n);
uint64_t pontes_cl_rng_next(pontes_client *c);
int pontes_cl_check_url(pontes_client *c, const char *what, const char *u);
int pontes_cl_set_begin(pontes_client *c);   /* guard + reset the last error (setters) */
int pontes_cl_set_end(pontes_client *c, int rc);
void pontes_cl_slist_wipe_free(struct curl_slist *l);
void pontes_cl_one_line(char *dst, size_t cap, const char *s);

/* log_client.c: curl's debug callback (header lines, redacted, at DEBUG) */
int pontes_cl_on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud);

/* auth.c */
void pontes_cl_cred_clear(cred *cr);
cred *pontes_cl_cred_find(pontes_client *c, const char *scheme);
cred *pontes_cl_cred_slot(pontes_client *c, const char *scheme); /* found or new, cleared */
int pontes_cl_cred_fail(pontes_client *c, cred *cr);               /* undo a half-made slot: ENOMEM */

/* helpers */
void pontes_cl_wipe(void *p, size_t n);
void pontes_cl_secret_free(char *s);
char *pontes_cl_strdup(const char *s);
double pontes_cl_now(void);
int pontes_cl_buf_cstr(pontes_buf *b);
void pontes_cl_buf_wipe_free(pontes_buf *b);
int pontes_cl_percent_append(pontes_buf *b, const char *s, size_t len);

/* logging (redacted) */
bool pontes_cl_log_enabled(const pontes_client *c, pontes_log_level lvl);
void pontes_cl_log(pontes_client *c, pontes_log_level lvl, const char *fmt, ...) PONTES_PRINTF(3, 4);

/* servers */
const char *pontes_cl_base_url(const pontes_client *c, const pontes_operation *op);

/* transport */
void pontes_cl_xfer_init(pontes_cl_xfer *x);
void pontes_cl_xfer_free(pontes_cl_xfer *x);
/* err->body := the response body itself, no copy (a large error body is held once): the error
 * owns the buffer; x still reads it until the call ends. No-op for an empty body. */
void pontes_cl_xfer_give_body(pontes_cl_xfer *x, pontes_error *err);
void pontes_cl_perform(pontes_client *c, pontes_cl_xfer *x);
/* the same in two halves, for curl's multi interface (batch.c) */
void pontes_cl_configure_handle(pontes_client *c, CURL *h);
bool pontes_cl_xfer_setup(pontes_client *c, pontes_cl_xfer *x, CURL *h);
void pontes_cl_xfer_finish(pontes_client *c, pontes_cl_xfer *x, CURLcode cc);
const char *pontes_cl_header(const pontes_cl_xfer *x, const char *name, size_t *len); /* kept names only */
void pontes_cl_handle_state_free(pontes_client *c); /* client.c: at pontes_client_free */
void pontes_cl_call_spares_free(pontes_client *c);  /* request.c: at pontes_client_free */
bool pontes_cl_should_retry(const pontes_cl_xfer *x, bool idempotent, char *reason, size_t cap);
long pontes_cl_retry_delay(pontes_client *c, const pontes_cl_xfer *x, unsigned retry_index);
void pontes_cl_sleep(long ms);
int pontes_cl_transport_error(pontes_client *c, const pontes_cl_xfer *x, const char *method, const char *what,
                              unsigned attempts);
/* Whether a wait of delay_ms before another attempt fits the remaining budget. */
bool pontes_cl_retry_fits(const pontes_client *c, long delay_ms);

/* errors */
void pontes_cl_fill_provider_error(pontes_error *err, const pontes_error_model *m, pontes_cl_xfer *x);
void pontes_cl_http_error_message(pontes_error *err, int status, const char *method, const char *what);
/* x-pontes-envelope check of a 2xx body (before decoding): PONTES_OK (success; *missing when the
 * code member is absent/null/not a scalar, tolerated), PONTES_EPROVIDER (a failure code: err filled),
 * PONTES_EDECODE (strict and no code), PONTES_ENOMEM */
int pontes_cl_check_envelope(pontes_error *err, const pontes_error_model *m, const pontes_envelope_desc *env,
                             pontes_cl_xfer *x, bool strict, const char *method, const char *path,
                             const char *op_id, bool *missing);
void pontes_cl_envelope_deviation(pontes_deviations *d, const char *code_member); /* the tolerated *missing */

/* auth */
int pontes_cl_select_auth(pontes_client *c, const pontes_operation *op, pontes_cl_auth *a);
int pontes_cl_prepare_auth(pontes_client *c, pontes_cl_auth *a, char **header, char **query);
void pontes_cl_drop_token(pontes_cl_auth *a);
/* the header lines of the requirement's other schemes (a->more), appended to *l */
int pontes_cl_auth_more_headers(pontes_client *c, pontes_cl_auth *a, struct curl_slist **l);
/* after a response (request.c's finish step): a success of the token operation stores its
 * token; a provider error listed in token_invalid drops the token (EAUTH). Returns rc or a
 * new status (err filled). */
int pontes_cl_auth_result(pontes_client *c, pontes_cl_auth *a, const pontes_operation *op,
                          const pontes_cl_xfer *x, int rc);
/* at the very end of a call: a code that was sent is consumed */
void pontes_cl_auth_done(pontes_cl_auth *a, unsigned attempts);
/* auth_oauthp.c (used by auth.c) */
int pontes_cl_oauthp_header(pontes_client *c, pontes_cl_auth *a, cred *cr, const pontes_security_req *q,
                            pontes_buf *b);
int64_t pontes_cl_oauthp_now(const cred *cr);
/* auth_session.c (used by auth.c, request.c, log_client.c): x-pontes-auth style session */
void pontes_cl_session_free(struct pontes_cl_session *s);
/* log in first when the session has no token or has been idle too long; then the bearer line */
int pontes_cl_session_header(pontes_client *c, pontes_cl_auth *a, cred *cr, pontes_buf *b);
/* after a response: renewal on 2xx, capture of the login operation's token */
int pontes_cl_session_result(pontes_client *c, pontes_cl_auth *a, const pontes_operation *op,
                             const pontes_cl_xfer *x, int rc);
/* a 401 of an attempt that carried the session token: drop it (true when it did) */
bool pontes_cl_session_drop_on_401(pontes_cl_auth *a);
int pontes_cl_session_login(pontes_client *c, cred *cr); /* pontes_client_authenticate */
size_t pontes_cl_session_secret_count(const cred *cr);
size_t pontes_cl_session_secrets_append(const cred *cr, const char **v, size_t n); /* returns the new n */

/* request.c: one call of an operation, in steps (pontes_request_send runs them in a
 * loop on the client's handle; batch.c on handles of a curl multi). All steps report
 * into the client's last error. */
typedef struct pontes_call {
    pontes_request *r;        /* owned: freed (and the client released) by pontes_call_free */
    pontes_buf url, body;
    const char *ctype;
    bool has_body, multipart;
    pontes_cl_auth auth;
    bool idempotent, refreshed;
    unsigned attempts, retries, max_retries;
    long budget_ms, delay_ms;
    double deadline;
    pontes_cl_xfer x;
    struct curl_slist *hl;    /* this attempt's headers */
    pontes_buf full;          /* this attempt's URL with a query credential */
    curl_mime *mime;          /* this attempt's multipart body */
    struct pontes_upload *up; /* upload.c: streamed body segments / file parts, or NULL */
    /* this attempt's header lines ("Name: value\0" each) and the list nodes pointing into them
       (CURLOPT_HTTPHEADER; the requirement's other auth schemes, hl, hang off the last node) */
    pontes_buf htext;
    struct curl_slist *nodes;
    size_t ncap;
    bool lent;                /* url, htext, nodes and x.resp are the client's spares (sync path) */
} pontes_call;
#define PONTES_CALL_DONE 0
#define PONTES_CALL_AGAIN 1   /* attempt again after delay_ms (-1: at once, no wait) */
int pontes_call_prepare(pontes_call *k, pontes_request *r);
int pontes_call_attempt_begin(pontes_call *k, CURL *h); /* k->x.h NULL after: no time, attempt over */
int pontes_call_attempt_end(pontes_call *k);            /* after pontes_cl_xfer_finish */
int pontes_call_finish(pontes_call *k, int rc, void **out, long *http_status);
void pontes_call_free(pontes_call *k);
void pontes_cl_request_release(pontes_request *r); /* drop the in-use guard early (batch queue) */
pontes_client *pontes_cl_request_client(const pontes_request *r);
int pontes_cl_request_failed(const pontes_request *r);

#endif
