/* TLS end to end: verification is always on, a custom CA file, and mutual TLS with a
 * client certificate (plain and password-protected key) — the PSD2 setup. The test makes
 * its own CA, server and client certificates with the openssl command and runs the mock
 * server over HTTPS, requiring a client certificate signed by that CA. */
#define _POSIX_C_SOURCE 200809L
#include "e2e_support.h"

#include <pontes/eccor.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static e2e_server g_srv;
static char g_dir[256];
static char g_ca[300], g_server_cert[300], g_server_key[300], g_client_cert[300], g_client_key[300],
    g_client_key_enc[300], g_other_ca[300];
static const char *g_extra[8];
static int g_ready;

static int sh(const char *cmd) {
    char full[2048];
    snprintf(full, sizeof full, "cd '%s' && (%s) >/dev/null 2>&1", g_dir, cmd);
    return system(full);
}

static int group_setup(void **state) {
    (void)state;
    if (getenv("PONTES_TEST_BASE_URL") && *getenv("PONTES_TEST_BASE_URL")) return 0; /* mock only */
    if (system("command -v openssl >/dev/null 2>&1") != 0) return 0;                   /* skipped */
    snprintf(g_dir, sizeof g_dir, "%s/pontes-tls-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir)) return -1;
    const char *ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "openssl req -x509 %s -keyout ca.key -out ca.pem -days 2 -subj '/CN=pontes test CA'", ec);
    if (sh(cmd)) return -1;
    snprintf(cmd, sizeof cmd, "openssl req -x509 %s -keyout other.key -out other.pem -days 2 -subj '/CN=other CA'", ec);
    if (sh(cmd)) return -1;
    snprintf(cmd, sizeof cmd,
             "openssl req %s -keyout server.key -out server.csr -subj '/CN=127.0.0.1' && "
             "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
             "-extfile server.ext",
             ec);
    if (sh(cmd)) return -1;
    snprintf(cmd, sizeof cmd,
             "openssl req %s -keyout client.key -out client.csr -subj '/CN=pontes client' && "
             "printf 'extendedKeyUsage=clientAuth\\n' > client.ext && "
             "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 "
             "-extfile client.ext && "
             "openssl pkey -in client.key -aes256 -passout pass:s3cret -out client-enc.key",
             ec);
    if (sh(cmd)) return -1;
    snprintf(g_ca, sizeof g_ca, "%s/ca.pem", g_dir);
    snprintf(g_other_ca, sizeof g_other_ca, "%s/other.pem", g_dir);
    snprintf(g_server_cert, sizeof g_server_cert, "%s/server.pem", g_dir);
    snprintf(g_server_key, sizeof g_server_key, "%s/server.key", g_dir);
    snprintf(g_client_cert, sizeof g_client_cert, "%s/client.pem", g_dir);
    snprintf(g_client_key, sizeof g_client_key, "%s/client.key", g_dir);
    snprintf(g_client_key_enc, sizeof g_client_key_enc, "%s/client-enc.key", g_dir);
    const char *extra[] = {"--tls-cert", g_server_cert, "--tls-key", g_server_key, "--tls-client-ca", g_ca, NULL};
    memcpy(g_extra, extra, sizeof extra);
    g_srv.extra_args = g_extra;
    g_srv.https = true;
    const char *specs[] = {E2E_ECCOR_SPEC, NULL};
    if (e2e_server_start(&g_srv, specs, 3600, false) != 0) return -1;
    g_ready = 1;
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    e2e_server_stop(&g_srv);
    if (g_dir[0]) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
        if (system(cmd) != 0) return -1;
    }
    return 0;
}

