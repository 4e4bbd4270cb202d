/* End-to-end tests of the generated Best Bank Open Banking v2 client (prefix bestbank) over real
 * HTTP: every operation, every InitiatePayment variant (nine bodies), through the generated library.
 *
 * Server under test: the mock (tools/mock/mock_server.py with generated/bestbank/openapi.json,
 * started here), or the external server of PONTES_TEST_BASE_URL_BESTBANK (else
 * PONTES_TEST_BASE_URL), e.g. Prism (tools/test-prism.sh). Other variables (each also with the
 * _BESTBANK suffix, see e2e_support.h): PONTES_TEST_CONSUMER_KEY (default the mock's
 * pontes-demo-consumer-key), PONTES_TEST_CERTIFICATE (default the documented value the mock
 * accepts), PONTES_TEST_CODE / PONTES_TEST_ACCESS_TOKEN (a consent code and an access token for a
 * stateful external server; default: the documented example values), PONTES_TEST_STATEFUL,
 * PONTES_TEST_EXAMPLES.
 *
 * Auth: the runtime's OAuth-params provider (pontes_client_set_oauth_params, _code, _token) builds
 * the `OAuth k=v,...` header; the Certificate apiKey is set with pontes_client_set_api_key (or
 * from a certificate file). The flow tests use the generated flow helpers (bestbank_consent_* /
 * bestbank_payment_*) and the mock's admin endpoints (/__admin/bestbank/config, expire-token,
 * /__admin/requests, /__admin/state), skipping only those assertions against a stateless server.
 *
 * Modes. A stateless server (Prism; the generic mock while it has no Best Bank state module)
 * answers the first documented example of each operation: the decoded values are compared with
 * those examples. A stateful server (the mock with its Best Bank module — recognised by the
 * LoginUrl of Initiate pointing at the mock itself — or PONTES_TEST_STATEFUL=1) knows only the
 * codes and tokens it issued: there the consent is made for real once (Initiate, open LoginUrl as
 * a browser would, read code from the redirect, Token) and its token is used. Every operation is
 * reached in both; the last test checks it. */
#define _GNU_SOURCE
#include "e2e_support.h"

#include <pontes/bestbank.h>

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

#ifndef E2E_BESTBANK_SPEC
#error "E2E_BESTBANK_SPEC (generated/bestbank/openapi.json) must be defined"
#endif

/* the mock's defaults (tools/mock/pontes_mock/apis/bestbank.py) */
#define DEFAULT_CONSUMER_KEY "pontes-demo-consumer-key"
#define DEFAULT_CERTIFICATE "9dFpJUCnQcwe80aAOHx7YWYlqisICXNnVSKiaiA9vGO8YnzlZoJcUVPJ/rZ68X8FD=="
/* the documented examples */
#define EXAMPLE_CODE "d007359368f94215b4e0bda6aa039563"
#define EXAMPLE_TOKEN "b7633a278bae420dabc91df952d83532"
#define EXAMPLE_ACCOUNT "0-MDAwMDAxMDI2"
#define EXAMPLE_CARD "1-MDAwMDAxMDI2"
#define EXAMPLE_OPER_ID "1-BQOCJB"
#define REDIRECT_URI "https://app.example/loginReturn"

static e2e_server g_srv;
static bool g_module;           /* the mock answers from its Best Bank state module */
static char g_consumer_key[256];
static char g_certificate[512];
static char g_code[128];         /* a consent code for Token */
static char g_token[128];        /* an access token for the account operations */

static const e2e_op bestbank_ops[] = {
    {"initiate", "bestbank_initiate"},
    {"token", "bestbank_token"},
    {"checkOperationById", "bestbank_check_operation_by_id"},
    {"balance", "bestbank_balance"},
    {"balanceOfAccount", "bestbank_balance_of_account"},
    {"transactions", "bestbank_transactions"},
    {"initiatePayment", "bestbank_initiate_payment"},
    {"topsUpsGetPaymentInfo", "bestbank_tops_ups_get_payment_info"},
    {NULL, NULL},
};

/* The server answers the documented examples (stateless: Prism, the generic mock). */
#define EXAMPLES() (g_srv.examples && !g_srv.stateful)

/* ---- calls ----------------------------------------------------------------- */

static int op_mark(bestbank_client *c, int rc, const char *call) {
    long http = bestbank_client_last_error(c)->http_status;
    return e2e_op_mark(call, rc, rc == PONTES_OK || (rc == PONTES_EHTTP && http > 0));
}

static void check_ok(bestbank_client *c, int rc, const char *what, const char *file, int line) {
    /* an operation's call is counted as reached (the flow helpers bestbank_consent_* /
     * bestbank_payment_* are no operations: their tests mark the operations they reach) */
    if (strncmp(what, "bestbank_", 9) == 0 && strncmp(what, "bestbank_consent_", 17) != 0 &&
        strncmp(what, "bestbank_payment_", 17) != 0)
        op_mark(c, rc, what);
    if (rc == PONTES_OK) return;
    const pontes_error *e = bestbank_client_last_error(c);
    print_error("%s:%d: %s failed: %s (%s) http=%ld provider_code=%s body=%s\n", file, line, what,
                pontes_status_name(rc), e->message ? e->message : "", e->http_status,
                e->provider_code ? e->provider_code : "-", e->body ? e->body : "-");
    _fail(file, line);
}
#define CHECK_OK(c, call) check_ok((c), (call), #call, __FILE__, __LINE__)

/* TODAY: the generated security table lists Best Bank's one requirement {bestbankOAuth,
 * certificate} as two alternatives, and the runtime sends only the first scheme that has
 * credentials (Authorization). Until it sends every scheme of a requirement, the Certificate
 * header is also passed per call (set only when group_setup found that the server refuses a call
 * without it, so that no duplicate header is sent once the runtime sends it itself). */
static bool g_cert_header;
static const char *g_cert_headers[2];
static pontes_call_options g_call_opts;

static const pontes_call_options *call_opts(void) {
    if (!g_cert_header) return NULL;
    static char line[600];
    snprintf(line, sizeof line, "Certificate: %s", g_certificate);
    g_cert_headers[0] = line;
    g_cert_headers[1] = NULL;
    pontes_call_options o = PONTES_CALL_OPTIONS_INIT;
    g_call_opts = o;
    g_call_opts.headers = g_cert_headers;
    return &g_call_opts;
}

/* Which extra parameter the Authorization header carries (the security requirement's role). */
typedef enum auth_role { ROLE_CONSUMER_KEY, ROLE_CODE, ROLE_ACCESS_TOKEN } auth_role;

/* Set both schemes for the next call. With the runtime's OAuth-params provider
 * (PONTES_SEC_OAUTH_PARAMS, pontes_client_set_oauth_params) the consumer key, the code or the
 * token are given to it and it builds the header; without it (older runtime) the complete
 * `OAuth k=v,...` value goes into the scheme as an apiKey.
 * The flow tests below (test_flow_*) set only the consumer key: the token is captured from Token
 * automatically, with its absolute expiry. */
static void set_auth(bestbank_client *c, auth_role role) {
#ifdef PONTES_SEC_OAUTH_PARAMS
    pontes_oauth_params_options op = PONTES_OAUTH_PARAMS_OPTIONS_INIT;
    op.consumer_key = g_consumer_key;
    CHECK_OK(c, pontes_client_set_oauth_params(c, "bestbankOAuth", &op));
    if (role == ROLE_CODE) CHECK_OK(c, pontes_client_set_oauth_params_code(c, "bestbankOAuth", g_code));
    if (role == ROLE_ACCESS_TOKEN) CHECK_OK(c, pontes_client_set_oauth_params_token(c, "bestbankOAuth", g_token, 0));
    CHECK_OK(c, pontes_client_set_api_key(c, "certificate", g_certificate));
#else
    char v[512];
    switch (role) {
    case ROLE_CODE:
        snprintf(v, sizeof v, "OAuth code=%s,oauth_consumer_key=%s", g_code, g_consumer_key);
        break;
    case ROLE_ACCESS_TOKEN:
        snprintf(v, sizeof v, "OAuth access_token=%s,oauth_consumer_key=%s", g_token, g_consumer_key);
        break;
    default:
        snprintf(v, sizeof v, "OAuth oauth_consumer_key=%s", g_consumer_key);
        break;
    }
    CHECK_OK(c, pontes_client_set_api_key(c, "bestbankOAuth", v));
    CHECK_OK(c, pontes_client_set_api_key(c, "certificate", g_certificate));
#endif
}

static bestbank_client *client(auth_role role) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_srv.base_url;
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 30000;
    o.retry_base_ms = 50;
    o.retry_max_ms = 500;
    bestbank_client *c = NULL;
    assert_int_equal(bestbank_client_new(&c, &o), PONTES_OK);
    assert_non_null(c);
    set_auth(c, role);
    return c;
}

/* d equals the decimal text want numerically (995.0 == 995.0000: a JSON re-encoder may drop
 * trailing zeros; the digits themselves must be exact). */
static void assert_decimal_(const pontes_decimal *d, const char *want, const char *file, int line) {
    pontes_decimal w;
    if (pontes_decimal_parse(want, strlen(want), &w) != PONTES_OK) fail_msg("bad decimal literal %s", want);
    if (pontes_decimal_cmp(d, &w) != 0) {
        char got[PONTES_DECIMAL_TEXT_MAX];
        pontes_decimal_to_text(d, got, sizeof got);
        print_error("%s:%d: decimal %s != %s\n", file, line, got, want);
        _fail(file, line);
    }
}
#define assert_decimal(d, want) assert_decimal_((d), (want), __FILE__, __LINE__)

/* ======================================================================== */
/* consent and token                                                        */

static void test_initiate(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_CONSUMER_KEY);
    bestbank_initiate_params p = BESTBANK_INITIATE_PARAMS_INIT;
    p.redirect_uri = REDIRECT_URI;
    p.response_type = "200";
    p.state = "e2e-state-1";
    bestbank_login_response *r = NULL;
    CHECK_OK(c, bestbank_initiate_ex(c, &p, &r, call_opts()));
    assert_int_equal(r->has_login_url, PONTES_SET);
    assert_non_null(r->login_url);
    assert_true(strncmp(r->login_url, "http", 4) == 0);
    if (EXAMPLES())
        assert_string_equal(r->login_url,
                            "https://www.bancobest.pt/ptg/start.swe?SWECmd=InvokeMethod&SWEService=BEST+Process+Web+"
                            "Request+NS&SWEMethod=runService&serviceName=BEST+PSD2+Web&serviceMethod=StartLogin&login_"
                            "token=f191ba310f111399c6dd5966fc2cd27e176bd8b91582f1df771a47531cf83226&state=none2&oper_id=1-"
                            "BJN2KC");
    /* consent → token → balances through the flow helpers: test_flow_consent_token_balances;
     * wrong/missing state and an error redirect: test_flow_consent_errors */
    bestbank_login_response_free(r);
    bestbank_client_free(c);
}

