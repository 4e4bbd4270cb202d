/*
 * pontes-demo-bestbank — walks Banco Best's open-banking flow with the generated client:
 *
 *   consent (Initiate -> the user logs in -> redirect -> Token) -> balances of every account
 *   and card -> the movements of the first account -> a transfer between two accounts
 *   (InitiatePayment -> the user confirms -> redirect -> CheckOperationByID) -> balances again.
 *
 * usage: pontes-demo-bestbank [--base-url URL] [--consumer-key K] [--secret-key S] [--sign]
 *                             [--certificate VALUE | --certificate-file PEM|DER]
 *                             [--redirect-uri URI]
 * Defaults: PONTES_BESTBANK_BASE_URL, PONTES_BESTBANK_CONSUMER_KEY, PONTES_BESTBANK_SECRET_KEY,
 * PONTES_BESTBANK_CERTIFICATE, then the mock server's demo values (tools/mock/mock_server.py).
 *
 * The user's part (log in at LoginUrl, confirm the payment) happens in a browser in real life.
 * Here the demo plays the browser: it opens LoginUrl with libcurl without following the
 * redirect and hands the Location it receives to the flow helper, exactly as an application's
 * redirect endpoint would receive it. That only works against the mock (whose login page logs
 * a sandbox user in at once); against the bank, pass --redirect-url-from-stdin and paste it.
 *
 * Amounts are exact decimals (pontes_decimal) from start to end and shown in euros in the
 * Portuguese way (12 345,6789 €: no digit dropped, at least two decimals); dates are
 * shown as dd/mm/aaaa hh:mm (UTC).
 */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pontes/bestbank.h>

#include "demo_format.h"

#define DEFAULT_BASE_URL "http://127.0.0.1:8080"
#define DEFAULT_CONSUMER_KEY "pontes-demo-consumer-key"
#define DEFAULT_CERTIFICATE "9dFpJUCnQcwe80aAOHx7YWYlqisICXNnVSKiaiA9vGO8YnzlZoJcUVPJ/rZ68X8FD=="
#define DEFAULT_REDIRECT "http://127.0.0.1/pontes-demo/return"

/* ---- formatting ---------------------------------------------------------- */
/* Epoch seconds in a string ("1598349684") -> "25/08/2020 09:21" (UTC); other text as is. */
static const char *fmt_epoch(const char *s, char *buf, size_t size) {
    time_t t;
    struct tm tm;
    if (!s) return "-";
    if (pontes_epoch_to_time(s, &t) != PONTES_OK || !gmtime_r(&t, &tm)) return s;
    strftime(buf, size, "%d/%m/%Y %H:%M", &tm);
    return buf;
}

static const char *fmt_time(int64_t epoch, char *buf, size_t size) {
    time_t t = (time_t)epoch;
    struct tm tm;
    if (epoch <= 0 || !gmtime_r(&t, &tm)) return "(unknown)";
    strftime(buf, size, "%d/%m/%Y %H:%M UTC", &tm);
    return buf;
}

/* ---- errors -------------------------------------------------------------- */

static int report(bestbank_client *c, const char *what, int rc) {
    const pontes_error *e = bestbank_client_last_error(c);
    fprintf(stderr, "\n%s failed: %s: %s\n", what, pontes_status_name(rc),
            e && e->message ? e->message : "(no message)");
    if (e && e->http_status) fprintf(stderr, "  HTTP status: %ld\n", e->http_status);
    if (e && e->provider_code) fprintf(stderr, "  bank's code: %s\n", e->provider_code);
    if (e && e->provider_message && (!e->provider_code || strcmp(e->provider_message, e->provider_code) != 0))
        fprintf(stderr, "  bank's message: %s\n", e->provider_message);
    if (e && pontes_error_provider_date(e)) fprintf(stderr, "  error date: %s\n", pontes_error_provider_date(e));
    if (e && e->request_id) fprintf(stderr, "  ErrorID (quote it to the bank): %s\n", e->request_id);
    return 1;
}

