/* The decoder's fast paths (runtime/src/codec.c): word-at-a-time string and whitespace
 * scanning, ready-key member matching, the integer fast path, arrays grown in place.
 * Built twice: as the runtime is built (SSE2 on x86-64: test_codec_scan) and with codec.c
 * compiled in with PONTES_NO_SIMD (the portable SWAR/scalar path: test_codec_scan_portable).
 * Every input is an exact-size heap copy (no NUL after it), so ASan / valgrind catch any
 * read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* ---- helpers ------------------------------------------------------------ */

static char *heap_copy(const char *s, size_t n) {
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    if (n) memcpy(p, s, n);
    return p;
}

typedef struct result {
    int rc;
    char msg[512];  /* err.message or "" */
    char path[256]; /* err.json_path or "" */
} result;

static void take_err(result *r, int rc, pontes_error *err) {
    r->rc = rc;
    snprintf(r->msg, sizeof r->msg, "%s", err->message ? err->message : "");
    snprintf(r->path, sizeof r->path, "%s", err->json_path ? err->json_path : "");
    pontes_error_clear(err);
}

/* Decode json[0..n) as one JSON string value (exact-size heap copy). *out: a malloc'd copy
 * of the decoded string (NULL on error), *olen its length. */
static result decode_string(const char *json, size_t n, char **out, size_t *olen) {
    result r;
    char *buf = heap_copy(json, n);
    pontes_arena *a = pontes_arena_new(64);
    assert_non_null(a);
    const char *s = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_codec_decode_into(a, &pontes_type_string, buf, n, &s, &err);
    take_err(&r, rc, &err);
    *out = NULL;
    if (rc == PONTES_OK) {
        assert_non_null(s);
        *olen = strlen(s);
        *out = heap_copy(s, *olen + 1);
    }
    pontes_arena_destroy(a);
    free(buf);
    return r;
}

static void expect_str(const char *json, size_t n, const char *want, size_t wlen) {
    char *got;
    size_t glen = 0;
    result r = decode_string(json, n, &got, &glen);
    if (r.rc != PONTES_OK) print_error("%.*s: %s\n", (int)n, json, r.msg);
    assert_int_equal(r.rc, PONTES_OK);
    assert_int_equal(glen, wlen);
    assert_memory_equal(got, want, wlen);
    free(got);
}

static void expect_str_error(const char *json, size_t n, const char *msg) {
    char *got;
    size_t glen = 0;
    result r = decode_string(json, n, &got, &glen);
    assert_int_equal(r.rc, PONTES_EDECODE);
    assert_null(got);
    if (strcmp(r.msg, msg) != 0) print_error("%.*s: got \"%s\", want \"%s\"\n", (int)n, json, r.msg, msg);
    assert_string_equal(r.msg, msg);
}

/* the plain bytes of the test strings: ASCII letters and digits (never a stop byte) */
static char plain(size_t i) { return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[i % 62]; }

/* ---- strings: the stop byte at every offset, the end at every offset ----- */

/* `"` + k plain bytes + special + t plain bytes + `"`: the special sequence at offset k of the
 * string body and the closing quote at the very end of the buffer. */
