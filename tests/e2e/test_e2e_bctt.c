/* End-to-end tests of the generated BCTT Partners Portal client (prefix bctt) over real HTTP:
 * every one of the 82 operations through the generated library (bctt_* functions, the generated
 * iterators, the runtime's session auth), against the BCTT mock started here
 * (tools/mock/mock_server.py with generated/bctt/openapi.json: tools/mock/pontes_mock/apis/bctt.py)
 * or the external server of PONTES_TEST_BASE_URL_BCTT (else PONTES_TEST_BASE_URL), e.g. Prism
 * (tools/test-prism.sh). Other variables (each also with the _BCTT suffix, see e2e_support.h):
 * PONTES_TEST_CLIENT_ID / CLIENT_SECRET / BROKER_ID / USERNAME (default: the mock's
 * pontes-demo-client / pontes-demo-secret / 12345 / user@example.com), PONTES_TEST_STATEFUL,
 * PONTES_TEST_PRISM (set by tools/test-prism.sh: ask Prism for named examples with `Prefer:`).
 *
 * Tests
 *   taxonomies        the 45 taxonomy operations, table-driven, real data asserted
 *   authenticate      both Authenticate answer shapes (the mock's admin switch); the token of a
 *                     direct login call is the client's session token
 *   broker_flow       simulation -> validate -> process (additionalData processUniqueID) ->
 *                     borrowers, documents (Base64), property, messages, ESIS (PDF to a file),
 *                     ESIS e-mail, submit -> state; a second process cancelled (DELETE + body)
 *   esis_email_not_retried   x-pontes-idempotent: false: an injected 503 is not retried
 *   session_*         idle expiry with the mock's clock and the client's session clock hook,
 *                     calls every 20 minutes keep one session, a server-side expiry (401) ->
 *                     one re-login, secrets never in a DEBUG log line or an error string
 *   pagination_*      ProcessList / SimulationList (keyset), message lists and
 *                     NotificationTypesGet (page), CallbackList (offset) walked to the end with
 *                     the generated iterators; an injected 500 mid-walk
 *   numbers_as_strings  Process List numbers arrive as "1234": value + wire form, re-encoded
 *   operation_status    success code split (bctt_status_code_part), a 400 with the provider
 *                       code split (pontes_error_code_part), an injected empty 2xx -> success
 *   callbacks         CallbackUpdate -> an e2e_listener, CallbackEcho / admin notify -> the
 *                     POST decoded with bctt_partner_notification_receive (raw body byte-exact);
 *                     both / neither id and malformed bodies refused
 *   every_operation_reached  fails unless 82/82
 * Against a stateless server (Prism) every operation is still called and decoded; what needs
 * state or the mock's admin endpoints is skipped and counted (e2e_needs_state). */
#define _GNU_SOURCE
#include "e2e_support.h"

#include <pontes/bctt.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>

#ifndef E2E_BCTT_SPEC
#error "E2E_BCTT_SPEC (generated/bctt/openapi.json) must be defined"
#endif

#define SCHEME "bcttSession"
/* the mock's defaults (tools/mock/pontes_mock/apis/bctt.py) */
#define DEFAULT_CLIENT_ID "pontes-demo-client"
#define DEFAULT_CLIENT_SECRET "pontes-demo-secret"
#define DEFAULT_BROKER "12345"
#define DEFAULT_USER "user@example.com"
#define BROKER2 "67890" /* the mock's second broker: its own 250 seeded processes, untouched by the flows */
#define USER2 "ana.silva@example.com"
#define SEEDS 250
/* any uuid for a stateless server (Prism checks the format only) */
#define ANY_UUID "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"

static e2e_server g_srv;
static bool g_prism;
static char g_cid[256], g_csec[256], g_broker[128], g_user[256];
static char g_partner[64], g_partner2[64];
static int64_t g_clock_offset; /* seconds the clients' session clock is ahead of time() */
static char g_tmpdir[256];

static const e2e_op bctt_ops[] = {
    {"Authenticate", "bctt_authenticate"},
    {"CallbackUpdate", "bctt_callback_update"},
    {"CallbackDelete", "bctt_callback_delete"},
    {"CallbackList", "bctt_callback_list"},
    {"CallbackEcho", "bctt_callback_echo"},
    {"ProcessDetail", "bctt_process_detail"},
    {"ProcessUpdate", "bctt_process_update"},
    {"ProcessList", "bctt_process_list"},
    {"ProcessCreate", "bctt_process_create"},
    {"ProcessSubmit", "bctt_process_submit"},
    {"ProcessCancel", "bctt_process_cancel"},
    {"BorrowerGet", "bctt_borrower_get"},
    {"BorrowerUpdate", "bctt_borrower_update"},
    {"BorrowerDelete", "bctt_borrower_delete"},
    {"BorrowerList", "bctt_borrower_list"},
    {"BorrowerCreate", "bctt_borrower_create"},
    {"DocumentGet", "bctt_document_get"},
    {"DocumentUpdate", "bctt_document_update"},
    {"DocumentDelete", "bctt_document_delete"},
    {"DocumentList", "bctt_document_list"},
    {"DocumentCreate", "bctt_document_create"},
    {"ProcessESISGet", "bctt_process_esis_get"},
    {"ProcessESISEmail", "bctt_process_esis_email"},
    {"ProcessesMessageList", "bctt_processes_message_list"},
    {"ProcessesMessageCreate", "bctt_processes_message_create"},
    {"PropertyList", "bctt_property_list"},
    {"PropertyUpdate", "bctt_property_update"},
    {"SimulationList", "bctt_simulation_list"},
    {"SimulationCreate", "bctt_simulation_create"},
    {"SimulationDetail", "bctt_simulation_detail"},
    {"SimulationUpdate", "bctt_simulation_update"},
    {"SimulationCancel", "bctt_simulation_cancel"},
    {"SimulationValidate", "bctt_simulation_validate"},
    {"SimulationESISGet", "bctt_simulation_esis_get"},
    {"SimulationESISEmail", "bctt_simulation_esis_email"},
    {"SimulationsMessageList", "bctt_simulations_message_list"},
    {"SimulationsMessageCreate", "bctt_simulations_message_create"},
    {"BrokerTypesGet", "bctt_broker_types_get"},
    {"BrokerSubTypesGet", "bctt_broker_sub_types_get"},
    {"BrokerClassificationsGet", "bctt_broker_classifications_get"},
    {"BrokerFeeTypesGet", "bctt_broker_fee_types_get"},
    {"BrokerStatusesGet", "bctt_broker_statuses_get"},
    {"BrokerIVARegimesGet", "bctt_broker_iva_regimes_get"},
    {"BrokerRetentionRegimesGet", "bctt_broker_retention_regimes_get"},
    {"BrokerExtractPeriodicityGet", "bctt_broker_extract_periodicity_get"},
    {"CountriesGet", "bctt_countries_get"},
    {"CountryWithDistrictsGet", "bctt_country_with_districts_get"},
    {"DistrictsGet", "bctt_districts_get"},
    {"DistrictsWithCountiesGet", "bctt_districts_with_counties_get"},
    {"CountiesGet", "bctt_counties_get"},
    {"CountyWithParishesGet", "bctt_county_with_parishes_get"},
    {"ParishesGet", "bctt_parishes_get"},
    {"DocumentTypesGet", "bctt_document_types_get"},
    {"DocumentCategoriesGet", "bctt_document_categories_get"},
    {"ProductPurposesGet", "bctt_product_purposes_get"},
    {"LoanPurposesGet", "bctt_loan_purposes_get"},
    {"ProductSchemesGet", "bctt_product_schemes_get"},
    {"IndexTypeSubCategoriesGet", "bctt_index_type_sub_categories_get"},
    {"IndexTypesGet", "bctt_index_types_get"},
    {"IndexTypeListMixedGet", "bctt_index_type_list_mixed_get"},
    {"FixedFixedPeriodGet", "bctt_fixed_fixed_period_get"},
    {"MixedFixedPeriodGet", "bctt_mixed_fixed_period_get"},
    {"BankChargeTypesGet", "bctt_bank_charge_types_get"},
    {"PropertyTypologiesGet", "bctt_property_typologies_get"},
    {"EntityTypesGet", "bctt_entity_types_get"},
    {"IdentificationDocumentsGet", "bctt_identification_documents_get"},
    {"MaritalStatusesGet", "bctt_marital_statuses_get"},
    {"MatrimonialRegimesGet", "bctt_matrimonial_regimes_get"},
    {"ResidenceTypesGet", "bctt_residence_types_get"},
    {"GendersGet", "bctt_genders_get"},
    {"ProfessionsGet", "bctt_professions_get"},
    {"EmploymentContractTypesGet", "bctt_employment_contract_types_get"},
    {"EmploymentSituationsGet", "bctt_employment_situations_get"},
    {"EmploymentDepartmentPositionsGet", "bctt_employment_department_positions_get"},
    {"KeyBorrowerRelationsGet", "bctt_key_borrower_relations_get"},
    {"ProposalCancelReasonsGet", "bctt_proposal_cancel_reasons_get"},
    {"ProposalRejectReasonsGet", "bctt_proposal_reject_reasons_get"},
    {"SimulationRejectReasonsGet", "bctt_simulation_reject_reasons_get"},
    {"WorkflowPhasesGet", "bctt_workflow_phases_get"},
    {"WorkflowStatesSimulationGet", "bctt_workflow_states_simulation_get"},
    {"WorkflowStatesProposalGet", "bctt_workflow_states_proposal_get"},
    {"NotificationTypesGet", "bctt_notification_types_get"},
    {NULL, NULL},
};

/* ---- calls ----------------------------------------------------------------- */

static bool answered(bctt_client *c, int rc) {
    return rc == PONTES_OK || (rc == PONTES_EHTTP && bctt_client_last_error(c)->http_status > 0);
}

/* Count an operation's call (by its operationId or the text of the C call). */
static int op_mark(bctt_client *c, int rc, const char *call) { return e2e_op_mark(call, rc, answered(c, rc)); }

/* Deviations from the spec the (tolerant) decoder accepted in the answers of the checked calls:
 * unknown members are counted and listed at the end (a server may add members); any other kind
 * (a required member missing, a null where none is allowed, a malformed date / uuid) fails. */
static size_t g_unknown_members;
static char g_unknown_list[2048];

static void check_deviations(bctt_client *c, const char *what, const char *file, int line) {
    const pontes_deviations *d = pontes_client_last_deviations(c);
    for (size_t i = 0; i < d->kept; i++) {
        if (strcmp(d->first[i].what, "unknown member") == 0) {
            char item[256];
            snprintf(item, sizeof item, "%.*s %s", (int)strcspn(what, "("), what, d->first[i].path);
            if (!strstr(g_unknown_list, item)) {
                size_t k = strlen(g_unknown_list);
                snprintf(g_unknown_list + k, sizeof g_unknown_list - k, "%s%s", k ? "; " : "", item);
            }
            g_unknown_members++;
            continue;
        }
        print_error("%s:%d: %s: the answer deviates from the spec at %s: %s\n", file, line, what, d->first[i].path,
                    d->first[i].what);
        _fail(file, line);
    }
}

static void check_ok(bctt_client *c, int rc, const char *what, const char *file, int line) {
    if (strncmp(what, "bctt_", 5) == 0 && !strstr(what, "_iter_")) op_mark(c, rc, what);
    if (rc == PONTES_OK) {
        check_deviations(c, what, file, line);
        return;
    }
    const pontes_error *e = bctt_client_last_error(c);
    print_error("%s:%d: %s failed: %s (%s) http=%ld provider_code=%s body=%s\n", file, line, what,
                pontes_status_name(rc), e->message ? e->message : "", e->http_status,
                e->provider_code ? e->provider_code : "-", e->body ? e->body : "-");
    _fail(file, line);
}
#define CHECK_OK(c, call) check_ok((c), (call), #call, __FILE__, __LINE__)

/* The call failed with an HTTP answer of status `status` (counted as reached). */
static void check_http(bctt_client *c, int rc, long status, const char *what, const char *file, int line) {
    if (strncmp(what, "bctt_", 5) == 0) op_mark(c, rc, what);
    const pontes_error *e = bctt_client_last_error(c);
    if (rc == PONTES_EHTTP && e->http_status == status) return;
    print_error("%s:%d: %s: %s http=%ld (want PONTES_EHTTP %ld) body=%s\n", file, line, what, pontes_status_name(rc),
                e->http_status, status, e->body ? e->body : "-");
    _fail(file, line);
}
#define CHECK_HTTP(c, call, status) check_http((c), (call), (status), #call, __FILE__, __LINE__)

/* The session clock of every client: real time plus what the tests moved it by. */
static int64_t test_clock(void *user) {
    (void)user;
    return (int64_t)time(NULL) + g_clock_offset;
}

/* ---- a log hook that keeps every line ---- */
typedef struct log_sink {
    char *text;
    size_t len, cap, lines;
} log_sink;

static void on_log(void *user, pontes_log_level level, const char *message) {
    (void)level;
    log_sink *s = user;
    size_t n = strlen(message);
    if (s->len + n + 2 > s->cap) {
        size_t cap = (s->cap ? s->cap * 2 : 8192) + n + 2;
        char *t = realloc(s->text, cap);
        if (!t) return;
        s->text = t;
        s->cap = cap;
    }
    memcpy(s->text + s->len, message, n);
    s->len += n;
    s->text[s->len++] = '\n';
    s->text[s->len] = '\0';
    s->lines++;
}

/* A client with session credentials set by role (no token: the runtime logs in by itself). */
static bctt_client *client_ex(const char *broker, const char *user, log_sink *log) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_srv.base_url;
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 30000;
    o.retry_base_ms = 20;
    o.retry_max_ms = 200;
    if (log) {
        o.log = on_log;
        o.log_user = log;
        o.log_level = PONTES_LOG_DEBUG;
    }
    bctt_client *c = NULL;
    assert_int_equal(bctt_client_new(&c, &o), PONTES_OK);
    assert_non_null(c);
    assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "client_id", g_cid), PONTES_OK);
    assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "client_secret", g_csec), PONTES_OK);
    assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "broker_id", broker), PONTES_OK);
    assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "username", user), PONTES_OK);
    assert_int_equal(pontes_client_set_session_clock(c, SCHEME, test_clock, NULL), PONTES_OK);
    return c;
}
static bctt_client *client(void) { return client_ex(g_broker, g_user, NULL); }

