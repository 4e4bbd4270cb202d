/*
 * pontes-demo-bctt — a mortgage broker's flow on the Banco CTT Partners Portal with the
 * generated client:
 *
 *   session (the runtime calls Authenticate by itself) -> create a simulation -> validate it
 *   -> create a process from it -> add a borrower -> add a document (a small PDF, Base64 in
 *   the JSON) -> update the property -> submit -> a summary of the process, and how many
 *   processes the broker has (Process List walked with the generated iterator).
 *
 * usage: pontes-demo-bctt [--base-url URL] [--client-id ID] [--client-secret S]
 *                         [--broker-id B] [--username U]
 * Defaults: PONTES_BCTT_BASE_URL, PONTES_BCTT_CLIENT_ID, PONTES_BCTT_CLIENT_SECRET,
 * PONTES_BCTT_BROKER_ID, PONTES_BCTT_USERNAME, then the mock server's demo login
 * (tools/mock/pontes_mock/apis/bctt.py: pontes-demo-client / pontes-demo-secret, broker 12345,
 * user user@example.com). The client id and secret are never printed.
 *
 * Amounts are shown in euros the Portuguese way ("200 300,00 €"), dates as dd/mm/aaaa.
 * Money: the spec marks the amounts x-pontes-money, so the generated members are exact
 * decimals (pontes_decimal): they are set from decimal text and printed from it, never
 * through a double. DEMO_AMOUNT_* below pick the functions by the member's type (C11
 * _Generic), so a member the spec types as a plain `number` (double) still compiles; it is
 * then shown with its cents, rounded.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <pontes/bctt.h>

#include "demo_format.h"

#define DEFAULT_BASE_URL "http://127.0.0.1:8080"
#define DEFAULT_CLIENT_ID "pontes-demo-client"
#define DEFAULT_CLIENT_SECRET "pontes-demo-secret"
#define DEFAULT_BROKER_ID "12345"
#define DEFAULT_USERNAME "user@example.com"
#define SESSION_SCHEME "bcttSession"

/* ---- amounts: pontes_decimal (x-pontes-money), or double for a plain `number` ----------- */

static int amount_parse_decimal(pontes_decimal *d, const char *text) {
    return pontes_decimal_parse(text, strlen(text), d);
}
static int amount_parse_double(double *d, const char *text) {
    char *end = NULL;
    *d = strtod(text, &end);
    return (end && *end == '\0' && end != text) ? PONTES_OK : PONTES_EINVAL;
}
static const char *amount_fmt_decimal(const pontes_decimal *d, char *buf, size_t size) {
    return demo_fmt_eur(d, buf, size);
}
static const char *amount_fmt_double(const double *d, char *buf, size_t size) {
    char t[64];
    snprintf(t, sizeof t, "%.2f", *d); /* what a double can give: the cents, rounded */
    return demo_fmt_eur_text(t, buf, size);
}
/* Set amount member `m` of request struct `s` from decimal text ("200300.00"). */
#define DEMO_AMOUNT_PUT(s, m, text)                                                                 \
    (_Generic(&(s).m, pontes_decimal *: amount_parse_decimal, double *: amount_parse_double)(&(s).m, \
                                                                                               text) \
     == PONTES_OK                                                                                 \
         ? ((s).has_##m = PONTES_SET, PONTES_OK)                                                  \
         : PONTES_EINVAL)
/* An amount member as euros into buf (an array); "-" when absent, "(null)" when null. */
#define DEMO_AMOUNT_FMT(p, m, buf)                                                                  \
    ((p)->has_##m == PONTES_ABSENT ? "-"                                                           \
     : (p)->has_##m == PONTES_NULL ? "(null)"                                                      \
                                   : _Generic(&(p)->m, pontes_decimal *: amount_fmt_decimal,       \
                                              const pontes_decimal *: amount_fmt_decimal,          \
                                              double *: amount_fmt_double,                         \
                                              const double *: amount_fmt_double)(&(p)->m, buf, sizeof buf))

/* ---- small helpers ---------------------------------------------------------------------- */

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return (v && *v) ? v : fallback;
}

