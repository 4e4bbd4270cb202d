/* Exact decimals (pontes_decimal, PONTES_KIND_DECIMAL): parse/print, ranges, minor units,
 * exponents, the codec on numbers and strings, lists and maps, strict and tolerant modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pontes/pontes.h>

/* ---- a small schema: {"n": decimal, "s": decimal string, "ns": [decimal], "m": {decimal},
 *      "ss": [decimal string]} ----------------------------------------------------------- */
typedef struct amounts {
    pontes_decimal n;
    pontes_presence has_n;
    pontes_decimal s;
    pontes_presence has_s;
    pontes_decimal_list ns;
    pontes_presence has_ns;
    struct { const char **keys; pontes_decimal *values; size_t count; } m;
    pontes_presence has_m;
    pontes_decimal_list ss;
    pontes_presence has_ss;
    pontes_extra _extra;
} amounts;

static const pontes_type dec_list_t = {PONTES_KIND_ARRAY, 0, sizeof(pontes_decimal_list), "array of decimal",
                                       &pontes_type_decimal, NULL, NULL, NULL};
static const pontes_type dec_str_list_t = {PONTES_KIND_ARRAY, 0, sizeof(pontes_decimal_list),
                                           "array of decimal string", &pontes_type_decimal_string, NULL, NULL, NULL};
static const pontes_type dec_map_t = {PONTES_KIND_MAP, 0, sizeof(((amounts *)0)->m), "map of decimal",
                                      &pontes_type_decimal, NULL, NULL, NULL};
#define F(nm, mem, ty) {nm, 0, offsetof(amounts, mem), offsetof(amounts, has_##mem), ty, NULL, 0, 0}
static const pontes_field amounts_fields[] = {
    F("n", n, &pontes_type_decimal), F("s", s, &pontes_type_decimal_string), F("ns", ns, &dec_list_t),
    F("m", m, &dec_map_t), F("ss", ss, &dec_str_list_t),
};
static const pontes_message amounts_msg = {"Amounts", 0, sizeof(amounts), amounts_fields, 5, offsetof(amounts, _extra)};
static const pontes_type amounts_t = {PONTES_KIND_OBJECT, 0, sizeof(amounts *), "Amounts", NULL, &amounts_msg, NULL,
                                      NULL};

static const pontes_decode_options STRICT = {PONTES_DECODE_OPTIONS_VERSION, false, 64, true, NULL};

static int decode(const char *json, const pontes_decode_options *o, amounts **out, pontes_error *err) {
    size_t n = strlen(json);
    char *copy = malloc(n ? n : 1); /* exact length, no NUL: ASan sees over-reads */
    assert_non_null(copy);
    memcpy(copy, json, n);
    int rc = pontes_decode(&amounts_t, copy, n, o, (void **)out, err);
    free(copy);
    return rc;
}

static char *encode(const amounts *a) {
    char *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_encode(&amounts_t, a, &out, NULL, &err);
    if (rc) print_error("encode: %s\n", err.message ? err.message : "?");
    assert_int_equal(rc, PONTES_OK);
    pontes_error_clear(&err);
    return out;
}

