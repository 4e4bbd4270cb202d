/* The client: creation and options, servers, the last error and deviations.
 * Layering (each file calls only the ones before it):
 *   codec/arena/error -> util -> log_client -> transport -> provider_error -> auth -> client -> request -> batch */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- client ------------------------------------------------------------- */
static int set_server(pontes_client *c, const char *group, const char *base_url);

int pontes_client_set_server(pontes_client *c, const char *group, const char *base_url) {
    if (!c) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = base_url ? pontes_cl_check_url(c, "base URL", base_url) : PONTES_OK;
    if (rc == PONTES_OK) rc = set_server(c, group, base_url);
    return pontes_cl_set_end(c, rc);
}

static int set_server(pontes_client *c, const char *group, const char *base_url) {
    for (size_t i = 0; i < c->nservers; i++) {
        server *s = &c->servers[i];
        if ((!group && !s->group) || (group && s->group && strcmp(group, s->group) == 0)) {
            if (!base_url) { /* remove */
                free(s->group);
                free(s->url);
                c->servers[i] = c->servers[--c->nservers];
                return PONTES_OK;
            }
            char *u = pontes_cl_strdup(base_url);
            if (!u) return PONTES_ENOMEM;
            free(s->url);
            s->url = u;
            return PONTES_OK;
        }
    }
    if (!base_url) return PONTES_OK;
    server *ns = realloc(c->servers, (c->nservers + 1) * sizeof *ns);
    if (!ns) return PONTES_ENOMEM;
    c->servers = ns;
    server *s = &ns[c->nservers];
    s->group = group ? pontes_cl_strdup(group) : NULL;
    s->url = pontes_cl_strdup(base_url);
    if ((group && !s->group) || !s->url) {
        free(s->group);
        free(s->url);
        return PONTES_ENOMEM;
    }
    c->nservers++;
    return PONTES_OK;
}

static const char *find_server(const pontes_client *c, const char *group) {
    for (size_t i = 0; i < c->nservers; i++) {
        const server *s = &c->servers[i];
        if ((!group && !s->group) || (group && s->group && strcmp(group, s->group) == 0)) return s->url;
    }
    return NULL;
}

const char *pontes_cl_base_url(const pontes_client *c, const pontes_operation *op) {
    const char *u = NULL;
    if (op->server_group) u = find_server(c, op->server_group);
    if (!u && op->default_server) u = op->default_server;
    if (!u) u = find_server(c, NULL);
    if (!u) u = c->api->default_base_url;
    return u;
}

/* ---- compression ---------------------------------------------------------- */
/* The Accept-Encoding value of the PONTES_ENCODING_* bits enc (those libcurl can decode in
 * this build; PONTES_EINVAL for unknown bits or one it cannot decode). */
static int set_encodings(pontes_client *c, unsigned enc) {
    if (enc & ~(unsigned)(PONTES_ENCODING_GZIP | PONTES_ENCODING_BR | PONTES_ENCODING_ZSTD)) return PONTES_EINVAL;
    const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
    int feat = vi ? vi->features : 0;
    if (((enc & PONTES_ENCODING_GZIP) && !(feat & CURL_VERSION_LIBZ)) ||
        ((enc & PONTES_ENCODING_BR) && !(feat & CURL_VERSION_BROTLI)) ||
        ((enc & PONTES_ENCODING_ZSTD) && !(feat & CURL_VERSION_ZSTD)))
        return PONTES_EINVAL;
    char v[sizeof c->accept_enc] = "";
    if (enc & PONTES_ENCODING_GZIP) strcat(v, "gzip, deflate");
    if (enc & PONTES_ENCODING_BR) strcat(v, v[0] ? ", br" : "br");
    if (enc & PONTES_ENCODING_ZSTD) strcat(v, v[0] ? ", zstd" : "zstd");
    c->encodings = enc;
    memcpy(c->accept_enc, v, sizeof v);
    /* the client's handle: set now if it is configured already (batch handles are
       configured when a batch runs) */
    if (c->curl && c->handle_ready) curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, v[0] ? c->accept_enc : NULL);
    return PONTES_OK;
}

int pontes_client_set_compression(pontes_client *c, unsigned encodings) {
    if (!c) return PONTES_EINVAL;
    if (pontes_cl_set_begin(c) != PONTES_OK) return PONTES_EBUSY;
    int rc = set_encodings(c, encodings);
    if (rc != PONTES_OK)
        pontes_err_set(&c->err, rc, "compression: unknown PONTES_ENCODING_* bits or an encoding libcurl cannot decode "
                                    "(0x%x)", encodings);
    return pontes_cl_set_end(c, rc);
}

