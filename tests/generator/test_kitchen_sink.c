/* Typed access to every construct of the kitchen-sink fixture, through the generated
 * structs (the round-trip of each example is covered by the generated ks_examples test). */
#include "pontes/ks.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

static const char *FULL =
    "{\"scalars\":{\"flag\":false,\"small\":0,\"big\":9007199254740991,\"ratio\":0.0204,\"text\":\"\","
    "\"blob\":\"JVBERi0xLjQ=\",\"color\":\"no\",\"maybeColor\":null,\"status\":14,"
    "\"anything\":{\"deep\":[1,\"x\",null]},\"legacy\":null},"
    "\"address\":{\"street\":null,\"city\":\"Mococa\",\"geo\":{\"lat\":-21.47,\"lon\":-47.0}},"
    "\"pets\":[{\"kind\":\"cat\",\"lives\":9},{\"kind\":\"dog\",\"goodBoy\":true},{\"kind\":\"parrot\",\"words\":3}],"
    "\"tags\":[\"a\",\"b\"],\"matrix\":[[1,2],[],[-3]],"
    "\"labels\":{\"pt-PT\":\"ol\xc3\xa1\",\"x y\":\"z\"},\"groups\":{\"admins\":[\"ana\",\"rui\"],\"empty\":[]},"
    "\"counts\":{\"a\":1,\"b\":-9007199254740991},\"mixed\":42,"
    "\"extended\":{\"id\":\"x1\",\"extra\":7},\"nullableStrings\":[\"a\",null,\"\"],"
    "\"unknownMember\":{\"keep\":1000000000000000}}";

static void typed_access(void **state) {
    (void)state;
    ks_everything *e = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(ks_everything_decode(FULL, strlen(FULL), &e, &err), PONTES_OK);
    /* scalars: 0, false and "" are values */
    ks_scalars *s = e->scalars;
    assert_int_equal(s->has_flag, PONTES_SET);
    assert_false(s->flag);
    assert_int_equal(s->has_small, PONTES_SET);
    assert_int_equal(s->small, 0);
    assert_true(s->big == INT64_C(9007199254740991));
    assert_int_equal(s->has_text, PONTES_SET);
    assert_string_equal(s->text, "");
    assert_int_equal(s->has_id, PONTES_ABSENT);
    assert_int_equal(s->blob.len, 8);
    assert_memory_equal(s->blob.data, "%PDF-1.4", 8);
    assert_int_equal(s->color.value, KS_COLOR_NO);
    assert_string_equal(ks_color_to_string(s->color.value), "no");
    assert_int_equal(s->has_maybe_color, PONTES_NULL);
    assert_int_equal(s->status, 14); /* an unknown code survives */
    assert_true(s->status != KS_STATUS_DRAFT && s->status != KS_STATUS_LIQUIDATION);
    assert_true(cJSON_IsObject(s->anything));
    assert_int_equal(s->has_legacy, PONTES_NULL); /* OpenAPI 3.0 style nullable */
    /* nested object, nullable member */
    assert_int_equal(e->has_address, PONTES_SET);
    assert_int_equal(e->address->has_street, PONTES_NULL);
    assert_string_equal(e->address->city, "Mococa");
    assert_true(e->address->geo->lat < -21.4);
    /* discriminated union, with an unknown variant kept */
    assert_int_equal(e->pets.count, 3);
    assert_int_equal(e->pets.items[0]->kind, KS_PET_CAT);
    assert_int_equal(e->pets.items[0]->u.cat->lives, 9);
    assert_int_equal(e->pets.items[1]->kind, KS_PET_DOG);
    assert_true(e->pets.items[1]->u.dog->good_boy);
    assert_int_equal(e->pets.items[2]->kind, KS_PET__UNKNOWN);
    assert_non_null(e->pets.items[2]->raw);
    /* arrays of arrays, maps, map of arrays */
    assert_int_equal(e->matrix.count, 3);
    assert_int_equal(e->matrix.items[0].count, 2);
    assert_true(e->matrix.items[2].items[0] == -3);
    assert_int_equal(e->matrix.items[1].count, 0);
    assert_int_equal(e->labels.count, 2);
    assert_string_equal(e->labels.keys[0], "pt-PT");
    assert_string_equal(e->labels.values[0], "ol\xc3\xa1");
    assert_int_equal(e->groups.count, 2);
    assert_string_equal(e->groups.keys[0], "admins");
    assert_int_equal(e->groups.values[0].count, 2);
    assert_string_equal(e->groups.values[0].items[1], "rui");
    assert_true(e->counts.values[1] == -INT64_C(9007199254740991));
    /* untagged union picks the integer */
    assert_int_equal(e->mixed->kind, KS_STRING_OR_NUMBER_INT64);
    assert_true(e->mixed->u.int64 == 42);
    /* allOf merged into one struct */
    assert_string_equal(e->extended->id, "x1");
    assert_int_equal(e->extended->extra, 7);
    assert_int_equal(e->extended->has_created_at, PONTES_ABSENT);
    /* nullable elements */
    assert_int_equal(e->nullable_strings.count, 3);
    assert_null(e->nullable_strings.items[1]);
    /* unknown member kept */
    assert_int_equal(e->_extra.count, 1);
    assert_string_equal(e->_extra.items[0]->string, "unknownMember");

    char *json = NULL;
    size_t len = 0;
    assert_int_equal(ks_everything_encode(e, &json, &len, &err), PONTES_OK);
    assert_non_null(strstr(json, "\"keep\":1000000000000000"));
    assert_non_null(strstr(json, "\"big\":9007199254740991"));
    assert_non_null(strstr(json, "{\"kind\":\"parrot\",\"words\":3}"));
    pontes_json_free(json);
    ks_everything_free(e);
    pontes_error_clear(&err);
}