/* Per-call options: the Prism example to answer with (stateless Prism only), retries. */
static const pontes_call_options *prism_example(pontes_call_options *o, const char **hdrs, const char *prefer) {
    pontes_call_options init = PONTES_CALL_OPTIONS_INIT;
    *o = init;
    if (g_prism && prefer) {
        hdrs[0] = prefer;
        hdrs[1] = NULL;
        o->headers = hdrs;
    }
    return o;
}

/* The mock's state and admin endpoints are there (false and counted against a stateless server). */
static bool mock_state(const char *what) {
    if (!g_srv.external) return true;
    if (e2e_needs_state(&g_srv, what)) return false;
    print_message("skipped (not the pontes mock): %s\n", what);
    return false;
}
#define REQUIRE_MOCK(what)                                                                          \
    do {                                                                                            \
        if (!mock_state(what)) skip();                                                              \
    } while (0)

/* ---- admin ---- */
static void admin(const char *what, const char *body) {
    long st = 0;
    cJSON *doc = e2e_admin_post(&g_srv, what, body, &st);
    cJSON_Delete(doc);
    if (st != 200) fail_msg("admin %s %s -> %ld", what, body ? body : "", st);
}

static cJSON *admin_state(void) {
    char url[700], *resp = NULL;
    snprintf(url, sizeof url, "%s/__admin/bctt/state", g_srv.base_url);
    long st = e2e_http("GET", url, NULL, &resp);
    cJSON *doc = st == 200 && resp ? cJSON_Parse(resp) : NULL;
    free(resp);
    if (!doc) fail_msg("GET /__admin/bctt/state -> %ld", st);
    return doc;
}

static int state_int(const char *member) {
    cJSON *s = admin_state();
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, member);
    int n = cJSON_IsNumber(v) ? v->valueint : -1;
    cJSON_Delete(s);
    return n;
}
static int logins(void) { return state_int("logins"); }

/* Move the mock's clock and the clients' session clock forward together. */
static void advance_clock(int seconds) {
    char body[64];
    snprintf(body, sizeof body, "{\"advance\": %d}", seconds);
    admin("bctt/clock", body);
    g_clock_offset += seconds;
}

/* Request-log position: the time of the last logged request. */
static double log_mark(void) {
    cJSON *log = e2e_admin_requests(&g_srv);
    assert_non_null(log);
    double t = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, log) {
        const cJSON *tm = cJSON_GetObjectItemCaseSensitive(e, "time");
        if (cJSON_IsNumber(tm) && tm->valuedouble > t) t = tm->valuedouble;
    }
    cJSON_Delete(log);
    return t;
}

/* Requests of op_id (NULL: any) logged after mark with HTTP status `status` (0: any). */
static size_t log_count_since(double mark, const char *op_id, long status) {
    cJSON *log = e2e_admin_requests(&g_srv);
    assert_non_null(log);
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, log) {
        const cJSON *tm = cJSON_GetObjectItemCaseSensitive(e, "time");
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(e, "operationId");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
        if (!cJSON_IsNumber(tm) || tm->valuedouble <= mark) continue;
        if (op_id && !(cJSON_IsString(o) && strcmp(o->valuestring, op_id) == 0)) continue;
        if (status && !(cJSON_IsNumber(st) && (long)st->valuedouble == status)) continue;
        n++;
    }
    cJSON_Delete(log);
    return n;
}

static const char *json_str(const cJSON *o, const char *member) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, member);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The operationStatus code of a write answer: six digits. */
static const char *status_code_of(const bctt_operation_status_response *r) {
    assert_non_null(r);
    assert_int_equal(r->has_operation_status, PONTES_SET);
    assert_non_null(r->operation_status);
    assert_int_equal(r->operation_status->has_operation_status_code, PONTES_SET);
    const char *code = r->operation_status->operation_status_code;
    assert_int_equal(pontes_status_code_check(&bctt_status_code, code), PONTES_OK);
    return code;
}

/* Against the mock: the write answered this success code (its documented table). */
static void expect_code(const bctt_operation_status_response *r, const char *want) {
    const char *code = status_code_of(r);
    if (!g_srv.external && strcmp(code, want) != 0) fail_msg("operationStatusCode %s, want %s", code, want);
}

/* ======================================================================== */
/* 1. taxonomies: 45 operations, table-driven                                */

/* What a taxonomy call answered, flattened: (id, description) of every item; for the nested
 * ones also the children of the item with the wanted id. */
typedef struct tax_seen {
    size_t count;
    int32_t ids[400];
    char desc[400][96];
    size_t child_count;   /* children of the wanted item (nested taxonomies) */
    int32_t child_id;     /* first child */
    char child_desc[96];
} tax_seen;

static void tax_add(tax_seen *s, const bctt_taxonomy_item *it) {
    assert_non_null(it);
    assert_int_equal(it->has_id, PONTES_SET);          /* both members are required */
    assert_int_equal(it->has_description, PONTES_SET);
    assert_non_null(it->description);
    if (s->count < 400) {
        s->ids[s->count] = it->id;
        snprintf(s->desc[s->count], sizeof s->desc[0], "%s", it->description);
    }
    s->count++;
}

static void tax_list(tax_seen *s, const bctt_taxonomy_list *l) {
    assert_non_null(l);
    for (size_t i = 0; i < l->value.count; i++) tax_add(s, l->value.items[i]);
}

static void tax_children(tax_seen *s, int32_t id, int32_t want_id, const bctt_taxonomy_item_array *kids) {
    if (id != want_id || s->child_count) return;
    s->child_count = kids->count;
    if (kids->count) {
        s->child_id = kids->items[0]->id;
        snprintf(s->child_desc, sizeof s->child_desc, "%s", kids->items[0]->description ? kids->items[0]->description : "");
    }
}

typedef int (*tax_plain_fn)(bctt_client *, bctt_taxonomy_list **);
typedef int (*tax_special_fn)(bctt_client *, int32_t want_id, tax_seen *);

static int tax_country_with_districts(bctt_client *c, int32_t want, tax_seen *s) {
    bctt_country_with_districts_list *l = NULL;
    int rc = bctt_country_with_districts_get(c, &l);
    if (rc == PONTES_OK) {
        for (size_t i = 0; i < l->value.count; i++) {
            const bctt_country_with_districts *x = l->value.items[i];
            tax_add(s, &(bctt_taxonomy_item){._size = sizeof(bctt_taxonomy_item), .id = x->id, .has_id = x->has_id,
                                             .description = x->description, .has_description = x->has_description});
            tax_children(s, x->id, want, &x->districts);
        }
    }
    bctt_country_with_districts_list_free(l);
    return rc;
}
static int tax_districts_with_counties(bctt_client *c, int32_t want, tax_seen *s) {
    bctt_district_with_counties_list *l = NULL;
    int rc = bctt_districts_with_counties_get(c, &l);
    if (rc == PONTES_OK) {
        for (size_t i = 0; i < l->value.count; i++) {
            const bctt_district_with_counties *x = l->value.items[i];
            tax_add(s, &(bctt_taxonomy_item){._size = sizeof(bctt_taxonomy_item), .id = x->id, .has_id = x->has_id,
                                             .description = x->description, .has_description = x->has_description});
            tax_children(s, x->id, want, &x->counties);
        }
    }
    bctt_district_with_counties_list_free(l);
    return rc;
}
static int tax_county_with_parishes(bctt_client *c, int32_t want, tax_seen *s) {
    bctt_county_with_parishes_list *l = NULL;
    int rc = bctt_county_with_parishes_get(c, &l);
    if (rc == PONTES_OK) {
        for (size_t i = 0; i < l->value.count; i++) {
            const bctt_county_with_parishes *x = l->value.items[i];
            tax_add(s, &(bctt_taxonomy_item){._size = sizeof(bctt_taxonomy_item), .id = x->id, .has_id = x->has_id,
                                             .description = x->description, .has_description = x->has_description});
            tax_children(s, x->id, want, &x->parishes);
        }
    }
    bctt_county_with_parishes_list_free(l);
    return rc;
}
static int tax_districts(bctt_client *c, int32_t want, tax_seen *s) {
    (void)want;
    bctt_districts_get_params p = BCTT_DISTRICTS_GET_PARAMS_INIT;
    PONTES_PUT(p, country_id, 1); /* Portugal */
    bctt_taxonomy_list *l = NULL;
    int rc = bctt_districts_get(c, &p, &l);
    if (rc == PONTES_OK) tax_list(s, l);
    bctt_taxonomy_list_free(l);
    return rc;
}
static int tax_counties(bctt_client *c, int32_t want, tax_seen *s) {
    (void)want;
    bctt_counties_get_params p = BCTT_COUNTIES_GET_PARAMS_INIT;
    PONTES_PUT(p, district_id, 1); /* Aveiro */
    bctt_taxonomy_list *l = NULL;
    int rc = bctt_counties_get(c, &p, &l);
    if (rc == PONTES_OK) tax_list(s, l);
    bctt_taxonomy_list_free(l);
    return rc;
}
static int tax_parishes(bctt_client *c, int32_t want, tax_seen *s) {
    (void)want;
    bctt_parishes_get_params p = BCTT_PARISHES_GET_PARAMS_INIT;
    PONTES_PUT(p, county_id, 1); /* Anadia */
    bctt_taxonomy_list *l = NULL;
    int rc = bctt_parishes_get(c, &p, &l);
    if (rc == PONTES_OK) tax_list(s, l);
    bctt_taxonomy_list_free(l);
    return rc;
}
static int tax_notification_types(bctt_client *c, int32_t want, tax_seen *s) {
    (void)want;
    bctt_notification_types_get_params p = BCTT_NOTIFICATION_TYPES_GET_PARAMS_INIT;
    PONTES_PUT(p, page_size, 50);
    bctt_notification_type_list *l = NULL;
    int rc = bctt_notification_types_get(c, &p, &l);
    if (rc == PONTES_OK) {
        assert_int_equal(l->has_total_count, PONTES_SET);
        for (size_t i = 0; i < l->notification_types.count; i++) tax_add(s, l->notification_types.items[i]);
        assert_int_equal(l->total_count, (int)l->notification_types.count);
    }
    bctt_notification_type_list_free(l);
    return rc;
}

typedef struct tax_case {
    const char *op;
    tax_plain_fn plain;      /* bctt_<name>_get(c, &list) */
    tax_special_fn special;  /* the seven with parameters / nested items / a page envelope */
    int32_t want_id;         /* an item the mock has (its data: tools/mock/pontes_mock/apis/bctt_data.py) */
    const char *want_desc;
    bool in_example;         /* the spec's first example has it too (checked against Prism) */
    int32_t child_id;        /* nested: the first child of want_id (0: not checked) */
    const char *child_desc;
} tax_case;

static const tax_case tax_cases[] = {
    {"BrokerTypesGet", bctt_broker_types_get, NULL, 1, "Intermedi\xc3\xa1rio de Cr\xc3\xa9" "dito Vinculado", false, 0, NULL},
    {"BrokerSubTypesGet", bctt_broker_sub_types_get, NULL, 2, "Pessoa Coletiva", false, 0, NULL},
    {"BrokerClassificationsGet", bctt_broker_classifications_get, NULL, 3, "Ouro", false, 0, NULL},
    {"BrokerFeeTypesGet", bctt_broker_fee_types_get, NULL, 1, "Comiss\xc3\xa3o de Produ\xc3\xa7\xc3\xa3o", false, 0, NULL},
    {"BrokerStatusesGet", bctt_broker_statuses_get, NULL, 1, "Ativo", false, 0, NULL},
    {"BrokerIVARegimesGet", bctt_broker_iva_regimes_get, NULL, 1, "Regime Normal", false, 0, NULL},
    {"BrokerRetentionRegimesGet", bctt_broker_retention_regimes_get, NULL, 2, "Reten\xc3\xa7\xc3\xa3o na Fonte 25%", false, 0, NULL},
    {"BrokerExtractPeriodicityGet", bctt_broker_extract_periodicity_get, NULL, 1, "Mensal", false, 0, NULL},
    {"CountriesGet", bctt_countries_get, NULL, 1, "Portugal", true, 0, NULL},
    {"CountryWithDistrictsGet", NULL, tax_country_with_districts, 1, "Portugal", false, 1, "Aveiro"},
    {"DistrictsGet", NULL, tax_districts, 1, "Aveiro", true, 0, NULL},
    {"DistrictsWithCountiesGet", NULL, tax_districts_with_counties, 1, "Aveiro", false, 1, "ANADIA"},
    {"CountiesGet", NULL, tax_counties, 1, "ANADIA", false, 0, NULL},
    {"CountyWithParishesGet", NULL, tax_county_with_parishes, 1, "ANADIA", false, 0, NULL},
    {"ParishesGet", NULL, tax_parishes, 4186, "AVELAS DE CAMINHO", false, 0, NULL},
    {"DocumentTypesGet", bctt_document_types_get, NULL, 924, "Formul\xc3\xa1rio DL 44 CH Jovem", true, 0, NULL},
    {"DocumentCategoriesGet", bctt_document_categories_get, NULL, 2, "Identification", false, 0, NULL},
    {"ProductPurposesGet", bctt_product_purposes_get, NULL, 2, "FIRST RESIDENCE", false, 0, NULL},
    {"LoanPurposesGet", bctt_loan_purposes_get, NULL, 1, "ACQUISITION", false, 0, NULL},
    {"ProductSchemesGet", bctt_product_schemes_get, NULL, 1, "GENERAL", false, 0, NULL},
    {"IndexTypeSubCategoriesGet", bctt_index_type_sub_categories_get, NULL, 1, "FIXED", false, 0, NULL},
    {"IndexTypesGet", bctt_index_types_get, NULL, 6, "Fixa 30 anos", false, 0, NULL},
    {"IndexTypeListMixedGet", bctt_index_type_list_mixed_get, NULL, 1, "Mista 2 anos + Euribor 12 meses", false, 0, NULL},
    {"FixedFixedPeriodGet", bctt_fixed_fixed_period_get, NULL, 360, "360 meses", false, 0, NULL},
    {"MixedFixedPeriodGet", bctt_mixed_fixed_period_get, NULL, 24, "24 meses", false, 0, NULL},
    {"BankChargeTypesGet", bctt_bank_charge_types_get, NULL, 1, "Comiss\xc3\xa3o de Avalia\xc3\xa7\xc3\xa3o", false, 0, NULL},
    {"PropertyTypologiesGet", bctt_property_typologies_get, NULL, 1, "Flat", false, 0, NULL},
    {"EntityTypesGet", bctt_entity_types_get, NULL, 1, "Pessoa Singular", false, 0, NULL},
    {"IdentificationDocumentsGet", bctt_identification_documents_get, NULL, 1, "Cart\xc3\xa3o de Cidad\xc3\xa3o", false, 0, NULL},
    {"MaritalStatusesGet", bctt_marital_statuses_get, NULL, 2, "Casado(a)", false, 0, NULL},
    {"MatrimonialRegimesGet", bctt_matrimonial_regimes_get, NULL, 3, "Separa\xc3\xa7\xc3\xa3o de Bens", false, 0, NULL},
    {"ResidenceTypesGet", bctt_residence_types_get, NULL, 2, "Arrendada", false, 0, NULL},
    {"GendersGet", bctt_genders_get, NULL, 2, "Feminino", false, 0, NULL},
    {"ProfessionsGet", bctt_professions_get, NULL, 10, "Outra", false, 0, NULL},
    {"EmploymentContractTypesGet", bctt_employment_contract_types_get, NULL, 1, "Contrato sem Termo", false, 0, NULL},
    {"EmploymentSituationsGet", bctt_employment_situations_get, NULL, 4, "Reformado(a)", false, 0, NULL},
    {"EmploymentDepartmentPositionsGet", bctt_employment_department_positions_get, NULL, 1, "Administra\xc3\xa7\xc3\xa3o", false, 0, NULL},
    {"KeyBorrowerRelationsGet", bctt_key_borrower_relations_get, NULL, 1, "Spouse", false, 0, NULL},
    {"ProposalCancelReasonsGet", bctt_proposal_cancel_reasons_get, NULL, 1, "Desist\xc3\xaancia do Cliente", false, 0, NULL},
    {"ProposalRejectReasonsGet", bctt_proposal_reject_reasons_get, NULL, 2, "LTV Excedido", false, 0, NULL},
    {"SimulationRejectReasonsGet", bctt_simulation_reject_reasons_get, NULL, 1, "Simula\xc3\xa7\xc3\xa3o Expirada", false, 0, NULL},
    {"WorkflowPhasesGet", bctt_workflow_phases_get, NULL, 1, "Simula\xc3\xa7\xc3\xa3o", false, 0, NULL},
    {"WorkflowStatesSimulationGet", bctt_workflow_states_simulation_get, NULL, 3, "Converted to Process", false, 0, NULL},
    {"WorkflowStatesProposalGet", bctt_workflow_states_proposal_get, NULL, 7, "Cancelled", false, 0, NULL},
    {"NotificationTypesGet", NULL, tax_notification_types, 1, "Process status changed", true, 0, NULL},
};
#define N_TAX (sizeof tax_cases / sizeof tax_cases[0])

