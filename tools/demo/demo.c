/*
 * pontes-demo — walks the ECCOR FGTS flow with the generated client library:
 *
 *   OAuth2 token -> list products -> simulate -> create borrower -> read borrower
 *   -> create credit note -> submit it for approval.
 *
 * usage: pontes-demo [--base-url URL] [--token-url URL] [--client-id ID]
 *                    [--client-secret S] [--scope S]
 * Defaults: PONTES_BASE_URL, PONTES_TOKEN_URL, PONTES_CLIENT_ID, PONTES_CLIENT_SECRET,
 * PONTES_SCOPE, then the local mock server (tools/mock/mock_server.py) on 127.0.0.1:8080.
 *
 * Money is integer centavos on the wire and shown here in reais (R$ 47.052,90);
 * rates are fractions on the wire and shown as percentages (2,04 %).
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pontes/eccor.h>

#define DEFAULT_BASE_URL "http://127.0.0.1:8080"
#define DEFAULT_CLIENT_ID "pontes-demo"
#define DEFAULT_CLIENT_SECRET "pontes-demo-secret"
#define DEFAULT_SCOPE "credit/admin"
#define SECURITY_SCHEME "uy3Auth"

/* The borrower of the demo (the CPF of the provider's documented examples). */
#define DEMO_CPF "00805349960"

/* ---- formatting ---------------------------------------------------------- */

/* Integer cents -> "47.052,90" / "-1,50" (Brazilian: '.' thousands, ',' decimals). */
static const char *fmt_amount(int64_t cents, char *buf, size_t size) {
    uint64_t mag = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents; /* INT64_MIN too */
    char digits[24];
    int nd = snprintf(digits, sizeof digits, "%" PRIu64, mag / 100u);
    char grouped[32];
    size_t g = 0;
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0) grouped[g++] = '.';
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    snprintf(buf, size, "%s%s,%02u", cents < 0 ? "-" : "", grouped, (unsigned)(mag % 100u));
    return buf;
}

/* Integer cents -> "R$ 47.052,90"; negative: "-R$ 1,50". */
static const char *fmt_brl(int64_t cents, char *buf, size_t size) {
    char num[40];
    fmt_amount(cents, num, sizeof num);
    snprintf(buf, size, "%sR$ %s", cents < 0 ? "-" : "", cents < 0 ? num + 1 : num);
    return buf;
}

/* For a table column: "R$" then the amount right-aligned, `width` chars in all. */
static const char *fmt_brl_col(int64_t cents, int width, char *buf, size_t size) {
    char num[40];
    snprintf(buf, size, "R$ %*s", width > 3 ? width - 3 : 0, fmt_amount(cents, num, sizeof num));
    return buf;
}

/* Fraction -> "2,04 %". */
static const char *fmt_pct(double fraction, char *buf, size_t size) {
    snprintf(buf, size, "%.2f %%", fraction * 100.0);
    for (char *p = buf; *p; p++)
        if (*p == '.') *p = ',';
    return buf;
}