static void test_string_special_at_every_offset(void **state) {
    (void)state;
    static const struct {
        const char *json; /* the special sequence as written in JSON */
        const char *val;  /* what it decodes to */
    } sp[] = {
        {"", ""},                       /* nothing: the closing quote itself at every offset */
        {"\\\"", "\""},                 /* escaped quote */
        {"\\\\", "\\"},                 /* escaped backslash */
        {"\\/", "/"},
        {"\\n", "\n"},
        {"\\t", "\t"},
        {"\\u00e9", "\xC3\xA9"},        /* \u escape */
        {"\\ud83d\\ude00", "\xF0\x9F\x98\x80"}, /* surrogate pair */
        {"\xC3\xA9", "\xC3\xA9"},       /* 2-byte UTF-8 */
        {"\xE2\x82\xAC", "\xE2\x82\xAC"}, /* 3-byte UTF-8 */
        {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"}, /* 4-byte UTF-8 */
        {"\x7F", "\x7F"},               /* DEL is a plain string byte */
        {" ", " "},
        {"!", "!"},                     /* 0x21, next to '"' */
        {"#", "#"},                     /* 0x23 */
        {"[", "["},                     /* 0x5B, next to '\\' */
        {"]", "]"},                     /* 0x5D */
    };
    char json[128], want[128];
    for (size_t s = 0; s < sizeof sp / sizeof sp[0]; s++) {
        for (size_t k = 0; k <= 40; k++) {
            for (size_t t = 0; t <= 20; t++) {
                size_t n = 0, w = 0;
                json[n++] = '"';
                for (size_t i = 0; i < k; i++) json[n++] = want[w++] = plain(i);
                size_t sl = strlen(sp[s].json), vl = strlen(sp[s].val);
                memcpy(json + n, sp[s].json, sl);
                n += sl;
                memcpy(want + w, sp[s].val, vl);
                w += vl;
                for (size_t i = 0; i < t; i++) json[n++] = want[w++] = plain(k + i);
                json[n++] = '"';
                expect_str(json, n, want, w);
            }
        }
    }
}

/* A control byte (raw, not escaped) at every offset: the error names its byte offset. */
static void test_string_control_byte_at_every_offset(void **state) {
    (void)state;
    static const unsigned char ctl[] = {0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F};
    char json[128], msg[128];
    for (size_t c = 0; c < sizeof ctl; c++) {
        for (size_t k = 0; k <= 40; k++) {
            for (size_t t = 0; t <= 20; t++) {
                size_t n = 0;
                json[n++] = '"';
                for (size_t i = 0; i < k; i++) json[n++] = plain(i);
                json[n++] = (char)ctl[c];
                for (size_t i = 0; i < t; i++) json[n++] = plain(i);
                json[n++] = '"';
                snprintf(msg, sizeof msg, "$: invalid JSON at byte %zu (control character in string)", k + 1);
                expect_str_error(json, n, msg);
            }
        }
    }
}

/* Strings cut short at every length: unterminated, a lone trailing backslash, a cut \u. */
static void expect_unterminated(const char *json, size_t n) {
    char msg[128];
    snprintf(msg, sizeof msg, "$: invalid JSON at byte %zu (unterminated string)", n);
    expect_str_error(json, n, msg);
}

static void test_string_cut_everywhere(void **state) {
    (void)state;
    char json[128], msg[128];
    for (size_t k = 0; k <= 48; k++) {
        size_t n = 0;
        json[n++] = '"';
        for (size_t i = 0; i < k; i++) json[n++] = plain(i);
        expect_unterminated(json, n); /* no closing quote */
        json[n] = '\\';
        expect_unterminated(json, n + 1); /* ends with a backslash */
        memcpy(json + n, "\\u12", 4);
        snprintf(msg, sizeof msg, "$: invalid JSON at byte %zu (invalid \\u escape)", n);
        expect_str_error(json, n + 4, msg); /* a cut \u escape */
        memcpy(json + n, "\\x\"", 3);
        snprintf(msg, sizeof msg, "$: invalid JSON at byte %zu (invalid escape)", n);
        expect_str_error(json, n + 3, msg);
        memcpy(json + n, "\\\"", 2);
        expect_unterminated(json, n + 2); /* an escaped quote is not the end */
        memcpy(json + n, "\xC3\xA9", 2);
        expect_unterminated(json, n + 2); /* a multi-byte character at the very end */
    }
}

/* Long strings (several 16-byte blocks) with escapes spread out. */
static void test_string_long(void **state) {
    (void)state;
    enum { N = 3000 };
    char *json = malloc(2 * N + 2), *want = malloc(N + 1);
    assert_non_null(json);
    assert_non_null(want);
    for (size_t every = 1; every <= 70; every += 3) {
        size_t n = 0, w = 0;
        json[n++] = '"';
        for (size_t i = 0; i < N; i++) {
            if (i % every == every - 1) {
                json[n++] = '\\';
                json[n++] = 'n';
                want[w++] = '\n';
            } else {
                json[n++] = want[w++] = plain(i);
            }
        }
        json[n++] = '"';
        expect_str(json, n, want, w);
    }
    free(json);
    free(want);
}

/* UTF-8 stays validated: invalid sequences inside a string at every offset. */
static void test_string_invalid_utf8_at_every_offset(void **state) {
    (void)state;
    static const char *bad[] = {"\x80", "\xC0\xAF", "\xC3", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"};
    char json[128], msg[128];
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        for (size_t k = 0; k <= 40; k++) {
            size_t n = 0;
            json[n++] = '"';
            for (size_t i = 0; i < k; i++) json[n++] = plain(i);
            memcpy(json + n, bad[b], strlen(bad[b]));
            n += strlen(bad[b]);
            json[n++] = '"';
            snprintf(msg, sizeof msg, "invalid UTF-8 at byte %zu", k + 1);
            char *got;
            size_t glen;
            result r = decode_string(json, n, &got, &glen);
            assert_int_equal(r.rc, PONTES_EDECODE);
            assert_non_null(strstr(r.msg, msg));
        }
    }
}

/* ---- an object with ready keys, and the same without (key NULL) ------------ */

typedef struct sc_obj {
    int64_t id;
    pontes_presence has_id;
    int32_t n;
    pontes_presence has_n;
    const char *name;
    pontes_presence has_name;
    pontes_list tags;
    pontes_presence has_tags;
    int64_t k8; /* "abcde": key `"abcde":` is 8 bytes */
    pontes_presence has_k8;
    int64_t k16; /* key 16 bytes */
    pontes_presence has_k16;
    int64_t k17; /* key 17 bytes */
    pontes_presence has_k17;
    int64_t lng; /* key 28 bytes */
    pontes_presence has_lng;
    int64_t quo; /* name q"uote: an escaped ready key */
    pontes_presence has_quo;
    const char *utf; /* name "é" */
    pontes_presence has_utf;
    pontes_extra _extra;
} sc_obj;

static const pontes_type sc_string_list = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "string[]", &pontes_type_string,
                                           NULL, NULL, NULL};