unsigned pontes_client_compression(const pontes_client *c) { return c ? c->encodings : 0; }

int pontes_client_new(pontes_client **out, const pontes_api *api, const pontes_client_options *opts) {
    if (!out) return PONTES_EINVAL;
    *out = NULL;
    if (!api) return PONTES_EINVAL;
    pontes_client_options d = PONTES_CLIENT_OPTIONS_INIT;
    if (opts) {
        /* Never read past what the caller's struct version has: a version-1 caller
           allocated the members up to log_level only. */
        if (opts->version == 1)
            memcpy(&d, opts, offsetof(pontes_client_options, strict_response_validation));
        else if (opts->version == PONTES_CLIENT_OPTIONS_VERSION)
            d = *opts;
        else
            return PONTES_EINVAL;
        d.version = PONTES_CLIENT_OPTIONS_VERSION;
    }
    if (d.attempt_timeout_ms < 0) d.attempt_timeout_ms = 0;
    if (d.connect_timeout_ms <= 0) d.connect_timeout_ms = 10000;
    if (d.timeout_ms <= 0) d.timeout_ms = 60000;
    if (d.max_response_bytes == 0) d.max_response_bytes = 64u * 1024u * 1024u;
    if (d.retry_base_ms < 0) d.retry_base_ms = 200;
    if (d.retry_max_ms < 0) d.retry_max_ms = 30000;
    if ((int)d.log_level < PONTES_LOG_DEBUG || (int)d.log_level > PONTES_LOG_ERROR) d.log_level = PONTES_LOG_INFO;
    /* The user agent becomes a header line, the base URL the start of every URL. */
    if (d.user_agent && pontes_cl_bad_header_byte(d.user_agent) >= 0) return PONTES_EINVAL;
    if (d.base_url)
        for (const unsigned char *p = (const unsigned char *)d.base_url; *p; p++)
            if (*p <= 0x20 || *p >= 0x7F) return PONTES_EINVAL;
    if (pontes_global_init() != PONTES_OK) return PONTES_ETRANSPORT;

    pontes_client *c = calloc(1, sizeof *c);
    if (!c) return PONTES_ENOMEM;
    atomic_init(&c->busy, 0);
    c->api = api;
    c->o = d;
    c->o.base_url = NULL;
    c->o.ca_file = pontes_cl_strdup(d.ca_file);
    c->o.client_cert = pontes_cl_strdup(d.client_cert);
    c->o.client_key = pontes_cl_strdup(d.client_key);
    c->o.client_key_password = pontes_cl_strdup(d.client_key_password);
    c->o.user_agent = pontes_cl_strdup(d.user_agent ? d.user_agent : "pontes/" PONTES_VERSION);
    c->curl = curl_easy_init();
    (void)set_encodings(c, PONTES_ENCODING_DEFAULT);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)c;
    if (!c->rng) c->rng = 0x9E3779B97F4A7C15ULL;
    if ((d.ca_file && !c->o.ca_file) || (d.client_cert && !c->o.client_cert) ||
        (d.client_key && !c->o.client_key) || (d.client_key_password && !c->o.client_key_password) ||
        !c->o.user_agent || !c->curl || (d.base_url && set_server(c, NULL, d.base_url) != PONTES_OK)) {
        int st = c->curl ? PONTES_ENOMEM : PONTES_ETRANSPORT;
        pontes_client_free(c);
        return st;
    }
    *out = c;
    return PONTES_OK;
}

void pontes_client_free(pontes_client *c) {
    if (!c) return;
    if (c->curl) curl_easy_cleanup(c->curl);
    pontes_cl_handle_state_free(c);
    pontes_cl_call_spares_free(c);
    for (size_t i = 0; i < c->nservers; i++) {
        free(c->servers[i].group);
        free(c->servers[i].url);
    }
    free(c->servers);
    for (size_t i = 0; i < c->ncreds; i++) pontes_cl_cred_clear(&c->creds[i]);
    free(c->creds);
    free((char *)(uintptr_t)c->o.ca_file);
    free((char *)(uintptr_t)c->o.client_cert);
    free((char *)(uintptr_t)c->o.client_key);
    pontes_cl_secret_free((char *)(uintptr_t)c->o.client_key_password);
    free((char *)(uintptr_t)c->o.user_agent);
    pontes_error_clear(&c->err);
    free(c);
}

const pontes_error *pontes_client_last_error(const pontes_client *c) { return c ? &c->err : NULL; }

const pontes_deviations *pontes_client_last_deviations(const pontes_client *c) { return c ? &c->dev : NULL; }