static void test_taxonomies(void **state) {
    (void)state;
    assert_int_equal(N_TAX, 45);
    bctt_client *c = client();
    tax_seen *s = malloc(sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < N_TAX; i++) {
        const tax_case *tc = &tax_cases[i];
        memset(s, 0, sizeof *s);
        int rc;
        if (tc->plain) {
            bctt_taxonomy_list *l = NULL;
            rc = tc->plain(c, &l);
            if (rc == PONTES_OK) tax_list(s, l);
            bctt_taxonomy_list_free(l);
        } else {
            rc = tc->special(c, tc->want_id, s);
        }
        op_mark(c, rc, tc->op);
        if (rc != PONTES_OK) {
            const pontes_error *e = bctt_client_last_error(c);
            fail_msg("%s: %s (%s) http=%ld", tc->op, pontes_status_name(rc), e->message ? e->message : "", e->http_status);
        }
        if (s->count == 0) fail_msg("%s: no items", tc->op);
        /* the item the mock has (and, where the spec's example has it, any server) */
        if (!g_srv.external || (g_srv.examples && tc->in_example)) {
            bool found = false;
            for (size_t k = 0; k < s->count && k < 400; k++) {
                if (s->ids[k] != tc->want_id) continue;
                found = true;
                if (strcmp(s->desc[k], tc->want_desc) != 0)
                    fail_msg("%s: item %d is \"%s\", want \"%s\"", tc->op, (int)tc->want_id, s->desc[k], tc->want_desc);
            }
            if (!found) fail_msg("%s: no item %d (%s)", tc->op, (int)tc->want_id, tc->want_desc);
        }
        if (!g_srv.external && tc->special && tc->child_desc) {
            if (s->child_count == 0) fail_msg("%s: item %d has no children", tc->op, (int)tc->want_id);
            assert_int_equal(s->child_id, tc->child_id);
            assert_string_equal(s->child_desc, tc->child_desc);
        }
        if (!g_srv.external && strcmp(tc->op, "NotificationTypesGet") == 0) assert_int_equal(s->count, 7);
        if (!g_srv.external && strcmp(tc->op, "DistrictsGet") == 0) assert_true(s->count >= 18);
    }
    free(s);
    bctt_client_free(c);
}

/* ======================================================================== */
/* 2. authentication: both answer shapes                                     */

static void test_authenticate(void **state) {
    (void)state;
    bctt_authenticate_params p = BCTT_AUTHENTICATE_PARAMS_INIT;
    p.x_client_id = g_cid;
    p.x_client_secret = g_csec;
    p.x_broker_uid = g_broker;
    p.x_username = g_user;
    static const char *const shapes[] = {"string", "object"};
    for (size_t i = 0; i < 2; i++) {
        bool mock = !g_srv.external;
        if (mock) {
            char body[64];
            snprintf(body, sizeof body, "{\"auth_answer\": \"%s\"}", shapes[i]);
            admin("bctt/config", body);
        } else if (i == 1 && !g_prism) {
            break;
        }
        /* a client with a session: the token of the direct call is its session token */
        bctt_client *c = client();
        pontes_call_options o;
        const char *h[2];
        bctt_authenticate_response *r = NULL;
        int before = mock ? logins() : 0;
        CHECK_OK(c, bctt_authenticate_ex(c, &p, &r, prism_example(&o, h, i == 0 ? "Prefer: example=bareString"
                                                                               : "Prefer: example=sessionTokenObject")));
        const char *token = NULL;
        if (i == 0) {
            assert_int_equal(r->kind, BCTT_AUTHENTICATE_RESPONSE_SESSION_TOKEN_STRING);
            token = r->u.session_token_string;
        } else {
            assert_int_equal(r->kind, BCTT_AUTHENTICATE_RESPONSE_SESSION_TOKEN_OBJECT);
            assert_int_equal(r->u.session_token_object->has_session_token, PONTES_SET);
            token = r->u.session_token_object->session_token;
        }
        assert_non_null(token);
        assert_true(strlen(token) > 10);
        if (mock) assert_int_equal(strchr(token, '.') != NULL, 1); /* a JWT */
        bool has = false;
        int64_t used = 0;
        assert_int_equal(pontes_client_session_state(c, SCHEME, &has, &used), PONTES_OK);
        assert_true(has);
        assert_true(used > 0);
        /* the next call uses that session: no second login */
        bctt_taxonomy_list *l = NULL;
        CHECK_OK(c, bctt_genders_get(c, &l));
        bctt_taxonomy_list_free(l);
        if (mock) assert_int_equal(logins(), before + 1);
        bctt_authenticate_response_free(r);
        bctt_client_free(c);

        /* a client with credentials only: the runtime logs in by itself, with either shape */
        if (mock) {
            c = client();
            before = logins();
            l = NULL;
            CHECK_OK(c, bctt_genders_get(c, &l));
            bctt_taxonomy_list_free(l);
            l = NULL;
            CHECK_OK(c, bctt_countries_get(c, &l));
            bctt_taxonomy_list_free(l);
            assert_int_equal(logins(), before + 1);
            bctt_client_free(c);
        }
    }
    if (!g_srv.external) admin("bctt/config", "{\"auth_answer\": \"object\"}");

    /* wrong credentials: PONTES_EAUTH, the provider's 401 kept, the secret in no message */
    if (mock_state("a 401 of Authenticate for a wrong client secret")) {
        bctt_client *c = client();
        assert_int_equal(pontes_client_set_session_credential(c, SCHEME, "client_secret", "wrong-secret-4711"), PONTES_OK);
        bctt_taxonomy_list *l = NULL;
        int rc = bctt_genders_get(c, &l);
        assert_int_equal(rc, PONTES_EAUTH);
        assert_null(l);
        const pontes_error *e = bctt_client_last_error(c);
        assert_non_null(e->message);
        assert_null(strstr(e->message, "wrong-secret-4711"));
        if (e->body) assert_null(strstr(e->body, "wrong-secret-4711"));
        bctt_client_free(c);
    }
}

/* ======================================================================== */
/* 3. the broker's flow                                                      */

static const char *ad_str(const bctt_operation_status_response *r, const char *member) {
    return r->has_additional_data == PONTES_SET ? json_str(r->additional_data, member) : NULL;
}

/* Amounts are exact decimals (pontes_decimal): whole euros here. */
static pontes_decimal money(int64_t euros) {
    pontes_decimal d = PONTES_DECIMAL(euros, 0);
    return d;
}
static void assert_money_(const pontes_decimal *d, int64_t euros, const char *file, int line) {
    pontes_decimal w = money(euros);
    if (pontes_decimal_cmp(d, &w) != 0) {
        char got[PONTES_DECIMAL_TEXT_MAX];
        pontes_decimal_to_text(d, got, sizeof got);
        print_error("%s:%d: amount %s != %lld\n", file, line, got, (long long)euros);
        _fail(file, line);
    }
}
#define assert_money(d, euros) assert_money_((d), (euros), __FILE__, __LINE__)

/* Simulation Create (+ Validate): its id into id (cap 64). */
static void new_simulation(bctt_client *c, int64_t loan, bool validate, char *id) {
    bctt_simulation_create_request s = BCTT_SIMULATION_CREATE_REQUEST_INIT;
    if (loan > 0) PONTES_PUT(s, loan_amount, money(loan));
    PONTES_PUT(s, loan_duration_months, 360);
    PONTES_PUT(s, product_scheme_id, 1);
    PONTES_PUT(s, loan_purpose_id, 1);
    PONTES_PUT(s, product_purpose_id, 2);
    PONTES_PUT(s, has_cross_selling, true);
    PONTES_PUT(s, branch_id, 213);
    PONTES_PUT(s, property_amount, money(250000));
    bctt_simulation_create_response *r = NULL;
    CHECK_OK(c, bctt_simulation_create(c, &s, &r));
    assert_int_equal(r->has_operation_status, PONTES_SET);
    if (!g_srv.external) assert_string_equal(r->operation_status->operation_status_code, "020702");
    assert_int_equal(r->has_additional_data, PONTES_SET);
    assert_non_null(r->additional_data->simulation_unique_id);
    if (!g_srv.external) assert_true(r->additional_data->simulation_number > 5000 + SEEDS);
    snprintf(id, 64, "%s", r->additional_data->simulation_unique_id);
    bctt_simulation_create_response_free(r);
    if (validate) {
        bctt_operation_status_response *v = NULL;
        CHECK_OK(c, bctt_simulation_validate(c, id, &v));
        expect_code(v, "020707");
        bctt_operation_status_response_free(v);
    }
}

/* Process Create from a validated simulation: the id from additionalData.processUniqueID. */
static void new_process(bctt_client *c, const char *sim, char *id, int32_t *number) {
    bctt_process_create_request p = BCTT_PROCESS_CREATE_REQUEST_INIT;
    PONTES_PUT(p, simulation_unique_id, sim);
    PONTES_PUT(p, key_borrower_email, "joana.matos@example.com");
    PONTES_PUT(p, key_borrower_name, "Joana Matos");
    PONTES_PUT(p, key_borrower_identification_doc_type_id, 1);
    PONTES_PUT(p, key_borrower_identification_doc_number, "12345678");
    /* the mock takes a date-only value, as the documented example sends it; a strict validator
     * (Prism) only a date-time */
    PONTES_PUT(p, key_borrower_identification_doc_expiration_date, g_srv.external ? "2030-12-31T00:00:00Z" : "2030-12-31");
    PONTES_PUT(p, borrower_name, "Rui Matos");
    PONTES_PUT(p, borrower_email, "rui.matos@example.com");
    bctt_process_create_response *r = NULL;
    CHECK_OK(c, bctt_process_create(c, &p, &r));
    assert_int_equal(r->has_operation_status, PONTES_SET);
    if (!g_srv.external) assert_string_equal(r->operation_status->operation_status_code, "020102");
    assert_int_equal(r->has_additional_data, PONTES_SET);
    assert_int_equal(r->additional_data->has_process_unique_id, PONTES_SET);
    snprintf(id, 64, "%s", r->additional_data->process_unique_id);
    if (number) *number = r->additional_data->process_number;
    if (!g_srv.external) assert_true(r->additional_data->process_number > 1000 + SEEDS);
    bctt_process_create_response_free(r);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* ESIS Get: the decoded PDF bytes, and the Base64 text written to a file with the runtime's
 * base64-to-file helper (the generated type already hands over the decoded bytes, so the text is
 * the member as the generated encoder writes it back). */
static void check_esis(const bctt_esis_response *r, const char *file_name) {
    assert_int_equal(r->has_esis, PONTES_SET);
    assert_true(r->esis.len > 8);
    assert_memory_equal(r->esis.data, "%PDF", 4);
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(bctt_esis_response_encode(r, &json, &len, &err), PONTES_OK);
    cJSON *doc = cJSON_Parse(json);
    pontes_json_free(json);
    const char *b64 = json_str(doc, "esis");
    assert_non_null(b64);
    char path[400];
    snprintf(path, sizeof path, "%s/%s", g_tmpdir, file_name);
    uint64_t size = 0;
    int rc = pontes_base64_to_file(b64, strlen(b64), path, &size, &err);
    if (rc != PONTES_OK) fail_msg("pontes_base64_to_file: %s", err.message ? err.message : "?");
    cJSON_Delete(doc);
    assert_true(size == r->esis.len);
    size_t n = 0;
    char *back = read_file(path, &n);
    assert_non_null(back);
    assert_int_equal(n, r->esis.len);
    assert_memory_equal(back, "%PDF", 4);
    assert_memory_equal(back, r->esis.data, n);
    free(back);
    unlink(path);
    /* not Base64: an error naming where, nothing left behind */
    assert_int_equal(pontes_base64_to_file("<Base64_String>", 15, path, NULL, &err), PONTES_EINVAL);
    assert_int_equal(access(path, F_OK), -1);
    pontes_error_clear(&err);
}

static bool esis_email_recorded(const char *id, const char *addr) {
    cJSON *s = admin_state();
    bool found = false;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s, "esisEmails")) {
        const char *i = json_str(e, "id"), *a = json_str(e, "sendAddress");
        if (i && a && strcmp(i, id) == 0 && strcmp(a, addr) == 0) found = true;
    }
    cJSON_Delete(s);
    return found;
}

