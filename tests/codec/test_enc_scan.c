/* The encoder's string scan (put_string in codec.c: SSE2 16 bytes at a time, SWAR 8 at a time,
 * overlapping tail words, byte loop) against a plain reference escaper: a byte needing a look
 * (quote, backslash, control character, UTF-8 sequence, DEL) at every offset 0..40 of strings
 * of every length 0..56, two of them, one at the very end; invalid UTF-8 at every offset
 * (PONTES_EENCODE with its byte offset); members, list elements and map keys; precomputed
 * member keys and the fallback (key NULL). Each string lies in an exactly-sized heap block
 * (ASan / valgrind see any read past it). This file is built twice: test_enc_scan (the
 * runtime as built: SSE2 on x86-64) and test_enc_scan_portable (codec.c compiled in with
 * -DPONTES_NO_SIMD: the SWAR path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pontes/pontes.h"

typedef struct t_obj {
    const char *s;
    pontes_presence has_s;
    pontes_string_list l;
    pontes_presence has_l;
    pontes_map m;
    pontes_presence has_m;
    pontes_extra _extra;
} t_obj;

static const pontes_type t_list_type = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "string[]", &pontes_type_string,
                                        NULL, NULL, NULL};
static const pontes_type t_map_type = {PONTES_KIND_MAP, 0, sizeof(pontes_map), "map<string>", &pontes_type_string,
                                       NULL, NULL, NULL};
/* with the generator's precomputed keys */
static const pontes_field t_fields[] = {
    {"s", 0, offsetof(t_obj, s), offsetof(t_obj, has_s), &pontes_type_string, "\"s\":", 4, 1},
    {"l", 0, offsetof(t_obj, l), offsetof(t_obj, has_l), &t_list_type, "\"l\":", 4, 1},
    {"m", 0, offsetof(t_obj, m), offsetof(t_obj, has_m), &t_map_type, "\"m\":", 4, 1},
};
static const pontes_message t_msg = {"T", 0, sizeof(t_obj), t_fields, 3, offsetof(t_obj, _extra)};
static const pontes_type t_type = {PONTES_KIND_OBJECT, 0, sizeof(t_obj *), "T", NULL, &t_msg, NULL, NULL};
/* hand-built without them (zero: the runtime escapes the names) */
static const pontes_field t_bare_fields[] = {
    {"s", 0, offsetof(t_obj, s), offsetof(t_obj, has_s), &pontes_type_string, NULL, 0, 0},
    {"l", 0, offsetof(t_obj, l), offsetof(t_obj, has_l), &t_list_type, NULL, 0, 0},
    {"m", 0, offsetof(t_obj, m), offsetof(t_obj, has_m), &t_map_type, NULL, 0, 0},
};
static const pontes_message t_bare_msg = {"T", 0, sizeof(t_obj), t_bare_fields, 3, offsetof(t_obj, _extra)};
static const pontes_type t_bare_type = {PONTES_KIND_OBJECT, 0, sizeof(t_obj *), "T", NULL, &t_bare_msg, NULL,
                                        NULL};

/* ---- reference -------------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const void *d, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    b->p[b->n] = '\0';
}
static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* Length of the valid UTF-8 sequence at s[0..n) (s[0] >= 0x80), 0 if none (RFC 3629). */
static size_t ref_utf8(const unsigned char *s, size_t n) {
    unsigned c = s[0], cp, k;
    if (c >= 0xC2 && c <= 0xDF) k = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) k = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) k = 4, cp = c & 0x07;
    else return 0;
    if (n < k) return 0;
    for (unsigned i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return k;
}

/* The JSON string of s[0..n) into b; -1 and *bad for invalid UTF-8. */
static int ref_string(sbuf *b, const unsigned char *s, size_t n, size_t *bad) {
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        char e[8];
        if (c >= 0x80) {
            size_t k = ref_utf8(s + i, n - i);
            if (!k) {
                *bad = i;
                return -1;
            }
            sb_put(b, s + i, k);
            i += k;
            continue;
        }
        if (c == '"') sb_str(b, "\\\"");
        else if (c == '\\') sb_str(b, "\\\\");
        else if (c == '\b') sb_str(b, "\\b");
        else if (c == '\f') sb_str(b, "\\f");
        else if (c == '\n') sb_str(b, "\\n");
        else if (c == '\r') sb_str(b, "\\r");
        else if (c == '\t') sb_str(b, "\\t");
        else if (c < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", c);
            sb_str(b, e);
        } else sb_put(b, s + i, 1);
        i++;
    }
    sb_put(b, "\"", 1);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------------- */

