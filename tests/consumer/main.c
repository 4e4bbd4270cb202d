/* Consumer of an installed pontes: builds against pontes::eccor (CMake) or
 * `pkg-config pontes-eccor`. Creates a client (no network), decodes an ApiError,
 * prints the version macros and frees everything. Exit 0 on success. */
#include <pontes/eccor.h>

#include <stdio.h>
#include <string.h>

static const char api_error_json[] =
    "{\"code\":\"INVALID_FORM\",\"message\":\"Erro de valida\\u00e7\\u00e3o\","
    "\"details\":{\"formErrors\":[{\"key\":\"productId\",\"message\":\"obrigat\\u00f3rio\"}]},"
    "\"correlationId\":\"#0123456789abcdef0123456789abcdef\",\"futureMember\":1}";

int main(void)
{
    printf("pontes %s (header %d, library %s %d), eccor API %s, generator %s\n",
           PONTES_VERSION, PONTES_VERSION_NUMBER, pontes_version(), pontes_version_number(),
           ECCOR_API_VERSION, ECCOR_GENERATOR_VERSION);
    if (pontes_version_number() != PONTES_VERSION_NUMBER) {
        fprintf(stderr, "consumer: header/library version mismatch\n");
        return 1;
    }

    eccor_client *c = NULL;
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = "http://127.0.0.1:9";
    int rc = eccor_client_new(&c, &o);
    if (rc != PONTES_OK || c == NULL) {
        fprintf(stderr, "consumer: eccor_client_new: %s\n", pontes_status_name(rc));
        return 1;
    }

    eccor_api_error *e = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    rc = eccor_api_error_decode(api_error_json, strlen(api_error_json), &e, &err);
    if (rc != PONTES_OK) {
        fprintf(stderr, "consumer: decode: %s: %s\n", pontes_status_name(rc),
                err.message ? err.message : "?");
        pontes_error_clear(&err);
        eccor_client_free(c);
        return 1;
    }
    int ok = e->has_message == PONTES_SET && strcmp(e->message, "Erro de valida\xc3\xa7\xc3\xa3o") == 0 &&
             e->has_code == PONTES_SET && e->code.raw != NULL && strcmp(e->code.raw, "INVALID_FORM") == 0 &&
             e->has_details == PONTES_SET && e->details != NULL &&
             e->details->form_errors.count == 1;
    printf("decoded ApiError: code=%s message=\"%s\" correlationId=%s\n", e->code.raw, e->message,
           e->has_correlation_id == PONTES_SET ? e->correlation_id : "(absent)");

    eccor_api_error_free(e);
    pontes_error_clear(&err);
    eccor_client_free(c);
    if (!ok) {
        fprintf(stderr, "consumer: decoded value does not match the input\n");
        return 1;
    }
    puts("consumer: OK");
    return 0;
}
