/* Numbers that may travel as strings (PONTES_T_OR_STRING, pontes_wire_form) and date-only
 * text in date-time members: runtime/src/codec.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pontes/pontes.h"

/* ---- fixture: laid out as the generator lays it out -------------------------------
 * { n: int32|string, big: int64|string, d: number|string, list: [int32|string],
 *   map: {string: int64|string}, loose: int32|string without a wire member,
 *   plain: int32, when: date-time, nn: nullable int32|string } */
typedef struct w_i64_wire_map {
    const char **keys;
    int64_t *values;
    size_t count;
    const pontes_wire_form *wire;
} w_i64_wire_map;

typedef struct w_obj {
    int32_t n;
    pontes_presence has_n;
    pontes_wire_form wire_n;
    int64_t big;
    pontes_presence has_big;
    pontes_wire_form wire_big;
    double d;
    pontes_presence has_d;
    pontes_wire_form wire_d;
    pontes_int32_wire_list list;
    pontes_presence has_list;
    w_i64_wire_map map;
    pontes_presence has_map;
    int32_t loose;
    pontes_presence has_loose;
    unsigned char sentinel; /* right after has_loose: must never be written */
    int32_t plain;
    pontes_presence has_plain;
    const char *when;
    pontes_presence has_when;
    int32_t nn;
    pontes_presence has_nn;
    pontes_wire_form wire_nn;
    pontes_extra _extra;
} w_obj;

_Static_assert(offsetof(w_obj, wire_n) == offsetof(w_obj, has_n) + 1, "wire form after presence");
_Static_assert(offsetof(w_obj, wire_nn) == offsetof(w_obj, has_nn) + 1, "wire form after presence");

static const pontes_type w_list_type = {.kind = PONTES_KIND_ARRAY, .size = sizeof(pontes_int32_wire_list),
                                        .name = "list", .elem = &pontes_type_int32_or_string};
static const pontes_type w_map_type = {.kind = PONTES_KIND_MAP, .size = sizeof(w_i64_wire_map), .name = "map",
                                       .elem = &pontes_type_int64_or_string};
#define W_F(json, flags, member, type) {json, flags, offsetof(w_obj, member), offsetof(w_obj, has_##member), type, NULL, 0, 0}
static const pontes_field w_fields[] = {
    W_F("n", PONTES_F_WIRE_FORM, n, &pontes_type_int32_or_string),
    W_F("big", PONTES_F_WIRE_FORM, big, &pontes_type_int64_or_string),
    W_F("d", PONTES_F_WIRE_FORM, d, &pontes_type_double_or_string),
    W_F("list", 0, list, &w_list_type),
    W_F("map", 0, map, &w_map_type),
    W_F("loose", 0, loose, &pontes_type_int32_or_string),
    W_F("plain", 0, plain, &pontes_type_int32),
    W_F("when", 0, when, &pontes_type_date_time),
    W_F("nn", PONTES_F_WIRE_FORM | PONTES_F_NULLABLE, nn, &pontes_type_int32_or_string),
};
#undef W_F
static const pontes_message w_msg = {.name = "W", .size = sizeof(w_obj), .fields = w_fields,
                                     .field_count = sizeof w_fields / sizeof w_fields[0],
                                     .extra_offset = offsetof(w_obj, _extra)};
static const pontes_type w_type = {.kind = PONTES_KIND_OBJECT, .size = sizeof(w_obj *), .name = "W", .msg = &w_msg};

/* a box of a top-level [integer, string] body */
typedef struct w_box {
    int64_t value;
    pontes_presence has_value;
    pontes_wire_form wire_value;
} w_box;
static const pontes_field w_box_fields[] = {
    {NULL, PONTES_F_WIRE_FORM, offsetof(w_box, value), offsetof(w_box, has_value), &pontes_type_int64_or_string, NULL, 0, 0}};
static const pontes_message w_box_msg = {.name = "Box", .flags = PONTES_M_BOX, .size = sizeof(w_box),
                                         .fields = w_box_fields, .field_count = 1, .extra_offset = PONTES_NO_EXTRA};
