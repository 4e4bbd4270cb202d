/* Session schemes (x-pontes-auth style session on an http bearer scheme): credentials by
 * role, the login the runtime sends by itself (the profile's login operation: its method,
 * path and server, one header per role, no bearer) when the session has no token or has
 * been idle too long, renewal by successful calls, re-login once on a 401, capture of the
 * token when the caller calls the login operation, and the secrets to redact. Part of the
 * auth layer: uses the transport and provider errors, like auth.c's OAuth2 token fetch. */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pontes_cl_session {
    const pontes_auth_profile *pf;
    char **values;   /* [pf->role_count]: the credentials (or NULL: not set) */
    char **headers;  /* [pf->role_count]: header-name overrides (or NULL: the spec's) */
    char **redact;   /* every credential as given, JSON-escaped and percent-encoded */
    size_t nredact;
    int64_t last_used; /* clock time of the last successful authenticated call or login (0: never) */
};

typedef struct pontes_cl_session session;

static void strv_free(char **v, size_t n, bool secret) {
    if (!v) return;
    for (size_t i = 0; i < n; i++) {
        if (secret) pontes_cl_secret_free(v[i]);
        else free(v[i]);
    }
    free(v);
}

void pontes_cl_session_free(session *s) {
    if (!s) return;
    size_t n = s->pf ? s->pf->role_count : 0;
    strv_free(s->values, n, true);
    strv_free(s->headers, n, false);
    strv_free(s->redact, s->nredact, true);
    free(s);
}

/* ---- the profile of a scheme --------------------------------------------- */
static const pontes_auth_profile *find_profile(const pontes_api *api, const char *scheme) {
    for (size_t i = 0; api && api->auth_profiles && i < api->auth_profile_count; i++) {
        const pontes_auth_profile *pf = api->auth_profiles[i];
        if (pf && pf->style == PONTES_AUTH_SESSION && pf->scheme && strcmp(pf->scheme, scheme) == 0) return pf;
    }
    return NULL;
}

static int no_such_scheme(pontes_client *c, const char *scheme) {
    pontes_buf names;
    pontes_buf_init(&names);
    const pontes_api *api = c->api;
    for (size_t i = 0; api && api->auth_profiles && i < api->auth_profile_count; i++) {
        const pontes_auth_profile *pf = api->auth_profiles[i];
        if (!pf || pf->style != PONTES_AUTH_SESSION || !pf->scheme) continue;
        if (names.len) pontes_buf_puts(&names, ", ");
        pontes_buf_puts(&names, pf->scheme);
    }
    pontes_cl_buf_cstr(&names);
    bool any = names.len && !names.failed;
    int rc = pontes_err_set(&c->err, PONTES_EINVAL,
                            "scheme %s is not a session scheme of API %s (x-pontes-auth style session)%s%s", scheme,
                            api && api->name ? api->name : "?", any ? "; its session schemes: " : "; it has none",
                            any ? names.data : "");
    pontes_buf_free(&names);
    return rc;
}

static long role_index(const pontes_auth_profile *pf, const char *role) {
    for (size_t i = 0; i < pf->role_count; i++)
        if (pf->roles[i].role && strcmp(pf->roles[i].role, role) == 0) return (long)i;
    return -1;
}

static int no_such_role(pontes_client *c, const pontes_auth_profile *pf, const char *role) {
    pontes_buf names;
    pontes_buf_init(&names);
    for (size_t i = 0; i < pf->role_count; i++) {
        if (i) pontes_buf_puts(&names, ", ");
        pontes_buf_puts(&names, pf->roles[i].role ? pf->roles[i].role : "?");
    }
    pontes_cl_buf_cstr(&names);
    int rc = pontes_err_set(&c->err, PONTES_EINVAL, "session scheme %s has no credential role %s (its roles: %s)",
                            pf->scheme, role, names.data && !names.failed ? names.data : "none");
    pontes_buf_free(&names);
    return rc;
}