static const char *str_or(const char *s, pontes_presence has, const char *dflt) {
    return (has == PONTES_SET && s) ? s : dflt;
}

/* A string member the spec does not declare, kept by the decoder in _extra (e.g. the
 * borrower's "name" in Borrower List: the page shows only ids and types). */
static const char *extra_string(const pontes_extra *x, const char *name) {
    for (size_t i = 0; i < x->count; i++)
        if (x->items[i] && x->items[i]->string && strcmp(x->items[i]->string, name) == 0 &&
            cJSON_IsString(x->items[i]))
            return x->items[i]->valuestring;
    return NULL;
}

static int report(bctt_client *c, const char *what, int rc) {
    const pontes_error *e = bctt_client_last_error(c);
    fprintf(stderr, "\n%s failed: %s: %s\n", what, pontes_status_name(rc),
            e && e->message ? e->message : "(no message)");
    if (e && e->http_status) fprintf(stderr, "  HTTP status: %ld\n", e->http_status);
    if (e && e->provider_code) {
        char cat[4] = "?", field[4] = "?", err[4] = "?";
        bctt_status_code_part(e->provider_code, BCTT_STATUS_CODE_CATEGORY, cat, sizeof cat);
        bctt_status_code_part(e->provider_code, BCTT_STATUS_CODE_FIELD, field, sizeof field);
        bctt_status_code_part(e->provider_code, BCTT_STATUS_CODE_ERROR, err, sizeof err);
        fprintf(stderr, "  operationStatusCode: %s (category %s, field %s, error %s)\n", e->provider_code, cat, field,
                err);
    }
    if (e && e->provider_message) fprintf(stderr, "  operationStatusMessage: %s\n", e->provider_message);
    for (size_t i = 0; e && i < e->field_error_count; i++)
        fprintf(stderr, "  field %s: %s\n", e->field_errors[i].key ? e->field_errors[i].key : "?",
                e->field_errors[i].message ? e->field_errors[i].message : "");
    if (e && e->request_id) fprintf(stderr, "  request id: %s\n", e->request_id);
    return 1;
}

/* "020702 Simulation Created successfully" of a write operation's operationStatus. */
static const char *status_text(const bctt_operation_status *s, pontes_presence has, char *buf, size_t size) {
    if (has != PONTES_SET || !s) return "(no operationStatus: an empty 2xx answer)";
    snprintf(buf, size, "%s %s", str_or(s->operation_status_code, s->has_operation_status_code, "?"),
             str_or(s->operation_status_message, s->has_operation_status_message, ""));
    return buf;
}

/* A small, valid one-page PDF ("Cartão de Cidadão" scan stand-in); the client Base64-encodes it. */
static const char DEMO_PDF[] =
    "%PDF-1.4\n"
    "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R/Resources<<>>>>endobj\n"
    "4 0 obj<</Length 44>>stream\n"
    "BT /F1 12 Tf 20 50 Td (Cartao de Cidadao) Tj ET\n"
    "endstream endobj\n"
    "trailer<</Root 1 0 R>>\n"
    "%%EOF\n";

/* ---- the flow ----------------------------------------------------------------------------- */

typedef struct demo_opts {
    const char *base_url, *client_id, *client_secret, *broker_id, *username;
} demo_opts;

static int usage(FILE *f) {
    fputs("usage: pontes-demo-bctt [--base-url URL] [--client-id ID] [--client-secret S]\n"
          "                        [--broker-id B] [--username U]\n"
          "Defaults: PONTES_BCTT_BASE_URL, PONTES_BCTT_CLIENT_ID, PONTES_BCTT_CLIENT_SECRET,\n"
          "PONTES_BCTT_BROKER_ID, PONTES_BCTT_USERNAME, then the mock server's demo login.\n",
          f);
    return f == stdout ? 0 : 2;
}

