/* End-to-end tests of the generated ECCOR FGTS client over real HTTP.
 *
 * Server under test: the mock (tools/mock/mock_server.py, started here as a child process with the
 * ECCOR spec), or — when PONTES_TEST_BASE_URL_ECCOR (else PONTES_TEST_BASE_URL) is set — that
 * server, with PONTES_TEST_TOKEN_URL[_ECCOR] (default: base + /oauth2/token),
 * PONTES_TEST_CLIENT_ID[_ECCOR] / PONTES_TEST_CLIENT_SECRET[_ECCOR] (default: the mock's
 * pontes-demo / pontes-demo-secret), PONTES_TEST_SCOPE[_ECCOR] (default credit/admin) and
 * PONTES_TEST_STATEFUL[_ECCOR] / PONTES_TEST_EXAMPLES[_ECCOR] (see e2e_support.h).
 * Tests that need the mock's admin endpoints (request log, token expiry, webhook delivery) are
 * skipped against an external server. Against a stateless one (Prism, the default for an external
 * server) every other test still calls its operations and decodes the answers; only the
 * assertions that need state (read back what was written, credentials or records checked, error
 * answers) are skipped. The last test fails unless all 13 operations were reached. */
#define _GNU_SOURCE
#include "e2e_support.h"

#include <pontes/eccor.h>

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <curl/curl.h>

#ifndef E2E_ECCOR_SPEC
#error "E2E_ECCOR_SPEC (generated/eccor/openapi.json) must be defined"
#endif

/* Token lifetime given to the mock (--token-ttl): comfortably longer than any test under
 * valgrind; the refresh tests derive their refresh margins from it (a margin of
 * TOKEN_TTL - 3 makes a token stale after 3 s, a margin above TOKEN_TTL makes it never fresh). */
#define TOKEN_TTL 30

#define CPF "00805349960"
#define EXAMPLE_PRODUCT "a3770bf5-fc8b-4668-ba54-4bfecd089b69"
#define UNKNOWN_PRODUCT "a3770bf5-fc8b-4668-ba54-4bfecd089b61"
#define UNKNOWN_UUID "0b6f1c1e-0000-4000-8000-00000000dead"
/* a name that needs percent-encoding in a query string: space, &, / and a non-ASCII letter */
#define ODD_NAME "NILCE GARBELINI & Cia/\xc3\xa7"
#define ODD_NAME_QUERY "personDisplay=NILCE%20GARBELINI%20%26%20Cia%2F%C3%A7"

static e2e_server g_srv;

/* Every operation of the API (the last test checks that each one was reached). */
static const e2e_op eccor_ops[] = {
    {"createToken", "eccor_create_token"},
    {"listProducts", "eccor_list_products"},
    {"simulateAmortization", "eccor_simulate_amortization"},
    {"createNaturalPerson", "eccor_create_natural_person"},
    {"listNaturalPersons", "eccor_list_natural_persons"},
    {"updateNaturalPerson", "eccor_update_natural_person"},
    {"getNaturalPerson", "eccor_get_natural_person"},
    {"addBankAccounts", "eccor_add_bank_accounts"},
    {"updateBankAccount", "eccor_update_bank_account"},
    {"deleteBankAccount", "eccor_delete_bank_account"},
    {"createCreditNote", "eccor_create_credit_note"},
    {"submitCreditNoteApproval", "eccor_submit_credit_note_approval"},
    {"donePaymentRevision", "eccor_done_payment_revision"},
    {NULL, NULL},
};

/* The assertions that follow need a server that keeps state (records, credentials, errors):
 * false (and counted as skipped) against a stateless external server. */
#define STATEFUL(what) (!e2e_needs_state(&g_srv, (what)))
/* The server answers the spec's first examples where it keeps no state. */
#define EXAMPLES() (g_srv.examples)

#define REQUIRE_MOCK()                                                                      \
    do {                                                                                    \
        if (g_srv.external) {                                                               \
            print_message("skipped: needs the mock's admin endpoints (PONTES_TEST_BASE_URL set)\n"); \
            skip();                                                                         \
        }                                                                                   \
    } while (0)

static const char *scope(void) {
    const char *s = e2e_env(&g_srv, "SCOPE");
    return s ? s : "credit/admin";
}

/* ---- clients ------------------------------------------------------------ */

static eccor_client *client_plain(void) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_srv.base_url;
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 30000;
    o.retry_base_ms = 50;
    o.retry_max_ms = 500;
    eccor_client *c = NULL;
    assert_int_equal(eccor_client_new(&c, &o), PONTES_OK);
    assert_non_null(c);
    return c;
}

static eccor_client *client_oauth(long margin_s, const char *secret, const char *scope_) {
    eccor_client *c = client_plain();
    pontes_oauth2_options o = PONTES_OAUTH2_OPTIONS_INIT;
    o.token_url = g_srv.token_url;
    o.client_id = g_srv.client_id;
    o.client_secret = secret ? secret : g_srv.client_secret;
    o.scope = scope_ ? scope_ : scope();
    o.refresh_margin_s = margin_s;
    assert_int_equal(pontes_client_set_oauth2_client_credentials(c, "uy3Auth", &o), PONTES_OK);
    return c;
}

/* The default client for API calls: OAuth2, token kept while valid. */
static eccor_client *client(void) { return client_oauth(0, NULL, NULL); }

/* The corrected payout account of the documented donePaymentRevision example. */
static void revision_request(eccor_revision_bank_account *rba, eccor_done_payment_revision_request *dr) {
    memset(rba, 0, sizeof *rba); rba->_size = sizeof *rba;
    PONTES_PUT(*rba, bank_code, "33");
    PONTES_PUT(*rba, account, "123456789");
    PONTES_PUT(*rba, agency, "1234");
    PONTES_PUT_ENUM(*rba, type, ECCOR_BANK_ACCOUNT_TYPE_NATURAL_CHECKING_ACCOUNT);
    PONTES_PUT(*rba, joint_account, false);
    PONTES_PUT_ENUM(*rba, operation_type_value, ECCOR_OPERATION_TYPE_TRANSFER);
    memset(dr, 0, sizeof *dr); dr->_size = sizeof *dr;
    PONTES_PUT(*dr, bank_account, rba);
}

/* Record a call of an operation (call: its C text, see e2e_op_mark) and return rc. */
static int op_mark(eccor_client *c, int rc, const char *call) {
    long http = eccor_client_last_error(c)->http_status;
    return e2e_op_mark(call, rc, rc == PONTES_OK || (rc == PONTES_EHTTP && http > 0));
}
#define OP(c, call) op_mark((c), (call), #call)

static void check_ok(eccor_client *c, int rc, const char *what, const char *file, int line) {
    if (strncmp(what, "eccor_", 6) == 0) op_mark(c, rc, what);
    if (rc == PONTES_OK) return;
    const pontes_error *e = eccor_client_last_error(c);
    print_error("%s:%d: %s failed: %s (%s) http=%ld provider_code=%s body=%s\n", file, line, what,
                pontes_status_name(rc), e->message ? e->message : "", e->http_status,
                e->provider_code ? e->provider_code : "-", e->body ? e->body : "-");
    _fail(file, line);
}
#define CHECK_OK(c, call) check_ok((c), (call), #call, __FILE__, __LINE__)

/* ---- request log (mock only) ---------------------------------------------- */

/* Each test starts from the mock's initial state with an empty request log (every test
 * creates the records it needs). No-op against an external server. */
static void reset_mock(void) {
    if (!g_srv.external) assert_true(e2e_admin_reset(&g_srv));
}

static size_t count_requests(const char *method, const char *suffix) {
    cJSON *log = e2e_admin_requests(&g_srv);
    assert_non_null(log);
    size_t n = e2e_log_count(log, method, suffix);
    cJSON_Delete(log);
    return n;
}

/* Statuses of the logged requests of one operation, in order, as "200,401,200". */
static void op_statuses(const char *op_id, char *buf, size_t cap) {
    cJSON *log = e2e_admin_requests(&g_srv);
    assert_non_null(log);
    buf[0] = '\0';
    const cJSON *e;
    cJSON_ArrayForEach(e, log) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(e, "operationId");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "status");
        if (!cJSON_IsString(o) || strcmp(o->valuestring, op_id) != 0) continue;
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%d", n ? "," : "", cJSON_IsNumber(s) ? s->valueint : -1);
    }
    cJSON_Delete(log);
}

/* ---- request bodies --------------------------------------------------------- */

