/* Provider errors: the error model of the API (x-pontes-errors), OAuth 2.0 and RFC 9457
 * fallbacks, request ids from headers; the one-line HTTP error summary. */
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

/* ---- provider errors ---------------------------------------------------- */
/* Largest error body whose provider fields (code, message, field errors) are read. */
#define PONTES_CL_PROVIDER_PARSE_MAX ((size_t)1 << 20)

static const cJSON *json_at(const cJSON *root, const char *path) {
    if (!root || !path || !*path) return NULL;
    const cJSON *cur = root;
    const char *p = path;
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char name[128];
        if (n >= sizeof name) return NULL;
        memcpy(name, p, n);
        name[n] = '\0';
        cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, name) : NULL;
        p = dot ? dot + 1 : p + n;
    }
    return cur;
}

/* Text of a scalar JSON value (strings as-is, others printed); malloc'd or NULL. */
static char *json_text(const cJSON *v) {
    if (!v || cJSON_IsNull(v)) return NULL;
    if (cJSON_IsString(v)) return pontes_cl_strdup(v->valuestring);
    return cJSON_PrintUnformatted(v);
}

static void set_json_str(pontes_error *err, const char **member, const cJSON *v) {
    char *t = json_text(v);
    if (t) {
        pontes_err_set_str(err, member, t, (size_t)-1);
        if (cJSON_IsString(v)) {
            free(t);
        } else {
            cJSON_free(t);
        }
    }
}

static void add_field_error(pontes_error *err, const char *key, const cJSON *msg) {
    char *m = json_text(msg);
    pontes_err_add_field(err, key, m ? m : "");
    if (m) {
        if (cJSON_IsString(msg)) {
            free(m);
        } else {
            cJSON_free(m);
        }
    }
}

static void request_id_from_headers(pontes_error *err, const pontes_error_model *m, const pontes_cl_xfer *x) {
    const char *names[3] = {m ? m->request_id_header : NULL, "X-Request-Id", "X-Correlation-Id"};
    for (size_t i = 0; i < 3 && !err->request_id; i++) {
        size_t len;
        const char *v = names[i] ? pontes_cl_header(x, names[i], &len) : NULL;
        if (v && len) pontes_err_set_str(err, &err->request_id, v, len);
    }
}

void pontes_cl_fill_provider_error(pontes_error *err, const pontes_error_model *m, pontes_cl_xfer *x) {
    pontes_cl_xfer_give_body(x, err); /* no copy: err->body is the receive buffer itself */
    /* Provider error documents are small; a larger body (an HTML page, a whole listing answered
     * with an error status) is kept raw in err->body but not parsed: its cJSON tree would cost
     * several times the body (a 64 MiB JSON body: ~400 MiB). */
    cJSON *doc = x->resp.len && x->resp.len <= PONTES_CL_PROVIDER_PARSE_MAX
                     ? cJSON_ParseWithLength(x->resp.data, x->resp.len) : NULL;
    if (doc && m) {
        /* an error model without its own code/message reads those of x-pontes-status-code */
        const pontes_status_code_desc *sc = m->status_code;
        set_json_str(err, &err->provider_code, json_at(doc, m->code ? m->code : sc ? sc->member : NULL));
        set_json_str(err, &err->provider_message, json_at(doc, m->message ? m->message : sc ? sc->message : NULL));
        set_json_str(err, &err->request_id, json_at(doc, m->request_id));
        if (m->date) {
            const cJSON *dv = json_at(doc, m->date);
            char *t = json_text(dv);
            if (t) {
                pontes_err_set_date(err, t, (size_t)-1);
                if (cJSON_IsString(dv)) {
                    free(t);
                } else {
                    cJSON_free(t);
                }
            }
        }
        const cJSON *fe = json_at(doc, m->field_errors);
        if (cJSON_IsArray(fe)) {
            const cJSON *it;
            cJSON_ArrayForEach(it, fe) {
                if (cJSON_IsObject(it)) {
                    const cJSON *k = m->field_key ? cJSON_GetObjectItemCaseSensitive(it, m->field_key) : NULL;
                    const cJSON *msg = m->field_message ? cJSON_GetObjectItemCaseSensitive(it, m->field_message) : NULL;
                    char *ks = json_text(k);
                    add_field_error(err, ks ? ks : "", msg);
                    if (ks) {
                        if (cJSON_IsString(k)) {
                            free(ks);
                        } else {
                            cJSON_free(ks);
                        }
                    }
                } else if (cJSON_IsString(it)) {
                    add_field_error(err, "", it);
                }
            }
        } else if (cJSON_IsObject(fe)) {
            /* {"field": ["message", ...]} or {"field": "message"} (ASP.NET style) */
            const cJSON *it;
            cJSON_ArrayForEach(it, fe) {
                if (cJSON_IsArray(it)) {
                    const cJSON *msg;
                    cJSON_ArrayForEach(msg, it) add_field_error(err, it->string, msg);
                } else {
                    add_field_error(err, it->string, it);
                }
            }
        }
    }
    if (cJSON_IsObject(doc) && !err->provider_code) {
        /* Bodies outside the API's model (e.g. an OAuth 2.0 token endpoint inside the API):
           RFC 6749 section 5.2 {"error", "error_description"}, then plain {"code", "message"},
           then RFC 9457 problem details. */
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
        if (cJSON_IsString(e)) {
            set_json_str(err, &err->provider_code, e);
            if (!err->provider_message)
                set_json_str(err, &err->provider_message, cJSON_GetObjectItemCaseSensitive(doc, "error_description"));
        } else {
            const cJSON *cd = cJSON_GetObjectItemCaseSensitive(doc, "code");
            if (cJSON_IsString(cd)) set_json_str(err, &err->provider_code, cd);
            if (!err->provider_message)
                set_json_str(err, &err->provider_message, cJSON_GetObjectItemCaseSensitive(doc, "message"));
            /* RFC 9457 problem details: {"type", "title", "status", "detail"} */
            const cJSON *ty = cJSON_GetObjectItemCaseSensitive(doc, "type");
            if (!err->provider_code && cJSON_IsString(ty)) set_json_str(err, &err->provider_code, ty);
            if (!err->provider_message) {
                const cJSON *d = cJSON_GetObjectItemCaseSensitive(doc, "detail");
                set_json_str(err, &err->provider_message,
                             cJSON_IsString(d) ? d : cJSON_GetObjectItemCaseSensitive(doc, "title"));
            }
        }
    }
    cJSON_Delete(doc);
    if (!err->request_id) request_id_from_headers(err, m, x);
}