static int run(bctt_client *c, const demo_opts *o) {
    char b1[128], b2[128], b3[160];
    int rc;
    int ret = 1;
    bctt_simulation_create_response *sim = NULL;
    bctt_operation_status_response *st = NULL;
    bctt_process_create_response *proc = NULL;
    bctt_property_process_detail *prop = NULL;
    bctt_process_detail2 *detail = NULL;
    bctt_borrower_list2 *borrowers = NULL;
    bctt_document_list2 *documents = NULL;
    bctt_process_list_iter *it = NULL;

    /* 1. a simulation: 200 300,00 € over 30 years, for a 250 000,00 € home */
    bctt_simulation_create_request sreq = BCTT_SIMULATION_CREATE_REQUEST_INIT;
    if (DEMO_AMOUNT_PUT(sreq, loan_amount, "200300.00") != PONTES_OK ||
        DEMO_AMOUNT_PUT(sreq, property_amount, "250000.00") != PONTES_OK) {
        fprintf(stderr, "bad amount text\n");
        return 1;
    }
    PONTES_PUT(sreq, loan_duration_months, 360);
    PONTES_PUT(sreq, branch_id, 10);
    PONTES_PUT(sreq, has_cross_selling, true);
    if ((rc = bctt_simulation_create(c, &sreq, &sim)) != PONTES_OK) return report(c, "SimulationCreate", rc);
    bool has_token = false;
    pontes_client_session_state((const pontes_client *)c, SESSION_SCHEME, &has_token, NULL);
    printf("1. session    %s (broker %s, user %s): logged in by the runtime through Authenticate\n",
           has_token ? "open" : "NOT open", o->broker_id, o->username);
    if (sim->has_additional_data != PONTES_SET || !sim->additional_data ||
        sim->additional_data->has_simulation_unique_id != PONTES_SET) {
        fprintf(stderr, "SimulationCreate: the answer has no simulationUniqueID\n");
        goto out;
    }
    const char *sim_id = sim->additional_data->simulation_unique_id;
    printf("2. simulation n.º %d created (%s): %s\n", (int)sim->additional_data->simulation_number, sim_id,
           status_text(sim->operation_status, sim->has_operation_status, b3, sizeof b3));

    /* 2. validate it */
    if ((rc = bctt_simulation_validate(c, sim_id, &st)) != PONTES_OK) {
        report(c, "SimulationValidate", rc);
        goto out;
    }
    printf("3. simulation validated: %s\n", status_text(st->operation_status, st->has_operation_status, b3, sizeof b3));
    bctt_operation_status_response_free(st);
    st = NULL;

    /* 3. a process from it, with the key borrower */
    bctt_process_create_request preq = BCTT_PROCESS_CREATE_REQUEST_INIT;
    PONTES_PUT(preq, simulation_unique_id, sim_id);
    PONTES_PUT(preq, key_borrower_name, "Joana Marques Ribeiro");
    PONTES_PUT(preq, key_borrower_email, "joana.ribeiro@example.com");
    PONTES_PUT(preq, key_borrower_identification_doc_type_id, 1); /* Cartão de Cidadão */
    PONTES_PUT(preq, key_borrower_identification_doc_number, "14582693 7 ZX4");
    PONTES_PUT(preq, key_borrower_identification_doc_expiration_date, "2030-05-31");
    PONTES_PUT(preq, key_borrower_residence, "Portugal");
    if ((rc = bctt_process_create(c, &preq, &proc)) != PONTES_OK) {
        report(c, "ProcessCreate", rc);
        goto out;
    }
    if (proc->has_additional_data != PONTES_SET || !proc->additional_data ||
        proc->additional_data->has_process_unique_id != PONTES_SET) {
        fprintf(stderr, "ProcessCreate: the answer has no processUniqueID\n");
        goto out;
    }
    const char *pid = proc->additional_data->process_unique_id;
    printf("4. process n.º %d created (%s): %s\n", (int)proc->additional_data->process_number, pid,
           status_text(proc->operation_status, proc->has_operation_status, b3, sizeof b3));

    /* 4. a second borrower: the key borrower's spouse */
    bctt_borrower_create_request breq = BCTT_BORROWER_CREATE_REQUEST_INIT;
    PONTES_PUT(breq, borrower_name, "Rui Manuel Ribeiro");
    PONTES_PUT(breq, borrower_email, "rui.ribeiro@example.com");
    PONTES_PUT(breq, borrower_identification_doc_type_id, 1);
    PONTES_PUT(breq, borrower_identification_doc_number, "13877410 2 ZY9");
    PONTES_PUT(breq, borrower_identification_doc_expiration_date, "2031-02-28");
    PONTES_PUT(breq, borrower_type_id, 2);
    PONTES_PUT(breq, key_borrower_relation_id, 1); /* Spouse */
    if ((rc = bctt_borrower_create(c, pid, &breq, &st)) != PONTES_OK) {
        report(c, "BorrowerCreate", rc);
        goto out;
    }
    printf("5. borrower added: %s\n", status_text(st->operation_status, st->has_operation_status, b3, sizeof b3));
    bctt_operation_status_response_free(st);
    st = NULL;

    /* 5. a document: the key borrower's ID card, a PDF sent as Base64 in the JSON */
    bctt_document_create_request dreq = BCTT_DOCUMENT_CREATE_REQUEST_INIT;
    PONTES_PUT(dreq, document_title, "Cartão de Cidadão — Joana Marques Ribeiro");
    PONTES_PUT(dreq, document_type_id, 901);
    PONTES_PUT(dreq, file_name, "cartao-cidadao-joana.pdf");
    dreq.document_content.data = (const uint8_t *)DEMO_PDF;
    dreq.document_content.len = sizeof DEMO_PDF - 1;
    dreq.has_document_content = PONTES_SET;
    if ((rc = bctt_document_create(c, pid, &dreq, &st)) != PONTES_OK) {
        report(c, "DocumentCreate", rc);
        goto out;
    }
    printf("6. document added (%zu bytes of PDF): %s\n", sizeof DEMO_PDF - 1,
           status_text(st->operation_status, st->has_operation_status, b3, sizeof b3));
    bctt_operation_status_response_free(st);
    st = NULL;

    /* 6. the property: Property List gives the process's one property, then update it */
    if ((rc = bctt_property_list(c, pid, &prop)) != PONTES_OK) {
        report(c, "PropertyList", rc);
        goto out;
    }
    if (prop->has_property_unique_id != PONTES_SET) {
        fprintf(stderr, "PropertyList: the answer has no propertyUniqueID\n");
        goto out;
    }
    bctt_property_update_request ureq = BCTT_PROPERTY_UPDATE_REQUEST_INIT;
    if (DEMO_AMOUNT_PUT(ureq, acquisition_amount, "250000.00") != PONTES_OK) goto out;
    PONTES_PUT(ureq, acquisition_date, "2026-03-15");
    PONTES_PUT(ureq, address, "Avenida da República");
    PONTES_PUT(ureq, door_number, "42");
    PONTES_PUT(ureq, floor, "3.º Esq.");
    PONTES_PUT(ureq, zip_code, "1050-194");
    PONTES_PUT(ureq, zip_code_local, "Lisboa");
    PONTES_PUT(ureq, district_id, 11);  /* Lisboa */
    PONTES_PUT(ureq, county_id, 49);    /* Lisboa */
    PONTES_PUT(ureq, parish_id, 11004); /* Avenidas Novas */
    PONTES_PUT(ureq, year_built, 1998);
    if ((rc = bctt_property_update(c, pid, prop->property_unique_id, &ureq, &st)) != PONTES_OK) {
        report(c, "PropertyUpdate", rc);
        goto out;
    }
    printf("7. property updated: %s\n", status_text(st->operation_status, st->has_operation_status, b3, sizeof b3));
    bctt_operation_status_response_free(st);
    st = NULL;
    bctt_property_process_detail_free(prop);
    prop = NULL;

    /* 7. submit */
    if ((rc = bctt_process_submit(c, pid, &st)) != PONTES_OK) {
        report(c, "ProcessSubmit", rc);
        goto out;
    }
    printf("8. process submitted: %s\n", status_text(st->operation_status, st->has_operation_status, b3, sizeof b3));

    /* ---- the summary ---- */
    if ((rc = bctt_process_detail(c, pid, &detail)) != PONTES_OK ||
        (rc = bctt_property_list(c, pid, &prop)) != PONTES_OK ||
        (rc = bctt_borrower_list(c, pid, &borrowers)) != PONTES_OK ||
        (rc = bctt_document_list(c, pid, &documents)) != PONTES_OK) {
        report(c, "reading the process back", rc);
        goto out;
    }
    printf("\nProcess n.º %d — %s (state %d)\n", (int)detail->process_number,
           str_or(detail->process_status_description, detail->has_process_status_description, "?"),
           (int)detail->process_status_id);
    printf("  created              %s, branch %s\n", demo_fmt_date(detail->creation_date, b1, sizeof b1),
           str_or(detail->branch_description, detail->has_branch_description, "-"));
    printf("  simulation           n.º %d\n", (int)detail->simulation_number);
    const bctt_loan_process_detail *loan = detail->has_loan_process_detail == PONTES_SET ? detail->loan_process_detail
                                                                                         : NULL;
    if (loan) {
        printf("  loan amount          %s over %d months\n", DEMO_AMOUNT_FMT(loan, loan_amount, b1),
               (int)loan->loan_duration_months);
        printf("  monthly instalment   %s\n", DEMO_AMOUNT_FMT(loan, monthly_installment_amount, b1));
        printf("  total cost (MTIC)    %s\n", DEMO_AMOUNT_FMT(loan, mtic, b1));
    }
    printf("  property             %s %s, %s %s (%s, %s)\n", str_or(prop->address, prop->has_address, "-"),
           str_or(prop->door_number, prop->has_door_number, ""), str_or(prop->zip_code, prop->has_zip_code, ""),
           str_or(prop->zip_code_local, prop->has_zip_code_local, ""),
           str_or(prop->parish_description, prop->has_parish_description, "-"),
           str_or(prop->district_description, prop->has_district_description, "-"));
    printf("  acquisition          %s on %s\n", DEMO_AMOUNT_FMT(prop, acquisition_amount, b1),
           prop->has_acquisition_date == PONTES_SET ? demo_fmt_date(prop->acquisition_date, b2, sizeof b2) : "-");
    if (prop->has_evaluation_amount == PONTES_SET || prop->has_evaluation_estimated_amount == PONTES_SET)
        printf("  valuation            %s (estimated %s)\n", DEMO_AMOUNT_FMT(prop, evaluation_amount, b1),
               DEMO_AMOUNT_FMT(prop, evaluation_estimated_amount, b2));
    printf("  borrowers (%zu):\n", borrowers->value.count);
    for (size_t i = 0; i < borrowers->value.count; i++) {
        const bctt_borrower_process_item *x = borrowers->value.items[i];
        const char *name = extra_string(&x->_extra, "name");
        if (!name) name = extra_string(&x->_extra, "borrowerName"); /* the mock echoes the request's name */
        char rel[96] = "";
        if (x->has_key_borrower_relation_description == PONTES_SET)
            snprintf(rel, sizeof rel, ", %s of the key borrower", x->key_borrower_relation_description);
        printf("    %-26s %s%s\n", name ? name : "(name not in the answer)",
               str_or(x->borrower_type_description, x->has_borrower_type_description, "?"), rel);
    }
    printf("  documents (%zu):\n", documents->value.count);
    for (size_t i = 0; i < documents->value.count; i++) {
        const bctt_document_process_item *d = documents->value.items[i];
        printf("    %s — %s (%s, %s)\n", str_or(d->file_name, d->has_file_name, "?"),
               str_or(d->type_description, d->has_type_description, "?"),
               str_or(d->category_description, d->has_category_description, "?"),
               str_or(d->status_description, d->has_status_description, "?"));
    }

    /* ---- the broker's processes: every page of Process List, by the iterator ---- */
    bctt_process_list_params lp = BCTT_PROCESS_LIST_PARAMS_INIT;
    PONTES_PUT(lp, line_count, 100);
    const bctt_process_list_item *item;
    size_t n = 0, submitted = 0;
    rc = bctt_process_list_iter_new(c, &lp, NULL, &it);
    while (rc == PONTES_OK && (rc = bctt_process_list_iter_next(it, &item)) == PONTES_OK) {
        n++;
        if (item->has_process_status_id == PONTES_SET && item->process_status_id == detail->process_status_id)
            submitted++;
    }
    if (rc != PONTES_ITEROVER) {
        const pontes_error *e = it ? bctt_process_list_iter_error(it) : bctt_client_last_error(c);
        fprintf(stderr, "ProcessList: %s\n", e && e->message ? e->message : pontes_status_name(rc));
        goto out;
    }
    printf("\nThe broker has %zu processes (%zu pages of Process List; %zu %s, like this one)\n", n,
           bctt_process_list_iter_pages(it), submitted,
           str_or(detail->process_status_description, detail->has_process_status_description, "?"));
    ret = 0;
out:
    bctt_process_list_iter_free(it);
    bctt_document_list2_free(documents);
    bctt_borrower_list2_free(borrowers);
    bctt_process_detail2_free(detail);
    bctt_property_process_detail_free(prop);
    bctt_process_create_response_free(proc);
    bctt_operation_status_response_free(st);
    bctt_simulation_create_response_free(sim);
    return ret;
}

