/* OAuth-params schemes (x-pontes-auth style oauth-params, Banco Best's
 * `Authorization: OAuth key=value,...`): credentials, the header with optional signature
 * (HMAC-SHA256 through OpenSSL's libcrypto), capture of the token from the token
 * operation, absolute/relative expiry, the token-invalid map; and apiKey values from an
 * X.509 certificate file. Part of the auth layer (uses transport results only). */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

void pontes_secret_free(char *s) { pontes_cl_secret_free(s); }

/* A value written into the OAuth header as is: no control byte, no separator (','),
 * no space or quote (the header has none). Returns the offending byte's offset or -1. */
static long bad_param_byte(const char *v) {
    for (long i = 0; v[i]; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch < 0x20 || ch == 0x7f || ch == ',' || ch == ' ' || ch == '"') return i;
    }
    return -1;
}

static int check_param(pontes_client *c, const char *what, const char *scheme, const char *v) {
    long off = bad_param_byte(v);
    if (!*v) return pontes_err_set(&c->err, PONTES_EINVAL, "%s for scheme %s is empty", what, scheme);
    if (off < 0) return PONTES_OK;
    return pontes_err_set(&c->err, PONTES_EINVAL,
                          "%s for scheme %s contains byte 0x%02x at offset %ld (a control character, space, quote "
                          "or comma): refused, it would break the OAuth header",
                          what, scheme, (unsigned)(unsigned char)v[off], off);
}

int64_t pontes_cl_oauthp_now(const cred *cr) {
    if (cr->clock) return cr->clock(cr->clock_user);
    return (int64_t)time(NULL);
}

static void utc_text(char *buf, size_t cap, int64_t t) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) && strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm)) return;
    snprintf(buf, cap, "%" PRId64 " (Unix time)", t);
}

/* ---- setters -------------------------------------------------------------- */
int pontes_client_set_oauth_params(pontes_client *c, const char *scheme, const pontes_oauth_params_options *o) {
    if (!c || !scheme || !o || o->version != PONTES_OAUTH_PARAMS_OPTIONS_VERSION) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc;
    if (!o->consumer_key) rc = pontes_err_set(&c->err, PONTES_EINVAL, "consumer key for scheme %s is missing", scheme);
    else rc = check_param(c, "consumer key", scheme, o->consumer_key);
    if (rc == PONTES_OK && o->secret_key && pontes_cl_bad_header_byte(o->secret_key) >= 0)
        rc = pontes_err_set(&c->err, PONTES_EINVAL, "secret key for scheme %s contains a control character", scheme);
    if (rc == PONTES_OK && o->sign > 0 && (!o->secret_key || !*o->secret_key))
        rc = pontes_err_set(&c->err, PONTES_EINVAL, "signing for scheme %s needs the secret key", scheme);
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = pontes_cl_cred_slot(c, scheme);
    if (!cr) return pontes_cl_set_end(c, PONTES_ENOMEM);
    cr->kind = CRED_OAUTHP;
    cr->secret = pontes_cl_strdup(o->consumer_key);
    cr->plain = o->secret_key && *o->secret_key ? pontes_cl_strdup(o->secret_key) : NULL;
    cr->sign = o->sign < 0 ? -1 : (o->sign > 0);
    cr->clock = o->clock;
    cr->clock_user = o->clock_user;
    if (!cr->secret || (o->secret_key && *o->secret_key && !cr->plain))
        return pontes_cl_set_end(c, pontes_cl_cred_fail(c, cr));
    return pontes_cl_set_end(c, PONTES_OK);
}

static cred *oauthp_cred(pontes_client *c, const char *scheme) {
    cred *cr = pontes_cl_cred_find(c, scheme);
    if (!cr || cr->kind != CRED_OAUTHP) {
        pontes_err_set(&c->err, PONTES_EAUTH,
                       "scheme %s has no OAuth-params credentials: call pontes_client_set_oauth_params first", scheme);
        return NULL;
    }
    return cr;
}

