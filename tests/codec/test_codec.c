/* Tests for the table-driven JSON codec (runtime/src/codec.c). */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec_fixtures.h"

/* ---- helpers ------------------------------------------------------------ */

/* Decode from an exact-length heap copy (no NUL after it) so ASan catches over-reads. */
static int decode_opts(const pontes_type *t, const char *json, const pontes_decode_options *o, void **out,
                       pontes_error *err) {
    size_t n = strlen(json);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, json, n);
    int rc = pontes_decode(t, copy, n, o, out, err);
    free(copy);
    return rc;
}

static void *decode_ok(const pontes_type *t, const char *json) {
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = decode_opts(t, json, NULL, &out, &err);
    if (rc != PONTES_OK) print_error("unexpected decode failure: %s\n", err.message ? err.message : "?");
    assert_int_equal(rc, PONTES_OK);
    assert_non_null(out);
    assert_int_equal(err.status, PONTES_OK);
    pontes_error_clear(&err);
    return out;
}

/* Expect a failure with status, path and (if not NULL) expected; message must contain msg_part. */
static void decode_fail_opts(const pontes_type *t, const char *json, const pontes_decode_options *o, int status,
                             const char *path, const char *expected, const char *msg_part) {
    void *out = (void *)1;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = decode_opts(t, json, o, &out, &err);
    if (rc != status) print_error("%s: got %s (%s)\n", json, pontes_status_name(rc), err.message ? err.message : "-");
    assert_int_equal(rc, status);
    assert_null(out);
    assert_int_equal(err.status, status);
    assert_non_null(err.message);
    if (path) {
        assert_non_null(err.json_path);
        assert_string_equal(err.json_path, path);
        assert_true(strncmp(err.message, path, strlen(path)) == 0);
    }
    if (expected) {
        assert_non_null(err.expected);
        assert_string_equal(err.expected, expected);
    }
    if (msg_part && !strstr(err.message, msg_part)) {
        print_error("message '%s' lacks '%s'\n", err.message, msg_part);
        fail();
    }
    pontes_error_clear(&err);
}

static void decode_fail(const pontes_type *t, const char *json, int status, const char *path, const char *expected,
                        const char *msg_part) {
    decode_fail_opts(t, json, NULL, status, path, expected, msg_part);
}

static const pontes_decode_options STRICT = {PONTES_DECODE_OPTIONS_VERSION, false, 64, true, NULL};

/* The same in strict mode (the failure is a deviation the default mode tolerates). */
static void decode_fail_strict(const pontes_type *t, const char *json, int status, const char *path,
                               const char *expected, const char *msg_part) {
    decode_fail_opts(t, json, &STRICT, status, path, expected, msg_part);
}

/* Tolerant decode that must succeed with exactly ndev deviations; the first one at
 * path0 with a `what` containing what0 (when not NULL). */
static void *decode_dev(const pontes_type *t, const char *json, size_t ndev, const char *path0, const char *what0,
                        pontes_deviations *dv) {
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.deviations = dv;
    dv->count = 99;
    dv->kept = 99;
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = decode_opts(t, json, &o, &out, &err);
    if (rc != PONTES_OK) print_error("unexpected decode failure: %s\n", err.message ? err.message : "?");
    assert_int_equal(rc, PONTES_OK);
    if (dv->count != ndev) {
        print_error("%s: %zu deviations, want %zu (first: %s %s)\n", json, dv->count, ndev,
                    dv->kept ? dv->first[0].path : "-", dv->kept ? dv->first[0].what : "-");
        fail();
    }
    assert_int_equal(dv->kept, ndev < PONTES_DEVIATIONS_KEPT ? ndev : PONTES_DEVIATIONS_KEPT);
    if (path0) assert_string_equal(dv->first[0].path, path0);
    if (what0 && !strstr(dv->first[0].what, what0)) {
        print_error("what '%s' lacks '%s'\n", dv->first[0].what, what0);
        fail();
    }
    pontes_error_clear(&err);
    return out;
}

static char *encode_ok(const pontes_type *t, const void *v) {
    char *out = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_encode(t, v, &out, &len, &err);
    if (rc != PONTES_OK) print_error("unexpected encode failure: %s\n", err.message ? err.message : "?");
    assert_int_equal(rc, PONTES_OK);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    pontes_error_clear(&err);
    return out;
}

static void encode_fail(const pontes_type *t, const void *v, int status, const char *path, const char *msg_part) {
    char *out = (char *)1;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_encode(t, v, &out, NULL, &err);
    assert_int_equal(rc, status);
    assert_null(out);
    assert_int_equal(err.status, status);
    if (path) assert_string_equal(err.json_path, path);
    if (msg_part && !strstr(err.message, msg_part)) {
        print_error("message '%s' lacks '%s'\n", err.message, msg_part);
        fail();
    }
    pontes_error_clear(&err);
}

/* Decode json, encode it back, and check that both texts are the same JSON. */
static void assert_round_trip(const pontes_type *t, const char *json) {
    void *v = decode_ok(t, json);
    char *enc = encode_ok(t, v);
    cJSON *a = cJSON_Parse(json), *b = cJSON_Parse(enc);
    assert_non_null(a);
    assert_non_null(b);
    if (!cJSON_Compare(a, b, 1)) {
        print_error("round trip differs:\n in:  %s\n out: %s\n", json, enc);
        fail();
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    pontes_json_free(enc);
    pontes_free(v);
}

static const char *FULL =
    "{\"id\":\"abc\",\"b\":true,\"i32\":-42,\"i64\":9007199254740991,\"d\":0.1,\"s\":\"ol\xc3\xa1 \\\"q\\\"\","
    "\"by\":\"aGVsbG8=\",\"file\":\"AAEC\",\"status\":\"CLOSED\",\"amortization\":{\"apr\":12.5,\"n\":12,\"x\":[1]},"
    "\"data\":[{\"id\":\"a\",\"qty\":1},{\"id\":\"b\",\"note\":null,\"extra\":{\"k\":true}}],"
    "\"names\":[\"x\",null,\"z\"],\"tags\":{\"a\":[\"x\",\"y\"],\"b c\":[]},"
    "\"pet\":{\"petType\":\"dog\",\"bark\":true},\"sid\":77,\"every\":[\"l\"],"
    "\"any\":{\"deep\":[1,2.5,\"s\",null,false,{}]},\"unknown1\":1000000000000000,\"unknown2\":-0.25}";

/* ---- tests ------------------------------------------------------------- */

static void test_full_decode_values(void **state) {
    (void)state;
    fx_all *v = decode_ok(&fx_all_type, FULL);
    assert_string_equal(v->id, "abc");
    assert_int_equal(v->has_b, PONTES_SET);
    assert_true(v->b);
    assert_int_equal(v->i32, -42);
    assert_true(v->i64 == INT64_C(9007199254740991));
    assert_true(v->d == 0.1);
    assert_string_equal(v->s, "ol\xc3\xa1 \"q\"");
    assert_int_equal(v->by.len, 5);
    assert_memory_equal(v->by.data, "hello", 5);
    assert_int_equal(v->file.len, 3);
    assert_int_equal(v->file.data[2], 2);
    assert_int_equal(v->status.value, FX_STATUS_CLOSED);
    assert_string_equal(v->status.raw, "CLOSED");
    assert_non_null(v->amortization);
    assert_true(v->amortization->apr == 12.5);
    assert_int_equal(v->amortization->_extra.count, 1);
    assert_int_equal(v->data.count, 2);
    assert_string_equal(v->data.items[1]->id, "b");
    assert_int_equal(v->data.items[1]->has_note, PONTES_NULL);
    assert_int_equal(v->data.items[1]->has_qty, PONTES_ABSENT);
    assert_int_equal(v->data.items[1]->_extra.count, 1);
    assert_int_equal(v->names.count, 3);
    assert_null(v->names.items[1]);
    assert_int_equal(v->tags.count, 2);
    assert_string_equal(v->tags.keys[1], "b c");
    assert_int_equal(v->tags.values[0].count, 2);
    assert_string_equal(v->tags.values[0].items[1], "y");
    assert_int_equal(v->tags.values[1].count, 0);
    assert_int_equal(v->pet->kind, 2);
    assert_true(v->pet->u.dog->bark);
    assert_int_equal(v->sid->kind, 2);
    assert_true(v->sid->u.i == 77);
    assert_int_equal(v->every->kind, FX_EVERY_LIST);
    assert_true(cJSON_IsObject(v->any));
    assert_int_equal(v->_extra.count, 2);
    assert_string_equal(v->_extra.items[0]->string, "unknown1");
    assert_string_equal(v->_extra.items[1]->string, "unknown2");
    /* each unknown member is kept as its own tree */
    assert_null(v->_extra.items[0]->next);
    assert_true(cJSON_IsNumber(v->_extra.items[1]) || cJSON_IsString(v->_extra.items[1]) ||
                cJSON_IsObject(v->_extra.items[1]) || cJSON_IsArray(v->_extra.items[1]) ||
                cJSON_IsBool(v->_extra.items[1]) || cJSON_IsNull(v->_extra.items[1]));
    pontes_free(v);
}

static void test_full_round_trip(void **state) {
    (void)state;
    assert_round_trip(&fx_all_type, FULL);
}

static void test_three_states(void **state) {
    (void)state;
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"\",\"b\":false,\"i32\":0,\"s\":null,\"amortization\":null}");
    assert_int_equal(v->has_b, PONTES_SET);
    assert_false(v->b);
    assert_int_equal(v->has_i32, PONTES_SET);
    assert_int_equal(v->i32, 0);
    assert_int_equal(v->has_id, PONTES_SET);
    assert_string_equal(v->id, "");
    assert_int_equal(v->has_s, PONTES_NULL);
    assert_int_equal(v->has_amortization, PONTES_NULL);
    assert_int_equal(v->has_i64, PONTES_ABSENT);
    assert_int_equal(v->has_d, PONTES_ABSENT);
    char *enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"\",\"b\":false,\"i32\":0,\"s\":null,\"amortization\":null}");
    pontes_json_free(enc);
    pontes_free(v);
}