/* ISO-8601 "2024-10-01T00:00:00-03:00" -> "01/10/2024" (other text verbatim). */
static const char *fmt_date(const char *iso, char *buf, size_t size) {
    if (!iso) return "-";
    if (strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-') {
        snprintf(buf, size, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
        return buf;
    }
    snprintf(buf, size, "%s", iso);
    return buf;
}

/* "00805349960" -> "008.053.499-60". */
static const char *fmt_cpf(const char *cpf, char *buf, size_t size) {
    if (cpf && strlen(cpf) == 11)
        snprintf(buf, size, "%.3s.%.3s.%.3s-%.2s", cpf, cpf + 3, cpf + 6, cpf + 9);
    else
        snprintf(buf, size, "%s", cpf ? cpf : "-");
    return buf;
}

static const char *str_or(const char *s, pontes_presence has, const char *fallback) {
    return (has == PONTES_SET && s) ? s : fallback;
}

static const char *enum_text(const char *known, const char *raw) {
    if (known) return known;
    return raw ? raw : "?";
}

/* ---- errors --------------------------------------------------------------- */

static void print_error(const char *step, const eccor_client *c, int rc) {
    const pontes_error *e = eccor_client_last_error(c);
    fprintf(stderr, "\nerror: %s failed: %s\n", step,
            (e && e->message) ? e->message : pontes_status_name(rc));
    if (!e) return;
    if (e->http_status) fprintf(stderr, "  HTTP status:    %ld\n", e->http_status);
    if (e->provider_code) fprintf(stderr, "  provider code:  %s\n", e->provider_code);
    if (e->provider_message) fprintf(stderr, "  provider says:  %s\n", e->provider_message);
    for (size_t i = 0; i < e->field_error_count; i++)
        fprintf(stderr, "  field %s: %s\n", e->field_errors[i].key ? e->field_errors[i].key : "?",
                e->field_errors[i].message ? e->field_errors[i].message : "");
    if (e->request_id) fprintf(stderr, "  correlation id: %s\n", e->request_id);
    if (e->curl_message) fprintf(stderr, "  transport:      %s\n", e->curl_message);
    if (e->json_path) fprintf(stderr, "  at JSON path:   %s\n", e->json_path);
}

/* ---- options -------------------------------------------------------------- */

typedef struct demo_opts {
    const char *base_url, *token_url, *client_id, *client_secret, *scope;
} demo_opts;

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return (v && *v) ? v : fallback;
}

static void usage(FILE *f) {
    fputs("usage: pontes-demo [--base-url URL] [--token-url URL] [--client-id ID]\n"
          "                   [--client-secret S] [--scope S]\n"
          "Walks the ECCOR FGTS flow (token, products, simulation, borrower, credit note,\n"
          "approval). Defaults: $PONTES_BASE_URL, $PONTES_TOKEN_URL, $PONTES_CLIENT_ID,\n"
          "$PONTES_CLIENT_SECRET, $PONTES_SCOPE, then the local mock " DEFAULT_BASE_URL ".\n",
          f);
}