static const pontes_type w_box_type = {.kind = PONTES_KIND_OBJECT, .size = sizeof(w_box *), .name = "Box",
                                       .msg = &w_box_msg};

static const pontes_decode_options STRICT = {PONTES_DECODE_OPTIONS_VERSION, false, 64, true, NULL};

/* ---- helpers ------------------------------------------------------------------------ */

/* Decode from an exact-length heap copy (no NUL after it: ASan sees over-reads). */
static int decode(const pontes_type *t, const char *json, const pontes_decode_options *o, void **out,
                  pontes_error *err) {
    size_t n = strlen(json);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, json, n);
    int rc = pontes_decode(t, copy, n, o, out, err);
    free(copy);
    return rc;
}

static w_obj *decode_ok(const char *json, const pontes_decode_options *o) {
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = decode(&w_type, json, o, &out, &err);
    if (rc) print_error("%s: %s\n", json, err.message ? err.message : "?");
    assert_int_equal(rc, PONTES_OK);
    pontes_error_clear(&err);
    return out;
}

/* Decode must fail with status at path, in tolerant and in strict mode. */
static void decode_fail(const char *json, int status, const char *path, const char *msg_part) {
    for (int strict = 0; strict < 2; strict++) {
        void *out = (void *)1;
        pontes_error err = PONTES_ERROR_INIT;
        int rc = decode(&w_type, json, strict ? &STRICT : NULL, &out, &err);
        if (rc != status)
            print_error("%s (strict %d): got %s (%s)\n", json, strict, pontes_status_name(rc),
                        err.message ? err.message : "-");
        assert_int_equal(rc, status);
        assert_null(out);
        assert_non_null(err.json_path);
        assert_string_equal(err.json_path, path);
        if (msg_part && !strstr(err.message, msg_part)) {
            print_error("message '%s' lacks '%s'\n", err.message, msg_part);
            fail();
        }
        pontes_error_clear(&err);
    }
}

static char *encode_ok(const pontes_type *t, const void *v) {
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_encode(t, v, &json, &len, &err);
    if (rc) print_error("encode: %s\n", err.message ? err.message : "?");
    assert_int_equal(rc, PONTES_OK);
    assert_int_equal(len, strlen(json));
    pontes_error_clear(&err);
    return json;
}

/* decode (tolerant and strict, no deviation) then encode: byte-identical */
static void round_trip(const char *json) {
    for (int strict = 0; strict < 2; strict++) {
        pontes_deviations dev;
        pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
        o.strict = strict;
        o.deviations = &dev;
        w_obj *v = decode_ok(json, &o);
        assert_int_equal(dev.count, 0);
        char *out = encode_ok(&w_type, v);
        if (strcmp(out, json) != 0) print_error("round trip:\n  in  %s\n  out %s\n", json, out);
        assert_string_equal(out, json);
        pontes_json_free(out);
        pontes_free(v);
    }
}

/* ---- A: numbers as strings ------------------------------------------------------------ */

static void test_wire_round_trip(void **state) {
    (void)state;
    round_trip("{\"n\":\"1234\"}");
    round_trip("{\"n\":1234}");
    round_trip("{\"n\":\"-7\",\"big\":\"9223372036854775807\",\"d\":\"12.5\"}");
    round_trip("{\"n\":-7,\"big\":-9223372036854775808,\"d\":12.5}");
    round_trip("{\"big\":\"-9223372036854775808\"}");
    round_trip("{\"list\":[1,\"2\",3,\"-4\"]}");
    round_trip("{\"list\":[\"1\",\"2\"]}");
    round_trip("{\"list\":[1,2]}");
    round_trip("{\"list\":[]}");
    round_trip("{\"map\":{\"a\":\"7\",\"b\":8}}");
    round_trip("{\"nn\":null}");
    round_trip("{\"nn\":\"0\"}");
}