static void test_null_not_nullable(void **state) {
    (void)state;
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"i32\":null}", PONTES_EDECODE, "$.i32", "int32",
                       "$.i32: expected int32, got null");
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"data\":[null]}", PONTES_EDECODE, "$.data[0]", "Item",
                       "got null");
    /* tolerant (default): null kept as null, recorded */
    pontes_deviations dv;
    fx_all *t = decode_dev(&fx_all_type, "{\"id\":\"x\",\"i32\":null}", 1, "$.i32", "null for a non-nullable int32",
                           &dv);
    assert_int_equal(t->has_i32, PONTES_NULL);
    encode_fail(&fx_all_type, t, PONTES_EENCODE, "$.i32", "null"); /* encoding stays checked */
    pontes_free(t);
    t = decode_dev(&fx_all_type, "{\"id\":\"x\",\"data\":[{\"id\":\"a\"},null]}", 1, "$.data[1]",
                   "null for a non-nullable Item", &dv);
    assert_int_equal(t->data.count, 2);
    assert_null(t->data.items[1]);
    encode_fail(&fx_all_type, t, PONTES_EENCODE, "$.data[1]", "NULL object");
    pontes_free(t);

    /* ANY accepts null as a value */
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"any\":null}");
    assert_int_equal(v->has_any, PONTES_SET);
    assert_true(cJSON_IsNull(v->any));
    pontes_free(v);
}

static void test_enum_unknown_kept(void **state) {
    (void)state;
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"status\":\"FROZEN\"}");
    assert_int_equal(v->status.value, FX_STATUS_UNKNOWN);
    assert_string_equal(v->status.raw, "FROZEN");
    char *enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"status\":\"FROZEN\"}");
    pontes_json_free(enc);
    /* value wins over raw on encode */
    v->status.value = FX_STATUS_ACTIVE;
    enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"status\":\"ACTIVE\"}");
    pontes_json_free(enc);
    v->status.value = 3;
    encode_fail(&fx_all_type, v, PONTES_EENCODE, "$.status", "out of range");
    v->status.value = 0;
    v->status.raw = NULL;
    encode_fail(&fx_all_type, v, PONTES_EENCODE, "$.status", NULL);
    pontes_free(v);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"status\":1}", PONTES_EDECODE, "$.status", "Status", NULL);
    assert_int_equal(pontes_enum_from_string(&fx_status_enum, "CLOSED"), 2);
    assert_int_equal(pontes_enum_from_string(&fx_status_enum, "closed"), 0);
    assert_string_equal(pontes_enum_to_string(&fx_status_enum, 1), "ACTIVE");
    assert_null(pontes_enum_to_string(&fx_status_enum, 0));
    assert_null(pontes_enum_to_string(&fx_status_enum, 3));
}

static void test_unknown_members(void **state) {
    (void)state;
    const char *json = "{\"id\":\"x\",\"big\":1000000000000000,\"neg\":-12345678901234,\"f\":1.5,"
                       "\"obj\":{\"a\":[1,\"\\u00e9\\n\"]},\"huge\":1e300}";
    fx_all *v = decode_ok(&fx_all_type, json);
    assert_int_equal(v->_extra.count, 5);
    assert_string_equal(v->_extra.items[3]->string, "obj");
    char *enc = encode_ok(&fx_all_type, v);
    assert_non_null(strstr(enc, "\"big\":1000000000000000,"));
    assert_non_null(strstr(enc, "\"neg\":-12345678901234,"));
    assert_null(strstr(enc, "e+15"));
    assert_non_null(strstr(enc, "\"obj\":{\"a\":[1,\"\xc3\xa9\\n\"]}"));
    pontes_json_free(enc);
    pontes_free(v);
    assert_round_trip(&fx_all_type, json);

    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.reject_unknown = true;
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(decode_opts(&fx_all_type, "{\"id\":\"x\",\"data\":[{\"id\":\"a\",\"zz\":1}]}", &o, &out, &err),
                     PONTES_EDECODE);
    assert_string_equal(err.json_path, "$.data[0].zz");
    assert_non_null(strstr(err.message, "unknown member"));
    pontes_error_clear(&err);

    /* no _extra slot: unknown members are ignored */
    fx_node *n = decode_ok(&fx_node_type, "{\"zz\":1,\"child\":{\"q\":[]}}");
    assert_non_null(n->child);
    enc = encode_ok(&fx_node_type, n);
    assert_string_equal(enc, "{\"child\":{}}");
    pontes_json_free(enc);
    pontes_free(n);
}

static void test_wrong_type_paths(void **state) {
    (void)state;
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"data\":[{\"id\":\"a\"},{\"id\":5}]}", PONTES_EDECODE, "$.data[1].id",
                "string", "$.data[1].id: expected string, got number");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"amortization\":{\"apr\":\"1\"}}", PONTES_EDECODE, "$.amortization.apr",
                "double", "expected double, got string");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"tags\":{\"b c\":[\"ok\",1]}}", PONTES_EDECODE, "$.tags[\"b c\"][1]",
                "string", NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"tags\":{\"k_1\":\"no\"}}", PONTES_EDECODE, "$.tags.k_1", "string[]",
                "got string");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"b\":\"true\"}", PONTES_EDECODE, "$.b", "bool", NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"amortization\":[]}", PONTES_EDECODE, "$.amortization", "Amortization",
                NULL);
    decode_fail(&fx_all_type, "[]", PONTES_EDECODE, "$", "All", "$: expected All, got array");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"by\":\"***\"}", PONTES_EDECODE, "$.by", "bytes", "base64");
}

static void test_missing_required(void **state) {
    (void)state;
    decode_fail_strict(&fx_all_type, "{}", PONTES_EDECODE, "$.id", "string", "$.id: missing required member");
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"data\":[{\"id\":\"a\"},{\"qty\":1}]}", PONTES_EDECODE,
                       "$.data[1].id", NULL, "missing required member");
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"amortization\":{\"n\":1}}", PONTES_EDECODE,
                       "$.amortization.apr", "double", NULL);
    /* tolerant (default): decoded as absent, recorded with the path */
    pontes_deviations dv;
    fx_all *v = decode_dev(&fx_all_type, "{}", 1, "$.id", "missing required member", &dv);
    assert_int_equal(v->has_id, PONTES_ABSENT);
    encode_fail(&fx_all_type, v, PONTES_EENCODE, "$.id", "missing required member"); /* encoding stays checked */
    pontes_free(v);
    v = decode_dev(&fx_all_type, " {\"id\":\"x\",\"data\":[{\"id\":\"a\"},{\"qty\":1}]}", 1, "$.data[1].id", NULL, &dv);
    assert_int_equal(v->data.items[1]->has_id, PONTES_ABSENT);
    assert_true(v->data.items[1]->qty == 1);
    pontes_free(v);
    v = decode_dev(&fx_all_type, "{\"amortization\":{\"n\":1},\"tags\":{\"a b\":[\"x\",null]}}", 3, "$.amortization.apr",
                   "missing required member", &dv);
    assert_string_equal(dv.first[1].path, "$.tags[\"a b\"][1]");
    assert_string_equal(dv.first[1].what, "null for a non-nullable string");
    assert_string_equal(dv.first[2].path, "$.id");
    assert_int_equal(v->amortization->n, 1);
    pontes_free(v);
    /* version-1 options: read up to max_depth, tolerant */
    struct { unsigned version; bool reject_unknown; unsigned max_depth; } v1 = {1, false, 64};
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(decode_opts(&fx_all_type, "{\"zz\":1}", (const pontes_decode_options *)(const void *)&v1, &out, &err),
                     PONTES_OK);
    pontes_free(out);
    v1.reject_unknown = true;
    assert_int_equal(decode_opts(&fx_all_type, "{\"zz\":1}", (const pontes_decode_options *)(const void *)&v1, &out, &err),
                     PONTES_EDECODE);
    assert_string_equal(err.json_path, "$.zz");
    pontes_error_clear(&err);
}

