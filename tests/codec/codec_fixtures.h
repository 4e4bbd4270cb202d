/* Hand-written structs + descriptor tables, laid out exactly as the generator
 * lays them out (see the codec contract). Shared by test_codec.c and fuzz_codec.c. */
#ifndef PONTES_TEST_CODEC_FIXTURES_H
#define PONTES_TEST_CODEC_FIXTURES_H

#include <stddef.h>

#include "internal.h"

/* ---- enum Status ---------------------------------------------------- */
typedef struct fx_status {
    int value;
    const char *raw;
} fx_status;
enum { FX_STATUS_UNKNOWN = 0, FX_STATUS_ACTIVE = 1, FX_STATUS_CLOSED = 2 };
static const char *const fx_status_values[] = {"ACTIVE", "CLOSED"};
static const pontes_enum_desc fx_status_enum = {"Status", fx_status_values, 2};
static const pontes_type fx_status_type = {PONTES_KIND_ENUM, 0, sizeof(fx_status), "Status", NULL, NULL,
                                           &fx_status_enum, NULL};

/* ---- Amortization { apr: double (required), n: int32 } ---------------- */
typedef struct fx_amort {
    double apr;
    pontes_presence has_apr;
    int32_t n;
    pontes_presence has_n;
    pontes_extra _extra;
} fx_amort;
static const pontes_field fx_amort_fields[] = {
    {"apr", PONTES_F_REQUIRED, offsetof(fx_amort, apr), offsetof(fx_amort, has_apr), &pontes_type_double, NULL, 0, 0},
    {"n", 0, offsetof(fx_amort, n), offsetof(fx_amort, has_n), &pontes_type_int32, NULL, 0, 0},
};
static const pontes_message fx_amort_msg = {"Amortization", 0, sizeof(fx_amort), fx_amort_fields, 2,
                                            offsetof(fx_amort, _extra)};
static const pontes_type fx_amort_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Amortization", NULL,
                                          &fx_amort_msg, NULL, NULL};

/* ---- Item { id: string (required), qty: int64, note: string (nullable) } */
typedef struct fx_item {
    const char *id;
    pontes_presence has_id;
    int64_t qty;
    pontes_presence has_qty;
    const char *note;
    pontes_presence has_note;
    pontes_extra _extra;
} fx_item;
static const pontes_field fx_item_fields[] = {
    {"id", PONTES_F_REQUIRED, offsetof(fx_item, id), offsetof(fx_item, has_id), &pontes_type_string, NULL, 0, 0},
    {"qty", 0, offsetof(fx_item, qty), offsetof(fx_item, has_qty), &pontes_type_int64, NULL, 0, 0},
    {"note", PONTES_F_NULLABLE, offsetof(fx_item, note), offsetof(fx_item, has_note), &pontes_type_string, NULL, 0, 0},
};
static const pontes_message fx_item_msg = {"Item", 0, sizeof(fx_item), fx_item_fields, 3, offsetof(fx_item, _extra)};
static const pontes_type fx_item_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Item", NULL, &fx_item_msg, NULL,
                                         NULL};

/* ---- lists / maps ----------------------------------------------------- */
typedef struct fx_item_list {
    fx_item **items;
    size_t count;
} fx_item_list;
static const pontes_type fx_item_list_type = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "Item[]", &fx_item_type,
                                              NULL, NULL, NULL};
static const pontes_type fx_string_list_type = {PONTES_KIND_ARRAY, 0, sizeof(pontes_list), "string[]",
                                                &pontes_type_string, NULL, NULL, NULL};
static const pontes_type fx_nstring_list_type = {PONTES_KIND_ARRAY, PONTES_T_ELEM_NULLABLE, sizeof(pontes_list),
                                                 "string[]", &pontes_type_string, NULL, NULL, NULL};
static const pontes_type fx_string_map_type = {PONTES_KIND_MAP, 0, sizeof(pontes_map), "map<string>",
                                               &pontes_type_string, NULL, NULL, NULL};
/* map of arrays of strings */
typedef struct fx_tags {
    const char **keys;
    pontes_string_list *values;
    size_t count;
} fx_tags;
static const pontes_type fx_tags_type = {PONTES_KIND_MAP, 0, sizeof(pontes_map), "map<string[]>",
                                         &fx_string_list_type, NULL, NULL, NULL};

