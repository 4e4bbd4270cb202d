/* The invariants checked for every input (see fuzz_schemas.h for the input format):
 *  - a failed decode leaves *out NULL and reports a message and a JSON path "$...";
 *  - strict success implies tolerant success with no deviations;
 *  - a decoded value encodes (PONTES_EENCODE is accepted only after a tolerant decode
 *    that reported deviations, PONTES_ERANGE always), the encoding decodes again in the
 *    same mode, and re-encoding that gives byte-identical text.
 * Any violation prints what happened to stderr and abort()s. */
#include "fuzz_schemas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *g_only; /* fuzz_schemas_only: one API, or NULL for all */

void fuzz_schemas_only(const char *api) { g_only = (api && *api) ? api : NULL; }

static size_t api_count_of(size_t a) {
    return (g_only && strcmp(fuzz_apis[a].name, g_only) != 0) ? 0 : fuzz_apis[a].count();
}

size_t fuzz_schema_total(void) {
    size_t n = 0;
    for (size_t a = 0; a < fuzz_api_count; a++) n += api_count_of(a);
    return n;
}

int fuzz_schema_at(size_t global, const fuzz_api **api, const char **name, const pontes_type **type) {
    for (size_t a = 0; a < fuzz_api_count; a++) {
        size_t c = api_count_of(a);
        if (global < c) {
            *api = &fuzz_apis[a];
            fuzz_apis[a].at(global, name, type);
            return 1;
        }
        global -= c;
    }
    return 0;
}

size_t fuzz_schema_find(const char *api, const char *schema) {
    size_t base = 0;
    for (size_t a = 0; a < fuzz_api_count; a++) {
        size_t c = api_count_of(a);
        if (strcmp(fuzz_apis[a].name, api) == 0) {
            for (size_t i = 0; i < c; i++) {
                const char *n;
                const pontes_type *t;
                fuzz_apis[a].at(i, &n, &t);
                if (strcmp(n, schema) == 0) return base + i;
            }
            return (size_t)-1;
        }
        base += c;
    }
    return (size_t)-1;
}

typedef struct ctx {
    const char *api, *schema;
    const char *mode; /* "strict" / "tolerant" */
} ctx;

static void finding(const ctx *c, const char *what, int rc, const pontes_error *err) {
    fprintf(stderr, "fuzz_schemas: FINDING %s/%s (%s decode): %s (rc %d%s%s%s%s)\n", c->api, c->schema,
            c->mode, what, rc, err && err->message ? ": " : "", err && err->message ? err->message : "",
            err && err->json_path ? " at " : "", err && err->json_path ? err->json_path : "");
    abort();
}

static int decode(const ctx *c, const pontes_type *t, const char *json, size_t len, bool strict,
                  pontes_deviations *dev, void **out) {
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.strict = strict;
    o.deviations = dev;
    pontes_error err = PONTES_ERROR_INIT;
    *out = NULL;
    int rc = pontes_decode(t, json, len, &o, out, &err);
    if (rc == PONTES_OK) {
        if (!*out) finding(c, "decode succeeded without a value", rc, &err);
    } else {
        if (*out) finding(c, "failed decode left a value", rc, &err);
        if (!err.message || !err.json_path || err.json_path[0] != '$')
            finding(c, "failed decode without message/json_path", rc, &err);
    }
    pontes_error_clear(&err);
    return rc;
}

/* decode -> encode -> decode -> encode must be stable. */
static void roundtrip(const ctx *c, const pontes_type *t, const void *v, bool strict, size_t deviations) {
    char *enc = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_encode(t, v, &enc, &len, &err);
    if (rc != PONTES_OK) {
        if (enc) finding(c, "failed encode left output", rc, &err);
        bool ok = rc == PONTES_ERANGE || (rc == PONTES_EENCODE && !strict && deviations > 0);
        if (!ok) finding(c, "decoded value does not encode", rc, &err);
        pontes_error_clear(&err);
        return;
    }
    pontes_error_clear(&err);
    if (!enc || strlen(enc) != len) finding(c, "encode output length mismatch", rc, NULL);
    pontes_deviations dev2;
    memset(&dev2, 0, sizeof dev2);
    void *v2 = NULL;
    rc = decode(c, t, enc, len, strict, &dev2, &v2);
    if (rc != PONTES_OK) {
        fprintf(stderr, "fuzz_schemas: encoded text: %.2000s\n", enc);
        finding(c, "encoded value does not decode again", rc, NULL);
    }
    char *enc2 = NULL;
    size_t len2 = 0;
    rc = pontes_encode(t, v2, &enc2, &len2, &err);
    if (rc != PONTES_OK) {
        fprintf(stderr, "fuzz_schemas: encoded text: %.2000s\n", enc);
        finding(c, "re-decoded value does not encode", rc, &err);
    }
    if (len2 != len || memcmp(enc, enc2, len) != 0) {
        fprintf(stderr, "fuzz_schemas: first encoding:  %.2000s\nfuzz_schemas: second encoding: %.2000s\n", enc,
                enc2);
        finding(c, "encoding is not stable", rc, NULL);
    }
    pontes_json_free(enc2);
    pontes_free(v2);
    pontes_json_free(enc);
}

void fuzz_schemas_one(const uint8_t *data, size_t size) {
    size_t total = fuzz_schema_total();
    if (size < 2 || total == 0) return;
    size_t sel = ((size_t)data[0] << 8 | data[1]) % total;
    const fuzz_api *api;
    const pontes_type *t;
    ctx c = {NULL, NULL, NULL};
    if (!fuzz_schema_at(sel, &api, &c.schema, &t)) abort();
    c.api = api->name;
    const char *json = (const char *)data + 2;
    size_t len = size - 2;

    pontes_deviations dev;
    memset(&dev, 0, sizeof dev);
    void *tv = NULL, *sv = NULL;
    c.mode = "tolerant";
    int trc = decode(&c, t, json, len, false, &dev, &tv);
    if (trc == PONTES_OK && dev.kept > dev.count) finding(&c, "deviations.kept > deviations.count", trc, NULL);
    if (trc == PONTES_OK && dev.kept > PONTES_DEVIATIONS_KEPT) finding(&c, "deviations.kept too large", trc, NULL);
    c.mode = "strict";
    int src = decode(&c, t, json, len, true, NULL, &sv);
    if (src == PONTES_OK) {
        if (trc != PONTES_OK) finding(&c, "strict decode succeeded, tolerant decode failed", trc, NULL);
        if (dev.count != 0) finding(&c, "strict decode succeeded, tolerant decode reported deviations", trc, NULL);
        roundtrip(&c, t, sv, true, 0);
        pontes_free(sv);
    }
    if (trc == PONTES_OK) {
        c.mode = "tolerant";
        roundtrip(&c, t, tv, false, dev.count);
        pontes_free(tv);
    }
}
