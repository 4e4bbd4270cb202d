/* The provenance table generated from fixtures/provenance.yaml (prefix prov): prov_coverage()
 * has every operation with its class, sources, notes, member counts and the members that are
 * partial or inferred, as tests/generator/test_provenance.py computes them from the spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "pontes/prov.h"

static const pontes_provenance_op *find(const pontes_coverage *cv, const char *id) {
    for (size_t i = 0; i < cv->op_count; i++)
        if (strcmp(cv->ops[i].operation_id, id) == 0) return &cv->ops[i];
    return NULL;
}

static void test_totals(void **state) {
    (void)state;
    const pontes_coverage *cv = prov_coverage();
    assert_string_equal(cv->api, "prov");
    assert_int_equal(cv->default_status, PONTES_PROV_DOCUMENTED);
    assert_int_equal(cv->op_count, 4);
    assert_int_equal(cv->totals[PONTES_PROV_DOCUMENTED], 2);
    assert_int_equal(cv->totals[PONTES_PROV_PARTIAL], 1);
    assert_int_equal(cv->totals[PONTES_PROV_INFERRED], 1);
    assert_int_equal(cv->totals[PONTES_PROV_UNSTATED], 0);
    assert_int_equal(cv->member_totals[PONTES_PROV_DOCUMENTED], 8);
    assert_int_equal(cv->member_totals[PONTES_PROV_PARTIAL], 3);
    assert_int_equal(cv->member_totals[PONTES_PROV_INFERRED], 15);
    size_t sum = 0, members = 0;
    for (size_t i = 0; i < cv->op_count; i++) {
        sum += cv->ops[i].member_counts[PONTES_PROV_PARTIAL] + cv->ops[i].member_counts[PONTES_PROV_INFERRED];
        members += cv->ops[i].member_count;
    }
    assert_int_equal(sum, members); /* every partial / inferred member is listed */
    assert_int_equal(prov_operation_count, cv->op_count);
}

static void test_operations(void **state) {
    (void)state;
    const pontes_coverage *cv = prov_coverage();
    const pontes_provenance_op *op = find(cv, "createThing");
    assert_non_null(op);
    assert_string_equal(op->method, "POST");
    assert_string_equal(op->path, "/things");
    assert_int_equal(op->status, PONTES_PROV_PARTIAL);
    assert_int_equal(op->source_count, 1);
    assert_string_equal(op->source[0], "API-THINGS");
    assert_string_equal(op->missing, "the error responses are not documented");
    assert_null(op->basis);
    assert_int_equal(op->member_count, 6);
    assert_string_equal(op->members[0].path, "body");
    assert_int_equal(op->members[0].status, PONTES_PROV_INFERRED);
    assert_string_equal(op->members[0].note, "example payloads of the portal");
    assert_string_equal(op->members[5].path, "response.201.status");
    assert_int_equal(op->members[5].status, PONTES_PROV_PARTIAL);
    assert_string_equal(op->members[5].note, "the list of values");

    op = find(cv, "getThing");
    assert_non_null(op);
    assert_int_equal(op->status, PONTES_PROV_INFERRED);
    assert_null(op->source);
    assert_null(op->missing);
    assert_string_equal(op->basis, "the URL pattern of /things");
    assert_int_equal(op->member_counts[PONTES_PROV_INFERRED], 5);
    assert_int_equal(op->member_counts[PONTES_PROV_DOCUMENTED], 1);
    assert_string_equal(op->members[4].path, "response.200.extra.color");

    op = find(cv, "getTree");
    assert_non_null(op);
    assert_int_equal(op->member_count, 1);
    assert_string_equal(op->members[0].path, "response.200.createdAt");
}

static void test_names(void **state) {
    (void)state;
    assert_string_equal(pontes_provenance_name(PONTES_PROV_UNSTATED), "unstated");
    assert_string_equal(pontes_provenance_name(PONTES_PROV_DOCUMENTED), "documented");
    assert_string_equal(pontes_provenance_name(PONTES_PROV_PARTIAL), "partial");
    assert_string_equal(pontes_provenance_name(PONTES_PROV_INFERRED), "inferred");
    assert_null(pontes_provenance_name((pontes_provenance_class)7));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totals),
        cmocka_unit_test(test_operations),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