int pontes_client_set_oauth_params_code(pontes_client *c, const char *scheme, const char *code) {
    if (!c || !scheme) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    cred *cr = oauthp_cred(c, scheme);
    if (!cr) return pontes_cl_set_end(c, PONTES_EAUTH);
    int rc = code ? check_param(c, "consent code", scheme, code) : PONTES_OK;
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    char *v = code ? pontes_cl_strdup(code) : NULL;
    if (code && !v) return pontes_cl_set_end(c, PONTES_ENOMEM);
    pontes_cl_secret_free(cr->code);
    cr->code = v;
    return pontes_cl_set_end(c, PONTES_OK);
}

int pontes_client_set_oauth_params_token(pontes_client *c, const char *scheme, const char *token,
                                         int64_t expires_at) {
    if (!c || !scheme) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    cred *cr = oauthp_cred(c, scheme);
    if (!cr) return pontes_cl_set_end(c, PONTES_EAUTH);
    int rc = token ? check_param(c, "access token", scheme, token) : PONTES_OK;
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    char *v = token ? pontes_cl_strdup(token) : NULL;
    if (token && !v) return pontes_cl_set_end(c, PONTES_ENOMEM);
    pontes_cl_secret_free(cr->access_token);
    cr->access_token = v;
    cr->expires_at = token ? expires_at : 0;
    cr->token_gen++;
    return pontes_cl_set_end(c, PONTES_OK);
}

int pontes_client_oauth_params_token_expiry(const pontes_client *c, const char *scheme, int64_t *expires_at) {
    if (!c || !scheme) return PONTES_EINVAL;
    if (expires_at) *expires_at = 0;
    for (size_t i = 0; i < c->ncreds; i++) {
        const cred *cr = &c->creds[i];
        if (strcmp(cr->scheme, scheme) != 0) continue;
        if (cr->kind != CRED_OAUTHP || !cr->access_token) return PONTES_EAUTH;
        if (expires_at) *expires_at = cr->expires_at;
        return PONTES_OK;
    }
    return PONTES_EAUTH;
}

/* ---- signature -------------------------------------------------------------- */
typedef struct kv {
    const char *k, *v;
} kv;

static int kv_cmp(const void *a, const void *b) { return strcmp(((const kv *)a)->k, ((const kv *)b)->k); }

static void upper_escapes(char *s, size_t n) {
    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == '%' && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            s[i + 1] = (char)toupper((unsigned char)s[i + 1]);
            s[i + 2] = (char)toupper((unsigned char)s[i + 2]);
            i += 2;
        }
}

static bool has_pem_marker(const char *d, size_t n) {
    static const char m[] = "-----BEGIN";
    for (size_t i = 0; i + sizeof m - 1 <= n; i++)
        if (memcmp(d + i, m, sizeof m - 1) == 0) return true;
    return false;
}

/* pairs sorted; base string, Base64 and URL-encoded (lower-case escapes) Base64. */
static int sign_sorted(const kv *p, size_t n, const char *secret_param, const char *secret, char **base_out,
                       char **b64_out, char **url_out) {
    pontes_buf b;
    pontes_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        pontes_buf_puts(&b, p[i].k);
        pontes_buf_puts(&b, "%3D");
        pontes_cl_percent_append(&b, p[i].v, strlen(p[i].v));
        pontes_buf_puts(&b, "%26");
    }
    pontes_buf_puts(&b, secret_param);
    pontes_buf_puts(&b, "%3D");
    pontes_buf_puts(&b, secret);
    if (pontes_cl_buf_cstr(&b) != PONTES_OK || b.failed) {
        pontes_cl_buf_wipe_free(&b);
        return PONTES_ENOMEM;
    }
    upper_escapes(b.data, b.len);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)b.data, b.len, md, &mdlen)) {
        pontes_cl_buf_wipe_free(&b);
        return PONTES_EINVAL;
    }
    char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    int bl = EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
    pontes_cl_wipe(md, sizeof md);
    if (bl < 0) {
        pontes_cl_buf_wipe_free(&b);
        return PONTES_EINVAL;
    }
    b64[bl] = '\0';
    char url[3 * sizeof b64 + 1];
    size_t u = 0;
    for (int i = 0; i < bl; i++) {
        const char *esc = b64[i] == '+' ? "%2b" : b64[i] == '/' ? "%2f" : b64[i] == '=' ? "%3d" : NULL;
        if (esc) {
            memcpy(url + u, esc, 3);
            u += 3;
        } else {
            url[u++] = b64[i];
        }
    }
    url[u] = '\0';
    int rc = PONTES_OK;
    if (base_out) {
        *base_out = b.data; /* ownership moves */
        b.data = NULL;
    }
    if (b64_out && !(*b64_out = pontes_cl_strdup(b64))) rc = PONTES_ENOMEM;
    if (url_out && !(*url_out = pontes_cl_strdup(url))) rc = PONTES_ENOMEM;
    pontes_cl_wipe(b64, sizeof b64);
    pontes_cl_wipe(url, sizeof url);
    if (b.data) pontes_cl_buf_wipe_free(&b);
    return rc;
}