/* ---- parse / print ------------------------------------------------------ */
static void parse_print_table(void **state) {
    (void)state;
    static const struct { const char *in; int64_t coef; int32_t scale; const char *out; } tab[] = {
        {"995.00", 99500, 2, "995.00"},
        {"995.0000", 9950000, 4, "995.0000"},
        {"-0.01", -1, 2, "-0.01"},
        {"0", 0, 0, "0"},
        {"0.00", 0, 2, "0.00"},
        {"-0", 0, 0, "0"},          /* no negative zero */
        {"-0.00", 0, 2, "0.00"},
        {"0.0001", 1, 4, "0.0001"},
        {"12.5", 125, 1, "12.5"},
        {"100", 100, 0, "100"},
        {"9223372036854775807", INT64_MAX, 0, "9223372036854775807"},
        {"-9223372036854775808", INT64_MIN, 0, "-9223372036854775808"},
        {"922337203685477580.7", INT64_MAX, 1, "922337203685477580.7"},
        {"0.00000000000000000000000000000000000001", 1, 38, "0.00000000000000000000000000000000000001"},
        /* exponents: exact, canonical plain text */
        {"1e3", 1000, 0, "1000"},
        {"1.50e1", 150, 1, "15.0"},
        {"1.5E+1", 15, 0, "15"},
        {"25e-3", 25, 3, "0.025"},
        {"-1.0e-2", -10, 3, "-0.010"},
        {"0e999999999999999999999", 0, 0, "0"},
        {"0.00e1", 0, 1, "0.0"},
        {"9.223372036854775807e18", INT64_MAX, 0, "9223372036854775807"},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        pontes_decimal d = {7, 7};
        int rc = pontes_decimal_parse(tab[i].in, strlen(tab[i].in), &d);
        if (rc || d.coef != tab[i].coef || d.scale != tab[i].scale)
            print_error("%s: rc %d coef %lld scale %d\n", tab[i].in, rc, (long long)d.coef, (int)d.scale);
        assert_int_equal(rc, PONTES_OK);
        assert_true(d.coef == tab[i].coef);
        assert_int_equal(d.scale, tab[i].scale);
        char buf[PONTES_DECIMAL_TEXT_MAX];
        assert_int_equal(pontes_decimal_to_text(&d, buf, sizeof buf), PONTES_OK);
        assert_string_equal(buf, tab[i].out);
    }
    /* the longest texts fit PONTES_DECIMAL_TEXT_MAX */
    pontes_decimal big = {INT64_MIN, PONTES_DECIMAL_MAX_SCALE};
    char buf[PONTES_DECIMAL_TEXT_MAX];
    assert_int_equal(pontes_decimal_to_text(&big, buf, sizeof buf), PONTES_OK);
    assert_string_equal(buf, "-0.00000000000000000009223372036854775808");
    assert_int_equal(pontes_decimal_to_text(&big, buf, strlen("-0.00000000000000000009223372036854775808")),
                     PONTES_EINVAL); /* no room for the NUL */
    assert_string_equal(buf, "");
    pontes_decimal bad = {1, -1};
    assert_int_equal(pontes_decimal_to_text(&bad, buf, sizeof buf), PONTES_EINVAL);
    bad.scale = PONTES_DECIMAL_MAX_SCALE + 1;
    assert_int_equal(pontes_decimal_to_text(&bad, buf, sizeof buf), PONTES_EINVAL);
    assert_int_equal(pontes_decimal_to_text(NULL, buf, sizeof buf), PONTES_EINVAL);
}

static void parse_rejects(void **state) {
    (void)state;
    static const char *const invalid[] = {"", "-", "+1", "01", "00.5", ".5", "5.", "1,5", " 1", "1 ", "1e", "1e+",
                                          "0x10", "NaN", "Infinity", "1.2.3", "--1", "1e5.0", "\"1\""};
    pontes_decimal d = {7, 7};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        if (pontes_decimal_parse(invalid[i], strlen(invalid[i]), &d) != PONTES_EINVAL) print_error("%s\n", invalid[i]);
        assert_int_equal(pontes_decimal_parse(invalid[i], strlen(invalid[i]), &d), PONTES_EINVAL);
    }
    static const char *const range[] = {
        "9223372036854775808",                       /* 19 digits, above INT64_MAX */
        "-9223372036854775809",
        "99999999999999999.99",                      /* 19 digits */
        "12345678901234567890",                      /* 20 digits */
        "0.000000000000000000000000000000000000001", /* scale 39 */
        "1e-39",
        "1e19",
        "9.223372036854775808e18",
        "1e999999999999999999999999",
        "1e-999999999999999999999999",
    };
    for (size_t i = 0; i < sizeof range / sizeof range[0]; i++) {
        if (pontes_decimal_parse(range[i], strlen(range[i]), &d) != PONTES_ERANGE) print_error("%s\n", range[i]);
        assert_int_equal(pontes_decimal_parse(range[i], strlen(range[i]), &d), PONTES_ERANGE);
    }
    assert_true(d.coef == 7 && d.scale == 7); /* untouched on failure */
    assert_int_equal(pontes_decimal_parse(NULL, 0, &d), PONTES_EINVAL);
    assert_int_equal(pontes_decimal_parse("1", 1, NULL), PONTES_EINVAL);
    assert_int_equal(pontes_decimal_parse("12", 1, &d), PONTES_OK); /* len bounds the text */
    assert_true(d.coef == 1);
}