typedef struct person_fixture {
    eccor_address addr;
    eccor_pix_key_input pix;
    eccor_transfer_account_input tr;
    eccor_transfer_account_input_account acct;
    eccor_bank_account_input u_pix, u_tr;
    eccor_bank_account_input *accs[2];
    eccor_natural_person_input in;
    char name[200];
} person_fixture;


static void person_fixture_init(person_fixture *f, const char *name) {
    memset(f, 0, sizeof *f);
    f->addr._size = sizeof f->addr, f->pix._size = sizeof f->pix, f->tr._size = sizeof f->tr, f->in._size = sizeof f->in;
    snprintf(f->name, sizeof f->name, "%s", name);
    PONTES_PUT(f->addr, address_name, "Rua Ant\xc3\xb4nio Marco Pazote");
    PONTES_PUT(f->addr, zip_code, "13737-005");
    PONTES_PUT(f->addr, city, "Mococa");
    PONTES_PUT_ENUM(f->addr, uf, ECCOR_UF_SP);
    PONTES_PUT(f->addr, district, "Jardim Colina Verde");
    PONTES_PUT(f->addr, number, "169");
    PONTES_PUT(f->addr, complement, "N/A");

    PONTES_PUT_ENUM(f->pix, operation_type_value, ECCOR_PIX_KEY_INPUT_OPERATION_TYPE_VALUE_PIX);
    PONTES_PUT_ENUM(f->pix, pix_key_type_value, ECCOR_PIX_KEY_TYPE_NATURAL_REGISTRATION_NUMBER);
    PONTES_PUT(f->pix, key_pix, CPF);

    f->acct.kind = ECCOR_TRANSFER_ACCOUNT_INPUT_ACCOUNT_STRING;
    f->acct.u.string = "1234567";
    PONTES_PUT_ENUM(f->tr, operation_type_value, ECCOR_TRANSFER_ACCOUNT_INPUT_OPERATION_TYPE_VALUE_TRANSFER);
    PONTES_PUT(f->tr, account, &f->acct);
    PONTES_PUT(f->tr, agency, "1234");
    PONTES_PUT_ENUM(f->tr, type, ECCOR_BANK_ACCOUNT_TYPE_NATURAL_CHECKING_ACCOUNT);
    PONTES_PUT(f->tr, bank_code, "1");
    PONTES_PUT(f->tr, account_digit, "0");
    PONTES_PUT(f->tr, joint_account, false);

    f->u_pix.kind = ECCOR_BANK_ACCOUNT_INPUT_PIX_KEY_INPUT;
    f->u_pix.u.pix_key_input = &f->pix;
    f->u_tr.kind = ECCOR_BANK_ACCOUNT_INPUT_TRANSFER_ACCOUNT_INPUT;
    f->u_tr.u.transfer_account_input = &f->tr;
    f->accs[0] = &f->u_pix;
    f->accs[1] = &f->u_tr;

    PONTES_PUT(f->in, registration_number, CPF);
    PONTES_PUT_ENUM(f->in, civil_status, ECCOR_CIVIL_STATUS_SINGLE);
    PONTES_PUT(f->in, birth_date, "1985-04-03T03:00:00.000Z");
    PONTES_PUT(f->in, nationality, "Brasileira");
    PONTES_PUT(f->in, email, "nilce.knupp@geradornv.com.br");
    PONTES_PUT(f->in, phone, "12980546587");
    PONTES_PUT(f->in, name, f->name);
    PONTES_PUT(f->in, occupation, "ADVOGADA");
    PONTES_PUT(f->in, address, &f->addr);
    f->in.bank_accounts.items = f->accs;
    f->in.bank_accounts.count = 2;
    f->in.has_bank_accounts = PONTES_SET;
}

static const eccor_bank_account *find_account_by_type(const eccor_natural_person *p, int op_type) {
    for (size_t i = 0; i < p->bank_accounts.count; i++)
        if (p->bank_accounts.items[i]->operation_type_value.value == op_type) return p->bank_accounts.items[i];
    return NULL;
}

static const eccor_bank_account *find_account_by_id(const eccor_natural_person *p, const char *id) {
    for (size_t i = 0; i < p->bank_accounts.count; i++)
        if (p->bank_accounts.items[i]->id && strcasecmp(p->bank_accounts.items[i]->id, id) == 0)
            return p->bank_accounts.items[i];
    return NULL;
}

/* Create a person from f; copy its id to id (cap >= 64). */
static void create_person(eccor_client *c, person_fixture *f, char *id, size_t cap) {
    eccor_uuid *u = NULL;
    CHECK_OK(c, eccor_create_natural_person(c, &f->in, &u));
    assert_non_null(u);
    assert_int_equal(u->has_value, PONTES_SET);
    assert_non_null(u->value);
    assert_int_equal(strlen(u->value), 36); /* a UUID */
    snprintf(id, cap, "%s", u->value);
    eccor_uuid_free(u);
}

/* Create a person with a Pix key and a transfer account; return the transfer account id. */
static void create_person_with_account(eccor_client *c, char *pid, char *aid, size_t cap) {
    char uniq[64], name[160];
    snprintf(name, sizeof name, "E2E CREDIT %s", e2e_unique(uniq, sizeof uniq));
    person_fixture f;
    person_fixture_init(&f, name);
    create_person(c, &f, pid, cap);
    eccor_natural_person *p = NULL;
    CHECK_OK(c, eccor_get_natural_person(c, pid, &p));
    const eccor_bank_account *tr = find_account_by_type(p, ECCOR_OPERATION_TYPE_TRANSFER);
    assert_non_null(tr);
    snprintf(aid, cap, "%s", tr->id);
    eccor_natural_person_free(p);
}

static void first_product_id(eccor_client *c, char *buf, size_t cap) {
    eccor_product_page *pp = NULL;
    CHECK_OK(c, eccor_list_products(c, &pp));
    assert_true(pp->data.count >= 1);
    assert_non_null(pp->data.items[0]->id);
    snprintf(buf, cap, "%s", pp->data.items[0]->id);
    eccor_product_page_free(pp);
}

typedef struct credit_note_fixture {
    eccor_agent_commission ac;
    eccor_credit_note_amortization am;
    eccor_credit_note_request rq;
    char start[40];
} credit_note_fixture;

static void credit_note_fixture_init(credit_note_fixture *f, const char *product, const char *person,
                                     const char *account) {
    memset(f, 0, sizeof *f);
    f->ac._size = sizeof f->ac, f->am._size = sizeof f->am, f->rq._size = sizeof f->rq;
    PONTES_PUT(f->ac, amount, 0.0);
    PONTES_PUT_ENUM(f->ac, type, ECCOR_AGENT_COMMISSION_TYPE_PERCENTAGE);
    PONTES_PUT_ENUM(f->ac, base_value, ECCOR_AGENT_COMMISSION_BASE_VALUE_INITIAL_VALUE);
    e2e_date_in_days(f->start, sizeof f->start, 2); /* cannot be in the past */
    PONTES_PUT(f->am, agent_commission, &f->ac);
    PONTES_PUT(f->am, apr, 0.0204);
    PONTES_PUT(f->am, term_in_months, 10);
    PONTES_PUT(f->am, start_date, f->start);
    PONTES_PUT(f->am, requested_amount, 0);
    PONTES_PUT_ENUM(f->am, amortization_type, ECCOR_AMORTIZATION_PARAMS_AMORTIZATION_TYPE_FGTS);
    PONTES_PUT(f->am, legal_person, false);
    PONTES_PUT(f->rq, product_id, product);
    PONTES_PUT(f->rq, person_id, person);
    PONTES_PUT(f->rq, beneficiary_id, person);
    PONTES_PUT(f->rq, bank_account_id, account);
    PONTES_PUT_ENUM(f->rq, liquidation_type, ECCOR_LIQUIDATION_TYPE_ELETRONIC_TRANSFER);
    PONTES_PUT(f->rq, amortization, &f->am);
}

/* A borrower with one account and a draft credit note for the first product:
 * pid/aid/cid receive the person, account and credit note ids (cap bytes each). */
static void create_draft_credit_note(eccor_client *c, char *pid, char *aid, char *cid, size_t cap) {
    char product[64];
    create_person_with_account(c, pid, aid, cap);
    first_product_id(c, product, sizeof product);
    credit_note_fixture f;
    credit_note_fixture_init(&f, product, pid, aid);
    eccor_uuid *u = NULL;
    CHECK_OK(c, eccor_create_credit_note(c, &f.rq, &u));
    assert_int_equal(u->has_value, PONTES_SET);
    assert_int_equal(strlen(u->value), 36);
    snprintf(cid, cap, "%s", u->value);
    eccor_uuid_free(u);
}