#define REQUIRE_TLS_MOCK()                                                                         \
    do {                                                                                           \
        if (!g_ready) {                                                                            \
            print_message("skipped: needs the openssl command and the local mock (not an external server)\n"); \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* A client for the HTTPS mock; ca/cert/key may be NULL. OAuth2 through the same server. */
static eccor_client *tls_client(const char *ca, const char *cert, const char *key, const char *pass) {
    pontes_client_options o = PONTES_CLIENT_OPTIONS_INIT;
    o.base_url = g_srv.base_url;
    o.ca_file = ca;
    o.client_cert = cert;
    o.client_key = key;
    o.client_key_password = pass;
    o.max_retries = 0;
    o.timeout_ms = 20000;
    eccor_client *c = NULL;
    assert_int_equal(eccor_client_new(&c, &o), PONTES_OK);
    pontes_oauth2_options a = PONTES_OAUTH2_OPTIONS_INIT;
    a.token_url = g_srv.token_url;
    a.client_id = g_srv.client_id;
    a.client_secret = g_srv.client_secret;
    a.scope = "credit/admin";
    assert_int_equal(pontes_client_set_oauth2_client_credentials(c, "uy3Auth", &a), PONTES_OK);
    return c;
}

static void test_mutual_tls(void **state) {
    (void)state;
    REQUIRE_TLS_MOCK();
    assert_int_equal(strncmp(g_srv.base_url, "https://", 8), 0);
    eccor_client *c = tls_client(g_ca, g_client_cert, g_client_key, NULL);
    eccor_product_page *pp = NULL;
    int rc = eccor_list_products(c, &pp);
    if (rc != PONTES_OK) fail_msg("list products over mTLS: %s", eccor_client_last_error(c)->message);
    assert_true(pp->data.count >= 1);
    eccor_product_page_free(pp);
    eccor_client_free(c);
}

static void test_mutual_tls_encrypted_key(void **state) {
    (void)state;
    REQUIRE_TLS_MOCK();
    eccor_client *c = tls_client(g_ca, g_client_cert, g_client_key_enc, "s3cret");
    eccor_product_page *pp = NULL;
    int rc = eccor_list_products(c, &pp);
    if (rc != PONTES_OK) fail_msg("list products with an encrypted key: %s", eccor_client_last_error(c)->message);
    eccor_product_page_free(pp);
    eccor_client_free(c);

    /* wrong password: the key cannot be loaded, nothing is sent in clear */
    c = tls_client(g_ca, g_client_cert, g_client_key_enc, "wrong");
    pp = NULL;
    rc = eccor_list_products(c, &pp);
    assert_true(rc == PONTES_ETRANSPORT || rc == PONTES_EAUTH);
    assert_null(pp);
    assert_int_not_equal(eccor_client_last_error(c)->curl_code, 0);
    eccor_client_free(c);
}

static void test_server_not_trusted(void **state) {
    (void)state;
    REQUIRE_TLS_MOCK();
    /* no CA file: the system store does not know the test CA, and verification cannot be turned off */
    eccor_client *c = tls_client(NULL, g_client_cert, g_client_key, NULL);
    eccor_product_page *pp = NULL;
    int rc = eccor_list_products(c, &pp);
    assert_true(rc == PONTES_ETRANSPORT || rc == PONTES_EAUTH); /* the token request fails first */
    assert_null(pp);
    const pontes_error *e = eccor_client_last_error(c);
    /* CURLE_PEER_FAILED_VERIFICATION (60), or CURLE_SSL_CACERT_BADFILE (77) on a machine
       without a system CA store: either way nothing is sent to an unverified server */
    if (e->curl_code != 60 && e->curl_code != 77) fail_msg("curl_code %d: %s", e->curl_code, e->curl_message);
    assert_non_null(e->curl_message);
    eccor_client_free(c);
    /* a CA file of another CA: still refused */
    c = tls_client(g_other_ca, g_client_cert, g_client_key, NULL);
    rc = eccor_list_products(c, &pp);
    assert_int_not_equal(rc, PONTES_OK);
    assert_int_equal(eccor_client_last_error(c)->curl_code, 60);
    eccor_client_free(c);
}

static void test_client_certificate_required(void **state) {
    (void)state;
    REQUIRE_TLS_MOCK();
    eccor_client *c = tls_client(g_ca, NULL, NULL, NULL);
    eccor_product_page *pp = NULL;
    int rc = eccor_list_products(c, &pp);
    assert_true(rc == PONTES_ETRANSPORT || rc == PONTES_EAUTH);
    assert_null(pp);
    assert_int_not_equal(eccor_client_last_error(c)->curl_code, 0);
    eccor_client_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutual_tls),
        cmocka_unit_test(test_mutual_tls_encrypted_key),
        cmocka_unit_test(test_server_not_trusted),
        cmocka_unit_test(test_client_certificate_required),
    };
    return cmocka_run_group_tests_name("e2e_tls", tests, group_setup, group_teardown);
}