/* ---- minor units, comparison --------------------------------------------- */
static void minor_units(void **state) {
    (void)state;
    int64_t m = 0;
    pontes_decimal d;
    assert_int_equal(pontes_decimal_parse("995.0000", 8, &d), PONTES_OK);
    assert_int_equal(pontes_decimal_to_minor(&d, 2, &m), PONTES_OK);
    assert_true(m == 99500);
    assert_int_equal(pontes_decimal_to_minor(&d, 0, &m), PONTES_OK);
    assert_true(m == 995);
    assert_int_equal(pontes_decimal_to_minor(&d, 6, &m), PONTES_OK);
    assert_true(m == 995000000);
    assert_int_equal(pontes_decimal_parse("995.001", 7, &d), PONTES_OK);
    m = 42;
    assert_int_equal(pontes_decimal_to_minor(&d, 2, &m), PONTES_ERANGE); /* would drop the 1 */
    assert_true(m == 42);
    assert_int_equal(pontes_decimal_parse("-0.01", 5, &d), PONTES_OK);
    assert_int_equal(pontes_decimal_to_minor(&d, 2, &m), PONTES_OK);
    assert_true(m == -1);
    assert_int_equal(pontes_decimal_parse("92233720368547758.07", 20, &d), PONTES_OK);
    assert_int_equal(pontes_decimal_to_minor(&d, 2, &m), PONTES_OK);
    assert_true(m == INT64_MAX);
    assert_int_equal(pontes_decimal_to_minor(&d, 3, &m), PONTES_ERANGE); /* overflow */
    pontes_decimal mn = {INT64_MIN, 2};
    assert_int_equal(pontes_decimal_to_minor(&mn, 2, &m), PONTES_OK);
    assert_true(m == INT64_MIN);
    assert_int_equal(pontes_decimal_to_minor(&mn, 3, &m), PONTES_ERANGE);
    pontes_decimal z = {0, 0};
    assert_int_equal(pontes_decimal_to_minor(&z, PONTES_DECIMAL_MAX_SCALE, &m), PONTES_OK);
    assert_true(m == 0);
    assert_int_equal(pontes_decimal_to_minor(&d, -1, &m), PONTES_EINVAL);
    assert_int_equal(pontes_decimal_to_minor(&d, PONTES_DECIMAL_MAX_SCALE + 1, &m), PONTES_EINVAL);
    assert_int_equal(pontes_decimal_to_minor(NULL, 2, &m), PONTES_EINVAL);
    pontes_decimal bad = {1, 99};
    assert_int_equal(pontes_decimal_to_minor(&bad, 2, &m), PONTES_EINVAL);

    pontes_decimal f = pontes_decimal_from_minor(99500, 2);
    assert_true(f.coef == 99500 && f.scale == 2);
    char buf[PONTES_DECIMAL_TEXT_MAX];
    assert_int_equal(pontes_decimal_to_text(&f, buf, sizeof buf), PONTES_OK);
    assert_string_equal(buf, "995.00");
    f = pontes_decimal_from_minor(-5, 0);
    assert_int_equal(pontes_decimal_to_text(&f, buf, sizeof buf), PONTES_OK);
    assert_string_equal(buf, "-5");
}

static void compare(void **state) {
    (void)state;
    static const struct { const char *a, *b; int r; } tab[] = {
        {"995.00", "995.0000", 0}, {"995", "995.001", -1}, {"-0.01", "0", -1}, {"0", "0.000", 0},
        {"-1", "-0.5", -1},         {"10", "9.99", 1},      {"-10", "-9.99", -1},
        {"9223372036854775807", "0.00000000000000000000000000000000000001", 1},
        {"0.9223372036854775807", "9223372036854775807", -1},
        {"922337203685477.580", "922337203685477.58", 0}, {"922337203685477580.7", "9223372036854775.80", 1},
        {"-9223372036854775808", "-9223372036854775807", -1},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        pontes_decimal a, b;
        assert_int_equal(pontes_decimal_parse(tab[i].a, strlen(tab[i].a), &a), PONTES_OK);
        assert_int_equal(pontes_decimal_parse(tab[i].b, strlen(tab[i].b), &b), PONTES_OK);
        if (pontes_decimal_cmp(&a, &b) != tab[i].r) print_error("%s vs %s\n", tab[i].a, tab[i].b);
        assert_int_equal(pontes_decimal_cmp(&a, &b), tab[i].r);
        assert_int_equal(pontes_decimal_cmp(&b, &a), -tab[i].r);
    }
    pontes_decimal x = {1, 0};
    assert_int_equal(pontes_decimal_cmp(NULL, &x), -1);
    assert_int_equal(pontes_decimal_cmp(&x, NULL), 1);
    assert_int_equal(pontes_decimal_cmp(NULL, NULL), 0);
}