/* Decode the raw body of the last error as an ECCOR ApiError (typed access to details). */
static eccor_api_error *decode_api_error(const pontes_error *e) {
    assert_non_null(e->body);
    eccor_api_error *ae = NULL;
    pontes_error derr = PONTES_ERROR_INIT;
    int rc = eccor_api_error_decode(e->body, e->body_len, &ae, &derr);
    if (rc != PONTES_OK) print_error("ApiError decode: %s\n", derr.message ? derr.message : "?");
    pontes_error_clear(&derr);
    assert_int_equal(rc, PONTES_OK);
    return ae;
}

/* ======================================================================== */
/* operations                                                               */

static void test_create_token(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client_plain();
    CHECK_OK(c, pontes_client_set_server(c, "auth", g_srv.auth_base));
    CHECK_OK(c, pontes_client_set_basic(c, "basicToken", g_srv.client_id, g_srv.client_secret, NULL));
    eccor_token_request rq;
    memset(&rq, 0, sizeof rq); rq._size = sizeof rq;
    PONTES_PUT_ENUM(rq, grant_type, ECCOR_TOKEN_REQUEST_GRANT_TYPE_CLIENT_CREDENTIALS);
    PONTES_PUT(rq, scope, scope());
    eccor_token_response *tok = NULL;
    CHECK_OK(c, eccor_create_token(c, &rq, &tok));
    assert_int_equal(tok->has_access_token, PONTES_SET);
    assert_true(strlen(tok->access_token) >= 16);
    assert_int_equal(tok->has_token_type, PONTES_SET);
    assert_int_equal(strcasecmp(tok->token_type, "Bearer"), 0);
    assert_int_equal(tok->has_expires_in, PONTES_SET);
    assert_true(tok->expires_in > 0);
    if (!g_srv.external) assert_int_equal(tok->expires_in, TOKEN_TTL);

    /* the token works as a static bearer for the /v1 API */
    eccor_client *c2 = client_plain();
    CHECK_OK(c2, pontes_client_set_bearer(c2, "uy3Auth", tok->access_token));
    eccor_product_page *pp = NULL;
    CHECK_OK(c2, eccor_list_products(c2, &pp));
    assert_true(pp->data.count >= 1);
    eccor_product_page_free(pp);
    eccor_client_free(c2);
    eccor_token_response_free(tok);

    /* a scope that is not granted: a plain operation error (400) with the OAuth body kept */
    PONTES_PUT(rq, scope, "credit/uy3");
    tok = NULL;
    int rc = OP(c, eccor_create_token(c, &rq, &tok));
    if (!STATEFUL("createToken refuses a scope that is not granted (400 invalid_scope)")) {
        CHECK_OK(c, rc);
        eccor_token_response_free(tok);
        eccor_client_free(c);
        return;
    }
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(tok);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_non_null(e->body);
    assert_non_null(strstr(e->body, "invalid_scope"));
    /* the OAuth body is outside the API's error model: read by the RFC 6749 fallback */
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "invalid_scope");
    assert_string_equal(e->operation_id, "createToken");

    if (!g_srv.external) {
        cJSON *log = e2e_admin_requests(&g_srv);
        assert_non_null(log);
        const cJSON *last = e2e_log_last(log, "createToken");
        assert_non_null(last);
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(last, "headers");
        const cJSON *auth = cJSON_GetObjectItemCaseSensitive(h, "Authorization");
        const cJSON *ct = cJSON_GetObjectItemCaseSensitive(h, "Content-Type");
        assert_true(cJSON_IsString(auth) && strncmp(auth->valuestring, "Basic ", 6) == 0);
        assert_true(cJSON_IsString(ct) && strncmp(ct->valuestring, "application/x-www-form-urlencoded", 33) == 0);
        cJSON_Delete(log);
    }
    eccor_client_free(c);
}

static void test_list_products(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client();
    eccor_product_page *pp = NULL;
    CHECK_OK(c, eccor_list_products(c, &pp));
    assert_int_equal(pp->has_data, PONTES_SET);
    assert_true(pp->data.count >= 1);
    const eccor_product *p = pp->data.items[0];
    assert_int_equal(p->has_id, PONTES_SET);
    assert_int_equal(strlen(p->id), 36);
    assert_int_equal(p->has_amortization_type, PONTES_SET);
    assert_int_equal(p->amortization_type.value, ECCOR_PRODUCT_AMORTIZATION_TYPE_FGTS);
    assert_true(p->has_minimum_interest_rate != PONTES_SET || p->has_maximum_interest_rate != PONTES_SET ||
                p->minimum_interest_rate <= p->maximum_interest_rate);
    if (EXAMPLES()) { /* the documented example */
        assert_int_equal(pp->total_items, 3);
        assert_string_equal(p->id, EXAMPLE_PRODUCT);
        assert_string_equal(p->name, "CCB FGTS");
        assert_true(fabs(p->maximum_interest_rate - 0.0204) < 1e-12);
        assert_int_equal(pp->has_pagination_token, PONTES_NULL);
    }
    eccor_product_page_free(pp);
    eccor_client_free(c);
}

static void test_simulate_amortization(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client();
    char product[64];
    first_product_id(c, product, sizeof product);
    eccor_agent_commission ac;
    memset(&ac, 0, sizeof ac); ac._size = sizeof ac;
    PONTES_PUT(ac, amount, 0.0);
    PONTES_PUT_ENUM(ac, type, ECCOR_AGENT_COMMISSION_TYPE_PERCENTAGE);
    PONTES_PUT_ENUM(ac, base_value, ECCOR_AGENT_COMMISSION_BASE_VALUE_INITIAL_VALUE);
    char start[40];
    e2e_date_in_days(start, sizeof start, 1);
    eccor_amortization_params ap;
    memset(&ap, 0, sizeof ap); ap._size = sizeof ap;
    PONTES_PUT(ap, agent_commission, &ac);
    PONTES_PUT(ap, apr, 0.0204);
    PONTES_PUT(ap, term_in_months, 10);
    PONTES_PUT(ap, start_date, start);
    PONTES_PUT(ap, requested_amount, 0);
    PONTES_PUT_ENUM(ap, amortization_type, ECCOR_AMORTIZATION_PARAMS_AMORTIZATION_TYPE_FGTS);
    eccor_amortization_request rq;
    memset(&rq, 0, sizeof rq); rq._size = sizeof rq;
    PONTES_PUT(rq, amortization, &ap);
    PONTES_PUT(rq, registration_number, CPF);
    rq.has_person_id = PONTES_NULL; /* one of registrationNumber / personId, the other null */
    PONTES_PUT(rq, legal_person, false);
    PONTES_PUT(rq, product_id, product);

    eccor_amortization_simulation *s = NULL;
    CHECK_OK(c, eccor_simulate_amortization(c, &rq, &s));
    assert_int_equal(s->has_id, PONTES_SET);
    assert_int_equal(s->has_liquid_value, PONTES_SET);
    assert_int_equal(s->has_initial_value, PONTES_SET);
    assert_true(s->liquid_value > 0);
    assert_true(s->liquid_value <= s->initial_value);
    assert_int_equal(s->has_payment_schedule_items, PONTES_SET);
    assert_int_equal(s->payment_schedule_items.count, (size_t)s->term_in_months + 1);
    assert_true(s->payment_schedule_items.items[0]->payment == 0); /* the first item is the start date */
    int64_t sum = 0;
    for (size_t i = 1; i < s->payment_schedule_items.count; i++)
        sum += s->payment_schedule_items.items[i]->amortization;
    assert_true(sum > 0 && sum <= s->initial_value);
    if (EXAMPLES()) { /* the documented example */
        assert_true(s->liquid_value == 4705290);
        assert_true(s->initial_value == 4914702);
        assert_true(s->comm == 49147);
        assert_true(s->fin_tax == 160265);
        assert_int_equal(s->term_in_months, 10);
        assert_int_equal(s->payment_schedule_items.count, 11);
        assert_int_equal(s->calculate_by_value_type.value, ECCOR_AMORTIZATION_SIMULATION_CALCULATE_BY_VALUE_TYPE_GROSS);
        assert_true(fabs(s->monthly_interest - 0.0204) < 1e-12);
        assert_string_equal(s->due_date, "2033-10-01T00:00:00-03:00"); /* offsets kept verbatim */
    }
    eccor_amortization_simulation_free(s);
    eccor_client_free(c);
}