static void test_token(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_CODE);
    bestbank_token_response *t = NULL;
    CHECK_OK(c, bestbank_token_ex(c, &t, call_opts()));
    assert_int_equal(t->has_access_token, PONTES_SET);
    assert_true(strlen(t->access_token) >= 16);
    assert_int_equal(t->has_expires_in, PONTES_SET);
    assert_true(t->expires_in > 1000000000); /* an absolute epoch time, not a lifetime */
    if (EXAMPLES()) {
        assert_string_equal(t->access_token, EXAMPLE_TOKEN);
        assert_true(t->expires_in == 1648166400);
    }
#ifdef PONTES_SEC_OAUTH_PARAMS
    int64_t exp = 0; /* the provider captured the token with its absolute expiry */
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", &exp), PONTES_OK);
    assert_true(exp == t->expires_in);
#endif
    /* a stateful server: this token (the newest: it cancels older ones) serves the next tests */
    if (g_module) snprintf(g_token, sizeof g_token, "%s", t->access_token);
    /* absolute expiry: test_token_absolute_expiry; a newer token cancels the older one (EGEN003):
     * test_token_superseded */
    bestbank_token_response_free(t);
    bestbank_client_free(c);
}

/* ======================================================================== */
/* account information                                                      */

static void check_example_account(const bestbank_balance_item *b) {
    assert_string_equal(b->id, EXAMPLE_ACCOUNT);
    assert_decimal(&b->balance, "995.0000");
    assert_decimal(&b->balance_available, "0.0");
    assert_decimal(&b->balance_booked, "995.0000");
    assert_string_equal(b->currency, "EUR");
    assert_int_equal(b->account_type.value, BESTBANK_PRODUCT_TYPE_ACCOUNT);
    assert_string_equal(b->product, "Conta Digital");
    assert_int_equal(b->has_account_number, PONTES_SET);
    assert_int_equal(b->account_number->type.value, BESTBANK_ACCOUNT_NUMBER_TYPE_IBAN);
    assert_string_equal(b->account_number->value, "PT50006500010000000620154");
}

static void test_balance(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_ACCESS_TOKEN);
    static const char *const types[] = {"Account", "CreditCard"};
    for (size_t i = 0; i < 2; i++) {
        bestbank_balance_list *l = NULL;
        CHECK_OK(c, bestbank_balance_ex(c, types[i], &l, call_opts()));
        assert_int_equal(l->has_value, PONTES_SET);
        assert_true(l->value.count >= 1);
        for (size_t k = 0; k < l->value.count; k++) {
            const bestbank_balance_item *b = l->value.items[k];
            assert_int_equal(b->has_id, PONTES_SET);
            assert_int_equal(b->has_balance, PONTES_SET);
            assert_true(b->balance.scale >= 0 && b->balance.scale <= 4);
        }
        if (EXAMPLES()) { /* Prism and the generic mock answer the first example (accounts) */
            assert_int_equal(l->value.count, 1);
            check_example_account(l->value.items[0]);
        } else if (g_module) {
            int want = i == 0 ? BESTBANK_PRODUCT_TYPE_ACCOUNT : BESTBANK_PRODUCT_TYPE_CREDIT_CARD;
            for (size_t k = 0; k < l->value.count; k++)
                assert_int_equal(l->value.items[k]->account_type.value, want);
        }
        bestbank_balance_list_free(l);
    }
    bestbank_client_free(c);
}

static void test_balance_of_account(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_ACCESS_TOKEN);
    bestbank_balance_list *l = NULL;
    CHECK_OK(c, bestbank_balance_of_account_ex(c, EXAMPLE_ACCOUNT, &l, call_opts()));
    assert_int_equal(l->has_value, PONTES_SET);
    assert_int_equal(l->value.count, 1); /* an array, as for balance */
    if (EXAMPLES() || g_module) check_example_account(l->value.items[0]);
    bestbank_balance_list_free(l);
    bestbank_client_free(c);
}

static void test_transactions(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_ACCESS_TOKEN);
    bestbank_transaction_list *l = NULL;
    CHECK_OK(c, bestbank_transactions_ex(c, "Account", EXAMPLE_ACCOUNT, &l, call_opts()));
    assert_int_equal(l->has_value, PONTES_SET);
    assert_true(l->value.count >= 1);
    for (size_t k = 0; k < l->value.count; k++) {
        const bestbank_transaction_item *t = l->value.items[k];
        assert_int_equal(t->has_amount, PONTES_SET);
        assert_int_equal(t->has_date, PONTES_SET);
        time_t when = 0;
        assert_int_equal(pontes_epoch_to_time(t->date, &when), PONTES_OK); /* epoch in a string */
        assert_true(when > 0);
        /* debits are negative */
        if (t->type.value == BESTBANK_TRANSACTION_ITEM_TYPE_DEBIT) assert_true(t->amount.coef < 0);
        if (t->type.value == BESTBANK_TRANSACTION_ITEM_TYPE_CREDIT) assert_true(t->amount.coef > 0);
    }
    if (EXAMPLES() || g_module) { /* the documented account example */
        assert_int_equal(l->value.count, 4);
        const bestbank_transaction_item *t0 = l->value.items[0], *t2 = l->value.items[2];
        assert_decimal(&t0->balance, "1000.0000");
        assert_int_equal(t0->type.value, BESTBANK_TRANSACTION_ITEM_TYPE_CREDIT);
        assert_string_equal(t0->description, "Sandbox Virtual Main Account Bank");
        assert_string_equal(t0->date, "1598349684");
        assert_decimal(&t0->amount, "1000.0000");
        assert_string_equal(t0->moviment_currency, "EUR");
        assert_string_equal(t0->transaction_number, "10036");
        assert_int_equal(t2->type.value, BESTBANK_TRANSACTION_ITEM_TYPE_DEBIT);
        assert_decimal(&t2->amount, "-1000.0000");
        assert_string_equal(t2->transaction_number, "10038");
        int64_t minor = 0;
        assert_int_equal(pontes_decimal_to_minor(&t2->amount, 2, &minor), PONTES_OK);
        assert_true(minor == -100000); /* exact: -1000.00 EUR in cents */
    }
    bestbank_transaction_list_free(l);

    /* the credit-card shape of the path */
    l = NULL;
    CHECK_OK(c, bestbank_transactions_ex(c, "CreditCard", EXAMPLE_CARD, &l, call_opts()));
    assert_int_equal(l->has_value, PONTES_SET);
    bestbank_transaction_list_free(l);
    bestbank_client_free(c);
}

/* ======================================================================== */
/* operations and payments                                                  */

static void test_check_operation_by_id(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_ACCESS_TOKEN);
    bestbank_check_operation_response *r = NULL;
    CHECK_OK(c, bestbank_check_operation_by_id_ex(c, EXAMPLE_OPER_ID, &r, call_opts()));
    assert_int_equal(r->has_return_code, PONTES_SET);
    if (EXAMPLES()) { /* the consent example, in its envelope */
        assert_string_equal(r->return_code, "0");
        assert_string_equal(r->return_msg, "Sucesso");
        assert_int_equal(r->has_output_data, PONTES_SET);
        const bestbank_operation_info *o = r->output_data;
        assert_string_equal(o->oper_id, EXAMPLE_OPER_ID);
        assert_int_equal(o->oper_type.value, BESTBANK_OPER_TYPE_V0); /* a consent */
        assert_string_equal(o->status, "INIT");
        assert_string_equal(o->entity_name, "BANCO BEST");
        assert_string_equal(o->redirect_url, "http://httpbin.org/get?oper_id=1-BQOCJB&status=INIT");
        assert_int_equal(o->has_amount, PONTES_NULL);
        assert_int_equal(o->has_error_code, PONTES_NULL);
        assert_int_equal(o->has_oper_sub_type, PONTES_NULL);
    }
    /* the payment's and the consent's operations: test_flow_payment_check_operation and
     * test_flow_consent_token_balances; the envelope error of an unknown id: test_error_envelope */
    bestbank_check_operation_response_free(r);
    bestbank_client_free(c);
}

static void test_tops_ups_get_payment_info(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_CONSUMER_KEY);
    bestbank_top_up_info_response *r = NULL;
    CHECK_OK(c, bestbank_tops_ups_get_payment_info_ex(c, &r, call_opts()));
    assert_int_equal(r->has_return_code, PONTES_SET);
    if (EXAMPLES() || g_module) { /* the documented catalogue (also the mock's) */
        assert_string_equal(r->return_code, "0");
        assert_string_equal(r->return_msg, "Sucesso");
        assert_non_null(r->output_data);
        const bestbank_top_up_catalogue_list_of_entities *le = r->output_data->list_of_entities;
        assert_non_null(le);
        assert_int_equal(le->entity.count, 1);
        const bestbank_top_up_entity *en = le->entity.items[0];
        assert_string_equal(en->entity_name, "WTF");
        assert_string_equal(en->entity_code, "10058");
        assert_non_null(en->list_of_payment_types);
        assert_int_equal(en->list_of_payment_types->payment.count, 1);
        const bestbank_top_up_payment_type *pt = en->list_of_payment_types->payment.items[0];
        assert_string_equal(pt->name, "Carregamentos");
        assert_string_equal(pt->code, "1");
        assert_int_equal(pt->amount_max->kind, BESTBANK_CATALOGUE_AMOUNT_MONEY_TEXT);
        assert_decimal(&pt->amount_max->u.money_text, "100");
        assert_decimal(&pt->amount_min->u.money_text, "5");
        assert_string_equal(pt->reference_digits, "9");
        assert_non_null(pt->list_of_amount);
        assert_int_equal(pt->list_of_amount->amount.count, 7);
        const bestbank_top_up_amount *a0 = pt->list_of_amount->amount.items[0];
        const bestbank_top_up_amount *a6 = pt->list_of_amount->amount.items[6];
        assert_string_equal(a0->description, "5 Euros");
        assert_int_equal(a0->amount->kind, BESTBANK_CATALOGUE_AMOUNT_MONEY_TEXT);
        assert_decimal(&a0->amount->u.money_text, "5");
        assert_string_equal(a6->description, "Outros Montantes");
        assert_int_equal(a6->amount->kind, BESTBANK_CATALOGUE_AMOUNT_EMPTY_TEXT); /* "" = free amount */
        assert_non_null(pt->list_of_details);
        assert_int_equal(pt->list_of_details->details.count, 2);
        assert_string_equal(pt->list_of_details->details.items[1]->name, "Telem\xc3\xb3vel");
    }
    bestbank_top_up_info_response_free(r);
    bestbank_client_free(c);
}

/* The nine documented InitiatePayment bodies (the spec's examples), each read through the
 * generated decoder into the oneOf union, then sent by the client (encoded from the structs). */
typedef struct payment_case {
    const char *name;
    int kind;
    const char *json;
} payment_case;