/* ---- Cat / Dog, discriminated union Pet (petType) --------------------- */
typedef struct fx_cat {
    const char *petType;
    pontes_presence has_petType;
    const char *name;
    pontes_presence has_name;
    pontes_extra _extra;
} fx_cat;
static const pontes_field fx_cat_fields[] = {
    {"petType", PONTES_F_REQUIRED, offsetof(fx_cat, petType), offsetof(fx_cat, has_petType), &pontes_type_string, NULL, 0, 0},
    {"name", 0, offsetof(fx_cat, name), offsetof(fx_cat, has_name), &pontes_type_string, NULL, 0, 0},
};
static const pontes_message fx_cat_msg = {"Cat", 0, sizeof(fx_cat), fx_cat_fields, 2, offsetof(fx_cat, _extra)};
static const pontes_type fx_cat_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Cat", NULL, &fx_cat_msg, NULL, NULL};

typedef struct fx_dog {
    const char *petType;
    pontes_presence has_petType;
    bool bark;
    pontes_presence has_bark;
    pontes_extra _extra;
} fx_dog;
static const pontes_field fx_dog_fields[] = {
    {"petType", PONTES_F_REQUIRED, offsetof(fx_dog, petType), offsetof(fx_dog, has_petType), &pontes_type_string, NULL, 0, 0},
    {"bark", 0, offsetof(fx_dog, bark), offsetof(fx_dog, has_bark), &pontes_type_bool, NULL, 0, 0},
};
static const pontes_message fx_dog_msg = {"Dog", 0, sizeof(fx_dog), fx_dog_fields, 2, offsetof(fx_dog, _extra)};
static const pontes_type fx_dog_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Dog", NULL, &fx_dog_msg, NULL, NULL};

typedef struct fx_pet {
    int kind;
    const cJSON *raw;
    union {
        fx_cat *cat;
        fx_dog *dog;
    } u;
} fx_pet;
static const pontes_type *const fx_pet_variants[] = {&fx_cat_type, &fx_dog_type};
static const char *const fx_pet_names[] = {"Cat", "Dog"};
static const char *const fx_pet_mapping[] = {"cat", "dog"};
static const pontes_union_desc fx_pet_union = {"Pet", sizeof(fx_pet), offsetof(fx_pet, u), fx_pet_variants,
                                               fx_pet_names, 2, "petType", fx_pet_mapping};
static const pontes_type fx_pet_type = {PONTES_KIND_UNION, 0, sizeof(void *), "Pet", NULL, NULL, NULL,
                                        &fx_pet_union};

/* ---- Sid: string | int64 (no discriminator) --------------------------- */
typedef struct fx_sid {
    int kind;
    const cJSON *raw;
    union {
        const char *s;
        int64_t i;
    } u;
} fx_sid;
static const pontes_type *const fx_sid_variants[] = {&pontes_type_string, &pontes_type_int64};
static const char *const fx_sid_names[] = {"string", "int64"};
static const pontes_union_desc fx_sid_union = {"Sid", sizeof(fx_sid), offsetof(fx_sid, u), fx_sid_variants,
                                               fx_sid_names, 2, NULL, NULL};
static const pontes_type fx_sid_type = {PONTES_KIND_UNION, 0, sizeof(void *), "Sid", NULL, NULL, NULL, &fx_sid_union};

/* ---- Every: one variant of (nearly) every kind, tried in order --------
 * (a string that is valid base64 but not a known Status decodes as bytes: the
 * enum variant counts an unknown value as one unknown member) */
typedef struct fx_every {
    int kind;
    const cJSON *raw;
    union {
        bool b;
        int32_t i32;
        double d;
        pontes_bytes by;
        fx_status st;
        pontes_string_list sl;
        fx_item *item;
        pontes_string_map sm;
        const cJSON *any;
    } u;
} fx_every;
enum {
    FX_EVERY_BOOL = 1, FX_EVERY_INT32, FX_EVERY_DOUBLE, FX_EVERY_ENUM, FX_EVERY_BYTES,
    FX_EVERY_LIST, FX_EVERY_ITEM, FX_EVERY_MAP, FX_EVERY_ANY
};
static const pontes_type *const fx_every_variants[] = {
    &pontes_type_bool, &pontes_type_int32, &pontes_type_double, &fx_status_type, &pontes_type_bytes,
    &fx_string_list_type, &fx_item_type, &fx_string_map_type, &pontes_type_any};
static const char *const fx_every_names[] = {"bool", "int32", "double", "Status", "bytes",
                                             "string[]", "Item", "map", "any"};
static const pontes_union_desc fx_every_union = {"Every", sizeof(fx_every), offsetof(fx_every, u),
                                                 fx_every_variants, fx_every_names, 9, NULL, NULL};
static const pontes_type fx_every_type = {PONTES_KIND_UNION, 0, sizeof(void *), "Every", NULL, NULL, NULL,
                                          &fx_every_union};