static void test_natural_person_crud(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client();
    char uniq[64], name[200], pid[64];
    snprintf(name, sizeof name, "%s %s", ODD_NAME, e2e_unique(uniq, sizeof uniq));
    person_fixture f;
    person_fixture_init(&f, name);

    /* createNaturalPerson: a bare UUID string comes back */
    create_person(c, &f, pid, sizeof pid);

    /* getNaturalPerson: what we sent (a stateless server answers its example person) */
    eccor_natural_person *p = NULL;
    CHECK_OK(c, eccor_get_natural_person(c, pid, &p));
    assert_int_equal(p->has_id, PONTES_SET);
    assert_int_equal(strlen(p->id), 36);
    assert_int_equal(p->has_name, PONTES_SET);
    assert_true(p->bank_accounts.count >= 1);
    const eccor_bank_account *pix = find_account_by_type(p, ECCOR_OPERATION_TYPE_PIX);
    const eccor_bank_account *tr = find_account_by_type(p, ECCOR_OPERATION_TYPE_TRANSFER);
    if (STATEFUL("getNaturalPerson returns the person just created")) {
        assert_int_equal(strcasecmp(p->id, pid), 0);
        assert_string_equal(p->name, name);
        assert_string_equal(p->registration_number, CPF);
        assert_string_equal(p->email, "nilce.knupp@geradornv.com.br");
        assert_int_equal(p->civil_status.value, ECCOR_CIVIL_STATUS_SINGLE);
        assert_int_equal(p->has_address, PONTES_SET);
        assert_string_equal(p->address->city, "Mococa");
        assert_string_equal(p->address->address_name, "Rua Ant\xc3\xb4nio Marco Pazote");
        assert_int_equal(p->address->uf.value, ECCOR_UF_SP);
        assert_int_equal(p->bank_accounts.count, 2);
        assert_non_null(pix);
        assert_non_null(tr);
        assert_string_equal(pix->key_pix, CPF);
        assert_int_equal(pix->pix_key_type_value.value, ECCOR_BANK_ACCOUNT_PIX_KEY_TYPE_VALUE_NATURAL_REGISTRATION_NUMBER);
        assert_int_equal(pix->has_account, PONTES_NULL);
        assert_string_equal(tr->bank_code, "1");
        assert_string_equal(tr->account, "1234567"); /* sent as a string, a string comes back */
        assert_string_equal(tr->agency, "1234");
        assert_int_equal(tr->has_key_pix, PONTES_NULL);
        /* §8.4: a NaturalCheckingAccount may be echoed as LegalCheckingAccount */
        assert_true(tr->type.value == ECCOR_BANK_ACCOUNT_TYPE2_NATURAL_CHECKING_ACCOUNT ||
                    tr->type.value == ECCOR_BANK_ACCOUNT_TYPE2_LEGAL_CHECKING_ACCOUNT);
    }
    char pix_id[64], tr_id[64];
    snprintf(pix_id, sizeof pix_id, "%s", pix && pix->id ? pix->id : p->bank_accounts.items[0]->id);
    snprintf(tr_id, sizeof tr_id, "%s", tr && tr->id ? tr->id : p->bank_accounts.items[0]->id);
    eccor_natural_person_free(p);

    /* listNaturalPersons with a filter that must be percent-encoded */
    eccor_list_natural_persons_params lp;
    memset(&lp, 0, sizeof lp); lp._size = sizeof lp;
    lp.person_display = name;
    eccor_natural_person_page *page = NULL;
    CHECK_OK(c, eccor_list_natural_persons(c, &lp, &page));
    assert_int_equal(page->has_data, PONTES_SET);
    if (STATEFUL("listNaturalPersons finds the person just created by its name")) {
        assert_int_equal(page->data.count, 1);
        assert_int_equal(strcasecmp(page->data.items[0]->id, pid), 0);
        assert_string_equal(page->data.items[0]->name, name);
    }
    if (!g_srv.external) assert_int_equal(page->total_items, 1);
    eccor_natural_person_page_free(page);
    if (!g_srv.external) {
        cJSON *log = e2e_admin_requests(&g_srv);
        assert_non_null(log);
        const cJSON *last = e2e_log_last(log, "listNaturalPersons");
        assert_non_null(last);
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(last, "query");
        assert_true(cJSON_IsString(q));
        if (!strstr(q->valuestring, ODD_NAME_QUERY)) fail_msg("query not percent-encoded as expected: %s", q->valuestring);
        cJSON_Delete(log);
    }
    /* a filter that matches nothing */
    memset(&lp, 0, sizeof lp); lp._size = sizeof lp;
    lp.person_display = "no such person \xe2\x9c\x93 e2e";
    lp.phone = "00000000000";
    page = NULL;
    CHECK_OK(c, eccor_list_natural_persons(c, &lp, &page));
    if (STATEFUL("listNaturalPersons with a filter that matches nothing is empty")) assert_int_equal(page->data.count, 0);
    eccor_natural_person_page_free(page);

    /* updateNaturalPerson (204): new name and e-mail, both accounts kept by id */
    char name2[240];
    snprintf(name2, sizeof name2, "%s (atualizado)", name);
    PONTES_PUT(f.in, name, name2);
    PONTES_PUT(f.in, email, "nilce@example.com.br");
    PONTES_PUT(f.pix, id, pix_id);
    PONTES_PUT(f.tr, id, tr_id);
    CHECK_OK(c, eccor_update_natural_person(c, pid, &f.in));
    if (STATEFUL("getNaturalPerson reads back updateNaturalPerson")) {
        p = NULL;
        CHECK_OK(c, eccor_get_natural_person(c, pid, &p));
        assert_string_equal(p->name, name2);
        assert_string_equal(p->email, "nilce@example.com.br");
        assert_int_equal(p->bank_accounts.count, 2);
        assert_non_null(find_account_by_id(p, pix_id));
        assert_non_null(find_account_by_id(p, tr_id));
        eccor_natural_person_free(p);
    }

    /* addBankAccounts: a top-level array body, a top-level array of ids back */
    eccor_pix_key_input pix2;
    memset(&pix2, 0, sizeof pix2); pix2._size = sizeof pix2;
    PONTES_PUT_ENUM(pix2, operation_type_value, ECCOR_PIX_KEY_INPUT_OPERATION_TYPE_VALUE_PIX);
    PONTES_PUT_ENUM(pix2, pix_key_type_value, ECCOR_PIX_KEY_TYPE_EMAIL);
    PONTES_PUT(pix2, key_pix, "nilce@example.com.br");
    eccor_transfer_account_input_account acct2 = {ECCOR_TRANSFER_ACCOUNT_INPUT_ACCOUNT_STRING, NULL, {.string = "0099887766"}};
    eccor_transfer_account_input tr2;
    memset(&tr2, 0, sizeof tr2); tr2._size = sizeof tr2;
    PONTES_PUT_ENUM(tr2, operation_type_value, ECCOR_TRANSFER_ACCOUNT_INPUT_OPERATION_TYPE_VALUE_TRANSFER);
    PONTES_PUT(tr2, account, &acct2);
    PONTES_PUT(tr2, agency, "0001");
    PONTES_PUT_ENUM(tr2, type, ECCOR_BANK_ACCOUNT_TYPE_NATURAL_SAVINGS_ACCOUNT);
    PONTES_PUT(tr2, bank_code, "457");
    tr2.has_account_digit = PONTES_NULL;
    eccor_bank_account_input a1 = {ECCOR_BANK_ACCOUNT_INPUT_PIX_KEY_INPUT, NULL, {.pix_key_input = &pix2}};
    eccor_bank_account_input a2 = {ECCOR_BANK_ACCOUNT_INPUT_TRANSFER_ACCOUNT_INPUT, NULL, {.transfer_account_input = &tr2}};
    eccor_bank_account_input *add[2] = {&a1, &a2};
    eccor_bank_account_input_list body;
    memset(&body, 0, sizeof body); body._size = sizeof body;
    body.value.items = add;
    body.value.count = 2;
    body.has_value = PONTES_SET;
    eccor_uuid_list *ids = NULL;
    CHECK_OK(c, eccor_add_bank_accounts(c, pid, &body, &ids));
    assert_int_equal(ids->has_value, PONTES_SET);
    assert_true(ids->value.count >= 1);
    for (size_t i = 0; i < ids->value.count; i++) assert_int_equal(strlen(ids->value.items[i]), 36);
    char new_pix[64], new_tr[64];
    snprintf(new_pix, sizeof new_pix, "%s", ids->value.items[0]);
    snprintf(new_tr, sizeof new_tr, "%s", ids->value.items[ids->value.count - 1]);
    if (STATEFUL("addBankAccounts returns one new id per account sent")) {
        assert_int_equal(ids->value.count, 2);
        assert_string_not_equal(new_pix, new_tr);
    }
    eccor_uuid_list_free(ids);
    if (STATEFUL("getNaturalPerson reads back addBankAccounts")) {
        p = NULL;
        CHECK_OK(c, eccor_get_natural_person(c, pid, &p));
        assert_int_equal(p->bank_accounts.count, 4);
        const eccor_bank_account *b = find_account_by_id(p, new_pix);
        assert_non_null(b);
        assert_int_equal(b->operation_type_value.value, ECCOR_OPERATION_TYPE_PIX);
        assert_int_equal(b->pix_key_type_value.value, ECCOR_BANK_ACCOUNT_PIX_KEY_TYPE_VALUE_EMAIL);
        assert_string_equal(b->key_pix, "nilce@example.com.br");
        b = find_account_by_id(p, new_tr);
        assert_non_null(b);
        assert_int_equal(b->operation_type_value.value, ECCOR_OPERATION_TYPE_TRANSFER);
        assert_string_equal(b->bank_code, "457");
        assert_string_equal(b->account, "0099887766"); /* leading zeros survive */
        assert_string_equal(b->agency, "0001");
        assert_true(b->type.value == ECCOR_BANK_ACCOUNT_TYPE2_NATURAL_SAVINGS_ACCOUNT ||
                    b->type.value == ECCOR_BANK_ACCOUNT_TYPE2_LEGAL_SAVINGS_ACCOUNT);
        eccor_natural_person_free(p);
    }

    /* updateBankAccount (204): the account number as a JSON integer this time (§8.2) */
    eccor_transfer_account_input_account acct3 = {ECCOR_TRANSFER_ACCOUNT_INPUT_ACCOUNT_INT64, NULL, {.int64 = 55443322}};
    PONTES_PUT(tr2, account, &acct3);
    PONTES_PUT(tr2, agency, "0002");
    PONTES_PUT(tr2, account_digit, "7");
    eccor_bank_account_input upd = {ECCOR_BANK_ACCOUNT_INPUT_TRANSFER_ACCOUNT_INPUT, NULL, {.transfer_account_input = &tr2}};
    CHECK_OK(c, eccor_update_bank_account(c, pid, new_tr, &upd));
    if (STATEFUL("getNaturalPerson reads back updateBankAccount")) {
        p = NULL;
        CHECK_OK(c, eccor_get_natural_person(c, pid, &p));
        const eccor_bank_account *b = find_account_by_id(p, new_tr);
        assert_non_null(b);
        assert_string_equal(b->agency, "0002");
        assert_string_equal(b->account, "55443322");
        assert_string_equal(b->account_digit, "7");
        eccor_natural_person_free(p);
    }

    /* deleteBankAccount (204), then it is gone */
    CHECK_OK(c, eccor_delete_bank_account(c, pid, new_pix));
    if (STATEFUL("getNaturalPerson no longer lists a deleted bank account")) {
        p = NULL;
        CHECK_OK(c, eccor_get_natural_person(c, pid, &p));
        assert_int_equal(p->bank_accounts.count, 3);
        assert_null(find_account_by_id(p, new_pix));
        assert_non_null(find_account_by_id(p, new_tr));
        eccor_natural_person_free(p);
    }

    if (!g_srv.external) {
        char st[128];
        op_statuses("updateNaturalPerson", st, sizeof st);
        assert_string_equal(st, "204");
        op_statuses("updateBankAccount", st, sizeof st);
        assert_string_equal(st, "204");
        op_statuses("deleteBankAccount", st, sizeof st);
        assert_string_equal(st, "204");
    }
    eccor_client_free(c);
}