#define SC_F(nm, key, fl, mem, ty) \
    {nm, fl, offsetof(sc_obj, mem), offsetof(sc_obj, has_##mem), ty, key, (uint32_t)sizeof(key) - 1, (uint32_t)sizeof(nm) - 1}
#define SC_N(nm, key, fl, mem, ty) {nm, fl, offsetof(sc_obj, mem), offsetof(sc_obj, has_##mem), ty, NULL, 0, 0}
#define SC_FIELDS(F)                                                                   \
    {                                                                                  \
        F("id", "\"id\":", PONTES_F_REQUIRED, id, &pontes_type_int64),                 \
        F("n", "\"n\":", 0, n, &pontes_type_int32),                                    \
        F("name", "\"name\":", 0, name, &pontes_type_string),                          \
        F("tags", "\"tags\":", 0, tags, &sc_string_list),                              \
        F("abcde", "\"abcde\":", 0, k8, &pontes_type_int64),                           \
        F("abcdefghijklm", "\"abcdefghijklm\":", 0, k16, &pontes_type_int64),          \
        F("abcdefghijklmn", "\"abcdefghijklmn\":", 0, k17, &pontes_type_int64),        \
        F("a_rather_long_member_name", "\"a_rather_long_member_name\":", 0, lng, &pontes_type_int64), \
        F("q\"uote", "\"q\\\"uote\":", 0, quo, &pontes_type_int64),                   \
        F("\xC3\xA9", "\"\xC3\xA9\":", PONTES_F_NULLABLE, utf, &pontes_type_string),   \
    }
static const pontes_field sc_ready_fields[] = SC_FIELDS(SC_F);
static const pontes_field sc_plain_fields[] = SC_FIELDS(SC_N);
#define SC_NF (sizeof sc_ready_fields / sizeof sc_ready_fields[0])
static const pontes_message sc_ready_msg = {"Obj", 0, sizeof(sc_obj), sc_ready_fields, SC_NF, offsetof(sc_obj, _extra)};
static const pontes_message sc_plain_msg = {"Obj", 0, sizeof(sc_obj), sc_plain_fields, SC_NF, offsetof(sc_obj, _extra)};
static const pontes_type sc_ready_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Obj", NULL, &sc_ready_msg, NULL, NULL};
static const pontes_type sc_plain_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Obj", NULL, &sc_plain_msg, NULL, NULL};

/* A text rendering of a decoded sc_obj (presence, values, unknown members) for comparisons. */
static void sc_dump(const sc_obj *o, char *out, size_t cap) {
    size_t k = 0;
#define PUT(...) k += (size_t)snprintf(out + k, k < cap ? cap - k : 0, __VA_ARGS__)
    PUT("id%d=%lld n%d=%d name%d=%s k8%d=%lld k16%d=%lld k17%d=%lld lng%d=%lld quo%d=%lld utf%d=%s tags%d=[",
        o->has_id, (long long)o->id, o->has_n, (int)o->n, o->has_name, o->name ? o->name : "(null)", o->has_k8,
        (long long)o->k8, o->has_k16, (long long)o->k16, o->has_k17, (long long)o->k17, o->has_lng,
        (long long)o->lng, o->has_quo, (long long)o->quo, o->has_utf, o->utf ? o->utf : "(null)", o->has_tags);
    for (size_t i = 0; i < o->tags.count; i++) PUT("%s,", ((const char *const *)o->tags.items)[i]);
    PUT("] extra=%zu", o->_extra.count);
    for (size_t i = 0; i < o->_extra.count; i++) PUT(" %s", o->_extra.items[i]->string);
#undef PUT
}

typedef struct full_result {
    result r;
    char dump[2048];
    size_t dev_count;
    char devs[1024];
} full_result;

static full_result decode_obj(const pontes_type *t, const char *json, size_t n, bool strict) {
    full_result f;
    memset(&f, 0, sizeof f);
    char *buf = heap_copy(json, n);
    pontes_deviations dev;
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.strict = strict;
    o.deviations = &dev;
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_decode(t, buf, n, &o, &out, &err);
    take_err(&f.r, rc, &err);
    if (rc == PONTES_OK) sc_dump(out, f.dump, sizeof f.dump);
    f.dev_count = dev.count;
    size_t k = 0;
    for (size_t i = 0; i < dev.kept && k < sizeof f.devs; i++)
        k += (size_t)snprintf(f.devs + k, sizeof f.devs - k, "%s: %s; ", dev.first[i].path, dev.first[i].what);
    pontes_free(out);
    free(buf);
    return f;
}

/* The ready-key descriptor decodes exactly as the one without keys: status, message, path,
 * values, deviations; tolerant and strict. Returns the ready result's status. */
static int same_both_ways(const char *json, size_t n) {
    int rc0 = 0;
    for (int strict = 0; strict < 2; strict++) {
        full_result a = decode_obj(&sc_ready_type, json, n, strict);
        full_result b = decode_obj(&sc_plain_type, json, n, strict);
        if (a.r.rc != b.r.rc || strcmp(a.r.msg, b.r.msg) || strcmp(a.r.path, b.r.path) || strcmp(a.dump, b.dump) ||
            a.dev_count != b.dev_count || strcmp(a.devs, b.devs)) {
            print_error("input %.*s\nready: %d %s [%s] %s | %s\nplain: %d %s [%s] %s | %s\n", (int)n, json, a.r.rc,
                        a.r.msg, a.r.path, a.dump, a.devs, b.r.rc, b.r.msg, b.r.path, b.dump, b.devs);
            fail();
        }
        if (!strict) rc0 = a.r.rc;
    }
    return rc0;
}

static const char *const sc_seeds[] = {
    "{\"id\":1,\"n\":-2,\"name\":\"Rex\",\"tags\":[\"a\",\"b\",\"c\"],\"abcde\":5,\"abcdefghijklm\":16,"
    "\"abcdefghijklmn\":17,\"a_rather_long_member_name\":28,\"q\\\"uote\":10,\"\xC3\xA9\":\"\xE2\x82\xAC\"}",
    /* another order, unknown members, a null, escaped member names */
    "{\"name\":\"x\",\"id\":0,\"zz\":{\"a\":[1,2,{\"b\":null}]},\"tags\":[],\"\\u0069d2\":3,"
    "\"a_rather_long_member_name\":-9223372036854775808,\"abcde\":9223372036854775807,\"\xC3\xA9\":null,"
    "\"n\\u0061me2\":\"y\",\"q\\u0022uote\":1}",
    /* pretty-printed */
    "{\n  \"id\" : 12,\n\t\"n\":\r\n 7 ,\n  \"name\"   :\"a b\\tc\",\n  \"tags\" : [ \"x\" , \"y\" ]\n}\n",
    /* numbers at the edges of the fast path */
    "{\"id\":123456789012345678,\"n\":2147483647,\"abcde\":1234567890123456789,\"abcdefghijklm\":1.5e1,"
    "\"abcdefghijklmn\":-0,\"a_rather_long_member_name\":100E-2}",
    "{\"id\":1,\"id\":2}",
    "{\"n\":2147483648,\"id\":1}",
    "{\"abcde\":9223372036854775808}",
    "{\"id\":01}",
    "{\"id\":-}",
    "{\"id\":1.5}",
    "{\"n\":-2147483649}",
    "{}",
    "{\"tags\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\"]}",
};

static void test_ready_keys_equal_plain_keys(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof sc_seeds / sizeof sc_seeds[0]; i++) same_both_ways(sc_seeds[i], strlen(sc_seeds[i]));
    /* the first seed decodes to what it says */
    full_result a = decode_obj(&sc_ready_type, sc_seeds[0], strlen(sc_seeds[0]), true);
    assert_int_equal(a.r.rc, PONTES_OK);
    assert_string_equal(a.dump, "id2=1 n2=-2 name2=Rex k82=5 k162=16 k172=17 lng2=28 quo2=10 utf2=\xE2\x82\xAC "
                                "tags2=[a,b,c,] extra=0");
    a = decode_obj(&sc_ready_type, sc_seeds[1], strlen(sc_seeds[1]), false);
    assert_int_equal(a.r.rc, PONTES_OK);
    assert_string_equal(a.dump, "id2=0 n0=0 name2=x k82=9223372036854775807 k160=0 k170=0 "
                                "lng2=-9223372036854775808 quo2=1 utf1=(null) tags2=[] extra=3 zz id2 name2");
    a = decode_obj(&sc_ready_type, sc_seeds[4], strlen(sc_seeds[4]), false);
    assert_int_equal(a.r.rc, PONTES_EDECODE);
    assert_string_equal(a.r.path, "$.id");
    assert_string_equal(a.r.msg, "$.id: duplicate member");
}

/* Every prefix of every seed (the end of the buffer at every position: inside keys, the
 * colon, numbers, strings), both descriptors agree. */
static void test_ready_keys_every_prefix(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof sc_seeds / sizeof sc_seeds[0]; i++) {
        size_t n = strlen(sc_seeds[i]);
        for (size_t k = 0; k <= n; k++) same_both_ways(sc_seeds[i], k);
    }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mutations of the seeds (bytes replaced by structural ones, whitespace inserted, bytes
 * deleted): both descriptors agree on each. */
static void test_ready_keys_mutations(void **state) {
    (void)state;
    static const char repl[] = "\"\\ \n\t:,{}[]0-9ex\x01\x7F";
    char buf[1024];
    for (size_t i = 0; i < sizeof sc_seeds / sizeof sc_seeds[0]; i++) {
        size_t n = strlen(sc_seeds[i]);
        for (size_t pos = 0; pos < n; pos++) {
            for (size_t r = 0; r < sizeof repl - 1; r += 1 + (size_t)(rng() % 3)) {
                memcpy(buf, sc_seeds[i], n);
                buf[pos] = repl[r];
                same_both_ways(buf, n);
            }
            /* a whitespace run inserted at pos */
            size_t w = (size_t)(rng() % 20) + 1;
            memcpy(buf, sc_seeds[i], pos);
            for (size_t j = 0; j < w; j++) buf[pos + j] = " \n\r\t"[rng() % 4];
            memcpy(buf + pos + w, sc_seeds[i] + pos, n - pos);
            same_both_ways(buf, n + w);
            /* byte deleted */
            memcpy(buf, sc_seeds[i], pos);
            memcpy(buf + pos, sc_seeds[i] + pos + 1, n - pos - 1);
            same_both_ways(buf, n - 1);
        }
    }
}

/* ---- whitespace runs of every length, everywhere ---------------------------- */

static void test_whitespace_runs(void **state) {
    (void)state;
    /* the tokens of {"id":1,"name":"x","tags":["a","b"]} with a run of w whitespace bytes
       between every two of them (and before and after), for w in 0..40 */
    static const char *tok[] = {"{", "\"id\"", ":", "1", ",", "\"name\"", ":", "\"x\"", ",", "\"tags\"",
                                ":", "[", "\"a\"", ",", "\"b\"", "]", "}"};
    char buf[4096];
    for (size_t w = 0; w <= 40; w++) {
        for (int variant = 0; variant < 2; variant++) {
            size_t n = 0;
            for (size_t t = 0; t <= sizeof tok / sizeof tok[0]; t++) {
                for (size_t j = 0; j < w; j++) buf[n++] = variant ? " \t\r\n"[(j + t) % 4] : ' ';
                if (t < sizeof tok / sizeof tok[0]) {
                    memcpy(buf + n, tok[t], strlen(tok[t]));
                    n += strlen(tok[t]);
                }
            }
            assert_int_equal(same_both_ways(buf, n), PONTES_OK);
            full_result a = decode_obj(&sc_ready_type, buf, n, true);
            assert_int_equal(a.r.rc, PONTES_OK);
            assert_string_equal(a.dump, "id2=1 n0=0 name2=x k80=0 k160=0 k170=0 lng0=0 quo0=0 utf0=(null) "
                                        "tags2=[a,b,] extra=0");
            /* whitespace then a stray control byte / the end of the input */
            char msg[128];
            buf[n] = '\x01';
            a = decode_obj(&sc_ready_type, buf, n + 1, false);
            snprintf(msg, sizeof msg, "$: invalid JSON at byte %zu (trailing characters)", n);
            assert_string_equal(a.r.msg, msg);
            a = decode_obj(&sc_ready_type, buf, n - w - 1, false); /* cut before the last '}' */
            snprintf(msg, sizeof msg, "$: invalid JSON at byte %zu (expected ',' or '}')", n - w - 1);
            assert_string_equal(a.r.msg, msg);
        }
    }
    /* only whitespace: "empty input" at its end */
    for (size_t w = 0; w <= 40; w++) {
        char msg[128];
        memset(buf, w % 2 ? '\n' : ' ', w);
        full_result a = decode_obj(&sc_ready_type, buf, w, false);
        snprintf(msg, sizeof msg, "$: invalid JSON at byte %zu (empty input)", w);
        assert_string_equal(a.r.msg, msg);
    }
}

/* ---- numbers: the integer fast path at the end of the buffer ----------------- */

static result decode_i(const pontes_type *t, const char *json, int64_t *v) {
    result r;
    size_t n = strlen(json);
    char *buf = heap_copy(json, n);
    pontes_arena *a = pontes_arena_new(64);
    assert_non_null(a);
    int64_t v64 = 0;
    int32_t v32 = 0;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_codec_decode_into(a, t, buf, n, t->kind == PONTES_KIND_INT64 ? (void *)&v64 : (void *)&v32, &err);
    take_err(&r, rc, &err);
    *v = t->kind == PONTES_KIND_INT64 ? v64 : v32;
    pontes_arena_destroy(a);
    free(buf);
    return r;
}

static void test_integers(void **state) {
    (void)state;
    static const struct {
        const char *json;
        int kind64;
        int rc;
        int64_t v;
        const char *msg;
    } cases[] = {
        {"0", 1, PONTES_OK, 0, ""},
        {"-0", 1, PONTES_OK, 0, ""},
        {"7", 0, PONTES_OK, 7, ""},
        {"-7", 0, PONTES_OK, -7, ""},
        {"123456789012345678", 1, PONTES_OK, 123456789012345678, ""},
        {"-123456789012345678", 1, PONTES_OK, -123456789012345678, ""},
        {"1234567890123456789", 1, PONTES_OK, 1234567890123456789, ""},
        {"9223372036854775807", 1, PONTES_OK, INT64_MAX, ""},
        {"-9223372036854775808", 1, PONTES_OK, INT64_MIN, ""},
        {"9223372036854775808", 1, PONTES_ERANGE, 0, "$: integer out of range for int64"},
        {"2147483647", 0, PONTES_OK, INT32_MAX, ""},
        {"-2147483648", 0, PONTES_OK, INT32_MIN, ""},
        {"2147483648", 0, PONTES_ERANGE, 0, "$: integer out of range for int32"},
        {"-2147483649", 0, PONTES_ERANGE, 0, "$: integer out of range for int32"},
        {"1.0", 1, PONTES_OK, 1, ""},
        {"1e2", 1, PONTES_OK, 100, ""},
        {"1E2", 0, PONTES_OK, 100, ""},
        {"1.5", 1, PONTES_EDECODE, 0, "$: expected int64, got non-integral number"},
        {"01", 1, PONTES_EDECODE, 0, "$: invalid JSON at byte 1 (trailing characters)"},
        {"-", 1, PONTES_EDECODE, 0, "$: invalid JSON at byte 0 (invalid number)"},
        {"-a", 1, PONTES_EDECODE, 0, "$: invalid JSON at byte 0 (invalid number)"},
        {"1.", 1, PONTES_EDECODE, 0, "$: invalid JSON at byte 0 (invalid number)"},
        {"12 ", 1, PONTES_OK, 12, ""},
        {" 12", 1, PONTES_OK, 12, ""},
        {"12x", 1, PONTES_EDECODE, 0, "$: invalid JSON at byte 2 (trailing characters)"},
        {"\"12\"", 1, PONTES_EDECODE, 0, "$: expected int64, got string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 0;
        result r = decode_i(cases[i].kind64 ? &pontes_type_int64 : &pontes_type_int32, cases[i].json, &v);
        if (r.rc != cases[i].rc || strcmp(r.msg, cases[i].msg) || (r.rc == PONTES_OK && v != cases[i].v))
            print_error("%s: got %d \"%s\" %lld\n", cases[i].json, r.rc, r.msg, (long long)v);
        assert_int_equal(r.rc, cases[i].rc);
        assert_string_equal(r.msg, cases[i].msg);
        if (r.rc == PONTES_OK) assert_true(v == cases[i].v);
    }
    /* every number of 1..20 digits, with the buffer ending right after it */
    char num[32];
    for (int d = 1; d <= 20; d++) {
        for (int neg = 0; neg < 2; neg++) {
            size_t n = 0;
            if (neg) num[n++] = '-';
            for (int j = 0; j < d; j++) num[n++] = (char)('1' + j % 9);
            num[n] = '\0';
            int64_t v = 0;
            result r = decode_i(&pontes_type_int64, num, &v);
            if (d <= 18) {
                assert_int_equal(r.rc, PONTES_OK);
                assert_true(v == strtoll(num, NULL, 10));
            } else if (d == 19) {
                assert_int_equal(r.rc, PONTES_OK); /* 1234567891234567891 fits */
                assert_true(v == strtoll(num, NULL, 10));
            } else {
                assert_int_equal(r.rc, PONTES_ERANGE);
            }
        }
    }
}

/* ---- arrays grown in place, and grown behind another allocation -------------- */

typedef struct sc_list_of_lists {
    pontes_list *items;
    size_t count;
} sc_list_of_lists;
static const pontes_type sc_int_list = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "int64[]", &pontes_type_int64,
                                        NULL, NULL, NULL};
static const pontes_type sc_int_list_list = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "int64[][]", &sc_int_list,
                                             NULL, NULL, NULL};