/* an exactly-sized heap copy: n bytes and the NUL */
static char *heap(const unsigned char *s, size_t n) {
    char *p = malloc(n + 1);
    assert_non_null(p);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static size_t checked;

/* Encodes v with both descriptor tables: the same bytes, equal to want (or the error). */
static void expect(const t_obj *v, const char *want, size_t bad_at, const char *bad_path) {
    for (int bare = 0; bare < 2; bare++) {
        char *json = NULL;
        size_t len = 0;
        pontes_error err = PONTES_ERROR_INIT;
        int rc = pontes_encode(bare ? &t_bare_type : &t_type, v, &json, &len, &err);
        if (want) {
            if (rc) print_error("encode failed: %s\n", err.message ? err.message : "?");
            assert_int_equal(rc, PONTES_OK);
            if (len != strlen(want) || memcmp(json, want, len) != 0)
                print_error("bare %d\n got  %s\n want %s\n", bare, json, want);
            assert_int_equal(len, strlen(want));
            assert_memory_equal(json, want, len);
            assert_int_equal(json[len], '\0');
            pontes_json_free(json);
        } else {
            assert_int_equal(rc, PONTES_EENCODE);
            assert_null(json);
            char msg[64];
            snprintf(msg, sizeof msg, "invalid UTF-8 in string at byte %zu", bad_at);
            if (!err.message || !strstr(err.message, msg)) print_error("message '%s', want '%s'\n", err.message, msg);
            assert_non_null(strstr(err.message, msg));
            assert_string_equal(err.json_path, bad_path);
        }
        pontes_error_clear(&err);
    }
    checked++;
}

/* {"s": s[0..n)} compared with the reference */
static void check_member(const unsigned char *s, size_t n) {
    char *h = heap(s, n);
    t_obj v;
    memset(&v, 0, sizeof v);
    PONTES_PUT(v, s, h);
    sbuf b = {0};
    size_t bad = 0;
    sb_str(&b, "{\"s\":");
    int ok = ref_string(&b, s, n, &bad) == 0;
    sb_str(&b, "}");
    expect(&v, ok ? b.p : NULL, bad, "$.s");
    free(b.p);
    free(h);
}

/* {"l":[a, s, a],"m":{s: a}}: list elements (the list fast path) and map keys (put_key) */
static void check_list_map(const unsigned char *s, size_t n) {
    char *h = heap(s, n), *a = heap((const unsigned char *)"x", 1);
    const char *items[3] = {a, h, a}, *keys[1] = {h}, *vals[1] = {a};
    t_obj v;
    memset(&v, 0, sizeof v);
    v.l.items = items;
    v.l.count = 3;
    v.has_l = PONTES_SET;
    v.m.keys = keys;
    v.m.values = (void *)vals;
    v.m.count = 1;
    v.has_m = PONTES_SET;
    sbuf b = {0};
    size_t bad = 0;
    sb_str(&b, "{\"l\":[\"x\",");
    int ok = ref_string(&b, s, n, &bad) == 0;
    sb_str(&b, ",\"x\"],\"m\":{");
    if (ok) ref_string(&b, s, n, &bad);
    sb_str(&b, ":\"x\"}}");
    expect(&v, ok ? b.p : NULL, bad, "$.l[1]");
    free(b.p);
    free(h);
    free(a);
}

static void fill(unsigned char *s, size_t n) {
    for (size_t i = 0; i < n; i++) s[i] = (unsigned char)('a' + i % 26);
}

static const char *const specials[] = {
    "\"", "\\", "\x01", "\x1f", "\n", "\t", "\b", "\f", "\r", "\x7f", "/", " ",
    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf",
};
static const char *const invalid[] = {
    "\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xc3", "\xc3\x28", "\xe2\x82", "\xe0\x80\x80", "\xed\xa0\x80",
    "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xf0\x9f\x98",
};

/* ---- tests ------------------------------------------------------------------------------ */

static void test_every_offset(void **state) {
    (void)state;
    unsigned char s[80];
    for (size_t n = 0; n <= 56; n++) {
        fill(s, n);
        check_member(s, n); /* clean */
        for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++) {
            size_t sl = strlen(specials[k]);
            for (size_t p = 0; p <= 40 && p + sl <= n; p++) {
                fill(s, n);
                memcpy(s + p, specials[k], sl);
                check_member(s, n);
                if (n - sl > p + sl) { /* and a second one at the very end */
                    memcpy(s + n - sl, specials[k], sl);
                    check_member(s, n);
                }
            }
        }
    }
}