static int count_esis_emails(void) {
    cJSON *s = admin_state();
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "esisEmails"));
    cJSON_Delete(s);
    return n;
}

static void test_broker_flow(void **state) {
    (void)state;
    bool mock = !g_srv.external;
    bctt_client *c = client();
    pontes_call_options o;
    const char *h[2];
    bctt_operation_status_response *w = NULL;

    /* ---- simulation: create, read, update (PATCH), validate, messages, ESIS ---- */
    char sim[64];
    new_simulation(c, 180000, false, sim);
    bctt_simulation_detail2 *sd = NULL;
    CHECK_OK(c, bctt_simulation_detail(c, sim, &sd));
    assert_int_equal(sd->has_simulation_unique_id, PONTES_SET);
    if (mock) {
        assert_string_equal(sd->simulation_unique_id, sim);
        assert_int_equal(sd->simulation_status_id, 1);
        assert_string_equal(sd->simulation_status_description, "In Simulation");
        assert_non_null(sd->loan_simulation_detail);
        assert_money(&sd->loan_simulation_detail->loan_amount, 180000);
        assert_int_equal(sd->loan_simulation_detail->loan_duration_months, 360);
        assert_string_equal(sd->loan_simulation_detail->product_scheme_description, "GENERAL");
        assert_true(sd->loan_simulation_detail->monthly_installment_amount.coef > 0);
    }
    bctt_simulation_detail2_free(sd);
    sd = NULL;
    bctt_simulation_update_request su = BCTT_SIMULATION_UPDATE_REQUEST_INIT;
    PONTES_PUT(su, loan_amount, money(175000));
    PONTES_PUT(su, loan_duration_months, 300);
    CHECK_OK(c, bctt_simulation_update(c, sim, &su, &w));
    expect_code(w, "020701");
    bctt_operation_status_response_free(w);
    w = NULL;
    CHECK_OK(c, bctt_simulation_validate(c, sim, &w));
    expect_code(w, "020707");
    bctt_operation_status_response_free(w);
    w = NULL;
    CHECK_OK(c, bctt_simulation_detail(c, sim, &sd));
    if (mock) {
        assert_int_equal(sd->simulation_status_id, 2);
        assert_money(&sd->loan_simulation_detail->loan_amount, 175000);
        assert_int_equal(sd->loan_simulation_detail->loan_duration_months, 300);
    }
    bctt_simulation_detail2_free(sd);
    sd = NULL;
    bctt_message_create_request mc = BCTT_MESSAGE_CREATE_REQUEST_INIT;
    PONTES_PUT(mc, subject, "Simula\xc3\xa7\xc3\xa3o");
    PONTES_PUT(mc, text, "Cliente pede prazo de 25 anos.");
    CHECK_OK(c, bctt_simulations_message_create(c, sim, &mc, &w));
    expect_code(w, "020902");
    bctt_operation_status_response_free(w);
    w = NULL;
    bctt_message_list *ml = NULL;
    CHECK_OK(c, bctt_simulations_message_list(c, sim, NULL, &ml));
    assert_int_equal(ml->has_messages, PONTES_SET);
    if (mock) {
        assert_int_equal(ml->total_count, 1);
        assert_int_equal(ml->messages.count, 1);
        assert_string_equal(ml->messages.items[0]->text, "Cliente pede prazo de 25 anos.");
        assert_string_equal(ml->messages.items[0]->user_name, g_user);
    }
    bctt_message_list_free(ml);
    ml = NULL;
    bctt_esis_response *esis = NULL;
    bctt_simulation_esis_get_params sg = BCTT_SIMULATION_ESIS_GET_PARAMS_INIT;
    PONTES_PUT(sg, ignore_rules, false); /* required */
    CHECK_OK(c, bctt_simulation_esis_get_ex(c, sim, &sg, &esis, prism_example(&o, h, "Prefer: example=pdf")));
    check_esis(esis, "simulation-esis.pdf");
    bctt_esis_response_free(esis);
    esis = NULL;
    bctt_simulation_esis_email_params se = BCTT_SIMULATION_ESIS_EMAIL_PARAMS_INIT;
    se.send_address = "cliente.simulacao@example.com";
    PONTES_PUT(se, ignore_rules, false);
    CHECK_OK(c, bctt_simulation_esis_email(c, sim, &se, &w));
    expect_code(w, "020706");
    bctt_operation_status_response_free(w);
    w = NULL;
    if (mock) assert_true(esis_email_recorded(sim, "cliente.simulacao@example.com"));

    /* ---- process from it ---- */
    char proc[64];
    int32_t number = 0;
    new_process(c, sim, proc, &number);
    if (mock) { /* the simulation is now Converted to Process */
        CHECK_OK(c, bctt_simulation_detail(c, sim, &sd));
        assert_int_equal(sd->simulation_status_id, 3);
        bctt_simulation_detail2_free(sd);
        sd = NULL;
    }
    bctt_process_update_request pu = BCTT_PROCESS_UPDATE_REQUEST_INIT;
    PONTES_PUT(pu, loan_amount, money(170000));
    PONTES_PUT(pu, branch_id, 102);
    CHECK_OK(c, bctt_process_update(c, proc, &pu, &w));
    expect_code(w, "020101");
    bctt_operation_status_response_free(w);
    w = NULL;

    /* borrowers: the KeyBorrower and the second borrower of Create, plus a guarantor */
    bctt_borrower_create_request bc = BCTT_BORROWER_CREATE_REQUEST_INIT;
    PONTES_PUT(bc, borrower_name, "Carla Matos");
    PONTES_PUT(bc, borrower_email, "carla.matos@example.com");
    PONTES_PUT(bc, borrower_identification_doc_type_id, 1);
    PONTES_PUT(bc, borrower_identification_doc_number, "87654321");
    PONTES_PUT(bc, borrower_type_id, 3);
    CHECK_OK(c, bctt_borrower_create(c, proc, &bc, &w));
    expect_code(w, "020202");
    char guarantor[64] = ANY_UUID;
    if (mock) {
        const char *gid = ad_str(w, "borrowerUniqueID");
        assert_non_null(gid);
        snprintf(guarantor, sizeof guarantor, "%s", gid);
    }
    bctt_operation_status_response_free(w);
    w = NULL;
    bctt_borrower_list2 *bl = NULL;
    CHECK_OK(c, bctt_borrower_list(c, proc, &bl));
    assert_int_equal(bl->has_value, PONTES_SET);
    assert_true(bl->value.count >= 1);
    char key_borrower[64] = ANY_UUID;
    if (bl->value.items[0]->borrower_unique_id)
        snprintf(key_borrower, sizeof key_borrower, "%s", bl->value.items[0]->borrower_unique_id);
    if (mock) {
        assert_int_equal(bl->value.count, 3);
        int types = 0;
        for (size_t i = 0; i < bl->value.count; i++) {
            const bctt_borrower_process_item *b = bl->value.items[i];
            types |= 1 << b->borrower_type_id;
            if (b->borrower_type_id == 1) snprintf(key_borrower, sizeof key_borrower, "%s", b->borrower_unique_id);
        }
        assert_int_equal(types, (1 << 1) | (1 << 2) | (1 << 3));
    }
    bctt_borrower_list2_free(bl);
    bl = NULL;
    bctt_borrower_detail *bd = NULL;
    CHECK_OK(c, bctt_borrower_get(c, proc, guarantor, &bd));
    if (mock) {
        assert_string_equal(bd->borrower_unique_id, guarantor);
        assert_int_equal(bd->borrower_type_id, 3);
        assert_string_equal(bd->borrower_type_description, "Guarantor");
    }
    bctt_borrower_detail_free(bd);
    bd = NULL;
    bctt_borrower_update_request bu = BCTT_BORROWER_UPDATE_REQUEST_INIT;
    PONTES_PUT(bu, borrower_type_id, 2);
    PONTES_PUT(bu, key_borrower_relation_id, 3);
    CHECK_OK(c, bctt_borrower_update(c, proc, guarantor, &bu, &w));
    expect_code(w, "020201");
    bctt_operation_status_response_free(w);
    w = NULL;
    if (mock) {
        CHECK_OK(c, bctt_borrower_get(c, proc, guarantor, &bd));
        assert_int_equal(bd->borrower_type_id, 2);
        assert_int_equal(bd->key_borrower_relation_id, 3);
        assert_string_equal(bd->key_borrower_relation_description, "Parent");
        bctt_borrower_detail_free(bd);
        bd = NULL;
        /* the KeyBorrower cannot be deleted: 400 with the provider's code */
        CHECK_HTTP(c, bctt_borrower_delete(c, proc, key_borrower, &w), 400);
        assert_string_equal(bctt_client_last_error(c)->provider_code, "040402");
    }
    CHECK_OK(c, bctt_borrower_delete(c, proc, guarantor, &w));
    expect_code(w, "020205");
    bctt_operation_status_response_free(w);
    w = NULL;

    /* documents: Base64 content both ways */
    static const char pdf[] = "%PDF-1.4\n% pontes e2e document \xe2\x82\xac\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    bctt_document_create_request dc = BCTT_DOCUMENT_CREATE_REQUEST_INIT;
    PONTES_PUT(dc, document_title, "Formul\xc3\xa1rio CH Jovem");
    PONTES_PUT(dc, document_type_id, 924);
    PONTES_PUT(dc, file_name, "dl44.pdf");
    pontes_bytes content = {(const uint8_t *)pdf, sizeof pdf - 1};
    PONTES_PUT(dc, document_content, content);
    CHECK_OK(c, bctt_document_create(c, proc, &dc, &w));
    expect_code(w, "020302");
    char doc1[64] = ANY_UUID, doc2[64] = ANY_UUID;
    if (mock) snprintf(doc1, sizeof doc1, "%s", ad_str(w, "documentUniqueID"));
    bctt_operation_status_response_free(w);
    w = NULL;
    PONTES_PUT(dc, document_title, "Rascunho");
    PONTES_PUT(dc, file_name, "draft.pdf");
    CHECK_OK(c, bctt_document_create(c, proc, &dc, &w));
    if (mock) snprintf(doc2, sizeof doc2, "%s", ad_str(w, "documentUniqueID"));
    bctt_operation_status_response_free(w);
    w = NULL;
    bctt_document_update_request du = BCTT_DOCUMENT_UPDATE_REQUEST_INIT;
    PONTES_PUT(du, document_observations, "Assinado pelo cliente");
    CHECK_OK(c, bctt_document_update(c, proc, doc1, &du, &w));
    expect_code(w, "020301");
    bctt_operation_status_response_free(w);
    w = NULL;
    CHECK_OK(c, bctt_document_delete(c, proc, doc2, &w));
    expect_code(w, "020305");
    bctt_operation_status_response_free(w);
    w = NULL;
    bctt_document_list2 *dl = NULL;
    CHECK_OK(c, bctt_document_list(c, proc, &dl));
    assert_int_equal(dl->has_value, PONTES_SET);
    if (mock) {
        assert_int_equal(dl->value.count, 1);
        const bctt_document_process_item *d = dl->value.items[0];
        assert_string_equal(d->document_unique_id, doc1);
        assert_int_equal(d->type_id, 924);
        assert_string_equal(d->type_description, "Formul\xc3\xa1rio DL 44 CH Jovem");
        assert_string_equal(d->observations, "Assinado pelo cliente");
        assert_int_equal(d->has_is_mandatory, PONTES_SET);
        assert_true(d->is_mandatory);
        assert_int_equal(d->status_id, 2);
    }
    bctt_document_list2_free(dl);
    dl = NULL;
    bctt_document_detail *dd = NULL;
    CHECK_OK(c, bctt_document_get(c, proc, doc1, &dd));
    assert_int_equal(dd->has_content, PONTES_SET);
    if (mock) {
        assert_int_equal(dd->content.len, sizeof pdf - 1);
        assert_memory_equal(dd->content.data, pdf, sizeof pdf - 1);
        assert_string_equal(dd->file_name, "dl44.pdf");
    }
    bctt_document_detail_free(dd);
    dd = NULL;

    /* property: the one primary property */
    bctt_property_process_detail *pp = NULL;
    CHECK_OK(c, bctt_property_list(c, proc, &pp));
    assert_int_equal(pp->has_property_unique_id, PONTES_SET);
    char prop[64];
    snprintf(prop, sizeof prop, "%s", pp->property_unique_id);
    bctt_property_process_detail_free(pp);
    pp = NULL;
    bctt_property_update_request pr = BCTT_PROPERTY_UPDATE_REQUEST_INIT;
    PONTES_PUT(pr, district_id, 1);
    PONTES_PUT(pr, county_id, 1);
    PONTES_PUT(pr, address, "Rua Direita");
    PONTES_PUT(pr, door_number, "12");
    PONTES_PUT(pr, zip_code, "3780-201");
    PONTES_PUT(pr, year_built, 2001);
    PONTES_PUT(pr, gross_built_area, 118.5);
    CHECK_OK(c, bctt_property_update(c, proc, prop, &pr, &w));
    expect_code(w, "020401");
    bctt_operation_status_response_free(w);
    w = NULL;
    if (mock) {
        CHECK_OK(c, bctt_property_list(c, proc, &pp));
        assert_string_equal(pp->property_unique_id, prop);
        assert_int_equal(pp->district_id, 1);
        assert_string_equal(pp->district_description, "Aveiro");
        assert_string_equal(pp->address, "Rua Direita");
        assert_string_equal(pp->zip_code, "3780-201");
        assert_int_equal(pp->year_built, 2001);
        assert_true(pp->gross_built_area == 118.5);
        bctt_property_process_detail_free(pp);
        pp = NULL;
    }

    /* messages */
    CHECK_OK(c, bctt_processes_message_list(c, proc, NULL, &ml));
    if (mock) assert_int_equal(ml->total_count, 0);
    bctt_message_list_free(ml);
    ml = NULL;
    PONTES_PUT(mc, subject, "Documentos");
    PONTES_PUT(mc, text, "Segue o formul\xc3\xa1rio assinado.");
    CHECK_OK(c, bctt_processes_message_create(c, proc, &mc, &w));
    expect_code(w, "020502");
    bctt_operation_status_response_free(w);
    w = NULL;
    CHECK_OK(c, bctt_processes_message_list(c, proc, NULL, &ml));
    if (mock) {
        assert_int_equal(ml->total_count, 1);
        assert_string_equal(ml->messages.items[0]->subject, "Documentos");
        assert_string_equal(ml->messages.items[0]->text, "Segue o formul\xc3\xa1rio assinado.");
    }
    bctt_message_list_free(ml);
    ml = NULL;

    /* ESIS: the PDF, then by e-mail */
    bctt_process_esis_get_params eg = BCTT_PROCESS_ESIS_GET_PARAMS_INIT;
    PONTES_PUT(eg, ignore_rules, false);
    CHECK_OK(c, bctt_process_esis_get_ex(c, proc, &eg, &esis, prism_example(&o, h, "Prefer: example=pdf")));
    check_esis(esis, "process-esis.pdf");
    bctt_esis_response_free(esis);
    esis = NULL;
    bctt_process_esis_email_params ee = BCTT_PROCESS_ESIS_EMAIL_PARAMS_INIT;
    ee.send_address = "joana.matos@example.com";
    PONTES_PUT(ee, ignore_rules, true);
    CHECK_OK(c, bctt_process_esis_email(c, proc, &ee, &w));
    expect_code(w, "020106");
    bctt_operation_status_response_free(w);
    w = NULL;
    if (mock) assert_true(esis_email_recorded(proc, "joana.matos@example.com"));

    /* submit -> In Review */
    CHECK_OK(c, bctt_process_submit(c, proc, &w));
    expect_code(w, "020103");
    bctt_operation_status_response_free(w);
    w = NULL;
    bctt_process_detail2 *pd = NULL;
    CHECK_OK(c, bctt_process_detail(c, proc, &pd));
    assert_int_equal(pd->has_process_unique_id, PONTES_SET);
    if (mock) {
        assert_string_equal(pd->process_unique_id, proc);
        assert_int_equal(pd->process_number, number);
        assert_string_equal(pd->simulation_unique_id, sim);
        assert_int_equal(pd->process_status_id, 2);
        assert_string_equal(pd->process_status_description, "In Review");
        assert_int_equal(pd->branch_id, 102);
        assert_string_equal(pd->branch_description, "Aveiro - Centro");
        assert_money(&pd->loan_process_detail->loan_amount, 170000);
        assert_int_equal(pd->borrowers_process_list.count, 2);
        assert_int_equal(pd->documents_process_list.count, 1);
        assert_string_equal(pd->property_process_detail->district_description, "Aveiro");
        /* no longer In Creation: a second submit is refused */
        bctt_process_detail2_free(pd);
        pd = NULL;
        CHECK_HTTP(c, bctt_process_submit(c, proc, &w), 400);
        assert_string_equal(bctt_client_last_error(c)->provider_code, "040202");
    }
    bctt_process_detail2_free(pd);
    pd = NULL;

    /* ---- a second process, cancelled: DELETE with a JSON body ---- */
    char sim2[64], proc2[64];
    new_simulation(c, 95000, true, sim2);
    new_process(c, sim2, proc2, NULL);
    double mark = mock ? log_mark() : 0;
    bctt_process_cancel_request cr = BCTT_PROCESS_CANCEL_REQUEST_INIT;
    PONTES_PUT(cr, process_cancel_reason_id, 1);
    CHECK_OK(c, bctt_process_cancel(c, proc2, &cr, &w));
    expect_code(w, "020104");
    bctt_operation_status_response_free(w);
    w = NULL;
    if (mock) {
        /* the mock saw the body: one DELETE with a body, and the reason it carried is on the process */
        cJSON *log = e2e_admin_requests(&g_srv);
        const cJSON *e = e2e_log_last(log, "ProcessCancel");
        assert_non_null(e);
        assert_string_equal(json_str(e, "method"), "DELETE");
        const cJSON *bl_ = cJSON_GetObjectItemCaseSensitive(e, "bodyLength");
        assert_true(cJSON_IsNumber(bl_) && bl_->valueint == (int)strlen("{\"processCancelReasonID\":1}"));
        cJSON_Delete(log);
        assert_int_equal(log_count_since(mark, "ProcessCancel", 200), 1);
        CHECK_OK(c, bctt_process_detail(c, proc2, &pd));
        assert_int_equal(pd->process_status_id, 7);
        assert_string_equal(pd->process_status_description, "Cancelled");
        assert_true(pd->notes_process_list.count >= 1);
        assert_non_null(strstr(pd->notes_process_list.items[pd->notes_process_list.count - 1]->comment,
                               "Desist\xc3\xaancia do Cliente"));
        bctt_process_detail2_free(pd);
        pd = NULL;
        /* without the body's required reason: refused by the client, nothing sent */
        char sim3[64], proc3[64];
        new_simulation(c, 95000, true, sim3);
        new_process(c, sim3, proc3, NULL);
        bctt_process_cancel_request none = BCTT_PROCESS_CANCEL_REQUEST_INIT;
        mark = log_mark();
        assert_int_equal(bctt_process_cancel(c, proc3, &none, &w), PONTES_EENCODE);
        assert_null(w);
        assert_int_equal(log_count_since(mark, "ProcessCancel", 0), 0);
        /* a reason that is no Proposal Cancel Reason: the provider's 040701, the process unchanged */
        PONTES_PUT(none, process_cancel_reason_id, 99);
        CHECK_HTTP(c, bctt_process_cancel(c, proc3, &none, &w), 400);
        assert_string_equal(bctt_client_last_error(c)->provider_code, "040701");
        CHECK_OK(c, bctt_process_detail(c, proc3, &pd));
        assert_int_equal(pd->process_status_id, 1);
        bctt_process_detail2_free(pd);
        pd = NULL;
    }

    /* ---- a simulation cancelled ---- */
    char sim4[64];
    new_simulation(c, 60000, false, sim4);
    CHECK_OK(c, bctt_simulation_cancel(c, sim4, &w));
    expect_code(w, "020704");
    bctt_operation_status_response_free(w);
    w = NULL;
    if (mock) {
        CHECK_OK(c, bctt_simulation_detail(c, sim4, &sd));
        assert_int_equal(sd->simulation_status_id, 4);
        assert_string_equal(sd->simulation_status_description, "Cancelled");
        bctt_simulation_detail2_free(sd);
        sd = NULL;
    }
    bctt_client_free(c);
}