static const pontes_type sc_string_map = {PONTES_KIND_MAP, 0, sizeof(pontes_map), "map<string>", &pontes_type_string,
                                          NULL, NULL, NULL};

static void test_array_growth(void **state) {
    (void)state;
    /* [[0],[0,1],[0,1,2],...]: the outer array grows while inner arrays are allocated after it */
    enum { N = 300 };
    size_t cap = 1 << 20, n = 0;
    char *json = malloc(cap);
    assert_non_null(json);
    json[n++] = '[';
    for (int i = 0; i < N; i++) {
        if (i) json[n++] = ',';
        json[n++] = '[';
        for (int j = 0; j <= i % 40; j++) n += (size_t)snprintf(json + n, cap - n, "%s%d", j ? "," : "", i * 1000 + j);
        json[n++] = ']';
    }
    json[n++] = ']';
    char *buf = heap_copy(json, n);
    pontes_arena *a = pontes_arena_new(16); /* small first block: growth crosses blocks too */
    assert_non_null(a);
    pontes_list l;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(pontes_codec_decode_into(a, &sc_int_list_list, buf, n, &l, &err), PONTES_OK);
    assert_int_equal(l.count, N);
    for (int i = 0; i < N; i++) {
        const pontes_list *in = &((const pontes_list *)l.items)[i];
        assert_int_equal(in->count, (size_t)(i % 40 + 1));
        for (int j = 0; j <= i % 40; j++) assert_true(((const int64_t *)in->items)[j] == i * 1000 + j);
    }
    pontes_arena_destroy(a);
    free(buf);

    /* a map of 1000 members: keys and values grow side by side */
    n = 0;
    json[n++] = '{';
    for (int i = 0; i < 1000; i++) n += (size_t)snprintf(json + n, cap - n, "%s\"k%d\":\"v%d\"", i ? "," : "", i, i);
    json[n++] = '}';
    buf = heap_copy(json, n);
    a = pontes_arena_new(16);
    assert_non_null(a);
    pontes_map m;
    assert_int_equal(pontes_codec_decode_into(a, &sc_string_map, buf, n, &m, &err), PONTES_OK);
    assert_int_equal(m.count, 1000);
    for (int i = 0; i < 1000; i++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "v%d", i);
        assert_string_equal(m.keys[i], k);
        assert_string_equal(((const char *const *)m.values)[i], v);
    }
    pontes_arena_destroy(a);
    free(buf);
    free(json);
}

