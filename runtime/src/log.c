/* Redaction of diagnostics before they reach the log hook.
 *
 * Two passes:
 *   1. every occurrence of a known secret (tokens, API keys, Basic credentials
 *      held by the client) is replaced by "[REDACTED]";
 *   2. values that look secret by their name are replaced: header lines and
 *      "name: value" pairs (Authorization, Cookie, *token*, *secret*, *password*,
 *      *api-key*, ...), "name=value" pairs of query strings and forms, JSON string
 *      members ("access_token": "..."), and the credential after "Bearer"/"Basic".
 * Over-redaction is accepted; leaking is not.
 */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define REDACTED "[REDACTED]"
#define REDACTED_LEN (sizeof REDACTED - 1)

/* Simple growable string (no dependency on the codec's buffer). */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
    if (b->failed) return;
    if (b->cap - b->len < n + 1) {
        size_t nc = b->cap ? b->cap : 64;
        while (nc - b->len < n + 1) {
            if (nc > SIZE_MAX / 2) {
                b->failed = 1;
                return;
            }
            nc *= 2;
        }
        char *np = realloc(b->p, nc);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static char lower(char c) { return (char)tolower((unsigned char)c); }

/* Is a parameter/header/member name secret-looking? Case-insensitive; '-', '_'
 * and '.' are ignored ("X-Api-Key" ~ "xapikey", "client_secret" ~ "clientsecret"). */
bool pontes__name_is_secret(const char *name, size_t len) {
    char norm[96];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof norm - 1; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.' || c == ' ') continue;
        norm[n++] = lower(c);
    }
    norm[n] = '\0';
    if (n == 0) return false;
    static const char *const contains[] = {"authorization", "token", "secret", "password", "passwd",
                                           "apikey", "credential", "cookie", "signature", "session",
                                           "privatekey", "assertion", NULL};
    static const char *const exact[] = {"key", "pwd", "pass", "sig", "auth", "xauth", NULL};
    for (size_t i = 0; contains[i]; i++)
        if (strstr(norm, contains[i])) return true;
    for (size_t i = 0; exact[i]; i++)
        if (strcmp(norm, exact[i]) == 0) return true;
    return false;
}

static int is_name_char(char c) {
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '[' || c == ']';
}

/* Characters after which a name may start. */
static int is_name_boundary(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '?' || c == '&' || c == ';' ||
           c == ',' || c == '{' || c == '(' || c == '\'';
}

/* End of a "name=value" value. */
static int is_kv_end(char c) {
    return c == '&' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == ',' ||
           c == '"' || c == '\'' || c == '\0';
}

/* End of a credential after Bearer/Basic. */
static int is_cred_end(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '\'' || c == ',' ||
           c == ';' || c == '\0';
}

static int starts_with_ci(const char *s, size_t n, const char *word) {
    size_t wl = strlen(word);
    if (n < wl) return 0;
    for (size_t i = 0; i < wl; i++)
        if (lower(s[i]) != word[i]) return 0;
    return 1;
}

/* Pass 1: known secret values. */
static void scrub_known(sbuf *out, const char *s, size_t n, const char *const *secrets, size_t nsecrets) {
    size_t i = 0, run = 0;
    while (i < n) {
        size_t hit = 0;
        for (size_t k = 0; k < nsecrets; k++) {
            const char *sec = secrets[k];
            if (!sec) continue;
            size_t sl = strlen(sec);
            if (sl < 4 || sl > n - i) continue;
            if (memcmp(s + i, sec, sl) == 0 && sl > hit) hit = sl;
        }
        if (hit) {
            sb_add(out, s + run, i - run);
            sb_add(out, REDACTED, REDACTED_LEN);
            i += hit;
            run = i;
        } else {
            i++;
        }
    }
    sb_add(out, s + run, n - run);
}

/* Pass 2: secret-looking names and credential words. */
static void scrub_patterns(sbuf *out, const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        int boundary = (i == 0) || is_name_boundary(s[i - 1]);

        /* JSON member: "name" : "value" */
        if (c == '"') {
            size_t j = i + 1;
            while (j < n && s[j] != '"' && s[j] != '\\') j++;
            if (j < n && s[j] == '"' && pontes__name_is_secret(s + i + 1, j - i - 1)) {
                size_t k = j + 1;
                while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
                if (k < n && s[k] == ':') {
                    k++;
                    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
                    if (k < n && s[k] == '"') {
                        size_t v = k + 1;
                        while (v < n && s[v] != '"') v += (s[v] == '\\' && v + 1 < n) ? 2 : 1;
                        sb_add(out, s + i, k + 1 - i);
                        sb_add(out, REDACTED, REDACTED_LEN);
                        i = v; /* the closing quote (if any) is copied next */
                        continue;
                    }
                }
            }
            sb_add(out, s + i, 1);
            i++;
            continue;
        }

        if (boundary && is_name_char(c)) {
            size_t j = i;
            while (j < n && is_name_char(s[j])) j++;
            size_t nl = j - i;
            /* Bearer / Basic credentials */
            if ((nl == 6 && starts_with_ci(s + i, nl, "bearer")) || (nl == 5 && starts_with_ci(s + i, nl, "basic"))) {
                size_t k = j;
                while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
                if (k > j && k < n && !is_cred_end(s[k])) {
                    size_t v = k;
                    while (v < n && !is_cred_end(s[v])) v++;
                    sb_add(out, s + i, k - i);
                    sb_add(out, REDACTED, REDACTED_LEN);
                    i = v;
                    continue;
                }
            }
            if (j < n && (s[j] == '=' || s[j] == ':') && pontes__name_is_secret(s + i, nl)) {
                if (s[j] == '=') {
                    size_t v = j + 1;
                    while (v < n && !is_kv_end(s[v])) v++;
                    sb_add(out, s + i, j + 1 - i);
                    if (v > j + 1) sb_add(out, REDACTED, REDACTED_LEN);
                    i = v;
                    continue;
                }
                /* "Name: value" -> the rest of the line */
                size_t k = j + 1;
                while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
                size_t v = k;
                while (v < n && s[v] != '\r' && s[v] != '\n') v++;
                sb_add(out, s + i, k - i);
                if (v > k) sb_add(out, REDACTED, REDACTED_LEN);
                i = v;
                continue;
            }
            sb_add(out, s + i, nl);
            i = j;
            continue;
        }
        sb_add(out, s + i, 1);
        i++;
    }
}

char *pontes__redact(const char *s, const char *const *secrets, size_t nsecrets) {
    if (!s) s = "";
    sbuf a = {0}, b = {0};
    scrub_known(&a, s, strlen(s), secrets, nsecrets);
    sb_add(&a, "", 0);
    if (a.failed) {
        free(a.p);
        return NULL;
    }
    scrub_patterns(&b, a.p, a.len);
    sb_add(&b, "", 0);
    free(a.p);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *pontes__redact_known(const char *s, size_t n, const char *const *secrets, size_t nsecrets, size_t *out_len) {
    sbuf a = {0};
    scrub_known(&a, s ? s : "", s ? n : 0, secrets, nsecrets);
    sb_add(&a, "", 0);
    if (a.failed) {
        if (a.p) free(a.p);
        return NULL;
    }
    if (out_len) *out_len = a.len;
    return a.p;
}