static const payment_case payment_cases[] = {
    {"insideTransfer", BESTBANK_PAYMENT_INITIATION_INSIDE_TRANSFER,
     "{\"pispid\":\"1234567890-1234\",\"environment\":\"WEB\",\"creditor\":{\"account\":{\"iban\":"
     "\"006500010000000000000\",\"amount\":\"5\",\"type\":{\"inside\":true}},\"name\":\"Beneficiary name\","
     "\"description\":\"descri\xc3\xa7\xc3\xa3o\",\"email\":\"email@email.com\"},\"debtor\":{\"iban\":"
     "\"006500010000000000000\"}}"},
    {"interbankTransfer", BESTBANK_PAYMENT_INITIATION_INTERBANK_TRANSFER,
     "{\"pispid\":\"1234567890-1234\",\"environment\":\"WEB\",\"type\":\"1\",\"creditor\":{\"account\":{\"iban\":"
     "\"006500010000000000000\",\"amount\":\"5\",\"type\":{\"interbank\":true}},\"name\":\"Beneficiary name\","
     "\"description\":\"descri\xc3\xa7\xc3\xa3o\",\"email\":\"email@email.com\"},\"debtor\":{\"iban\":"
     "\"006500010000000000000\"}}"},
    {"internationalTransfer", BESTBANK_PAYMENT_INITIATION_INTERNATIONAL_TRANSFER,
     "{\"pispid\":\"1234567890-1234\",\"environment\":\"WEB\",\"type\":\"\",\"creditor\":{\"account\":{\"iban\":"
     "\"006500010000000000000\",\"amount\":\"5\",\"type\":{\"international\":true},\"info\":{\"currency\":\"EUR\","
     "\"urgency_flag\":\"N\",\"nature_code\":\"066\",\"expenses_code\":\"OUR\",\"address\":\"Morada do "
     "Destinat\xc3\xa1rio Address 1\",\"swift_code\":\"BESZPTPL123\",\"bank_name\":\"Nome do Banco Dest\","
     "\"bank_address\":\"Pra\xc3\xa7" "a Marqu\xc3\xaas de Pombal, N\xc2\xba 3, 3\xc2\xba\",\"bank_address_city\":"
     "\"Lisboa\",\"bank_country_code\":\"0840\"}},\"name\":\"Beneficiary name\",\"description\":"
     "\"descri\xc3\xa7\xc3\xa3o\",\"email\":\"email@email.com\",\"country\":\"0840\"},\"debtor\":{\"iban\":"
     "\"006500010000000000000\"}}"},
    {"servicePayment", BESTBANK_PAYMENT_INITIATION_SERVICE_PAYMENT,
     "{\"creditor\":{\"payment_bill\":{\"entity\":\"22356\",\"reference\":\"123456789\",\"amount\":\"5\"},"
     "\"description\":\"\"},\"debtor\":{\"iban\":\"006500010000000000000\"}}"},
    {"purchasePayment", BESTBANK_PAYMENT_INITIATION_PURCHASE_PAYMENT,
     "{\"creditor\":{\"payment_bill\":{\"enterprise\":\"22356\",\"reference\":\"123456789\",\"amount\":\"5\"}},"
     "\"debtor\":{\"iban\":\"006500010000000000000\"}}"},
    {"statePayment", BESTBANK_PAYMENT_INITIATION_STATE_PAYMENT,
     "{\"creditor\":{\"state_bill\":{\"amount\":\"12\",\"reference\":\"123456789\"}},\"debtor\":{\"iban\":"
     "\"006500010000000000000\"}}"},
    {"santaCasaPayment", BESTBANK_PAYMENT_INITIATION_SANTA_CASA_PAYMENT,
     "{\"creditor\":{\"santa_casa\":{\"amount\":\"12\",\"player_card_num\":\"123456789\"}},\"debtor\":{\"iban\":"
     "\"006500010000000000000\"}}"},
    {"socialSecurityPayment", BESTBANK_PAYMENT_INITIATION_SOCIAL_SECURITY_PAYMENT,
     "{\"creditor\":{\"social_security\":{\"regime_type\":\"3\",\"reference_year\":\"2021\",\"reference_month\":"
     "\"01\",\"beneficiary\":\"12345678900\",\"employer\":\"12345678900\",\"remuneration_type\":\"1\","
     "\"remuneration_units\":\"\",\"remuneration_monthly\":\"\"}},\"debtor\":{\"iban\":\"006500010000000000000\"}}"},
    {"topUpPayment", BESTBANK_PAYMENT_INITIATION_TOP_UP_PAYMENT,
     "{\"creditor\":{\"topup\":{\"entity_code\":\"10058\",\"reference\":912345678,\"amount\":10}},\"debtor\":"
     "{\"iban\":\"006500010000000000000\"}}"},
};
#define N_PAYMENTS (sizeof payment_cases / sizeof payment_cases[0])

static void send_payment(bestbank_client *c, const bestbank_payment_initiation *body, const char *name) {
    bestbank_initiate_payment_params p = BESTBANK_INITIATE_PAYMENT_PARAMS_INIT;
    p.redirect_uri = REDIRECT_URI;
    p.response_type = "200"; /* "not used, but must not be null" */
    p.scope = "user";
    p.state = "user";
    bestbank_login_response *r = NULL;
    int rc = op_mark(c, bestbank_initiate_payment_ex(c, &p, body, &r, call_opts()), "initiatePayment");
    if (rc != PONTES_OK) {
        const pontes_error *e = bestbank_client_last_error(c);
        fail_msg("initiatePayment %s: %s (%s) http=%ld body=%s", name, pontes_status_name(rc),
                 e->message ? e->message : "", e->http_status, e->body ? e->body : "-");
    }
    assert_int_equal(r->has_login_url, PONTES_SET);
    assert_non_null(r->login_url);
    if (EXAMPLES()) assert_string_equal(r->login_url, "https://api.openbank.bancobest.pt/api/v2/Auth/Index/1-000000");
    bestbank_login_response_free(r);
}

static void test_initiate_payment_every_variant(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_CONSUMER_KEY);
    for (size_t i = 0; i < N_PAYMENTS; i++) {
        const payment_case *pc = &payment_cases[i];
        bestbank_payment_initiation *body = NULL;
        pontes_error err = PONTES_ERROR_INIT;
        int rc = bestbank_payment_initiation_decode(pc->json, strlen(pc->json), &body, &err);
        if (rc != PONTES_OK) fail_msg("%s: decode: %s at %s", pc->name, err.message ? err.message : "?",
                                      err.json_path ? err.json_path : "?");
        pontes_error_clear(&err);
        if (body->kind != pc->kind) fail_msg("%s decoded as variant %d, not %d", pc->name, body->kind, pc->kind);
        send_payment(c, body, pc->name);
        bestbank_payment_initiation_free(body);
    }
    /* payment → redirect with oper_id only → CheckOperationByID: test_flow_payment_check_operation */
    bestbank_client_free(c);
}

/* An inside transfer built member by member (the typed API a caller uses), amount exact. */
static void test_initiate_payment_built(void **state) {
    (void)state;
    bestbank_client *c = client(ROLE_CONSUMER_KEY);
    bestbank_inside_transfer_creditor_account_type ty = BESTBANK_INSIDE_TRANSFER_CREDITOR_ACCOUNT_TYPE_INIT;
    PONTES_PUT(ty, inside, true);
    bestbank_inside_transfer_creditor_account acct = BESTBANK_INSIDE_TRANSFER_CREDITOR_ACCOUNT_INIT;
    PONTES_PUT(acct, iban, "006500010000000620162"); /* the IBAN without PT50: 21 digits */
    pontes_decimal amount = PONTES_DECIMAL(1234, 2); /* 12.34 EUR, sent as the string "12.34" */
    PONTES_PUT(acct, amount, amount);
    PONTES_PUT(acct, type, &ty);
    bestbank_inside_transfer_creditor cr = BESTBANK_INSIDE_TRANSFER_CREDITOR_INIT;
    PONTES_PUT(cr, account, &acct);
    PONTES_PUT(cr, name, "Beneficiary name");
    PONTES_PUT(cr, description, "e2e inside transfer");
    bestbank_debtor db = BESTBANK_DEBTOR_INIT;
    PONTES_PUT(db, iban, "006500010000000620154");
    bestbank_inside_transfer tr = BESTBANK_INSIDE_TRANSFER_INIT;
    PONTES_PUT(tr, pispid, "1234567890-1234");
    PONTES_PUT_ENUM(tr, environment, BESTBANK_ENVIRONMENT_WEB);
    PONTES_PUT(tr, creditor, &cr);
    PONTES_PUT(tr, debtor, &db);
    bestbank_payment_initiation body = {BESTBANK_PAYMENT_INITIATION_INSIDE_TRANSFER, NULL, {.inside_transfer = &tr}};

    /* what goes on the wire: the amount as a JSON string with its exact digits */
    char *json = NULL;
    size_t len = 0;
    pontes_error err = PONTES_ERROR_INIT;
    assert_int_equal(bestbank_payment_initiation_encode(&body, &json, &len, &err), PONTES_OK);
    if (!strstr(json, "\"amount\":\"12.34\"")) fail_msg("amount not sent as \"12.34\": %s", json);
    pontes_json_free(json);
    pontes_error_clear(&err);

    send_payment(c, &body, "built insideTransfer");
    bestbank_client_free(c);
}

/* ---- error bodies of the spec's examples, through Prism ----------------------- */

/* Prism answers a documented error example when asked (`Prefer: code=..., example=...`);
 * tools/test-prism.sh says the server is Prism (PONTES_TEST_PRISM[_BESTBANK]=1). */
static const pontes_call_options *prefer(const char *what) {
    static const char *hdrs[3];
    static char cert[600], pref[200];
    static pontes_call_options o;
    size_t n = 0;
    if (g_cert_header) {
        snprintf(cert, sizeof cert, "Certificate: %s", g_certificate);
        hdrs[n++] = cert;
    }
    snprintf(pref, sizeof pref, "Prefer: %s", what);
    hdrs[n++] = pref;
    hdrs[n] = NULL;
    pontes_call_options init = PONTES_CALL_OPTIONS_INIT;
    o = init;
    o.headers = hdrs;
    o.max_retries = 0;
    return &o;
}