static void build_and_encode(void **state) {
    (void)state;
    /* A value built by hand: only members with has_ != ABSENT are written. */
    ks_cat cat = KS_CAT_INIT;
    PONTES_PUT_ENUM(cat, kind, KS_CAT_KIND_CAT);
    cat.lives = 0;
    cat.has_lives = PONTES_SET;
    ks_pet pet = {0};
    pet.kind = KS_PET_CAT;
    pet.u.cat = &cat;
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(ks_pet_encode(&pet, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "{\"kind\":\"cat\",\"lives\":0}");
    pontes_json_free(json);

    /* required member missing: an encode error naming the member */
    cat.has_lives = PONTES_ABSENT;
    assert_int_equal(ks_pet_encode(&pet, &json, &len, &err), PONTES_EENCODE);
    assert_non_null(err.json_path);
    assert_non_null(strstr(err.json_path, "lives"));
    pontes_error_clear(&err);

    /* PONTES_PUT / PONTES_PUT_NULL / PONTES_CLEAR */
    ks_address geo_less = KS_ADDRESS_INIT;
    PONTES_PUT(geo_less, city, "Mococa");
    PONTES_PUT_NULL(geo_less, street);
    assert_int_equal(ks_address_encode(&geo_less, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "{\"street\":null,\"city\":\"Mococa\"}");
    pontes_json_free(json);
    PONTES_CLEAR(geo_less, street);
    assert_int_equal(ks_address_encode(&geo_less, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "{\"city\":\"Mococa\"}");
    pontes_json_free(json);

    /* the untagged union encodes the chosen variant */
    ks_string_or_number sn = {0};
    sn.kind = KS_STRING_OR_NUMBER_STRING;
    sn.u.string = "forty-two";
    assert_int_equal(ks_string_or_number_encode(&sn, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "\"forty-two\"");
    pontes_json_free(json);

    /* box around a top-level array */
    const char *ids[] = {"5088c941-7ec7-4ea9-a41f-ac6f041bec62", "0badc0de-1111-4222-8333-944455556666"};
    ks_create_things_response box = KS_CREATE_THINGS_RESPONSE_INIT;
    box.value.items = ids;
    box.value.count = 2;
    box.has_value = PONTES_SET;
    assert_int_equal(ks_create_things_response_encode(&box, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "[\"5088c941-7ec7-4ea9-a41f-ac6f041bec62\",\"0badc0de-1111-4222-8333-944455556666\"]");
    pontes_json_free(json);
    /* format: uuid elements are checked on encode */
    ids[1] = "b";
    assert_int_equal(ks_create_things_response_encode(&box, &json, &len, &err), PONTES_EENCODE);
    assert_string_equal(err.json_path, "$[1]");
    assert_non_null(strstr(err.message, "invalid uuid"));
    pontes_error_clear(&err);
}

static void decode_errors_have_paths(void **state) {
    (void)state;
    ks_everything *e = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    const char *bad = "{\"pets\":[{\"kind\":\"cat\",\"lives\":\"nine\"}]}";
    assert_int_equal(ks_everything_decode(bad, strlen(bad), &e, &err), PONTES_EDECODE);
    assert_null(e);
    assert_string_equal(err.json_path, "$.pets[0].lives");
    pontes_error_clear(&err);
    /* int64: exact over the whole range */
    const char *big = "{\"scalars\":{\"big\":9223372036854775808}}";
    assert_int_equal(ks_everything_decode(big, strlen(big), &e, &err), PONTES_ERANGE);
    assert_string_equal(err.json_path, "$.scalars.big");
    pontes_error_clear(&err);
    const char *max = "{\"scalars\":{\"big\":9223372036854775807}}";
    assert_int_equal(ks_everything_decode(max, strlen(max), &e, &err), PONTES_OK);
    assert_true(e->scalars->big == INT64_MAX);
    ks_everything_free(e);
    /* a missing discriminator: an error in strict mode; tolerated (unknown variant) by default */
    const char *nokind = "{\"pets\":[{\"lives\":1}]}";
    pontes_decode_options strict = PONTES_DECODE_OPTIONS_INIT;
    strict.strict = true;
    void *v = NULL;
    assert_int_equal(pontes_decode(&ks_everything__type, nokind, strlen(nokind), &strict, &v, &err), PONTES_EDECODE);
    assert_string_equal(err.json_path, "$.pets[0].kind");
    pontes_error_clear(&err);
    pontes_deviations dv;
    pontes_decode_options tolerant = PONTES_DECODE_OPTIONS_INIT;
    tolerant.deviations = &dv;
    assert_int_equal(pontes_decode(&ks_everything__type, nokind, strlen(nokind), &tolerant, &v, &err), PONTES_OK);
    e = v;
    assert_int_equal(e->pets.items[0]->kind, 0);
    assert_int_equal(dv.count, 1);
    assert_string_equal(dv.first[0].path, "$.pets[0].kind");
    ks_everything_free(e);
    /* generated descriptors carry the string formats */
    const char *bad_fmt = "{\"scalars\":{\"id\":\"x\",\"day\":\"2024-02-30\",\"at\":\"yesterday\"}}";
    assert_int_equal(pontes_decode(&ks_everything__type, bad_fmt, strlen(bad_fmt), &tolerant, &v, &err), PONTES_OK);
    assert_int_equal(dv.count, 3);
    assert_string_equal(dv.first[0].path, "$.scalars.id");
    assert_string_equal(dv.first[0].what, "invalid uuid");
    assert_string_equal(dv.first[1].what, "invalid date");
    assert_string_equal(dv.first[2].path, "$.scalars.at");
    assert_string_equal(dv.first[2].what, "invalid date-time");
    char *json = NULL;
    size_t len = 0;
    assert_int_equal(ks_everything_encode(v, &json, &len, &err), PONTES_EENCODE);
    assert_string_equal(err.json_path, "$.scalars.id");
    pontes_error_clear(&err);
    ks_everything_free(v);
    assert_int_equal(pontes_decode(&ks_everything__type, bad_fmt, strlen(bad_fmt), &strict, &v, &err), PONTES_EDECODE);
    assert_string_equal(err.json_path, "$.scalars.id");
    pontes_error_clear(&err);
}

/* The encoder derives a discriminator the caller left absent from the chosen variant, and
 * refuses one that names another variant (an error at the member's path). */
static void discriminator_derived(void **state) {
    (void)state;
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    ks_cat cat = KS_CAT_INIT;
    PONTES_PUT(cat, lives, 9); /* kind left absent */
    ks_pet pet = {KS_PET_CAT, NULL, {.cat = &cat}};
    assert_int_equal(ks_pet_encode(&pet, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "{\"kind\":\"cat\",\"lives\":9}");
    pontes_json_free(json);
    /* the same value set by hand is accepted */
    PONTES_PUT_ENUM(cat, kind, KS_CAT_KIND_CAT);
    assert_int_equal(ks_pet_encode(&pet, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "{\"kind\":\"cat\",\"lives\":9}");
    pontes_json_free(json);
    /* another variant's value: an error naming the member */
    cat.kind.value = 0;
    cat.kind.raw = "dog";
    assert_int_equal(ks_pet_encode(&pet, &json, &len, &err), PONTES_EENCODE);
    assert_null(json);
    assert_string_equal(err.json_path, "$.kind");
    assert_non_null(strstr(err.message, "discriminator"));
    assert_non_null(strstr(err.message, "\"cat\""));
    pontes_error_clear(&err);
    PONTES_PUT_NULL(cat, kind);
    assert_int_equal(ks_pet_encode(&pet, &json, &len, &err), PONTES_EENCODE);
    assert_string_equal(err.json_path, "$.kind");
    pontes_error_clear(&err);

    /* inside a list built with PONTES_APPEND; nested objects are not affected */
    ks_dog dog = KS_DOG_INIT;
    PONTES_PUT(dog, good_boy, true);
    ks_pet pdog = {KS_PET_DOG, NULL, {.dog = &dog}};
    PONTES_CLEAR(cat, kind);
    ks_everything e = KS_EVERYTHING_INIT;
    assert_int_equal(PONTES_APPEND(e, pets, &pdog), PONTES_OK);
    assert_int_equal(PONTES_APPEND(e, pets, &pet), PONTES_OK);
    ks_extended ext = KS_EXTENDED_INIT;
    PONTES_PUT(ext, id, "x");
    PONTES_PUT(ext, extra, 1);
    PONTES_PUT(e, extended, &ext);
    assert_int_equal(ks_everything_encode(&e, &json, &len, &err), PONTES_OK);
    assert_string_equal(json, "{\"pets\":[{\"kind\":\"dog\",\"goodBoy\":true},{\"kind\":\"cat\",\"lives\":9}],"
                              "\"extended\":{\"id\":\"x\",\"extra\":1}}");
    pontes_json_free(json);
    dog.kind.raw = "cat";
    dog.has_kind = PONTES_SET;
    assert_int_equal(ks_everything_encode(&e, &json, &len, &err), PONTES_EENCODE);
    assert_string_equal(err.json_path, "$.pets[0].kind");
    pontes_error_clear(&err);
    pontes_list_free(&e.pets);
    assert_int_equal(e.pets.count, 0);
}

static void schema_registry(void **state) {
    (void)state;
    int found = 0;
    for (size_t i = 0; i < ks_schema_count; i++)
        if (strcmp(ks_schemas[i].name, "Everything") == 0 && ks_schemas[i].type == &ks_everything__type) found = 1;
    assert_true(found);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(typed_access),
        cmocka_unit_test(build_and_encode),
        cmocka_unit_test(decode_errors_have_paths),
        cmocka_unit_test(discriminator_derived),
        cmocka_unit_test(schema_registry),
    };
    return cmocka_run_group_tests_name("kitchen_sink", tests, NULL, NULL);
}
