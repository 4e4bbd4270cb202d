/*
 * An application built once against the installed eccor.h and then run, unchanged, against a
 * library regenerated from a spec that only adds (tests/abi/run.sh). It builds request values
 * with the _INIT macros, sends them and reads the responses back through the struct layout and
 * enum numbers of the header it was compiled with. Exit 0 when everything round-trips.
 * Usage: abi_app BASE_URL
 */
#include <pontes/eccor.h>

#include <stdio.h>
#include <string.h>

static int fails;
#define CHECK(cond, ...)                                         \
    do {                                                         \
        if (!(cond)) {                                           \
            fprintf(stderr, "abi_app: FAIL %s: ", #cond);        \
            fprintf(stderr, __VA_ARGS__);                        \
            fputc('\n', stderr);                                 \
            fails++;                                             \
        }                                                        \
    } while (0)

static const char *s(const char *v, pontes_presence p) { return p == PONTES_SET && v ? v : "(unset)"; }

static int call_failed(eccor_client *c, const char *what, int rc) {
    const pontes_error *e = eccor_client_last_error(c);
    fprintf(stderr, "abi_app: %s: %s (HTTP %ld): %s\n", what, pontes_status_name(rc), e->http_status, e->message);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: abi_app BASE_URL\n");
        return 2;
    }
    char token_url[512];
    snprintf(token_url, sizeof token_url, "%s/oauth2/token", argv[1]);
    eccor_client *c;
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = argv[1];
    if (eccor_client_new(&c, &o) != PONTES_OK) return 1;
    pontes_oauth2_options oa = PONTES_OAUTH2_OPTIONS_INIT;
    oa.token_url = token_url;
    oa.client_id = "pontes-demo";
    oa.client_secret = "pontes-demo-secret";
    if (pontes_client_set_oauth2_client_credentials(c, "uy3Auth", &oa) != PONTES_OK) return 1;

    eccor_pix_key_input pix = ECCOR_PIX_KEY_INPUT_INIT;
    PONTES_PUT_ENUM(pix, operation_type_value, ECCOR_OPERATION_TYPE_PIX);
    PONTES_PUT(pix, key_pix, "maria.abi@example.com");
    PONTES_PUT_ENUM(pix, pix_key_type_value, ECCOR_BANK_ACCOUNT_PIX_KEY_TYPE_VALUE_EMAIL);
    eccor_bank_account_input acc = {0}; /* a union: no _size (kind numbers are locked) */
    acc.kind = ECCOR_BANK_ACCOUNT_INPUT_PIX_KEY_INPUT;
    acc.u.pix_key_input = &pix;
    eccor_bank_account_input *accs[1] = {&acc};

    eccor_address addr = ECCOR_ADDRESS_INIT;
    PONTES_PUT(addr, city, "Mococa");
    PONTES_PUT_ENUM(addr, uf, ECCOR_UF_SP);
    PONTES_PUT(addr, zip_code, "13737-005");

    eccor_natural_person_input in = ECCOR_NATURAL_PERSON_INPUT_INIT;
    PONTES_PUT(in, registration_number, "52998224725");
    PONTES_PUT(in, name, "Maria ABI");
    PONTES_PUT_ENUM(in, civil_status, ECCOR_CIVIL_STATUS_SINGLE);
    PONTES_PUT(in, email, "maria.abi@example.com");
    PONTES_PUT(in, occupation, "Professora");
    PONTES_PUT(in, address, &addr);
    in.bank_accounts.items = accs;
    in.bank_accounts.count = 1;
    in.has_bank_accounts = PONTES_SET;

    eccor_uuid *id = NULL;
    int rc = eccor_create_natural_person(c, &in, &id);
    if (rc != PONTES_OK) return call_failed(c, "createNaturalPerson", rc);
    CHECK(id->has_value == PONTES_SET && id->value, "no person id");

    eccor_natural_person *p = NULL;
    rc = eccor_get_natural_person(c, id->value, &p);
    if (rc != PONTES_OK) return call_failed(c, "getNaturalPerson", rc);
    CHECK(strcmp(s(p->registration_number, p->has_registration_number), "52998224725") == 0, "cpf %s",
          s(p->registration_number, p->has_registration_number));
    CHECK(strcmp(s(p->name, p->has_name), "Maria ABI") == 0, "name %s", s(p->name, p->has_name));
    CHECK(strcmp(s(p->email, p->has_email), "maria.abi@example.com") == 0, "email %s", s(p->email, p->has_email));
    CHECK(strcmp(s(p->occupation, p->has_occupation), "Professora") == 0, "occupation %s",
          s(p->occupation, p->has_occupation));
    CHECK(p->has_civil_status == PONTES_SET && p->civil_status.value == ECCOR_CIVIL_STATUS_SINGLE,
          "civilStatus %d \"%s\" (want %d)", p->civil_status.value, p->civil_status.raw ? p->civil_status.raw : "",
          ECCOR_CIVIL_STATUS_SINGLE);
    CHECK(p->has_address == PONTES_SET && p->address && p->address->uf.value == ECCOR_UF_SP &&
              strcmp(s(p->address->city, p->address->has_city), "Mococa") == 0,
          "address");
    CHECK(p->bank_accounts.count == 1 && p->bank_accounts.items[0]->operation_type_value.value == ECCOR_OPERATION_TYPE_PIX,
          "bank accounts");

    eccor_list_natural_persons_params lp = ECCOR_LIST_NATURAL_PERSONS_PARAMS_INIT;
    lp.registration_number = "52998224725";
    eccor_natural_person_page *page = NULL;
    rc = eccor_list_natural_persons(c, &lp, &page);
    if (rc != PONTES_OK) return call_failed(c, "listNaturalPersons", rc);
    CHECK(page->data.count >= 1, "listNaturalPersons by CPF found %zu", page->data.count);

    /* an uninitialised struct (= {0}, no _INIT) is refused with a clear error, never read past */
    eccor_natural_person_input bad = {0};
    eccor_uuid *id2 = NULL;
    rc = eccor_create_natural_person(c, &bad, &id2);
    CHECK(rc == PONTES_EINVAL && strstr(eccor_client_last_error(c)->message, "_INIT"), "uninitialised: %s: %s",
          pontes_status_name(rc), eccor_client_last_error(c)->message);

    printf("abi_app: person %s, civilStatus %s (%d), %zu listed: %s\n", id->value, p->civil_status.raw,
           p->civil_status.value, page->data.count, fails ? "FAILED" : "ok");
    eccor_natural_person_page_free(page);
    eccor_natural_person_free(p);
    eccor_uuid_free(id);
    eccor_client_free(c);
    return fails ? 1 : 0;
}