static void test_wire_form_recorded(void **state) {
    (void)state;
    w_obj *v = decode_ok("{\"n\":\"1234\",\"big\":1234,\"d\":\"0.25\",\"list\":[5,\"6\"],\"map\":{\"k\":9},"
                         "\"nn\":null}",
                         NULL);
    assert_int_equal(v->has_n, PONTES_SET); /* has_x == PONTES_SET as for any member */
    assert_int_equal(v->n, 1234);
    assert_int_equal(v->wire_n, PONTES_WIRE_STRING);
    assert_int_equal(v->has_big, PONTES_SET);
    assert_true(v->big == 1234);
    assert_int_equal(v->wire_big, PONTES_WIRE_NUMBER);
    assert_true(v->d == 0.25);
    assert_int_equal(v->wire_d, PONTES_WIRE_STRING);
    assert_int_equal(v->list.count, 2);
    assert_int_equal(v->list.items[0], 5);
    assert_int_equal(v->list.items[1], 6);
    assert_non_null(v->list.wire);
    assert_int_equal(v->list.wire[0], PONTES_WIRE_NUMBER);
    assert_int_equal(v->list.wire[1], PONTES_WIRE_STRING);
    assert_int_equal(v->map.count, 1);
    assert_null(v->map.wire); /* no string among the values: no form array */
    assert_int_equal(v->has_nn, PONTES_NULL);
    assert_int_equal(v->wire_nn, PONTES_WIRE_NUMBER);
    pontes_free(v);

    /* a list long enough to grow (forms follow the items as they move) */
    char json[4096];
    size_t k = (size_t)snprintf(json, sizeof json, "{\"list\":[");
    for (int i = 0; i < 100; i++)
        k += (size_t)snprintf(json + k, sizeof json - k, i % 3 == 0 ? "%s\"%d\"" : "%s%d", i ? "," : "", i);
    snprintf(json + k, sizeof json - k, "]}");
    v = decode_ok(json, NULL);
    assert_int_equal(v->list.count, 100);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(v->list.items[i], i);
        assert_int_equal(v->list.wire[i], i % 3 == 0 ? PONTES_WIRE_STRING : PONTES_WIRE_NUMBER);
    }
    char *out = encode_ok(&w_type, v);
    assert_string_equal(out, json);
    pontes_json_free(out);
    pontes_free(v);

    /* escapes in the string are text like any other: "\u0031\u0032" is "12" */
    v = decode_ok("{\"n\":\"\\u0031\\u0032\"}", NULL);
    assert_int_equal(v->n, 12);
    assert_int_equal(v->wire_n, PONTES_WIRE_STRING);
    pontes_free(v);

    /* leading zeros are accepted; the value is written back canonically */
    v = decode_ok("{\"n\":\"007\",\"big\":\"-0\"}", NULL);
    assert_int_equal(v->n, 7);
    assert_true(v->big == 0);
    out = encode_ok(&w_type, v);
    assert_string_equal(out, "{\"n\":\"7\",\"big\":\"0\"}");
    pontes_json_free(out);
    pontes_free(v);

    /* a number in exponent form is still a number (written in plain form) */
    v = decode_ok("{\"n\":1e3}", NULL);
    assert_int_equal(v->n, 1000);
    assert_int_equal(v->wire_n, PONTES_WIRE_NUMBER);
    pontes_free(v);
}

static void test_wire_range(void **state) {
    (void)state;
    decode_fail("{\"n\":\"2147483648\"}", PONTES_ERANGE, "$.n", "out of range");
    decode_fail("{\"n\":\"-2147483649\"}", PONTES_ERANGE, "$.n", "out of range");
    decode_fail("{\"n\":2147483648}", PONTES_ERANGE, "$.n", "out of range");
    decode_fail("{\"big\":\"9223372036854775808\"}", PONTES_ERANGE, "$.big", "out of range");
    decode_fail("{\"big\":\"-9223372036854775809\"}", PONTES_ERANGE, "$.big", "out of range");
    decode_fail("{\"big\":\"123456789012345678901234567890\"}", PONTES_ERANGE, "$.big", NULL);
    decode_fail("{\"list\":[1,\"99999999999\"]}", PONTES_ERANGE, "$.list[1]", "out of range");
    decode_fail("{\"map\":{\"a\":\"99999999999999999999\"}}", PONTES_ERANGE, "$.map.a", NULL);
    decode_fail("{\"d\":\"1e400\"}", PONTES_ERANGE, "$.d", "out of range");
    /* the edges themselves fit */
    w_obj *v = decode_ok("{\"n\":\"-2147483648\",\"big\":\"000000000000000000000009223372036854775807\"}", NULL);
    assert_int_equal(v->n, INT32_MIN);
    assert_true(v->big == INT64_MAX);
    pontes_free(v);
}