int pontes_oauth_params_sign(const char *const *names, const char *const *values, size_t n, const char *secret_param,
                             const char *secret, char **base_string, char **base64, char **url_encoded) {
    if (base_string) *base_string = NULL;
    if (base64) *base64 = NULL;
    if (url_encoded) *url_encoded = NULL;
    if ((n && (!names || !values)) || !secret_param || !secret || n > 64) return PONTES_EINVAL;
    kv p[64];
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !values[i]) return PONTES_EINVAL;
        p[i].k = names[i];
        p[i].v = values[i];
    }
    qsort(p, n, sizeof *p, kv_cmp);
    int rc = sign_sorted(p, n, secret_param, secret, base_string, base64, url_encoded);
    if (rc != PONTES_OK) {
        if (base_string) pontes_cl_secret_free(*base_string), *base_string = NULL;
        if (base64) pontes_cl_secret_free(*base64), *base64 = NULL;
        if (url_encoded) pontes_cl_secret_free(*url_encoded), *url_encoded = NULL;
    }
    return rc;
}

/* ---- the header ------------------------------------------------------------- */
static bool has_role(const pontes_security_req *q, const char *role) {
    for (size_t i = 0; q->roles && i < q->role_count; i++)
        if (q->roles[i] && strcmp(q->roles[i], role) == 0) return true;
    return false;
}

static const char *op_label(const pontes_cl_auth *a, char *buf, size_t cap) {
    if (a->op) snprintf(buf, cap, "%s %s: ", a->op->method, a->op->path);
    else buf[0] = '\0';
    return buf;
}

