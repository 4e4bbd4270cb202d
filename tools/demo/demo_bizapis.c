/*
 * pontes-demo-bizapis — reads a Banco de Portugal credit-responsibility map (Mapa de
 * Responsabilidades de Crédito) through bizAPIs with the generated client, and prints a
 * readable summary: who, the totals held individually and jointly, and the loans.
 *
 * usage: pontes-demo-bizapis [--base-url URL] [--api-key KEY]
 *                            [--file MAP.pdf]
 *                            [--base64 | --credentials USER PASSWORD [--month MM --year YYYY]]
 * (--credentials: bizAPIs fetches the map of that month, last month by default, itself)
 * Defaults: PONTES_BIZAPIS_BASE_URL, PONTES_BIZAPIS_API_KEY, then the mock server's demo values
 * (tools/mock/mock_server.py). Without --file the demo writes a small stand-in PDF (the mock
 * answers its documented example report for any valid PDF).
 *
 * The PDF is never loaded into memory: the multipart upload streams it from the file
 * (pontes_file_source_path), and --base64 encodes it from the file while sending
 * (pontes_bytes_set_source). A file over 20 MB or not starting with %PDF- is refused
 * before anything is sent. Amounts are exact decimals (pontes_decimal), shown in euros the
 * Portuguese way (12 345,67 €); dates as dd/mm/aaaa.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pontes/bizapis.h>

#include "demo_format.h"

#define DEFAULT_BASE_URL "http://127.0.0.1:8080"
#define DEFAULT_API_KEY "pontes-demo-bizapis-key"

/* ---- the report, from either form of the answer ------------------------- */

/* The answer is the report itself, or {data: report, file: map}; both have these members. */
typedef struct report_view {
    const char *request_id;
    pontes_presence has_without;
    bool without;
    const bizapis_summary *summary;
    const bizapis_loan_detail_array *home, *car, *leasing, *personal, *related;
    const bizapis_loan_detail_array_map *other;
} report_view;

static report_view view_of(const bizapis_credit_responsibility_response *r) {
    report_view v;
    if (r->has_data == PONTES_SET && r->data) {
        const bizapis_credit_responsibility_report *d = r->data;
        v = (report_view){d->request_id, d->has_without_credit_responsibility, d->without_credit_responsibility,
                          d->summary, &d->home_loan, &d->car_loan, &d->financial_leasing, &d->personal_loan,
                          &d->related_loan, &d->other_loans};
    } else {
        v = (report_view){r->request_id, r->has_without_credit_responsibility, r->without_credit_responsibility,
                          r->summary, &r->home_loan, &r->car_loan, &r->financial_leasing, &r->personal_loan,
                          &r->related_loan, &r->other_loans};
    }
    return v;
}

static void bucket_line(const char *name, const bizapis_summary_bucket *b) {
    if (!b) return;
    char x[128], y[128], z[128];
    printf("    %-34s %20s %20s %20s %4lld\n", name, demo_fmt_eur_opt(&b->in_debt_amount, b->has_in_debt_amount, x, sizeof x),
           demo_fmt_eur_opt(&b->non_compliant_amount, b->has_non_compliant_amount, y, sizeof y),
           demo_fmt_eur_opt(&b->potential_amount, b->has_potential_amount, z, sizeof z),
           (long long)(b->has_number_of_products == PONTES_SET ? b->number_of_products : 0));
}

static void group(const char *title, const bizapis_credit_responsibility_group *g) {
    printf("\n  %s\n", title);
    if (!g) {
        printf("    (none)\n");
        return;
    }
    printf("    %-34s %18s %18s %18s %4s\n", "", "in debt", "non-compliant", "potential", "n.");
    bucket_line("home loans", g->home_loan);
    bucket_line("related to home loans", g->related_loan);
    bucket_line("personal loans", g->personal_loan);
    bucket_line("financial leasing", g->financial_leasing);
    bucket_line("car loans (excl. leasing)", g->car_loan_excluding_financial_leasing);
    for (size_t i = 0; i < g->other_loans.count; i++) bucket_line(g->other_loans.keys[i], g->other_loans.values[i]);
    bucket_line("loan overrun", g->loan_overrun);
    bucket_line("overdraft facility", g->overdraft_facility);
    bucket_line("credit cards", g->credit_card);
    bucket_line("revolving credit", g->revolving_credit);
    bucket_line("non-revolving credit", g->non_revolving_credit);
    const bizapis_total_bucket *t = g->total_loan;
    if (t) {
        char x[128], y[128], z[128];
        printf("    %-34s %20s %20s %20s %4lld\n", "TOTAL",
               demo_fmt_eur_opt(&t->in_debt_amount, t->has_in_debt_amount, x, sizeof x),
               demo_fmt_eur_opt(&t->non_compliant_amount, t->has_non_compliant_amount, y, sizeof y),
               demo_fmt_eur_opt(&t->potential_amount, t->has_potential_amount, z, sizeof z),
               (long long)(t->has_number_of_products == PONTES_SET ? t->number_of_products : 0));
    }
}

