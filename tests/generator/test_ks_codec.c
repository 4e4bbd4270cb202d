/* Generated code for numbers that may travel as strings (wire_ members), date-only text in
 * date-time members and members whose names differ only in case: kitchen_sink.yaml's
 * NumberStrings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pontes/ks.h"

static const pontes_decode_options STRICT = {PONTES_DECODE_OPTIONS_VERSION, false, 64, true, NULL};

static ks_number_strings *decode_strict(const char *json) {
    void *v = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_decode(&ks_number_strings__type, json, strlen(json), &STRICT, &v, &err);
    if (rc) print_error("%s: %s\n", json, err.message ? err.message : "?");
    assert_int_equal(rc, PONTES_OK);
    pontes_error_clear(&err);
    return v;
}

static void expect_fail(const char *json, int status, const char *path) {
    ks_number_strings *v = (void *)1;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(ks_number_strings_decode(json, strlen(json), &v, &err), status); /* tolerant */
    assert_null(v);
    assert_string_equal(err.json_path, path);
    pontes_error_clear(&err);
}

static char *encode(const ks_number_strings *v) {
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = ks_number_strings_encode(v, &json, &len, &err);
    if (rc) print_error("encode: %s\n", err.message ? err.message : "?");
    assert_int_equal(rc, PONTES_OK);
    pontes_error_clear(&err);
    return json;
}

static void test_wire_members(void **state) {
    (void)state;
    const char *json = "{\"processNumber\":\"1234\",\"total\":\"9007199254740993\",\"wireTotal\":1,\"rate\":\"12.5\","
                       "\"optional\":\"7\",\"ids\":[\"1\",2,\"3\"],\"byName\":{\"a\":\"10\",\"b\":20},"
                       "\"processUniqueId\":\"lower\",\"processUniqueID\":\"upper\",\"typeID\":1,\"typeId\":2,"
                       "\"due\":\"2028-12-31\"}";
    ks_number_strings *v = decode_strict(json);
    assert_int_equal(v->has_process_number, PONTES_SET);
    assert_int_equal(v->process_number, 1234);
    assert_int_equal(v->wire_process_number, PONTES_WIRE_STRING);
    assert_true(v->total == INT64_C(9007199254740993)); /* exact: not through a double */
    assert_int_equal(v->wire_total, PONTES_WIRE_STRING);
    assert_int_equal(v->wire_total_2, 1); /* the property wireTotal does not take total's wire member */
    assert_true(v->rate == 12.5);
    assert_int_equal(v->wire_rate, PONTES_WIRE_STRING);
    assert_int_equal(v->optional, 7);
    assert_int_equal(v->ids.count, 3);
    assert_int_equal(v->ids.items[1], 2);
    assert_int_equal(v->ids.wire[0], PONTES_WIRE_STRING);
    assert_int_equal(v->ids.wire[1], PONTES_WIRE_NUMBER);
    assert_int_equal(v->by_name.count, 2);
    assert_true(v->by_name.values[0] == 10 && v->by_name.values[1] == 20);
    assert_int_equal(v->by_name.wire[0], PONTES_WIRE_STRING);
    assert_int_equal(v->by_name.wire[1], PONTES_WIRE_NUMBER);
    /* names that differ only in case: distinct members, spec order decides who gets _2 */
    assert_string_equal(v->process_unique_id, "lower");
    assert_string_equal(v->process_unique_id_2, "upper");
    assert_int_equal(v->type_id, 1);
    assert_int_equal(v->type_id_2, 2);
    assert_string_equal(v->due, "2028-12-31");
    char *out = encode(v);
    assert_string_equal(out, json); /* every value in the form it came in */
    pontes_json_free(out);
    ks_number_strings_free(v);

    v = decode_strict("{\"processNumber\":-1234,\"optional\":null,\"ids\":[4]}");
    assert_int_equal(v->wire_process_number, PONTES_WIRE_NUMBER);
    assert_int_equal(v->has_optional, PONTES_NULL);
    assert_null(v->ids.wire);
    ks_number_strings_free(v);
}

static void test_wire_errors(void **state) {
    (void)state;
    expect_fail("{\"processNumber\":\"2147483648\"}", PONTES_ERANGE, "$.processNumber");
    expect_fail("{\"processNumber\":\"12a\"}", PONTES_EDECODE, "$.processNumber");
    expect_fail("{\"ids\":[1,\"12a\"]}", PONTES_EDECODE, "$.ids[1]");
    expect_fail("{\"ids\":[\"4294967296\"]}", PONTES_ERANGE, "$.ids[0]");
    expect_fail("{\"byName\":{\"x\":\"1.5\"}}", PONTES_EDECODE, "$.byName.x");
    expect_fail("{\"total\":\"99999999999999999999\"}", PONTES_ERANGE, "$.total");
    expect_fail("{\"rate\":\"twelve\"}", PONTES_EDECODE, "$.rate");
}

static void test_caller_built(void **state) {
    (void)state;
    ks_number_strings v = KS_NUMBER_STRINGS_INIT;
    PONTES_PUT(v, process_number, 1234);
    PONTES_PUT(v, process_unique_id_2, "U");
    PONTES_PUT(v, due, "2028-12-31"); /* a date-only value in a date-time member is sent */
    char *out = encode(&v);
    assert_string_equal(out, "{\"processNumber\":1234,\"processUniqueID\":\"U\",\"due\":\"2028-12-31\"}");
    pontes_json_free(out);
    v.wire_process_number = PONTES_WIRE_STRING;
    out = encode(&v);
    assert_string_equal(out, "{\"processNumber\":\"1234\",\"processUniqueID\":\"U\",\"due\":\"2028-12-31\"}");
    pontes_json_free(out);
    PONTES_PUT(v, due, "2028-12-31T");
    char *json = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(ks_number_strings_encode(&v, &json, NULL, &err), PONTES_EENCODE);
    assert_string_equal(err.json_path, "$.due");
    pontes_error_clear(&err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_members),
        cmocka_unit_test(test_wire_errors),
        cmocka_unit_test(test_caller_built),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