int pontes_cl_oauthp_header(pontes_client *c, pontes_cl_auth *a, cred *cr, const pontes_security_req *q,
                            pontes_buf *b) {
    const pontes_auth_profile *pf = q->profile;
    char lbl[300];
    op_label(a, lbl, sizeof lbl);
    if (!pf || pf->style != PONTES_AUTH_OAUTH_PARAMS || !pf->consumer_key_param)
        return pontes_err_set(&c->err, PONTES_EAUTH, "%sscheme %s has no oauth-params profile (x-pontes-auth)", lbl,
                              cr->scheme);
    kv p[8];
    size_t n = 0;
    p[n++] = (kv){pf->consumer_key_param, cr->secret};
    bool code = pf->code_param && has_role(q, "code");
    bool token = pf->token_param && has_role(q, "access_token");
    if (code) {
        if (!cr->code)
            return pontes_err_set(&c->err, PONTES_EAUTH,
                                  "%sno consent code for scheme %s: set the code of the consent redirect "
                                  "(pontes_client_set_oauth_params_code, or the generated consent_finish helper); "
                                  "a code is used once",
                                  lbl, cr->scheme);
        p[n++] = (kv){pf->code_param, cr->code};
    }
    if (token) {
        if (!cr->access_token)
            return pontes_err_set(&c->err, PONTES_EAUTH,
                                  "%sno access token for scheme %s: complete the consent first (%s%s), which "
                                  "stores the token",
                                  lbl, cr->scheme, pf->token_operation ? "the operation " : "set it with "
                                  "pontes_client_set_oauth_params_token",
                                  pf->token_operation ? pf->token_operation : "");
        int64_t now = pontes_cl_oauthp_now(cr);
        if (cr->expires_at && now >= cr->expires_at) {
            char when[64];
            utc_text(when, sizeof when, cr->expires_at);
            return pontes_err_set(&c->err, PONTES_EAUTH,
                                  "%sthe access token of scheme %s expired at %s (UTC); the API has no token "
                                  "refresh: repeat the consent to get a new one",
                                  lbl, cr->scheme, when);
        }
        p[n++] = (kv){pf->token_param, cr->access_token};
    }
    bool sign = cr->sign < 0 ? pf->sign_default : cr->sign > 0;
    char ts[32];
    if (sign) {
        if (!cr->plain || !pf->timestamp_param || !pf->signature_param || !pf->secret_param)
            return pontes_err_set(&c->err, PONTES_EAUTH,
                                  "%ssigning for scheme %s needs the secret key (and a signature profile)", lbl,
                                  cr->scheme);
        snprintf(ts, sizeof ts, "%" PRId64, pontes_cl_oauthp_now(cr));
        p[n++] = (kv){pf->timestamp_param, ts};
        if (pf->version_param && pf->version) p[n++] = (kv){pf->version_param, pf->version};
    }
    qsort(p, n, sizeof *p, kv_cmp);
    char *sig = NULL;
    if (sign) {
        int rc = sign_sorted(p, n, pf->secret_param, cr->plain, NULL, NULL, &sig);
        if (rc != PONTES_OK) return pontes_err_set(&c->err, rc, "%ssigning for scheme %s failed", lbl, cr->scheme);
    }
    pontes_buf_puts(b, q->param_name ? q->param_name : "Authorization");
    pontes_buf_puts(b, ": ");
    pontes_buf_puts(b, pf->prefix ? pf->prefix : "OAuth ");
    const char *sep = pf->separator ? pf->separator : ",";
    for (size_t i = 0; i < n; i++) {
        if (i) pontes_buf_puts(b, sep);
        pontes_buf_puts(b, p[i].k);
        pontes_buf_puts(b, "=");
        pontes_buf_puts(b, p[i].v);
    }
    if (sig) {
        pontes_buf_puts(b, sep);
        pontes_buf_puts(b, pf->signature_param);
        pontes_buf_puts(b, "=");
        pontes_buf_puts(b, sig);
        pontes_cl_secret_free(sig);
    }
    a->sent_code = a->sent_code || code;
    if (token) {
        a->sent_token = true;
        a->token_gen = cr->token_gen;
    }
    return b->failed ? pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory") : PONTES_OK;
}

/* ---- after a response ----------------------------------------------------------- */
static bool is_token_op(const pontes_auth_profile *pf, const pontes_operation *op) {
    return pf && pf->token_operation && op && op->operation_id && strcmp(pf->token_operation, op->operation_id) == 0;
}

static void wipe_json(cJSON *n) {
    for (; n; n = n->next) {
        if (n->valuestring) pontes_cl_wipe(n->valuestring, strlen(n->valuestring));
        wipe_json(n->child);
    }
}