static void test_credit_note_lifecycle(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client();
    char pid[64], aid[64], cid[64];
    create_draft_credit_note(c, pid, aid, cid, sizeof pid);

    /* a payment revision is only allowed in status 13: 400 INVALID_ACTION_FOR_STATUS */
    eccor_revision_bank_account rba;
    eccor_done_payment_revision_request dr;
    revision_request(&rba, &dr);
    int rc = OP(c, eccor_done_payment_revision(c, cid, &dr));
    if (STATEFUL("donePaymentRevision is refused before status 13 (400 INVALID_ACTION_FOR_STATUS)")) {
        assert_int_equal(rc, PONTES_EHTTP);
        const pontes_error *e = eccor_client_last_error(c);
        assert_int_equal(e->status, PONTES_EHTTP);
        assert_int_equal(e->http_status, 400);
        assert_non_null(e->provider_code);
        assert_string_equal(e->provider_code, "INVALID_ACTION_FOR_STATUS");
        assert_non_null(e->provider_message);
        assert_int_equal(e->field_error_count, 0);
        assert_non_null(e->request_id);
        assert_string_equal(e->operation_id, "donePaymentRevision");
        assert_non_null(e->message);
        eccor_api_error *ae = decode_api_error(e);
        assert_int_equal(ae->code.value, ECCOR_API_ERROR_CODE_INVALID_ACTION_FOR_STATUS);
        assert_int_equal(ae->has_details, PONTES_SET);
        assert_int_equal(ae->details->has_current_status, PONTES_SET);
        assert_non_null(ae->details->current_status);
        assert_string_equal(ae->correlation_id, e->request_id);
        eccor_api_error_free(ae);
    } else {
        CHECK_OK(c, rc); /* a stateless server answers the documented 204 */
    }

    /* submitCreditNoteApproval: 200 with an empty body */
    CHECK_OK(c, eccor_submit_credit_note_approval(c, cid));
    assert_int_equal(eccor_client_last_error(c)->status, PONTES_OK);
    if (!g_srv.external) {
        char st[64];
        op_statuses("submitCreditNoteApproval", st, sizeof st);
        assert_string_equal(st, "200");
        op_statuses("createCreditNote", st, sizeof st);
        assert_string_equal(st, "200");
    }
    eccor_client_free(c);
}

/* ======================================================================== */
/* webhooks + payment revision (mock only: the mock delivers the events)     */