/* ---- the codec ------------------------------------------------------------ */
static void codec_round_trip(void **state) {
    (void)state;
    const char *j = "{\"n\":995.0000,\"s\":\"995.00\",\"ns\":[-0.01,0,0.00,12.5,9223372036854775807],"
                    "\"m\":{\"BRL\":995.0000,\"EUR\":-0.0001},\"ss\":[\"0\",\"-0.01\",\"1000000.000001\"]}";
    amounts *a = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(decode(j, &STRICT, &a, &err), PONTES_OK);
    assert_true(a->n.coef == 9950000 && a->n.scale == 4);
    assert_true(a->s.coef == 99500 && a->s.scale == 2);
    assert_int_equal(a->ns.count, 5);
    assert_true(a->ns.items[0].coef == -1 && a->ns.items[0].scale == 2);
    assert_true(a->ns.items[2].coef == 0 && a->ns.items[2].scale == 2);
    assert_true(a->ns.items[4].coef == INT64_MAX);
    assert_int_equal(a->m.count, 2);
    assert_true(a->m.values[1].coef == -1 && a->m.values[1].scale == 4);
    assert_true(a->ss.items[2].coef == 1000000000001 && a->ss.items[2].scale == 6);
    char *out = encode(a);
    assert_string_equal(out, j); /* byte-identical */
    pontes_json_free(out);
    pontes_free(a);

    /* exponent forms: accepted in both modes, written back as canonical plain text */
    const char *e = "{\"n\":1.50e1,\"s\":\"25e-3\",\"ns\":[1E3,-1.0e-2]}";
    assert_int_equal(decode(e, &STRICT, &a, &err), PONTES_OK);
    out = encode(a);
    assert_string_equal(out, "{\"n\":15.0,\"s\":\"0.025\",\"ns\":[1000,-0.010]}");
    pontes_json_free(out);
    pontes_free(a);
    assert_int_equal(decode(e, NULL, &a, &err), PONTES_OK);
    pontes_free(a);
    /* the escaped text of a string is what is read: "\u0031.5" is 1.5 */
    assert_int_equal(decode("{\"s\":\"\\u0031.5\"}", NULL, &a, &err), PONTES_OK);
    assert_true(a->s.coef == 15 && a->s.scale == 1);
    pontes_free(a);
}

static void expect_fail(const char *json, const pontes_decode_options *o, int status, const char *path,
                        const char *msg_part) {
    amounts *a = (amounts *)1;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = decode(json, o, &a, &err);
    if (rc != status) print_error("%s: %s (%s)\n", json, pontes_status_name(rc), err.message ? err.message : "-");
    assert_int_equal(rc, status);
    assert_null(a);
    assert_non_null(err.json_path);
    assert_string_equal(err.json_path, path);
    if (msg_part && !strstr(err.message, msg_part)) {
        print_error("message '%s' lacks '%s'\n", err.message, msg_part);
        fail();
    }
    pontes_error_clear(&err);
}