/* ---- envelopes (x-pontes-envelope) ---------------------------------------- */
void pontes_cl_envelope_deviation(pontes_deviations *d, const char *code_member) {
    if (d->kept < PONTES_DEVIATIONS_KEPT) {
        pontes_deviation *e = &d->first[d->kept++];
        snprintf(e->path, sizeof e->path, "$.%s", code_member);
        snprintf(e->what, sizeof e->what, "missing envelope code member (taken as success)");
    }
    d->count++;
}

int pontes_cl_check_envelope(pontes_error *err, const pontes_error_model *m, const pontes_envelope_desc *env,
                             pontes_cl_xfer *x, bool strict, const char *method, const char *path,
                             const char *op_id, bool *missing) {
    *missing = false;
    if (!env || !env->code || !env->success || !x->resp.len) return PONTES_OK;
    cJSON *doc = cJSON_ParseWithLength(x->resp.data, x->resp.len);
    if (!cJSON_IsObject(doc)) { /* not an envelope at all: the decoder reports it */
        cJSON_Delete(doc);
        return PONTES_OK;
    }
    const cJSON *code = json_at(doc, env->code);
    if (!cJSON_IsString(code) && !cJSON_IsNumber(code)) { /* absent, null, or not a code */
        const char *what = !code ? "is missing" : cJSON_IsNull(code) ? "is null" : "is not a string or a number";
        cJSON_Delete(doc);
        if (!strict) {
            *missing = true;
            return PONTES_OK;
        }
        char jp[160];
        snprintf(jp, sizeof jp, "$.%s", env->code);
        pontes_err_set(err, PONTES_EDECODE, "%s %s: HTTP %ld: the envelope's code member %s %s (strict)", method, path,
                       x->status, env->code, what);
        pontes_err_set_str(err, &err->json_path, jp, (size_t)-1);
        pontes_err_set_str(err, &err->expected, "string", (size_t)-1);
        err->http_status = x->status;
        pontes_cl_xfer_give_body(x, err);
        return PONTES_EDECODE;
    }
    char *ct = json_text(code); /* a number as its text: 5 -> "5" */
    bool ok = ct && strcmp(ct, env->success) == 0;
    if (ok || !ct) {
        if (ct) {
            if (cJSON_IsString(code)) free(ct);
            else cJSON_free(ct);
        }
        cJSON_Delete(doc);
        return ct ? PONTES_OK : pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    pontes_err_set_str(err, &err->provider_code, ct, (size_t)-1);
    if (cJSON_IsString(code)) free(ct);
    else cJSON_free(ct);
    if (env->message) set_json_str(err, &err->provider_message, json_at(doc, env->message));
    cJSON_Delete(doc);
    err->http_status = x->status;
    pontes_cl_xfer_give_body(x, err);
    request_id_from_headers(err, m, x);
    char cbuf[128], mbuf[320];
    pontes_cl_one_line(cbuf, sizeof cbuf, err->provider_code);
    pontes_cl_one_line(mbuf, sizeof mbuf, err->provider_message);
    return pontes_err_set(err, PONTES_EPROVIDER, "%s %s%s%s%s: HTTP %ld but the provider reports a failure: %s \"%s\"%s%s",
                          method, path, op_id ? " (" : "", op_id ? op_id : "", op_id ? ")" : "", x->status, env->code,
                          cbuf, mbuf[0] ? ": " : "", mbuf);
}


void pontes_cl_http_error_message(pontes_error *err, int status, const char *method, const char *what) {
    char code[128], msg[320];
    pontes_cl_one_line(code, sizeof code, err->provider_code);
    pontes_cl_one_line(msg, sizeof msg, err->provider_message);
    pontes_err_set(err, status, "%s %s: HTTP %ld%s%s%s%s", method, what, err->http_status, code[0] ? " " : "",
                   code, msg[0] ? ": " : "", msg);
}
