/* Credentials (bearer, Basic, API key, OAuth2 client credentials), the OAuth2 token
 * cache and fetch, and the choice of credentials for an operation. Depends on the
 * transport (token requests) and provider errors. */
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

void pontes_cl_cred_clear(cred *cr) {
    free(cr->scheme);
    pontes_cl_secret_free(cr->secret);
    free(cr->token_url);
    free(cr->scope);
    pontes_cl_secret_free(cr->plain);
    pontes_cl_secret_free(cr->access_token);
    pontes_cl_secret_free(cr->code);
    pontes_cl_session_free(cr->sess);
    memset(cr, 0, sizeof *cr);
}


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
        pontes_cl_cred_clear(cr);
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
    pontes_cl_cred_clear(cr);
    c->creds[idx] = c->creds[--c->ncreds];
    return PONTES_ENOMEM;
}

/* for auth_oauthp.c */
cred *pontes_cl_cred_find(pontes_client *c, const char *scheme) { return cred_find(c, scheme); }
cred *pontes_cl_cred_slot(pontes_client *c, const char *scheme) { return cred_slot(c, scheme); }
int pontes_cl_cred_fail(pontes_client *c, cred *cr) { return cred_fail(c, cr); }

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


int pontes_client_set_bearer(pontes_client *c, const char *scheme, const char *token) {
    if (!c || !scheme || !token) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = check_header_value(c, "bearer token", scheme, token);
    if (rc == PONTES_OK && !*token) rc = pontes_err_set(&c->err, PONTES_EINVAL, "bearer token for scheme %s is empty", scheme);
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = cred_slot(c, scheme);
    if (!cr) return pontes_cl_set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_BEARER;
    cr->secret = pontes_cl_strdup(token);
    return pontes_cl_set_end(c, cr->secret ? PONTES_OK : cred_fail(c, cr));
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
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = user ? check_basic_parts(c, scheme, user, password)
                  : check_header_value(c, "Basic credential", scheme, basic_token);
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = cred_slot(c, scheme);
    if (!cr) return pontes_cl_set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_BASIC;
    cr->secret = user ? basic_of(user, password) : pontes_cl_strdup(basic_token);
    cr->plain = (user && password && *password) ? pontes_cl_strdup(password) : NULL;
    if (!cr->secret || (user && password && *password && !cr->plain)) return pontes_cl_set_end(c, cred_fail(c, cr));
    return pontes_cl_set_end(c, PONTES_OK);
}

int pontes_client_set_api_key(pontes_client *c, const char *scheme, const char *key) {
    if (!c || !scheme || !key) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = check_header_value(c, "API key", scheme, key);
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = cred_slot(c, scheme);
    if (!cr) return pontes_cl_set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_API_KEY;
    cr->secret = pontes_cl_strdup(key);
    return pontes_cl_set_end(c, cr->secret ? PONTES_OK : cred_fail(c, cr));
}

int pontes_client_set_oauth2_client_credentials(pontes_client *c, const char *scheme,
                                                const pontes_oauth2_options *o) {
    if (!c || !scheme || !o || o->version != PONTES_OAUTH2_OPTIONS_VERSION || !o->token_url) return PONTES_EINVAL;
    if (!o->basic_token && !o->client_id) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = o->client_id ? check_basic_parts(c, scheme, o->client_id, o->client_secret)
                          : check_header_value(c, "oauth2 Basic credential", scheme, o->basic_token);
    if (rc == PONTES_OK) rc = pontes_cl_check_url(c, "oauth2 token_url", o->token_url);
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = cred_slot(c, scheme);
    if (!cr) return pontes_cl_set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_OAUTH2;
    cr->secret = o->client_id ? basic_of(o->client_id, o->client_secret) : pontes_cl_strdup(o->basic_token);
    bool has_plain = o->client_id && o->client_secret && *o->client_secret;
    cr->plain = has_plain ? pontes_cl_strdup(o->client_secret) : NULL;
    cr->token_url = pontes_cl_strdup(o->token_url);
    cr->scope = o->scope ? pontes_cl_strdup(o->scope) : NULL;
    cr->margin_s = o->refresh_margin_s >= 0 ? o->refresh_margin_s : 60;
    if (!cr->secret || !cr->token_url || (o->scope && !cr->scope) || (has_plain && !cr->plain))
        return pontes_cl_set_end(c, cred_fail(c, cr));
    return pontes_cl_set_end(c, PONTES_OK);
}