/* x-pontes-idempotent: false — ESIS Email is a GET with a side effect: an injected 503 is not
 * retried (one request reached the mock), while an idempotent GET with the same 503 is. */
static void test_esis_email_not_retried(void **state) {
    (void)state;
    REQUIRE_MOCK("injected 503 on ESIS Email (admin fail) and the mock's request log");
    bctt_client *c = client();
    char sim[64], proc[64];
    new_simulation(c, 120000, true, sim);
    new_process(c, sim, proc, NULL);
    int emails = count_esis_emails();
    admin("bctt/fail", "{\"operationId\": \"ProcessESISEmail\", \"status\": 503, \"count\": 1}");
    double mark = log_mark();
    bctt_process_esis_email_params ee = BCTT_PROCESS_ESIS_EMAIL_PARAMS_INIT;
    ee.send_address = "nao.repetir@example.com";
    PONTES_PUT(ee, ignore_rules, false);
    bctt_operation_status_response *w = NULL;
    CHECK_HTTP(c, bctt_process_esis_email(c, proc, &ee, &w), 503);
    assert_null(w);
    const pontes_error *e = bctt_client_last_error(c);
    assert_int_equal(e->attempts, 1);
    assert_string_equal(e->provider_code, "050002");
    assert_int_equal(log_count_since(mark, "ProcessESISEmail", 0), 1);
    assert_int_equal(count_esis_emails(), emails); /* the failed request had no effect */
    assert_false(esis_email_recorded(proc, "nao.repetir@example.com"));
    /* the same for the simulation's ESIS Email */
    admin("bctt/fail", "{\"operationId\": \"SimulationESISEmail\", \"status\": 503, \"count\": 1}");
    mark = log_mark();
    bctt_simulation_esis_email_params se = BCTT_SIMULATION_ESIS_EMAIL_PARAMS_INIT;
    se.send_address = "nao.repetir@example.com";
    PONTES_PUT(se, ignore_rules, false);
    CHECK_HTTP(c, bctt_simulation_esis_email(c, sim, &se, &w), 503);
    assert_int_equal(bctt_client_last_error(c)->attempts, 1);
    assert_int_equal(log_count_since(mark, "SimulationESISEmail", 0), 1);
    /* an idempotent GET with the same failure is retried and succeeds */
    admin("bctt/fail", "{\"operationId\": \"ProcessDetail\", \"status\": 503, \"count\": 1}");
    mark = log_mark();
    bctt_process_detail2 *pd = NULL;
    CHECK_OK(c, bctt_process_detail(c, proc, &pd));
    bctt_process_detail2_free(pd);
    assert_int_equal(log_count_since(mark, "ProcessDetail", 0), 2);
    /* and ESIS Email goes through once the server is well */
    CHECK_OK(c, bctt_process_esis_email(c, proc, &ee, &w));
    bctt_operation_status_response_free(w);
    assert_true(esis_email_recorded(proc, "nao.repetir@example.com"));
    bctt_client_free(c);
}

/* ======================================================================== */
/* 4. sessions                                                               */

static void genders(bctt_client *c) {
    bctt_taxonomy_list *l = NULL;
    CHECK_OK(c, bctt_genders_get(c, &l));
    bctt_taxonomy_list_free(l);
}

static void test_session_idle_expiry(void **state) {
    (void)state;
    REQUIRE_MOCK("the mock's clock and login count (admin clock / state)");
    bctt_client *c = client();
    int before = logins();
    genders(c);
    assert_int_equal(logins(), before + 1);
    genders(c);
    assert_int_equal(logins(), before + 1);

    /* calls every 20 minutes keep one session (each renews it) */
    for (int i = 0; i < 4; i++) {
        advance_clock(20 * 60);
        genders(c);
    }
    assert_int_equal(logins(), before + 1);

    /* 31 minutes idle: the session is gone; the next call logs in again, exactly once, before
     * sending (the client's clock says so: no 401 on the way) */
    advance_clock(31 * 60);
    double mark = log_mark();
    genders(c);
    assert_int_equal(logins(), before + 2);
    assert_int_equal(log_count_since(mark, "Authenticate", 200), 1);
    assert_int_equal(log_count_since(mark, "GendersGet", 401), 0);
    assert_int_equal(log_count_since(mark, "GendersGet", 200), 1);
    genders(c);
    assert_int_equal(logins(), before + 2);

    /* only the server's clock moved (the client does not know): a 401 -> one re-login, resent */
    admin("bctt/clock", "{\"advance\": 1900}");
    mark = log_mark();
    genders(c);
    assert_int_equal(logins(), before + 3);
    assert_int_equal(log_count_since(mark, "GendersGet", 401), 1);
    assert_int_equal(log_count_since(mark, "GendersGet", 200), 1);
    assert_int_equal(log_count_since(mark, "Authenticate", 0), 1);
    bctt_client_free(c);
}

static void test_session_server_expiry(void **state) {
    (void)state;
    REQUIRE_MOCK("a session ended on the server only (admin expire-session)");
    bctt_client *c = client();
    genders(c);
    int before = logins();
    admin("bctt/expire-session", "{}");
    double mark = log_mark();
    /* a write: resent after the re-login too (the server refused the first one) */
    char sim[64];
    new_simulation(c, 99000, false, sim);
    assert_int_equal(logins(), before + 1);
    assert_int_equal(log_count_since(mark, "SimulationCreate", 401), 1);
    assert_int_equal(log_count_since(mark, "SimulationCreate", 200), 1);
    assert_int_equal(log_count_since(mark, "Authenticate", 200), 1);
    /* both refused (credentials wrong by now): PONTES_EAUTH after one re-login, no loop */
    admin("bctt/expire-session", "{}");
    admin("bctt/config", "{\"disabled_users\": [\"" DEFAULT_USER "\"]}");
    mark = log_mark();
    bctt_taxonomy_list *l = NULL;
    int rc = bctt_genders_get(c, &l);
    admin("bctt/config", "{\"disabled_users\": []}");
    assert_int_equal(rc, PONTES_EAUTH);
    assert_null(l);
    assert_int_equal(log_count_since(mark, "Authenticate", 0), 1);
    assert_int_equal(log_count_since(mark, "GendersGet", 0), 1);
    genders(c); /* and it recovers */
    bctt_client_free(c);
}

static void assert_absent(const char *text, const char *secret, const char *what) {
    if (!text || !secret || !*secret) return;
    const char *at = strstr(text, secret);
    if (!at) return;
    const char *bol = at;
    while (bol > text && bol[-1] != '\n') bol--;
    fail_msg("the %s appears: %.*s", what, (int)strcspn(bol, "\n"), bol);
}