static void test_invalid_utf8_every_offset(void **state) {
    (void)state;
    unsigned char s[80];
    for (size_t n = 1; n <= 56; n++) {
        for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++) {
            size_t sl = strlen(invalid[k]);
            for (size_t p = 0; p <= 40 && p + sl <= n; p++) {
                fill(s, n);
                memcpy(s + p, invalid[k], sl);
                check_member(s, n);
                if (p == 0) check_list_map(s, n);
            }
            if (sl <= n) { /* at the very end: a truncated sequence is cut by the block's end */
                fill(s, n);
                memcpy(s + n - sl, invalid[k], sl);
                check_member(s, n);
            }
        }
    }
}

static void test_lists_and_map_keys(void **state) {
    (void)state;
    unsigned char s[80];
    for (size_t n = 0; n <= 40; n++) {
        fill(s, n);
        check_list_map(s, n);
        for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++) {
            size_t sl = strlen(specials[k]);
            for (size_t p = 0; p + sl <= n; p++) {
                fill(s, n);
                memcpy(s + p, specials[k], sl);
                check_list_map(s, n);
            }
        }
    }
}

/* dense mixtures: many specials close together, runs of every length between them */
static void test_random_mixtures(void **state) {
    (void)state;
    uint32_t x = 12345;
    unsigned char s[200];
    for (int iter = 0; iter < 20000; iter++) {
        x = x * 1103515245u + 12345u;
        size_t n = (x >> 16) % 120;
        size_t i = 0;
        while (i < n) {
            x = x * 1103515245u + 12345u;
            unsigned r = (x >> 16) % 40;
            const char *ins = r < (unsigned)(sizeof specials / sizeof specials[0]) ? specials[r] : "q";
            if (r == 39 && iter % 7 == 0) ins = invalid[(x >> 8) % (sizeof invalid / sizeof invalid[0])];
            size_t sl = strlen(ins);
            if (i + sl > n) break;
            memcpy(s + i, ins, sl);
            i += sl;
        }
        check_member(s, i);
    }
}

/* a NULL element of a plain string list is still an error at its index */
static void test_null_list_element(void **state) {
    (void)state;
    const char *items[3] = {"a", NULL, "b"};
    t_obj v;
    memset(&v, 0, sizeof v);
    v.l.items = items;
    v.l.count = 3;
    v.has_l = PONTES_SET;
    char *json = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(pontes_encode(&t_type, &v, &json, NULL, &err), PONTES_EENCODE);
    assert_null(json);
    assert_string_equal(err.json_path, "$.l[1]");
    assert_non_null(strstr(err.message, "NULL string"));
    pontes_error_clear(&err);
}

/* long strings: the buffer grows while a string is written (escapes reserve as they come) */
static void test_long_strings(void **state) {
    (void)state;
    static unsigned char s[70000];
    for (size_t n = 1000; n <= sizeof s; n += 23000) {
        for (size_t i = 0; i < n; i++) s[i] = (unsigned char)(i % 97 == 0 ? '"' : i % 89 == 0 ? 0x01 : 'a' + i % 26);
        check_member(s, n);
        memset(s, '\\', n); /* every byte doubles */
        check_member(s, n);
        memset(s, 0x02, n); /* every byte grows six-fold */
        check_member(s, n);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_offset),
        cmocka_unit_test(test_invalid_utf8_every_offset),
        cmocka_unit_test(test_lists_and_map_keys),
        cmocka_unit_test(test_random_mixtures),
        cmocka_unit_test(test_null_list_element),
        cmocka_unit_test(test_long_strings),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (!rc) printf("%zu encodings checked\n", checked);
    return rc;
}