/* ---- OAuth2 client credentials ------------------------------------------ */
static const pontes_error_model oauth_error_model = {"error", "error_description", NULL, NULL, NULL, NULL, NULL, NULL,
                                                     NULL};

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
        pontes_cl_slist_wipe_free(hl);
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
    pontes_cl_slist_wipe_free(hl);
    pontes_buf_free(&body);

    if (x.cc != CURLE_OK || x.toobig || x.nomem) {
        rc = pontes_cl_transport_error(c, &x, "POST", cr->token_url, attempts);
    } else if (x.status < 200 || x.status > 299) {
        err->http_status = x.status;
        pontes_cl_fill_provider_error(err, &oauth_error_model, &x);
        char code[128], msg[320];
        pontes_cl_one_line(code, sizeof code, err->provider_code);
        pontes_cl_one_line(msg, sizeof msg, err->provider_message);
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
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    pontes_cl_begin_call(c);
    int rc = authenticate(c, scheme);
    if (rc != PONTES_OK) pontes_cl_redact_error(c, &c->err);
    return pontes_cl_set_end(c, rc);
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
    if (cr->kind == CRED_SESSION) return pontes_cl_session_login(c, cr); /* x-pontes-auth style session */
    if (cr->kind != CRED_OAUTH2) return PONTES_OK; /* static credentials: nothing to fetch */
    return oauth2_fetch(c, cr);
}

/* ---- auth selection ----------------------------------------------------- */
static bool cred_fits(const cred *cr, int type) {
    switch (type) {
    case PONTES_SEC_BEARER: return cr->kind == CRED_BEARER || cr->kind == CRED_OAUTH2 || cr->kind == CRED_SESSION;
    case PONTES_SEC_BASIC: return cr->kind == CRED_BASIC;
    case PONTES_SEC_API_KEY: return cr->kind == CRED_API_KEY;
    /* an apiKey credential is the complete header value, built by the caller */
    case PONTES_SEC_OAUTH_PARAMS: return cr->kind == CRED_OAUTHP || cr->kind == CRED_API_KEY;
    default: return false;
    }
}