static void test_int64_range(void **state) {
    (void)state;
    /* exact over the whole int64 range */
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":9223372036854775808}", PONTES_ERANGE, "$.i64", "int64", NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":-9223372036854775809}", PONTES_ERANGE, "$.i64", "int64", NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":18446744073709551616}", PONTES_ERANGE, "$.i64", NULL, NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":100000000000000000000}", PONTES_ERANGE, "$.i64", NULL, NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":9.3e18}", PONTES_ERANGE, "$.i64", NULL, NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":1e300}", PONTES_ERANGE, "$.i64", NULL, NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":9223372036854775807.5}", PONTES_EDECODE, "$.i64", NULL,
                "non-integral");
    static const struct { const char *text; int64_t v; const char *enc; } exact[] = {
        {"9223372036854775807", INT64_MAX, "9223372036854775807"},
        {"-9223372036854775808", INT64_MIN, "-9223372036854775808"},
        {"9007199254740993", INT64_C(9007199254740993), "9007199254740993"},
        {"-9007199254740993", -INT64_C(9007199254740993), "-9007199254740993"},
        {"9223372036854775806.0e0", INT64_MAX - 1, "9223372036854775806"},
        {"92233720368547758.07e2", INT64_MAX, "9223372036854775807"},
        {"1.5e3", 1500, "1500"},
        {"12300e-2", 123, "123"},
        {"-0", 0, "0"},
        {"0.000e5", 0, "0"},
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        char in[128], want[128];
        snprintf(in, sizeof in, "{\"id\":\"x\",\"i64\":%s}", exact[i].text);
        snprintf(want, sizeof want, "{\"id\":\"x\",\"i64\":%s}", exact[i].enc);
        fx_all *e = decode_ok(&fx_all_type, in);
        if (e->i64 != exact[i].v) {
            print_error("%s: got %lld\n", exact[i].text, (long long)e->i64);
            fail();
        }
        char *enc = encode_ok(&fx_all_type, e);
        assert_string_equal(enc, want);
        pontes_json_free(enc);
        pontes_free(e);
    }
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"i64\":9007199254740991}");
    assert_true(v->i64 == INT64_C(9007199254740991));
    char *enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"i64\":9007199254740991}");
    pontes_json_free(enc);
    v->i64 = -INT64_C(9007199254740991);
    enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"i64\":-9007199254740991}");
    pontes_json_free(enc);
    v->i64 = INT64_C(9007199254740992);
    enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"i64\":9007199254740992}");
    pontes_json_free(enc);
    v->i64 = INT64_MIN;
    enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"i64\":-9223372036854775808}");
    pontes_json_free(enc);
    pontes_free(v);
    v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"i64\":-9007199254740991,\"i32\":2.0}");
    assert_true(v->i64 == -INT64_C(9007199254740991));
    assert_int_equal(v->i32, 2);
    pontes_free(v);
}

static void test_non_integral(void **state) {
    (void)state;
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":1.5}", PONTES_EDECODE, "$.i64", "int64", "non-integral");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i32\":-0.5}", PONTES_EDECODE, "$.i32", "int32", NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i32\":1e999}", PONTES_ERANGE, "$.i32", "int32", NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i32\":1e-999}", PONTES_EDECODE, "$.i32", "int32", "non-integral");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i64\":\"5\"}", PONTES_EDECODE, "$.i64", "int64", "got string");
}

static void test_int32_range(void **state) {
    (void)state;
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i32\":2147483648}", PONTES_ERANGE, "$.i32", "int32", NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"i32\":-2147483649}", PONTES_ERANGE, "$.i32", "int32", NULL);
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"i32\":-2147483648}");
    assert_int_equal(v->i32, INT32_MIN);
    pontes_free(v);
    v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"i32\":2147483647}");
    assert_int_equal(v->i32, INT32_MAX);
    char *enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"i32\":2147483647}");
    pontes_json_free(enc);
    pontes_free(v);
}

static void test_invalid_json(void **state) {
    (void)state;
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"data\":[", PONTES_EDECODE, "$", NULL, "invalid JSON at byte");
    decode_fail(&fx_all_type, "{\"id\":\"x", PONTES_EDECODE, "$", NULL, "invalid JSON at byte");
    decode_fail(&fx_all_type, "{\"id\":\"x\\", PONTES_EDECODE, "$", NULL, "invalid JSON at byte");
    decode_fail(&fx_all_type, "{\"id\":1.", PONTES_EDECODE, "$", NULL, "invalid JSON at byte");
    decode_fail(&fx_all_type, "", PONTES_EDECODE, "$", NULL, "invalid JSON at byte 0");
    decode_fail(&fx_all_type, "   ", PONTES_EDECODE, "$", NULL, "invalid JSON");
    decode_fail(&fx_all_type, "{\"id\":\"x\"} x", PONTES_EDECODE, "$", NULL, "invalid JSON at byte 11");
    decode_fail(&fx_all_type, "{\"id\":\"x\"}{}", PONTES_EDECODE, "$", NULL, "invalid JSON at byte 10");
    /* embedded NUL after the value is not whitespace */
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(pontes_decode(&fx_all_type, "{\"id\":\"x\"}\0", 11, NULL, &out, &err), PONTES_EDECODE);
    assert_null(out);
    pontes_error_clear(&err);
    /* a leading UTF-8 byte order mark is ignored (RFC 8259 8.1); elsewhere it is not whitespace */
    fx_all *bom = decode_ok(&fx_all_type, "\xEF\xBB\xBF{\"id\":\"bom\"}");
    assert_string_equal(bom->id, "bom");
    pontes_free(bom);
    decode_fail(&fx_all_type, "{\"id\":\"x\"}\xEF\xBB\xBF", PONTES_EDECODE, "$", NULL, "invalid JSON at byte 10");
    /* input ending where an untagged union value should start (found by fuzzing): the
       buffer is exactly the input, with no NUL after it, so a read past the end shows */
    {
        const char *cases[] = {"{\"sid\":", "{\"sid\":   ", "{\"sid\":n", "{\"sid\":\"", "{\"sid\":-"};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            size_t n = strlen(cases[i]);
            char *exact = malloc(n);
            assert_non_null(exact);
            memcpy(exact, cases[i], n);
            void *v = NULL;
            pontes_error e = PONTES_ERROR_INIT;
            assert_int_equal(pontes_decode(&fx_all_type, exact, n, NULL, &v, &e), PONTES_EDECODE);
            assert_null(v);
            assert_string_equal(e.json_path, "$");
            assert_non_null(strstr(e.message, "invalid JSON"));
            pontes_error_clear(&e);
            free(exact);
        }
    }
    /* trailing whitespace is fine */
    fx_all *v = decode_ok(&fx_all_type, " \r\n{\"id\":\"x\"}\t \n");
    assert_string_equal(v->id, "x");
    pontes_free(v);
}

static void test_deep_nesting(void **state) {
    (void)state;
    /* 2000 nested arrays inside an ANY member: cJSON refuses (nesting limit 1000) */
    size_t depth = 2000;
    char *j = malloc(depth * 2 + 32);
    assert_non_null(j);
    size_t k = (size_t)sprintf(j, "{\"id\":\"x\",\"any\":");
    for (size_t i = 0; i < depth; i++) j[k++] = '[';
    for (size_t i = 0; i < depth; i++) j[k++] = ']';
    j[k++] = '}';
    j[k] = '\0';
    decode_fail(&fx_all_type, j, PONTES_EDECODE, "$", NULL, "invalid JSON");
    free(j);

    /* descriptor recursion is bounded by max_depth */
    char buf[4096];
    for (int levels = 10; levels <= 100; levels += 90) {
        k = 0;
        for (int i = 0; i < levels; i++) k += (size_t)sprintf(buf + k, "{\"child\":");
        k += (size_t)sprintf(buf + k, "{}");
        for (int i = 0; i < levels; i++) buf[k++] = '}';
        buf[k] = '\0';
        if (levels == 10) {
            fx_node *n = decode_ok(&fx_node_type, buf);
            char *enc = encode_ok(&fx_node_type, n);
            assert_string_equal(enc, buf);
            pontes_json_free(enc);
            pontes_free(n);
            pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
            o.max_depth = 5;
            void *out = NULL;
            pontes_error err = PONTES_ERROR_INIT;
            assert_int_equal(decode_opts(&fx_node_type, buf, &o, &out, &err), PONTES_EDECODE);
            assert_string_equal(err.json_path, "$.child.child.child.child.child");
            assert_non_null(strstr(err.message, "nesting"));
            pontes_error_clear(&err);
        } else {
            decode_fail(&fx_node_type, buf, PONTES_EDECODE, NULL, NULL, "nesting deeper than 64");
        }
    }

    /* the encoder is bounded too: a hand-built cycle fails cleanly */
    fx_node cyc = {NULL, PONTES_SET};
    cyc.child = &cyc;
    encode_fail(&fx_node_type, &cyc, PONTES_EENCODE, NULL, "nesting");
}