static void test_webhooks_and_payment_revision(void **state) {
    (void)state;
    REQUIRE_MOCK();
    reset_mock();
    eccor_client *c = client();
    char pid[64], aid[64], cid[64];
    create_draft_credit_note(c, pid, aid, cid, sizeof pid);
    CHECK_OK(c, eccor_submit_credit_note_approval(c, cid));

    e2e_listener *l = e2e_listener_start();
    assert_non_null(l);
    char req[256], what[128];
    snprintf(req, sizeof req, "{\"url\": \"%s\", \"transitions\": \"all\"}", e2e_listener_url(l));
    snprintf(what, sizeof what, "webhooks/%s", cid);
    long st = 0;
    cJSON *res = e2e_admin_post(&g_srv, what, req, &st);
    e2e_listener_stop(l); /* the admin call returns after the last delivery */
    assert_int_equal(st, 200);
    assert_non_null(res);
    const cJSON *delivered = cJSON_GetObjectItemCaseSensitive(res, "delivered");
    const cJSON *cn_status = cJSON_GetObjectItemCaseSensitive(res, "creditNoteStatus");
    assert_true(cJSON_IsNumber(delivered));
    assert_true(cJSON_IsNumber(cn_status));
    assert_int_equal(cn_status->valueint, ECCOR_CREDIT_NOTE_STATUS_PAYMENT_REVISION);

    static const int expected_new[] = {
        ECCOR_CREDIT_NOTE_STATUS_COMPLIANCE_APPROVAL, ECCOR_CREDIT_NOTE_STATUS_CREDIT_APPROVAL,
        ECCOR_CREDIT_NOTE_STATUS_SIGNATURE_COLLECTION, ECCOR_CREDIT_NOTE_STATUS_SIGNATURE_VALIDATION,
        ECCOR_CREDIT_NOTE_STATUS_LIQUIDATION, ECCOR_CREDIT_NOTE_STATUS_MANUAL_LIQUIDATION,
        ECCOR_CREDIT_NOTE_STATUS_PAYMENT_REVISION};
    /* the documented transitions (reference §5): 6 and 7 both leave 3 Liquidação */
    static const int expected_old[] = {
        ECCOR_CREDIT_NOTE_STATUS_DRAFT, ECCOR_CREDIT_NOTE_STATUS_COMPLIANCE_APPROVAL,
        ECCOR_CREDIT_NOTE_STATUS_CREDIT_APPROVAL, ECCOR_CREDIT_NOTE_STATUS_SIGNATURE_COLLECTION,
        ECCOR_CREDIT_NOTE_STATUS_SIGNATURE_VALIDATION, ECCOR_CREDIT_NOTE_STATUS_LIQUIDATION,
        ECCOR_CREDIT_NOTE_STATUS_LIQUIDATION};
    static const int expected_value[] = {
        ECCOR_WEBHOOK_EVENT_VALUE_OTHER_PROGRESS, ECCOR_WEBHOOK_EVENT_VALUE_OTHER_PROGRESS,
        ECCOR_WEBHOOK_EVENT_VALUE_OTHER_PROGRESS, ECCOR_WEBHOOK_EVENT_VALUE_OTHER_PROGRESS,
        ECCOR_WEBHOOK_EVENT_VALUE_OTHER_PROGRESS, ECCOR_WEBHOOK_EVENT_VALUE_LIQUIDATION,
        ECCOR_WEBHOOK_EVENT_VALUE_LIQUIDATION};
    const size_t n_expected = sizeof expected_new / sizeof expected_new[0];
    assert_int_equal(delivered->valueint, (int)n_expected);
    assert_int_equal(e2e_listener_count(l), n_expected);
    cJSON_Delete(res);

    for (size_t i = 0; i < n_expected; i++) {
        const e2e_hook *h = e2e_listener_hook(l, i);
        assert_non_null(h);
        assert_string_equal(h->method, "POST");
        assert_string_equal(h->path, "/hooks/eccor");
        assert_non_null(h->content_type);
        assert_int_equal(strncmp(h->content_type, "application/json", 16), 0);
        eccor_credit_note_status_event *ev = NULL;
        pontes_error err = PONTES_ERROR_INIT;
        int rc = eccor_credit_note_status_event_decode(h->body, h->body_len, &ev, &err);
        if (rc != PONTES_OK) fail_msg("webhook %zu: %s: %s", i, err.message ? err.message : "?", h->body);
        pontes_error_clear(&err);
        assert_int_equal(ev->has_id, PONTES_SET);
        assert_int_equal(strcasecmp(ev->id, cid), 0);
        assert_int_equal(ev->event_code, ECCOR_WEBHOOK_EVENT_CODE_STATUS_UPDATED);
        assert_int_equal(ev->type.value, ECCOR_CREDIT_NOTE_STATUS_EVENT_TYPE_CREDIT_NOTE_OP);
        assert_int_equal(ev->has_parameters, PONTES_SET);
        assert_non_null(ev->parameters);
        assert_int_equal(ev->parameters->has_new_status, PONTES_SET);
        assert_int_equal(ev->parameters->new_status, expected_new[i]);
        assert_int_equal(ev->parameters->has_old_status, PONTES_SET);
        assert_int_equal(ev->parameters->old_status, expected_old[i]);
        assert_non_null(ev->parameters->new_status_display);
        assert_int_equal(ev->event_value, expected_value[i]);
        if (expected_new[i] == ECCOR_CREDIT_NOTE_STATUS_PAYMENT_REVISION) {
            assert_int_equal(ev->parameters->has_message, PONTES_NULL); /* "message": null */
            assert_null(ev->parameters->message);
            assert_string_equal(ev->parameters->new_status_display, "Revis\xc3\xa3o de Pagamento");
        } else {
            assert_int_equal(ev->parameters->has_message, PONTES_SET);
            assert_non_null(ev->parameters->message);
        }
        eccor_credit_note_status_event_free(ev);
    }
    e2e_listener_free(l);

    /* now in status 13: donePaymentRevision succeeds (204) ... */
    eccor_revision_bank_account rba;
    eccor_done_payment_revision_request dr;
    revision_request(&rba, &dr);
    CHECK_OK(c, eccor_done_payment_revision(c, cid, &dr));
    /* ... and moved the operation back to liquidation (3): a second one is refused */
    int rc = OP(c, eccor_done_payment_revision(c, cid, &dr));
    assert_int_equal(rc, PONTES_EHTTP);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "INVALID_ACTION_FOR_STATUS");
    char st2[64];
    op_statuses("donePaymentRevision", st2, sizeof st2);
    assert_string_equal(st2, "204,400");
    eccor_client_free(c);
}

/* ======================================================================== */
/* OAuth2                                                                   */

static void test_oauth2_token_reused(void **state) {
    (void)state;
    REQUIRE_MOCK();
    reset_mock();
    eccor_client *c = client_oauth(0, NULL, NULL);
    for (int i = 0; i < 3; i++) {
        eccor_product_page *pp = NULL;
        CHECK_OK(c, eccor_list_products(c, &pp));
        eccor_product_page_free(pp);
    }
    eccor_natural_person_page *page = NULL;
    CHECK_OK(c, eccor_list_natural_persons(c, NULL, &page));
    eccor_natural_person_page_free(page);
    assert_int_equal(count_requests("POST", "/oauth2/token"), 1);
    char st[64];
    op_statuses("listProducts", st, sizeof st);
    assert_string_equal(st, "200,200,200");
    /* every API request carried the bearer token */
    cJSON *log = e2e_admin_requests(&g_srv);
    const cJSON *ent;
    cJSON_ArrayForEach(ent, log) {
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(ent, "operationId");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(ent, "headers");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(h, "Authorization");
        assert_true(cJSON_IsString(a));
        if (cJSON_IsString(op) && strcmp(op->valuestring, "createToken") == 0)
            assert_int_equal(strncmp(a->valuestring, "Basic ", 6), 0);
        else
            assert_int_equal(strncmp(a->valuestring, "Bearer ", 7), 0);
    }
    cJSON_Delete(log);
    eccor_client_free(c);
}

static void test_oauth2_refresh_after_401(void **state) {
    (void)state;
    REQUIRE_MOCK();
    reset_mock();
    eccor_client *c = client_oauth(0, NULL, NULL);
    eccor_product_page *pp = NULL;
    CHECK_OK(c, eccor_list_products(c, &pp));
    eccor_product_page_free(pp);
    assert_int_equal(count_requests("POST", "/oauth2/token"), 1);

    long st = 0;
    cJSON *r = e2e_admin_post(&g_srv, "expire-tokens", NULL, &st);
    assert_int_equal(st, 200);
    cJSON_Delete(r);

    /* the cached token is now rejected: 401 -> one renewal -> the call succeeds */
    pp = NULL;
    CHECK_OK(c, eccor_list_products(c, &pp));
    assert_true(pp->data.count >= 1);
    eccor_product_page_free(pp);
    assert_int_equal(count_requests("POST", "/oauth2/token"), 2);
    char sts[64];
    op_statuses("listProducts", sts, sizeof sts);
    assert_string_equal(sts, "200,401,200");

    /* and the renewed token is cached again */
    pp = NULL;
    CHECK_OK(c, eccor_list_products(c, &pp));
    eccor_product_page_free(pp);
    assert_int_equal(count_requests("POST", "/oauth2/token"), 2);

    /* a POST (not idempotent) is also resent after a 401: the 401 proves it was not processed */
    r = e2e_admin_post(&g_srv, "expire-tokens", NULL, &st);
    cJSON_Delete(r);
    char uniq[64], name[160], pid[64];
    snprintf(name, sizeof name, "E2E 401 %s", e2e_unique(uniq, sizeof uniq));
    person_fixture f;
    person_fixture_init(&f, name);
    create_person(c, &f, pid, sizeof pid);
    assert_int_equal(count_requests("POST", "/oauth2/token"), 3);
    op_statuses("createNaturalPerson", sts, sizeof sts);
    assert_string_equal(sts, "401,200");
    eccor_client_free(c);
}

static void test_oauth2_proactive_refresh(void **state) {
    (void)state;
    REQUIRE_MOCK();
    reset_mock();
    /* refresh margin > token lifetime (TOKEN_TTL): the token is never fresh enough, so every
     * call fetches a new one first — and never sees a 401 */
    eccor_client *c = client_oauth(TOKEN_TTL + 60, NULL, NULL);
    for (int i = 0; i < 3; i++) {
        eccor_product_page *pp = NULL;
        CHECK_OK(c, eccor_list_products(c, &pp));
        eccor_product_page_free(pp);
    }
    assert_int_equal(count_requests("POST", "/oauth2/token"), 3);
    char sts[64];
    op_statuses("listProducts", sts, sizeof sts);
    assert_string_equal(sts, "200,200,200");
    eccor_client_free(c);
}