static void test_session_secrets_not_logged(void **state) {
    (void)state;
    log_sink sink = {NULL, 0, 0, 0};
    bctt_client *c = client_ex(g_broker, g_user, &sink);
    /* a direct login call: its token becomes the session token */
    bctt_authenticate_params p = BCTT_AUTHENTICATE_PARAMS_INIT;
    p.x_client_id = g_cid;
    p.x_client_secret = g_csec;
    p.x_broker_uid = g_broker;
    p.x_username = g_user;
    bctt_authenticate_response *r = NULL;
    CHECK_OK(c, bctt_authenticate(c, &p, &r));
    char token[2048] = "";
    if (r->kind == BCTT_AUTHENTICATE_RESPONSE_SESSION_TOKEN_STRING)
        snprintf(token, sizeof token, "%s", r->u.session_token_string);
    else if (r->kind == BCTT_AUTHENTICATE_RESPONSE_SESSION_TOKEN_OBJECT)
        snprintf(token, sizeof token, "%s", r->u.session_token_object->session_token);
    bctt_authenticate_response_free(r);
    assert_true(strlen(token) > 10);
    genders(c);
    char errors[4096] = "";
    size_t el = 0;
    if (!g_srv.external) {
        /* a failed call (its body and message are logged), a re-login after a server-side expiry */
        char sim[64];
        new_simulation(c, 0, false, sim);
        bctt_operation_status_response *w = NULL;
        CHECK_HTTP(c, bctt_simulation_validate(c, sim, &w), 400);
        const pontes_error *e = bctt_client_last_error(c);
        el += (size_t)snprintf(errors + el, sizeof errors - el, "%s\n%s\n", e->message, e->body ? e->body : "");
        admin("bctt/expire-session", "{}");
        genders(c);
        /* a login refused */
        admin("bctt/expire-session", "{}");
        admin("bctt/config", "{\"disabled_users\": [\"" DEFAULT_USER "\"]}");
        bctt_taxonomy_list *l = NULL;
        assert_int_equal(bctt_genders_get(c, &l), PONTES_EAUTH);
        e = bctt_client_last_error(c);
        el += (size_t)snprintf(errors + el, sizeof errors - el, "%s\n%s\n", e->message, e->body ? e->body : "");
        admin("bctt/config", "{\"disabled_users\": []}");
    }
    bctt_client_free(c);

    assert_non_null(sink.text);
    assert_true(sink.lines >= 4);
    assert_non_null(strstr(sink.text, "/API/partnersPortal/authentication")); /* the login is logged ... */
    assert_non_null(strstr(sink.text, "/v1/taxonomy/genders"));
    assert_non_null(strstr(sink.text, "Authorization")); /* ... with its headers: the bearer ... */
    assert_non_null(strstr(sink.text, "xClientSecret"));  /* ... and the login's credential headers */
    assert_non_null(strstr(sink.text, "xClientID"));
    /* ... and no line holds a secret: the master credentials, the tokens */
    assert_absent(sink.text, g_cid, "client id in the log");
    assert_absent(sink.text, g_csec, "client secret in the log");
    assert_absent(sink.text, token, "session token in the log");
    assert_absent(errors, g_cid, "client id in an error");
    assert_absent(errors, g_csec, "client secret in an error");
    assert_absent(errors, token, "session token in an error");
    if (!g_srv.external) { /* every token the mock issued to the client: its last 8 characters */
        cJSON *s = admin_state();
        const cJSON *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(s, "sessions")) {
            const char *tail = json_str(x, "tokenTail");
            if (tail && strlen(tail) == 8) assert_absent(sink.text, tail, "the end of a session token in the log");
        }
        cJSON_Delete(s);
    }
    free(sink.text);
}

/* ======================================================================== */
/* 5. pagination and numbers as strings                                      */

static bool in_set(int v, const int *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (set[i] == v) return true;
    return false;
}

/* The process ids of the walk, to find duplicates. */
typedef struct id_set {
    char (*ids)[40];
    size_t n;
} id_set;
static bool id_add(id_set *s, const char *id) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0) return false;
    snprintf(s->ids[s->n++], 40, "%s", id);
    return true;
}

static char g_newest2[64]; /* broker 2's newest process (1250: 45 messages) */

static void test_pagination_process_list(void **state) {
    (void)state;
    bctt_client *c = client_ex(BROKER2, USER2, NULL);
    if (g_srv.external) { /* one page: a stateless server answers the same page for every cursor */
        bctt_process_list_params p = BCTT_PROCESS_LIST_PARAMS_INIT;
        PONTES_PUT(p, line_count, 20);
        bctt_process_list2 *l = NULL;
        CHECK_OK(c, bctt_process_list(c, &p, &l));
        assert_int_equal(l->has_list_process_detail, PONTES_SET);
        assert_true(l->list_process_detail.count >= 1);
        const bctt_process_list_item *it = l->list_process_detail.items[0];
        if (g_srv.examples) { /* the documented example: numbers as strings */
            assert_int_equal(it->process_number, 1234);
            assert_int_equal(it->wire_process_number, PONTES_WIRE_STRING);
        }
        size_t first_page = l->list_process_detail.count;
        bool more = l->has_has_more_results == PONTES_SET && l->has_more_results;
        bctt_process_list2_free(l);
        /* the iterator over a server that answers the same page for every cursor: it ends (the
         * loop guard: a cursor seen twice), after delivering the first page, never loops */
        bctt_process_list_iter *pi = NULL;
        assert_int_equal(bctt_process_list_iter_new(c, &p, NULL, &pi), PONTES_OK);
        const bctt_process_list_item *item;
        size_t n = 0;
        int rc;
        while ((rc = bctt_process_list_iter_next(pi, &item)) == PONTES_OK && n < 10000) n++;
        assert_true(n >= first_page && n < 10000);
        if (more && rc != PONTES_ITEROVER) {
            assert_true(rc < 0);
            assert_int_equal(bctt_process_list_iter_error(pi)->status, rc);
            print_message("stateless Process List walk: %zu items, then %s (%s)\n", n, pontes_status_name(rc),
                          bctt_process_list_iter_error(pi)->message);
        }
        bctt_process_list_iter_free(pi);
        bctt_client_free(c);
        e2e_needs_state(&g_srv, "Process List walked to the end over 250 records");
        return;
    }
    bctt_process_list_params p = BCTT_PROCESS_LIST_PARAMS_INIT;
    PONTES_PUT(p, line_count, 40);
    bctt_process_list_iter *it = NULL;
    assert_int_equal(bctt_process_list_iter_new(c, &p, NULL, &it), PONTES_OK);
    assert_int_equal(bctt_process_list_iter_pages(it), 0); /* nothing sent yet */
    assert_true(bctt_process_list_iter_total(it) == -1);
    id_set seen = {calloc(SEEDS + 10, 40), 0};
    assert_non_null(seen.ids);
    static const int branches[] = {213, 10, 101, 102, 103, 104};
    unsigned char numbers[SEEDS] = {0};
    const bctt_process_list_item *item;
    int rc;
    int prev = 1 << 30;
    while ((rc = bctt_process_list_iter_next(it, &item)) == PONTES_OK) {
        assert_non_null(item->process_unique_id);
        if (!id_add(&seen, item->process_unique_id)) fail_msg("duplicate %s", item->process_unique_id);
        if (seen.n == 1) snprintf(g_newest2, sizeof g_newest2, "%s", item->process_unique_id);
        /* numbers as strings: the value, and the wire form says string */
        assert_int_equal(item->has_process_number, PONTES_SET);
        assert_int_equal(item->wire_process_number, PONTES_WIRE_STRING);
        assert_true(item->process_number >= 1001 && item->process_number <= 1000 + SEEDS);
        assert_true(item->process_number < prev); /* newest first */
        prev = item->process_number;
        numbers[item->process_number - 1001]++;
        assert_int_equal(item->wire_process_status_id, PONTES_WIRE_STRING);
        assert_true(item->process_status_id >= 2 && item->process_status_id <= 9);
        assert_int_equal(item->wire_branch_id, PONTES_WIRE_STRING);
        assert_true(in_set(item->branch_id, branches, 6));
        assert_int_equal(item->wire_simulation_number, PONTES_WIRE_STRING);
        assert_int_equal(item->simulation_number, item->process_number - 1001 + 5001);
        assert_int_equal(item->has_loan_amount, PONTES_SET);
        const bctt_process_list2 *page = bctt_process_list_iter_page(it);
        assert_non_null(page);
        assert_true(page->list_process_detail.count <= 40);
    }
    e2e_op_mark("ProcessList", PONTES_OK, rc == PONTES_ITEROVER);
    if (rc != PONTES_ITEROVER) fail_msg("walk ended with %s: %s", pontes_status_name(rc), bctt_process_list_iter_error(it)->message);
    assert_int_equal(seen.n, SEEDS);
    for (int i = 0; i < SEEDS; i++) assert_int_equal(numbers[i], 1);
    assert_int_equal(bctt_process_list_iter_pages(it), 7); /* 6 x 40 + 10 */
    assert_true(bctt_process_list_iter_total(it) == SEEDS);
    assert_int_equal(bctt_process_list_iter_error(it)->status, PONTES_OK);
    assert_int_equal(bctt_process_list_iter_next(it, &item), PONTES_ITEROVER); /* stays over */
    bctt_process_list_iter_free(it);
    free(seen.ids);
    bctt_client_free(c);
}

/* Numbers as strings: re-encoding an item writes the form it came in; a caller's value a number. */
static void test_numbers_as_strings(void **state) {
    (void)state;
    bctt_client *c = client_ex(BROKER2, USER2, NULL);
    bctt_process_list_params p = BCTT_PROCESS_LIST_PARAMS_INIT;
    PONTES_PUT(p, line_count, 4);
    bctt_process_list2 *l = NULL;
    CHECK_OK(c, bctt_process_list(c, &p, &l));
    assert_true(l->list_process_detail.count >= 1);
    const bctt_process_list_item *it = l->list_process_detail.items[0];
    assert_int_equal(it->wire_process_number, PONTES_WIRE_STRING);
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(bctt_process_list_item_encode(it, &json, &len, &err), PONTES_OK);
    char want[64];
    snprintf(want, sizeof want, "\"processNumber\":\"%d\"", (int)it->process_number);
    if (!strstr(json, want)) fail_msg("re-encoded item lacks %s: %s", want, json);
    snprintf(want, sizeof want, "\"branchId\":\"%d\"", (int)it->branch_id);
    if (!strstr(json, want)) fail_msg("re-encoded item lacks %s: %s", want, json);
    /* and decodes again to the same value and form */
    bctt_process_list_item *back = NULL;
    assert_int_equal(bctt_process_list_item_decode(json, len, &back, &err), PONTES_OK);
    assert_int_equal(back->process_number, it->process_number);
    assert_int_equal(back->wire_process_number, PONTES_WIRE_STRING);
    bctt_process_list_item_free(back);
    pontes_json_free(json);
    /* the generic codec too */
    json = NULL;
    assert_int_equal(pontes_encode(&bctt_process_list_item__type, it, &json, &len, &err), PONTES_OK);
    snprintf(want, sizeof want, "\"processNumber\":\"%d\"", (int)it->process_number);
    assert_non_null(strstr(json, want));
    pontes_json_free(json);
    bctt_process_list2_free(l);
    l = NULL;
    /* a value set by the caller: a number */
    bctt_process_list_item mine = BCTT_PROCESS_LIST_ITEM_INIT;
    PONTES_PUT(mine, process_number, 77);
    json = NULL;
    assert_int_equal(bctt_process_list_item_encode(&mine, &json, &len, &err), PONTES_OK);
    assert_non_null(strstr(json, "\"processNumber\":77"));
    pontes_json_free(json);
    mine.wire_process_number = PONTES_WIRE_STRING; /* asked for as a string */
    json = NULL;
    assert_int_equal(bctt_process_list_item_encode(&mine, &json, &len, &err), PONTES_OK);
    assert_non_null(strstr(json, "\"processNumber\":\"77\""));
    pontes_json_free(json);
    pontes_error_clear(&err);

    if (mock_state("the mock answering numbers in both forms (config list_numbers mixed)")) {
        admin("bctt/config", "{\"list_numbers\": \"mixed\"}");
        PONTES_PUT(p, line_count, 6);
        int rc = bctt_process_list(c, &p, &l);
        admin("bctt/config", "{\"list_numbers\": \"string\"}");
        CHECK_OK(c, rc);
        for (size_t i = 0; i < l->list_process_detail.count; i++) {
            const bctt_process_list_item *x = l->list_process_detail.items[i];
            bool odd = x->process_number % 2;
            assert_int_equal(x->wire_process_number, odd ? PONTES_WIRE_NUMBER : PONTES_WIRE_STRING);
            json = NULL;
            assert_int_equal(bctt_process_list_item_encode(x, &json, &len, &err), PONTES_OK);
            snprintf(want, sizeof want, odd ? "\"processNumber\":%d" : "\"processNumber\":\"%d\"", (int)x->process_number);
            if (!strstr(json, want)) fail_msg("re-encoded item lacks %s: %s", want, json);
            pontes_json_free(json);
        }
        bctt_process_list2_free(l);
    }
    bctt_client_free(c);
}