int main(int argc, char **argv) {
    demo_opts o = {
        env_or("PONTES_BCTT_BASE_URL", DEFAULT_BASE_URL),   env_or("PONTES_BCTT_CLIENT_ID", DEFAULT_CLIENT_ID),
        env_or("PONTES_BCTT_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        env_or("PONTES_BCTT_BROKER_ID", DEFAULT_BROKER_ID), env_or("PONTES_BCTT_USERNAME", DEFAULT_USERNAME),
    };
    for (int i = 1; i < argc; i++) {
        static const struct {
            const char *name;
            size_t off;
        } opts[] = {
            {"--base-url", offsetof(demo_opts, base_url)},   {"--client-id", offsetof(demo_opts, client_id)},
            {"--client-secret", offsetof(demo_opts, client_secret)},
            {"--broker-id", offsetof(demo_opts, broker_id)}, {"--username", offsetof(demo_opts, username)},
        };
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return usage(stdout);
        size_t k;
        for (k = 0; k < sizeof opts / sizeof opts[0]; k++)
            if (strcmp(argv[i], opts[k].name) == 0) break;
        if (k == sizeof opts / sizeof opts[0] || i + 1 >= argc) {
            fprintf(stderr, "pontes-demo-bctt: %s '%s'\n", k == sizeof opts / sizeof opts[0] ? "unknown option" : "missing value for",
                    argv[i]);
            return usage(stderr);
        }
        *(const char **)((char *)&o + opts[k].off) = argv[++i];
    }

    bctt_client *c = NULL;
    pontes_client_options copts = PONTES_CLIENT_OPTIONS_INIT;
    copts.base_url = o.base_url;
    if (bctt_client_new(&c, &copts) != PONTES_OK) {
        fprintf(stderr, "pontes-demo-bctt: cannot create the client\n");
        return 1;
    }
    printf("BCTT Partners Portal at %s\n", o.base_url);
    /* the session: credentials by role; the runtime calls Authenticate when it needs a token,
     * and again after 29 idle minutes or a 401 */
    static const char *const roles[] = {"client_id", "client_secret", "broker_id", "username"};
    const char *values[] = {o.client_id, o.client_secret, o.broker_id, o.username};
    for (size_t i = 0; i < 4; i++) {
        int rc = pontes_client_set_session_credential((pontes_client *)c, SESSION_SCHEME, roles[i], values[i]);
        if (rc != PONTES_OK) {
            int r = report(c, "setting the session credentials", rc);
            bctt_client_free(c);
            return r;
        }
    }
    int ret = run(c, &o);
    bctt_client_free(c);
    return ret;
}
