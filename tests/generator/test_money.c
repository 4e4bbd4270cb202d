/* Exact money through generated structs (fixture money.yaml): amounts are pontes_decimal
 * (coef/scale), never doubles; plain decimal text re-encodes byte-identically. */
#include "pontes/money.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static const char *RESP = "{\"id\":\"p1\",\"amount\":995.0000,\"balance\":-0.01,\"zero\":0,"
                          "\"history\":[995.0000,-0.01,0,12.5,9223372036854775807],"
                          "\"byCurrency\":{\"BRL\":995.0000,\"EUR\":0.0001},\"limit\":\"1000.00\",\"ratio\":0.5}";

static void response_amounts(void **state) {
    (void)state;
    money_payment *p = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    pontes_decode_options strict = PONTES_DECODE_OPTIONS_INIT;
    strict.strict = true;
    assert_int_equal(pontes_decode(&money_payment__type, RESP, strlen(RESP), &strict, (void **)&p, &err), PONTES_OK);
    assert_true(p->amount.coef == 9950000 && p->amount.scale == 4);
    assert_true(p->balance.coef == -1 && p->balance.scale == 2);
    assert_int_equal(p->has_zero, PONTES_SET);
    assert_true(p->zero.coef == 0 && p->zero.scale == 0);
    assert_int_equal(p->history.count, 5);
    assert_true(p->history.items[3].coef == 125 && p->history.items[3].scale == 1);
    assert_true(p->history.items[4].coef == INT64_MAX && p->history.items[4].scale == 0);
    assert_int_equal(p->by_currency.count, 2);
    assert_string_equal(p->by_currency.keys[1], "EUR");
    assert_true(p->by_currency.values[1].coef == 1 && p->by_currency.values[1].scale == 4);
    assert_true(p->limit.coef == 100000 && p->limit.scale == 2);
    int64_t minor = 0;
    assert_int_equal(pontes_decimal_to_minor(&p->amount, 2, &minor), PONTES_OK);
    assert_true(minor == 99500);
    assert_int_equal(pontes_decimal_to_minor(&p->balance, 2, &minor), PONTES_OK);
    assert_true(minor == -1);
    assert_int_equal(pontes_decimal_to_minor(&p->by_currency.values[1], 2, &minor), PONTES_ERANGE); /* 0.0001 */
    pontes_decimal a = pontes_decimal_from_minor(99500, 2);
    assert_int_equal(pontes_decimal_cmp(&a, &p->amount), 0);
    /* byte-identical re-encode */
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(pontes_encode(&money_payment__type, p, &out, &len, &err), PONTES_OK);
    assert_string_equal(out, RESP);
    pontes_json_free(out);
    money_payment_free(p);
}

static void overflow_names_path(void **state) {
    (void)state;
    const char *j = "{\"id\":\"p\",\"amount\":1,\"history\":[1,99999999999999999999]}";
    money_payment *p = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(money_payment_decode(j, strlen(j), &p, &err), PONTES_ERANGE);
    assert_null(p);
    assert_string_equal(err.json_path, "$.history[1]");
    pontes_error_clear(&err);
    const char *r = "{\"amount\":\"99999999999999999.99\",\"currency\":\"BRL\"}";
    money_payment_request *q = NULL;
    assert_int_equal(money_payment_request_decode(r, strlen(r), &q, &err), PONTES_ERANGE);
    assert_string_equal(err.json_path, "$.amount");
    pontes_error_clear(&err);
    const char *t = "{\"amount\":995.00,\"currency\":\"BRL\"}"; /* a number where text is expected */
    assert_int_equal(money_payment_request_decode(t, strlen(t), &q, &err), PONTES_EDECODE);
    assert_string_equal(err.json_path, "$.amount");
    pontes_error_clear(&err);
}

static void request_amounts(void **state) {
    (void)state;
    money_payment_request in = MONEY_PAYMENT_REQUEST_INIT;
    pontes_decimal amt;
    assert_int_equal(pontes_decimal_parse("995.00", 6, &amt), PONTES_OK);
    PONTES_PUT(in, amount, amt);
    PONTES_PUT(in, currency, "BRL");
    assert_int_equal(PONTES_APPEND(in, fees, pontes_decimal_from_minor(-1, 2)), PONTES_OK);
    assert_int_equal(PONTES_APPEND(in, fees, pontes_decimal_from_minor(0, 0)), PONTES_OK);
    char *out = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(money_payment_request_encode(&in, &out, NULL, &err), PONTES_OK);
    assert_string_equal(out, "{\"amount\":\"995.00\",\"fees\":[\"-0.01\",\"0\"],\"currency\":\"BRL\"}");
    pontes_json_free(out);
    in.fees.items[1].scale = 39; /* invalid scale: refused, with its path */
    assert_int_equal(money_payment_request_encode(&in, &out, NULL, &err), PONTES_EENCODE);
    assert_string_equal(err.json_path, "$.fees[1]");
    pontes_error_clear(&err);
    pontes_list_free(&in.fees);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(response_amounts),
        cmocka_unit_test(overflow_names_path),
        cmocka_unit_test(request_amounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