static void test_pagination_simulations_and_messages(void **state) {
    (void)state;
    bctt_client *c = client_ex(BROKER2, USER2, NULL);
    if (g_srv.external) {
        bctt_simulation_list_params sp = BCTT_SIMULATION_LIST_PARAMS_INIT;
        PONTES_PUT(sp, line_count, 10);
        bctt_simulation_list2 *sl = NULL;
        CHECK_OK(c, bctt_simulation_list(c, &sp, &sl));
        assert_int_equal(sl->has_list_simulation_detail, PONTES_SET);
        bctt_simulation_list2_free(sl);
        bctt_message_list *ml = NULL;
        CHECK_OK(c, bctt_processes_message_list(c, ANY_UUID, NULL, &ml));
        bctt_message_list_free(ml);
        bctt_client_free(c);
        e2e_needs_state(&g_srv, "Simulation List / message lists / Notification Types walked to the end");
        return;
    }
    /* Simulation List (keyset): 250 seeded simulations, 3 pages of 100 */
    bctt_simulation_list_params sp = BCTT_SIMULATION_LIST_PARAMS_INIT;
    PONTES_PUT(sp, line_count, 100);
    bctt_simulation_list_iter *si = NULL;
    assert_int_equal(bctt_simulation_list_iter_new(c, &sp, NULL, &si), PONTES_OK);
    id_set seen = {calloc(SEEDS + 10, 40), 0};
    const bctt_simulation_list_item *s;
    int rc;
    while ((rc = bctt_simulation_list_iter_next(si, &s)) == PONTES_OK) {
        if (!id_add(&seen, s->simulation_unique_id)) fail_msg("duplicate simulation %s", s->simulation_unique_id);
        assert_int_equal(s->wire_simulation_number, PONTES_WIRE_STRING);
        assert_true(s->simulation_number >= 5001 && s->simulation_number <= 5000 + SEEDS);
        assert_int_equal(s->simulation_status_id, 3);
    }
    e2e_op_mark("SimulationList", PONTES_OK, rc == PONTES_ITEROVER);
    assert_int_equal(rc, PONTES_ITEROVER);
    assert_int_equal(seen.n, SEEDS);
    assert_int_equal(bctt_simulation_list_iter_pages(si), 3);
    assert_true(bctt_simulation_list_iter_total(si) == SEEDS);
    bctt_simulation_list_iter_free(si);
    free(seen.ids);

    /* Processes Message List (page): the newest seeded process has 45 messages; pages of 10 */
    assert_true(g_newest2[0]);
    bctt_processes_message_list_params mp = BCTT_PROCESSES_MESSAGE_LIST_PARAMS_INIT;
    PONTES_PUT(mp, page_size, 10);
    bctt_processes_message_list_iter *mi = NULL;
    assert_int_equal(bctt_processes_message_list_iter_new(c, g_newest2, &mp, NULL, &mi), PONTES_OK);
    const bctt_message_item *m;
    size_t n = 0;
    while ((rc = bctt_processes_message_list_iter_next(mi, &m)) == PONTES_OK) {
        char want[64];
        snprintf(want, sizeof want, "Pedido de documenta\xc3\xa7\xc3\xa3o %zu", n + 1);
        assert_string_equal(m->subject, want);
        n++;
    }
    e2e_op_mark("ProcessesMessageList", PONTES_OK, rc == PONTES_ITEROVER);
    assert_int_equal(rc, PONTES_ITEROVER);
    assert_int_equal(n, 45);
    assert_int_equal(bctt_processes_message_list_iter_pages(mi), 5); /* 4 x 10 + 5 (short page ends it) */
    assert_true(bctt_processes_message_list_iter_total(mi) == 45);
    bctt_processes_message_list_iter_free(mi);

    /* Simulations Message List (page): 5 messages of a new simulation, pages of 2 */
    char sim[64];
    new_simulation(c, 100000, false, sim);
    for (int i = 0; i < 5; i++) {
        bctt_message_create_request mc = BCTT_MESSAGE_CREATE_REQUEST_INIT;
        char text[32];
        snprintf(text, sizeof text, "mensagem %d", i);
        PONTES_PUT(mc, text, text);
        bctt_operation_status_response *w = NULL;
        CHECK_OK(c, bctt_simulations_message_create(c, sim, &mc, &w));
        bctt_operation_status_response_free(w);
    }
    bctt_simulations_message_list_params smp = BCTT_SIMULATIONS_MESSAGE_LIST_PARAMS_INIT;
    PONTES_PUT(smp, page_size, 2);
    bctt_simulations_message_list_iter *smi = NULL;
    assert_int_equal(bctt_simulations_message_list_iter_new(c, sim, &smp, NULL, &smi), PONTES_OK);
    n = 0;
    while ((rc = bctt_simulations_message_list_iter_next(smi, &m)) == PONTES_OK) {
        char want[32];
        snprintf(want, sizeof want, "mensagem %zu", 4 - n); /* newest first */
        assert_string_equal(m->text, want);
        n++;
    }
    e2e_op_mark("SimulationsMessageList", PONTES_OK, rc == PONTES_ITEROVER);
    assert_int_equal(rc, PONTES_ITEROVER);
    assert_int_equal(n, 5);
    assert_int_equal(bctt_simulations_message_list_iter_pages(smi), 3);
    bctt_simulations_message_list_iter_free(smi);

    /* Notification Types (page): 7, pages of 3 */
    bctt_notification_types_get_params np = BCTT_NOTIFICATION_TYPES_GET_PARAMS_INIT;
    PONTES_PUT(np, page_size, 3);
    bctt_notification_types_get_iter *ni = NULL;
    assert_int_equal(bctt_notification_types_get_iter_new(c, &np, NULL, &ni), PONTES_OK);
    const bctt_taxonomy_item *t;
    n = 0;
    while ((rc = bctt_notification_types_get_iter_next(ni, &t)) == PONTES_OK) assert_int_equal(t->id, (int)++n);
    e2e_op_mark("NotificationTypesGet", PONTES_OK, rc == PONTES_ITEROVER);
    assert_int_equal(rc, PONTES_ITEROVER);
    assert_int_equal(n, 7);
    assert_int_equal(bctt_notification_types_get_iter_pages(ni), 3);
    bctt_notification_types_get_iter_free(ni);
    bctt_client_free(c);
}

static void test_pagination_callbacks(void **state) {
    (void)state;
    bctt_client *c = client_ex(BROKER2, USER2, NULL);
    const char *partner = g_partner2;
    /* seven callbacks (https: registered, never delivered to) */
    for (int t = 1; t <= 7; t++) {
        char url[128];
        snprintf(url, sizeof url, "https://partner.example.com/bctt/%d", t);
        bctt_callback_update_request u = BCTT_CALLBACK_UPDATE_REQUEST_INIT;
        PONTES_PUT(u, callback_url, url);
        bctt_operation_status_response *w = NULL;
        CHECK_OK(c, bctt_callback_update(c, partner, t, &u, &w));
        expect_code(w, "020801");
        bctt_operation_status_response_free(w);
    }
    if (g_srv.external) {
        bctt_callback_list2 *l = NULL;
        CHECK_OK(c, bctt_callback_list(c, partner, NULL, &l));
        assert_int_equal(l->has_callbacks, PONTES_SET);
        bctt_callback_list2_free(l);
        e2e_needs_state(&g_srv, "Callback List walked to the end (offset)");
    } else {
        bctt_callback_list_params p = BCTT_CALLBACK_LIST_PARAMS_INIT;
        PONTES_PUT(p, limit, 3);
        bctt_callback_list_iter *it = NULL;
        assert_int_equal(bctt_callback_list_iter_new(c, partner, &p, NULL, &it), PONTES_OK);
        const bctt_callback_item *cb;
        int rc, n = 0;
        while ((rc = bctt_callback_list_iter_next(it, &cb)) == PONTES_OK) {
            n++;
            assert_int_equal(cb->notification_type, n);
            char url[128];
            snprintf(url, sizeof url, "https://partner.example.com/bctt/%d", n);
            assert_string_equal(cb->callback_url, url);
        }
        e2e_op_mark("CallbackList", PONTES_OK, rc == PONTES_ITEROVER);
        assert_int_equal(rc, PONTES_ITEROVER);
        assert_int_equal(n, 7);
        assert_int_equal(bctt_callback_list_iter_pages(it), 3);
        assert_true(bctt_callback_list_iter_total(it) == 7);
        bctt_callback_list_iter_free(it);
    }
    for (int t = 1; t <= 7; t++) {
        bctt_operation_status_response *w = NULL;
        CHECK_OK(c, bctt_callback_delete(c, partner, t, &w));
        expect_code(w, "020805");
        bctt_operation_status_response_free(w);
    }
    bctt_client_free(c);
}

static void test_pagination_error_mid_walk(void **state) {
    (void)state;
    REQUIRE_MOCK("an injected 500 on the third page (admin fail)");
    bctt_client *c = client_ex(BROKER2, USER2, NULL);
    /* pages 1-2 answered, then 500s (more than the retries) */
    admin("bctt/fail", "{\"operationId\": \"ProcessList\", \"status\": 500, \"skip\": 2, \"count\": 3}");
    bctt_process_list_params p = BCTT_PROCESS_LIST_PARAMS_INIT;
    PONTES_PUT(p, line_count, 50);
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.max_retries = 0;
    bctt_process_list_iter *it = NULL;
    assert_int_equal(bctt_process_list_iter_new(c, &p, &o, &it), PONTES_OK);
    const bctt_process_list_item *item;
    int rc, n = 0;
    while ((rc = bctt_process_list_iter_next(it, &item)) == PONTES_OK) n++;
    assert_int_equal(n, 100); /* the items before the error were delivered */
    assert_int_equal(rc, PONTES_EHTTP);
    const pontes_error *e = bctt_process_list_iter_error(it);
    assert_int_equal(e->status, PONTES_EHTTP);
    assert_int_equal(e->http_status, 500);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "050002");
    assert_int_equal(bctt_process_list_iter_next(it, &item), PONTES_EHTTP); /* the error is kept */
    assert_int_equal(bctt_process_list_iter_error(it)->http_status, 500);
    assert_int_equal(bctt_process_list_iter_pages(it), 2);
    bctt_process_list_iter_free(it);
    admin("bctt/fail", "{\"clear\": true}");
    bctt_client_free(c);
}

/* ======================================================================== */
/* 6. operationStatus                                                        */

static void test_operation_status(void **state) {
    (void)state;
    bctt_client *c = client();
    /* success: the code available to the caller, split by the generated helper */
    char sim[64];
    new_simulation(c, 0, false, sim); /* no loan amount: Validate will refuse it */
    bctt_simulation_update_request su = BCTT_SIMULATION_UPDATE_REQUEST_INIT;
    PONTES_PUT(su, loan_duration_months, 240);
    bctt_operation_status_response *w = NULL;
    CHECK_OK(c, bctt_simulation_update(c, sim, &su, &w));
    const char *code = status_code_of(w);
    char cat[8], field[8], err_[8];
    assert_int_equal(bctt_status_code_part(code, "category", cat, sizeof cat), PONTES_OK);
    assert_int_equal(bctt_status_code_part(code, "field", field, sizeof field), PONTES_OK);
    assert_int_equal(bctt_status_code_part(code, "error", err_, sizeof err_), PONTES_OK);
    char joined[32];
    snprintf(joined, sizeof joined, "%s%s%s", cat, field, err_);
    assert_string_equal(joined, code);
    const char *pname = NULL; /* the runtime helper, by position */
    char part[8];
    assert_int_equal(pontes_status_code_part_at(&bctt_status_code, code, 1, &pname, part, sizeof part), PONTES_OK);
    assert_string_equal(pname, "field");
    assert_string_equal(part, field);
    assert_int_equal(pontes_status_code_part(&bctt_status_code, code, "nonsense", part, sizeof part), PONTES_EINVAL);
    if (!g_srv.external) {
        assert_string_equal(cat, "02");
        assert_string_equal(field, "07");
        assert_string_equal(err_, "01");
    }
    assert_non_null(w->operation_status->operation_status_message);
    bctt_operation_status_response_free(w);
    w = NULL;

    /* a validation error: the provider's code in the error object, and its three parts */
    pontes_call_options o;
    const char *h[2];
    int rc = bctt_simulation_validate_ex(c, sim, &w, prism_example(&o, h, "Prefer: code=400"));
    if (g_srv.external && !g_prism) {
        op_mark(c, rc, "SimulationValidate");
        bctt_operation_status_response_free(w);
        bctt_client_free(c);
        e2e_needs_state(&g_srv, "a 400 validation error (needs the mock or Prism's Prefer: code=400)");
        return;
    }
    check_http(c, rc, 400, "bctt_simulation_validate_ex(", __FILE__, __LINE__);
    assert_null(w);
    const pontes_error *e = bctt_client_last_error(c);
    assert_non_null(e->provider_code);
    assert_int_equal(pontes_status_code_check(&bctt_status_code, e->provider_code), PONTES_OK);
    assert_non_null(e->provider_message);
    const char *want = g_srv.external ? "040101" : "040102"; /* Prism: the spec's 400 example */
    assert_string_equal(e->provider_code, want);
    assert_non_null(pontes_error_code_part(e, "category"));
    assert_string_equal(pontes_error_code_part(e, "category"), "04");
    assert_string_equal(pontes_error_code_part(e, "field"), "01");
    assert_string_equal(pontes_error_code_part(e, "error"), want + 4);
    const char *name = NULL;
    assert_string_equal(pontes_error_code_part_at(e, 2, &name), want + 4);
    assert_string_equal(name, "error");
    assert_null(pontes_error_code_part(e, "nonsense"));
    if (!g_srv.external) assert_non_null(strstr(e->provider_message, "loanAmount"));

    /* an empty 2xx body: a success, with an all-absent answer (and the operation ran) */
    if (mock_state("an injected empty 2xx (admin fail empty)")) {
        admin("bctt/fail", "{\"operationId\": \"SimulationUpdate\", \"status\": 200, \"empty\": true}");
        PONTES_PUT(su, loan_amount, money(111000));
        CHECK_OK(c, bctt_simulation_update(c, sim, &su, &w));
        assert_non_null(w);
        assert_int_equal(w->has_operation_status, PONTES_ABSENT);
        assert_null(w->operation_status);
        bctt_operation_status_response_free(w);
        w = NULL;
        bctt_simulation_detail2 *sd = NULL;
        CHECK_OK(c, bctt_simulation_detail(c, sim, &sd));
        assert_money(&sd->loan_simulation_detail->loan_amount, 111000);
        bctt_simulation_detail2_free(sd);
        /* 204 on a create: the same */
        admin("bctt/fail", "{\"operationId\": \"SimulationsMessageCreate\", \"status\": 204, \"empty\": true}");
        bctt_message_create_request mc = BCTT_MESSAGE_CREATE_REQUEST_INIT;
        PONTES_PUT(mc, text, "sem corpo");
        CHECK_OK(c, bctt_simulations_message_create(c, sim, &mc, &w));
        assert_non_null(w);
        assert_int_equal(w->has_operation_status, PONTES_ABSENT);
        bctt_operation_status_response_free(w);
        bctt_message_list *ml = NULL;
        CHECK_OK(c, bctt_simulations_message_list(c, sim, NULL, &ml));
        assert_int_equal(ml->total_count, 1);
        bctt_message_list_free(ml);
    }
    bctt_client_free(c);
}

/* ======================================================================== */
/* 7. callbacks and the generated receiver                                   */

static bctt_partner_notification_notification *receive(const char *body, size_t len, const char *ctype, int *rc,
                                                       pontes_error *err) {
    pontes_header hdr[1] = {{"Content-Type", ctype}};
    bctt_partner_notification_notification *n = NULL;
    *rc = bctt_partner_notification_receive(body, len, ctype ? hdr : NULL, ctype ? 1 : 0, NULL, &n, err);
    return n;
}

static const e2e_hook *wait_hook(e2e_listener *l, size_t count) {
    for (int i = 0; i < 200 && e2e_listener_count(l) < count; i++) e2e_sleep_ms(25);
    return e2e_listener_hook(l, count - 1);
}