/* ---- All: the root object with every scalar kind ---------------------- */
typedef struct fx_all {
    const char *id;
    pontes_presence has_id;
    bool b;
    pontes_presence has_b;
    int32_t i32;
    pontes_presence has_i32;
    int64_t i64;
    pontes_presence has_i64;
    double d;
    pontes_presence has_d;
    const char *s;
    pontes_presence has_s;
    pontes_bytes by;
    pontes_presence has_by;
    pontes_file file;
    pontes_presence has_file;
    fx_status status;
    pontes_presence has_status;
    fx_amort *amortization;
    pontes_presence has_amortization;
    fx_item_list data;
    pontes_presence has_data;
    pontes_string_list names;
    pontes_presence has_names;
    fx_tags tags;
    pontes_presence has_tags;
    fx_pet *pet;
    pontes_presence has_pet;
    fx_sid *sid;
    pontes_presence has_sid;
    fx_every *every;
    pontes_presence has_every;
    const cJSON *any;
    pontes_presence has_any;
    pontes_extra _extra;
} fx_all;
#define FX_F(json, flags, member, type) \
    {json, flags, offsetof(fx_all, member), offsetof(fx_all, has_##member), type, NULL, 0, 0}
static const pontes_field fx_all_fields[] = {
    FX_F("id", PONTES_F_REQUIRED, id, &pontes_type_string),
    FX_F("b", 0, b, &pontes_type_bool),
    FX_F("i32", 0, i32, &pontes_type_int32),
    FX_F("i64", 0, i64, &pontes_type_int64),
    FX_F("d", 0, d, &pontes_type_double),
    FX_F("s", PONTES_F_NULLABLE, s, &pontes_type_string),
    FX_F("by", 0, by, &pontes_type_bytes),
    FX_F("file", 0, file, &pontes_type_file),
    FX_F("status", 0, status, &fx_status_type),
    FX_F("amortization", PONTES_F_NULLABLE, amortization, &fx_amort_type),
    FX_F("data", 0, data, &fx_item_list_type),
    FX_F("names", 0, names, &fx_nstring_list_type),
    FX_F("tags", 0, tags, &fx_tags_type),
    FX_F("pet", 0, pet, &fx_pet_type),
    FX_F("sid", 0, sid, &fx_sid_type),
    FX_F("every", 0, every, &fx_every_type),
    FX_F("any", 0, any, &pontes_type_any),
};
#undef FX_F
static const pontes_message fx_all_msg = {"All", 0, sizeof(fx_all), fx_all_fields,
                                          sizeof fx_all_fields / sizeof fx_all_fields[0], offsetof(fx_all, _extra)};
static const pontes_type fx_all_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "All", NULL, &fx_all_msg, NULL, NULL};

/* ---- boxes: a top-level array of strings, a bare string --------------- */
typedef struct fx_strings_box {
    pontes_string_list value;
    pontes_presence has_value;
} fx_strings_box;
static const pontes_field fx_strings_box_fields[] = {
    {NULL, 0, offsetof(fx_strings_box, value), offsetof(fx_strings_box, has_value), &fx_string_list_type, NULL, 0, 0},
};
static const pontes_message fx_strings_box_msg = {"Strings", PONTES_M_BOX, sizeof(fx_strings_box),
                                                  fx_strings_box_fields, 1, PONTES_NO_EXTRA};
static const pontes_type fx_strings_box_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Strings", NULL,
                                                &fx_strings_box_msg, NULL, NULL};

typedef struct fx_text_box {
    const char *value;
    pontes_presence has_value;
} fx_text_box;
static const pontes_field fx_text_box_fields[] = {
    {NULL, 0, offsetof(fx_text_box, value), offsetof(fx_text_box, has_value), &pontes_type_string, NULL, 0, 0},
};
static const pontes_message fx_text_box_msg = {"Text", PONTES_M_BOX, sizeof(fx_text_box), fx_text_box_fields, 1,
                                               PONTES_NO_EXTRA};
static const pontes_type fx_text_box_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Text", NULL, &fx_text_box_msg,
                                             NULL, NULL};

/* ---- Node: recursive, no _extra (unknown members ignored) ------------- */
typedef struct fx_node fx_node;
struct fx_node {
    fx_node *child;
    pontes_presence has_child;
};
static const pontes_type fx_node_type;
static const pontes_field fx_node_fields[] = {
    {"child", 0, offsetof(fx_node, child), offsetof(fx_node, has_child), &fx_node_type, NULL, 0, 0},
};
static const pontes_message fx_node_msg = {"Node", 0, sizeof(fx_node), fx_node_fields, 1, PONTES_NO_EXTRA};
static const pontes_type fx_node_type = {PONTES_KIND_OBJECT, 0, sizeof(void *), "Node", NULL, &fx_node_msg, NULL,
                                         NULL};

#endif