static void test_wire_rejects_text(void **state) {
    (void)state;
    static const char *const bad[] = {"12a", "", "-", " 1", "1 ", "1.5", "+1", "1e3", "0x10", "--1", "١٢"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[64];
        snprintf(json, sizeof json, "{\"n\":\"%s\"}", bad[i]);
        decode_fail(json, PONTES_EDECODE, "$.n", "int32 or string");
        snprintf(json, sizeof json, "{\"list\":[1,\"%s\"]}", bad[i]);
        decode_fail(json, PONTES_EDECODE, "$.list[1]", "not an integer");
    }
    decode_fail("{\"n\":\"12a\"}", PONTES_EDECODE, "$.n", "\"12a\"");
    decode_fail("{\"d\":\"abc\"}", PONTES_EDECODE, "$.d", "not a number");
    decode_fail("{\"d\":\"NaN\"}", PONTES_EDECODE, "$.d", "not a number");
    decode_fail("{\"d\":\"1.\"}", PONTES_EDECODE, "$.d", "not a number");
    decode_fail("{\"n\":true}", PONTES_EDECODE, "$.n", NULL);
    decode_fail("{\"n\":{}}", PONTES_EDECODE, "$.n", NULL);
}

static void test_wire_null_tolerant(void **state) {
    (void)state;
    /* tolerant: null for a non-nullable member is a deviation (as for any member) */
    pontes_deviations dev;
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.deviations = &dev;
    void *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(decode(&w_type, "{\"n\":null}", &o, &out, &err), PONTES_OK);
    assert_int_equal(((w_obj *)out)->has_n, PONTES_NULL);
    assert_int_equal(dev.count, 1);
    pontes_free(out);
    pontes_error_clear(&err);
}

static void test_wire_plain_int_unchanged(void **state) {
    (void)state;
    /* a plain int32 member still refuses a string */
    decode_fail("{\"plain\":\"5\"}", PONTES_EDECODE, "$.plain", "expected int32, got string");
    /* without PONTES_F_WIRE_FORM: both forms decode, the byte after the presence is left
       alone, and the value encodes as a number */
    w_obj *v = decode_ok("{\"loose\":\"5\"}", NULL);
    assert_int_equal(v->loose, 5);
    assert_int_equal(v->sentinel, 0);
    char *out = encode_ok(&w_type, v);
    assert_string_equal(out, "{\"loose\":5}");
    pontes_json_free(out);
    pontes_free(v);
}

static void test_wire_caller_built(void **state) {
    (void)state;
    w_obj v;
    memset(&v, 0, sizeof v);
    PONTES_PUT(v, n, 42);
    PONTES_PUT(v, big, INT64_MIN);
    PONTES_PUT(v, d, -1.5);
    int32_t items[3] = {1, 2, 3};
    v.list.items = items;
    v.list.count = 3;
    v.has_list = PONTES_SET;
    char *out = encode_ok(&w_type, &v); /* set by the caller: numbers */
    assert_string_equal(out, "{\"n\":42,\"big\":-9223372036854775808,\"d\":-1.5,\"list\":[1,2,3]}");
    pontes_json_free(out);
    v.wire_n = PONTES_WIRE_STRING; /* asked for explicitly: a string */
    v.wire_big = PONTES_WIRE_STRING;
    v.wire_d = PONTES_WIRE_STRING;
    const pontes_wire_form forms[3] = {PONTES_WIRE_NUMBER, PONTES_WIRE_STRING, PONTES_WIRE_NUMBER};
    v.list.wire = forms;
    out = encode_ok(&w_type, &v);
    assert_string_equal(out, "{\"n\":\"42\",\"big\":\"-9223372036854775808\",\"d\":\"-1.5\",\"list\":[1,\"2\",3]}");
    pontes_json_free(out);
    /* a list grown by appending starts with wire NULL: numbers */
    pontes_int32_wire_list l = {0};
    assert_int_equal(pontes_list_append(&l, sizeof *l.items, &(int32_t){7}), PONTES_OK);
    assert_null(l.wire);
    memset(&v, 0, sizeof v);
    v.list = l;
    v.has_list = PONTES_SET;
    out = encode_ok(&w_type, &v);
    assert_string_equal(out, "{\"list\":[7]}");
    pontes_json_free(out);
    pontes_list_free(&l);
}