int pontes_cl_select_auth(pontes_client *c, const pontes_operation *op, pontes_cl_auth *a) {
    memset(a, 0, sizeof *a);
    a->op = op;
    if (!op->security || op->security_count == 0) return PONTES_OK;
    bool anonymous_ok = false;
    const char *missing = NULL; /* first scheme without credentials of the first group */
    for (size_t i = 0; i < op->security_count; i++) {
        const pontes_security_req *q = &op->security[i];
        if (!q->scheme) { /* an empty requirement: anonymous access allowed */
            anonymous_ok = true;
            continue;
        }
        if (q->group) { /* one requirement of several schemes: all of them, or none */
            size_t j = i;
            bool all = true;
            while (j < op->security_count && op->security[j].group == q->group) {
                cred *cj = op->security[j].scheme ? cred_find(c, op->security[j].scheme) : NULL;
                if (!cj || !cred_fits(cj, op->security[j].type)) {
                    if (all && !missing) missing = op->security[j].scheme;
                    all = false;
                }
                j++;
            }
            if (all && j - i - 1 <= PONTES_CL_AUTH_MORE) {
                a->cr = cred_find(c, q->scheme);
                a->req = q;
                for (size_t k = i + 1; k < j; k++) {
                    a->more[a->nmore] = cred_find(c, op->security[k].scheme);
                    a->more_req[a->nmore++] = &op->security[k];
                }
                return PONTES_OK;
            }
            i = j - 1;
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
    if (missing && op->security[0].group) {
        pontes_buf all;
        pontes_buf_init(&all);
        for (size_t i = 0; i < op->security_count && op->security[i].group == op->security[0].group; i++) {
            if (i) pontes_buf_puts(&all, " and ");
            pontes_buf_puts(&all, op->security[i].scheme ? op->security[i].scheme : "?");
        }
        pontes_cl_buf_cstr(&all);
        pontes_err_set(&c->err, PONTES_EAUTH, "%s %s: no credentials for scheme %s (the operation needs %s)",
                       op->method, op->path, missing, all.data && !all.failed ? all.data : "several schemes");
        pontes_buf_free(&all);
        return PONTES_EAUTH;
    }
    pontes_err_set(&c->err, PONTES_EAUTH, "%s %s: no credentials for scheme %s", op->method, op->path,
                   first ? first : "?");
    return PONTES_EAUTH;
}

/* The header line or query pair of one scheme onto b. */
static int auth_one(pontes_client *c, pontes_cl_auth *a, cred *cr, const pontes_security_req *q, pontes_buf *b);

/* Make the auth header ("Authorization: ...") or query pair for this attempt. */
int pontes_cl_prepare_auth(pontes_client *c, pontes_cl_auth *a, char **header, char **query) {
    *header = NULL;
    *query = NULL;
    if (!a->cr) return PONTES_OK;
    cred *cr = a->cr;
    if (cr->kind == CRED_OAUTHP || a->nmore) {
        a->sent_code = a->sent_token = false;
        pontes_buf b, qs;
        pontes_buf_init(&b);
        pontes_buf_init(&qs);
        int rc = auth_one(c, a, cr, a->req, &b);
        /* query pairs of the requirement's other schemes join the first one's */
        for (size_t i = 0; rc == PONTES_OK && i < a->nmore; i++) {
            if (a->more_req[i]->param_in != PONTES_IN_QUERY || a->more[i]->kind != CRED_API_KEY) continue;
            pontes_buf *dst = (a->req->param_in == PONTES_IN_QUERY && cr->kind == CRED_API_KEY) ? &b : &qs;
            if (dst->len) pontes_buf_puts(dst, "&");
            rc = auth_one(c, a, a->more[i], a->more_req[i], dst);
        }
        if (rc == PONTES_OK && (pontes_cl_buf_cstr(&b) != PONTES_OK || b.failed ||
                                (qs.len && (pontes_cl_buf_cstr(&qs) != PONTES_OK || qs.failed))))
            rc = pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
        if (rc != PONTES_OK) {
            pontes_cl_buf_wipe_free(&b);
            pontes_cl_buf_wipe_free(&qs);
            return rc;
        }
        if (cr->kind == CRED_API_KEY && a->req->param_in == PONTES_IN_QUERY) {
            *query = b.data;
        } else {
            *header = b.data;
            *query = qs.len ? qs.data : NULL;
            if (!qs.len) pontes_buf_free(&qs);
        }
        return PONTES_OK;
    }
    if (cr->kind == CRED_OAUTH2 && !token_fresh(cr)) {
        int rc = oauth2_fetch(c, cr);
        if (rc != PONTES_OK) return rc;
    }
    pontes_buf b;
    pontes_buf_init(&b);
    if (cr->kind == CRED_SESSION) { /* auth_session.c: logs in first when needed */
        int rc = pontes_cl_session_header(c, a, cr, &b);
        if (rc == PONTES_OK && (pontes_cl_buf_cstr(&b) != PONTES_OK || b.failed))
            rc = pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
        if (rc != PONTES_OK) {
            pontes_cl_buf_wipe_free(&b);
            return rc;
        }
        *header = b.data;
        return PONTES_OK;
    }
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
    if (pontes_cl_session_drop_on_401(a)) return; /* a session: logged in again before the resend */
    if (a->cr && a->cr->kind == CRED_OAUTH2) {
        pontes_cl_secret_free(a->cr->access_token);
        a->cr->access_token = NULL;
    }
}

static int auth_one(pontes_client *c, pontes_cl_auth *a, cred *cr, const pontes_security_req *q, pontes_buf *b) {
    if (cr->kind == CRED_OAUTH2 && !token_fresh(cr)) {
        int rc = oauth2_fetch(c, cr);
        if (rc != PONTES_OK) return rc;
    }
    switch (cr->kind) {
    case CRED_OAUTHP: return pontes_cl_oauthp_header(c, a, cr, q, b);
    case CRED_SESSION: return pontes_cl_session_header(c, a, cr, b);
    case CRED_BEARER:
    case CRED_OAUTH2:
        pontes_buf_puts(b, "Authorization: Bearer ");
        pontes_buf_puts(b, cr->kind == CRED_OAUTH2 ? cr->access_token : cr->secret);
        break;
    case CRED_BASIC:
        pontes_buf_puts(b, "Authorization: Basic ");
        pontes_buf_puts(b, cr->secret);
        break;
    case CRED_API_KEY: {
        const char *name = q->param_name ? q->param_name : "X-API-Key";
        if (q->param_in == PONTES_IN_QUERY) {
            pontes_cl_percent_append(b, name, strlen(name));
            pontes_buf_puts(b, "=");
            pontes_cl_percent_append(b, cr->secret, strlen(cr->secret));
        } else if (q->param_in == PONTES_IN_COOKIE) {
            pontes_buf_puts(b, "Cookie: ");
            pontes_buf_puts(b, name);
            pontes_buf_puts(b, "=");
            pontes_buf_puts(b, cr->secret);
        } else {
            pontes_buf_puts(b, name);
            pontes_buf_puts(b, ": ");
            pontes_buf_puts(b, cr->secret);
        }
        break;
    }
    default: break;
    }
    return b->failed ? pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory") : PONTES_OK;
}

int pontes_cl_auth_more_headers(pontes_client *c, pontes_cl_auth *a, struct curl_slist **l) {
    for (size_t i = 0; i < a->nmore; i++) {
        if (a->more_req[i]->param_in == PONTES_IN_QUERY && a->more[i]->kind == CRED_API_KEY) continue;
        pontes_buf b;
        pontes_buf_init(&b);
        int rc = auth_one(c, a, a->more[i], a->more_req[i], &b);
        if (rc == PONTES_OK && (pontes_cl_buf_cstr(&b) != PONTES_OK || b.failed))
            rc = pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
        if (rc == PONTES_OK && pontes_cl_bad_header_byte(b.data) >= 0)
            rc = pontes_err_set(&c->err, PONTES_EINVAL, "credential of scheme %s contains a control character",
                                a->more[i]->scheme);
        if (rc == PONTES_OK) {
            struct curl_slist *t = curl_slist_append(*l, b.data);
            if (!t) rc = pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
            else *l = t;
        }
        pontes_cl_buf_wipe_free(&b);
        if (rc != PONTES_OK) return rc;
    }
    return PONTES_OK;
}