/* 0 ok, 1 help shown, 2 usage error */
static int parse_args(int argc, char **argv, demo_opts *o) {
    static const char *const names[] = {"--base-url", "--token-url", "--client-id", "--client-secret", "--scope"};
    const char **slots[] = {&o->base_url, &o->token_url, &o->client_id, &o->client_secret, &o->scope};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        size_t k;
        for (k = 0; k < sizeof names / sizeof names[0]; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(a, names[k], n) != 0) continue;
            if (a[n] == '=') {
                *slots[k] = a + n + 1;
                break;
            }
            if (a[n] == '\0') {
                if (i + 1 >= argc) {
                    fprintf(stderr, "pontes-demo: %s needs a value\n", names[k]);
                    return 2;
                }
                *slots[k] = argv[++i];
                break;
            }
        }
        if (k == sizeof names / sizeof names[0]) {
            fprintf(stderr, "pontes-demo: unknown argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    return 0;
}

/* ---- the flow ------------------------------------------------------------- */

int main(int argc, char **argv) {
    demo_opts o = {env_or("PONTES_BASE_URL", NULL), env_or("PONTES_TOKEN_URL", NULL),
                   env_or("PONTES_CLIENT_ID", NULL), env_or("PONTES_CLIENT_SECRET", NULL),
                   env_or("PONTES_SCOPE", NULL)};
    int prc = parse_args(argc, argv, &o);
    if (prc) return prc == 1 ? 0 : 2;
    if (!o.base_url) o.base_url = DEFAULT_BASE_URL;
    if (!o.client_id) o.client_id = DEFAULT_CLIENT_ID;
    if (!o.client_secret) o.client_secret = DEFAULT_CLIENT_SECRET;
    if (!o.scope) o.scope = DEFAULT_SCOPE;

    int exit_code = 1, rc;
    char token_url_buf[1024];
    eccor_client *c = NULL;
    eccor_product_page *products = NULL;
    eccor_amortization_simulation *sim = NULL;
    eccor_uuid *person_id = NULL;
    eccor_natural_person *person = NULL;
    eccor_uuid *credit_note_id = NULL;
    char b1[64], b2[64], b3[64];

    if (!o.token_url) {
        /* the server of the base URL + /oauth2/token (that's where the mock serves it) */
        const char *p = strstr(o.base_url, "://");
        p = p ? p + 3 : o.base_url;
        size_t origin_len = (size_t)(p - o.base_url) + strcspn(p, "/?#");
        snprintf(token_url_buf, sizeof token_url_buf, "%.*s/oauth2/token", (int)origin_len, o.base_url);
        o.token_url = token_url_buf;
    }

    printf("ECCOR FGTS demo (pontes %s, %s %s)\n", pontes_version(), eccor_api.title, eccor_api.version);
    printf("  API     %s\n  Token   %s\n\n", o.base_url, o.token_url);

    /* 1. client + OAuth2 client credentials */
    pontes_client_options copts = PONTES_CLIENT_OPTIONS_INIT;
    copts.base_url = o.base_url;
    rc = eccor_client_new(&c, &copts);
    if (rc != PONTES_OK) {
        fprintf(stderr, "error: cannot create the client: %s\n", pontes_status_name(rc));
        return 1;
    }
    pontes_oauth2_options oo = PONTES_OAUTH2_OPTIONS_INIT;
    oo.token_url = o.token_url;
    oo.client_id = o.client_id;
    oo.client_secret = o.client_secret;
    oo.scope = o.scope;
    rc = pontes_client_set_oauth2_client_credentials(c, SECURITY_SCHEME, &oo);
    if (rc == PONTES_OK) rc = pontes_client_authenticate(c, SECURITY_SCHEME);
    if (rc != PONTES_OK) {
        print_error("authentication", c, rc);
        goto out;
    }
    printf("1. Authenticated as %s (OAuth2 client credentials, scope %s)\n\n", o.client_id, o.scope);

    /* 2. products */
    rc = eccor_list_products(c, &products);
    if (rc != PONTES_OK) {
        print_error("listProducts", c, rc);
        goto out;
    }
    if (products->data.count == 0) {
        fprintf(stderr, "error: no credit product is configured for this client\n");
        goto out;
    }
    const eccor_product *prod = products->data.items[0];
    if (prod->has_maximum_interest_rate != PONTES_SET || prod->has_maximum_amortization_periods != PONTES_SET) {
        fprintf(stderr, "error: product %s has no maximum interest rate / amortization periods\n", prod->id);
        goto out;
    }
    printf("2. Product (1 of %zu)\n", products->data.count);
    printf("   %-14s %s\n", "Name", str_or(prod->name, prod->has_name, "(unnamed)"));
    printf("   %-14s %s\n", "ID", prod->id);
    if (prod->has_minimum_interest_rate == PONTES_SET)
        printf("   %-14s %s to %s a month\n", "Interest rate", fmt_pct(prod->minimum_interest_rate, b1, sizeof b1),
               fmt_pct(prod->maximum_interest_rate, b2, sizeof b2));
    else
        printf("   %-14s up to %s a month\n", "Interest rate", fmt_pct(prod->maximum_interest_rate, b2, sizeof b2));
    if (prod->has_minimum_amortization_periods == PONTES_SET)
        printf("   %-14s %" PRId32 " to %" PRId32 " yearly instalments\n", "Term", prod->minimum_amortization_periods,
               prod->maximum_amortization_periods);
    else
        printf("   %-14s up to %" PRId32 " yearly instalments\n", "Term", prod->maximum_amortization_periods);
    putchar('\n');

    /* 3. simulation: by CPF, at the product's maximum rate and term, starting tomorrow */
    char start_date[32];
    {
        time_t tomorrow = time(NULL) + 24 * 60 * 60;
        struct tm tm;
        if (!gmtime_r(&tomorrow, &tm) || strftime(start_date, sizeof start_date, "%Y-%m-%dT03:00:00.000Z", &tm) == 0) {
            fprintf(stderr, "error: cannot compute the start date\n");
            goto out;
        }
    }
    eccor_agent_commission commission = ECCOR_AGENT_COMMISSION_INIT;
    PONTES_PUT(commission, amount, 0);
    PONTES_PUT_ENUM(commission, type, ECCOR_AGENT_COMMISSION_TYPE_PERCENTAGE);
    PONTES_PUT_ENUM(commission, base_value, ECCOR_AGENT_COMMISSION_BASE_VALUE_INITIAL_VALUE);

    eccor_amortization_params params = ECCOR_AMORTIZATION_PARAMS_INIT;
    PONTES_PUT(params, agent_commission, &commission);
    PONTES_PUT(params, apr, prod->maximum_interest_rate);
    PONTES_PUT(params, term_in_months, prod->maximum_amortization_periods);
    PONTES_PUT(params, start_date, start_date);
    PONTES_PUT(params, requested_amount, 0);
    PONTES_PUT_ENUM(params, amortization_type, ECCOR_AMORTIZATION_PARAMS_AMORTIZATION_TYPE_FGTS);

    eccor_amortization_request sim_req = ECCOR_AMORTIZATION_REQUEST_INIT;
    PONTES_PUT(sim_req, amortization, &params);
    PONTES_PUT(sim_req, registration_number, DEMO_CPF);
    sim_req.has_person_id = PONTES_NULL; /* unregistered borrower: simulate by CPF */
    PONTES_PUT(sim_req, legal_person, false);
    PONTES_PUT(sim_req, product_id, prod->id);

    rc = eccor_simulate_amortization(c, &sim_req, &sim);
    if (rc != PONTES_OK) {
        print_error("simulateAmortization", c, rc);
        goto out;
    }
    printf("3. Simulation for CPF %s (%" PRId32 " instalments at %s a month, from %s)\n",
           fmt_cpf(DEMO_CPF, b1, sizeof b1), params.term_in_months, fmt_pct(params.apr, b2, sizeof b2),
           fmt_date(start_date, b3, sizeof b3));
    printf("   %-23s %14s\n", "Initial value (debt)", fmt_brl_col(sim->initial_value, 14, b1, sizeof b1));
    printf("   %-23s %14s\n", "Net amount to borrower", fmt_brl_col(sim->liquid_value, 14, b1, sizeof b1));
    printf("   %-23s %14s\n", "IOF", fmt_brl_col(sim->fin_tax, 14, b1, sizeof b1));
    printf("   %-23s %14s\n", "Emission cost", fmt_brl_col(sim->comm, 14, b1, sizeof b1));
    printf("   %-23s %14s\n", "Effective yearly cost", fmt_pct(sim->effective_yearly_cost, b1, sizeof b1));
    if (sim->payment_schedule_items.count) {
        int64_t total = 0;
        printf("\n   %-3s %-12s %14s\n", "#", "Due date", "Payment");
        for (size_t i = 0; i < sim->payment_schedule_items.count; i++) {
            const eccor_payment_schedule_item *it = sim->payment_schedule_items.items[i];
            printf("   %-3zu %-12s %14s\n", i, fmt_date(it->due_date, b1, sizeof b1),
                   fmt_brl_col(it->payment, 14, b2, sizeof b2));
            total += it->payment;
        }
        printf("   %-16s %14s\n", "Total", fmt_brl_col(total, 14, b1, sizeof b1));
    }
    putchar('\n');

    /* 4. the borrower, with one PIX key and one bank account for the payout */
    eccor_pix_key_input pix = ECCOR_PIX_KEY_INPUT_INIT;
    PONTES_PUT_ENUM(pix, operation_type_value, ECCOR_PIX_KEY_INPUT_OPERATION_TYPE_VALUE_PIX);
    PONTES_PUT_ENUM(pix, pix_key_type_value, ECCOR_PIX_KEY_TYPE_NATURAL_REGISTRATION_NUMBER);
    PONTES_PUT(pix, key_pix, DEMO_CPF);

    eccor_transfer_account_input_account account_number = {0};
    account_number.kind = ECCOR_TRANSFER_ACCOUNT_INPUT_ACCOUNT_STRING;
    account_number.u.string = "1234567";
    eccor_transfer_account_input ted = ECCOR_TRANSFER_ACCOUNT_INPUT_INIT;
    PONTES_PUT_ENUM(ted, operation_type_value, ECCOR_TRANSFER_ACCOUNT_INPUT_OPERATION_TYPE_VALUE_TRANSFER);
    PONTES_PUT(ted, account, &account_number);
    PONTES_PUT(ted, agency, "0001");
    PONTES_PUT_ENUM(ted, type, ECCOR_BANK_ACCOUNT_TYPE_NATURAL_CHECKING_ACCOUNT);
    PONTES_PUT(ted, bank_code, "1");
    PONTES_PUT(ted, account_digit, "8");
    PONTES_PUT(ted, joint_account, false);

    eccor_bank_account_input accounts[2] = {{0}, {0}};
    accounts[0].kind = ECCOR_BANK_ACCOUNT_INPUT_PIX_KEY_INPUT;
    accounts[0].u.pix_key_input = &pix;
    accounts[1].kind = ECCOR_BANK_ACCOUNT_INPUT_TRANSFER_ACCOUNT_INPUT;
    accounts[1].u.transfer_account_input = &ted;
    eccor_bank_account_input *account_ptrs[2] = {&accounts[0], &accounts[1]};

    eccor_address address = ECCOR_ADDRESS_INIT;
    PONTES_PUT(address, address_name, "Rua Barão de Monte Santo");
    PONTES_PUT(address, number, "120");
    PONTES_PUT(address, complement, "N/A");
    PONTES_PUT(address, district, "Centro");
    PONTES_PUT(address, city, "Mococa");
    PONTES_PUT_ENUM(address, uf, ECCOR_UF_SP);
    PONTES_PUT(address, zip_code, "13737-005");

    eccor_natural_person_input pin = ECCOR_NATURAL_PERSON_INPUT_INIT;
    PONTES_PUT(pin, registration_number, DEMO_CPF);
    PONTES_PUT(pin, name, "Maria Aparecida da Silva");
    PONTES_PUT(pin, birth_date, "1985-04-03T03:00:00.000Z");
    PONTES_PUT_ENUM(pin, civil_status, ECCOR_CIVIL_STATUS_SINGLE);
    PONTES_PUT(pin, nationality, "Brasileira");
    PONTES_PUT(pin, email, "maria.silva@example.com");
    PONTES_PUT(pin, phone, "19981234567");
    PONTES_PUT(pin, occupation, "Professora");
    PONTES_PUT(pin, address, &address);
    pin.bank_accounts.items = account_ptrs;
    pin.bank_accounts.count = 2;
    pin.has_bank_accounts = PONTES_SET;

    rc = eccor_create_natural_person(c, &pin, &person_id);
    if (rc != PONTES_OK) {
        print_error("createNaturalPerson", c, rc);
        goto out;
    }
    if (person_id->has_value != PONTES_SET || !person_id->value) {
        fprintf(stderr, "error: createNaturalPerson returned no ID\n");
        goto out;
    }
    printf("4. Borrower registered: %s\n   %-14s %s\n\n", pin.name, "Person ID", person_id->value);

    /* 5. read the borrower back to learn the IDs of the bank accounts */
    rc = eccor_get_natural_person(c, person_id->value, &person);
    if (rc != PONTES_OK) {
        print_error("getNaturalPerson", c, rc);
        goto out;
    }
    const char *pix_account_id = NULL;
    printf("5. Bank accounts of %s (CPF %s)\n", str_or(person->name, person->has_name, "?"),
           fmt_cpf(str_or(person->registration_number, person->has_registration_number, NULL), b1, sizeof b1));
    for (size_t i = 0; i < person->bank_accounts.count; i++) {
        const eccor_bank_account *ba = person->bank_accounts.items[i];
        const char *kind = enum_text(eccor_operation_type_to_string(ba->operation_type_value.value),
                                     ba->operation_type_value.raw);
        char detail[160];
        if (ba->operation_type_value.value == ECCOR_OPERATION_TYPE_PIX) {
            snprintf(detail, sizeof detail, "key %s (%s)", str_or(ba->key_pix, ba->has_key_pix, "?"),
                     enum_text(eccor_bank_account_pix_key_type_value_to_string(ba->pix_key_type_value.value),
                               ba->pix_key_type_value.raw));
            if (!pix_account_id) pix_account_id = ba->id;
        } else {
            snprintf(detail, sizeof detail, "bank %s, agency %s, account %s%s%s",
                     str_or(ba->bank_code, ba->has_bank_code, "?"), str_or(ba->agency, ba->has_agency, "?"),
                     str_or(ba->account, ba->has_account, "?"), ba->has_account_digit == PONTES_SET ? "-" : "",
                     str_or(ba->account_digit, ba->has_account_digit, ""));
        }
        printf("   %-9s %-36s %s\n", kind, ba->id, detail);
    }
    putchar('\n');
    if (!pix_account_id) {
        fprintf(stderr, "error: the borrower has no PIX key to pay out to\n");
        goto out;
    }

    /* 6. the credit note (draft), paid out to the PIX key */
    eccor_credit_note_amortization cn_amort = ECCOR_CREDIT_NOTE_AMORTIZATION_INIT;
    PONTES_PUT(cn_amort, agent_commission, &commission);
    PONTES_PUT(cn_amort, apr, params.apr);
    PONTES_PUT(cn_amort, term_in_months, params.term_in_months);
    PONTES_PUT(cn_amort, start_date, start_date);
    PONTES_PUT(cn_amort, requested_amount, 0);
    PONTES_PUT_ENUM(cn_amort, amortization_type, ECCOR_AMORTIZATION_PARAMS_AMORTIZATION_TYPE_FGTS);
    PONTES_PUT(cn_amort, legal_person, false);

    eccor_credit_note_request cn = ECCOR_CREDIT_NOTE_REQUEST_INIT;
    PONTES_PUT(cn, product_id, prod->id);
    PONTES_PUT(cn, person_id, person_id->value);
    PONTES_PUT(cn, beneficiary_id, person_id->value);
    PONTES_PUT(cn, bank_account_id, pix_account_id);
    PONTES_PUT_ENUM(cn, liquidation_type, ECCOR_LIQUIDATION_TYPE_ELETRONIC_TRANSFER);
    PONTES_PUT(cn, amortization, &cn_amort);

    rc = eccor_create_credit_note(c, &cn, &credit_note_id);
    if (rc != PONTES_OK) {
        print_error("createCreditNote", c, rc);
        goto out;
    }
    if (credit_note_id->has_value != PONTES_SET || !credit_note_id->value) {
        fprintf(stderr, "error: createCreditNote returned no ID\n");
        goto out;
    }
    printf("6. Credit note created (draft): %s\n\n", credit_note_id->value);

    /* 7. submit for approval */
    rc = eccor_submit_credit_note_approval(c, credit_note_id->value);
    if (rc != PONTES_OK) {
        print_error("submitCreditNoteApproval", c, rc);
        goto out;
    }
    printf("7. Credit note %s submitted for approval.\n", credit_note_id->value);
    printf("   %-14s %s (CPF %s)\n", "Borrower", pin.name, fmt_cpf(DEMO_CPF, b1, sizeof b1));
    printf("   %-14s %s\n", "Product", str_or(prod->name, prod->has_name, prod->id));
    printf("   %-14s %s\n", "Net amount", fmt_brl(sim->liquid_value, b1, sizeof b1));
    printf("   %-14s %s\n", "Debt", fmt_brl(sim->initial_value, b1, sizeof b1));
    printf("   %-14s PIX key %s (account %s)\n", "Payout", DEMO_CPF, pix_account_id);
    printf("   Status changes arrive by webhook (creditNoteStatusChanged).\n");
    exit_code = 0;

out:
    eccor_uuid_free(credit_note_id);
    eccor_natural_person_free(person);
    eccor_uuid_free(person_id);
    eccor_amortization_simulation_free(sim);
    eccor_product_page_free(products);
    eccor_client_free(c);
    return exit_code;
}
