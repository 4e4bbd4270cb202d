/* Consumer of an installed pontes, for the two other APIs: builds against pontes::bestbank and
 * pontes::bizapis (CMake) or `pkg-config pontes-bestbank pontes-bizapis`. Creates a client of
 * each (no network), decodes an exact-money Balance item and a bizAPIs summary, and checks the
 * values, including that 995.0000 keeps its four decimals. Exit 0 on success. */
#include <pontes/bestbank.h>
#include <pontes/bizapis.h>

#include <stdio.h>
#include <string.h>

static const char balance_json[] =
    "{\"ID\":\"0-MDAwMDAxMDI2\",\"Balance\":995.0000,\"BalanceAvailable\":-1000.0000,"
    "\"BalanceBooked\":0.0001,\"Currency\":\"EUR\",\"AccountType\":\"Account\"}";
static const char summary_json[] = "{\"nif\":\"123456789\",\"name\":\"Maria\"}";

static int fail(const char *what, int rc, const pontes_error *err) {
    fprintf(stderr, "consumer: %s: %s: %s\n", what, pontes_status_name(rc),
            err && err->message ? err->message : "?");
    return 1;
}

int main(void)
{
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = "http://127.0.0.1:9";
    bestbank_client *bb = NULL;
    bizapis_client *bz = NULL;
    int rc = bestbank_client_new(&bb, &o);
    if (rc != PONTES_OK) return fail("bestbank_client_new", rc, NULL);
    rc = bizapis_client_new(&bz, &o);
    if (rc != PONTES_OK) return fail("bizapis_client_new", rc, NULL);

    pontes_error err = PONTES_ERROR_INIT;
    bestbank_balance_item *b = NULL;
    rc = bestbank_balance_item_decode(balance_json, strlen(balance_json), &b, &err);
    if (rc != PONTES_OK) return fail("bestbank_balance_item_decode", rc, &err);
    char t1[64], t2[64], t3[64];
    int ok = pontes_decimal_to_text(&b->balance, t1, sizeof t1) == PONTES_OK &&
             pontes_decimal_to_text(&b->balance_available, t2, sizeof t2) == PONTES_OK &&
             pontes_decimal_to_text(&b->balance_booked, t3, sizeof t3) == PONTES_OK &&
             strcmp(t1, "995.0000") == 0 && strcmp(t2, "-1000.0000") == 0 && strcmp(t3, "0.0001") == 0 &&
             b->has_currency == PONTES_SET && strcmp(b->currency, "EUR") == 0;
    printf("bestbank %s: Balance %s, available %s, booked %s\n", BESTBANK_API_VERSION, t1, t2, t3);
    bestbank_balance_item_free(b);

    bizapis_summary *s = NULL;
    rc = bizapis_summary_decode(summary_json, strlen(summary_json), &s, &err);
    if (rc != PONTES_OK) return fail("bizapis_summary_decode", rc, &err);
    ok = ok && s->has_nif == PONTES_SET && strcmp(s->nif, "123456789") == 0 && s->has_name == PONTES_SET &&
         s->has_credit_responsibility_joint == PONTES_ABSENT;
    printf("bizapis %s: summary of %s (%s)\n", BIZAPIS_API_VERSION, s->name, s->nif);
    bizapis_summary_free(s);

    pontes_error_clear(&err);
    bestbank_client_free(bb);
    bizapis_client_free(bz);
    if (!ok) {
        fprintf(stderr, "consumer: decoded values do not match the input\n");
        return 1;
    }
    puts("consumer (bestbank, bizapis): OK");
    return 0;
}