static void test_error_examples_prism(void **state) {
    (void)state;
    const char *v = e2e_env(&g_srv, "PRISM");
    if (!g_srv.external || !v || strcmp(v, "1") != 0) {
        print_message("skipped: needs Prism (PONTES_TEST_PRISM_BESTBANK=1, set by tools/test-prism.sh)\n");
        skip();
    }
    bestbank_client *c = client(ROLE_ACCESS_TOKEN);
    /* 401 Certificate error: the {Message, ErrorDate, ErrorID} body in the error object */
    bestbank_balance_list *l = NULL;
    int rc = op_mark(c, bestbank_balance_ex(c, "Account", &l, prefer("code=401, example=certificateError")), "balance");
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(l);
    const pontes_error *e = bestbank_client_last_error(c);
    assert_int_equal(e->http_status, 401);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "Certificate error");
    assert_non_null(e->provider_message);
    assert_string_equal(e->provider_message, "Certificate error");
    assert_non_null(e->request_id);
    assert_string_equal(e->request_id, "918723fe03c046a5b259fe3a932919f2");
    assert_string_equal(e->operation_id, "balance");
    /* 400 EGEN003 (a newer token cancelled this one): an error whose code says so */
    bestbank_transaction_list *t = NULL;
    rc = op_mark(c, bestbank_transactions_ex(c, "Account", EXAMPLE_ACCOUNT, &t, prefer("code=400, example=tokenCancelled")),
                 "transactions");
    assert_int_not_equal(rc, PONTES_OK); /* PONTES_EHTTP today; PONTES_EAUTH once EGEN003 means token-invalid */
    assert_null(t);
    e = bestbank_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "EGEN003");
    assert_string_equal(e->request_id, "37be13b57e6948ad9c0c610ba483fea2");
    /* 417: the bank's generic failure */
    bestbank_top_up_info_response *ti = NULL;
    rc = op_mark(c, bestbank_tops_ups_get_payment_info_ex(c, &ti, prefer("code=417")), "topsUpsGetPaymentInfo");
    assert_int_equal(rc, PONTES_EHTTP);
    assert_int_equal(bestbank_client_last_error(c)->http_status, 417);
    assert_non_null(bestbank_client_last_error(c)->provider_message);
    bestbank_client_free(c);
}

/* ======================================================================== */
/* flows and error paths, with the runtime's flow helpers                   */
/*
 * Each test makes its own consent (bestbank_consent_start → the LoginUrl opened with a real GET,
 * redirects not followed, as a browser would → the 302 Location → bestbank_consent_finish) for
 * its own user (the mock's login page takes `&user=NAME`; a newer token of the same user cancels
 * the older one), so that the tests do not cancel each other's tokens. Against a stateless server
 * (Prism) the login cannot happen: the redirect is made as the bank documents it (the example
 * code, the state from consent_start) and the flow goes on against the examples; the assertions
 * that need the mock's state or admin endpoints are skipped and counted (e2e_needs_state). */

#define EXAMPLE_CONSENT_OPER "1-BJN2KC"  /* the oper_id of the documented LoginUrl */
#define FLOW_STATE_LEN_OK(s) ((s) && strlen(s) == PONTES_FLOW_STATE_LEN)

/* The assertions that follow need the pontes mock's Best Bank module (its state and
 * /__admin/bestbank/...  endpoints): false, and counted as a skip, against a stateless server; the
 * test is skipped against a stateful server that is not the mock (a real bank needs a person). */
static bool mock_state(const char *what) {
    if (g_module) return true;
    if (e2e_needs_state(&g_srv, what)) return false;
    print_message("skipped (not the pontes mock): %s\n", what);
    return false;
}
#define REQUIRE_MOCK_STATE(what)                                                                    \
    do {                                                                                            \
        if (!mock_state(what)) skip();                                                              \
    } while (0)

/* ---- a log hook that keeps every line ---- */
typedef struct log_sink {
    char *text; /* all lines, '\n'-separated */
    size_t len, cap;
    size_t lines;
} log_sink;

static void on_log(void *user, pontes_log_level level, const char *message) {
    (void)level;
    log_sink *s = user;
    size_t n = strlen(message);
    if (s->len + n + 2 > s->cap) {
        size_t cap = (s->cap ? s->cap * 2 : 4096) + n + 2;
        char *t = realloc(s->text, cap);
        assert_non_null(t);
        s->text = t;
        s->cap = cap;
    }
    memcpy(s->text + s->len, message, n);
    s->len += n;
    s->text[s->len++] = '\n';
    s->text[s->len] = '\0';
    s->lines++;
}

/* ---- clients for the flows ---- */
typedef struct flow_opts {
    const char *consumer_key; /* NULL: g_consumer_key */
    const char *secret_key;
    int sign;                 /* -1: the spec's default */
    log_sink *log;            /* DEBUG log hook, or NULL */
} flow_opts;

/* Against a stateless server the Token answer is the documented example, whose absolute
 * expires_in (1648166400, 2022-03-25) has passed: the runtime rightly never sends such a token.
 * There the flow clients run on a clock fixed one hour before it (the option is for that). */
#define EXAMPLE_TOKEN_EXPIRY 1648166400
static int64_t example_clock(void *user) {
    (void)user;
    return EXAMPLE_TOKEN_EXPIRY - 3600;
}
/* Unix time as the flow clients see it. */
static int64_t flow_now(void) { return g_module ? (int64_t)time(NULL) : example_clock(NULL); }

static bestbank_client *flow_client_ex(const flow_opts *fo) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_srv.base_url;
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 30000;
    o.retry_base_ms = 50;
    o.retry_max_ms = 500;
    if (fo && fo->log) {
        o.log = on_log;
        o.log_user = fo->log;
        o.log_level = PONTES_LOG_DEBUG;
    }
    bestbank_client *c = NULL;
    assert_int_equal(bestbank_client_new(&c, &o), PONTES_OK);
    pontes_oauth_params_options op = PONTES_OAUTH_PARAMS_OPTIONS_INIT;
    op.consumer_key = fo && fo->consumer_key ? fo->consumer_key : g_consumer_key;
    if (fo) {
        op.secret_key = fo->secret_key;
        op.sign = fo->sign;
    }
    if (!g_module) op.clock = example_clock;
    CHECK_OK(c, pontes_client_set_oauth_params(c, "bestbankOAuth", &op));
    CHECK_OK(c, pontes_client_set_api_key(c, "certificate", g_certificate));
    return c;
}

static bestbank_client *flow_client(void) { return flow_client_ex(NULL); }

/* Open login_url the way a browser does (GET, redirects not followed), as `user` (NULL: the
 * mock's default user, the URL untouched). Returns the Location of the 302. */
static void open_login(const char *login_url, const char *user, char *loc, size_t cap) {
    char url[1200];
    if (user)
        snprintf(url, sizeof url, "%s&user=%s", login_url, user);
    else
        snprintf(url, sizeof url, "%s", login_url);
    long st = e2e_http_header(url, "Location", loc, cap);
    if (st != 302 || strncmp(loc, REDIRECT_URI "?", strlen(REDIRECT_URI) + 1) != 0)
        fail_msg("login page %s: HTTP %ld, Location '%s'", url, st, loc);
}

/* The value of query parameter name in url ("" when absent). */
static void query_param(const char *url, const char *name, char *out, size_t cap) {
    out[0] = '\0';
    const char *q = strchr(url, '?');
    size_t nl = strlen(name);
    for (const char *p = q; p && *p;) {
        p++;
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            snprintf(out, cap, "%.*s", (int)strcspn(p + nl + 1, "&#"), p + nl + 1);
            return;
        }
        p = strchr(p, '&');
    }
}

/* Start a consent and bring back the redirect the app receives: from the mock's login page (a
 * real GET), or, against a stateless server, the documented redirect (example code, our state). */
static pontes_flow_start *consent_redirect(bestbank_client *c, const char *user, char *redirect, size_t cap) {
    pontes_flow_start *fs = NULL;
    int rc = bestbank_consent_start(c, REDIRECT_URI, &fs);
    op_mark(c, rc, "initiate");
    CHECK_OK(c, rc);
    assert_non_null(fs);
    assert_non_null(fs->login_url);
    assert_true(FLOW_STATE_LEN_OK(fs->state)); /* 32 random bytes, base64url */
    for (const char *p = fs->state; *p; p++)
        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                    *p == '_');
    if (g_module) {
        /* the state travels to the bank and back in the LoginUrl (the mock copies it) */
        char st[128];
        query_param(fs->login_url, "state", st, sizeof st);
        assert_string_equal(st, fs->state);
        open_login(fs->login_url, user, redirect, cap);
    } else {
        snprintf(redirect, cap, "%s?code=%s&state=%s&oper_id=%s", REDIRECT_URI, g_code, fs->state, EXAMPLE_CONSENT_OPER);
    }
    return fs;
}

/* A whole consent: start, login, finish; the token is kept by the client. */
static void consent(bestbank_client *c, const char *user, bestbank_consent_result **out) {
    char redirect[1200];
    pontes_flow_start *fs = consent_redirect(c, user, redirect, sizeof redirect);
    bestbank_consent_result *r = NULL;
    int rc = bestbank_consent_finish(c, redirect, fs->state, &r);
    op_mark(c, rc, "token");
    CHECK_OK(c, rc);
    assert_non_null(r);
    pontes_flow_start_free(fs);
    if (out)
        *out = r;
    else
        bestbank_consent_result_free(r);
}

/* ---- the mock's admin side (plain libcurl) ---- */

static void admin_config(const char *json) {
    long st = 0;
    cJSON *doc = e2e_admin_post(&g_srv, "bestbank/config", json, &st);
    cJSON_Delete(doc);
    if (st != 200) fail_msg("POST /__admin/bestbank/config %s: HTTP %ld", json, st);
}

/* The mock's record of the access token issued for consent operation oper_id (its value and
 * absolute expiry), from GET /__admin/state. */
static void mock_token_of(const char *oper_id, char *token, size_t cap, int64_t *expires) {
    char url[700], *resp = NULL;
    snprintf(url, sizeof url, "%s/__admin/state", g_srv.base_url);
    long st = e2e_http("GET", url, NULL, &resp);
    cJSON *doc = st == 200 && resp ? cJSON_Parse(resp) : NULL;
    free(resp);
    assert_non_null(doc);
    token[0] = '\0';
    const cJSON *api, *t;
    cJSON_ArrayForEach(api, doc) {
        const cJSON *toks = cJSON_GetObjectItemCaseSensitive(api, "tokens");
        cJSON_ArrayForEach(t, toks) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(t, "oper_id");
            if (cJSON_IsString(o) && strcmp(o->valuestring, oper_id) == 0) {
                snprintf(token, cap, "%s", t->string);
                const cJSON *e = cJSON_GetObjectItemCaseSensitive(t, "expires");
                if (expires) *expires = cJSON_IsNumber(e) ? (int64_t)e->valuedouble : -1;
            }
        }
    }
    cJSON_Delete(doc);
    if (!token[0]) fail_msg("the mock issued no token for consent %s", oper_id);
}

/* Request-log position: the time of the last logged request (the log keeps the last 200). */
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

/* Requests of operation op_id (NULL: any) logged after mark; *last_cert gets the Certificate
 * header of the last one (if not NULL). */
static size_t log_count_since(double mark, const char *op_id, char *last_cert, size_t cap) {
    cJSON *log = e2e_admin_requests(&g_srv);
    assert_non_null(log);
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, log) {
        const cJSON *tm = cJSON_GetObjectItemCaseSensitive(e, "time");
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(e, "operationId");
        if (!cJSON_IsNumber(tm) || tm->valuedouble <= mark) continue;
        if (op_id && !(cJSON_IsString(o) && strcmp(o->valuestring, op_id) == 0)) continue;
        n++;
        if (last_cert) {
            const cJSON *h = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "headers"),
                                                              "Certificate");
            snprintf(last_cert, cap, "%s", cJSON_IsString(h) ? h->valuestring : "");
        }
    }
    cJSON_Delete(log);
    return n;
}