static void test_wire_box(void **state) {
    (void)state;
    static const char *const docs[] = {"\"77\"", "77", "\"-9223372036854775808\""};
    for (size_t i = 0; i < 3; i++) {
        void *out = NULL;
        pontes_error err = PONTES_ERROR_INIT;
        assert_int_equal(decode(&w_box_type, docs[i], &STRICT, &out, &err), PONTES_OK);
        w_box *b = out;
        assert_int_equal(b->wire_value, docs[i][0] == '"' ? PONTES_WIRE_STRING : PONTES_WIRE_NUMBER);
        char *json = encode_ok(&w_box_type, b);
        assert_string_equal(json, docs[i]);
        pontes_json_free(json);
        pontes_free(out);
    }
}

/* ---- B: date-only text in date-time members ------------------------------------------- */

static void test_date_time_accepts_date_only(void **state) {
    (void)state;
    /* decoded in both modes, kept verbatim, written back as received */
    round_trip("{\"when\":\"2028-12-31\"}");
    round_trip("{\"when\":\"2026-01-13T10:00:00Z\"}");
    round_trip("{\"when\":\"2024-02-29\"}");
    /* encoding (request bodies are always checked) accepts it too */
    w_obj v;
    memset(&v, 0, sizeof v);
    PONTES_PUT(v, when, "2028-12-31");
    char *out = encode_ok(&w_type, &v);
    assert_string_equal(out, "{\"when\":\"2028-12-31\"}");
    pontes_json_free(out);
    /* garbage is still refused: strict decode and encode; tolerant decode: a deviation */
    static const char *const bad[] = {"2028-12-32", "2023-02-29", "2028-1-31", "2028-12-31T", "2028-12-31 ",
                                      "2028-12-31T10:00", "28-12-31", "tomorrow", "", "2028-12-31Z",
                                      "2028-12-31T25:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[80];
        snprintf(json, sizeof json, "{\"when\":\"%s\"}", bad[i]);
        void *o = (void *)1;
        pontes_error err = PONTES_ERROR_INIT;
        assert_int_equal(decode(&w_type, json, &STRICT, &o, &err), PONTES_EDECODE);
        assert_string_equal(err.json_path, "$.when");
        assert_non_null(strstr(err.message, "invalid date-time"));
        pontes_error_clear(&err);
        pontes_deviations dev;
        pontes_decode_options to = PONTES_DECODE_OPTIONS_INIT;
        to.deviations = &dev;
        assert_int_equal(decode(&w_type, json, &to, &o, &err), PONTES_OK);
        assert_int_equal(dev.count, 1);
        assert_string_equal(((w_obj *)o)->when, bad[i]); /* kept as text */
        pontes_free(o);
        PONTES_PUT(v, when, bad[i]);
        char *js = NULL;
        assert_int_equal(pontes_encode(&w_type, &v, &js, NULL, &err), PONTES_EENCODE);
        assert_null(js);
        assert_string_equal(err.json_path, "$.when");
        pontes_error_clear(&err);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_round_trip),
        cmocka_unit_test(test_wire_form_recorded),
        cmocka_unit_test(test_wire_range),
        cmocka_unit_test(test_wire_rejects_text),
        cmocka_unit_test(test_wire_null_tolerant),
        cmocka_unit_test(test_wire_plain_int_unchanged),
        cmocka_unit_test(test_wire_caller_built),
        cmocka_unit_test(test_wire_box),
        cmocka_unit_test(test_date_time_accepts_date_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
