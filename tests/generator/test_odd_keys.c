/* Precomputed member keys (pontes_field.key): member names that need JSON escapes (quote,
 * backslash, control characters), DEL, '/', and non-ASCII text produce the same bytes with
 * the generated `"name":` keys as with the runtime escaping the names itself (a copy of the
 * descriptors with key NULL, key_len and name_len 0: the fallback), and the bytes expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pontes/odd.h"

/* A copy of an object type whose fields have no precomputed key; sub replaces the type of
 * members of type from (the nested object, also stripped). */
typedef struct bare {
    pontes_type t;
    pontes_message m;
    pontes_field f[32];
} bare;

static const pontes_type *strip(bare *b, const pontes_type *t, const pontes_type *from, const pontes_type *sub) {
    assert_int_equal(t->kind, PONTES_KIND_OBJECT);
    assert_true(t->msg->field_count <= 32);
    b->t = *t;
    b->m = *t->msg;
    for (size_t i = 0; i < b->m.field_count; i++) {
        b->f[i] = t->msg->fields[i];
        assert_non_null(b->f[i].key); /* the generator emitted one for every member */
        assert_int_equal(b->f[i].key_len, strlen(b->f[i].key));
        assert_int_equal(b->f[i].name_len, strlen(b->f[i].name));
        b->f[i].key = NULL;
        b->f[i].key_len = 0;
        b->f[i].name_len = 0;
        if (b->f[i].type == from) b->f[i].type = sub;
    }
    b->m.fields = b->f;
    b->t.msg = &b->m;
    return &b->t;
}

static char *encode(const pontes_type *t, const void *v) {
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

static const char EXPECTED[] =
    "{\"say \\\"hi\\\"\":\"he said \\\"hi\\\"\",\"back\\\\slash\":\"C:\\\\dir\\\\\","
    "\"tab\\there\":-9223372036854775808,\"line\\nbreak\":\"\",\"bell\\u0007\\u0001\\u001f\":true,"
    "\"cr\\r ff\\f bs\\b\":\"\x7f/\\u001f\",\"slash/del\x7f\":\"\xc3\xbc\","
    "\"l\xc3\xadnea \xc3\xb1\":\"\xe6\x97\xa5\xe6\x9c\xac\",\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\":\"\xf0\x9f\x98\x80\","
    "\"emoji \xf0\x9f\x98\x80\":\"plain\",\"a\":\"a\",\"sixteen-chars-xy\":\"sixteen-chars-xy\","
    "\"seventeen-chars-x\":\"x\",\"inner\":{\"q\\\"\":\"\\\"\",\"\\\\\":-1}}";

static void test_odd_keys_same_bytes(void **state) {
    (void)state;
    odd_inner in = ODD_INNER_INIT;
    PONTES_PUT(in, q, "\"");
    PONTES_PUT(in, x, -1);
    odd_odd v = ODD_ODD_INIT;
    PONTES_PUT(v, say_hi, "he said \"hi\"");
    PONTES_PUT(v, back_slash, "C:\\dir\\");
    PONTES_PUT(v, tab_here, INT64_MIN);
    PONTES_PUT(v, line_break, "");
    PONTES_PUT(v, bell, true);
    PONTES_PUT(v, cr_ff_bs, "\x7f/\x1f");
    PONTES_PUT(v, slash_del, "\xc3\xbc");
    PONTES_PUT(v, linea_n, "\xe6\x97\xa5\xe6\x9c\xac");
    PONTES_PUT(v, x, "\xf0\x9f\x98\x80");
    PONTES_PUT(v, emoji, "plain");
    PONTES_PUT(v, a, "a");
    PONTES_PUT(v, sixteen_chars_xy, "sixteen-chars-xy");
    PONTES_PUT(v, seventeen_chars_x, "x");
    PONTES_PUT(v, inner, &in);

    char *with_keys = encode(&odd_odd__type, &v);
    bare bi, bo;
    const pontes_type *inner_bare = strip(&bi, &odd_inner__type, NULL, NULL);
    const pontes_type *odd_bare = strip(&bo, &odd_odd__type, &odd_inner__type, inner_bare);
    char *fallback = encode(odd_bare, &v);
    if (strcmp(with_keys, EXPECTED) != 0) print_error("keys:     %s\nexpected: %s\n", with_keys, EXPECTED);
    assert_string_equal(with_keys, EXPECTED);
    assert_string_equal(fallback, EXPECTED);

    /* the first member alone, and members after an absent one: the comma goes with the key */
    odd_odd w = ODD_ODD_INIT;
    PONTES_PUT(w, a, "1");
    PONTES_PUT(w, seventeen_chars_x, "2");
    char *k2 = encode(&odd_odd__type, &w), *f2 = encode(odd_bare, &w);
    assert_string_equal(k2, "{\"a\":\"1\",\"seventeen-chars-x\":\"2\"}");
    assert_string_equal(f2, k2);

    /* and it decodes back to the same document */
    odd_odd *back = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(odd_odd_decode(with_keys, strlen(with_keys), &back, &err), PONTES_OK);
    char *again = encode(&odd_odd__type, back);
    assert_string_equal(again, EXPECTED);
    pontes_json_free(again);
    odd_odd_free(back);
    pontes_json_free(k2);
    pontes_json_free(f2);
    pontes_json_free(with_keys);
    pontes_json_free(fallback);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_odd_keys_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