/* A hook received: decoded with the generated receiver; raw body byte-exact; exactly one id. */
static void check_hook(const e2e_hook *h, int type, const char *process_id, const char *simulation_id,
                       const char *raw_member) {
    assert_non_null(h);
    assert_string_equal(h->method, "POST");
    int rc;
    pontes_error err = PONTES_ERROR_INIT;
    bctt_partner_notification_notification *n = receive(h->body, h->body_len, h->content_type, &rc, &err);
    if (rc != PONTES_OK) fail_msg("receive: %s: %s (body %s)", pontes_status_name(rc), err.message, h->body);
    assert_int_equal(n->raw_body_len, h->body_len);
    assert_memory_equal(n->raw_body, h->body, h->body_len);
    assert_int_equal(n->raw_body[n->raw_body_len], '\0');
    assert_non_null(n->content_type);
    const bctt_partner_notification *b = n->body;
    assert_int_equal(b->notification_type_id, type);
    if (process_id) {
        assert_int_equal(b->has_process_unique_id, PONTES_SET);
        assert_string_equal(b->process_unique_id, process_id);
        assert_int_equal(b->has_simulation_unique_id, PONTES_ABSENT);
    } else {
        assert_int_equal(b->has_simulation_unique_id, PONTES_SET);
        assert_string_equal(b->simulation_unique_id, simulation_id);
        assert_int_equal(b->has_process_unique_id, PONTES_ABSENT);
    }
    assert_int_equal(b->has_raw_body, PONTES_SET);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(b->raw_body, raw_member));
    bctt_partner_notification_notification_free(n);
    pontes_error_clear(&err);
}

static void test_receiver_rejects(void **state) {
    (void)state;
    static const char *const bad[] = {
        /* both ids */
        "{\"notificationTypeID\":1,\"processUniqueId\":\"" ANY_UUID "\",\"simulationUniqueId\":\"" ANY_UUID "\","
        "\"rawBody\":{}}",
        /* neither */
        "{\"notificationTypeID\":1,\"rawBody\":{}}",
        /* malformed */
        "{\"notificationTypeID\":1,\"processUniqueId\":",
        "",
        "[1,2]",
        "\xff\xfe{}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        pontes_error err = PONTES_ERROR_INIT;
        bctt_partner_notification_notification *n = receive(bad[i], strlen(bad[i]), "application/json", &rc, &err);
        if (rc == PONTES_OK) fail_msg("receiver accepted %s", bad[i]);
        assert_null(n);
        assert_int_equal(rc, PONTES_EDECODE);
        assert_int_equal(err.http_status, 400);
        assert_non_null(err.message);
        pontes_error_clear(&err);
    }
    /* another media type: 415 */
    const char *ok = "{\"notificationTypeID\":1,\"processUniqueId\":\"" ANY_UUID "\",\"rawBody\":{}}";
    int rc;
    pontes_error err = PONTES_ERROR_INIT;
    assert_null(receive(ok, strlen(ok), "text/plain", &rc, &err));
    assert_int_equal(rc, PONTES_EDECODE);
    assert_int_equal(err.http_status, 415);
    pontes_error_clear(&err);
    /* and the good one (charset parameter accepted) */
    bctt_partner_notification_notification *n = receive(ok, strlen(ok), "application/json; charset=utf-8", &rc, &err);
    assert_int_equal(rc, PONTES_OK);
    assert_string_equal(n->body->process_unique_id, ANY_UUID);
    bctt_partner_notification_notification_free(n);
    pontes_error_clear(&err);
}

static void test_callbacks(void **state) {
    (void)state;
    bool mock = !g_srv.external;
    bctt_client *c = client();
    e2e_listener *lis = mock ? e2e_listener_start() : NULL;
    if (mock) assert_non_null(lis);
    const char *url = mock ? e2e_listener_url(lis) : "https://partner.example.com/bctt/notifications";
    bctt_callback_update_request u = BCTT_CALLBACK_UPDATE_REQUEST_INIT;
    PONTES_PUT(u, callback_url, url);
    bctt_operation_status_response *w = NULL;
    CHECK_OK(c, bctt_callback_update(c, g_partner, 1, &u, &w));
    expect_code(w, "020801");
    bctt_operation_status_response_free(w);
    w = NULL;
    CHECK_OK(c, bctt_callback_update(c, g_partner, 4, &u, &w));
    bctt_operation_status_response_free(w);
    w = NULL;
    bctt_callback_list2 *cl = NULL;
    CHECK_OK(c, bctt_callback_list(c, g_partner, NULL, &cl));
    assert_int_equal(cl->has_callbacks, PONTES_SET);
    if (mock) {
        assert_int_equal(cl->total_count, 2);
        assert_int_equal(cl->callbacks.items[0]->notification_type, 1);
        assert_string_equal(cl->callbacks.items[0]->callback_url, url);
    }
    bctt_callback_list2_free(cl);

    /* Echo a process event: the mock POSTs it to the listener */
    char proc[64] = ANY_UUID;
    if (mock) {
        char sim[64];
        new_simulation(c, 130000, true, sim); /* also notifies type 4 (simulation status) by itself */
        new_process(c, sim, proc, NULL);
        wait_hook(lis, 1);
    }
    size_t before = mock ? e2e_listener_count(lis) : 0;
    bctt_partner_notification ev = BCTT_PARTNER_NOTIFICATION_INIT;
    PONTES_PUT(ev, notification_type_id, 1);
    PONTES_PUT(ev, process_unique_id, proc);
    cJSON *raw = cJSON_Parse("{\"processStatusID\": 2, \"processStatusDescription\": \"In Review\", \"nota\": \"\xc3\xa9\"}");
    PONTES_PUT(ev, raw_body, raw);
    CHECK_OK(c, bctt_callback_echo(c, g_partner, &ev, &w));
    expect_code(w, "020810");
    if (mock) {
        const cJSON *ad = w->additional_data;
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ad, "delivered")));
    }
    bctt_operation_status_response_free(w);
    w = NULL;
    if (mock) {
        const e2e_hook *h = NULL;
        for (size_t i = before; !h; i++) { /* the Echo's POST (skipping any automatic notification) */
            const e2e_hook *x = wait_hook(lis, i + 1);
            assert_non_null(x);
            if (strstr(x->body, "\"nota\"")) h = x;
        }
        check_hook(h, 1, proc, NULL, "nota");
        assert_non_null(strstr(h->body, "\xc3\xa9")); /* UTF-8 as sent (the raw body is kept byte for byte) */

        /* the server's own notification: Submit (-> In Review) notifies type 1 by itself */
        bctt_document_create_request dc = BCTT_DOCUMENT_CREATE_REQUEST_INIT;
        PONTES_PUT(dc, file_name, "cc.pdf");
        PONTES_PUT(dc, document_type_id, 924);
        pontes_bytes content = {(const uint8_t *)"%PDF-1.4\n%%EOF\n", 14};
        PONTES_PUT(dc, document_content, content);
        CHECK_OK(c, bctt_document_create(c, proc, &dc, &w));
        bctt_operation_status_response_free(w);
        w = NULL;
        size_t n0 = e2e_listener_count(lis);
        CHECK_OK(c, bctt_process_submit(c, proc, &w));
        bctt_operation_status_response_free(w);
        w = NULL;
        h = NULL;
        for (size_t i = n0; !h; i++) {
            const e2e_hook *x = wait_hook(lis, i + 1);
            assert_non_null(x);
            if (strstr(x->body, "\"processStatusDescription\"") && strstr(x->body, proc)) h = x;
        }
        check_hook(h, 1, proc, NULL, "processStatusID");
        assert_non_null(strstr(h->body, "In Review"));
    }

    /* both ids: refused (by the client's encoder or the server's 400 041201) */
    PONTES_PUT(ev, simulation_unique_id, ANY_UUID);
    int rc = bctt_callback_echo(c, g_partner, &ev, &w);
    assert_int_not_equal(rc, PONTES_OK);
    assert_null(w);
    if (rc == PONTES_EHTTP) {
        op_mark(c, rc, "CallbackEcho");
        if (mock) assert_string_equal(bctt_client_last_error(c)->provider_code, "041201");
    } else {
        assert_int_equal(rc, PONTES_EENCODE);
    }
    /* neither */
    ev.has_simulation_unique_id = PONTES_ABSENT;
    ev.has_process_unique_id = PONTES_ABSENT;
    rc = bctt_callback_echo(c, g_partner, &ev, &w);
    assert_int_not_equal(rc, PONTES_OK);
    cJSON_Delete(raw);

    /* a simulation event, through the mock's admin notify */
    if (mock) {
        size_t n0 = e2e_listener_count(lis);
        char body[400];
        char sim[64];
        new_simulation(c, 50000, false, sim);
        snprintf(body, sizeof body,
                 "{\"broker\": \"%s\", \"notificationTypeID\": 4, \"simulationUniqueId\": \"%s\", \"rawBody\": "
                 "{\"simulationStatusID\": 2, \"marca\": [1, 2.50, \"x\"]}}",
                 g_broker, sim);
        admin("bctt/notify", body);
        const e2e_hook *h = NULL;
        for (size_t i = n0; !h; i++) {
            const e2e_hook *x = wait_hook(lis, i + 1);
            assert_non_null(x);
            if (strstr(x->body, "\"marca\"")) h = x;
        }
        check_hook(h, 4, NULL, sim, "marca");
        /* the automatic notification of Validate (type 4) arrived too */
        bool validated = false;
        for (size_t i = 0; i < e2e_listener_count(lis); i++) {
            const e2e_hook *x = e2e_listener_hook(lis, i);
            if (strstr(x->body, "\"simulationStatusDescription\"")) validated = true;
        }
        assert_true(validated);
    }

    CHECK_OK(c, bctt_callback_delete(c, g_partner, 1, &w));
    expect_code(w, "020805");
    bctt_operation_status_response_free(w);
    w = NULL;
    CHECK_OK(c, bctt_callback_delete(c, g_partner, 4, &w));
    bctt_operation_status_response_free(w);
    w = NULL;
    if (mock) { /* gone: 404 with the provider's code */
        CHECK_HTTP(c, bctt_callback_delete(c, g_partner, 1, &w), 404);
        assert_string_equal(bctt_client_last_error(c)->provider_code, "031101");
    }
    e2e_listener_free(lis);
    bctt_client_free(c);
}

/* ======================================================================== */

static int group_setup(void **state) {
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *specs[] = {E2E_BCTT_SPEC, NULL};
    g_srv.api = "bctt";
    e2e_ops_init("bctt", bctt_ops);
    if (e2e_server_start(&g_srv, specs, 3600, true) != 0) return -1;
    const char *v = e2e_env(&g_srv, "CLIENT_ID");
    snprintf(g_cid, sizeof g_cid, "%s", v ? v : DEFAULT_CLIENT_ID);
    v = e2e_env(&g_srv, "CLIENT_SECRET");
    snprintf(g_csec, sizeof g_csec, "%s", v ? v : DEFAULT_CLIENT_SECRET);
    v = e2e_env(&g_srv, "BROKER_ID");
    snprintf(g_broker, sizeof g_broker, "%s", v ? v : DEFAULT_BROKER);
    v = e2e_env(&g_srv, "USERNAME");
    snprintf(g_user, sizeof g_user, "%s", v ? v : DEFAULT_USER);
    v = e2e_env(&g_srv, "PRISM");
    g_prism = g_srv.external && v && strcmp(v, "1") == 0;
    snprintf(g_partner, sizeof g_partner, "%s", ANY_UUID);
    snprintf(g_partner2, sizeof g_partner2, "%s", ANY_UUID);
    if (!g_srv.external) { /* the partner ids of the brokers (admin state) */
        cJSON *s = admin_state();
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(s, "partners");
        const char *a = json_str(p, DEFAULT_BROKER), *b = json_str(p, BROKER2);
        if (!a || !b) {
            cJSON_Delete(s);
            fprintf(stderr, "e2e bctt: no partner ids in the admin state\n");
            return -1;
        }
        snprintf(g_partner, sizeof g_partner, "%s", a);
        snprintf(g_partner2, sizeof g_partner2, "%s", b);
        cJSON_Delete(s);
    }
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/pontes-e2e-bctt.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_tmpdir)) {
        perror("e2e bctt: mkdtemp");
        return -1;
    }
    print_message("e2e bctt: %s server %s (%s%s)\n", g_srv.external ? "external" : "mock", g_srv.base_url,
                  g_srv.stateful ? "stateful" : "stateless", g_prism ? ", Prism" : "");
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    e2e_server_stop(&g_srv);
    if (g_tmpdir[0]) rmdir(g_tmpdir);
    curl_global_cleanup();
    return 0;
}

static void test_every_operation_reached(void **state) {
    (void)state;
    /* the list above is the generated operation registry, no more, no less */
    size_t listed = 0;
    while (bctt_ops[listed].id) listed++;
    assert_int_equal(listed, 82);
    assert_int_equal(bctt_operation_count, listed);
    for (size_t i = 0; i < bctt_operation_count; i++) {
        bool found = false;
        for (size_t k = 0; k < listed && !found; k++)
            found = strcmp(bctt_operations[i].op->operation_id, bctt_ops[k].id) == 0;
        if (!found) fail_msg("operation %s of the registry is not in this suite's list", bctt_operations[i].op->operation_id);
    }
    /* the two ESIS Email GETs are side effects (x-pontes-idempotent: false), never retried */
    assert_true(bctt_op_process_esis_email.flags & PONTES_OP_SIDE_EFFECT);
    assert_true(bctt_op_simulation_esis_email.flags & PONTES_OP_SIDE_EFFECT);
    assert_false(bctt_op_process_esis_email.flags & PONTES_OP_IDEMPOTENT);
    if (g_unknown_members)
        print_message("e2e bctt: answers with members the spec does not declare (kept in _extra): %s\n", g_unknown_list);
    size_t missing = e2e_ops_report(&g_srv);
    if (missing) fail_msg("%zu operation(s) of bctt not reached (see the e2e[bctt] line above)", missing);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxonomies),
        cmocka_unit_test(test_authenticate),
        cmocka_unit_test(test_broker_flow),
        cmocka_unit_test(test_esis_email_not_retried),
        cmocka_unit_test(test_session_idle_expiry),
        cmocka_unit_test(test_session_server_expiry),
        cmocka_unit_test(test_session_secrets_not_logged),
        cmocka_unit_test(test_pagination_process_list),
        cmocka_unit_test(test_numbers_as_strings),
        cmocka_unit_test(test_pagination_simulations_and_messages),
        cmocka_unit_test(test_pagination_callbacks),
        cmocka_unit_test(test_pagination_error_mid_walk),
        cmocka_unit_test(test_operation_status),
        cmocka_unit_test(test_receiver_rejects),
        cmocka_unit_test(test_callbacks),
        cmocka_unit_test(test_every_operation_reached),
    };
    return cmocka_run_group_tests_name("e2e_bctt", tests, group_setup, group_teardown);
}