static void assert_text_(const pontes_decimal *d, const char *want, const char *file, int line) {
    char got[PONTES_DECIMAL_TEXT_MAX];
    if (pontes_decimal_to_text(d, got, sizeof got) != PONTES_OK || strcmp(got, want) != 0) {
        print_error("%s:%d: decimal text '%s' != '%s'\n", file, line, got, want);
        _fail(file, line);
    }
}
/* the exact text (digits and scale): 995.0000 is not 995.0 here */
#define assert_decimal_text(d, want) assert_text_((d), (want), __FILE__, __LINE__)
/* the mock's amounts exactly as written; a JavaScript server (Prism) re-prints JSON numbers
 * (995.0000 as 995), so there only the value is compared */
#define assert_amount(d, want) \
    (g_module ? assert_text_((d), (want), __FILE__, __LINE__) : assert_decimal_((d), (want), __FILE__, __LINE__))

static const bestbank_balance_item *find_item(const bestbank_balance_list *l, const char *id) {
    for (size_t k = 0; k < l->value.count; k++)
        if (l->value.items[k]->id && strcmp(l->value.items[k]->id, id) == 0) return l->value.items[k];
    fail_msg("account %s not in the balance list", id);
    return NULL;
}

/* ---- 1. the consent flow as a user writes it -------------------------------- */

static void test_flow_consent_token_balances(void **state) {
    (void)state;
    bestbank_client *c = flow_client(); /* only the consumer key and the certificate */
    int64_t exp = 0;
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", &exp), PONTES_EAUTH); /* none yet */
    bestbank_consent_result *r = NULL;
    consent(c, NULL, &r); /* the LoginUrl opened as it is: the mock's default user */
    if (g_module) {
        assert_non_null(r->operation_id);
        assert_true(strncmp(r->operation_id, "1-", 2) == 0);
    } else {
        assert_string_equal(r->operation_id, EXAMPLE_CONSENT_OPER);
    }
    /* the token was captured from Token, with its absolute expiry */
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", &exp), PONTES_OK);
    assert_true(exp == r->token_expires_at);
    if (g_module) {
        char tok[128];
        int64_t mexp = 0;
        mock_token_of(r->operation_id, tok, sizeof tok, &mexp);
        assert_true(exp == mexp); /* expires_in is the absolute time the mock wrote */
        int64_t now = (int64_t)time(NULL);
        assert_true(exp > now + 3000 && exp <= now + 3600 + 5); /* --token-ttl 3600 */
    } else if (EXAMPLES()) {
        assert_true(exp == EXAMPLE_TOKEN_EXPIRY);
    }

    /* balances, both path shapes, with the token sent automatically */
    bestbank_balance_list *l = NULL;
    int rc = bestbank_balance(c, "Account", &l);
    CHECK_OK(c, rc);
    if (g_module && !g_srv.external) { /* the fixtures, digits and scale as the mock wrote them */
        assert_int_equal(l->value.count, 2);
        const bestbank_balance_item *a = find_item(l, "0-MDAwMDAxMDI2");
        assert_decimal_text(&a->balance, "995.0000");
        assert_decimal_text(&a->balance_available, "0.0");
        assert_decimal_text(&a->balance_booked, "995.0000");
        assert_string_equal(a->account_number->value, "PT50006500010000000620154");
        const bestbank_balance_item *b = find_item(l, "0-MDAwMDAxMDI3");
        assert_decimal_text(&b->balance, "12345.6789");
        assert_decimal_text(&b->balance_available, "12000.5000");
        assert_decimal_text(&b->balance_booked, "12345.6789");
        assert_string_equal(b->product, "Conta Poupan\xc3\xa7" "a");
        int64_t minor = 0;
        assert_int_equal(pontes_decimal_to_minor(&b->balance, 4, &minor), PONTES_OK);
        assert_true(minor == 123456789);
    } else if (EXAMPLES()) {
        check_example_account(l->value.items[0]); /* numerically: Prism rewrites 995.0000 as 995 */
    }
    bestbank_balance_list_free(l);

    l = NULL;
    CHECK_OK(c, bestbank_balance(c, "CreditCard", &l));
    if (g_module) {
        const bestbank_balance_item *k = find_item(l, EXAMPLE_CARD);
        assert_int_equal(k->account_type.value, BESTBANK_PRODUCT_TYPE_CREDIT_CARD);
        assert_decimal_text(&k->balance, "995.0000");
        assert_decimal_text(&k->balance_booked, "0.0");
        assert_int_equal(k->has_currency, PONTES_NULL);
    }
    bestbank_balance_list_free(l);

    l = NULL;
    CHECK_OK(c, bestbank_balance_of_account(c, g_module ? "0-MDAwMDAxMDI3" : EXAMPLE_ACCOUNT, &l));
    assert_int_equal(l->value.count, 1);
    if (g_module && !g_srv.external) assert_decimal_text(&l->value.items[0]->balance_available, "12000.5000");
    bestbank_balance_list_free(l);

    /* transactions: exact amounts (debits negative) and epoch dates */
    bestbank_transaction_list *t = NULL;
    CHECK_OK(c, bestbank_transactions(c, "Account", EXAMPLE_ACCOUNT, &t));
    assert_int_equal(t->value.count, 4);
    static const char *const amounts[] = {"1000.0000", "5.0000", "-1000.0000", "-5.0000"};
    static const time_t dates[] = {1598349684, 1598372709, 1598349684, 1598372709};
    for (size_t k = 0; k < 4; k++) {
        const bestbank_transaction_item *it = t->value.items[k];
        assert_amount(&it->amount, amounts[k]);
        time_t when = 0;
        assert_int_equal(pontes_epoch_to_time(it->date, &when), PONTES_OK);
        assert_true(when == dates[k]);
        assert_int_equal(it->type.value, k < 2 ? BESTBANK_TRANSACTION_ITEM_TYPE_CREDIT : BESTBANK_TRANSACTION_ITEM_TYPE_DEBIT);
    }
    assert_amount(&t->value.items[2]->balance, "2005.0");
    bestbank_transaction_list_free(t);
    if (g_module && !g_srv.external) {
        t = NULL;
        CHECK_OK(c, bestbank_transactions(c, "Account", "0-MDAwMDAxMDI3", &t));
        assert_true(t->value.count >= 2);
        assert_decimal_text(&t->value.items[0]->amount, "0.0001");
        assert_decimal_text(&t->value.items[1]->amount, "-1234.5678");
        time_t when = 0;
        assert_int_equal(pontes_epoch_to_time(t->value.items[1]->date, &when), PONTES_OK);
        assert_true(when == 1700086400);
        int64_t minor = 0;
        assert_int_equal(pontes_decimal_to_minor(&t->value.items[0]->amount, 2, &minor), PONTES_ERANGE); /* 0.0001 is no cent */
        assert_int_equal(pontes_decimal_to_minor(&t->value.items[1]->amount, 4, &minor), PONTES_OK);
        assert_true(minor == -12345678);
        bestbank_transaction_list_free(t);
    }
    t = NULL;
    CHECK_OK(c, bestbank_transactions(c, "CreditCard", EXAMPLE_CARD, &t));
    if (g_module) { /* a stateless server answers the first (account) example on every path */
        assert_int_equal(t->value.count, 2);
        assert_decimal_text(&t->value.items[0]->amount, "-10.0");
        assert_decimal_text(&t->value.items[1]->amount, "10.0");
        time_t when = 0;
        assert_int_equal(pontes_epoch_to_time(t->value.items[0]->date, &when), PONTES_OK);
        assert_true(when == 1530403200);
    }
    bestbank_transaction_list_free(t);

    /* the consent itself, as CheckOperationByID reports it */
    if (g_module) {
        bestbank_check_operation_response *op = NULL;
        CHECK_OK(c, bestbank_check_operation_by_id(c, r->operation_id, &op));
        assert_string_equal(op->return_code, "0");
        assert_int_equal(op->output_data->oper_type.value, BESTBANK_OPER_TYPE_V0);
        assert_string_equal(op->output_data->status, "AUTHORIZED");
        bestbank_check_operation_response_free(op);
    }
    bestbank_consent_result_free(r);
    bestbank_client_free(c);
}

/* ---- 2. error redirect, wrong and missing state ----------------------------- */

static void test_flow_consent_errors(void **state) {
    (void)state;
    bestbank_client *c = flow_client();
    bestbank_consent_result *r = NULL;
    double mark = g_module ? log_mark() : 0;

    /* a wrong state: refused before Token, the code stays unused */
    char redirect[1200];
    pontes_flow_start *fs = consent_redirect(c, "e2e-errors", redirect, sizeof redirect);
    char wrong[64];
    snprintf(wrong, sizeof wrong, "%s", fs->state);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A'; /* same length, one character off */
    int rc = bestbank_consent_finish(c, redirect, wrong, &r);
    assert_int_equal(rc, PONTES_EAUTH);
    assert_null(r);
    const pontes_error *e = bestbank_client_last_error(c);
    assert_non_null(e->message);
    assert_non_null(strstr(e->message, "state"));
    assert_int_equal(e->http_status, 0);
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", NULL), PONTES_EAUTH);
    /* a redirect without state */
    char code[80], nostate[1200];
    query_param(redirect, "code", code, sizeof code);
    assert_true(strlen(code) > 0);
    snprintf(nostate, sizeof nostate, "%s?code=%s", REDIRECT_URI, code);
    assert_int_equal(bestbank_consent_finish(c, nostate, fs->state, &r), PONTES_EAUTH);
    assert_null(r);
    /* a redirect without code (right state) */
    char nocode[1200];
    snprintf(nocode, sizeof nocode, "%s?state=%s", REDIRECT_URI, fs->state);
    assert_int_equal(bestbank_consent_finish(c, nocode, fs->state, &r), PONTES_EINVAL);
    assert_null(r);
    if (mock_state("the Token endpoint saw no request for a refused redirect"))
        assert_int_equal(log_count_since(mark, "token", NULL, 0), 0);
    /* the code was not used: the right state still completes the consent */
    rc = bestbank_consent_finish(c, redirect, fs->state, &r);
    op_mark(c, rc, "token");
    CHECK_OK(c, rc);
    bestbank_consent_result_free(r);
    r = NULL;
    if (g_module) {
        assert_int_equal(log_count_since(mark, "token", NULL, 0), 1);
        /* the same redirect again: the code works once (400 Invalid Token.: token invalid) */
        assert_int_equal(bestbank_consent_finish(c, redirect, fs->state, &r), PONTES_EAUTH);
        assert_null(r);
        assert_int_equal(bestbank_client_last_error(c)->http_status, 400);
        assert_string_equal(bestbank_client_last_error(c)->provider_code, "Invalid Token.");
        /* a refused code is no reason to drop the access token the client holds */
        assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", NULL), PONTES_OK);
    }
    pontes_flow_start_free(fs);

    /* an error redirect: the user refused, or the bank failed the login */
    if (mock_state("an error redirect of the mock's login page (config login_error)")) {
        admin_config("{\"login_error\": \"access_denied\", \"login_error_count\": 1}");
        mark = log_mark();
        fs = consent_redirect(c, "e2e-errors", redirect, sizeof redirect);
        char err[64], st[80];
        query_param(redirect, "error", err, sizeof err);
        query_param(redirect, "state", st, sizeof st);
        assert_string_equal(err, "access_denied");
        assert_string_equal(st, fs->state);
        query_param(redirect, "code", code, sizeof code);
        assert_string_equal(code, "");
    } else {
        fs = NULL;
        pontes_flow_start *f2 = NULL;
        CHECK_OK(c, bestbank_consent_start(c, REDIRECT_URI, &f2));
        fs = f2;
        snprintf(redirect, sizeof redirect, "%s?error=access_denied&state=%s", REDIRECT_URI, fs->state);
    }
    rc = bestbank_consent_finish(c, redirect, fs->state, &r);
    assert_int_equal(rc, PONTES_EAUTH);
    assert_null(r);
    e = bestbank_client_last_error(c);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "access_denied");
    assert_non_null(strstr(e->message, "access_denied"));
    if (g_module) assert_int_equal(log_count_since(mark, "token", NULL, 0), 0);
    /* the token of the earlier consent is still held and works */
    bestbank_balance_list *l = NULL;
    CHECK_OK(c, bestbank_balance(c, "Account", &l));
    bestbank_balance_list_free(l);
    pontes_flow_start_free(fs);
    bestbank_client_free(c);
}