static void codec_errors(void **state) {
    (void)state;
    const pontes_decode_options *modes[] = {NULL, &STRICT};
    for (int k = 0; k < 2; k++) {
        const pontes_decode_options *o = modes[k];
        expect_fail("{\"n\":9999999999999999999}", o, PONTES_ERANGE, "$.n", "never rounded");
        expect_fail("{\"ns\":[1,99999999999999999.99]}", o, PONTES_ERANGE, "$.ns[1]", "decimal out of range");
        expect_fail("{\"m\":{\"x\":1e-39}}", o, PONTES_ERANGE, "$.m.x", NULL);
        expect_fail("{\"s\":\"12345678901234567890\"}", o, PONTES_ERANGE, "$.s", NULL);
        expect_fail("{\"ss\":[\"1\",\"1,00\"]}", o, PONTES_EDECODE, "$.ss[1]", "expected decimal text");
        expect_fail("{\"s\":\" 1\"}", o, PONTES_EDECODE, "$.s", NULL);
        expect_fail("{\"s\":\"\"}", o, PONTES_EDECODE, "$.s", NULL);
        expect_fail("{\"s\":1.5}", o, PONTES_EDECODE, "$.s", "expected decimal string, got number");
        expect_fail("{\"n\":\"1.5\"}", o, PONTES_EDECODE, "$.n", "expected decimal, got string");
        expect_fail("{\"n\":true}", o, PONTES_EDECODE, "$.n", NULL);
        expect_fail("{\"ns\":[1,null]}", o, PONTES_EDECODE, "$.ns[1]", NULL); /* no storage for null */
        expect_fail("{\"n\":01}", o, PONTES_EDECODE, "$", "invalid JSON");
        expect_fail("{\"n\":1.}", o, PONTES_EDECODE, "$", "invalid JSON");
    }
    /* null for a non-nullable member: a deviation (tolerated, counted), an error in strict mode */
    pontes_deviations dv;
    pontes_decode_options tol = PONTES_DECODE_OPTIONS_INIT;
    tol.deviations = &dv;
    amounts *a = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(decode("{\"n\":null,\"s\":\"1\"}", &tol, &a, &err), PONTES_OK);
    assert_int_equal(dv.count, 1);
    assert_int_equal(a->has_n, PONTES_NULL);
    pontes_free(a);
    expect_fail("{\"n\":null}", &STRICT, PONTES_EDECODE, "$.n", NULL);
}

static void codec_encode_errors(void **state) {
    (void)state;
    amounts a;
    memset(&a, 0, sizeof a);
    a.n = pontes_decimal_from_minor(-1, 2);
    a.has_n = PONTES_SET;
    a.s = pontes_decimal_from_minor(INT64_MIN, 38);
    a.has_s = PONTES_SET;
    char *out = encode(&a);
    assert_string_equal(out, "{\"n\":-0.01,\"s\":\"-0.00000000000000000009223372036854775808\"}");
    pontes_json_free(out);
    pontes_decimal items[2] = {{1, 0}, {1, -1}};
    a.ns.items = items;
    a.ns.count = 2;
    a.has_ns = PONTES_SET;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(pontes_encode(&amounts_t, &a, &out, NULL, &err), PONTES_EENCODE);
    assert_null(out);
    assert_string_equal(err.json_path, "$.ns[1]");
    assert_non_null(strstr(err.message, "scale -1"));
    pontes_error_clear(&err);
}

/* ---- epoch strings ---------------------------------------------------------- */
static void epoch(void **state) {
    (void)state;
    time_t t = 5;
    assert_int_equal(pontes_epoch_to_time("1598349684", &t), PONTES_OK);
    assert_true(t == (time_t)1598349684);
    assert_int_equal(pontes_epoch_to_time("0", &t), PONTES_OK);
    assert_true(t == 0);
    assert_int_equal(pontes_epoch_to_time("0001", &t), PONTES_OK);
    assert_true(t == 1);
    t = 5;
    static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "1.5", "1e9", "12a", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_int_equal(pontes_epoch_to_time(bad[i], &t), PONTES_EINVAL);
    assert_int_equal(pontes_epoch_to_time("99999999999999999999", &t), PONTES_ERANGE);
    assert_int_equal(pontes_epoch_to_time("9223372036854775808", &t), PONTES_ERANGE);
    assert_int_equal(pontes_epoch_to_time("99999999999999999999x", &t), PONTES_EINVAL); /* not digits wins */
    assert_true(t == 5);
    if (sizeof(time_t) >= 8) {
        assert_int_equal(pontes_epoch_to_time("9223372036854775807", &t), PONTES_OK);
        assert_true((int64_t)t == INT64_MAX);
    } else {
        assert_int_equal(pontes_epoch_to_time("2147483648", &t), PONTES_ERANGE);
    }
    assert_int_equal(pontes_epoch_to_time(NULL, &t), PONTES_EINVAL);
    assert_int_equal(pontes_epoch_to_time("1", NULL), PONTES_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_print_table), cmocka_unit_test(parse_rejects), cmocka_unit_test(minor_units),
        cmocka_unit_test(compare),           cmocka_unit_test(codec_round_trip), cmocka_unit_test(codec_errors),
        cmocka_unit_test(codec_encode_errors), cmocka_unit_test(epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