static void test_oauth2_refresh_before_expiry(void **state) {
    (void)state;
    REQUIRE_MOCK();
    reset_mock();
    /* margin TOKEN_TTL - 3: the token counts as fresh for ~3 s, then is renewed before use */
    eccor_client *c = client_oauth(TOKEN_TTL - 3, NULL, NULL);
    CHECK_OK(c, pontes_client_authenticate(c, "uy3Auth")); /* eager fetch */
    assert_int_equal(count_requests("POST", "/oauth2/token"), 1);
    eccor_product_page *pp = NULL;
    CHECK_OK(c, eccor_list_products(c, &pp));
    eccor_product_page_free(pp);
    assert_int_equal(count_requests("POST", "/oauth2/token"), 1);
    e2e_sleep_ms(3300);
    pp = NULL;
    CHECK_OK(c, eccor_list_products(c, &pp));
    eccor_product_page_free(pp);
    assert_int_equal(count_requests("POST", "/oauth2/token"), 2);
    char sts[64];
    op_statuses("listProducts", sts, sizeof sts);
    assert_string_equal(sts, "200,200"); /* renewed proactively, no 401 */
    eccor_client_free(c);
}

static void test_oauth2_two_clients(void **state) {
    (void)state;
    REQUIRE_MOCK();
    reset_mock();
    eccor_client *a = client_oauth(0, NULL, NULL);
    eccor_client *b = client_oauth(0, NULL, NULL);
    for (int i = 0; i < 2; i++) {
        eccor_product_page *pp = NULL;
        CHECK_OK(a, eccor_list_products(a, &pp));
        eccor_product_page_free(pp);
        pp = NULL;
        CHECK_OK(b, eccor_list_products(b, &pp));
        eccor_product_page_free(pp);
    }
    /* one token per client (each client has its own cache) */
    assert_int_equal(count_requests("POST", "/oauth2/token"), 2);
    eccor_client_free(a);
    eccor_client_free(b);
}

static void test_auth_wrong_secret(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client_oauth(0, "definitely-not-the-secret", NULL);
    eccor_product_page *pp = NULL;
    int rc = OP(c, eccor_list_products(c, &pp));
    if (!STATEFUL("the token endpoint refuses a wrong client secret (401 invalid_client)")) {
        CHECK_OK(c, rc);
        eccor_product_page_free(pp);
        eccor_client_free(c);
        return;
    }
    assert_int_equal(rc, PONTES_EAUTH);
    assert_null(pp);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->status, PONTES_EAUTH);
    assert_int_equal(e->http_status, 401);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "invalid_client");
    assert_non_null(e->message);
    assert_null(strstr(e->message, "definitely-not-the-secret")); /* never echo the secret */
    if (!g_srv.external) {
        assert_int_equal(count_requests("POST", "/oauth2/token"), 1);
        assert_int_equal(count_requests(NULL, "/v1/Product"), 0); /* the API call was never sent */
    }
    eccor_client_free(c);
}

static void test_auth_wrong_scope(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client_oauth(0, NULL, "credit/uy3");
    eccor_product_page *pp = NULL;
    int rc = OP(c, eccor_list_products(c, &pp));
    if (!STATEFUL("the token endpoint refuses a scope that is not granted (400 invalid_scope)")) {
        CHECK_OK(c, rc);
        eccor_product_page_free(pp);
        eccor_client_free(c);
        return;
    }
    assert_int_equal(rc, PONTES_EAUTH);
    assert_null(pp);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "invalid_scope");
    eccor_client_free(c);
}

/* ======================================================================== */
/* provider errors                                                          */

static void test_error_400_invalid_form(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client();
    char pid[64], aid[64];
    create_person_with_account(c, pid, aid, sizeof pid);
    credit_note_fixture f;
    credit_note_fixture_init(&f, UNKNOWN_PRODUCT, pid, aid);
    eccor_uuid *u = NULL;
    int rc = OP(c, eccor_create_credit_note(c, &f.rq, &u));
    if (!STATEFUL("createCreditNote refuses an unknown product (400 INVALID_FORM)")) {
        CHECK_OK(c, rc);
        eccor_uuid_free(u);
        eccor_client_free(c);
        return;
    }
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(u);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "INVALID_FORM");
    assert_non_null(e->provider_message);
    assert_true(e->field_error_count >= 1);
    assert_non_null(e->field_errors);
    assert_string_equal(e->field_errors[0].key, "productId");
    assert_non_null(e->field_errors[0].message);
    assert_string_equal(e->operation_id, "createCreditNote");
    assert_int_equal(e->attempts, 1); /* a POST is not retried */
    if (!g_srv.external) {
        assert_int_equal(e->field_error_count, 1);
        assert_string_equal(e->field_errors[0].message, "Produto n\xc3\xa3o encontrado");
        assert_non_null(e->request_id);
        assert_true(e->request_id[0] == '#');
    }
    eccor_api_error *ae = decode_api_error(e);
    assert_int_equal(ae->code.value, ECCOR_API_ERROR_CODE_INVALID_FORM);
    assert_int_equal(ae->details->form_errors.count, e->field_error_count);
    assert_string_equal(ae->details->form_errors.items[0]->key, "productId");
    eccor_api_error_free(ae);
    eccor_client_free(c);
}

static void test_error_400_record_is_deleted(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client();
    char pid[64], aid[64], cid[64];
    create_draft_credit_note(c, pid, aid, cid, sizeof pid);
    CHECK_OK(c, eccor_delete_bank_account(c, pid, aid));
    int rc = OP(c, eccor_submit_credit_note_approval(c, cid));
    if (!STATEFUL("submitCreditNoteApproval refuses a note whose bank account was deleted (400 RECORD_IS_DELETED)")) {
        CHECK_OK(c, rc);
        eccor_client_free(c);
        return;
    }
    assert_int_equal(rc, PONTES_EHTTP);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "RECORD_IS_DELETED");
    eccor_api_error *ae = decode_api_error(e);
    assert_int_equal(ae->code.value, ECCOR_API_ERROR_CODE_RECORD_IS_DELETED);
    assert_int_equal(ae->details->has_record_id, PONTES_SET);
    assert_int_equal(strcasecmp(ae->details->record_id, aid), 0);
    eccor_api_error_free(ae);
    eccor_client_free(c);
}

static void test_error_401_static_bogus_bearer(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client_plain();
    CHECK_OK(c, pontes_client_set_bearer(c, "uy3Auth", "bogus"));
    eccor_product_page *pp = NULL;
    int rc = OP(c, eccor_list_products(c, &pp));
    if (!STATEFUL("listProducts refuses a bearer token the server never issued (401)")) {
        CHECK_OK(c, rc);
        eccor_product_page_free(pp);
        eccor_client_free(c);
        return;
    }
    /* A static bearer cannot be renewed: the runtime reports the 401 as PONTES_EHTTP
     * (PONTES_EAUTH is only used when an OAuth2 token cannot be obtained or is still
     * rejected after a renewal — request.c). */
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(pp);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 401);
    assert_true(e->body == NULL || e->body_len == 0); /* ECCOR's 401 has an empty body */
    assert_null(e->provider_code);
    assert_int_equal(e->attempts, 1); /* not retried, not "refreshed" */
    assert_string_equal(e->operation_id, "listProducts");
    eccor_client_free(c);
}

static void test_error_403_unknown_person(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client();
    eccor_natural_person *p = NULL;
    int rc = OP(c, eccor_get_natural_person(c, UNKNOWN_UUID, &p));
    if (!STATEFUL("getNaturalPerson of an unknown id (403 RECORD_NOT_EXISTS_OR_MISSING_PERMISSION)")) {
        CHECK_OK(c, rc);
        eccor_natural_person_free(p);
        eccor_client_free(c);
        return;
    }
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(p);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 403);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "RECORD_NOT_EXISTS_OR_MISSING_PERMISSION");
    assert_non_null(e->provider_message);
    assert_int_equal(e->field_error_count, 0);
    assert_string_equal(e->operation_id, "getNaturalPerson");
    /* request_id is the body's correlationId (not the X-Request-Id header) */
    assert_non_null(e->body);
    cJSON *doc = cJSON_Parse(e->body);
    assert_non_null(doc);
    const cJSON *corr = cJSON_GetObjectItemCaseSensitive(doc, "correlationId");
    assert_true(cJSON_IsString(corr));
    assert_non_null(e->request_id);
    assert_string_equal(e->request_id, corr->valuestring);
    cJSON_Delete(doc);
    eccor_api_error *ae = decode_api_error(e);
    assert_int_equal(ae->code.value, ECCOR_API_ERROR_CODE_RECORD_NOT_EXISTS_OR_MISSING_PERMISSION);
    assert_int_equal(ae->details->resource.value, ECCOR_API_ERROR_DETAILS_RESOURCE_NATURAL_PERSON);
    assert_int_equal(strcasecmp(ae->details->resource_id, UNKNOWN_UUID), 0);
    eccor_api_error_free(ae);
    eccor_client_free(c);
}