static void test_invalid_utf8(void **state) {
    (void)state;
    decode_fail(&fx_all_type, "{\"id\":\"\xc0\xaf\"}", PONTES_EDECODE, "$", NULL, "invalid UTF-8 at byte 7");
    decode_fail(&fx_all_type, "{\"id\":\"\xe0\x80\xaf\"}", PONTES_EDECODE, "$", NULL, "invalid UTF-8 at byte 7");
    decode_fail(&fx_all_type, "{\"id\":\"\xed\xa0\x80\"}", PONTES_EDECODE, "$", NULL, "invalid UTF-8 at byte 7");
    decode_fail(&fx_all_type, "{\"id\":\"\xf4\x90\x80\x80\"}", PONTES_EDECODE, "$", NULL, "invalid UTF-8");
    decode_fail(&fx_all_type, "{\"id\":\"x\"}  \xe2\x82", PONTES_EDECODE, "$", NULL, "invalid UTF-8 at byte 12");
    decode_fail(&fx_all_type, "{\"id\":\"\xe2\x82\"}", PONTES_EDECODE, "$", NULL, "invalid UTF-8 at byte 7");
    decode_fail(&fx_all_type, "{\"id\":\"abcdefghijklmnop\x80\"}", PONTES_EDECODE, "$", NULL,
                "invalid UTF-8 at byte 23");
    /* valid multi-byte text and escaped non-ASCII survive */
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"a\xc3\xa7\xe2\x82\xac\xf0\x9f\x98\x80\\u00e3\\ud83d\\ude00\"}");
    assert_string_equal(v->id, "a\xc3\xa7\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa3\xf0\x9f\x98\x80");
    pontes_free(v);

    size_t bad = 99;
    assert_true(pontes_utf8_valid("plain ascii text, long enough", 29, &bad));
    assert_false(pontes_utf8_valid("12345678\xff", 9, &bad));
    assert_int_equal(bad, 8);
    assert_true(pontes_utf8_valid("", 0, NULL));
}

static void test_encode_invalid_utf8(void **state) {
    (void)state;
    fx_all v;
    memset(&v, 0, sizeof v);
    v.id = "ok";
    v.has_id = PONTES_SET;
    fx_item it = {"\xc3", PONTES_SET, 0, 0, NULL, 0, {NULL, 0}};
    fx_item *items[] = {&it};
    v.data.items = items;
    v.data.count = 1;
    v.has_data = PONTES_SET;
    encode_fail(&fx_all_type, &v, PONTES_EENCODE, "$.data[0].id", "invalid UTF-8");
    it.id = "\xed\xa0\x80";
    encode_fail(&fx_all_type, &v, PONTES_EENCODE, "$.data[0].id", "invalid UTF-8");
    it.id = "ok";
    const char *keys[] = {"\xff"};
    pontes_string_list vals[] = {{NULL, 0}};
    v.tags.keys = keys;
    v.tags.values = vals;
    v.tags.count = 1;
    v.has_tags = PONTES_SET;
    encode_fail(&fx_all_type, &v, PONTES_EENCODE, "$.tags[\"\\xFF\"]", "invalid UTF-8");
    keys[0] = "ok";
    const char *bad_items[] = {"fine", "\xe2\x82"};
    vals[0].items = bad_items;
    vals[0].count = 2;
    encode_fail(&fx_all_type, &v, PONTES_EENCODE, "$.tags.ok[1]", "invalid UTF-8 in string at byte 0");
}

static void test_string_escaping(void **state) {
    (void)state;
    fx_text_box t = {"q\"b\\s/n\nt\tc\x01\x1f\b\f\r\x7f\xc3\xa9", PONTES_SET};
    char *enc = encode_ok(&fx_text_box_type, &t);
    assert_string_equal(enc, "\"q\\\"b\\\\s/n\\nt\\tc\\u0001\\u001f\\b\\f\\r\x7f\xc3\xa9\"");
    fx_text_box *back = decode_ok(&fx_text_box_type, enc);
    assert_string_equal(back->value, t.value);
    pontes_free(back);
    pontes_json_free(enc);
}

static void test_base64(void **state) {
    (void)state;
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"by\":\"_-8\",\"file\":\"aGk\"}");
    assert_int_equal(v->by.len, 2);
    assert_int_equal(v->by.data[0], 0xff);
    assert_int_equal(v->by.data[1], 0xef);
    assert_int_equal(v->file.len, 2);
    assert_memory_equal(v->file.data, "hi", 2);
    char *enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"by\":\"/+8=\",\"file\":\"aGk=\"}");
    pontes_json_free(enc);
    pontes_free(v);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"by\":\"a\"}", PONTES_EDECODE, "$.by", "bytes", NULL);
}

static void test_base64_helpers(void **state) {
    (void)state;
    uint8_t data[256];
    for (int i = 0; i < 256; i++) data[i] = (uint8_t)(255 - i);
    pontes_arena *a = pontes_arena_new(0);
    assert_non_null(a);
    for (size_t n = 0; n <= 256; n += (n < 8 ? 1 : 61)) {
        size_t elen = 0;
        char *e = pontes_base64_encode(data, n, &elen);
        assert_non_null(e);
        assert_int_equal(elen, (n + 2) / 3 * 4);
        assert_int_equal(strlen(e), elen);
        pontes_bytes b;
        assert_int_equal(pontes_base64_decode(a, e, elen, &b), PONTES_OK);
        assert_int_equal(b.len, n);
        if (n) assert_memory_equal(b.data, data, n);
        /* without padding */
        size_t un = elen;
        while (un && e[un - 1] == '=') un--;
        assert_int_equal(pontes_base64_decode(a, e, un, &b), PONTES_OK);
        assert_int_equal(b.len, n);
        free(e);
    }
    char *e = pontes_base64_encode((const uint8_t *)"hello", 5, NULL);
    assert_string_equal(e, "aGVsbG8=");
    free(e);
    pontes_bytes b;
    assert_int_equal(pontes_base64_decode(a, "aGVsbG8", 7, &b), PONTES_OK);
    assert_memory_equal(b.data, "hello", 5);
    assert_int_equal(pontes_base64_decode(a, "aGVsbG8==", 9, &b), PONTES_EDECODE);
    assert_int_equal(pontes_base64_decode(a, "aG=sbG8=", 8, &b), PONTES_EDECODE);
    assert_int_equal(pontes_base64_decode(a, "aGVsb", 5, &b), PONTES_EDECODE);
    assert_int_equal(pontes_base64_decode(a, "aGV sbG8", 8, &b), PONTES_EDECODE);
    pontes_arena_destroy(a);
}

static void test_nan_inf(void **state) {
    (void)state;
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"d\":1.5}");
    v->d = NAN;
    encode_fail(&fx_all_type, v, PONTES_EENCODE, "$.d", "NaN");
    v->d = -INFINITY;
    encode_fail(&fx_all_type, v, PONTES_EENCODE, "$.d", NULL);
    char buf[64];
    assert_int_equal(pontes_codec_format_double(buf, sizeof buf, NAN), PONTES_EENCODE);
    pontes_free(v);
}

static void test_double_format(void **state) {
    (void)state;
    const double vals[] = {0.1, 0.5, -2.75, 1e-7, 123456789.125, 1e21, 5e-324, 1.7976931348623157e308, 100.0,
                           -0.0, 3.0, 0.30000000000000004, 2.5e15};
    char buf[64];
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        assert_int_equal(pontes_codec_format_double(buf, sizeof buf, vals[i]), PONTES_OK);
        assert_true(strtod(buf, NULL) == vals[i]);
        assert_null(strchr(buf, ','));
    }
    pontes_codec_format_double(buf, sizeof buf, 0.1);
    assert_string_equal(buf, "0.1");
    pontes_codec_format_double(buf, sizeof buf, 100.0);
    assert_string_equal(buf, "100");
    pontes_codec_format_double(buf, sizeof buf, 0.30000000000000004);
    assert_string_equal(buf, "0.30000000000000004");
    assert_int_equal(pontes_codec_format_int(buf, sizeof buf, -9007199254740991), PONTES_OK);
    assert_string_equal(buf, "-9007199254740991");
    assert_int_equal(pontes_codec_format_int(buf, sizeof buf, 0), PONTES_OK);
    assert_string_equal(buf, "0");
    assert_int_equal(pontes_codec_format_int(buf, sizeof buf, INT64_C(9007199254740992)), PONTES_OK);
    assert_string_equal(buf, "9007199254740992");
    assert_int_equal(pontes_codec_format_int(buf, sizeof buf, INT64_MIN), PONTES_OK);
    assert_string_equal(buf, "-9223372036854775808");
    assert_int_equal(pontes_codec_format_int(buf, sizeof buf, INT64_MAX), PONTES_OK);
    assert_string_equal(buf, "9223372036854775807");
}

static void test_locale_decimal_point(void **state) {
    (void)state;
    const char *names[] = {"pt_PT.UTF-8", "pt_PT.utf8", "de_DE.UTF-8", "de_DE.utf8", "pt_BR.UTF-8", "fr_FR.UTF-8"};
    const char *got = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !got; i++) got = setlocale(LC_NUMERIC, names[i]);
    fx_all v;
    memset(&v, 0, sizeof v);
    v.id = "x";
    v.has_id = PONTES_SET;
    v.d = 0.5;
    v.has_d = PONTES_SET;
    char *enc = encode_ok(&fx_all_type, &v);
    if (got) {
        assert_string_equal(localeconv()->decimal_point, ",");
        assert_string_equal(enc, "{\"id\":\"x\",\"d\":0.5}");
        fx_all *back = decode_ok(&fx_all_type, enc);
        assert_true(back->d == 0.5);
        pontes_free(back);
    } else {
        print_message("no comma-decimal locale installed; checked in the C locale only\n");
        assert_string_equal(enc, "{\"id\":\"x\",\"d\":0.5}");
    }
    pontes_json_free(enc);
    setlocale(LC_NUMERIC, "C");
}

