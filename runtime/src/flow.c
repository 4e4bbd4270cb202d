/* Consent and payment flows (x-pontes-flows): a random state, parsing and checking of
 * the redirect the application received, the start result. The generated
 * <api>_<flow>_start / _finish helpers call these and the operations. */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

int pontes_flow_new_state(char **out) {
    if (!out) return PONTES_EINVAL;
    *out = NULL;
    unsigned char rnd[32];
    if (RAND_bytes(rnd, sizeof rnd) != 1) return PONTES_EINVAL;
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *s = malloc(PONTES_FLOW_STATE_LEN + 1);
    if (!s) {
        pontes_cl_wipe(rnd, sizeof rnd);
        return PONTES_ENOMEM;
    }
    /* base64url without padding: 32 bytes -> 43 characters */
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < sizeof rnd; i++) {
        acc = (acc << 8) | rnd[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            s[o++] = al[(acc >> bits) & 63u];
        }
    }
    if (bits > 0) s[o++] = al[(acc << (6 - bits)) & 63u];
    s[o] = '\0';
    pontes_cl_wipe(rnd, sizeof rnd);
    acc = 0;
    *out = s;
    return PONTES_OK;
}

/* ---- redirect ----------------------------------------------------------------- */
static int hexval(int ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..n) ('+' is a space). NULL on ENOMEM; *bad set for a bad escape or a
 * decoded NUL. */
static char *pct_decode(const char *s, size_t n, bool *bad) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            d[o++] = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= n) {
                *bad = true;
                d[o++] = '%';
                continue;
            }
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                *bad = true;
                d[o++] = '%';
                continue;
            }
            d[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[o++] = s[i];
        }
    }
    d[o] = '\0';
    return d;
}

void pontes_redirect_free(pontes_redirect *r) {
    if (!r) return;
    pontes_cl_secret_free(r->code);
    pontes_cl_secret_free(r->state);
    pontes_cl_secret_free(r->operation_id);
    pontes_cl_secret_free(r->error);
    pontes_cl_secret_free(r->error_description);
    free(r);
}

static char **slot_for(pontes_redirect *r, const pontes_redirect_names *nm, const char *k, size_t kl) {
    const char *names[5] = {nm->code, nm->state, nm->operation_id, nm->error, nm->error_description};
    char **slots[5] = {&r->code, &r->state, &r->operation_id, &r->error, &r->error_description};
    for (size_t i = 0; i < 5; i++)
        if (names[i] && strlen(names[i]) == kl && memcmp(names[i], k, kl) == 0) return slots[i];
    return NULL;
}