/* The session credentials of scheme (made when missing; a credential of another kind is
 * replaced). NULL: the last error is set. */
static cred *session_cred(pontes_client *c, const char *scheme, const pontes_auth_profile *pf) {
    cred *cr = pontes_cl_cred_find(c, scheme);
    if (cr && cr->kind == CRED_SESSION && cr->sess) return cr;
    cr = pontes_cl_cred_slot(c, scheme);
    if (!cr) {
        pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
        return NULL;
    }
    cr->kind = CRED_SESSION;
    cr->sess = calloc(1, sizeof *cr->sess);
    if (cr->sess) {
        cr->sess->pf = pf;
        size_t n = pf->role_count ? pf->role_count : 1;
        cr->sess->values = calloc(n, sizeof(char *));
        cr->sess->headers = calloc(n, sizeof(char *));
    }
    if (!cr->sess || !cr->sess->values || !cr->sess->headers) {
        pontes_cl_cred_fail(c, cr);
        pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
        return NULL;
    }
    return cr;
}

/* ---- redaction ---------------------------------------------------------------- */
/* The text between the quotes of the JSON string for s (solidus escaped as "\/" or not),
 * when it differs from s (else NULL). */
static char *json_escaped(const char *s, bool solidus) {
    size_t n = strlen(s), extra = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\' || (solidus && ch == '/')) extra += 1;
        else if (ch < 0x20 || ch == 0x7f) extra += 5;
    }
    if (!extra) return NULL;
    char *o = malloc(n + extra + 1), *p = o;
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\' || (solidus && ch == '/')) {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f) {
            snprintf(p, 7, "\\u%04x", ch);
            p += 6;
        } else {
            *p++ = (char)ch;
        }
    }
    *p = '\0';
    return o;
}

static bool redact_add(session *s, char *v) {
    if (!v) return false;
    char **nv = realloc(s->redact, (s->nredact + 1) * sizeof *nv);
    if (!nv) {
        pontes_cl_secret_free(v);
        return false;
    }
    s->redact = nv;
    s->redact[s->nredact++] = v;
    return true;
}

/* Rebuild the list of forms to redact from the credentials held. */
static int redact_rebuild(session *s) {
    strv_free(s->redact, s->nredact, true);
    s->redact = NULL;
    s->nredact = 0;
    for (size_t i = 0; i < s->pf->role_count; i++) {
        const char *v = s->values[i];
        if (!v || !*v) continue;
        if (!redact_add(s, pontes_cl_strdup(v))) return PONTES_ENOMEM;
        /* a "/" is escaped by some JSON writers only: both forms are listed */
        for (int solidus = 0; solidus < 2; solidus++) {
            if (solidus && !strchr(v, '/')) break;
            char *j = json_escaped(v, solidus);
            if (j && !redact_add(s, j)) return PONTES_ENOMEM;
        }
        char *pe = pontes_percent_encode(v, strlen(v));
        if (!pe) return PONTES_ENOMEM;
        if (strcmp(pe, v) == 0) pontes_cl_secret_free(pe);
        else if (!redact_add(s, pe)) return PONTES_ENOMEM;
    }
    return PONTES_OK;
}

size_t pontes_cl_session_secret_count(const cred *cr) {
    return cr->kind == CRED_SESSION && cr->sess ? cr->sess->nredact : 0;
}

size_t pontes_cl_session_secrets_append(const cred *cr, const char **v, size_t n) {
    if (cr->kind != CRED_SESSION || !cr->sess) return n;
    for (size_t i = 0; i < cr->sess->nredact; i++) v[n++] = cr->sess->redact[i];
    return n;
}

/* ---- setters ---------------------------------------------------------------------- */
static void drop_token(cred *cr) {
    if (!cr->access_token) return;
    pontes_cl_secret_free(cr->access_token);
    cr->access_token = NULL;
    cr->token_gen++;
}