static void test_duplicate_member(void **state) {
    (void)state;
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"id\":\"y\"}", PONTES_EDECODE, "$.id", NULL, "duplicate member");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"s\":null,\"s\":\"y\"}", PONTES_EDECODE, "$.s", NULL,
                "duplicate member");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"z\":1,\"q\":2,\"z\":3}", PONTES_EDECODE, "$.z", NULL,
                "duplicate member");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"tags\":{\"a\":[],\"b\":[],\"a\":[]}}", PONTES_EDECODE, "$.tags.a",
                NULL, "duplicate member");
    /* big map: hashed duplicate check */
    char buf[4096];
    size_t k = (size_t)sprintf(buf, "{\"id\":\"x\",\"tags\":{");
    for (int i = 0; i < 100; i++) k += (size_t)sprintf(buf + k, "%s\"k%d\":[]", i ? "," : "", i);
    strcpy(buf + k, "}}");
    fx_all *v = decode_ok(&fx_all_type, buf);
    assert_int_equal(v->tags.count, 100);
    pontes_free(v);
    strcpy(buf + k, ",\"k42\":[]}}");
    decode_fail(&fx_all_type, buf, PONTES_EDECODE, "$.tags.k42", NULL, "duplicate member");
}

static void test_free_null(void **state) {
    (void)state;
    pontes_free(NULL);
    pontes_json_free(NULL);
    pontes_buf b;
    pontes_buf_init(&b);
    pontes_buf_free(&b);
    assert_null(b.data);
}

static void test_every_kind_union(void **state) {
    (void)state;
    static const struct {
        const char *json;
        int kind;
    } cases[] = {
        {"true", FX_EVERY_BOOL},
        {"-7", FX_EVERY_INT32},
        {"7.25", FX_EVERY_DOUBLE},
        {"\"aGVsbG8=\"", FX_EVERY_BYTES},
        {"\"ACTIVE\"", FX_EVERY_ENUM},
        {"\"not base64!\"", FX_EVERY_ENUM}, /* unknown Status: still better than the any fallback */
        {"\"CLOSED\"", FX_EVERY_ENUM},
        {"[\"a\",\"b\"]", FX_EVERY_LIST},
        {"{\"id\":\"i\",\"qty\":3}", FX_EVERY_ITEM},
        {"{\"k\":\"v\"}", FX_EVERY_MAP},
        {"{\"id\":\"i\",\"zz\":\"v\"}", FX_EVERY_MAP}, /* map has no unknown members: preferred */
        {"{\"id\":\"i\",\"zz\":1}", FX_EVERY_ITEM},    /* map fails (1 is not a string) */
        {"[1,2]", FX_EVERY_ANY},
        {"null", FX_EVERY_ANY},
    };
    char buf[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, "{\"id\":\"x\",\"every\":%s}", cases[i].json);
        fx_all *v = decode_ok(&fx_all_type, buf);
        assert_int_equal(v->has_every, PONTES_SET);
        assert_non_null(v->every);
        if (v->every->kind != cases[i].kind) {
            print_error("%s: kind %d, want %d\n", cases[i].json, v->every->kind, cases[i].kind);
            fail();
        }
        fx_every *e = v->every;
        switch (e->kind) {
        case FX_EVERY_BOOL: assert_true(e->u.b); break;
        case FX_EVERY_INT32: assert_int_equal(e->u.i32, -7); break;
        case FX_EVERY_DOUBLE: assert_true(e->u.d == 7.25); break;
        case FX_EVERY_BYTES: assert_memory_equal(e->u.by.data, "hello", 5); break;
        case FX_EVERY_ENUM: assert_non_null(e->u.st.raw); break;
        case FX_EVERY_LIST: assert_string_equal(e->u.sl.items[1], "b"); break;
        case FX_EVERY_ITEM: assert_string_equal(e->u.item->id, "i"); break;
        case FX_EVERY_MAP: assert_int_equal(e->u.sm.count, e->u.sm.count); assert_true(e->u.sm.count >= 1); break;
        case FX_EVERY_ANY: assert_non_null(e->u.any); break;
        }
        pontes_free(v);
        assert_round_trip(&fx_all_type, buf);
    }
    /* a union without an any variant does not take null */
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"sid\":null}", PONTES_EDECODE, "$.sid", "Sid", "got null");
}

static void test_discriminated_union(void **state) {
    (void)state;
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"pet\":{\"name\":\"Tom\",\"petType\":\"cat\"}}");
    assert_int_equal(v->pet->kind, 1);
    assert_string_equal(v->pet->u.cat->name, "Tom");
    pontes_free(v);
    const char *bird = "{\"id\":\"x\",\"pet\":{\"petType\":\"bird\",\"wings\":2,\"n\":12345678901234}}";
    const pontes_type *bird_type = &fx_all_type;
    v = decode_ok(&fx_all_type, bird);
    assert_int_equal(v->pet->kind, 0);
    assert_non_null(v->pet->raw);
    pontes_free(v);
    assert_round_trip(&fx_all_type, bird);
    assert_round_trip(&fx_all_type, "{\"id\":\"x\",\"pet\":{\"petType\":\"cat\",\"name\":\"Tom\",\"u\":[true]}}");
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"pet\":{\"name\":\"Tom\"}}", PONTES_EDECODE, "$.pet.petType",
                       "string", "missing");
    decode_fail_strict(bird_type, bird, PONTES_EDECODE, "$.pet.petType", "string",
                       "unknown discriminator value \"bird\"");
    {
        pontes_deviations dv;
        fx_all *m = decode_dev(&fx_all_type, "{\"id\":\"x\",\"pet\":{\"name\":\"Tom\"}}", 1, "$.pet.petType",
                               "missing required member (discriminator)", &dv);
        assert_int_equal(m->pet->kind, 0);
        assert_non_null(m->pet->raw);
        pontes_free(m);
        m = decode_dev(&fx_all_type, bird, 1, "$.pet.petType", "unknown discriminator value \"bird\"", &dv);
        pontes_free(m);
    }
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"pet\":{\"petType\":3}}", PONTES_EDECODE, "$.pet.petType", "string",
                NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"pet\":\"cat\"}", PONTES_EDECODE, "$.pet", "Pet", NULL);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"pet\":{\"petType\":\"dog\",\"bark\":1}}", PONTES_EDECODE,
                "$.pet.bark", "bool", NULL);
    /* encoder: kind 0 without raw, kind out of range */
    fx_pet p = {0, NULL, {NULL}};
    fx_all w;
    memset(&w, 0, sizeof w);
    w.id = "x";
    w.has_id = PONTES_SET;
    w.pet = &p;
    w.has_pet = PONTES_SET;
    encode_fail(&fx_all_type, &w, PONTES_EENCODE, "$.pet", NULL);
    p.kind = 3;
    encode_fail(&fx_all_type, &w, PONTES_EENCODE, "$.pet", NULL);
    fx_dog d = {"dog", PONTES_SET, false, PONTES_SET, {NULL, 0}};
    p.kind = 2;
    p.u.dog = &d;
    char *enc = encode_ok(&fx_all_type, &w);
    assert_string_equal(enc, "{\"id\":\"x\",\"pet\":{\"petType\":\"dog\",\"bark\":false}}");
    pontes_json_free(enc);
}

static void test_string_int64_union(void **state) {
    (void)state;
    fx_all *v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"sid\":\"abc\"}");
    assert_int_equal(v->sid->kind, 1);
    assert_string_equal(v->sid->u.s, "abc");
    pontes_free(v);
    v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"sid\":-42}");
    assert_int_equal(v->sid->kind, 2);
    assert_true(v->sid->u.i == -42);
    char *enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"sid\":-42}");
    pontes_json_free(enc);
    pontes_free(v);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"sid\":true}", PONTES_EDECODE, "$.sid", "one of string|int64",
                "$.sid: expected one of string|int64, got boolean");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"sid\":1.5}", PONTES_EDECODE, "$.sid", "one of string|int64", NULL);
    /* union as the root type */
    fx_sid *s = decode_ok(&fx_sid_type, "\"z\"");
    assert_int_equal(s->kind, 1);
    enc = encode_ok(&fx_sid_type, s);
    assert_string_equal(enc, "\"z\"");
    pontes_json_free(enc);
    pontes_free(s);
}

static void test_box_array(void **state) {
    (void)state;
    fx_strings_box *b = decode_ok(&fx_strings_box_type, "[\"a\",\"\",\"c\xc3\xa7\"]");
    assert_int_equal(b->has_value, PONTES_SET);
    assert_int_equal(b->value.count, 3);
    assert_string_equal(b->value.items[2], "c\xc3\xa7");
    char *enc = encode_ok(&fx_strings_box_type, b);
    assert_string_equal(enc, "[\"a\",\"\",\"c\xc3\xa7\"]");
    pontes_json_free(enc);
    pontes_free(b);
    b = decode_ok(&fx_strings_box_type, "[]");
    assert_int_equal(b->value.count, 0);
    enc = encode_ok(&fx_strings_box_type, b);
    assert_string_equal(enc, "[]");
    pontes_json_free(enc);
    pontes_free(b);
    decode_fail(&fx_strings_box_type, "{}", PONTES_EDECODE, "$", "string[]", NULL);
    decode_fail_strict(&fx_strings_box_type, "[\"a\",null]", PONTES_EDECODE, "$[1]", "string", NULL);
    decode_fail_strict(&fx_strings_box_type, "null", PONTES_EDECODE, "$", "string[]", NULL);
    pontes_deviations dv;
    b = decode_dev(&fx_strings_box_type, "[\"a\",null]", 1, "$[1]", "null for a non-nullable string", &dv);
    assert_null(b->value.items[1]);
    encode_fail(&fx_strings_box_type, b, PONTES_EENCODE, "$[1]", NULL); /* not ELEM_NULLABLE */
    pontes_free(b);
    b = decode_dev(&fx_strings_box_type, " null", 1, "$", "null for a non-nullable string[]", &dv);
    assert_int_equal(b->has_value, PONTES_NULL);
    pontes_free(b);
}