/* ---- the user's browser ------------------------------------------------- */

static size_t discard(char *p, size_t s, size_t n, void *u) {
    (void)p;
    (void)u;
    return s * n;
}

/* GET login_url without following the redirect; *location: the redirect (malloc'd). */
static int browser_login(const char *login_url, bool from_stdin, char **location) {
    *location = NULL;
    if (from_stdin) {
        printf("  Open this page, log in, and paste the address you were sent to:\n  %s\n  > ", login_url);
        fflush(stdout);
        char line[4096];
        if (!fgets(line, sizeof line, stdin)) return -1;
        line[strcspn(line, "\r\n")] = '\0';
        *location = strdup(line);
        return *location ? 0 : -1;
    }
    CURL *h = curl_easy_init();
    if (!h) return -1;
    curl_easy_setopt(h, CURLOPT_URL, login_url);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    CURLcode cc = curl_easy_perform(h);
    char *loc = NULL;
    long status = 0;
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
    }
    if (loc) *location = strdup(loc);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK) {
        fprintf(stderr, "  the login page did not answer: %s\n", curl_easy_strerror(cc));
        return -1;
    }
    if (!*location) {
        fprintf(stderr, "  the login page answered HTTP %ld without a redirect\n", status);
        return -1;
    }
    return 0;
}

/* ---- steps --------------------------------------------------------------- */

static int show_balances(bestbank_client *c, char *first_account, size_t cap) {
    bestbank_balance_list *bl = NULL;
    int rc = bestbank_balance(c, "Account", &bl);
    if (rc != PONTES_OK) return report(c, "Balance (accounts)", rc);
    bestbank_balance_list *cl = NULL;
    rc = bestbank_balance(c, "CreditCard", &cl);
    if (rc != PONTES_OK) {
        bestbank_balance_list_free(bl);
        return report(c, "Balance (cards)", rc);
    }
    printf("  %-16s %-10s %18s %18s %18s\n", "ID", "type", "balance", "available", "booked");
    const bestbank_balance_list *lists[2] = {bl, cl};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->value.count; i++) {
            const bestbank_balance_item *b = lists[l]->value.items[i];
            char x[128], y[128], z[128];
            printf("  %-16s %-10s %20s %20s %20s\n", b->id ? b->id : "-",
                   b->account_type.value == BESTBANK_PRODUCT_TYPE_CREDIT_CARD ? "card" : "account",
                   demo_fmt_eur(&b->balance, x, sizeof x), demo_fmt_eur(&b->balance_available, y, sizeof y),
                   demo_fmt_eur(&b->balance_booked, z, sizeof z));
            if (first_account && !first_account[0] && l == 0 && b->id) snprintf(first_account, cap, "%s", b->id);
        }
    }
    bestbank_balance_list_free(bl);
    bestbank_balance_list_free(cl);
    return 0;
}

static int show_movements(bestbank_client *c, const char *account) {
    bestbank_transaction_list *tl = NULL;
    int rc = bestbank_transactions(c, "Account", account, &tl);
    if (rc != PONTES_OK) return report(c, "Transactions", rc);
    printf("  %-16s %-8s %-28s %16s %18s\n", "date (UTC)", "type", "description", "amount", "balance after");
    for (size_t i = 0; i < tl->value.count; i++) {
        const bestbank_transaction_item *t = tl->value.items[i];
        char d[32], a[128], b[128];
        printf("  %-16s %-8s %-28.28s %18s %20s\n", fmt_epoch(t->date, d, sizeof d),
               t->type.value == BESTBANK_TRANSACTION_ITEM_TYPE_DEBIT ? "debit" : "credit",
               t->description ? t->description : "", demo_fmt_eur(&t->amount, a, sizeof a),
               demo_fmt_eur(&t->balance, b, sizeof b));
    }
    printf("  (%zu movements)\n", tl->value.count);
    bestbank_transaction_list_free(tl);
    return 0;
}