/* ---- 3. the payment flow ------------------------------------------------------ */

static void test_flow_payment_check_operation(void **state) {
    (void)state;
    bestbank_client *c = flow_client();
    consent(c, "e2e-payment", NULL); /* CheckOperationByID needs the access token of a consent */
    /* the debtor: the savings fixture account 0-MDAwMDAxMDI3 (PT50006500010000000620162) */
    int64_t before = 0, after = 0;
    bestbank_balance_list *l = NULL;
    CHECK_OK(c, bestbank_balance_of_account(c, g_module ? "0-MDAwMDAxMDI3" : EXAMPLE_ACCOUNT, &l));
    assert_int_equal(pontes_decimal_to_minor(&l->value.items[0]->balance, 4, &before), PONTES_OK);
    bestbank_balance_list_free(l);

    bestbank_inside_transfer_creditor_account_type ty = BESTBANK_INSIDE_TRANSFER_CREDITOR_ACCOUNT_TYPE_INIT;
    PONTES_PUT(ty, inside, true);
    bestbank_inside_transfer_creditor_account acct = BESTBANK_INSIDE_TRANSFER_CREDITOR_ACCOUNT_INIT;
    PONTES_PUT(acct, iban, "006500010000000620154");
    pontes_decimal amount;
    assert_int_equal(pontes_decimal_parse("12.34", 5, &amount), PONTES_OK); /* exact decimal text */
    PONTES_PUT(acct, amount, amount);
    PONTES_PUT(acct, type, &ty);
    bestbank_inside_transfer_creditor cr = BESTBANK_INSIDE_TRANSFER_CREDITOR_INIT;
    PONTES_PUT(cr, account, &acct);
    PONTES_PUT(cr, name, "Beneficiary name");
    PONTES_PUT(cr, description, "e2e payment flow");
    bestbank_debtor db = BESTBANK_DEBTOR_INIT;
    PONTES_PUT(db, iban, "006500010000000620162");
    bestbank_inside_transfer tr = BESTBANK_INSIDE_TRANSFER_INIT;
    PONTES_PUT(tr, pispid, "1234567890-1234");
    PONTES_PUT_ENUM(tr, environment, BESTBANK_ENVIRONMENT_WEB);
    PONTES_PUT(tr, creditor, &cr);
    PONTES_PUT(tr, debtor, &db);
    bestbank_payment_initiation body = {BESTBANK_PAYMENT_INITIATION_INSIDE_TRANSFER, NULL, {.inside_transfer = &tr}};

    pontes_flow_start *fs = NULL;
    int rc = bestbank_payment_start(c, REDIRECT_URI, &body, &fs);
    op_mark(c, rc, "initiatePayment");
    CHECK_OK(c, rc);
    assert_non_null(fs->login_url);
    assert_null(fs->state); /* the payment redirect carries no state */
    char redirect[1200], oper[64];
    if (g_module) {
        open_login(fs->login_url, "e2e-payment", redirect, sizeof redirect);
        /* oper_id only: no code, no state */
        query_param(redirect, "oper_id", oper, sizeof oper);
        assert_true(strncmp(oper, "1-", 2) == 0);
        assert_null(strstr(redirect, "code="));
        assert_null(strstr(redirect, "state="));
    } else {
        assert_string_equal(fs->login_url, "https://api.openbank.bancobest.pt/api/v2/Auth/Index/1-000000");
        snprintf(oper, sizeof oper, "%s", EXAMPLE_OPER_ID);
        snprintf(redirect, sizeof redirect, "%s?oper_id=%s", REDIRECT_URI, oper);
    }
    bestbank_payment_result *pr = NULL;
    rc = bestbank_payment_finish(c, redirect, &pr);
    op_mark(c, rc, "checkOperationById");
    CHECK_OK(c, rc);
    assert_string_equal(pr->operation_id, oper);
    const bestbank_check_operation_response *resp = pr->operation;
    assert_non_null(resp);
    assert_string_equal(resp->return_code, "0");
    assert_int_equal(resp->has_output_data, PONTES_SET);
    const bestbank_operation_info *o = resp->output_data;
    assert_string_equal(o->oper_id, oper);
    if (mock_state("CheckOperationByID reports the executed payment; the debtor account is debited")) {
        assert_int_equal(o->oper_type.value, BESTBANK_OPER_TYPE_V1);
        assert_string_equal(o->oper_type.raw, "1");
        assert_int_equal(o->oper_sub_type.value, BESTBANK_OPER_SUB_TYPE_TRF_EC);
        assert_string_equal(o->status, "EXECUTED");
        assert_int_equal(o->has_amount, PONTES_SET);
        assert_decimal_text(&o->amount, "12.3400"); /* the bank prints 4 decimals */
        assert_int_equal(pontes_decimal_cmp(&o->amount, &amount), 0);
        assert_string_equal(o->home_iban, "006500010000000620162");
        assert_string_equal(o->destination, "006500010000000620154");
        assert_string_equal(o->description, "e2e payment flow");
        /* the debtor's balance went down by exactly 12.34, with a Debit movement */
        l = NULL;
        CHECK_OK(c, bestbank_balance_of_account(c, "0-MDAwMDAxMDI3", &l));
        assert_int_equal(pontes_decimal_to_minor(&l->value.items[0]->balance, 4, &after), PONTES_OK);
        assert_true(before - after == 123400);
        bestbank_balance_list_free(l);
        bestbank_transaction_list *t = NULL;
        CHECK_OK(c, bestbank_transactions(c, "Account", "0-MDAwMDAxMDI3", &t));
        const bestbank_transaction_item *last = t->value.items[t->value.count - 1];
        assert_int_equal(last->type.value, BESTBANK_TRANSACTION_ITEM_TYPE_DEBIT);
        assert_decimal_text(&last->amount, "-12.3400");
        assert_string_equal(last->description, "e2e payment flow");
        bestbank_transaction_list_free(t);
    } else {
        assert_int_equal(o->oper_type.value, BESTBANK_OPER_TYPE_V0); /* the documented example */
    }
    bestbank_payment_result_free(pr);
    pontes_flow_start_free(fs);

    /* a payment error redirect, and one without oper_id */
    char bad[1200];
    snprintf(bad, sizeof bad, "%s?error=access_denied&oper_id=%s", REDIRECT_URI, oper);
    pr = NULL;
    assert_int_equal(bestbank_payment_finish(c, bad, &pr), PONTES_EAUTH);
    assert_null(pr);
    assert_string_equal(bestbank_client_last_error(c)->provider_code, "access_denied");
    snprintf(bad, sizeof bad, "%s?status=ok", REDIRECT_URI);
    assert_int_equal(bestbank_payment_finish(c, bad, &pr), PONTES_EINVAL);
    assert_null(pr);
    bestbank_client_free(c);
}

/* ---- 4. the envelope error ---------------------------------------------------- */

static void test_error_envelope(void **state) {
    (void)state;
    /* the spec's only CheckOperationByID 200 example is a success: Prism cannot answer the
     * returnCode "1" envelope */
    REQUIRE_MOCK_STATE("CheckOperationByID of an unknown id: HTTP 200 with returnCode \"1\"");
    bestbank_client *c = flow_client();
    consent(c, "e2e-envelope", NULL);
    double mark = log_mark();
    bestbank_check_operation_response *r = NULL;
    int rc = op_mark(c, bestbank_check_operation_by_id(c, "1-NOSUCH", &r), "checkOperationById");
    assert_int_equal(rc, PONTES_EPROVIDER);
    assert_null(r);
    const pontes_error *e = bestbank_client_last_error(c);
    assert_int_equal(e->http_status, 200);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "1");
    assert_non_null(e->provider_message);
    assert_string_equal(e->provider_message, "Payment Not Found.");
    assert_string_equal(e->operation_id, "checkOperationById");
    assert_non_null(e->body);
    assert_non_null(strstr(e->body, "\"returnCode\""));
    assert_int_equal(e->attempts, 1);
    assert_int_equal(log_count_since(mark, "checkOperationById", NULL, 0), 1); /* not retried */
    /* a business answer, not a token problem: the token is kept */
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", NULL), PONTES_OK);
    CHECK_OK(c, bestbank_check_operation_by_id(c, EXAMPLE_OPER_ID, &r));
    bestbank_check_operation_response_free(r);
    bestbank_client_free(c);
}

/* ---- 5. absolute expiry ------------------------------------------------------- */