static int capture_token(pontes_client *c, cred *cr, const pontes_auth_profile *pf, const pontes_operation *op,
                         const pontes_cl_xfer *x) {
    pontes_error *err = &c->err;
    cJSON *doc = x->resp.len ? cJSON_ParseWithLength(x->resp.data, x->resp.len) : NULL;
    const cJSON *at = cJSON_IsObject(doc) && pf->token_member ? cJSON_GetObjectItemCaseSensitive(doc, pf->token_member)
                                                                : NULL;
    int rc = PONTES_OK;
    if (!cJSON_IsString(at) || !at->valuestring[0]) {
        rc = pontes_err_set(err, PONTES_EAUTH, "%s %s: HTTP %ld: the response has no %s: no access token for scheme %s",
                            op->method, op->path, x->status, pf->token_member ? pf->token_member : "token",
                            cr->scheme);
    } else if (bad_param_byte(at->valuestring) >= 0) {
        long off = bad_param_byte(at->valuestring);
        rc = pontes_err_set(err, PONTES_EAUTH,
                            "%s %s: the %s from the server contains byte 0x%02x at offset %ld (a control character, "
                            "space, quote or comma): refused",
                            op->method, op->path, pf->token_member, (unsigned)(unsigned char)at->valuestring[off], off);
    } else {
        const cJSON *ex = pf->expires_member ? cJSON_GetObjectItemCaseSensitive(doc, pf->expires_member) : NULL;
        int64_t v = 0;
        bool have = false;
        if (cJSON_IsNumber(ex) && ex->valuedouble >= 0 && ex->valuedouble < 9.2e18) {
            v = (int64_t)ex->valuedouble;
            have = true;
        } else if (cJSON_IsString(ex) && ex->valuestring[0]) {
            char *end = NULL;
            errno = 0;
            long long ll = strtoll(ex->valuestring, &end, 10);
            if (!errno && end && !*end && ll >= 0) {
                v = (int64_t)ll;
                have = true;
            }
        }
        int64_t now = pontes_cl_oauthp_now(cr);
        int64_t exp_at = !have ? 0 : pf->expires == PONTES_AUTH_EXPIRES_ABSOLUTE ? v : now + v;
        if (!have)
            pontes_cl_log(c, PONTES_LOG_WARN, "%s %s: the token response has no usable %s: the token of scheme %s "
                          "is used until the server rejects it", op->method, op->path,
                          pf->expires_member ? pf->expires_member : "expiry", cr->scheme);
        else if (exp_at <= now) {
            char when[64];
            utc_text(when, sizeof when, exp_at);
            pontes_cl_log(c, PONTES_LOG_WARN, "%s %s: the new token of scheme %s already expired at %s (UTC; %s)",
                          op->method, op->path, cr->scheme, when,
                          pf->expires == PONTES_AUTH_EXPIRES_ABSOLUTE ? "absolute Unix time" : "seconds to live");
        }
        char *tok = pontes_cl_strdup(at->valuestring);
        if (!tok) {
            rc = pontes_err_set(err, PONTES_ENOMEM, "out of memory");
        } else {
            pontes_cl_secret_free(cr->access_token);
            cr->access_token = tok;
            cr->expires_at = exp_at;
            cr->token_gen++;
        }
    }
    if (doc) {
        wipe_json(doc);
        cJSON_Delete(doc);
    }
    return rc;
}

static bool text_eq(const char *a, const char *b) {
    if (!a || !b) return false;
    while (isspace((unsigned char)*a)) a++;
    size_t n = strlen(a);
    while (n && isspace((unsigned char)a[n - 1])) n--;
    return strlen(b) == n && memcmp(a, b, n) == 0;
}

static const char *token_invalid_match(const pontes_auth_profile *pf, const pontes_error *err) {
    for (size_t i = 0; i < pf->token_invalid_count; i++) {
        const char *t = pf->token_invalid[i];
        if (text_eq(err->provider_code, t) || text_eq(err->provider_message, t)) return t;
    }
    return NULL;
}

static int auth_result_one(pontes_client *c, pontes_cl_auth *a, cred *cr, const pontes_security_req *q,
                           const pontes_operation *op, const pontes_cl_xfer *x, int rc) {
    if (!cr || cr->kind != CRED_OAUTHP || !q->profile) return rc;
    const pontes_auth_profile *pf = q->profile;
    if (rc == PONTES_OK && x->status >= 200 && x->status <= 299 && is_token_op(pf, op))
        return capture_token(c, cr, pf, op, x);
    if (rc == PONTES_OK || !x->status || pf->token_invalid_count == 0) return rc;
    pontes_error *err = &c->err;
    const char *m = token_invalid_match(pf, err);
    if (!m || (!a->sent_token && !a->sent_code)) return rc;
    pontes_cl_redact_error(c, err); /* while the token is still known */
    char what[128];
    pontes_cl_one_line(what, sizeof what, m);
    if (a->sent_token) {
        if (cr->access_token && cr->token_gen == a->token_gen) {
            pontes_cl_secret_free(cr->access_token);
            cr->access_token = NULL;
            cr->expires_at = 0;
            cr->token_gen++;
        }
        return pontes_err_set(err, PONTES_EAUTH,
                              "%s %s: HTTP %ld %s: the server rejected the access token of scheme %s (invalid or "
                              "cancelled, e.g. replaced by a newer token of the same user); the token was dropped: "
                              "a new consent is needed",
                              op->method, op->path, x->status, what, cr->scheme);
    }
    return pontes_err_set(err, PONTES_EAUTH,
                          "%s %s: HTTP %ld %s: the server rejected the consent code of scheme %s (codes are "
                          "single-use and short-lived): repeat the consent",
                          op->method, op->path, x->status, what, cr->scheme);
}