static void loans(const char *title, const bizapis_loan_detail_array *a) {
    if (!a || a->count == 0) return;
    printf("\n  %s (%zu)\n", title, a->count);
    printf("    %-10s %-10s %18s %18s %16s %8s\n", "start", "end", "total debt", "non-compliant", "instalment",
           "debtors");
    for (size_t i = 0; i < a->count; i++) {
        const bizapis_loan_detail *l = a->items[i];
        char s[16], e[16], x[128], y[128], z[128];
        printf("    %-10s %-10s %20s %20s %18s %8lld\n", demo_fmt_date(l->start_date, s, sizeof s),
               demo_fmt_date(l->end_date, e, sizeof e), demo_fmt_eur_opt(&l->total_debt, l->has_total_debt, x, sizeof x),
               demo_fmt_eur_opt(&l->non_compliant_amount, l->has_non_compliant_amount, y, sizeof y),
               demo_fmt_eur_opt(&l->installment, l->has_installment, z, sizeof z),
               (long long)(l->has_number_debtors == PONTES_SET ? l->number_debtors : 0));
    }
}

static void print_report(const bizapis_credit_responsibility_response *r) {
    report_view v = view_of(r);
    printf("\nCredit-responsibility map%s%s\n", v.request_id ? " — request " : "", v.request_id ? v.request_id : "");
    if (v.has_without == PONTES_SET && v.without) {
        printf("  no credit responsibilities reported.\n");
        return;
    }
    const bizapis_summary *s = v.summary;
    if (s) {
        printf("  %s (NIF %s)\n", s->name ? s->name : "(no name)", s->nif ? s->nif : "-");
        const bizapis_financial_institutions_and_products *f = s->financial_institutions_and_products;
        if (f)
            printf("  %lld institutions report credit, %lld report non-compliance; %lld products\n",
                   (long long)f->number_of_institutions_reporting_information,
                   (long long)f->number_of_institutions_reporting_non_compliance,
                   (long long)f->total_number_of_financial_products_reported);
        group("Individual credit", s->credit_responsibility_individual);
        group("Joint credit", s->credit_responsibility_joint);
    }
    loans("Home loans", v.home);
    loans("Car loans", v.car);
    loans("Financial leasing", v.leasing);
    loans("Personal loans", v.personal);
    loans("Related loans", v.related);
    for (size_t i = 0; v.other && i < v.other->count; i++) loans(v.other->keys[i], &v.other->values[i]);
}

/* ---- main ---------------------------------------------------------------- */

static int report_error(bizapis_client *c, const char *what, int rc) {
    const pontes_error *e = bizapis_client_last_error(c);
    fprintf(stderr, "\n%s failed: %s: %s\n", what, pontes_status_name(rc), e && e->message ? e->message : "?");
    if (e && e->provider_code) fprintf(stderr, "  bizAPIs code: %s\n", e->provider_code);
    if (e && e->provider_message) fprintf(stderr, "  bizAPIs message: %s\n", e->provider_message);
    if (e && e->request_id) fprintf(stderr, "  request id: %s\n", e->request_id);
    return 1;
}