static void test_token_absolute_expiry(void **state) {
    (void)state;
    bestbank_client *c = flow_client();
    bestbank_balance_list *l = NULL;

    /* client side: a token whose absolute expiry has passed is never sent */
    double mark = g_module ? log_mark() : 0;
    int64_t past = flow_now() - 5;
    CHECK_OK(c, pontes_client_set_oauth_params_token(c, "bestbankOAuth", "0123456789abcdef0123456789abcdef", past));
    int64_t exp = 0;
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", &exp), PONTES_OK);
    assert_true(exp == past); /* expired tokens count as held */
    int rc = bestbank_balance(c, "Account", &l);
    assert_int_equal(rc, PONTES_EAUTH);
    assert_null(l);
    const pontes_error *e = bestbank_client_last_error(c);
    assert_int_equal(e->http_status, 0);
    assert_int_equal(e->attempts, 0);
    assert_null(strstr(e->message, "0123456789abcdef0123456789abcdef"));
    if (mock_state("the server saw no request for an expired token"))
        assert_int_equal(log_count_since(mark, NULL, NULL, 0), 0);

    /* server side: the mock expires the token of a real consent */
    if (!mock_state("the mock's /__admin/bestbank/expire-token")) {
        bestbank_client_free(c);
        return;
    }
    bestbank_consent_result *r = NULL;
    consent(c, "e2e-expiry", &r);
    char tok[128];
    int64_t mexp = 0;
    mock_token_of(r->operation_id, tok, sizeof tok, &mexp);
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", &exp), PONTES_OK);
    assert_true(exp == mexp); /* the token's expiry is the mock's expires_in */
    assert_true(r->token_expires_at == mexp);
    CHECK_OK(c, bestbank_balance(c, "Account", &l)); /* valid */
    bestbank_balance_list_free(l);
    l = NULL;
    char body[300];
    snprintf(body, sizeof body, "{\"access_token\": \"%s\"}", tok);
    long st = 0;
    cJSON_Delete(e2e_admin_post(&g_srv, "bestbank/expire-token", body, &st));
    assert_int_equal(st, 200);
    mark = log_mark();
    rc = op_mark(c, bestbank_balance(c, "Account", &l), "balance");
    assert_int_equal(rc, PONTES_EAUTH); /* "Invalid Token." means token invalid */
    assert_null(l);
    e = bestbank_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "Invalid Token.");
    assert_int_equal(e->attempts, 1);
    assert_int_equal(log_count_since(mark, NULL, NULL, 0), 1); /* one request: no retry, no re-fetch */
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", NULL), PONTES_EAUTH); /* dropped */
    /* without a token, the next call fails before sending */
    mark = log_mark();
    assert_int_equal(bestbank_balance(c, "Account", &l), PONTES_EAUTH);
    assert_int_equal(bestbank_client_last_error(c)->http_status, 0);
    assert_int_equal(log_count_since(mark, NULL, NULL, 0), 0);
    bestbank_consent_result_free(r);
    bestbank_client_free(c);
}

/* ---- 6. a superseded token ------------------------------------------------------- */

static void check_error_body_fields(const pontes_error *e) {
    /* the error id is the request id, the date the body's ErrorDate (7 fraction digits) */
    assert_non_null(e->body);
    cJSON *b = cJSON_Parse(e->body);
    assert_non_null(b);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(b, "ErrorID");
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(b, "ErrorDate");
    assert_true(cJSON_IsString(id) && cJSON_IsString(dt));
    assert_non_null(e->request_id);
    assert_string_equal(e->request_id, id->valuestring);
    const char *date = pontes_error_provider_date(e);
    assert_non_null(date);
    assert_string_equal(date, dt->valuestring);
    cJSON_Delete(b);
    const char *dot = strrchr(date, '.');
    assert_non_null(dot);
    size_t digits = strspn(dot + 1, "0123456789");
    assert_int_equal(digits, 7);
    assert_string_equal(dot + 1 + digits, "Z");
    assert_int_equal(strlen(date), strlen("2021-01-26T11:21:38.9419034Z"));
}

static void test_token_superseded(void **state) {
    (void)state;
    const char *pv = e2e_env(&g_srv, "PRISM");
    bool prism = g_srv.external && pv && strcmp(pv, "1") == 0;
    if (!g_module && !prism) REQUIRE_MOCK_STATE("a newer consent of the same user cancels the older token (EGEN003)");
    bestbank_client *c1 = flow_client(), *c2 = NULL;
    consent(c1, "e2e-superseded", NULL);
    bestbank_balance_list *l = NULL;
    int rc;
    double mark = 0;
    if (g_module) {
        CHECK_OK(c1, bestbank_balance(c1, "Account", &l));
        bestbank_balance_list_free(l);
        l = NULL;
        c2 = flow_client();
        consent(c2, "e2e-superseded", NULL); /* the same user again: c1's token is cancelled */
        mark = log_mark();
        rc = op_mark(c1, bestbank_balance(c1, "Account", &l), "balance");
    } else { /* Prism: the documented example of the cancelled token */
        rc = op_mark(c1, bestbank_balance_ex(c1, "Account", &l, prefer("code=400, example=tokenCancelled")), "balance");
    }
    assert_int_equal(rc, PONTES_EAUTH);
    assert_null(l);
    const pontes_error *e = bestbank_client_last_error(c1);
    assert_int_equal(e->http_status, 400);
    assert_non_null(e->provider_code);
    assert_string_equal(e->provider_code, "EGEN003");
    assert_string_equal(e->operation_id, "balance");
    assert_int_equal(e->attempts, 1);
    check_error_body_fields(e);
    if (prism) assert_string_equal(e->request_id, "37be13b57e6948ad9c0c610ba483fea2");
    assert_int_equal(pontes_client_oauth_params_token_expiry(c1, "bestbankOAuth", NULL), PONTES_EAUTH); /* dropped */
    if (g_module) {
        assert_int_equal(log_count_since(mark, NULL, NULL, 0), 1); /* no blind re-authentication */
        CHECK_OK(c2, bestbank_balance(c2, "Account", &l)); /* the newer token works */
        bestbank_balance_list_free(l);
    }
    bestbank_client_free(c2);
    bestbank_client_free(c1);
}

/* ---- 7. certificates ------------------------------------------------------------- */

static char g_tmpdir[256];

static void sh(const char *fmt, ...) {
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0) fail_msg("command failed (%d): %s", rc, cmd);
}

/* The Base64 between the PEM lines of `openssl x509 -pubkey -noout` (the derivation the bank
 * documents for the Certificate header), made by the openssl CLI, independently of the runtime. */
static void expected_cert_value(const char *pem, char *out, size_t cap) {
    char pub[400];
    snprintf(pub, sizeof pub, "%s/pub.pem", g_tmpdir);
    sh("openssl x509 -in '%s' -pubkey -noout > '%s'", pem, pub);
    FILE *f = fopen(pub, "r");
    assert_non_null(f);
    char line[256];
    size_t n = 0;
    out[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "-----", 5) == 0) continue;
        line[strcspn(line, "\r\n")] = '\0';
        n += (size_t)snprintf(out + n, cap - n, "%s", line);
    }
    fclose(f);
    assert_true(n > 40 && n < cap);
}

static void test_certificate_errors_and_file(void **state) {
    (void)state;
    REQUIRE_MOCK_STATE("the mock's accepted certificates (config add_certificates) and Certificate error");
    bestbank_client *c = flow_client();
    consent(c, "e2e-certificate", NULL);
    bestbank_balance_list *l = NULL;

    /* a wrong certificate: 401 Certificate error, the token kept */
    CHECK_OK(c, pontes_client_set_api_key(c, "certificate", "d3JvbmctY2VydGlmaWNhdGU="));
    double mark = log_mark();
    int rc = op_mark(c, bestbank_balance(c, "Account", &l), "balance");
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(l);
    const pontes_error *e = bestbank_client_last_error(c);
    assert_int_equal(e->http_status, 401);
    assert_string_equal(e->provider_code, "Certificate error");
    assert_int_equal(e->attempts, 1);
    check_error_body_fields(e);
    assert_int_equal(log_count_since(mark, NULL, NULL, 0), 1); /* no re-authentication */
    assert_int_equal(pontes_client_oauth_params_token_expiry(c, "bestbankOAuth", NULL), PONTES_OK);
    /* the right certificate again: the same token works, no new consent */
    mark = log_mark();
    CHECK_OK(c, pontes_client_set_api_key(c, "certificate", g_certificate));
    CHECK_OK(c, bestbank_balance(c, "Account", &l));
    bestbank_balance_list_free(l);
    l = NULL;
    assert_int_equal(log_count_since(mark, "token", NULL, 0), 0);
    assert_int_equal(log_count_since(mark, "initiate", NULL, 0), 0);

    /* a certificate file made now: PEM, and the same certificate as DER */
    char pem[400], der[400], key[400], want[1024], seen[1024];
    snprintf(pem, sizeof pem, "%s/app.pem", g_tmpdir);
    snprintf(der, sizeof der, "%s/app.der", g_tmpdir);
    snprintf(key, sizeof key, "%s/app.key", g_tmpdir);
    sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '%s' -out '%s' "
       "-subj /CN=pontes-e2e-bestbank -days 2 2>/dev/null", key, pem);
    sh("openssl x509 -in '%s' -outform DER -out '%s'", pem, der);
    expected_cert_value(pem, want, sizeof want);
    CHECK_OK(c, pontes_client_set_api_key_from_certificate(c, "certificate", pem));
    mark = log_mark();
    rc = bestbank_balance(c, "Account", &l); /* not registered yet: refused, with that value sent */
    assert_int_equal(rc, PONTES_EHTTP);
    assert_int_equal(bestbank_client_last_error(c)->http_status, 401);
    assert_int_equal(log_count_since(mark, "balance", seen, sizeof seen), 1);
    assert_string_equal(seen, want);
    char cfg[1200];
    snprintf(cfg, sizeof cfg, "{\"add_certificates\": [\"%s\"]}", want);
    admin_config(cfg);
    mark = log_mark();
    CHECK_OK(c, bestbank_balance(c, "Account", &l));
    bestbank_balance_list_free(l);
    l = NULL;
    assert_int_equal(log_count_since(mark, "balance", seen, sizeof seen), 1);
    assert_string_equal(seen, want);
    CHECK_OK(c, pontes_client_set_api_key(c, "certificate", "x")); /* replaced ... */
    CHECK_OK(c, pontes_client_set_api_key_from_certificate(c, "certificate", der)); /* ... by the DER file */
    mark = log_mark();
    CHECK_OK(c, bestbank_balance(c, "Account", &l));
    bestbank_balance_list_free(l);
    assert_int_equal(log_count_since(mark, "balance", seen, sizeof seen), 1);
    assert_string_equal(seen, want);
    /* a file that is no certificate: a clear error naming it */
    assert_int_equal(pontes_client_set_api_key_from_certificate(c, "certificate", key), PONTES_EINVAL);
    assert_int_equal(pontes_client_set_api_key_from_certificate(c, "certificate", "/nonexistent/app.pem"), PONTES_EINVAL);
    unlink(pem);
    unlink(der);
    unlink(key);
    bestbank_client_free(c);
}

/* ---- 8. signed mode ------------------------------------------------------------- */

static int teardown_signature(void **state) {
    (void)state;
    if (g_module) admin_config("{\"require_signature\": false}");
    return 0;
}