static void test_box_string(void **state) {
    (void)state;
    fx_text_box *t = decode_ok(&fx_text_box_type, "\"ol\xc3\xa1\"");
    assert_int_equal(t->has_value, PONTES_SET);
    assert_string_equal(t->value, "ol\xc3\xa1");
    char *enc = encode_ok(&fx_text_box_type, t);
    assert_string_equal(enc, "\"ol\xc3\xa1\"");
    pontes_json_free(enc);
    pontes_free(t);
    decode_fail(&fx_text_box_type, "5", PONTES_EDECODE, "$", "string", "$: expected string, got number");
    fx_text_box empty = {NULL, PONTES_ABSENT};
    encode_fail(&fx_text_box_type, &empty, PONTES_EENCODE, "$", NULL);
}

static void test_encode_presence_errors(void **state) {
    (void)state;
    fx_all v;
    memset(&v, 0, sizeof v);
    encode_fail(&fx_all_type, &v, PONTES_EENCODE, "$.id", "$.id: missing required member");
    v.id = "x";
    v.has_id = PONTES_SET;
    v.has_i32 = PONTES_NULL;
    encode_fail(&fx_all_type, &v, PONTES_EENCODE, "$.i32", "null");
    v.has_i32 = PONTES_ABSENT;
    fx_amort am = {0.0, PONTES_ABSENT, 0, 0, {NULL, 0}};
    v.amortization = &am;
    v.has_amortization = PONTES_SET;
    encode_fail(&fx_all_type, &v, PONTES_EENCODE, "$.amortization.apr", "missing required member");
    am.has_apr = PONTES_SET;
    am.apr = 0.0;
    v.has_s = PONTES_SET; /* SET with a NULL pointer on a nullable string member writes null */
    char *enc = encode_ok(&fx_all_type, &v);
    assert_string_equal(enc, "{\"id\":\"x\",\"s\":null,\"amortization\":{\"apr\":0}}");
    pontes_json_free(enc);
    v.has_s = PONTES_ABSENT;
    v.id = NULL;
    encode_fail(&fx_all_type, &v, PONTES_EENCODE, "$.id", NULL);
    v.id = "x";
    /* NULL pointer elements are written as null */
    const char *names[] = {"a", NULL};
    v.names.items = names;
    v.names.count = 2;
    v.has_names = PONTES_SET;
    enc = encode_ok(&fx_all_type, &v);
    assert_non_null(strstr(enc, "\"names\":[\"a\",null]"));
    pontes_json_free(enc);
    /* bad arguments */
    char *out = NULL;
    assert_int_equal(pontes_encode(&pontes_type_string, &v, &out, NULL, NULL), PONTES_EINVAL);
    assert_int_equal(pontes_encode(&fx_all_type, NULL, &out, NULL, NULL), PONTES_EINVAL);
    void *dv = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(pontes_decode(&pontes_type_string, "\"a\"", 3, NULL, &dv, &err), PONTES_EINVAL);
    assert_int_equal(err.status, PONTES_EINVAL);
    pontes_error_clear(&err);
}

static void test_allocation_count(void **state) {
    (void)state;
    pontes_buf b;
    pontes_buf_init(&b);
    assert_int_equal(pontes_buf_puts(&b, "{\"id\":\"x\",\"data\":["), PONTES_OK);
    for (int i = 0; i < 1000; i++)
        pontes_buf_printf(&b, "%s{\"id\":\"item-%d\",\"qty\":%d,\"note\":\"n\"}", i ? "," : "", i, i * 1000);
    pontes_buf_puts(&b, "],\"names\":[");
    for (int i = 0; i < 1000; i++) pontes_buf_printf(&b, "%s\"nm%d\"", i ? "," : "", i);
    pontes_buf_puts(&b, "]}");
    assert_false(b.failed);
    fx_all *v = decode_ok(&fx_all_type, b.data);
    assert_int_equal(v->data.count, 1000);
    assert_string_equal(v->data.items[999]->id, "item-999");
    assert_true(v->data.items[999]->qty == 999000);
    size_t blocks = pontes_arena_block_count(pontes_arena_of(v));
    print_message("arena mallocs for a 1000-element array: %zu\n", blocks);
    assert_true(blocks >= 2);
    assert_true(blocks <= 5);
    char *enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, b.data);
    pontes_json_free(enc);
    pontes_free(v);
    pontes_buf_free(&b);
}

static void test_internal_entry_points(void **state) {
    (void)state;
    pontes_arena *a = pontes_arena_new(0);
    const char *doc = " [\"a\",\"b\"] ";
    pontes_string_list l = {NULL, 0};
    assert_int_equal(pontes_codec_decode_into(a, &fx_string_list_type, doc, strlen(doc), &l, NULL), PONTES_OK);
    assert_int_equal(l.count, 2);
    pontes_error err = PONTES_ERROR_INIT;
    int64_t i = 0;
    assert_int_equal(pontes_codec_decode_into(a, &pontes_type_int64, doc, strlen(doc), &i, &err), PONTES_EDECODE);
    assert_string_equal(err.json_path, "$");
    assert_string_equal(err.expected, "int64");
    pontes_error_clear(&err);

    pontes_buf b;
    pontes_buf_init(&b);
    assert_int_equal(pontes_codec_encode_value(&b, &fx_string_list_type, &l, NULL), PONTES_OK);
    assert_string_equal(b.data, "[\"a\",\"b\"]");
    b.len = 0;
    i = 123456789012;
    assert_int_equal(pontes_codec_encode_value(&b, &pontes_type_int64, &i, NULL), PONTES_OK);
    assert_string_equal(b.data, "123456789012");
    b.len = 0;
    i = INT64_MAX;
    assert_int_equal(pontes_codec_encode_value(&b, &pontes_type_int64, &i, &err), PONTES_OK);
    assert_string_equal(b.data, "9223372036854775807");
    b.len = 0;
    assert_int_equal(pontes_buf_printf(&b, "%s-%d", "x", 7), PONTES_OK);
    char big[1000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(pontes_buf_printf(&b, "%s", big), PONTES_OK);
    assert_int_equal(b.len, 3 + 999);
    assert_int_equal(strlen(b.data), b.len);
    assert_memory_equal(b.data, "x-7q", 4);
    pontes_buf_free(&b);
    pontes_arena_destroy(a);
}

static void test_decode_resets_error(void **state) {
    (void)state;
    pontes_error err = PONTES_ERROR_INIT;
    void *out = NULL;
    assert_int_equal(decode_opts(&fx_all_type, "{", NULL, &out, &err), PONTES_EDECODE);
    assert_int_equal(decode_opts(&fx_all_type, "{\"id\":\"x\"}", NULL, &out, &err), PONTES_OK);
    assert_int_equal(err.status, PONTES_OK);
    assert_null(err.message);
    assert_null(err.json_path);
    pontes_free(out);
}


/* ---- decoding policy fixtures: formats, an int64 list, an untagged object union ---- */
typedef struct fx_pol {
    const char *day;
    pontes_presence has_day;
    const char *at;
    pontes_presence has_at;
    const char *uid;
    pontes_presence has_uid;
    pontes_int64_list nums;
    pontes_presence has_nums;
    pontes_string_list uids;
    pontes_presence has_uids;
    struct fx_ai *ai;
    pontes_presence has_ai;
    pontes_extra _extra;
} fx_pol;
static const pontes_type fx_i64_list_type = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "int64[]", &pontes_type_int64,
                                             NULL, NULL, NULL};
static const pontes_type fx_uuid_list_type = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "uuid[]", &pontes_type_uuid,
                                              NULL, NULL, NULL};
/* AmortOrItem: Amortization | Item, no discriminator */
typedef struct fx_ai {
    int kind;
    const cJSON *raw;
    union {
        fx_amort *amort;
        fx_item *item;
    } u;
} fx_ai;
static const pontes_type *const fx_ai_variants[] = {&fx_amort_type, &fx_item_type};
static const char *const fx_ai_names[] = {"Amortization", "Item"};
static const pontes_union_desc fx_ai_union = {"AmortOrItem", sizeof(fx_ai), offsetof(fx_ai, u), fx_ai_variants,
                                              fx_ai_names, 2, NULL, NULL};
static const pontes_type fx_ai_type = {PONTES_KIND_UNION, 0, sizeof(void *), "AmortOrItem", NULL, NULL, NULL,
                                       &fx_ai_union};