static int make_transfer(bestbank_client *c, const char *redirect_uri, bool from_stdin) {
    /* 12.34 EUR from the current account to the savings account, built field by field. */
    bestbank_inside_transfer_creditor_account_type kind = BESTBANK_INSIDE_TRANSFER_CREDITOR_ACCOUNT_TYPE_INIT;
    kind.inside = true;
    kind.has_inside = PONTES_SET;
    bestbank_inside_transfer_creditor_account acct = BESTBANK_INSIDE_TRANSFER_CREDITOR_ACCOUNT_INIT;
    acct.iban = "006500010000000620162";
    acct.has_iban = PONTES_SET;
    if (pontes_decimal_parse("12.34", 5, &acct.amount) != PONTES_OK) return 1;
    acct.has_amount = PONTES_SET;
    acct.type = &kind;
    acct.has_type = PONTES_SET;
    bestbank_inside_transfer_creditor cred = BESTBANK_INSIDE_TRANSFER_CREDITOR_INIT;
    cred.account = &acct;
    cred.has_account = PONTES_SET;
    cred.name = "Conta Poupan\xc3\xa7" "a";
    cred.has_name = PONTES_SET;
    cred.description = "Poupan\xc3\xa7" "a de dezembro";
    cred.has_description = PONTES_SET;
    bestbank_debtor debtor = BESTBANK_DEBTOR_INIT;
    debtor.iban = "006500010000000620154"; /* without PT50, as the bank asks */
    debtor.has_iban = PONTES_SET;
    bestbank_inside_transfer tr = BESTBANK_INSIDE_TRANSFER_INIT;
    tr.pispid = "1234567890-1234";
    tr.has_pispid = PONTES_SET;
    tr.environment.value = BESTBANK_ENVIRONMENT_WEB;
    tr.has_environment = PONTES_SET;
    tr.creditor = &cred;
    tr.has_creditor = PONTES_SET;
    tr.debtor = &debtor;
    tr.has_debtor = PONTES_SET;
    bestbank_payment_initiation body = {.kind = BESTBANK_PAYMENT_INITIATION_INSIDE_TRANSFER};
    body.u.inside_transfer = &tr;

    char amount[128];
    printf("  transfer %s from %s to %s (%s)\n", demo_fmt_eur(&acct.amount, amount, sizeof amount), debtor.iban, acct.iban,
           cred.description);
    pontes_flow_start *start = NULL;
    int rc = bestbank_payment_start(c, redirect_uri, &body, &start);
    if (rc != PONTES_OK) return report(c, "InitiatePayment", rc);
    printf("  confirmation page: %.70s...\n", start->login_url);
    char *location = NULL;
    int brc = browser_login(start->login_url, from_stdin, &location);
    pontes_flow_start_free(start);
    if (brc != 0) return 1;
    printf("  the bank redirected to: %s\n", location);
    bestbank_payment_result *res = NULL;
    rc = bestbank_payment_finish(c, location, &res);
    free(location);
    if (rc != PONTES_OK) return report(c, "CheckOperationByID (payment)", rc);
    const bestbank_operation_info *op = res->operation ? res->operation->output_data : NULL;
    char a[128];
    printf("  operation %s: status %s, amount %s, to %s\n", res->operation_id,
           op && op->status ? op->status : "?", op && op->has_amount == PONTES_SET ? demo_fmt_eur(&op->amount, a, sizeof a) : "-",
           op && op->destination ? op->destination : "-");
    bestbank_payment_result_free(res);
    return 0;
}

/* ---- main ---------------------------------------------------------------- */

