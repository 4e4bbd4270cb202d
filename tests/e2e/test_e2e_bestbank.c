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
 * Auth today: the runtime has no Best Bank `OAuth k=v,...` provider yet, so each call sets the
 * apiKey scheme bestbankOAuth to the complete header value (`OAuth access_token=...,
 * oauth_consumer_key=...`: consumer key only, + code= on Token, + access_token= on the account
 * operations) and the apiKey scheme certificate to the certificate value, with
 * pontes_client_set_api_key.
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
    if (strncmp(what, "bestbank_", 9) == 0) op_mark(c, rc, what);
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
 * FLOW: with the provider, the token is captured from Token automatically: the consent flow test
 * will configure only the consumer key and check the token's absolute expiry. */
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
    /* FLOW: consent → token → balances: open LoginUrl, check `state` on the redirect in constant
     * time (pontes flow helpers), exchange `code` with Token, call Balance with the token
     * automatically; a wrong or missing state and an error redirect are clear errors. */
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
    /* FLOW: absolute expiry — a token whose expires_in has passed is never sent (the token cache
     * of the OAuth-params provider); a newer token cancels the older one (EGEN003, not a blind
     * re-authentication). */
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
    /* FLOW: payment → CheckOperationByID: the oper_id of the payment redirect reports the payment
     * (oper_type "1", its sub-type and amount), the consent's reports the consent; an unknown id
     * is the envelope error returnCode "1" "Payment Not Found." (an error although HTTP 200). */
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
    /* FLOW: payment → redirect with oper_id only → CheckOperationByID reports the executed payment
     * (and debits the fixture account on the mock: balances and a Debit movement). */
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

/* FLOW: error paths (separate tests, against the mock's Best Bank module): a missing or unknown
 * Certificate (401 `Certificate error`), no consumer key (400 `Missing one or more variables in the
 * authorization header request.`), an unknown/used code and an unknown token (400 `Invalid Token.`),
 * a superseded token (400 EGEN003: reported as token-invalid, not retried blindly), an unknown
 * account (401 `No account found...`: a business 401, no re-authentication), an invalid amount
 * (401 `Invalid amount.`), a bug (417) — each decoded into the error object (Message, ErrorID,
 * ErrorDate) — and the envelope error (HTTP 200, returnCode != "0"). */

/* ======================================================================== */

/* Against a stateful server: a real consent, once (what a user's browser does), so that Token
 * and the account operations get a code and a token the server knows.
 * FLOW: this becomes the consent flow test with the pontes flow helpers (state generated and
 * checked); until then it is plain HTTP on the LoginUrl. */
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
        /* FLOW: cmocka_unit_test(test_flow_consent_token_balances), test_flow_payment_check_operation,
         * test_error_* (see the FLOW comments above) */
        cmocka_unit_test(test_every_operation_reached),
    };
    return cmocka_run_group_tests_name("e2e_bestbank", tests, group_setup, group_teardown);
}