#define FX_P(json, flags, member, type) \
    {json, flags, offsetof(fx_pol, member), offsetof(fx_pol, has_##member), type, NULL, 0, 0}
static const pontes_field fx_pol_fields[] = {
    FX_P("day", 0, day, &pontes_type_date),
    FX_P("at", PONTES_F_NULLABLE, at, &pontes_type_date_time),
    FX_P("uid", 0, uid, &pontes_type_uuid),
    FX_P("nums", 0, nums, &fx_i64_list_type),
    FX_P("uids", 0, uids, &fx_uuid_list_type),
    FX_P("ai", 0, ai, &fx_ai_type),
};
#undef FX_P
static const pontes_message fx_pol_msg = {"Pol", 0, sizeof(fx_pol), fx_pol_fields, 6, offsetof(fx_pol, _extra)};
static const pontes_type fx_pol_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Pol", NULL, &fx_pol_msg, NULL, NULL};

static void test_policy_formats(void **state) {
    (void)state;
    static const struct { const char *member, *text; int ok; } cases[] = {
        {"day", "2024-01-31", 1}, {"day", "2024-02-29", 1}, {"day", "2023-02-29", 0}, {"day", "2000-02-29", 1},
        {"day", "1900-02-29", 0}, {"day", "2024-13-01", 0}, {"day", "2024-04-31", 0}, {"day", "2024-1-31", 0},
        {"day", "2024-01-31T00:00:00Z", 0}, {"day", "", 0},
        {"at", "2024-01-31T10:20:30Z", 1}, {"at", "2024-01-31T10:20:30.123456+01:00", 1},
        {"at", "2024-01-31t10:20:30z", 1}, {"at", "2016-12-31T23:59:60-03:00", 1},
        {"at", "2024-01-31T10:20:30", 0}, {"at", "2024-01-31 10:20:30Z", 0}, {"at", "2024-01-31T24:00:00Z", 0},
        {"at", "2024-01-31T10:20:30.Z", 0}, {"at", "2024-01-31T10:20:30+0100", 0}, {"at", "2024-02-30T10:20:30Z", 0},
        {"uid", "5088c941-7ec7-4ea9-a41f-ac6f041bec62", 1}, {"uid", "5088C941-7EC7-4EA9-A41F-AC6F041BEC62", 1},
        {"uid", "5088c9417ec74ea9a41fac6f041bec62", 0}, {"uid", "5088c941-7ec7-4ea9-a41f-ac6f041bec6g", 0},
        {"uid", "{5088c941-7ec7-4ea9-a41f-ac6f041bec62}", 0},
    };
    char buf[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, "{\"%s\":\"%s\"}", cases[i].member, cases[i].text);
        pontes_deviations dv;
        char path[32], what[64];
        snprintf(path, sizeof path, "$.%s", cases[i].member);
        snprintf(what, sizeof what, "invalid %s",
                 cases[i].member[0] == 'd' ? "date" : cases[i].member[0] == 'a' ? "date-time" : "uuid");
        /* tolerant: kept as text, recorded */
        fx_pol *v = decode_dev(&fx_pol_type, buf, cases[i].ok ? 0 : 1, cases[i].ok ? NULL : path,
                               cases[i].ok ? NULL : what, &dv);
        if (!cases[i].ok) assert_string_equal(dv.first[0].what, what);
        /* encoding always checks the format */
        if (cases[i].ok) {
            char *enc = encode_ok(&fx_pol_type, v);
            assert_string_equal(enc, buf);
            pontes_json_free(enc);
        } else {
            encode_fail(&fx_pol_type, v, PONTES_EENCODE, path, what);
        }
        pontes_free(v);
        /* strict: an error naming the path */
        if (!cases[i].ok) decode_fail_strict(&fx_pol_type, buf, PONTES_EDECODE, path, NULL, what);
        else pontes_free(decode_ok(&fx_pol_type, buf));
    }
    /* list elements of a format type; the path of a deviation inside it */
    pontes_deviations dv;
    fx_pol *v = decode_dev(&fx_pol_type, "{\"uids\":[\"5088c941-7ec7-4ea9-a41f-ac6f041bec62\",\"nope\"]}", 1,
                           "$.uids[1]", "invalid uuid", &dv);
    encode_fail(&fx_pol_type, v, PONTES_EENCODE, "$.uids[1]", "invalid uuid");
    pontes_free(v);
    decode_fail_strict(&fx_pol_type, "{\"uids\":[\"nope\"]}", PONTES_EDECODE, "$.uids[0]", "uuid", "invalid uuid");
    /* format byte: invalid base64 is an error in both modes */
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"by\":\"***\"}", PONTES_EDECODE, "$.by", "bytes", "base64");
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"by\":\"***\"}", PONTES_EDECODE, "$.by", "bytes", "base64");
}

static void test_policy_null_no_storage(void **state) {
    (void)state;
    /* a null element of an int64 list has no storage: a type error in both modes */
    decode_fail(&fx_pol_type, "{\"nums\":[1,null]}", PONTES_EDECODE, "$.nums[1]", "int64", "got null");
    decode_fail_strict(&fx_pol_type, "{\"nums\":[1,null]}", PONTES_EDECODE, "$.nums[1]", "int64", "got null");
    /* nullable member: null is not a deviation */
    pontes_deviations dv;
    fx_pol *v = decode_dev(&fx_pol_type, "{\"at\":null}", 0, NULL, NULL, &dv);
    assert_int_equal(v->has_at, PONTES_NULL);
    pontes_free(v);
    /* wrong JSON types, out-of-range numbers, malformed JSON: errors in both modes */
    decode_fail(&fx_pol_type, "{\"day\":20240131}", PONTES_EDECODE, "$.day", "date", "got number");
    decode_fail(&fx_pol_type, "{\"nums\":[9223372036854775808]}", PONTES_ERANGE, "$.nums[0]", "int64", NULL);
    decode_fail(&fx_pol_type, "{\"nums\":[1,]}", PONTES_EDECODE, "$", NULL, "invalid JSON");
}

static void test_policy_strict_unknown(void **state) {
    (void)state;
    /* unknown members: kept and recorded by default, errors in strict mode */
    pontes_deviations dv;
    fx_all *v = decode_dev(&fx_all_type, "{\"id\":\"x\",\"data\":[{\"id\":\"a\",\"zz\":1}],\"q\":[]}", 2, "$.data[0].zz",
                           "unknown member", &dv);
    assert_string_equal(dv.first[1].path, "$.q");
    assert_int_equal(v->data.items[0]->_extra.count, 1);
    pontes_free(v);
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"data\":[{\"id\":\"a\",\"zz\":1}]}", PONTES_EDECODE, "$.data[0].zz",
                       NULL, "unknown member");
    /* member names that are not identifiers, escaped names */
    v = decode_dev(&fx_all_type, "{\"id\":\"x\",\"a\\\"b\":1,\"\\u00e9t\\u00e9\":2}", 2, "$[\"a\\\"b\"]", NULL, &dv);
    assert_string_equal(dv.first[1].path, "$[\"\xc3\xa9t\xc3\xa9\"]");
    pontes_free(v);
    /* unknown enum values */
    v = decode_dev(&fx_all_type, "{\"id\":\"x\",\"status\":\"FROZEN\"}", 1, "$.status", "unknown enum value \"FROZEN\"",
                   &dv);
    assert_string_equal(dv.first[0].what, "unknown enum value \"FROZEN\"");
    assert_string_equal(v->status.raw, "FROZEN");
    pontes_free(v);
    decode_fail_strict(&fx_all_type, "{\"id\":\"x\",\"status\":\"FROZEN\"}", PONTES_EDECODE, "$.status", "Status",
                       "$.status: unknown enum value \"FROZEN\"");
    /* long values are cut */
    char buf[512];
    char longv[201];
    memset(longv, 'A', 200);
    longv[200] = '\0';
    snprintf(buf, sizeof buf, "{\"id\":\"x\",\"status\":\"%s\"}", longv);
    v = decode_dev(&fx_all_type, buf, 1, "$.status", "...", &dv);
    assert_true(strlen(dv.first[0].what) < 64);
    pontes_free(v);
    /* reject_unknown keeps working in both modes */
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.reject_unknown = true;
    decode_fail_opts(&fx_all_type, "{\"id\":\"x\",\"zz\":1}", &o, PONTES_EDECODE, "$.zz", NULL, "unknown member");
    o.strict = true;
    decode_fail_opts(&fx_all_type, "{\"id\":\"x\",\"zz\":1}", &o, PONTES_EDECODE, "$.zz", NULL, "unknown member");
    /* strict accepts a conforming document */
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(decode_opts(&fx_all_type, "{\"id\":\"x\",\"status\":\"ACTIVE\",\"data\":[{\"id\":\"a\"}]}", &STRICT,
                                 &out, &err),
                     PONTES_OK);
    pontes_free(out);
}