static bool is_tchar(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Common start of the setters: the profile of scheme and the role's index (role may be NULL). */
static int begin(pontes_client *c, const char *scheme, const char *role, const pontes_auth_profile **pf, long *ri) {
    *pf = find_profile(c->api, scheme);
    if (!*pf) return no_such_scheme(c, scheme);
    if (!role) return PONTES_OK;
    *ri = role_index(*pf, role);
    return *ri < 0 ? no_such_role(c, *pf, role) : PONTES_OK;
}

int pontes_client_set_session_credential(pontes_client *c, const char *scheme, const char *role,
                                         const char *value) {
    if (!c || !scheme || !role) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    const pontes_auth_profile *pf;
    long ri = -1;
    int rc = begin(c, scheme, role, &pf, &ri);
    if (rc == PONTES_OK && value) {
        long off = pontes_cl_bad_header_byte(value);
        if (off >= 0)
            rc = pontes_err_set(&c->err, PONTES_EINVAL,
                                "credential %s of session scheme %s contains a control character (byte 0x%02x at "
                                "offset %ld): refused, it would break the header line",
                                role, scheme, (unsigned)(unsigned char)value[off], off);
        else if (!*value)
            rc = pontes_err_set(&c->err, PONTES_EINVAL, "credential %s of session scheme %s is empty", role, scheme);
    }
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = session_cred(c, scheme, pf);
    if (!cr) return pontes_cl_set_end(c, c->err.status);
    char *v = value ? pontes_cl_strdup(value) : NULL;
    if (value && !v) return pontes_cl_set_end(c, pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory"));
    session *s = cr->sess;
    pontes_cl_secret_free(s->values[ri]);
    s->values[ri] = v;
    drop_token(cr); /* a session of other credentials is not this one */
    s->last_used = 0;
    rc = redact_rebuild(s);
    if (rc != PONTES_OK) {
        /* never hold a credential that could not be registered for redaction */
        for (size_t i = 0; i < pf->role_count; i++) {
            pontes_cl_secret_free(s->values[i]);
            s->values[i] = NULL;
        }
        strv_free(s->redact, s->nredact, true);
        s->redact = NULL;
        s->nredact = 0;
        return pontes_cl_set_end(c, pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory (credentials cleared)"));
    }
    return pontes_cl_set_end(c, PONTES_OK);
}

int pontes_client_set_session_header(pontes_client *c, const char *scheme, const char *role,
                                     const char *header_name) {
    if (!c || !scheme || !role) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    const pontes_auth_profile *pf;
    long ri = -1;
    int rc = begin(c, scheme, role, &pf, &ri);
    if (rc == PONTES_OK && header_name) {
        bool ok = *header_name != '\0';
        for (const char *p = header_name; ok && *p; p++) ok = is_tchar((unsigned char)*p);
        if (!ok)
            rc = pontes_err_set(&c->err, PONTES_EINVAL,
                                "header name for credential %s of session scheme %s is not an HTTP token "
                                "(letters, digits, !#$%%&'*+-.^_`|~)",
                                role, scheme);
    }
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = session_cred(c, scheme, pf);
    if (!cr) return pontes_cl_set_end(c, c->err.status);
    char *h = header_name ? pontes_cl_strdup(header_name) : NULL;
    if (header_name && !h) return pontes_cl_set_end(c, pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory"));
    free(cr->sess->headers[ri]);
    cr->sess->headers[ri] = h;
    return pontes_cl_set_end(c, PONTES_OK);
}

int pontes_client_set_session_clock(pontes_client *c, const char *scheme, pontes_clock_fn clock, void *clock_user) {
    if (!c || !scheme) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    const pontes_auth_profile *pf;
    long ri = -1;
    int rc = begin(c, scheme, NULL, &pf, &ri);
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = session_cred(c, scheme, pf);
    if (!cr) return pontes_cl_set_end(c, c->err.status);
    cr->clock = clock;
    cr->clock_user = clock_user;
    return pontes_cl_set_end(c, PONTES_OK);
}

/* A token becomes a header line "Authorization: Bearer <token>": no control byte, no space. */
static long bad_token_byte(const char *t) {
    for (long i = 0; t[i]; i++) {
        unsigned char ch = (unsigned char)t[i];
        if (ch <= 0x20 || ch == 0x7f) return i;
    }
    return -1;
}

int pontes_client_set_session_token(pontes_client *c, const char *scheme, const char *token) {
    if (!c || !scheme) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    const pontes_auth_profile *pf;
    long ri = -1;
    int rc = begin(c, scheme, NULL, &pf, &ri);
    if (rc == PONTES_OK && token && (!*token || bad_token_byte(token) >= 0))
        rc = pontes_err_set(&c->err, PONTES_EINVAL,
                            "session token for scheme %s is empty or contains a space or control character", scheme);
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = session_cred(c, scheme, pf);
    if (!cr) return pontes_cl_set_end(c, c->err.status);
    char *t = token ? pontes_cl_strdup(token) : NULL;
    if (token && !t) return pontes_cl_set_end(c, pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory"));
    drop_token(cr);
    cr->access_token = t;
    cr->token_gen++;
    cr->sess->last_used = t ? pontes_cl_oauthp_now(cr) : 0;
    return pontes_cl_set_end(c, PONTES_OK);
}

int pontes_client_session_state(const pontes_client *c, const char *scheme, bool *has_token, int64_t *last_used) {
    if (has_token) *has_token = false;
    if (last_used) *last_used = 0;
    if (!c || !scheme || !find_profile(c->api, scheme)) return PONTES_EINVAL;
    for (size_t i = 0; i < c->ncreds; i++) {
        const cred *cr = &c->creds[i];
        if (strcmp(cr->scheme, scheme) != 0) continue;
        if (cr->kind != CRED_SESSION || !cr->sess) break;
        if (has_token) *has_token = cr->access_token != NULL;
        if (last_used) *last_used = cr->sess->last_used;
        break;
    }
    return PONTES_OK;
}

/* ---- the token of a login answer ------------------------------------------------ */
static void wipe_json(cJSON *n) {
    for (; n; n = n->next) {
        if (n->valuestring) pontes_cl_wipe(n->valuestring, strlen(n->valuestring));
        if (n->string) pontes_cl_wipe(n->string, strlen(n->string));
        wipe_json(n->child);
    }
}

/* The token of a 2xx login answer: a bare JSON string, or an object whose token_member is
 * one. NULL (why filled, never with the token) when the answer is neither. */
static char *answer_token(const pontes_auth_profile *pf, const pontes_cl_xfer *x, char *why, size_t cap) {
    cJSON *doc = x->resp.len ? cJSON_ParseWithLength(x->resp.data, x->resp.len) : NULL;
    const cJSON *t = NULL;
    if (cJSON_IsString(doc)) t = doc;
    else if (cJSON_IsObject(doc) && pf->token_member) t = cJSON_GetObjectItemCaseSensitive(doc, pf->token_member);
    char *tok = NULL;
    if (!doc) {
        snprintf(why, cap, "the answer is %s, not a JSON string%s%s", x->resp.len ? "not JSON" : "empty",
                 pf->token_member ? " or an object with member " : "", pf->token_member ? pf->token_member : "");
    } else if (!t) {
        snprintf(why, cap, "the answer is a JSON %s, not a string%s%s", cJSON_IsObject(doc) ? "object without it" :
                 cJSON_IsArray(doc) ? "array" : cJSON_IsNumber(doc) ? "number" : "value",
                 pf->token_member ? " or an object with member " : "", pf->token_member ? pf->token_member : "");
    } else if (!cJSON_IsString(t)) {
        snprintf(why, cap, "member %s of the answer is not a string", pf->token_member);
    } else if (!t->valuestring[0]) {
        snprintf(why, cap, "the token in the answer is empty");
    } else if (bad_token_byte(t->valuestring) >= 0) {
        long off = bad_token_byte(t->valuestring);
        snprintf(why, cap, "the token in the answer contains byte 0x%02x at offset %ld (a space or control "
                 "character): refused", (unsigned)(unsigned char)t->valuestring[off], off);
    } else {
        tok = pontes_cl_strdup(t->valuestring);
        if (!tok) snprintf(why, cap, "out of memory");
    }
    if (doc) {
        wipe_json(doc);
        cJSON_Delete(doc);
    }
    return tok;
}

/* ---- login -------------------------------------------------------------------------- */
static int add_line(struct curl_slist **l, const char *a, const char *b) {
    pontes_buf line;
    pontes_buf_init(&line);
    pontes_buf_puts(&line, a);
    pontes_buf_puts(&line, b);
    int rc = PONTES_ENOMEM;
    if (pontes_cl_buf_cstr(&line) == PONTES_OK && !line.failed) {
        struct curl_slist *t = curl_slist_append(*l, line.data);
        if (t) {
            *l = t;
            rc = PONTES_OK;
        }
    }
    pontes_cl_buf_wipe_free(&line);
    return rc;
}

int pontes_cl_session_login(pontes_client *c, cred *cr) {
    pontes_error *err = &c->err;
    session *s = cr->sess;
    const pontes_auth_profile *pf = s->pf;
    const pontes_operation *op = pf->login_op;
    if (!op || !op->method || !op->path)
        return pontes_err_set(err, PONTES_EAUTH, "session scheme %s: the profile has no login operation", cr->scheme);
    drop_token(cr);
    /* every credential is needed */
    pontes_buf missing;
    pontes_buf_init(&missing);
    for (size_t i = 0; i < pf->role_count; i++)
        if (!s->values[i]) {
            if (missing.len) pontes_buf_puts(&missing, ", ");
            pontes_buf_puts(&missing, pf->roles[i].role);
        }
    if (missing.len) {
        pontes_cl_buf_cstr(&missing);
        int rc = pontes_err_set(err, PONTES_EAUTH,
                                "session scheme %s: cannot log in (%s %s): credential%s %s not set (set with "
                                "pontes_client_set_session_credential)",
                                cr->scheme, op->method, op->path, strchr(missing.data ? missing.data : "", ',') ? "s" : "",
                                missing.failed || !missing.data ? "?" : missing.data);
        pontes_buf_free(&missing);
        return rc;
    }
    pontes_buf_free(&missing);
    if (strchr(op->path, '{'))
        return pontes_err_set(err, PONTES_EAUTH,
                              "session scheme %s: the login operation %s %s has path parameters: not supported",
                              cr->scheme, op->method, op->path);
    const char *base = pontes_cl_base_url(c, op);
    if (!base)
        return pontes_err_set(err, PONTES_EINVAL, "%s %s: no base URL (set base_url or a server)", op->method,
                              op->path);
    pontes_buf url;
    pontes_buf_init(&url);
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') bl--;
    pontes_buf_append(&url, base, bl);
    if (op->path[0] != '/') pontes_buf_puts(&url, "/");
    pontes_buf_puts(&url, op->path);
    struct curl_slist *hl = NULL;
    int rc = pontes_cl_buf_cstr(&url) == PONTES_OK && !url.failed ? PONTES_OK : PONTES_ENOMEM;
    if (rc == PONTES_OK) rc = add_line(&hl, "Accept: ", op->accept ? op->accept : "application/json");
    if (rc == PONTES_OK) rc = add_line(&hl, "Expect:", "");
    for (size_t i = 0; rc == PONTES_OK && i < pf->role_count; i++) {
        const char *name = s->headers[i] ? s->headers[i] : pf->roles[i].header;
        pontes_buf n;
        pontes_buf_init(&n);
        pontes_buf_puts(&n, name);
        pontes_buf_puts(&n, ": ");
        rc = pontes_cl_buf_cstr(&n) == PONTES_OK && !n.failed ? add_line(&hl, n.data, s->values[i]) : PONTES_ENOMEM;
        pontes_buf_free(&n);
    }
    if (rc != PONTES_OK) {
        pontes_cl_slist_wipe_free(hl);
        pontes_buf_free(&url);
        return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    int64_t t0 = pontes_cl_oauthp_now(cr);
    pontes_cl_xfer x;
    pontes_cl_xfer_init(&x);
    x.method = op->method;
    x.url = url.data;
    x.headers = hl;
    x.has_body = false;
    unsigned attempts = 0, retries = 0;
    for (;;) {
        pontes_cl_perform(c, &x);
        attempts++;
        if (x.cc == CURLE_OK)
            pontes_cl_log(c, PONTES_LOG_INFO, "%s %s -> %ld (%ld ms, attempt %u, session login for %s)", op->method,
                          url.data, x.status, x.elapsed_ms, attempts, cr->scheme);
        else
            pontes_cl_log(c, PONTES_LOG_INFO, "%s %s -> %s (%ld ms, attempt %u, session login for %s)", op->method,
                          url.data, x.curl_msg, x.elapsed_ms, attempts, cr->scheme);
        char reason[CURL_ERROR_SIZE + 32];
        /* a login may be repeated: it only opens a session */
        if (retries < c->o.max_retries && pontes_cl_should_retry(&x, true, reason, sizeof reason)) {
            long d = pontes_cl_retry_delay(c, &x, retries);
            if (!pontes_cl_retry_fits(c, d)) {
                pontes_cl_log(c, PONTES_LOG_WARN, "not retrying %s %s: a %ld ms wait does not fit the %ld ms left (%s)",
                              op->method, url.data, d, pontes_cl_remaining_ms(c), reason);
                break;
            }
            pontes_cl_log(c, PONTES_LOG_WARN, "retrying %s %s in %ld ms (attempt %u of %u): %s", op->method, url.data,
                          d, attempts + 1, c->o.max_retries + 1, reason);
            pontes_cl_sleep(d);
            retries++;
            continue;
        }
        break;
    }
    pontes_cl_slist_wipe_free(hl);
    x.headers = NULL;

    if (x.cc != CURLE_OK || x.toobig || x.nomem) {
        rc = pontes_cl_transport_error(c, &x, op->method, op->path, attempts);
    } else if (x.status < 200 || x.status > 299) {
        err->http_status = x.status;
        pontes_cl_fill_provider_error(err, c->api->errors, &x);
        char code[128], msg[320];
        pontes_cl_one_line(code, sizeof code, err->provider_code);
        pontes_cl_one_line(msg, sizeof msg, err->provider_message);
        rc = pontes_err_set(err, PONTES_EAUTH, "session login for scheme %s (%s %s): HTTP %ld%s%s%s%s%s", cr->scheme,
                            op->method, op->path, x.status, code[0] ? " " : "", code, msg[0] ? ": " : "", msg,
                            x.status == 401 || x.status == 403 ? " (the credentials were refused)" : "");
    } else {
        char why[256];
        char *tok = answer_token(pf, &x, why, sizeof why);
        if (!tok) {
            err->http_status = x.status;
            rc = pontes_err_set(err, PONTES_EAUTH, "session login for scheme %s (%s %s): HTTP %ld: %s: no token",
                                cr->scheme, op->method, op->path, x.status, why);
        } else {
            cr->access_token = tok;
            cr->token_gen++;
            s->last_used = t0;
            pontes_cl_log(c, PONTES_LOG_DEBUG, "session of scheme %s: logged in", cr->scheme);
        }
    }
    if (rc != PONTES_OK) {
        err->attempts = attempts;
        if (op->operation_id) pontes_err_set_str(err, &err->operation_id, op->operation_id, (size_t)-1);
        pontes_cl_redact_error(c, err);
    }
    pontes_cl_xfer_free(&x);
    pontes_buf_free(&url);
    return rc;
}

/* ---- before and after a call ------------------------------------------------------ */
int pontes_cl_session_header(pontes_client *c, pontes_cl_auth *a, cred *cr, pontes_buf *b) {
    session *s = cr->sess;
    if (!s) return pontes_err_set(&c->err, PONTES_EAUTH, "scheme %s has no session", cr->scheme);
    const pontes_auth_profile *pf = s->pf;
    int64_t now = pontes_cl_oauthp_now(cr);
    if (cr->access_token && pf->idle_timeout_s > 0) {
        int64_t limit = (int64_t)pf->idle_timeout_s - (int64_t)(pf->idle_margin_s > 0 ? pf->idle_margin_s : 0);
        int64_t idle = now - s->last_used;
        if (idle >= limit) {
            pontes_cl_log(c, PONTES_LOG_INFO,
                          "session of scheme %s idle for %" PRId64 " s (it ends after %ld s, margin %ld s): logging "
                          "in again",
                          cr->scheme, idle, pf->idle_timeout_s, pf->idle_margin_s);
            drop_token(cr);
        }
    }
    if (!cr->access_token) {
        int rc = pontes_cl_session_login(c, cr);
        if (rc != PONTES_OK) return rc;
        now = pontes_cl_oauthp_now(cr);
    }
    a->sent_session = true;
    a->session_gen = cr->token_gen;
    a->session_sent_at = now;
    pontes_buf_puts(b, "Authorization: Bearer ");
    pontes_buf_puts(b, cr->access_token);
    return b->failed ? pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory") : PONTES_OK;
}

static cred *session_of(pontes_cl_auth *a) {
    if (a->cr && a->cr->kind == CRED_SESSION) return a->cr;
    for (size_t i = 0; i < a->nmore; i++)
        if (a->more[i] && a->more[i]->kind == CRED_SESSION) return a->more[i];
    return NULL;
}

bool pontes_cl_session_drop_on_401(pontes_cl_auth *a) {
    cred *cr = session_of(a);
    if (!cr || !a->sent_session) return false;
    if (cr->token_gen == a->session_gen) drop_token(cr);
    a->sent_session = false;
    return true;
}

static bool is_login_op(const pontes_auth_profile *pf, const pontes_operation *op) {
    if (pf->login_op == op) return true;
    return pf->token_operation && op->operation_id && strcmp(pf->token_operation, op->operation_id) == 0;
}

int pontes_cl_session_result(pontes_client *c, pontes_cl_auth *a, const pontes_operation *op, const pontes_cl_xfer *x,
                             int rc) {
    bool ok2xx = x->cc == CURLE_OK && x->status >= 200 && x->status <= 299;
    cred *cr = session_of(a);
    if (cr && a->sent_session && cr->token_gen == a->session_gen && cr->access_token) {
        if (ok2xx) { /* the server saw the token: the session's idle time starts again */
            if (a->session_sent_at > cr->sess->last_used) cr->sess->last_used = a->session_sent_at;
        } else if (x->cc == CURLE_OK && x->status == 401) {
            drop_token(cr); /* refused twice: the next call logs in */
        }
    }
    if (!ok2xx || !op) return rc;
    /* a call of the login operation itself: its token is the session's */
    for (size_t i = 0; i < c->ncreds; i++) {
        cred *sc = &c->creds[i];
        if (sc->kind != CRED_SESSION || !sc->sess || !is_login_op(sc->sess->pf, op)) continue;
        char why[256];
        char *tok = answer_token(sc->sess->pf, x, why, sizeof why);
        if (!tok) {
            if (rc == PONTES_OK)
                rc = pontes_err_set(&c->err, PONTES_EAUTH, "%s %s: HTTP %ld: %s: no session token for scheme %s",
                                    op->method, op->path, x->status, why, sc->scheme);
            continue;
        }
        drop_token(sc);
        sc->access_token = tok;
        sc->token_gen++;
        sc->sess->last_used = pontes_cl_oauthp_now(sc);
    }
    return rc;
}