int pontes_cl_auth_result(pontes_client *c, pontes_cl_auth *a, const pontes_operation *op, const pontes_cl_xfer *x,
                          int rc) {
    rc = pontes_cl_session_result(c, a, op, x, rc); /* session renewal, login-operation token capture */
    if (!a->cr) return rc;
    rc = auth_result_one(c, a, a->cr, a->req, op, x, rc);
    for (size_t i = 0; i < a->nmore; i++) rc = auth_result_one(c, a, a->more[i], a->more_req[i], op, x, rc);
    return rc;
}

void pontes_cl_auth_done(pontes_cl_auth *a, unsigned attempts) {
    if (!a->sent_code || !attempts) return;
    cred *all[1 + PONTES_CL_AUTH_MORE];
    size_t n = 0;
    all[n++] = a->cr;
    for (size_t i = 0; i < a->nmore; i++) all[n++] = a->more[i];
    for (size_t i = 0; i < n; i++)
        if (all[i] && all[i]->kind == CRED_OAUTHP && all[i]->code) {
            pontes_cl_secret_free(all[i]->code);
            all[i]->code = NULL;
        }
    a->sent_code = false;
}

/* ---- apiKey from a certificate -------------------------------------------------- */
int pontes_client_set_api_key_from_certificate(pontes_client *c, const char *scheme, const char *path) {
    if (!c || !scheme || !path) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    pontes_error *err = &c->err;
    FILE *f = fopen(path, "rb");
    if (!f)
        return pontes_cl_set_end(c, pontes_err_set(err, PONTES_EINVAL, "certificate file %s: cannot open: %s", path,
                                                   strerror(errno)));
    pontes_buf data;
    pontes_buf_init(&data);
    char chunk[4096];
    size_t got;
    int rc = PONTES_OK;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (data.len + got > 1024 * 1024) {
            rc = pontes_err_set(err, PONTES_EINVAL, "certificate file %s: larger than 1 MiB: not a certificate", path);
            break;
        }
        pontes_buf_append(&data, chunk, got);
    }
    if (rc == PONTES_OK && ferror(f))
        rc = pontes_err_set(err, PONTES_EINVAL, "certificate file %s: read error", path);
    fclose(f);
    if (rc == PONTES_OK && data.failed) rc = pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    if (rc == PONTES_OK && data.len == 0) rc = pontes_err_set(err, PONTES_EINVAL, "certificate file %s is empty", path);
    X509 *x509 = NULL;
    bool pem = false;
    if (rc == PONTES_OK) {
        pem = has_pem_marker(data.data, data.len);
        if (pem) {
            BIO *bio = BIO_new_mem_buf(data.data, (int)data.len);
            x509 = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
            BIO_free(bio);
        } else {
            const unsigned char *p = (const unsigned char *)data.data;
            x509 = d2i_X509(NULL, &p, (long)data.len);
        }
        ERR_clear_error();
        if (!x509)
            rc = pontes_err_set(err, PONTES_EINVAL, "certificate file %s: no X.509 certificate in it (read as %s)", path,
                                pem ? "PEM" : "DER");
    }
    char *b64 = NULL;
    if (rc == PONTES_OK) {
        EVP_PKEY *pk = X509_get0_pubkey(x509);
        unsigned char *der = NULL;
        int dl = pk ? i2d_PUBKEY(pk, &der) : -1;
        ERR_clear_error();
        if (dl <= 0) {
            rc = pontes_err_set(err, PONTES_EINVAL, "certificate file %s: the certificate's public key cannot be read",
                                path);
        } else {
            size_t ol = 0;
            b64 = pontes_base64_encode(der, (size_t)dl, &ol);
            if (!b64) rc = pontes_err_set(err, PONTES_ENOMEM, "out of memory");
        }
        OPENSSL_free(der);
    }
    X509_free(x509);
    pontes_buf_free(&data);
    if (rc != PONTES_OK) return pontes_cl_set_end(c, rc);
    cred *cr = pontes_cl_cred_slot(c, scheme);
    if (!cr) {
        free(b64);
        return pontes_cl_set_end(c, PONTES_ENOMEM);
    }
    cr->kind = CRED_API_KEY;
    cr->secret = b64;
    return pontes_cl_set_end(c, PONTES_OK);
}