static void test_policy_deviation_count(void **state) {
    (void)state;
    /* more than PONTES_DEVIATIONS_KEPT: all counted, the first ones kept; reset per call */
    char buf[2048];
    size_t k = (size_t)snprintf(buf, sizeof buf, "{\"id\":\"x\"");
    for (int i = 0; i < 20; i++) k += (size_t)snprintf(buf + k, sizeof buf - k, ",\"u%d\":%d", i, i);
    snprintf(buf + k, sizeof buf - k, "}");
    pontes_deviations dv;
    fx_all *v = decode_dev(&fx_all_type, buf, 20, "$.u0", "unknown member", &dv);
    assert_string_equal(dv.first[PONTES_DEVIATIONS_KEPT - 1].path, "$.u7");
    pontes_free(v);
    v = decode_dev(&fx_all_type, "{\"id\":\"x\"}", 0, NULL, NULL, &dv);
    pontes_free(v);
    /* deep paths are cut with "..." */
    char deep[4096];
    k = 0;
    for (int i = 0; i < 30; i++) k += (size_t)snprintf(deep + k, sizeof deep - k, "{\"child\":");
    k += (size_t)snprintf(deep + k, sizeof deep - k, "{\"unknown_member_here\":1}");
    for (int i = 0; i < 30; i++) deep[k++] = '}';
    deep[k] = '\0';
    fx_node *n = decode_dev(&fx_node_type, deep, 1, NULL, "unknown member", &dv);
    assert_true(strlen(dv.first[0].path) < sizeof dv.first[0].path);
    assert_non_null(strstr(dv.first[0].path, "..."));
    assert_true(strncmp(dv.first[0].path, "$.child.child.", 14) == 0);
    pontes_free(n);
    /* deviations inside a union variant that was not chosen are not reported */
    fx_all *u = decode_dev(&fx_all_type, "{\"id\":\"x\",\"every\":{\"k\":\"v\"}}", 0, NULL, NULL, &dv);
    assert_int_equal(u->every->kind, FX_EVERY_MAP);
    pontes_free(u);
    fx_pol *p = decode_dev(&fx_pol_type, "{\"ai\":{\"id\":\"a\",\"zz\":true}}", 1, "$.ai.zz", "unknown member", &dv);
    assert_int_equal(p->ai->kind, 2);
    pontes_free(p);
}

static void test_union_best_variant_error(void **state) {
    (void)state;
    /* no variant matches: the error of the one that got furthest */
    decode_fail(&fx_pol_type, "{\"ai\":{\"apr\":\"high\",\"qty\":\"three\"}}", PONTES_EDECODE, "$.ai.qty", "int64",
                "$.ai.qty: expected int64, got string");
    decode_fail(&fx_pol_type, "{\"ai\":{\"qty\":\"three\",\"apr\":\"high\"}}", PONTES_EDECODE, "$.ai.apr", "double",
                "$.ai.apr: expected double, got string");
    decode_fail_strict(&fx_pol_type, "{\"ai\":{\"id\":\"a\",\"qty\":\"three\"}}", PONTES_EDECODE, "$.ai.qty", "int64",
                       "$.ai.qty: expected int64, got string");
    decode_fail(&fx_pol_type, "{\"ai\":{\"apr\":1.5,\"n\":2,\"x\":[],\"n2\":{\"a\":1},\"n\":3}}", PONTES_EDECODE, "$.ai.n",
                NULL, "duplicate member");
    decode_fail_strict(&fx_pol_type, "{\"ai\":{\"apr\":1.5,\"n\":99999999999}}", PONTES_ERANGE, "$.ai.n", "int32", NULL);
    /* strict: missing required member of the variant that got furthest */
    decode_fail_strict(&fx_pol_type, "{\"ai\":{\"qty\":5,\"note\":null}}", PONTES_EDECODE, "$.ai.id", NULL,
                       "missing required member");
    /* nothing got into the value: "expected one of" */
    decode_fail(&fx_pol_type, "{\"ai\":[1]}", PONTES_EDECODE, "$.ai", "one of Amortization|Item",
                "expected one of Amortization|Item, got array");
}

static void test_exact_number_text(void **state) {
    (void)state;
    const char *nums = "{\"x\":12345678901234567890123,\"y\":1.000000000000000000001,\"z\":-0,\"w\":[1E+2,-0.0e-0]}";
    char buf[512];
    snprintf(buf, sizeof buf, "{\"id\":\"x\",\"any\":%s,\"unk\":%s,\"n\":-0}", nums, nums);
    fx_all *v = decode_ok(&fx_all_type, buf);
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(v->any, "x");
    assert_true(cJSON_IsNumber(x));
    assert_true(x->valuedouble == 12345678901234567890123.0);
    assert_string_equal(x->valuestring, "12345678901234567890123");
    const cJSON *z = cJSON_GetObjectItemCaseSensitive(v->_extra.items[0], "z");
    assert_true(cJSON_IsNumber(z));
    assert_true(z->valuedouble == 0.0 && signbit(z->valuedouble));
    assert_true(cJSON_IsNumber(v->_extra.items[1]));
    char *enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, buf); /* byte-exact */
    pontes_json_free(enc);
    /* a number node without valuestring (built by the caller): valuedouble as before */
    cJSON *mine = cJSON_CreateNumber(1e15);
    v->any = mine;
    enc = encode_ok(&fx_all_type, v);
    assert_non_null(strstr(enc, "\"any\":1000000000000000,"));
    pontes_json_free(enc);
    /* a valuestring that is not one JSON number is not written verbatim */
    mine->valuestring = cJSON_malloc(8);
    strcpy(mine->valuestring, "1,\"a\":2");
    enc = encode_ok(&fx_all_type, v);
    assert_non_null(strstr(enc, "\"any\":1000000000000000,"));
    pontes_json_free(enc);
    cJSON_Delete(mine);
    pontes_free(v);
    /* numbers longer than cJSON's 63-character parse buffer */
    char longnum[200];
    memset(longnum, '7', 150);
    longnum[150] = '\0';
    snprintf(buf, sizeof buf, "{\"id\":\"x\",\"any\":[%s.5e-3]}", longnum);
    v = decode_ok(&fx_all_type, buf);
    assert_true(cJSON_IsNumber(v->any->child));
    assert_true(v->any->child->valuedouble > 7e146 && v->any->child->valuedouble < 8e146);
    enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, buf);
    pontes_json_free(enc);
    pontes_free(v);
    /* kept JSON: strings with escapes (and \u0000, which cJSON keeps), nesting, empty containers */
    assert_round_trip(&fx_all_type, "{\"id\":\"x\",\"any\":{\"s\":\"a\\u0041\\n\\ud83d\\ude00\",\"o\":{},\"a\":[[]],"
                                     "\"t\":true,\"f\":false,\"n\":null},\"e\":\"\\u0000x\"}");
    v = decode_ok(&fx_all_type, "{\"id\":\"x\",\"any\": { \"a\" : [ 1 , { \"b\" :true } ] ,\n\t\"c\":\"d\" } }");
    enc = encode_ok(&fx_all_type, v);
    assert_string_equal(enc, "{\"id\":\"x\",\"any\":{\"a\":[1,{\"b\":true}],\"c\":\"d\"}}");
    pontes_json_free(enc);
    pontes_free(v);
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"any\":{\"s\":\"\\ud800\"}}", PONTES_EDECODE, "$", NULL, "surrogate");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"any\":{\"s\" 1}}", PONTES_EDECODE, "$", NULL, "invalid JSON");
    decode_fail(&fx_all_type, "{\"id\":\"x\",\"any\":[1 2]}", PONTES_EDECODE, "$", NULL, "invalid JSON");
}

static void test_encode_enum_raw(void **state) {
    (void)state;
    fx_all w;
    memset(&w, 0, sizeof w);
    PONTES_PUT(w, id, "x");
    w.status.value = 0;
    w.status.raw = "NEW_STATE"; /* forward compatibility: sent as its raw text */
    w.has_status = PONTES_SET;
    char *enc = encode_ok(&fx_all_type, &w);
    assert_string_equal(enc, "{\"id\":\"x\",\"status\":\"NEW_STATE\"}");
    pontes_json_free(enc);
    w.status.raw = NULL;
    encode_fail(&fx_all_type, &w, PONTES_EENCODE, "$.status", "not set");
    /* null for non-nullable members / elements is an encode error */
    w.has_status = PONTES_NULL;
    encode_fail(&fx_all_type, &w, PONTES_EENCODE, "$.status", "null for a non-nullable member");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_decode_values),
        cmocka_unit_test(test_full_round_trip),
        cmocka_unit_test(test_three_states),
        cmocka_unit_test(test_null_not_nullable),
        cmocka_unit_test(test_enum_unknown_kept),
        cmocka_unit_test(test_unknown_members),
        cmocka_unit_test(test_wrong_type_paths),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_int64_range),
        cmocka_unit_test(test_non_integral),
        cmocka_unit_test(test_int32_range),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_encode_invalid_utf8),
        cmocka_unit_test(test_string_escaping),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_base64_helpers),
        cmocka_unit_test(test_nan_inf),
        cmocka_unit_test(test_double_format),
        cmocka_unit_test(test_locale_decimal_point),
        cmocka_unit_test(test_duplicate_member),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_every_kind_union),
        cmocka_unit_test(test_discriminated_union),
        cmocka_unit_test(test_string_int64_union),
        cmocka_unit_test(test_box_array),
        cmocka_unit_test(test_box_string),
        cmocka_unit_test(test_encode_presence_errors),
        cmocka_unit_test(test_allocation_count),
        cmocka_unit_test(test_internal_entry_points),
        cmocka_unit_test(test_decode_resets_error),
        cmocka_unit_test(test_policy_formats),
        cmocka_unit_test(test_policy_null_no_storage),
        cmocka_unit_test(test_policy_strict_unknown),
        cmocka_unit_test(test_policy_deviation_count),
        cmocka_unit_test(test_union_best_variant_error),
        cmocka_unit_test(test_exact_number_text),
        cmocka_unit_test(test_encode_enum_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