int pontes_redirect_parse(const char *url, const pontes_redirect_names *names, const char *expected_state,
                          pontes_redirect **out, pontes_error *err) {
    if (out) *out = NULL;
    if (!url || !names || !out) return pontes_err_set(err, PONTES_EINVAL, "redirect: no URL given");
    const char *q = strchr(url, '?');
    const char *frag = strchr(url, '#');
    if (q && frag && frag < q) q = NULL;
    if (!q && strchr(url, '=') && !strstr(url, "://")) q = url - 1; /* a bare query string */
    if (!q)
        return pontes_err_set(err, PONTES_EINVAL,
                              "redirect: the URL has no query string (expected ?%s=...): pass the whole URL the "
                              "browser was redirected to",
                              names->code ? names->code : names->operation_id ? names->operation_id : "...");
    const char *qs = q + 1;
    size_t qn = frag && frag > qs ? (size_t)(frag - qs) : strlen(qs);
    pontes_redirect *r = calloc(1, sizeof *r);
    if (!r) return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    bool bad = false;
    size_t i = 0;
    while (i < qn) {
        size_t j = i;
        while (j < qn && qs[j] != '&' && qs[j] != ';') j++;
        size_t eq = i;
        while (eq < j && qs[eq] != '=') eq++;
        if (j > i) {
            bool kbad = false;
            char *k = pct_decode(qs + i, eq - i, &kbad);
            if (!k) {
                pontes_redirect_free(r);
                return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
            }
            char **slot = slot_for(r, names, k, strlen(k));
            if (slot && !*slot) { /* the first occurrence counts */
                *slot = pct_decode(eq < j ? qs + eq + 1 : qs + j, eq < j ? j - eq - 1 : 0, &bad);
                if (!*slot) {
                    free(k);
                    pontes_redirect_free(r);
                    return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
                }
            }
            free(k);
        }
        i = j + 1;
    }
    int rc = PONTES_OK;
    if (r->error || r->error_description) {
        char e[200], d[400];
        pontes_cl_one_line(e, sizeof e, r->error);
        pontes_cl_one_line(d, sizeof d, r->error_description);
        rc = pontes_err_set(err, PONTES_EAUTH, "redirect: the provider reported an error%s%s%s%s (the user may have "
                            "cancelled or the consent failed): start the flow again",
                            e[0] ? ": " : "", e, d[0] ? (e[0] ? " - " : ": ") : "", d);
        if (err) {
            if (r->error) pontes_err_set_str(err, &err->provider_code, r->error, (size_t)-1);
            if (r->error_description) pontes_err_set_str(err, &err->provider_message, r->error_description, (size_t)-1);
        }
    } else if (bad) {
        rc = pontes_err_set(err, PONTES_EINVAL, "redirect: the query string has a malformed percent escape");
    } else if (expected_state && names->state && !r->state) {
        rc = pontes_err_set(err, PONTES_EAUTH,
                            "redirect: no %s parameter: the redirect cannot be matched to the flow you started "
                            "(possible forgery); start the flow again",
                            names->state);
    } else if (expected_state && names->state &&
               (strlen(r->state) != strlen(expected_state) ||
                CRYPTO_memcmp(r->state, expected_state, strlen(expected_state)) != 0)) {
        rc = pontes_err_set(err, PONTES_EAUTH,
                            "redirect: the %s parameter does not match the state of the flow you started "
                            "(possible forgery, or a redirect of another flow); start the flow again",
                            names->state);
    } else if (names->code && (!r->code || !r->code[0])) {
        rc = pontes_err_set(err, PONTES_EINVAL, "redirect: no %s parameter in the redirect URL", names->code);
    } else if (names->operation_id && (!r->operation_id || !r->operation_id[0])) {
        rc = pontes_err_set(err, PONTES_EINVAL, "redirect: no %s parameter in the redirect URL", names->operation_id);
    }
    if (rc != PONTES_OK) {
        pontes_redirect_free(r);
        return rc;
    }
    *out = r;
    return PONTES_OK;
}

int pontes_client_redirect_parse(pontes_client *c, const char *url, const pontes_redirect_names *names,
                                 const char *expected_state, pontes_redirect **out) {
    if (!c) return PONTES_EINVAL;
    pontes_err_reset(&c->err);
    int rc = pontes_redirect_parse(url, names, expected_state, out, &c->err);
    if (rc != PONTES_OK) c->err.status = rc;
    return rc;
}

void pontes_flow_start_free(pontes_flow_start *s) {
    if (!s) return;
    free(s->login_url);
    pontes_cl_secret_free(s->state);
    free(s);
}

int pontes_client_flow_start_new(pontes_client *c, const char *login_url, const char *member, const char *state,
                                 pontes_flow_start **out) {
    if (!c || !out) return PONTES_EINVAL;
    *out = NULL;
    if (!login_url || !*login_url) {
        pontes_err_set(&c->err, PONTES_EDECODE, "the start response has no %s (the page to open for the user)",
                       member ? member : "login URL");
        return PONTES_EDECODE;
    }
    pontes_flow_start *s = calloc(1, sizeof *s);
    if (s) {
        s->login_url = pontes_cl_strdup(login_url);
        s->state = state ? pontes_cl_strdup(state) : NULL;
    }
    if (!s || !s->login_url || (state && !s->state)) {
        pontes_flow_start_free(s);
        return pontes_err_set(&c->err, PONTES_ENOMEM, "out of memory");
    }
    *out = s;
    return PONTES_OK;
}