static void test_client_side_encode_error(void **state) {
    (void)state;
    reset_mock();
    eccor_client *c = client();
    char uniq[64], name[160];
    snprintf(name, sizeof name, "E2E ENCODE %s", e2e_unique(uniq, sizeof uniq));
    person_fixture f;
    person_fixture_init(&f, name);
    f.pix.has_key_pix = PONTES_ABSENT; /* required member missing */
    f.pix.key_pix = NULL;
    size_t before = g_srv.external ? 0 : count_requests("POST", "/v1/NaturalPerson");
    eccor_uuid *u = NULL;
    int rc = OP(c, eccor_create_natural_person(c, &f.in, &u));
    assert_true(rc == PONTES_EENCODE || rc == PONTES_EINVAL);
    assert_null(u);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->status, rc);
    assert_int_equal(e->http_status, 0); /* nothing was sent */
    assert_non_null(e->json_path);
    if (!strstr(e->json_path, "keyPix")) fail_msg("json_path %s does not name keyPix", e->json_path);
    if (!g_srv.external) assert_int_equal(count_requests("POST", "/v1/NaturalPerson"), before);
    eccor_client_free(c);
}

/* ======================================================================== */

static int group_setup(void **state) {
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *specs[] = {E2E_ECCOR_SPEC, NULL};
    g_srv.api = "eccor";
    e2e_ops_init("eccor", eccor_ops);
    if (e2e_server_start(&g_srv, specs, TOKEN_TTL, true) != 0) return -1;
    if (g_srv.external)
        print_message("e2e: using the external server %s (token URL %s, %s)\n", g_srv.base_url, g_srv.token_url,
                      g_srv.stateful ? "stateful" : "stateless: state-dependent checks skipped");
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    e2e_server_stop(&g_srv);
    curl_global_cleanup();
    return 0;
}

/* ---- threading model: one client per thread; decoded values shared read-only ---- */

typedef struct worker {
    eccor_client *c;
    const eccor_natural_person *shared; /* decoded once, read by every thread */
    int calls, ok;
    char err[256];
} worker;

static void *worker_main(void *p) {
    worker *w = p;
    for (int i = 0; i < w->calls; i++) {
        eccor_product_page *pp = NULL;
        int rc = eccor_list_products(w->c, &pp); /* not counted: e2e_op_mark is not thread-safe */
        if (rc != PONTES_OK || !pp || pp->data.count < 1 || !pp->data.items[0]->id) {
            snprintf(w->err, sizeof w->err, "call %d: %s: %s", i, pontes_status_name(rc),
                     eccor_client_last_error(w->c)->message ? eccor_client_last_error(w->c)->message : "");
            eccor_product_page_free(pp);
            return NULL;
        }
        eccor_product_page_free(pp);
        if (strcmp(w->shared->name, "NILCE GARBELINI KNUPP") != 0 || w->shared->bank_accounts.count != 2) {
            snprintf(w->err, sizeof w->err, "shared value changed");
            return NULL;
        }
        w->ok++;
    }
    return NULL;
}

static void test_threads_one_client_each(void **state) {
    (void)state;
    reset_mock();
    enum { N = 4, CALLS = 15 };
    const char *person = "{\"name\":\"NILCE GARBELINI KNUPP\",\"registrationNumber\":\"00805349960\","
                         "\"bankAccounts\":[{\"id\":\"a1\",\"bankCode\":\"1\",\"operationTypeValue\":\"Transfer\"},"
                         "{\"id\":\"a2\",\"bankCode\":\"0\",\"operationTypeValue\":\"Pix\"}],\"id\":\"x\"}";
    eccor_natural_person *shared = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(eccor_natural_person_decode(person, strlen(person), &shared, &err), PONTES_OK);
    worker w[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        w[i].c = client();
        w[i].shared = shared;
        w[i].calls = CALLS;
        w[i].ok = 0;
        w[i].err[0] = '\0';
    }
    for (int i = 0; i < N; i++) assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < N; i++) {
        if (w[i].err[0]) fail_msg("thread %d: %s", i, w[i].err);
        assert_int_equal(w[i].ok, CALLS);
        eccor_client_free(w[i].c);
    }
    if (!g_srv.external) {
        assert_int_equal(count_requests("GET", "/v1/Product"), N * CALLS);
        assert_int_equal(count_requests("POST", "/oauth2/token"), N); /* one token per client */
    }
    eccor_natural_person_free(shared); /* freed from another thread than the readers' */
}

/* The documented error examples through Prism (`Prefer: code=..., example=...`; tools/test-prism.sh
 * sets PONTES_TEST_PRISM[_ECCOR]=1): the provider error model read from an independent server. */
static void test_error_examples_prism(void **state) {
    (void)state;
    const char *v = e2e_env(&g_srv, "PRISM");
    if (!g_srv.external || !v || strcmp(v, "1") != 0) {
        print_message("skipped: needs Prism (PONTES_TEST_PRISM_ECCOR=1, set by tools/test-prism.sh)\n");
        skip();
    }
    eccor_client *c = client();
    const char *h403[] = {"Prefer: code=403, example=recordNotExists", NULL};
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    o.headers = h403;
    o.max_retries = 0;
    eccor_natural_person *p = NULL;
    int rc = OP(c, eccor_get_natural_person_ex(c, UNKNOWN_UUID, &p, &o));
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(p);
    const pontes_error *e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 403);
    assert_string_equal(e->provider_code, "RECORD_NOT_EXISTS_OR_MISSING_PERMISSION");
    assert_non_null(e->provider_message);
    assert_string_equal(e->request_id, "#599d909639000f22e0f9830b26b0a401"); /* the body's correlationId */
    eccor_api_error *ae = decode_api_error(e);
    assert_int_equal(ae->details->resource.value, ECCOR_API_ERROR_DETAILS_RESOURCE_NATURAL_PERSON);
    assert_string_equal(ae->details->resource_id, "311ae9b2-a751-4819-a9f0-6d839b373173");
    eccor_api_error_free(ae);

    char pid[64], aid[64];
    create_person_with_account(c, pid, aid, sizeof pid);
    credit_note_fixture f;
    credit_note_fixture_init(&f, UNKNOWN_PRODUCT, pid, aid);
    const char *h400[] = {"Prefer: code=400, example=productNotFound", NULL};
    o.headers = h400;
    eccor_uuid *u = NULL;
    rc = OP(c, eccor_create_credit_note_ex(c, &f.rq, &u, &o));
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(u);
    e = eccor_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "INVALID_FORM");
    assert_int_equal(e->field_error_count, 2);
    assert_string_equal(e->field_errors[0].key, "productId");
    assert_string_equal(e->field_errors[0].message, "Produto n\xc3\xa3o encontrado");
    assert_null(e->request_id); /* this example has no correlationId */
    eccor_client_free(c);
}

/* Last: every operation was reached (a request sent, an answer decoded), in both modes. */
static void test_every_operation_reached(void **state) {
    (void)state;
    size_t missing = e2e_ops_report(&g_srv);
    if (missing) fail_msg("%zu operation(s) of eccor not reached (see the e2e[eccor] line above)", missing);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_token),
        cmocka_unit_test(test_list_products),
        cmocka_unit_test(test_simulate_amortization),
        cmocka_unit_test(test_natural_person_crud),
        cmocka_unit_test(test_credit_note_lifecycle),
        cmocka_unit_test(test_webhooks_and_payment_revision),
        cmocka_unit_test(test_oauth2_token_reused),
        cmocka_unit_test(test_oauth2_refresh_after_401),
        cmocka_unit_test(test_oauth2_proactive_refresh),
        cmocka_unit_test(test_oauth2_refresh_before_expiry),
        cmocka_unit_test(test_oauth2_two_clients),
        cmocka_unit_test(test_auth_wrong_secret),
        cmocka_unit_test(test_auth_wrong_scope),
        cmocka_unit_test(test_error_400_invalid_form),
        cmocka_unit_test(test_error_400_record_is_deleted),
        cmocka_unit_test(test_error_401_static_bogus_bearer),
        cmocka_unit_test(test_error_403_unknown_person),
        cmocka_unit_test(test_client_side_encode_error),
        cmocka_unit_test(test_threads_one_client_each),
        cmocka_unit_test(test_error_examples_prism),
        cmocka_unit_test(test_every_operation_reached),
    };
    return cmocka_run_group_tests_name("e2e_eccor", tests, group_setup, group_teardown);
}