static const char *env_or(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static void usage(FILE *f) {
    fputs("usage: pontes-demo-bestbank [--base-url URL] [--consumer-key K] [--secret-key S] [--sign]\n"
          "                            [--certificate VALUE | --certificate-file PEM|DER]\n"
          "                            [--redirect-uri URI] [--redirect-url-from-stdin]\n",
          f);
}

int main(int argc, char **argv) {
    const char *base = env_or("PONTES_BESTBANK_BASE_URL", DEFAULT_BASE_URL);
    const char *key = env_or("PONTES_BESTBANK_CONSUMER_KEY", DEFAULT_CONSUMER_KEY);
    const char *secret = env_or("PONTES_BESTBANK_SECRET_KEY", NULL);
    const char *cert = env_or("PONTES_BESTBANK_CERTIFICATE", DEFAULT_CERTIFICATE);
    const char *cert_file = NULL, *redirect = DEFAULT_REDIRECT;
    bool sign = false, from_stdin = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (!strcmp(a, "--base-url")) dst = &base;
        else if (!strcmp(a, "--consumer-key")) dst = &key;
        else if (!strcmp(a, "--secret-key")) dst = &secret;
        else if (!strcmp(a, "--certificate")) dst = &cert;
        else if (!strcmp(a, "--certificate-file")) dst = &cert_file;
        else if (!strcmp(a, "--redirect-uri")) dst = &redirect;
        else if (!strcmp(a, "--sign")) { sign = true; continue; }
        else if (!strcmp(a, "--redirect-url-from-stdin")) { from_stdin = true; continue; }
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
        if (!dst || i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        *dst = argv[++i];
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = base;
    bestbank_client *c = NULL;
    int rc = bestbank_client_new(&c, &o);
    if (rc != PONTES_OK) {
        fprintf(stderr, "bestbank_client_new: %s\n", pontes_status_name(rc));
        return 1;
    }
    pontes_oauth_params_options op = PONTES_OAUTH_PARAMS_OPTIONS_INIT;
    op.consumer_key = key;
    op.secret_key = secret;
    op.sign = sign ? 1 : -1;
    rc = pontes_client_set_oauth_params(c, "bestbankOAuth", &op);
    if (rc == PONTES_OK)
        rc = cert_file ? pontes_client_set_api_key_from_certificate(c, "certificate", cert_file)
                       : pontes_client_set_api_key(c, "certificate", cert);
    int status = 0;
    if (rc != PONTES_OK) {
        status = report(c, "credentials", rc);
        goto done;
    }
    printf("Banco Best open banking at %s\n", base);

    printf("\n1. Consent: Initiate\n");
    pontes_flow_start *start = NULL;
    rc = bestbank_consent_start(c, redirect, &start);
    if (rc != PONTES_OK) {
        status = report(c, "Initiate", rc);
        goto done;
    }
    printf("  login page: %.70s...\n  state kept for the redirect: %.8s... (%zu characters)\n", start->login_url,
           start->state, strlen(start->state));
    char *location = NULL;
    if (browser_login(start->login_url, from_stdin, &location) != 0) {
        pontes_flow_start_free(start);
        status = 1;
        goto done;
    }
    printf("  the bank redirected to: %.60s...\n", location);
    bestbank_consent_result *cres = NULL;
    rc = bestbank_consent_finish(c, location, start->state, &cres);
    free(location);
    pontes_flow_start_free(start);
    if (rc != PONTES_OK) {
        status = report(c, "consent (redirect + Token)", rc);
        goto done;
    }
    char when[40];
    printf("  consent %s given; access token valid until %s\n", cres->operation_id ? cres->operation_id : "-",
           fmt_time(cres->token_expires_at, when, sizeof when));
    bestbank_consent_result_free(cres);

    printf("\n2. Balances\n");
    char first[64] = "";
    if ((status = show_balances(c, first, sizeof first)) != 0) goto done;
    if (!first[0]) {
        fprintf(stderr, "no account to show movements of\n");
        status = 1;
        goto done;
    }

    printf("\n3. Movements of %s\n", first);
    if ((status = show_movements(c, first)) != 0) goto done;

    printf("\n4. A transfer (InitiatePayment -> confirmation -> CheckOperationByID)\n");
    if ((status = make_transfer(c, redirect, from_stdin)) != 0) goto done;

    printf("\n5. Balances after the transfer\n");
    if ((status = show_balances(c, NULL, 0)) != 0) goto done;
    printf("\ndone.\n");
done:
    bestbank_client_free(c);
    curl_global_cleanup();
    return status;
}