/* pontes_arena_grow itself: in place for the last allocation, copied otherwise, new part zeroed. */
static void test_arena_grow(void **state) {
    (void)state;
    pontes_arena *a = pontes_arena_new(256);
    assert_non_null(a);
    unsigned char *p = pontes_arena_grow(a, NULL, 0, 10, true);
    assert_non_null(p);
    for (int i = 0; i < 10; i++) assert_int_equal(p[i], 0);
    memset(p, 0xAB, 10);
    unsigned char *q = pontes_arena_grow(a, p, 10, 40, true);
    assert_ptr_equal(q, p); /* the last allocation: in place */
    for (int i = 0; i < 40; i++) assert_int_equal(q[i], i < 10 ? 0xAB : 0);
    unsigned char *other = pontes_arena_take(a, 8);
    assert_non_null(other);
    memset(other, 0xCD, 8);
    unsigned char *r = pontes_arena_grow(a, q, 40, 80, true);
    assert_ptr_not_equal(r, q); /* not the last one any more: copied */
    for (int i = 0; i < 80; i++) assert_int_equal(r[i], i < 10 ? 0xAB : 0);
    for (int i = 0; i < 8; i++) assert_int_equal(other[i], 0xCD);
    unsigned char *big = pontes_arena_grow(a, r, 80, 100000, true); /* beyond the block: a new one */
    assert_non_null(big);
    for (int i = 0; i < 100000; i++) assert_int_equal(big[i], i < 10 ? 0xAB : 0);
    assert_null(pontes_arena_grow(a, NULL, 0, SIZE_MAX, true));
    /* not zeroed: the old bytes are kept, in place and when copied */
    unsigned char *u = pontes_arena_grow(a, NULL, 0, 16, false);
    assert_non_null(u);
    memset(u, 0x5A, 16);
    unsigned char *u2 = pontes_arena_grow(a, u, 16, 64, false);
    assert_ptr_equal(u2, u);
    for (int i = 0; i < 16; i++) assert_int_equal(u2[i], 0x5A);
    assert_non_null(pontes_arena_take(a, 1));
    unsigned char *u3 = pontes_arena_grow(a, u2, 64, 128, false);
    assert_ptr_not_equal(u3, u2);
    for (int i = 0; i < 16; i++) assert_int_equal(u3[i], 0x5A);
    assert_null(pontes_arena_take(a, SIZE_MAX));
    assert_null(pontes_arena_take(a, SIZE_MAX - 3));
    void *z = pontes_arena_take(a, 0);
    assert_non_null(z);
    assert_int_equal((uintptr_t)z % PONTES_ARENA_ALIGN, 0);
    pontes_arena_destroy(a);
}

int main(void) {
#if defined(PONTES_NO_SIMD)
    printf("# portable (PONTES_NO_SIMD) scanning path\n");
#else
    printf("# scanning path as built%s\n",
#if defined(__SSE2__)
           " (SSE2)"
#else
           " (no SSE2: portable)"
#endif
    );
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_special_at_every_offset),
        cmocka_unit_test(test_string_control_byte_at_every_offset),
        cmocka_unit_test(test_string_cut_everywhere),
        cmocka_unit_test(test_string_long),
        cmocka_unit_test(test_string_invalid_utf8_at_every_offset),
        cmocka_unit_test(test_ready_keys_equal_plain_keys),
        cmocka_unit_test(test_ready_keys_every_prefix),
        cmocka_unit_test(test_ready_keys_mutations),
        cmocka_unit_test(test_whitespace_runs),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_array_growth),
        cmocka_unit_test(test_arena_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