static const char *env_or(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* A small stand-in for the map PDF the user downloaded from the Banco de Portugal portal. */
static int write_sample_pdf(char *path, size_t cap) {
    const char *tmp = env_or("TMPDIR", "/tmp");
    snprintf(path, cap, "%s/pontes-demo-map-XXXXXX", tmp);
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "wb");
    if (!f) return -1;
    fputs("%PDF-1.4\n% pontes demo: a stand-in for a Mapa de Responsabilidades de Cr\xc3\xa9" "dito\n", f);
    for (int i = 0; i < 2000; i++) fprintf(f, "%% filler line %04d\n", i);
    fputs("%%EOF\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    const char *base = env_or("PONTES_BIZAPIS_BASE_URL", DEFAULT_BASE_URL);
    const char *key = env_or("PONTES_BIZAPIS_API_KEY", DEFAULT_API_KEY);
    const char *file = NULL, *user = NULL, *password = NULL, *month = NULL, *year = NULL;
    char month_buf[16], year_buf[16];
    { /* default: last month's map */
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        int m = tm.tm_mon == 0 ? 12 : tm.tm_mon, y = 1900 + tm.tm_year - (tm.tm_mon == 0);
        snprintf(month_buf, sizeof month_buf, "%02d", m);
        snprintf(year_buf, sizeof year_buf, "%04d", y);
        month = month_buf;
        year = year_buf;
    }
    bool base64 = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--base-url") && i + 1 < argc) base = argv[++i];
        else if (!strcmp(a, "--api-key") && i + 1 < argc) key = argv[++i];
        else if (!strcmp(a, "--file") && i + 1 < argc) file = argv[++i];
        else if (!strcmp(a, "--base64")) base64 = true;
        else if (!strcmp(a, "--month") && i + 1 < argc) month = argv[++i];
        else if (!strcmp(a, "--year") && i + 1 < argc) year = argv[++i];
        else if (!strcmp(a, "--credentials") && i + 2 < argc) {
            user = argv[++i];
            password = argv[++i];
        } else {
            fputs("usage: pontes-demo-bizapis [--base-url URL] [--api-key KEY] [--file MAP.pdf]\n"
                  "                           [--base64 | --credentials USER PASSWORD [--month MM --year YYYY]]\n",
                  strcmp(a, "--help") ? stderr : stdout);
            return strcmp(a, "--help") ? 2 : 0;
        }
    }
    char sample[512] = "";
    if (!file && !user) {
        if (write_sample_pdf(sample, sizeof sample) != 0) {
            perror("writing the sample PDF");
            return 1;
        }
        file = sample;
    }

    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = base;
    bizapis_client *c = NULL;
    bizapis_credit_responsibility_response *resp = NULL;
    pontes_file_source *src = NULL;
    int status = 1, rc = bizapis_client_new(&c, &o);
    if (rc != PONTES_OK) {
        fprintf(stderr, "bizapis_client_new: %s\n", pontes_status_name(rc));
        goto out;
    }
    rc = pontes_client_set_bearer(c, "bizapisKey", key);
    if (rc != PONTES_OK) {
        status = report_error(c, "API key", rc);
        goto out;
    }
    printf("bizAPIs credit-responsibility map at %s\n", base);

    if (user) {
        printf("  input: the end user's credentials for the map of %s/%s (secret: never printed or logged)\n",
               month, year);
        bizapis_credentials_request cr = BIZAPIS_CREDENTIALS_REQUEST_INIT;
        cr.month = month;
        cr.has_month = PONTES_SET;
        cr.year = year;
        cr.has_year = PONTES_SET;
        cr.user = user;
        cr.has_user = PONTES_SET;
        cr.password = password;
        cr.has_password = PONTES_SET;
        bizapis_credit_responsibility_request body = {.kind = BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_CREDENTIALS_REQUEST};
        body.u.credentials_request = &cr;
        rc = bizapis_extract_credit_responsibility(c, &body, &resp);
    } else {
        rc = pontes_file_source_path(&src, file);
        if (rc != PONTES_OK) {
            fprintf(stderr, "%s: %s\n", file, pontes_status_name(rc));
            goto out;
        }
        if (base64) {
            printf("  input: %s, sent as Base64 in JSON (encoded from the file while sending)\n", file);
            bizapis_base64_file_request br = BIZAPIS_BASE64_FILE_REQUEST_INIT;
            rc = pontes_bytes_set_source(&br.file, src);
            br.has_file = PONTES_SET;
            bizapis_credit_responsibility_request body = {.kind = BIZAPIS_CREDIT_RESPONSIBILITY_REQUEST_BASE64_FILE_REQUEST};
            body.u.base64_file_request = &br;
            if (rc == PONTES_OK) rc = bizapis_extract_credit_responsibility(c, &body, &resp);
        } else {
            printf("  input: %s, uploaded as multipart/form-data (streamed from the file)\n", file);
            bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
            rc = pontes_file_set_source(&up.file, src);
            up.file.filename = "mapa_responsabilidades.pdf";
            up.file.content_type = "application/pdf";
            up.has_file = PONTES_SET;
            if (rc == PONTES_OK) rc = bizapis_extract_credit_responsibility_multipart(c, &up, &resp);
        }
    }
    if (rc != PONTES_OK) {
        status = report_error(c, "reading the map", rc);
        goto out;
    }
    print_report(resp);
    bizapis_credit_responsibility_response_free(resp);
    printf("\ndone.\n");
    status = 0;
out:
    pontes_file_source_free(src);
    bizapis_client_free(c);
    if (sample[0]) unlink(sample);
    return status;
}