static void test_signed_mode(void **state) {
    (void)state;
    REQUIRE_MOCK_STATE("the mock requiring signatures (config require_signature, a consumer with a secret)");
    admin_config("{\"require_signature\": true, \"consumers\": {\"e2e-signed-key\": \"e2e-signed-secret\"}}");
    /* signed with the right secret key: consent and calls work */
    flow_opts fo = {"e2e-signed-key", "e2e-signed-secret", 1, NULL};
    bestbank_client *c = flow_client_ex(&fo);
    consent(c, "e2e-signed", NULL);
    bestbank_balance_list *l = NULL;
    CHECK_OK(c, bestbank_balance(c, "Account", &l));
    bestbank_balance_list_free(l);
    l = NULL;
    bestbank_transaction_list *t = NULL;
    CHECK_OK(c, bestbank_transactions(c, "Account", EXAMPLE_ACCOUNT, &t));
    bestbank_transaction_list_free(t);
    bestbank_client_free(c);

    /* a wrong secret key: the signature does not verify */
    fo.secret_key = "not-the-secret";
    c = flow_client_ex(&fo);
    pontes_flow_start *fs = NULL;
    int rc = bestbank_consent_start(c, REDIRECT_URI, &fs);
    assert_int_equal(rc, PONTES_EHTTP);
    assert_null(fs);
    const pontes_error *e = bestbank_client_last_error(c);
    assert_int_equal(e->http_status, 400);
    assert_string_equal(e->provider_code, "Incorrect Authorization Scheme.");
    assert_null(strstr(e->message, "not-the-secret"));
    bestbank_client_free(c);

    /* unsigned: refused while signatures are required */
    fo.sign = 0;
    fo.secret_key = NULL;
    c = flow_client_ex(&fo);
    assert_int_equal(bestbank_consent_start(c, REDIRECT_URI, &fs), PONTES_EHTTP);
    assert_string_equal(bestbank_client_last_error(c)->provider_code,
                        "Missing one or more variables in the authorization header request.");
    bestbank_client_free(c);
}

/* ---- 9. secrets never reach the log ------------------------------------------------ */

static void test_secrets_not_logged(void **state) {
    (void)state;
    log_sink sink = {NULL, 0, 0, 0};
    /* signed, so that the secret key is in use too (the default consumer has one on the mock) */
    static const char secret_key[] = "pontes-demo-secret-key";
    flow_opts fo = {NULL, secret_key, 1, &sink};
    const char *cks = e2e_env(&g_srv, "SECRET_KEY");
    if (cks) fo.secret_key = cks;
    bestbank_client *c = flow_client_ex(&fo);
    char redirect[1200], code[80];
    pontes_flow_start *fs = consent_redirect(c, "e2e-secrets", redirect, sizeof redirect);
    query_param(redirect, "code", code, sizeof code);
    assert_true(strlen(code) >= 16);
    bestbank_consent_result *r = NULL;
    CHECK_OK(c, bestbank_consent_finish(c, redirect, fs->state, &r));
    char token[128];
    if (g_module)
        mock_token_of(r->operation_id, token, sizeof token, NULL);
    else
        snprintf(token, sizeof token, "%s", EXAMPLE_TOKEN); /* the example Token answer */
    bestbank_balance_list *l = NULL;
    CHECK_OK(c, bestbank_balance(c, "Account", &l));
    bestbank_balance_list_free(l);
    l = NULL;
    bestbank_transaction_list *t = NULL;
    CHECK_OK(c, bestbank_transactions(c, "Account", EXAMPLE_ACCOUNT, &t));
    bestbank_transaction_list_free(t);
    bestbank_check_operation_response *op = NULL;
    CHECK_OK(c, bestbank_check_operation_by_id(c, EXAMPLE_OPER_ID, &op));
    bestbank_check_operation_response_free(op);
    if (g_module) { /* a failed call too: its error body and message are logged */
        CHECK_OK(c, pontes_client_set_api_key(c, "certificate", "d3JvbmctY2VydGlmaWNhdGU="));
        assert_int_equal(bestbank_balance(c, "Account", &l), PONTES_EHTTP);
        const pontes_error *e = bestbank_client_last_error(c);
        assert_null(strstr(e->message, token));
        assert_null(strstr(e->message, g_consumer_key));
    }
    bestbank_consent_result_free(r);
    pontes_flow_start_free(fs);
    bestbank_client_free(c);

    /* the log saw the whole conversation (DEBUG: request lines and headers) ... */
    assert_non_null(sink.text);
    assert_true(sink.lines >= 6);
    assert_non_null(strstr(sink.text, "/api/v2/OAuth/Token"));
    assert_non_null(strstr(sink.text, "/api/v2/Operation/Balance/Account"));
    assert_non_null(strstr(sink.text, "Authorization"));
    /* ... and none of its lines holds a secret */
    const char *secrets[] = {g_consumer_key, fo.secret_key, code, token};
    static const char *const names[] = {"consumer key", "secret key", "code", "access token"};
    for (size_t i = 0; i < 4; i++)
        if (strstr(sink.text, secrets[i])) {
            const char *at = strstr(sink.text, secrets[i]);
            const char *bol = at;
            while (bol > sink.text && bol[-1] != '\n') bol--;
            fail_msg("the %s appears in the log: %.*s", names[i], (int)strcspn(bol, "\n"), bol);
        }
    free(sink.text);
}

/* ======================================================================== */

/* Against a stateful server: a real consent, once (what a user's browser does), so that Token
 * and the account operations get a code and a token the server knows.
 * Plain HTTP on the LoginUrl (the flow helpers are tested by test_flow_*; this only provides the
 * code and token of the operation tests above). */
static int consent_for_real(void) {
    bestbank_client *c = NULL;
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_srv.base_url;
    if (bestbank_client_new(&c, &o) != PONTES_OK) return -1;
#ifdef PONTES_SEC_OAUTH_PARAMS
    pontes_oauth_params_options op = PONTES_OAUTH_PARAMS_OPTIONS_INIT;
    op.consumer_key = g_consumer_key;
    pontes_client_set_oauth_params(c, "bestbankOAuth", &op);
#else
    char v[512];
    snprintf(v, sizeof v, "OAuth oauth_consumer_key=%s", g_consumer_key);
    pontes_client_set_api_key(c, "bestbankOAuth", v);
#endif
    pontes_client_set_api_key(c, "certificate", g_certificate);
    bestbank_initiate_params p = BESTBANK_INITIATE_PARAMS_INIT;
    p.redirect_uri = REDIRECT_URI;
    p.state = "e2e-setup";
    bestbank_login_response *r = NULL;
    int rc = bestbank_initiate_ex(c, &p, &r, call_opts());
    if (rc == PONTES_EHTTP && bestbank_client_last_error(c)->http_status == 401 && !g_cert_header) {
        g_cert_header = true; /* see call_opts */
        rc = bestbank_initiate_ex(c, &p, &r, call_opts());
    }
    int ret = -1;
    if (rc != PONTES_OK || !r->login_url) {
        fprintf(stderr, "e2e bestbank: initiate: %s\n", bestbank_client_last_error(c)->message);
        goto out;
    }
    size_t bl = strlen(g_srv.base_url);
    /* a login page on the server itself: the mock's Best Bank module (also when run externally) */
    g_module = strncmp(r->login_url, g_srv.base_url, bl) == 0 && r->login_url[bl] == '/';
    if (g_module) g_srv.stateful = true;
    if (!g_module && !(g_srv.external && g_srv.stateful)) { /* stateless: the examples will do */
        g_srv.stateful = false; /* the generic mock keeps no Best Bank state */
        ret = 0;
        goto out;
    }
    if (!g_module) { /* a real bank needs a person to log in: code/token come from the env */
        ret = 0;
        goto out;
    }
    char loc[1024];
    long st = e2e_http_header(r->login_url, "Location", loc, sizeof loc);
    const char *code = strstr(loc, "code=");
    if (st != 302 || !code) {
        fprintf(stderr, "e2e bestbank: login: HTTP %ld, Location %s\n", st, loc);
        goto out;
    }
    snprintf(g_code, sizeof g_code, "%.*s", (int)strcspn(code + 5, "&"), code + 5);
    ret = 0; /* test_token exchanges it; its token is used by the account tests */
out:
    bestbank_login_response_free(r);
    bestbank_client_free(c);
    return ret;
}

static int group_setup(void **state) {
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *specs[] = {E2E_BESTBANK_SPEC, NULL};
    g_srv.api = "bestbank";
    e2e_ops_init("bestbank", bestbank_ops);
    if (e2e_server_start(&g_srv, specs, 3600, true) != 0) return -1;
    const char *v = e2e_env(&g_srv, "CONSUMER_KEY");
    snprintf(g_consumer_key, sizeof g_consumer_key, "%s", v ? v : DEFAULT_CONSUMER_KEY);
    v = e2e_env(&g_srv, "CERTIFICATE");
    snprintf(g_certificate, sizeof g_certificate, "%s", v ? v : DEFAULT_CERTIFICATE);
    v = e2e_env(&g_srv, "CODE");
    snprintf(g_code, sizeof g_code, "%s", v ? v : EXAMPLE_CODE);
    v = e2e_env(&g_srv, "ACCESS_TOKEN");
    snprintf(g_token, sizeof g_token, "%s", v ? v : EXAMPLE_TOKEN);
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/pontes-e2e-bestbank.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_tmpdir)) {
        perror("e2e bestbank: mkdtemp");
        return -1;
    }
    if (consent_for_real() != 0) return -1;
    print_message("e2e bestbank: %s server %s (%s; Certificate %s)\n", g_srv.external ? "external" : "mock",
                  g_srv.base_url,
                  g_module ? "Best Bank state module" : g_srv.stateful ? "stateful" : "stateless: examples checked",
                  g_cert_header ? "also sent per call: the runtime sends one scheme per requirement" : "sent by the runtime");
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    e2e_server_stop(&g_srv);
    if (g_tmpdir[0]) {
        char p[320];
        snprintf(p, sizeof p, "%s/pub.pem", g_tmpdir);
        unlink(p);
        rmdir(g_tmpdir);
    }
    curl_global_cleanup();
    return 0;
}

static void test_every_operation_reached(void **state) {
    (void)state;
    size_t missing = e2e_ops_report(&g_srv);
    if (missing) fail_msg("%zu operation(s) of bestbank not reached (see the e2e[bestbank] line above)", missing);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initiate),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_balance),
        cmocka_unit_test(test_balance_of_account),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_check_operation_by_id),
        cmocka_unit_test(test_tops_ups_get_payment_info),
        cmocka_unit_test(test_initiate_payment_every_variant),
        cmocka_unit_test(test_initiate_payment_built),
        cmocka_unit_test(test_error_examples_prism),
        cmocka_unit_test(test_flow_consent_token_balances),
        cmocka_unit_test(test_flow_consent_errors),
        cmocka_unit_test(test_flow_payment_check_operation),
        cmocka_unit_test(test_error_envelope),
        cmocka_unit_test(test_token_absolute_expiry),
        cmocka_unit_test(test_token_superseded),
        cmocka_unit_test(test_certificate_errors_and_file),
        cmocka_unit_test_teardown(test_signed_mode, teardown_signature),
        cmocka_unit_test(test_secrets_not_logged),
        cmocka_unit_test(test_every_operation_reached),
    };
    return cmocka_run_group_tests_name("e2e_bestbank", tests, group_setup, group_teardown);
}
