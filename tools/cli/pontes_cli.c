/*
 * pontes — command-line tool for the generated pontes API clients.
 *
 *   pontes ops <api>                      list the operations of an API
 *   pontes schemas <api> [<Schema>]       list its schema names, or one schema's members
 *   pontes call <api> <operationId> ...   call an operation, print the JSON response
 *   pontes roundtrip <api> <Schema> [--strict] [--pretty]  decode stdin as Schema, re-encode
 *   pontes coverage <api> [--json]        provenance report: what the provider documents
 *   pontes --version | help [<command>] | <command> --help
 *
 * The APIs are every generated/<api>/ of the build: cli_apis.h is written at configure
 * time by tools/CMakeLists.txt (PONTES_CLI_APIS(X), one X(prefix) per API).
 *
 * The tool is a program: unlike the library it prints (results on stdout,
 * diagnostics on stderr). Exit codes: 0 success, 1 failure, 2 usage error.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <pontes/pontes.h>
#include <cjson/cJSON.h>
#include "cli_apis.h" /* the API headers and PONTES_CLI_APIS(X), from the build */

#ifndef PONTES_CLI_MOCK_SCRIPT
#define PONTES_CLI_MOCK_SCRIPT "tools/mock/mock_server.py"
#endif
#ifndef PONTES_CLI_MOCK_PYTHON
#define PONTES_CLI_MOCK_PYTHON "python3"
#endif
#ifndef PONTES_CLI_GENERATED_DIR
#define PONTES_CLI_GENERATED_DIR "generated"
#endif

typedef struct cli_api {
    const char *name;
    const pontes_api *api;
    /* schema registry access (each API has its own {prefix}_schema_entry type) */
    void (*schema_at)(size_t i, const char **name, const pontes_type **type);
    const size_t *schema_count;
    const pontes_operation_entry *ops;
    const size_t *op_count;
    const pontes_coverage *(*coverage)(void); /* provenance report (x-pontes-provenance) */
} cli_api;

#define CLI_SCHEMA_ACCESSOR(p)                                                        \
    static void p##_cli_schema_at(size_t i, const char **name, const pontes_type **type) { \
        *name = p##_schemas[i].name;                                                  \
        *type = p##_schemas[i].type;                                                  \
    }
PONTES_CLI_APIS(CLI_SCHEMA_ACCESSOR)

#define CLI_API_ENTRY(p) \
    {#p, &p##_api, p##_cli_schema_at, &p##_schema_count, p##_operations, &p##_operation_count, p##_coverage},
static const cli_api cli_apis[] = {PONTES_CLI_APIS(CLI_API_ENTRY)};
#define CLI_API_COUNT (sizeof cli_apis / sizeof cli_apis[0])

/* ---- the bundled mock server's default credentials (--mock) ------------- */
#define MOCK_CLIENT_ID "pontes-demo"
#define MOCK_CLIENT_SECRET "pontes-demo-secret"
/* ... and of its Best Bank module (tools/mock/README.md) */
#define MOCK_CONSUMER_KEY "pontes-demo-consumer-key"
#define MOCK_CERTIFICATE "9dFpJUCnQcwe80aAOHx7YWYlqisICXNnVSKiaiA9vGO8YnzlZoJcUVPJ/rZ68X8FD=="
/* ... and the session logins of its BCTT module (tools/mock/pontes_mock/apis/bctt.py), by role */
static const struct {
    const char *role, *value;
} mock_session_defaults[] = {
    {"client_id", "pontes-demo-client"},
    {"client_secret", "pontes-demo-secret"},
    {"broker_id", "12345"},
    {"username", "user@example.com"},
};

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static void errf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("pontes: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static const char USAGE_OPS[] =
    "usage: pontes ops <api>\n"
    "\n"
    "List the operations of an API: operationId, method, path and summary, then the\n"
    "parameters (name, where it goes, array, required) and the request body type.\n";

static const char USAGE_SCHEMAS[] =
    "usage: pontes schemas <api> [<Schema>]\n"
    "\n"
    "Without <Schema>: the names of the API's schemas. With <Schema>: its members, one a\n"
    "line (JSON name, type, required / nullable / read-only / write-only), the values of\n"
    "enums and the variants of unions. Schema names are matched as written in the spec,\n"
    "then case-insensitively.\n";

static const char USAGE_ROUNDTRIP[] =
    "usage: pontes roundtrip <api> <Schema> [--strict] [--pretty]  < document.json\n"
    "\n"
    "Decode JSON from stdin as <Schema> and print it re-encoded. Deviations from the schema\n"
    "(unknown members or enum values, missing required members, unexpected nulls, invalid\n"
    "formats) are warnings on stderr; exit 1 with the JSON path on invalid input.\n"
    "  --strict    every deviation is an error (exit 1)\n"
    "  --pretty    indented JSON output\n";

static const char USAGE_CALL[] =
    "usage: pontes call <api> <operationId> [name=value ...] [options]\n"
    "\n"
    "Call an operation and print the response as JSON (errors: the provider's code,\n"
    "message, field errors and request id on stderr, exit 1).\n"
    "  name=value           a parameter of the operation (arrays: a,b,c or repeat name=)\n"
    "  --body FILE|-        JSON request body from FILE or stdin\n"
    "  member=value         instead of --body: a top-level member of the request body (a JSON\n"
    "                       body, a form or a multipart body); strings as written, numbers,\n"
    "                       booleans, objects and arrays as JSON text. For a file member\n"
    "                       (format: binary) or a base64 member (format: byte):\n"
    "  member=@PATH         the file at PATH, streamed while the request is sent (never\n"
    "                       loaded: a multipart part as is, a base64 member encoded chunk by\n"
    "                       by chunk); checked first against the spec's x-pontes-file limits\n"
    "                       (size, first bytes); @- reads stdin (whole, into memory)\n"
    "  --content-type TYPE  for an operation with several request media types (e.g.\n"
    "                       multipart/form-data and application/json): the one to send.\n"
    "                       Default: --body sends JSON; member=@PATH on a file member picks\n"
    "                       the multipart form, otherwise the JSON one (a base64 member\n"
    "                       then carries the file: member=@PATH --content-type application/json)\n"
    "  --pretty             indented JSON output\n"
    "  --mock               run against the bundled mock server (started on a free port for\n"
    "                       this command, with its default credentials)\n"
    "  --base-url URL       API base URL   (env PONTES_BASE_URL; default: the spec's first server)\n"
    "  --token-url URL      OAuth2 token endpoint   (env PONTES_TOKEN_URL)\n"
    "  --client-id ID       OAuth2/Basic client id  (env PONTES_CLIENT_ID)\n"
    "  --client-secret S    its secret              (env PONTES_CLIENT_SECRET)\n"
    "  --basic-token T      ready base64 Basic credential (env PONTES_BASIC_TOKEN)\n"
    "  --scope S            OAuth2 scope            (env PONTES_SCOPE)\n"
    "  --bearer TOKEN       static bearer token instead of OAuth2 (env PONTES_BEARER)\n"
    "  --api-key KEY        key for apiKey security schemes (env PONTES_API_KEY)\n"
    "  OAuth-params schemes (Authorization: OAuth k=v,...; e.g. Best Bank's bestbankOAuth):\n"
    "  --consumer-key K     the application's consumer key, always sent (env PONTES_CONSUMER_KEY)\n"
    "  --secret-key S       its secret key, for --sign (env PONTES_SECRET_KEY)\n"
    "  --sign               add oauth_timestamp, oauth_version and oauth_signature (HMAC-SHA256)\n"
    "  --code CODE          the one-time code of the consent redirect, for the token operation\n"
    "  --access-token T     the access token, for operations that need one (env PONTES_ACCESS_TOKEN)\n"
    "  --token-expires-at EPOCH  its expiry (Unix seconds; the tool refuses to use it after that)\n"
    "  Certificate headers (apiKey schemes of the spec's x-pontes-auth style static-header, e.g.\n"
    "  Best Bank's certificate; default: --api-key):\n"
    "  --certificate VALUE  the header value as the provider gave it (env PONTES_CERTIFICATE)\n"
    "  --certificate-file F an X.509 certificate, PEM or DER: the value is the Base64 of its\n"
    "                       public key (env PONTES_CERTIFICATE_FILE)\n"
    "  Session schemes (x-pontes-auth style session, e.g. BCTT's bcttSession: the tool logs in\n"
    "  through the spec's login operation by itself, and again when the session has expired):\n"
    "  --session-credential ROLE=VALUE  a login credential by the role the spec declares (BCTT:\n"
    "                       client_id, client_secret, broker_id, username); repeatable\n"
    "                       (env PONTES_SESSION_<ROLE>, e.g. PONTES_SESSION_CLIENT_ID,\n"
    "                       PONTES_SESSION_CLIENT_SECRET, PONTES_SESSION_BROKER_ID,\n"
    "                       PONTES_SESSION_USERNAME). Values are never printed. The login\n"
    "                       operation itself (BCTT: Authenticate) takes them for its headers too\n"
    "  --session-header ROLE=NAME  send ROLE in header NAME instead of the spec's (e.g.\n"
    "                       broker_id=brokerID); repeatable (env PONTES_SESSION_HEADER_<ROLE>)\n"
    "  --bearer TOKEN       for a session scheme: a session token as is (no login)\n"
    "  List operations with x-pontes-pagination (BCTT: ProcessList, SimulationList, ...):\n"
    "  --all                walk every page (the page / cursor / offset parameter is set by the\n"
    "                       tool; a page size parameter given is kept) and print the items of\n"
    "                       all pages as one JSON array (reads the pagination from\n"
    "                       <generated>/<api>/openapi.json; env PONTES_GENERATED_DIR)\n"
    "  --timeout-ms N       whole-request timeout (each page's, with --all)\n"
    "  --verbose            HTTP status and the client log on stderr\n"
    "An operation whose security requirement names several schemes (e.g. bestbankOAuth and\n"
    "certificate) gets every one of them; one that needs credentials the command line lacks\n"
    "fails before any request, with a message naming what is missing (exit 2).\n";

static const char USAGE_COVERAGE[] =
    "usage: pontes coverage <api> [--json]\n"
    "\n"
    "The provenance report of an API (the spec's x-pontes-provenance): the number of\n"
    "operations and of members (parameters, bodies, properties) per class, then every\n"
    "operation with its class -- documented (in full), partial (what is missing),\n"
    "inferred (from what), unstated (the spec says nothing) -- and its members that are\n"
    "partial or inferred, with their paths and notes.\n"
    "  --json      the same as one JSON object: {api, totals: {documented, partial, inferred,\n"
    "              unstated}, member_totals, operations: [{operationId, method, path,\n"
    "              provenance, source, missing, basis, member_counts, members: [{path,\n"
    "              provenance, note}]}]}\n";

static const char USAGE_HELP[] = "usage: pontes help [<command>]\n\nThe usage of pontes, or of one command.\n";
static const char USAGE_VERSION[] =
    "usage: pontes --version\n\nThe tool's and the runtime's versions, and each API's version and default base URL.\n";

static const struct {
    const char *cmd;
    const char *text;
} cmd_usages[] = {
    {"ops", USAGE_OPS},         {"schemas", USAGE_SCHEMAS}, {"roundtrip", USAGE_ROUNDTRIP},
    {"call", USAGE_CALL},       {"help", USAGE_HELP},       {"version", USAGE_VERSION},
    {"coverage", USAGE_COVERAGE},
    {"--version", USAGE_VERSION},
};

static const char *cmd_usage(const char *cmd) {
    for (size_t i = 0; i < sizeof cmd_usages / sizeof cmd_usages[0]; i++)
        if (strcmp(cmd_usages[i].cmd, cmd) == 0) return cmd_usages[i].text;
    return NULL;
}

static void usage(FILE *f) {
    fputs("usage: pontes <command> [arguments]      (pontes <command> --help: its options)\n"
          "\n"
          "commands:\n"
          "  ops <api>                     list the operations of an API\n"
          "  schemas <api> [<Schema>]      list the schema names of an API, or one schema's members\n"
          "  call <api> <operationId> [name=value ...] [options]\n"
          "                                call an operation and print the response as JSON\n"
          "                                (--mock: against the bundled mock server)\n"
          "  roundtrip <api> <Schema> [--strict] [--pretty]\n"
          "                                decode JSON from stdin as Schema, print it re-encoded;\n"
          "                                deviations from the schema (unknown members or enum values,\n"
          "                                missing required members, unexpected nulls, invalid formats)\n"
          "                                are warnings on stderr, or errors (exit 1) with --strict\n"
          "  coverage <api> [--json]       provenance report: which operations and members the provider\n"
          "                                documents in full, partly, or not at all (inferred)\n"
          "  help [<command>]              this text, or a command's usage\n"
          "  --version                     print the version\n"
          "\n",
          f);
    fputs(USAGE_CALL + strlen("usage: "), f);
    fputs("\nAPIs:", f);
    for (size_t i = 0; i < CLI_API_COUNT; i++) fprintf(f, " %s", cli_apis[i].name);
    fputc('\n', f);
}

static bool is_help(const char *arg) { return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0; }

/* ---- small helpers ------------------------------------------------------ */

static const cli_api *find_api(const char *name) {
    for (size_t i = 0; i < CLI_API_COUNT; i++)
        if (strcmp(cli_apis[i].name, name) == 0) return &cli_apis[i];
    fprintf(stderr, "pontes: unknown API '%s' (known:", name);
    for (size_t i = 0; i < CLI_API_COUNT; i++) fprintf(stderr, " %s", cli_apis[i].name);
    fputs(")\n", stderr);
    return NULL;
}

static int ascii_tolower(int ch) { return (ch >= 'A' && ch <= 'Z') ? ch + ('a' - 'A') : ch; }

static bool ci_contains(const char *hay, const char *needle) {
    size_t n = strlen(needle), h = strlen(hay);
    if (n == 0 || n > h) return n == 0;
    for (size_t i = 0; i + n <= h; i++) {
        size_t k = 0;
        while (k < n && ascii_tolower((unsigned char)hay[i + k]) == ascii_tolower((unsigned char)needle[k])) k++;
        if (k == n) return true;
    }
    return false;
}

/* Case-insensitive Levenshtein distance (short names only; capped). */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return (size_t)-1;
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = ascii_tolower((unsigned char)a[i - 1]) == ascii_tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

static bool close_name(const char *candidate, const char *wanted) {
    if (ci_contains(candidate, wanted) || ci_contains(wanted, candidate)) return true;
    size_t d = edit_distance(candidate, wanted);
    size_t lim = strlen(wanted) / 3;
    if (lim < 2) lim = 2;
    return d <= lim;
}

/* Read a whole stream; the result is NUL-terminated. NULL on error (errno set). */
static char *read_all(FILE *f, size_t *len_out) {
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    for (;;) {
        if (cap - len < 4096) {
            if (cap > SIZE_MAX / 2) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    if (ferror(f)) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

static const char *in_name(pontes_param_in in) {
    switch (in) {
    case PONTES_IN_PATH: return "path";
    case PONTES_IN_QUERY: return "query";
    case PONTES_IN_HEADER: return "header";
    case PONTES_IN_COOKIE: return "cookie";
    }
    return "?";
}

/* One line for a decode/encode error: the message, plus the JSON path if the
 * message does not already mention it. */
static void print_codec_error(const char *prefix, const pontes_error *e) {
    const char *msg = e->message ? e->message : pontes_status_name(e->status);
    if (e->json_path && !strstr(msg, e->json_path))
        fprintf(stderr, "pontes: %s: %s (at %s)\n", prefix, msg, e->json_path);
    else
        fprintf(stderr, "pontes: %s: %s\n", prefix, msg);
}

/* Print JSON text: as is (compact, from the encoder), or indented by two spaces per level.
 * The text is only re-spaced, so numbers keep their exact digits. */
static void print_json(const char *json, size_t len, bool pretty) {
    if (!pretty) {
        fwrite(json, 1, len, stdout);
        putchar('\n');
        return;
    }
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = json[i];
        if (in_str) {
            putchar(ch);
            if (ch == '\\' && i + 1 < len) putchar(json[++i]);
            else if (ch == '"') in_str = false;
            continue;
        }
        switch (ch) {
        case ' ': case '\t': case '\n': case '\r': break;
        case '"': in_str = true; putchar(ch); break;
        case '{': case '[': {
            size_t k = i + 1;
            while (k < len && strchr(" \t\r\n", json[k])) k++;
            if (k < len && (json[k] == '}' || json[k] == ']')) {   /* {} and [] stay on one line */
                putchar(ch);
                putchar(json[k]);
                i = k;
                break;
            }
            putchar(ch);
            depth++;
            printf("\n%*s", 2 * depth, "");
            break;
        }
        case '}': case ']':
            depth--;
            printf("\n%*s%c", 2 * (depth > 0 ? depth : 0), "", ch);
            break;
        case ',': printf(",\n%*s", 2 * depth, ""); break;
        case ':': fputs(": ", stdout); break;
        default: putchar(ch);
        }
    }
    putchar('\n');
}

/* ---- ops / schemas ------------------------------------------------------ */

static int cmd_ops(const cli_api *a) {
    size_t n = *a->op_count, wid = 0, wmeth = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(a->ops[i].op->operation_id);
        if (l > wid) wid = l;
        l = strlen(a->ops[i].op->method);
        if (l > wmeth) wmeth = l;
    }
    for (size_t i = 0; i < n; i++) {
        const pontes_operation_entry *e = &a->ops[i];
        const pontes_operation *op = e->op;
        printf("%-*s  %-*s %s", (int)wid, op->operation_id, (int)wmeth, op->method, op->path);
        if (e->summary && *e->summary) printf("  \xE2\x80\x94 %s", e->summary);
        putchar('\n');
        if (e->param_count) {
            printf("%*s  params: ", (int)wid, "");
            for (size_t k = 0; k < e->param_count; k++) {
                const pontes_param_desc *p = &e->params[k];
                printf("%s%s (%s%s%s)", k ? ", " : "", p->name, in_name(p->in),
                       p->kind == PONTES_KIND_ARRAY ? ", array" : "", p->required ? ", required" : "");
            }
            putchar('\n');
        }
        if (op->body_type) {
            printf("%*s  body: %s (%s)\n", (int)wid, "",
                   op->body_type->name ? op->body_type->name : "?",
                   op->content_type ? op->content_type : "?");
        }
    }
    return EXIT_OK;
}

/* ---- coverage (provenance report) --------------------------------------- */

static const pontes_provenance_class cov_order[] = {PONTES_PROV_DOCUMENTED, PONTES_PROV_PARTIAL,
                                                   PONTES_PROV_INFERRED, PONTES_PROV_UNSTATED};
#define COV_CLASSES (sizeof cov_order / sizeof cov_order[0])

static const char *cov_name(pontes_provenance_class c) {
    const char *n = pontes_provenance_name(c);
    return n ? n : "?";
}

static cJSON *cov_counts_json(const size_t *counts) {
    cJSON *o = cJSON_CreateObject();
    for (size_t k = 0; o && k < COV_CLASSES; k++)
        cJSON_AddNumberToObject(o, cov_name(cov_order[k]), (double)counts[cov_order[k]]);
    return o;
}

static int cmd_coverage_json(const pontes_coverage *cv) {
    cJSON *root = cJSON_CreateObject(), *ops = NULL;
    bool ok = root && cJSON_AddStringToObject(root, "api", cv->api) &&
              cJSON_AddItemToObject(root, "totals", cov_counts_json(cv->totals)) &&
              cJSON_AddItemToObject(root, "member_totals", cov_counts_json(cv->member_totals)) &&
              cJSON_AddStringToObject(root, "default", cov_name(cv->default_status)) &&
              (ops = cJSON_AddArrayToObject(root, "operations")) != NULL;
    for (size_t i = 0; ok && i < cv->op_count; i++) {
        const pontes_provenance_op *op = &cv->ops[i];
        cJSON *o = cJSON_CreateObject(), *src = NULL, *mem = NULL;
        ok = o && cJSON_AddItemToArray(ops, o) && cJSON_AddStringToObject(o, "operationId", op->operation_id) &&
             cJSON_AddStringToObject(o, "method", op->method) && cJSON_AddStringToObject(o, "path", op->path) &&
             cJSON_AddStringToObject(o, "provenance", cov_name(op->status)) &&
             (src = cJSON_AddArrayToObject(o, "source")) != NULL &&
             (op->missing ? cJSON_AddStringToObject(o, "missing", op->missing) : cJSON_AddNullToObject(o, "missing")) &&
             (op->basis ? cJSON_AddStringToObject(o, "basis", op->basis) : cJSON_AddNullToObject(o, "basis")) &&
             cJSON_AddItemToObject(o, "member_counts", cov_counts_json(op->member_counts)) &&
             (mem = cJSON_AddArrayToObject(o, "members")) != NULL;
        for (size_t k = 0; ok && k < op->source_count; k++) ok = cJSON_AddItemToArray(src, cJSON_CreateString(op->source[k]));
        for (size_t k = 0; ok && k < op->member_count; k++) {
            const pontes_provenance_member *m = &op->members[k];
            cJSON *mo = cJSON_CreateObject();
            ok = mo && cJSON_AddItemToArray(mem, mo) && cJSON_AddStringToObject(mo, "path", m->path) &&
                 cJSON_AddStringToObject(mo, "provenance", cov_name(m->status)) &&
                 (m->note ? cJSON_AddStringToObject(mo, "note", m->note) : cJSON_AddNullToObject(mo, "note"));
        }
    }
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text) {
        errf("coverage: out of memory");
        return EXIT_FAIL;
    }
    print_json(text, strlen(text), true);
    cJSON_free(text);
    return EXIT_OK;
}

static int cmd_coverage(const cli_api *a, bool json) {
    const pontes_coverage *cv = a->coverage();
    if (json) return cmd_coverage_json(cv);
    size_t nmem = 0;
    for (size_t k = 0; k < COV_CLASSES; k++) nmem += cv->member_totals[k];
    printf("%s: %s (API version %s) -- provenance of %zu operations, %zu members (default: %s)\n", cv->api,
           a->api->title, a->api->version, cv->op_count, nmem, cov_name(cv->default_status));
    printf("  %-11s %10s %8s\n", "", "operations", "members");
    for (size_t k = 0; k < COV_CLASSES; k++)
        printf("  %-11s %10zu %8zu\n", cov_name(cov_order[k]), cv->totals[cov_order[k]],
               cv->member_totals[cov_order[k]]);
    size_t wid = strlen("OPERATION"), wmeth = strlen("METHOD"), wpath = strlen("PATH");
    for (size_t i = 0; i < cv->op_count; i++) {
        size_t l = strlen(cv->ops[i].operation_id);
        if (l > wid) wid = l;
        if ((l = strlen(cv->ops[i].method)) > wmeth) wmeth = l;
        if ((l = strlen(cv->ops[i].path)) > wpath) wpath = l;
    }
    printf("\n%-*s  %-*s  %-*s  %-10s  %-16s  %s\n", (int)wid, "OPERATION", (int)wmeth, "METHOD", (int)wpath, "PATH",
           "PROVENANCE", "PARTIAL/INFERRED", "MISSING / INFERRED FROM");
    for (size_t i = 0; i < cv->op_count; i++) {
        const pontes_provenance_op *op = &cv->ops[i];
        size_t n = 0;
        for (size_t k = 0; k < COV_CLASSES; k++) n += op->member_counts[k];
        char cnt[64];
        snprintf(cnt, sizeof cnt, "%zu/%zu of %zu", op->member_counts[PONTES_PROV_PARTIAL],
                 op->member_counts[PONTES_PROV_INFERRED], n);
        const char *note = op->missing ? op->missing : op->basis ? op->basis : "-";
        printf("%-*s  %-*s  %-*s  %-10s  %-16s  %s\n", (int)wid, op->operation_id, (int)wmeth, op->method,
               (int)wpath, op->path, cov_name(op->status), cnt, note);
    }
    bool any = false;
    for (size_t i = 0; i < cv->op_count; i++) {
        const pontes_provenance_op *op = &cv->ops[i];
        if (!op->member_count) continue;
        if (!any) fputs("\nmembers that are partial or inferred:\n", stdout);
        any = true;
        printf("%s (%s %s):\n", op->operation_id, op->method, op->path);
        for (size_t k = 0; k < op->member_count; k++)
            printf("  %-8s  %s%s%s\n", cov_name(op->members[k].status), op->members[k].path,
                   op->members[k].note ? "  -- " : "", op->members[k].note ? op->members[k].note : "");
    }
    if (!any) fputs("\nno member is marked partial or inferred\n", stdout);
    return EXIT_OK;
}

/* Schema lookup: the name as written in the spec (the registry's name) first, then
 * case-insensitively, then ignoring case and everything but letters and digits
 * ("abc-funds_check1" finds ABCFundsCheck1). NULL when nothing or several match (*ambiguous). */
static bool same_ci(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (ascii_tolower((unsigned char)*a) != ascii_tolower((unsigned char)*b)) return false;
    return *a == *b;
}

static bool same_alnum_ci(const char *a, const char *b) {
    for (;;) {
        while (*a && !isalnum((unsigned char)*a)) a++;
        while (*b && !isalnum((unsigned char)*b)) b++;
        if (!*a || !*b) return !*a && !*b;
        if (ascii_tolower((unsigned char)*a) != ascii_tolower((unsigned char)*b)) return false;
        a++;
        b++;
    }
}

/* The named types of an API: its schema registry, plus the enum schemas reachable from it
 * (enums are not registry entries, but have names in the spec). Sorted by name. */
typedef struct named_type {
    const char *name;
    const pontes_type *type;
} named_type;

static int cmp_named(const void *x, const void *y) {
    return strcmp(((const named_type *)x)->name, ((const named_type *)y)->name);
}

static void add_enum(named_type *v, size_t *n, size_t cap, const pontes_type *t) {
    while ((t->kind == PONTES_KIND_ARRAY || t->kind == PONTES_KIND_MAP) && t->elem) t = t->elem;
    if (t->kind != PONTES_KIND_ENUM || !t->en || !t->en->name || *n >= cap) return;
    for (size_t i = 0; i < *n; i++)
        if (v[i].type->kind == PONTES_KIND_ENUM && (v[i].type->en == t->en || strcmp(v[i].name, t->en->name) == 0))
            return;
    v[*n].name = t->en->name;
    v[*n].type = t;
    (*n)++;
}

static named_type *named_types(const cli_api *a, size_t *count) {
    size_t cap = *a->schema_count, n = 0;
    for (size_t i = 0; i < *a->schema_count; i++) {
        const char *nm;
        const pontes_type *t;
        a->schema_at(i, &nm, &t);
        if (t->kind == PONTES_KIND_OBJECT && t->msg) cap += t->msg->field_count;
        if (t->kind == PONTES_KIND_UNION && t->un) cap += t->un->count;
    }
    named_type *v = calloc(cap ? cap : 1, sizeof *v);
    if (!v) {
        *count = 0;
        return NULL;
    }
    for (size_t i = 0; i < *a->schema_count; i++) {
        a->schema_at(i, &v[n].name, &v[n].type);
        n++;
    }
    size_t roots = n;
    for (size_t i = 0; i < roots; i++) {
        const pontes_type *t = v[i].type;
        if (t->kind == PONTES_KIND_OBJECT && t->msg)
            for (size_t k = 0; k < t->msg->field_count; k++) add_enum(v, &n, cap, t->msg->fields[k].type);
        if (t->kind == PONTES_KIND_UNION && t->un)
            for (size_t k = 0; k < t->un->count; k++) add_enum(v, &n, cap, t->un->variants[k]);
    }
    qsort(v, n, sizeof *v, cmp_named);
    *count = n;
    return v;
}

static const pontes_type *find_schema(const cli_api *a, const char *name, const char **found, bool *ambiguous) {
    bool (*const rules[])(const char *, const char *) = {NULL, same_ci, same_alnum_ci};
    size_t count = 0;
    named_type *v = named_types(a, &count);
    const pontes_type *hit = NULL;
    *ambiguous = false;
    for (size_t r = 0; r < sizeof rules / sizeof rules[0] && !hit && !*ambiguous; r++) {
        size_t hits = 0;
        for (size_t i = 0; i < count; i++) {
            if (rules[r] ? rules[r](v[i].name, name) : strcmp(v[i].name, name) == 0) {
                if (!hits) {
                    hit = v[i].type;
                    *found = v[i].name;
                }
                hits++;
            }
        }
        if (hits > 1) {
            hit = NULL;
            *ambiguous = true;
        }
    }
    free(v);
    return hit;
}

static void suggest_schemas(const cli_api *a, const char *name, bool ambiguous) {
    size_t shown = 0, count = 0;
    named_type *v = named_types(a, &count);
    fprintf(stderr, "pontes: %s schema name '%s' in %s", ambiguous ? "ambiguous" : "unknown", name, a->name);
    for (size_t i = 0; i < count; i++) {
        const char *n = v[i].name;
        if (ambiguous ? same_alnum_ci(n, name) : close_name(n, name)) {
            fprintf(stderr, "%s%s", shown ? ", " : (ambiguous ? "; one of: " : "; did you mean: "), n);
            shown++;
        }
    }
    fputs(shown ? "?\n" : " (see: pontes schemas <api>)\n", stderr);
    free(v);
}

/* "string (uuid)", "array of Product", "enum Status", ... into buf. */
static const char *type_text(const pontes_type *t, char *buf, size_t cap) {
    const char *fmt = "";
    switch (t->flags & PONTES_T_FMT_MASK) {
    case PONTES_T_FMT_DATE: fmt = " (date)"; break;
    case PONTES_T_FMT_DATE_TIME: fmt = " (date-time)"; break;
    case PONTES_T_FMT_UUID: fmt = " (uuid)"; break;
    default: break;
    }
    char inner[200];
    switch (t->kind) {
    case PONTES_KIND_BOOL: snprintf(buf, cap, "boolean"); break;
    case PONTES_KIND_INT32: snprintf(buf, cap, "int32"); break;
    case PONTES_KIND_INT64: snprintf(buf, cap, "int64"); break;
    case PONTES_KIND_DOUBLE: snprintf(buf, cap, "number"); break;
    case PONTES_KIND_DECIMAL:
        snprintf(buf, cap, "decimal (exact%s)", (t->flags & PONTES_T_DECIMAL_STRING) ? ", as a string" : "");
        break;
    case PONTES_KIND_STRING: snprintf(buf, cap, "string%s", fmt); break;
    case PONTES_KIND_BYTES: snprintf(buf, cap, "bytes (base64)"); break;
    case PONTES_KIND_FILE: snprintf(buf, cap, "file"); break;
    case PONTES_KIND_ENUM: snprintf(buf, cap, "enum %s", (t->en && t->en->name) ? t->en->name : "?"); break;
    case PONTES_KIND_OBJECT: snprintf(buf, cap, "%s", (t->msg && t->msg->name) ? t->msg->name : "object"); break;
    case PONTES_KIND_UNION: snprintf(buf, cap, "%s (one of)", (t->un && t->un->name) ? t->un->name : "union"); break;
    case PONTES_KIND_ARRAY:
    case PONTES_KIND_MAP:
        snprintf(buf, cap, "%s of %s%s", t->kind == PONTES_KIND_ARRAY ? "array" : "map",
                 t->elem ? type_text(t->elem, inner, sizeof inner) : "?",
                 (t->flags & PONTES_T_ELEM_NULLABLE) ? " or null" : "");
        break;
    case PONTES_KIND_ANY: snprintf(buf, cap, "any JSON"); break;
    default: snprintf(buf, cap, "?"); break;
    }
    return buf;
}

static void print_enum_values(const pontes_enum_desc *en, const char *lead) {
    fputs(lead, stdout);
    for (size_t i = 0; i < en->count; i++) printf("%s%s", i ? ", " : "", en->values[i]);
    putchar('\n');
}

static int describe_schema(const char *name, const pontes_type *t) {
    char buf[256];
    switch (t->kind) {
    case PONTES_KIND_OBJECT: {
        const pontes_message *m = t->msg;
        if (m->flags & PONTES_M_BOX) {
            printf("%s: %s\n", name, type_text(m->fields[0].type, buf, sizeof buf));
            if (m->fields[0].type->kind == PONTES_KIND_ENUM) print_enum_values(m->fields[0].type->en, "  values: ");
            return EXIT_OK;
        }
        printf("%s: object, %zu member%s\n", name, m->field_count, m->field_count == 1 ? "" : "s");
        size_t w = 0;
        for (size_t i = 0; i < m->field_count; i++)
            if (strlen(m->fields[i].name) > w) w = strlen(m->fields[i].name);
        for (size_t i = 0; i < m->field_count; i++) {
            const pontes_field *f = &m->fields[i];
            printf("  %-*s  %s", (int)w, f->name, type_text(f->type, buf, sizeof buf));
            const char *sep = "  [";
            static const struct { uint32_t flag; const char *text; } flags[] = {
                {PONTES_F_REQUIRED, "required"}, {PONTES_F_NULLABLE, "nullable"},
                {PONTES_F_READ_ONLY, "read-only"}, {PONTES_F_WRITE_ONLY, "write-only"}};
            for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
                if (f->flags & flags[k].flag) {
                    printf("%s%s", sep, flags[k].text);
                    sep = ", ";
                }
            }
            if (sep[0] == ',') putchar(']');
            putchar('\n');
            const pontes_type *et = f->type;
            while ((et->kind == PONTES_KIND_ARRAY || et->kind == PONTES_KIND_MAP) && et->elem) et = et->elem;
            if (et->kind == PONTES_KIND_ENUM && et->en) {
                printf("  %-*s  ", (int)w, "");
                print_enum_values(et->en, "values: ");
            }
        }
        if (m->extra_offset != PONTES_NO_EXTRA) puts("  (other members are kept as JSON)");
        return EXIT_OK;
    }
    case PONTES_KIND_ENUM:
        printf("%s: enum, %zu value%s\n", name, t->en->count, t->en->count == 1 ? "" : "s");
        print_enum_values(t->en, "  values: ");
        return EXIT_OK;
    case PONTES_KIND_UNION: {
        const pontes_union_desc *u = t->un;
        printf("%s: one of %zu variant%s", name, u->count, u->count == 1 ? "" : "s");
        if (u->discriminator) printf(", discriminator \"%s\"", u->discriminator);
        putchar('\n');
        for (size_t i = 0; i < u->count; i++) {
            printf("  %s", type_text(u->variants[i], buf, sizeof buf));
            if (u->mapping && u->mapping[i]) printf("  (%s = \"%s\")", u->discriminator ? u->discriminator : "?", u->mapping[i]);
            putchar('\n');
        }
        return EXIT_OK;
    }
    default:
        printf("%s: %s\n", name, type_text(t, buf, sizeof buf));
        return EXIT_OK;
    }
}

static int cmd_schemas(const cli_api *a, const char *schema) {
    if (schema) {
        const char *found = NULL;
        bool ambiguous;
        const pontes_type *t = find_schema(a, schema, &found, &ambiguous);
        if (!t) {
            suggest_schemas(a, schema, ambiguous);
            return EXIT_USAGE;
        }
        return describe_schema(found, t);
    }
    size_t count = 0;
    named_type *v = named_types(a, &count);
    if (!v) return EXIT_FAIL;
    for (size_t i = 0; i < count; i++) puts(v[i].name);
    free(v);
    return EXIT_OK;
}

/* ---- roundtrip ---------------------------------------------------------- */

static int cmd_roundtrip(const cli_api *a, const char *schema, bool strict, bool pretty) {
    const char *found = NULL;
    bool ambiguous;
    const pontes_type *t = find_schema(a, schema, &found, &ambiguous);
    if (!t) {
        suggest_schemas(a, schema, ambiguous);
        return EXIT_USAGE;
    }
    schema = found;
    if (t->kind != PONTES_KIND_OBJECT && t->kind != PONTES_KIND_UNION) {
        errf("roundtrip: %s is an enum, not a document schema (see: pontes schemas %s %s)", schema, a->name, schema);
        return EXIT_USAGE;
    }
    size_t len = 0;
    char *json = read_all(stdin, &len);
    if (!json) {
        errf("roundtrip %s: cannot read stdin: %s", schema, strerror(errno));
        return EXIT_FAIL;
    }
    char prefix[256];
    snprintf(prefix, sizeof prefix, "roundtrip %s", schema);
    pontes_error err = PONTES_ERROR_INIT;
    void *value = NULL;
    pontes_deviations dv;
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.strict = strict;
    o.deviations = &dv;
    int rc = pontes_decode(t, json, len, &o, &value, &err);
    free(json);
    if (rc != PONTES_OK) {
        print_codec_error(prefix, &err);
        pontes_error_clear(&err);
        return EXIT_FAIL;
    }
    if (dv.count) {
        fprintf(stderr, "pontes: %s: warning: %zu deviation%s from the schema\n", prefix, dv.count,
                dv.count == 1 ? "" : "s");
        for (size_t i = 0; i < dv.kept; i++)
            fprintf(stderr, "pontes: %s: warning: %s: %s\n", prefix, dv.first[i].path, dv.first[i].what);
        if (dv.count > dv.kept) fprintf(stderr, "pontes: %s: warning: ... and %zu more\n", prefix, dv.count - dv.kept);
    }
    char *out = NULL;
    size_t out_len = 0;
    rc = pontes_encode(t, value, &out, &out_len, &err);
    pontes_free(value);
    if (rc != PONTES_OK) {
        print_codec_error(prefix, &err);
        pontes_error_clear(&err);
        return EXIT_FAIL;
    }
    print_json(out, out_len, pretty);
    pontes_json_free(out);
    return EXIT_OK;
}

/* ---- call --------------------------------------------------------------- */

typedef struct call_opts {
    const char *body_file;
    const char *content_type;
    const char *base_url, *token_url, *client_id, *client_secret, *basic_token, *scope;
    const char *bearer, *api_key;
    /* OAuth-params schemes (x-pontes-auth style oauth-params, e.g. Best Bank) */
    const char *consumer_key, *secret_key, *code, *access_token, *token_expires_at;
    /* static-header apiKey schemes (e.g. Best Bank's Certificate header) */
    const char *certificate, *certificate_file;
    /* session schemes (x-pontes-auth style session): "role=value" / "role=Header-Name", repeatable */
    const char *session_cred[32], *session_hdr[32];
    size_t n_session_cred, n_session_hdr;
    long timeout_ms;
    bool verbose, pretty, mock, sign, all;
} call_opts;

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return (v && *v) ? v : fallback;
}

static void log_to_stderr(void *user, pontes_log_level level, const char *message) {
    static const char *const names[] = {"debug", "info", "warn", "error"};
    (void)user;
    fprintf(stderr, "pontes: [%s] %s\n", ((unsigned)level <= 3u) ? names[level] : "log", message);
}

/* "scheme://host[:port]" of a URL (the token endpoint's server), malloc'd. */
static char *url_origin(const char *url) {
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p += strcspn(p, "/?#");
    size_t n = (size_t)(p - url);
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, url, n);
    s[n] = '\0';
    return s;
}

static const pontes_type *response_type(const pontes_operation *op, long status) {
    for (size_t i = 0; i < op->response_count; i++)
        if (op->responses[i].status == status) return op->responses[i].type;
    for (size_t i = 0; i < op->response_count; i++)
        if (op->responses[i].status >= 1 && op->responses[i].status <= 5 && op->responses[i].status == status / 100)
            return op->responses[i].type;
    for (size_t i = 0; i < op->response_count; i++)
        if (op->responses[i].status == 0) return op->responses[i].type;
    return NULL;
}

static void print_call_error(const char *op_id, const pontes_error *e) {
    const char *msg = e->message ? e->message : pontes_status_name(e->status);
    if (e->json_path && !strstr(msg, e->json_path))
        fprintf(stderr, "pontes: %s: %s (at %s)\n", op_id, msg, e->json_path);
    else
        fprintf(stderr, "pontes: %s: %s\n", op_id, msg);
    bool provider_in_msg = (!e->provider_code || strstr(msg, e->provider_code)) &&
                           (!e->provider_message || strstr(msg, e->provider_message));
    if ((e->provider_code || e->provider_message) && !provider_in_msg)
        fprintf(stderr, "  provider: %s%s%s\n", e->provider_code ? e->provider_code : "",
                (e->provider_code && e->provider_message) ? ": " : "",
                e->provider_message ? e->provider_message : "");
    for (size_t i = 0; i < e->field_error_count; i++)
        fprintf(stderr, "  field %s: %s\n", e->field_errors[i].key ? e->field_errors[i].key : "?",
                e->field_errors[i].message ? e->field_errors[i].message : "");
    if (e->request_id) fprintf(stderr, "  request id: %s\n", e->request_id);
    if (e->curl_message && !strstr(msg, e->curl_message)) fprintf(stderr, "  curl: %s\n", e->curl_message);
}

static int add_param(pontes_request *r, const pontes_param_desc *p, const char *value, const char *op_id) {
    char *end = NULL;
    switch (p->kind) {
    case PONTES_KIND_INT32:
    case PONTES_KIND_INT64: {
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end) {
            errf("%s: parameter %s: '%s' is not an integer", op_id, p->name, value);
            return EXIT_USAGE;
        }
        return pontes_request_param_int(r, p->in, p->name, (int64_t)v) == PONTES_OK ? EXIT_OK : EXIT_FAIL;
    }
    case PONTES_KIND_DOUBLE: {
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end) {
            errf("%s: parameter %s: '%s' is not a number", op_id, p->name, value);
            return EXIT_USAGE;
        }
        return pontes_request_param_double(r, p->in, p->name, v) == PONTES_OK ? EXIT_OK : EXIT_FAIL;
    }
    case PONTES_KIND_BOOL: {
        bool v;
        if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0) v = true;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0) v = false;
        else {
            errf("%s: parameter %s: '%s' is not true/false", op_id, p->name, value);
            return EXIT_USAGE;
        }
        return pontes_request_param_bool(r, p->in, p->name, v) == PONTES_OK ? EXIT_OK : EXIT_FAIL;
    }
    case PONTES_KIND_ARRAY: {
        const char *s = value;
        for (;;) {
            size_t n = strcspn(s, ",");
            char *item = strndup(s, n);
            if (!item) return EXIT_FAIL;
            int rc = pontes_request_param(r, p->in, p->name, item);
            free(item);
            if (rc != PONTES_OK) return EXIT_FAIL;
            if (!s[n]) break;
            s += n + 1;
        }
        return EXIT_OK;
    }
    default:
        return pontes_request_param(r, p->in, p->name, value) == PONTES_OK ? EXIT_OK : EXIT_FAIL;
    }
}

/* Option value: "--name value" or "--name=value". Returns the value or NULL (usage error). */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *matched) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    *matched = false;
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') {
        *matched = true;
        return a + n + 1;
    }
    if (a[n] != '\0') return NULL;
    *matched = true;
    if (*i + 1 >= argc) {
        errf("option %s needs a value", name);
        return NULL;
    }
    return argv[++*i];
}

/* ---- --mock: the bundled mock server for the duration of a command ------- */

typedef struct mock_server {
    pid_t pid;
    char dir[64];
    char url[64];
} mock_server;

static void mock_path(char *buf, size_t cap, const mock_server *m, const char *name) {
    snprintf(buf, cap, "%s/%s", m->dir, name);
}

static void mock_stop(mock_server *m) {
    char path[128];
    if (m->pid > 0) {
        kill(m->pid, SIGTERM);
        int st;
        while (waitpid(m->pid, &st, 0) < 0 && errno == EINTR) {
        }
        m->pid = 0;
    }
    if (m->dir[0]) {
        mock_path(path, sizeof path, m, "port");
        unlink(path);
        mock_path(path, sizeof path, m, "mock.log");
        unlink(path);
        rmdir(m->dir);
        m->dir[0] = '\0';
    }
}

static void mock_log_tail(const mock_server *m) {
    char path[128];
    mock_path(path, sizeof path, m, "mock.log");
    FILE *f = fopen(path, "rb");
    if (!f) return;
    size_t len = 0;
    char *text = read_all(f, &len);
    fclose(f);
    if (text && len) fprintf(stderr, "--- mock server output ---\n%s%s", len > 4000 ? text + len - 4000 : text,
                             text[len - 1] == '\n' ? "" : "\n");
    free(text);
}

/* Start PONTES_MOCK (default: the source tree's mock server) with PONTES_PYTHON on a free
 * loopback port, for generated/<api>/openapi.json, and wait until it listens. */
static int mock_start(const cli_api *a, mock_server *m) {
    const char *script = env_or("PONTES_MOCK", PONTES_CLI_MOCK_SCRIPT);
    const char *python = env_or("PONTES_PYTHON", PONTES_CLI_MOCK_PYTHON);
    char spec[4096], port_file[128], log_file[128];
    memset(m, 0, sizeof *m);
    snprintf(spec, sizeof spec, "%s/%s/openapi.json", env_or("PONTES_GENERATED_DIR", PONTES_CLI_GENERATED_DIR), a->name);
    if (access(script, R_OK) != 0) {
        errf("--mock: the mock server %s is not there (%s); set PONTES_MOCK=/path/to/mock_server.py", script,
             strerror(errno));
        return EXIT_FAIL;
    }
    if (access(spec, R_OK) != 0) {
        errf("--mock: the spec %s is not there (%s); set PONTES_GENERATED_DIR=/path/to/generated", spec,
             strerror(errno));
        return EXIT_FAIL;
    }
    snprintf(m->dir, sizeof m->dir, "%s", "/tmp/pontes-mock.XXXXXX");
    if (!mkdtemp(m->dir)) {
        errf("--mock: cannot create a temporary directory: %s", strerror(errno));
        m->dir[0] = '\0';
        return EXIT_FAIL;
    }
    mock_path(port_file, sizeof port_file, m, "port");
    mock_path(log_file, sizeof log_file, m, "mock.log");
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        errf("--mock: fork: %s", strerror(errno));
        mock_stop(m);
        return EXIT_FAIL;
    }
    if (pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the command */
#endif
        int in = open("/dev/null", O_RDONLY);
        int out = open(log_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in >= 0) dup2(in, 0);
        if (out >= 0) {
            dup2(out, 1);
            dup2(out, 2);
        }
        execlp(python, python, script, "--spec", spec, "--port", "0", "--port-file", port_file, "--quiet",
               "--client-id", MOCK_CLIENT_ID, "--client-secret", MOCK_CLIENT_SECRET, (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", python, strerror(errno));
        _exit(127);
    }
    m->pid = pid;
    for (int tries = 0; tries < 300; tries++) { /* 15 s */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            m->pid = 0;
            errf("--mock: the mock server (%s %s) exited before listening", python, script);
            mock_log_tail(m);
            mock_stop(m);
            return EXIT_FAIL;
        }
        FILE *f = fopen(port_file, "r");
        if (f) {
            long port = 0;
            char nl = 0;
            int n = fscanf(f, "%ld%c", &port, &nl);
            fclose(f);
            if (n >= 1 && port > 0 && port < 65536 && (n == 2 || tries > 2)) {
                snprintf(m->url, sizeof m->url, "http://127.0.0.1:%ld", port);
                return EXIT_OK;
            }
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    errf("--mock: the mock server did not report its port within 15 s");
    mock_log_tail(m);
    mock_stop(m);
    return EXIT_FAIL;
}

static bool is_session(const pontes_security_req *s) {
    return s->type == PONTES_SEC_BEARER && s->profile && s->profile->style == PONTES_AUTH_SESSION;
}

static const char *sec_kind(const pontes_security_req *s) {
    switch (s->type) {
    case PONTES_SEC_BEARER: return is_session(s) ? "session login" : "OAuth2 or bearer token";
    case PONTES_SEC_BASIC: return "HTTP Basic";
    case PONTES_SEC_API_KEY:
        return (s->profile && s->profile->style == PONTES_AUTH_STATIC_HEADER) ? "certificate / static header"
                                                                              : "API key";
    case PONTES_SEC_OAUTH_PARAMS: return "OAuth parameters";
    default: return "unsupported";
    }
}

static bool has_role(const pontes_security_req *s, const char *role) {
    for (size_t i = 0; i < s->role_count; i++)
        if (s->roles && s->roles[i] && strcmp(s->roles[i], role) == 0) return true;
    return false;
}

static bool is_static_header(const pontes_security_req *s) {
    return s->type == PONTES_SEC_API_KEY && s->profile && s->profile->style == PONTES_AUTH_STATIC_HEADER;
}

/* ---- session schemes (x-pontes-auth style session) ------------------------ */

/* The value of "role=value" for role among kv[0..n) (the last one given wins), or NULL. */
static const char *kv_lookup(const char *const *kv, size_t n, const char *role) {
    const char *hit = NULL;
    size_t rl = strlen(role);
    for (size_t i = 0; i < n; i++)
        if (strncmp(kv[i], role, rl) == 0 && kv[i][rl] == '=') hit = kv[i] + rl + 1;
    return hit;
}

/* PREFIX + the role upper-cased, non-alphanumerics as '_': PONTES_SESSION_CLIENT_ID. */
static const char *session_env_name(const char *prefix, const char *role, char *buf, size_t cap) {
    size_t n = (size_t)snprintf(buf, cap, "%s", prefix);
    for (const char *r = role; *r && n + 1 < cap; r++)
        buf[n++] = isalnum((unsigned char)*r) ? (char)toupper((unsigned char)*r) : '_';
    buf[n < cap ? n : cap - 1] = '\0';
    return buf;
}

/* A session credential: --session-credential, else PONTES_SESSION_<ROLE>, else (--mock) the
 * mock's demo login. NULL: none. */
static const char *session_credential(const call_opts *o, const char *role) {
    const char *v = kv_lookup(o->session_cred, o->n_session_cred, role);
    char env[96];
    if (!v) v = env_or(session_env_name("PONTES_SESSION_", role, env, sizeof env), NULL);
    for (size_t i = 0; !v && o->mock && i < sizeof mock_session_defaults / sizeof mock_session_defaults[0]; i++)
        if (strcmp(mock_session_defaults[i].role, role) == 0) v = mock_session_defaults[i].value;
    return v;
}

/* The header a session role is sent in when overridden (--session-header, env), else NULL. */
static const char *session_header(const call_opts *o, const char *role) {
    const char *v = kv_lookup(o->session_hdr, o->n_session_hdr, role);
    char env[96];
    return v ? v : env_or(session_env_name("PONTES_SESSION_HEADER_", role, env, sizeof env), NULL);
}

/* Whether role is a credential role of some session scheme of the API. */
static bool api_session_role(const pontes_api *api, const char *role, size_t rl) {
    for (size_t i = 0; api->auth_profiles && i < api->auth_profile_count; i++) {
        const pontes_auth_profile *p = api->auth_profiles[i];
        if (!p || p->style != PONTES_AUTH_SESSION) continue;
        for (size_t k = 0; k < p->role_count; k++)
            if (strlen(p->roles[k].role) == rl && strncmp(p->roles[k].role, role, rl) == 0) return true;
    }
    return false;
}

/* --session-credential / --session-header ROLE=...: the role must be one of the API's session
 * roles (the value is never printed). EXIT_OK or EXIT_USAGE. */
static int check_session_arg(const pontes_api *api, const char *opt, const char *arg) {
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        errf("%s takes ROLE=VALUE (see: pontes call --help)", opt);
        return EXIT_USAGE;
    }
    if (api_session_role(api, arg, (size_t)(eq - arg))) return EXIT_OK;
    bool any = false;
    fprintf(stderr, "pontes: %s: unknown role '%.*s'", opt, (int)(eq - arg), arg);
    for (size_t i = 0; api->auth_profiles && i < api->auth_profile_count; i++) {
        const pontes_auth_profile *p = api->auth_profiles[i];
        if (!p || p->style != PONTES_AUTH_SESSION) continue;
        fprintf(stderr, "%s roles of %s:", any ? ";" : " (", p->scheme ? p->scheme : "?");
        for (size_t k = 0; k < p->role_count; k++) fprintf(stderr, " %s", p->roles[k].role);
        any = true;
    }
    fputs(any ? ")\n" : " (the API has no session security scheme)\n", stderr);
    return EXIT_USAGE;
}

/* The session profile whose login operation is op, or NULL. */
static const pontes_auth_profile *login_profile_of(const pontes_api *api, const pontes_operation *op) {
    for (size_t i = 0; api->auth_profiles && i < api->auth_profile_count; i++) {
        const pontes_auth_profile *p = api->auth_profiles[i];
        if (p && p->style == PONTES_AUTH_SESSION &&
            (p->login_op == op || (p->login_op && strcmp(p->login_op->operation_id, op->operation_id) == 0)))
            return p;
    }
    return NULL;
}

/* For a call of the login operation itself: the session credential that goes in header
 * parameter `name` (by the role's header, or its --session-header override), or NULL. */
static const char *login_header_value(const pontes_auth_profile *p, const call_opts *o, const char *name) {
    for (size_t k = 0; p && k < p->role_count; k++) {
        const char *h = session_header(o, p->roles[k].role);
        if (strcasecmp(h ? h : p->roles[k].header, name) == 0) return session_credential(o, p->roles[k].role);
    }
    return NULL;
}

/* Configure session scheme s from the command line: --bearer is the session token as is;
 * otherwise every credential by role (and header overrides); the runtime logs in. */
static int set_session(pontes_client *c, const char *scheme, const pontes_auth_profile *p, const call_opts *o) {
    if (o->bearer) return pontes_client_set_session_token(c, scheme, o->bearer);
    for (size_t k = 0; k < p->role_count; k++) {
        const char *role = p->roles[k].role;
        const char *v = session_credential(o, role), *h = session_header(o, role);
        int rc = v ? pontes_client_set_session_credential(c, scheme, role, v) : PONTES_OK;
        if (rc == PONTES_OK && h) rc = pontes_client_set_session_header(c, scheme, role, h);
        if (rc != PONTES_OK) return rc;
    }
    return PONTES_OK;
}

/* What the security scheme still needs from the command line, or NULL when its
 * credentials are complete. */
static const char *missing_credentials(const pontes_security_req *s, const call_opts *o) {
    switch (s->type) {
    case PONTES_SEC_BEARER:
        if (o->bearer) return NULL;
        if (is_session(s)) {
            static char need[1024];
            size_t n = 0;
            need[0] = '\0';
            for (size_t k = 0; k < s->profile->role_count; k++) {
                const char *role = s->profile->roles[k].role;
                char env[96];
                if (session_credential(o, role) || n + 1 >= sizeof need) continue;
                n += (size_t)snprintf(need + n, sizeof need - n, "%s--session-credential %s=... (env %s)",
                                      n ? ", " : "the login credentials ", role,
                                      session_env_name("PONTES_SESSION_", role, env, sizeof env));
                if (n >= sizeof need) n = sizeof need - 1;
            }
            return n ? need : NULL;
        }
        if (o->basic_token || (o->client_id && o->client_secret))
            return o->token_url ? NULL : "--token-url URL (env PONTES_TOKEN_URL), the OAuth2 token endpoint";
        if (o->client_id) return "--client-secret (env PONTES_CLIENT_SECRET) for --client-id";
        if (o->client_secret) return "--client-id (env PONTES_CLIENT_ID) for --client-secret";
        return "--client-id and --client-secret with --token-url (OAuth2 client credentials), or --bearer TOKEN";
    case PONTES_SEC_BASIC:
        if (o->basic_token || (o->client_id && o->client_secret)) return NULL;
        if (o->client_id) return "--client-secret (env PONTES_CLIENT_SECRET) for --client-id";
        if (o->client_secret) return "--client-id (env PONTES_CLIENT_ID) for --client-secret";
        return "--client-id and --client-secret, or --basic-token";
    case PONTES_SEC_API_KEY:
        if (is_static_header(s))
            return (o->certificate || o->certificate_file || o->api_key)
                       ? NULL
                       : "--certificate VALUE or --certificate-file PEM|DER (env PONTES_CERTIFICATE / "
                         "PONTES_CERTIFICATE_FILE)";
        return o->api_key ? NULL : "--api-key KEY (env PONTES_API_KEY)";
    case PONTES_SEC_OAUTH_PARAMS:
        if (!s->profile) return "a security scheme type the tool does not support";
        if (!o->consumer_key) return "--consumer-key KEY (env PONTES_CONSUMER_KEY)";
        if (has_role(s, "code") && !o->code) return "--code CODE (the code of the consent redirect)";
        if (has_role(s, "access_token") && !o->access_token)
            return "--access-token TOKEN (env PONTES_ACCESS_TOKEN; the token operation's access_token)";
        if (o->sign && !o->secret_key) return "--secret-key S (env PONTES_SECRET_KEY) for --sign";
        return NULL;
    default:
        return "a security scheme type the tool does not support";
    }
}

/* Security requirements: op->security lists alternatives; consecutive entries with the same
 * group n > 0 form ONE requirement (all its schemes are sent). The requirement starting at
 * *k: returns its length. */
static size_t requirement_len(const pontes_operation *op, size_t k) {
    size_t n = 1;
    if (op->security[k].group)
        while (k + n < op->security_count && op->security[k + n].group == op->security[k].group) n++;
    return n;
}

/* Whether the requirement [k, k+n) has every credential it needs. */
static bool requirement_ok(const pontes_operation *op, size_t k, size_t n, const call_opts *o) {
    for (size_t j = k; j < k + n; j++)
        if (missing_credentials(&op->security[j], o)) return false;
    return true;
}

/* ---- request bodies from member=value arguments ---------------------------- */

/* The object message of a body type (NULL for a union or a box). */
static const pontes_message *body_object(const pontes_type *t) {
    return (t && t->kind == PONTES_KIND_OBJECT && t->msg && !(t->msg->flags & PONTES_M_BOX)) ? t->msg : NULL;
}

static const pontes_field *msg_field(const pontes_message *m, const char *name, size_t nl) {
    for (size_t i = 0; m && i < m->field_count; i++)
        if (m->fields[i].name && strlen(m->fields[i].name) == nl && strncmp(m->fields[i].name, name, nl) == 0)
            return &m->fields[i];
    return NULL;
}

/* The body member `name` of body type t: of the object, or of any variant object of a union. */
static const pontes_field *body_member(const pontes_type *t, const char *name, size_t nl) {
    if (!t) return NULL;
    if (t->kind == PONTES_KIND_UNION && t->un) {
        for (size_t v = 0; v < t->un->count; v++) {
            const pontes_field *f = msg_field(body_object(t->un->variants[v]), name, nl);
            if (f) return f;
        }
        return NULL;
    }
    return msg_field(body_object(t), name, nl);
}

/* The message the members args[idx[0..n)] go to: the object, or the first union variant that
 * has them all (*variant its index). NULL: none. */
static const pontes_message *body_target(const pontes_type *t, char **argv, const int *idx, int n, int *variant) {
    *variant = -1;
    const pontes_message *cand[64];
    size_t nc = 0;
    if (t && t->kind == PONTES_KIND_UNION && t->un) {
        for (size_t v = 0; v < t->un->count && nc < 64; v++) cand[nc++] = body_object(t->un->variants[v]);
    } else {
        cand[nc++] = body_object(t);
    }
    for (size_t c = 0; c < nc; c++) {
        if (!cand[c]) continue;
        bool all = true;
        for (int k = 0; k < n && all; k++)
            all = msg_field(cand[c], argv[idx[k]], (size_t)(strchr(argv[idx[k]], '=') - argv[idx[k]])) != NULL;
        if (all) {
            if (t->kind == PONTES_KIND_UNION) *variant = (int)c;
            return cand[c];
        }
    }
    return NULL;
}

static bool is_file_kind(const pontes_field *f) {
    return f && (f->type->kind == PONTES_KIND_FILE || f->type->kind == PONTES_KIND_BYTES);
}

/* Which of the operation's media-type variants (entries with the same operationId) to send. */
static const pontes_operation_entry *choose_media(const cli_api *a, const pontes_operation_entry *first,
                                                  const call_opts *o, char **argv, const int *param_idx, int nparams,
                                                  const char *op_id) {
    const pontes_operation_entry *c[16];
    size_t nc = 0;
    for (size_t i = 0; i < *a->op_count && nc < 16; i++)
        if (strcmp(a->ops[i].op->operation_id, op_id) == 0) c[nc++] = &a->ops[i];
    if (nc <= 1) return first;
    if (o->content_type) {
        for (size_t i = 0; i < nc; i++) {
            const char *ct = c[i]->op->content_type;
            if (ct && strncmp(ct, o->content_type, strlen(o->content_type)) == 0) return c[i];
        }
        fprintf(stderr, "pontes: %s: --content-type %s is not one of the operation's:", op_id, o->content_type);
        for (size_t i = 0; i < nc; i++) fprintf(stderr, " %s", c[i]->op->content_type ? c[i]->op->content_type : "-");
        fputc('\n', stderr);
        return NULL;
    }
    const pontes_operation_entry *json = NULL;
    for (size_t i = 0; i < nc && !json; i++)
        if (c[i]->op->body_kind == PONTES_BODY_JSON) json = c[i];
    if (o->body_file) return json ? json : c[0];
    /* member=@PATH on a file member (format: binary): the variant that has it as a file */
    for (size_t i = 0; i < nc; i++) {
        bool has_file = false;
        for (int k = 0; k < nparams; k++) {
            const char *arg = argv[param_idx[k]];
            const char *eq = strchr(arg, '=');
            const pontes_field *f = body_member(c[i]->op->body_type, arg, (size_t)(eq - arg));
            if (f && f->type->kind == PONTES_KIND_FILE && eq[1] == '@') has_file = true;
        }
        if (has_file) return c[i];
    }
    return json ? json : c[0];
}

typedef struct body_files {
    pontes_file_source *src[16];
    unsigned char *mem[16];
    size_t n;
} body_files;

static void body_files_free(body_files *bf) {
    for (size_t i = 0; i < bf->n; i++) {
        pontes_file_source_free(bf->src[i]);
        free(bf->mem[i]);
    }
    bf->n = 0;
}

static const char *guess_type(const char *path) {
    const char *dot = strrchr(path, '.');
    static const struct { const char *ext, *type; } t[] = {
        {".pdf", "application/pdf"}, {".json", "application/json"}, {".txt", "text/plain"},
        {".xml", "application/xml"}, {".png", "image/png"},         {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},     {".csv", "text/csv"},          {".zip", "application/zip"},
    };
    for (size_t i = 0; dot && i < sizeof t / sizeof t[0]; i++)
        if (strcasecmp(dot, t[i].ext) == 0) return t[i].type;
    return "application/octet-stream";
}

/* Build the request body of op from member=value arguments (argv[idx[0..n)]): the members as
 * JSON, decoded with the body type; member=@PATH of a file / base64 member then points at a
 * streaming source of PATH (@-: stdin, read whole). EXIT_OK, EXIT_USAGE or EXIT_FAIL. */
static int body_from_members(const pontes_operation *op, char **argv, const int *idx, int n, const char *op_id,
                             void **body_out, body_files *bf) {
    int variant;
    const pontes_message *m = body_target(op->body_type, argv, idx, n, &variant);
    if (!m) {
        errf("%s: no %s of the request body (%s) has all of the members given", op_id,
             op->body_type->kind == PONTES_KIND_UNION ? "variant" : "form",
             op->body_type->name ? op->body_type->name : "body");
        return EXIT_USAGE;
    }
    cJSON *obj = cJSON_CreateObject();
    const pontes_field *ff[16];
    const char *fpath[16];
    size_t nf = 0;
    int ret = EXIT_USAGE;
    for (int k = 0; k < n; k++) {
        const char *arg = argv[idx[k]];
        const char *eq = strchr(arg, '=');
        const char *val = eq + 1;
        const pontes_field *f = msg_field(m, arg, (size_t)(eq - arg));
        cJSON *item = NULL;
        if (cJSON_GetObjectItemCaseSensitive(obj, f->name)) {
            errf("%s: body member %s given twice", op_id, f->name);
            goto out;
        }
        if (is_file_kind(f) && val[0] == '@') {
            if (nf == 16) {
                errf("%s: too many file members", op_id);
                goto out;
            }
            ff[nf] = f;
            fpath[nf++] = val + 1;
            item = cJSON_CreateString(""); /* placeholder: replaced by the source below */
        } else if (f->type->kind == PONTES_KIND_FILE) {
            errf("%s: body member %s is a file: give %s=@PATH (or @- for stdin)", op_id, f->name, f->name);
            goto out;
        } else {
            switch (f->type->kind) {
            case PONTES_KIND_STRING:
            case PONTES_KIND_ENUM:
            case PONTES_KIND_BYTES: item = cJSON_CreateString(val); break;
            case PONTES_KIND_DECIMAL:
                item = (f->type->flags & PONTES_T_DECIMAL_STRING) ? cJSON_CreateString(val)
                                                                  : cJSON_ParseWithLength(val, strlen(val));
                break;
            default: item = cJSON_ParseWithLength(val, strlen(val)); break;
            }
            if (!item) {
                errf("%s: body member %s: '%s' is not valid JSON", op_id, f->name, val);
                goto out;
            }
        }
        cJSON_AddItemToObject(obj, f->name, item);
    }
    char *json = cJSON_PrintUnformatted(obj);
    if (!json) {
        ret = EXIT_FAIL;
        goto out;
    }
    pontes_error derr = PONTES_ERROR_INIT;
    int rc = pontes_decode(op->body_type, json, strlen(json), NULL, body_out, &derr);
    cJSON_free(json);
    if (rc != PONTES_OK) {
        char prefix[256];
        snprintf(prefix, sizeof prefix, "%s: request body", op_id);
        print_codec_error(prefix, &derr);
        pontes_error_clear(&derr);
        goto out;
    }
    unsigned char *st = *body_out;
    if (variant >= 0) {
        const pontes_union_head *h = *body_out;
        if (h->kind != variant + 1) {
            errf("%s: the members given do not make a %s (a base64 member takes base64 text, or @PATH for a file)", op_id,
                 op->body_type->un->variant_names[variant]);
            goto out;
        }
        memcpy(&st, (unsigned char *)*body_out + op->body_type->un->value_offset, sizeof st);
    }
    ret = EXIT_FAIL;
    for (size_t i = 0; i < nf; i++) {
        const pontes_field *f = ff[i];
        void *slot = st + f->offset;
        pontes_file_source *src = NULL;
        unsigned char *mem = NULL;
        size_t mlen = 0;
        if (strcmp(fpath[i], "-") == 0) {
            mem = (unsigned char *)read_all(stdin, &mlen);
            if (!mem) {
                errf("%s: body member %s: cannot read stdin: %s", op_id, f->name, strerror(errno));
                goto out;
            }
        } else if (!*fpath[i]) {
            errf("%s: body member %s: @ needs a path (%s=@PATH)", op_id, f->name, f->name);
            ret = EXIT_USAGE;
            goto out;
        } else if (pontes_file_source_path(&src, fpath[i]) != PONTES_OK) {
            errf("%s: out of memory", op_id);
            goto out;
        }
        bf->src[bf->n] = src;
        bf->mem[bf->n++] = mem;
        if (f->type->kind == PONTES_KIND_FILE) {
            pontes_file *pf = slot;
            if (src) pontes_file_set_source(pf, src);
            else {
                pf->data = mem;
                pf->len = mlen;
            }
            const char *base = strrchr(fpath[i], '/');
            pf->filename = src ? (base ? base + 1 : fpath[i]) : "stdin";
            pf->content_type = guess_type(fpath[i]);
        } else {
            pontes_bytes *pb = slot;
            if (src) pontes_bytes_set_source(pb, src);
            else {
                pb->data = mem;
                pb->len = mlen;
            }
        }
    }
    ret = EXIT_OK;
out:
    cJSON_Delete(obj);
    if (ret != EXIT_OK) {
        pontes_free(*body_out);
        *body_out = NULL;
    }
    return ret;
}

/* ---- --all: every page of a list operation (x-pontes-pagination) ------------
 * The operation registry has no pagination descriptors (they are static in the generated
 * source, behind the typed <api>_<op>_iter_* functions), so the tool reads the operation's
 * x-pontes-pagination from generated/<api>/openapi.json, builds the same descriptor with a
 * page function of its own (one generic request per page, with the command line's
 * parameters) and lets the runtime's pager (pontes_pager_*) walk the pages. */

typedef struct cli_walk {
    const pontes_operation_entry *e;
    char **argv;
    const int *param_idx;
    int nparams;
    const pontes_pagination_desc *d;
} cli_walk;

static const pontes_param_desc *entry_param(const pontes_operation_entry *e, const char *name) {
    for (size_t j = 0; name && j < e->param_count; j++)
        if (strcmp(e->params[j].name, name) == 0) return &e->params[j];
    return NULL;
}

/* The page function: the operation with the command line's parameters, the one the pager
 * sets (cursor / page number / offset) replaced by its value. */
static int cli_page_fetch(pontes_client *c, const void *state, const pontes_page_args *pa,
                          const pontes_call_options *opts, void **out) {
    const cli_walk *w = *(cli_walk *const *)state;
    const pontes_pagination_desc *d = w->d;
    const char *over = pa->cursor ? d->cursor_param
                       : pa->set_number ? (d->style == PONTES_PAGE_NUMBER ? d->page_param : d->offset_param)
                                        : NULL;
    pontes_request *r = NULL;
    int rc = pontes_request_new(&r, c, w->e->op);
    for (int k = 0; rc == PONTES_OK && k < w->nparams; k++) {
        const char *arg = w->argv[w->param_idx[k]];
        const char *eq = strchr(arg, '=');
        size_t nl = (size_t)(eq - arg);
        if (over && strlen(over) == nl && strncmp(over, arg, nl) == 0) continue;
        for (size_t j = 0; j < w->e->param_count; j++) {
            if (strlen(w->e->params[j].name) == nl && strncmp(w->e->params[j].name, arg, nl) == 0) {
                if (add_param(r, &w->e->params[j], eq + 1, w->e->op->operation_id) != EXIT_OK) rc = PONTES_EINVAL;
                break;
            }
        }
    }
    const pontes_param_desc *pd = entry_param(w->e, over);
    pontes_param_in in = pd ? pd->in : PONTES_IN_QUERY;
    if (rc == PONTES_OK && pa->cursor) rc = pontes_request_param(r, in, over, pa->cursor);
    else if (rc == PONTES_OK && pa->set_number && over) rc = pontes_request_param_int(r, in, over, pa->number);
    if (rc == PONTES_OK && opts) rc = pontes_request_options(r, opts);
    if (rc != PONTES_OK) {
        pontes_request_free(r);
        return rc;
    }
    long status = 0;
    return pontes_request_send(r, out, &status);
}

/* x-pontes-pagination of operationId op_id in <generated>/<api>/openapi.json (*root: the
 * document, to free with cJSON_Delete). NULL: none (*why says why). */
static const cJSON *find_pagination(const cli_api *a, const char *op_id, cJSON **root, char *why, size_t cap) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/openapi.json", env_or("PONTES_GENERATED_DIR", PONTES_CLI_GENERATED_DIR),
             a->name);
    *root = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, cap, "cannot read %.700s (%.200s); set PONTES_GENERATED_DIR=/path/to/generated", path, strerror(errno));
        return NULL;
    }
    size_t len = 0;
    char *text = read_all(f, &len);
    fclose(f);
    *root = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    if (!*root) {
        snprintf(why, cap, "%.900s is not JSON", path);
        return NULL;
    }
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(*root, "paths"), *pi, *o;
    cJSON_ArrayForEach(pi, paths) {
        cJSON_ArrayForEach(o, pi) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "operationId");
            if (cJSON_IsString(id) && strcmp(id->valuestring, op_id) == 0) {
                const cJSON *pg = cJSON_GetObjectItemCaseSensitive(o, "x-pontes-pagination");
                if (cJSON_IsObject(pg)) return pg;
            }
        }
    }
    size_t n = (size_t)snprintf(why, cap, "%s is not a list operation with x-pontes-pagination (those of %s:", op_id,
                                a->name);
    bool any = false;
    cJSON_ArrayForEach(pi, paths) {
        cJSON_ArrayForEach(o, pi) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "operationId");
            if (n < cap && cJSON_IsString(id) && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, "x-pontes-pagination"))) {
                n += (size_t)snprintf(why + n, cap - n, " %s", id->valuestring);
                any = true;
            }
        }
    }
    if (n < cap) snprintf(why + n, cap - n, "%s)", any ? "" : " none");
    return NULL;
}

static const char *pg_str(const cJSON *pg, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(pg, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An integer parameter given on the command line (name=N), or false. */
static bool given_int(char **argv, const int *idx, int n, const char *name, int64_t *out) {
    size_t nl = name ? strlen(name) : 0;
    for (int k = n - 1; name && k >= 0; k--) {
        const char *arg = argv[idx[k]];
        if (strncmp(arg, name, nl) == 0 && arg[nl] == '=') {
            char *end = NULL;
            errno = 0;
            long long v = strtoll(arg + nl + 1, &end, 10);
            if (errno || end == arg + nl + 1 || *end) return false;
            *out = (int64_t)v;
            return true;
        }
    }
    return false;
}

static int call_all(const cli_api *a, const pontes_operation_entry *e, pontes_client *c, const call_opts *o,
                    char **argv, const int *param_idx, int nparams, const char *op_id) {
    char why[1024];
    cJSON *root = NULL;
    const cJSON *pg = find_pagination(a, op_id, &root, why, sizeof why);
    if (!pg) {
        errf("--all: %s", why);
        cJSON_Delete(root);
        return EXIT_USAGE;
    }
    const char *style = pg_str(pg, "style");
    pontes_pagination_desc d;
    memset(&d, 0, sizeof d);
    d.style = !style ? 0
              : strcmp(style, "keyset") == 0 ? PONTES_PAGE_KEYSET
              : strcmp(style, "page") == 0   ? PONTES_PAGE_NUMBER
              : strcmp(style, "offset") == 0 ? PONTES_PAGE_OFFSET
                                             : 0;
    d.operation_id = op_id;
    d.body_type = response_type(e->op, 200);
    d.items = pg_str(pg, "items");
    if (d.items && strcmp(d.items, "$") == 0) d.items = NULL;
    d.cursor_from = pg_str(pg, "cursor_from");
    d.has_more = pg_str(pg, "has_more");
    d.total = pg_str(pg, "total");
    d.count = pg_str(pg, "count");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(pg, "first_page");
    d.first_page = cJSON_IsNumber(fp) ? (int64_t)fp->valuedouble : 1;
    d.limit_param = pg_str(pg, "limit_param");
    d.cursor_param = pg_str(pg, "cursor_param");
    d.page_param = pg_str(pg, "page_param");
    d.size_param = pg_str(pg, "size_param");
    d.offset_param = pg_str(pg, "offset_param");
    d.fetch = cli_page_fetch;
    /* the items' type: the element type of the items member (or of the bare array's box) */
    const pontes_type *item_t = NULL;
    const pontes_message *m = (d.body_type && d.body_type->kind == PONTES_KIND_OBJECT) ? d.body_type->msg : NULL;
    for (size_t k = 0; m && k < m->field_count && !item_t; k++)
        if ((d.items ? strcmp(m->fields[k].name, d.items) == 0 : (m->flags & PONTES_M_BOX) != 0) &&
            m->fields[k].type->kind == PONTES_KIND_ARRAY)
            item_t = m->fields[k].type->elem;
    if (!d.style || !item_t || (item_t->kind != PONTES_KIND_OBJECT && item_t->kind != PONTES_KIND_UNION)) {
        errf("--all: %s: the x-pontes-pagination of the spec does not match the operation's 200 body (style %s, "
             "items %s)", op_id, style ? style : "?", d.items ? d.items : "$");
        cJSON_Delete(root);
        return EXIT_FAIL;
    }
    cli_walk w = {e, argv, param_idx, nparams, &d};
    pontes_pager *pager = NULL;
    void *state = NULL;
    int ret = EXIT_FAIL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = pontes_pager_new(&pager, c, &d, sizeof(cli_walk *), &state, NULL);
    if (rc == PONTES_OK) {
        *(cli_walk **)state = &w;
        int64_t size = 0, start = 0;
        const char *size_param = d.style == PONTES_PAGE_NUMBER ? d.size_param : d.limit_param;
        const char *start_param = d.style == PONTES_PAGE_NUMBER   ? d.page_param
                                  : d.style == PONTES_PAGE_OFFSET ? d.offset_param
                                                                  : NULL;
        if (!given_int(argv, param_idx, nparams, size_param, &size)) size = 0;
        bool has_start = given_int(argv, param_idx, nparams, start_param, &start);
        rc = pontes_pager_begin(pager, size, has_start, start);
    }
    if (rc != PONTES_OK) {
        print_call_error(op_id, pontes_client_last_error(c));
        goto out;
    }
    const void *item;
    size_t n = 0;
    while ((rc = pontes_pager_next(pager, &d, &item)) == PONTES_OK) {
        char *json = NULL;
        size_t jl = 0;
        pontes_error eerr = PONTES_ERROR_INIT;
        if (!item) {
            json = NULL;
            jl = 4;
        } else if (pontes_encode(item_t, item, &json, &jl, &eerr) != PONTES_OK) {
            char prefix[256];
            snprintf(prefix, sizeof prefix, "%s: item %zu", op_id, n);
            print_codec_error(prefix, &eerr);
            pontes_error_clear(&eerr);
            goto out;
        }
        if (len + jl + 4 > cap) {
            size_t nc = (cap ? cap * 2 : 65536);
            while (nc < len + jl + 4) nc *= 2;
            char *nb = realloc(buf, nc);
            if (!nb) {
                pontes_json_free(json);
                errf("%s: out of memory", op_id);
                goto out;
            }
            buf = nb;
            cap = nc;
        }
        buf[len++] = n ? ',' : '[';
        memcpy(buf + len, json ? json : "null", jl);
        len += jl;
        pontes_json_free(json);
        n++;
    }
    if (rc != PONTES_ITEROVER) {
        print_call_error(op_id, pontes_pager_error(pager));
        goto out;
    }
    if (!buf && !(buf = malloc(4))) goto out;
    if (!n) buf[len++] = '[';
    buf[len++] = ']';
    if (o->verbose)
        fprintf(stderr, "pontes: %s: %zu items in %zu pages (total reported: %lld)\n", op_id, n,
                pontes_pager_pages(pager), (long long)pontes_pager_total(pager));
    print_json(buf, len, o->pretty);
    ret = EXIT_OK;
out:
    free(buf);
    pontes_pager_free(pager);
    cJSON_Delete(root);
    return ret;
}

static int cmd_call(const cli_api *a, int argc, char **argv) {
    /* argv[0] = operationId, then params and options */
    const char *op_id = argv[0];
    const pontes_operation_entry *e = NULL;
    for (size_t i = 0; i < *a->op_count; i++)
        if (strcmp(a->ops[i].op->operation_id, op_id) == 0) e = &a->ops[i];
    if (!e) {
        size_t shown = 0;
        fprintf(stderr, "pontes: unknown operation '%s' in %s", op_id, a->name);
        for (size_t i = 0; i < *a->op_count; i++) {
            if (close_name(a->ops[i].op->operation_id, op_id)) {
                fprintf(stderr, "%s%s", shown ? ", " : "; did you mean: ", a->ops[i].op->operation_id);
                shown++;
            }
        }
        fputs(shown ? "?\n" : " (see: pontes ops <api>)\n", stderr);
        return EXIT_USAGE;
    }
    const pontes_operation *op = e->op;

    call_opts o = {0};
    o.base_url = env_or("PONTES_BASE_URL", NULL);
    o.token_url = env_or("PONTES_TOKEN_URL", NULL);
    o.client_id = env_or("PONTES_CLIENT_ID", NULL);
    o.client_secret = env_or("PONTES_CLIENT_SECRET", NULL);
    o.basic_token = env_or("PONTES_BASIC_TOKEN", NULL);
    o.scope = env_or("PONTES_SCOPE", NULL);
    o.bearer = env_or("PONTES_BEARER", NULL);
    o.api_key = env_or("PONTES_API_KEY", NULL);
    o.consumer_key = env_or("PONTES_CONSUMER_KEY", NULL);
    o.secret_key = env_or("PONTES_SECRET_KEY", NULL);
    o.access_token = env_or("PONTES_ACCESS_TOKEN", NULL);
    o.certificate = env_or("PONTES_CERTIFICATE", NULL);
    o.certificate_file = env_or("PONTES_CERTIFICATE_FILE", NULL);
    o.timeout_ms = 0;

    /* First pass: options. Parameters (name=value) are collected by index. */
    int *param_idx = calloc((size_t)argc, sizeof *param_idx);
    if (!param_idx) return EXIT_FAIL;
    int nparams = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) == 0) {
            static const struct { const char *name; size_t off; } sopts[] = {
                {"--body", offsetof(call_opts, body_file)},
                {"--content-type", offsetof(call_opts, content_type)},
                {"--base-url", offsetof(call_opts, base_url)},
                {"--token-url", offsetof(call_opts, token_url)},
                {"--client-id", offsetof(call_opts, client_id)},
                {"--client-secret", offsetof(call_opts, client_secret)},
                {"--basic-token", offsetof(call_opts, basic_token)},
                {"--scope", offsetof(call_opts, scope)},
                {"--bearer", offsetof(call_opts, bearer)},
                {"--api-key", offsetof(call_opts, api_key)},
                {"--consumer-key", offsetof(call_opts, consumer_key)},
                {"--secret-key", offsetof(call_opts, secret_key)},
                {"--code", offsetof(call_opts, code)},
                {"--access-token", offsetof(call_opts, access_token)},
                {"--token-expires-at", offsetof(call_opts, token_expires_at)},
                {"--certificate-file", offsetof(call_opts, certificate_file)},
                {"--certificate", offsetof(call_opts, certificate)},
            };
            bool matched = false;
            const char *v = NULL;
            if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0) {
                o.verbose = true;
                continue;
            }
            if (strcmp(arg, "--pretty") == 0) {
                o.pretty = true;
                continue;
            }
            if (strcmp(arg, "--mock") == 0) {
                o.mock = true;
                continue;
            }
            if (strcmp(arg, "--sign") == 0) {
                o.sign = true;
                continue;
            }
            if (strcmp(arg, "--all") == 0) {
                o.all = true;
                continue;
            }
            {
                static const char *const kvopts[] = {"--session-credential", "--session-header"};
                size_t kk;
                for (kk = 0; kk < 2; kk++) {
                    v = opt_value(argc, argv, &i, kvopts[kk], &matched);
                    if (matched) break;
                }
                if (matched) {
                    const char **arr = kk == 0 ? o.session_cred : o.session_hdr;
                    size_t *cnt = kk == 0 ? &o.n_session_cred : &o.n_session_hdr;
                    if (!v || check_session_arg(a->api, kvopts[kk], v) != EXIT_OK) {
                        free(param_idx);
                        return EXIT_USAGE;
                    }
                    if (*cnt == sizeof o.session_cred / sizeof o.session_cred[0]) {
                        errf("%s given too often", kvopts[kk]);
                        free(param_idx);
                        return EXIT_USAGE;
                    }
                    arr[(*cnt)++] = v;
                    continue;
                }
            }
            v = opt_value(argc, argv, &i, "--timeout-ms", &matched);
            if (matched) {
                char *end = NULL;
                long t = v ? strtol(v, &end, 10) : -1;
                if (!v || end == v || *end || t <= 0) {
                    if (v) errf("--timeout-ms: '%s' is not a positive integer", v);
                    free(param_idx);
                    return EXIT_USAGE;
                }
                o.timeout_ms = t;
                continue;
            }
            size_t k;
            for (k = 0; k < sizeof sopts / sizeof sopts[0]; k++) {
                v = opt_value(argc, argv, &i, sopts[k].name, &matched);
                if (matched) break;
            }
            if (!matched) {
                errf("unknown option '%s' (see: pontes call --help)", arg);
                free(param_idx);
                return EXIT_USAGE;
            }
            if (!v) {
                free(param_idx);
                return EXIT_USAGE;
            }
            *(const char **)((char *)&o + sopts[k].off) = v;
        } else if (strchr(arg, '=') && arg[0] != '=') {
            param_idx[nparams++] = i;
        } else {
            errf("%s: unexpected argument '%s' (parameters are name=value)", op_id, arg);
            free(param_idx);
            return EXIT_USAGE;
        }
    }

    /* --token-expires-at: Unix seconds, with --access-token; --certificate or --certificate-file. */
    int64_t token_expires_at = 0;
    if (o.token_expires_at) {
        char *end = NULL;
        errno = 0;
        long long t = strtoll(o.token_expires_at, &end, 10);
        if (errno || end == o.token_expires_at || *end || t <= 0) {
            errf("--token-expires-at: '%s' is not a Unix time in seconds (a positive integer)", o.token_expires_at);
            free(param_idx);
            return EXIT_USAGE;
        }
        if (!o.access_token) {
            errf("--token-expires-at is the expiry of --access-token: give the token too");
            free(param_idx);
            return EXIT_USAGE;
        }
        token_expires_at = (int64_t)t;
    }
    if (o.certificate && o.certificate_file) {
        errf("give either --certificate VALUE or --certificate-file PATH, not both (env PONTES_CERTIFICATE / "
             "PONTES_CERTIFICATE_FILE count too)");
        free(param_idx);
        return EXIT_USAGE;
    }

    /* Several request media types (multipart and JSON, ...): pick one (--content-type, else by the arguments). */
    {
        const pontes_operation_entry *ch = choose_media(a, e, &o, argv, param_idx, nparams, op_id);
        if (!ch) {
            free(param_idx);
            return EXIT_USAGE;
        }
        e = ch;
        op = e->op;
    }

    /* The base URL: --base-url, PONTES_BASE_URL, else the spec's first server; --mock: the mock. */
    bool base_given = o.base_url != NULL;
    if (!o.base_url) o.base_url = a->api->default_base_url;
    if (o.mock && base_given) {
        errf("%s: --mock runs against the bundled mock server; it excludes --base-url / PONTES_BASE_URL", op_id);
        free(param_idx);
        return EXIT_USAGE;
    }
    if (!o.mock && (!o.base_url || !*o.base_url)) {
        errf("%s: the spec names no server: give --base-url URL (env PONTES_BASE_URL), or --mock", op_id);
        free(param_idx);
        return EXIT_USAGE;
    }
    char *default_token_url = NULL;
    int ret = EXIT_FAIL;
    pontes_client *c = NULL;
    pontes_request *r = NULL;
    char *body_json = NULL;
    void *body = NULL;
    void *out = NULL;
    char *server_base = NULL;
    mock_server mock = {0};
    body_files bfiles = {{NULL}, {NULL}, 0};
    int nbody = 0;
    int *body_idx = calloc((size_t)argc, sizeof *body_idx);

    /* Check parameters before doing any I/O. */
    bool *seen = calloc(e->param_count ? e->param_count : 1, sizeof *seen);
    if (!seen || !body_idx) goto done;
    for (int k = 0; k < nparams; k++) {
        const char *arg = argv[param_idx[k]];
        size_t nl = (size_t)(strchr(arg, '=') - arg);
        size_t j;
        for (j = 0; j < e->param_count; j++)
            if (strlen(e->params[j].name) == nl && strncmp(e->params[j].name, arg, nl) == 0) break;
        if (j == e->param_count && op->body_type && body_member(op->body_type, arg, nl)) {
            body_idx[nbody++] = param_idx[k]; /* a member of the request body */
            continue;
        }
        if (j == e->param_count) {
            fprintf(stderr, "pontes: %s: unknown parameter '%.*s'", op_id, (int)nl, arg);
            if (e->param_count) {
                fputs(" (parameters:", stderr);
                for (j = 0; j < e->param_count; j++) fprintf(stderr, " %s", e->params[j].name);
                fputs(")\n", stderr);
            } else {
                fputs(" (the operation has no parameters)\n", stderr);
            }
            ret = EXIT_USAGE;
            goto done;
        }
        if (seen[j] && e->params[j].kind != PONTES_KIND_ARRAY && e->params[j].in != PONTES_IN_QUERY) {
            errf("%s: parameter %s given twice", op_id, e->params[j].name);
            ret = EXIT_USAGE;
            goto done;
        }
        seen[j] = true;
    }
    const pontes_auth_profile *login = login_profile_of(a->api, op);
    for (size_t j = 0; j < e->param_count; j++) {
        if (e->params[j].required && !seen[j] &&
            !(login && e->params[j].in == PONTES_IN_HEADER && login_header_value(login, &o, e->params[j].name))) {
            errf("%s: missing required parameter %s=... (%s)", op_id, e->params[j].name, in_name(e->params[j].in));
            ret = EXIT_USAGE;
            goto done;
        }
    }

    /* Body. */
    if (o.body_file && !op->body_type) {
        errf("%s: the operation takes no request body", op_id);
        ret = EXIT_USAGE;
        goto done;
    }
    if (nbody && o.body_file) {
        errf("%s: give the request body either with --body or as member=value arguments, not both", op_id);
        ret = EXIT_USAGE;
        goto done;
    }
    if (op->body_type && !o.body_file && !nbody) {
        errf("%s: the operation needs a request body: --body FILE|- or member=value arguments (%s)", op_id,
             op->body_type->name ? op->body_type->name : "JSON");
        ret = EXIT_USAGE;
        goto done;
    }
    if (nbody) {
        int brc = body_from_members(op, argv, body_idx, nbody, op_id, &body, &bfiles);
        if (brc != EXIT_OK) {
            ret = brc;
            goto done;
        }
    }
    if (o.body_file) {
        size_t len = 0;
        FILE *f = strcmp(o.body_file, "-") == 0 ? stdin : fopen(o.body_file, "rb");
        if (!f) {
            errf("%s: cannot open %s: %s", op_id, o.body_file, strerror(errno));
            goto done;
        }
        body_json = read_all(f, &len);
        int saved = errno;
        if (f != stdin) fclose(f);
        if (!body_json) {
            errf("%s: cannot read %s: %s", op_id, o.body_file, strerror(saved));
            goto done;
        }
        pontes_error derr = PONTES_ERROR_INIT;
        if (pontes_decode(op->body_type, body_json, len, NULL, &body, &derr) != PONTES_OK) {
            char prefix[256];
            snprintf(prefix, sizeof prefix, "%s: request body", op_id);
            print_codec_error(prefix, &derr);
            pontes_error_clear(&derr);
            goto done;
        }
    }

    /* Credentials: without --mock nothing is assumed; each missing piece is named. */
    if (!o.mock && op->security_count) {
        bool ok = false;
        for (size_t k = 0; k < op->security_count && !ok; k += requirement_len(op, k))
            ok = requirement_ok(op, k, requirement_len(op, k), &o);
        if (!ok) {
            fprintf(stderr, "pontes: %s: missing credentials:", op_id);
            for (size_t k = 0; k < op->security_count; k += requirement_len(op, k)) {
                size_t n = requirement_len(op, k);
                fprintf(stderr, "%s", k ? ";\n  or" : "");
                if (n > 1) {
                    fputs(" the security requirement", stderr);
                    for (size_t j = k; j < k + n; j++)
                        fprintf(stderr, "%s%s", j > k ? " + " : " ", op->security[j].scheme);
                    fputs(" (every scheme is sent):", stderr);
                }
                bool first = true;
                for (size_t j = k; j < k + n; j++) {
                    const char *m = missing_credentials(&op->security[j], &o);
                    if (!m) continue;
                    fprintf(stderr, "%s security scheme %s (%s) needs %s", first ? "" : ";", op->security[j].scheme,
                            sec_kind(&op->security[j]), m);
                    first = false;
                }
            }
            fputs("\n  (or --mock: the bundled mock server with its default credentials)\n", stderr);
            ret = EXIT_USAGE;
            goto done;
        }
    }
    /* --mock: start it, point everything at it, with its default credentials. */
    if (o.mock) {
        if (mock_start(a, &mock) != EXIT_OK) goto done;
        if (o.verbose) fprintf(stderr, "pontes: mock server on %s\n", mock.url);
        o.base_url = mock.url;
        size_t n = strlen(mock.url) + sizeof "/oauth2/token";
        default_token_url = malloc(n);
        if (!default_token_url) goto done;
        snprintf(default_token_url, n, "%s/oauth2/token", mock.url);
        o.token_url = default_token_url;
        if (!o.client_id && !o.client_secret && !o.basic_token && !o.bearer && !o.api_key) {
            o.client_id = MOCK_CLIENT_ID;
            o.client_secret = MOCK_CLIENT_SECRET;
        }
        if (!o.consumer_key) o.consumer_key = MOCK_CONSUMER_KEY;
        if (!o.certificate && !o.certificate_file && !o.api_key) o.certificate = MOCK_CERTIFICATE;
    }

    /* Client. */
    pontes_client_options copts = PONTES_CLIENT_OPTIONS_INIT;
    copts.base_url = o.base_url;
    if (o.timeout_ms > 0) copts.timeout_ms = o.timeout_ms;
    if (o.verbose) {
        copts.log = log_to_stderr;
        copts.log_level = PONTES_LOG_INFO;
    }
    int rc = pontes_client_new(&c, a->api, &copts);
    if (rc != PONTES_OK) {
        errf("%s: cannot create the client: %s", op_id, pontes_status_name(rc));
        goto done;
    }
    if (op->server_group) {
        /* e.g. the token endpoint's "auth" servers: the token URL's server. */
        server_base = url_origin(o.token_url ? o.token_url : o.base_url);
        if (!server_base || pontes_client_set_server(c, op->server_group, server_base) != PONTES_OK) {
            errf("%s: cannot set the server for group %s", op_id, op->server_group);
            goto done;
        }
    }

    /* Credentials for every security scheme of the operation. */
    for (size_t k = 0; k < op->security_count; k++) {
        const pontes_security_req *s = &op->security[k];
        bool done_before = false; /* a scheme listed by several requirements is set once */
        for (size_t j = 0; j < k && !done_before; j++) done_before = strcmp(op->security[j].scheme, s->scheme) == 0;
        if (done_before) continue;
        rc = PONTES_OK;
        switch (s->type) {
        case PONTES_SEC_BEARER:
            if (is_session(s)) {
                rc = set_session(c, s->scheme, s->profile, &o);
            } else if (o.bearer) {
                rc = pontes_client_set_bearer(c, s->scheme, o.bearer);
            } else if (o.token_url && ((o.client_id && o.client_secret) || o.basic_token)) {
                pontes_oauth2_options oo = PONTES_OAUTH2_OPTIONS_INIT;
                oo.token_url = o.token_url;
                if (o.basic_token) oo.basic_token = o.basic_token;
                else {
                    oo.client_id = o.client_id;
                    oo.client_secret = o.client_secret;
                }
                oo.scope = o.scope;
                rc = pontes_client_set_oauth2_client_credentials(c, s->scheme, &oo);
            }
            break;
        case PONTES_SEC_BASIC:
            if (o.basic_token) rc = pontes_client_set_basic(c, s->scheme, NULL, NULL, o.basic_token);
            else if (o.client_id && o.client_secret)
                rc = pontes_client_set_basic(c, s->scheme, o.client_id, o.client_secret, NULL);
            break;
        case PONTES_SEC_API_KEY:
            if (is_static_header(s) && o.certificate_file)
                rc = pontes_client_set_api_key_from_certificate(c, s->scheme, o.certificate_file);
            else if (is_static_header(s) && o.certificate)
                rc = pontes_client_set_api_key(c, s->scheme, o.certificate);
            else if (o.api_key)
                rc = pontes_client_set_api_key(c, s->scheme, o.api_key);
            break;
        case PONTES_SEC_OAUTH_PARAMS:
            if (o.consumer_key) {
                pontes_oauth_params_options po = PONTES_OAUTH_PARAMS_OPTIONS_INIT;
                po.consumer_key = o.consumer_key;
                po.secret_key = o.secret_key;
                if (o.sign) po.sign = 1;
                rc = pontes_client_set_oauth_params(c, s->scheme, &po);
                if (rc == PONTES_OK && o.code) rc = pontes_client_set_oauth_params_code(c, s->scheme, o.code);
                if (rc == PONTES_OK && o.access_token)
                    rc = pontes_client_set_oauth_params_token(c, s->scheme, o.access_token, token_expires_at);
            }
            break;
        default:
            break;
        }
        if (rc != PONTES_OK) {
            const pontes_error *le = pontes_client_last_error(c);
            if (le && le->status != PONTES_OK && le->message)
                errf("%s: cannot configure credentials for %s: %s", op_id, s->scheme, le->message);
            else
                errf("%s: cannot configure credentials for %s: %s", op_id, s->scheme, pontes_status_name(rc));
            goto done;
        }
    }

    /* The login operation of a session scheme (BCTT: Authenticate): the client holds the
     * session credentials too (redacted everywhere; the token answered is kept). */
    if (login && login->scheme) {
        rc = set_session(c, login->scheme, login, &o);
        if (rc != PONTES_OK) {
            const pontes_error *le = pontes_client_last_error(c);
            errf("%s: cannot configure credentials for %s: %s", op_id, login->scheme,
                 (le && le->status != PONTES_OK && le->message) ? le->message : pontes_status_name(rc));
            goto done;
        }
    }

    /* --all: every page of a list operation, the items as one JSON array. */
    if (o.all) {
        ret = call_all(a, e, c, &o, argv, param_idx, nparams, op_id);
        goto done;
    }

    /* Request. */
    rc = pontes_request_new(&r, c, op);
    if (rc != PONTES_OK) {
        errf("%s: cannot create the request: %s", op_id, pontes_status_name(rc));
        goto done;
    }
    for (int k = 0; k < nparams; k++) {
        const char *arg = argv[param_idx[k]];
        const char *eq = strchr(arg, '=');
        size_t nl = (size_t)(eq - arg);
        for (size_t j = 0; j < e->param_count; j++) {
            if (strlen(e->params[j].name) == nl && strncmp(e->params[j].name, arg, nl) == 0) {
                int prc = add_param(r, &e->params[j], eq + 1, op_id);
                if (prc != EXIT_OK) {
                    if (prc == EXIT_FAIL) {
                        const pontes_error *le = pontes_client_last_error(c);
                        errf("%s: parameter %s: %s", op_id, e->params[j].name,
                             (le && le->message) ? le->message : "invalid value");
                    }
                    ret = prc;
                    goto done;
                }
                break;
            }
        }
    }
    for (size_t j = 0; login && j < e->param_count; j++) {
        const char *v;
        if (seen[j] || e->params[j].in != PONTES_IN_HEADER || !(v = login_header_value(login, &o, e->params[j].name)))
            continue;
        if (pontes_request_param(r, PONTES_IN_HEADER, e->params[j].name, v) != PONTES_OK) {
            const pontes_error *le = pontes_client_last_error(c);
            errf("%s: parameter %s: %s", op_id, e->params[j].name, (le && le->message) ? le->message : "invalid value");
            goto done;
        }
    }
    if (body) {
        rc = pontes_request_body(r, body);
        if (rc != PONTES_OK) {
            const pontes_error *le = pontes_client_last_error(c);
            if (le && le->status != PONTES_OK) print_call_error(op_id, le);
            else errf("%s: cannot set the body: %s", op_id, pontes_status_name(rc));
            goto done;
        }
    }

    long status = 0;
    rc = pontes_request_send(r, &out, &status);
    r = NULL; /* consumed */
    if (o.verbose && status) fprintf(stderr, "HTTP %ld\n", status);
    if (rc != PONTES_OK) {
        const pontes_error *le = pontes_client_last_error(c);
        if (o.verbose && !status && le->http_status) fprintf(stderr, "HTTP %ld\n", le->http_status);
        print_call_error(op_id, le);
        goto done;
    }
    if (out) {
        const pontes_type *rt = response_type(op, status);
        if (!rt) {
            errf("%s: HTTP %ld: no response type for this status", op_id, status);
            goto done;
        }
        char *json = NULL;
        size_t json_len = 0;
        pontes_error eerr = PONTES_ERROR_INIT;
        if (pontes_encode(rt, out, &json, &json_len, &eerr) != PONTES_OK) {
            char prefix[256];
            snprintf(prefix, sizeof prefix, "%s: response", op_id);
            print_codec_error(prefix, &eerr);
            pontes_error_clear(&eerr);
            goto done;
        }
        print_json(json, json_len, o.pretty);
        pontes_json_free(json);
    }
    ret = EXIT_OK;

done:
    mock_stop(&mock);
    pontes_free(out);
    pontes_request_free(r);
    pontes_client_free(c);
    pontes_free(body);
    body_files_free(&bfiles); /* after the request: its body pointed at them */
    free(body_idx);
    free(body_json);
    free(server_base);
    free(seen);
    free(default_token_url);
    free(param_idx);
    return ret;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || is_help(cmd)) {
        if (strcmp(cmd, "help") == 0 && argc >= 3 && is_help(argv[2])) {
            fputs(USAGE_HELP, stdout);
            return EXIT_OK;
        }
        if (argc >= 3 && !is_help(argv[2])) {
            const char *u = cmd_usage(argv[2]);
            if (!u) {
                errf("unknown command '%s' (see: pontes help)", argv[2]);
                return EXIT_USAGE;
            }
            fputs(u, stdout);
            return EXIT_OK;
        }
        usage(stdout);
        return EXIT_OK;
    }
    const char *u = cmd_usage(cmd);
    if (!u) {
        errf("unknown command '%s' (see: pontes help)", cmd);
        return EXIT_USAGE;
    }
    /* <command> --help, anywhere on the line (not as a name=value or option value). */
    for (int i = 2; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(u, stdout);
            return EXIT_OK;
        }
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("pontes %s (runtime %s)\n", PONTES_VERSION, pontes_version());
        for (size_t i = 0; i < CLI_API_COUNT; i++)
            printf("  %s: %s, API version %s, base URL %s\n", cli_apis[i].name, cli_apis[i].api->title,
                   cli_apis[i].api->version,
                   cli_apis[i].api->default_base_url && *cli_apis[i].api->default_base_url
                       ? cli_apis[i].api->default_base_url
                       : "(none in the spec)");
        return EXIT_OK;
    }
    const cli_api *a;
    if (strcmp(cmd, "ops") == 0) {
        if (argc != 3) {
            fprintf(stderr, "pontes: %s", u);
            return EXIT_USAGE;
        }
        if (!(a = find_api(argv[2]))) return EXIT_USAGE;
        return cmd_ops(a);
    }
    if (strcmp(cmd, "schemas") == 0) {
        if (argc != 3 && argc != 4) {
            fprintf(stderr, "pontes: %s", u);
            return EXIT_USAGE;
        }
        if (!(a = find_api(argv[2]))) return EXIT_USAGE;
        return cmd_schemas(a, argc == 4 ? argv[3] : NULL);
    }
    if (strcmp(cmd, "coverage") == 0) {
        bool json = false;
        const char *name = NULL;
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--json") == 0) json = true;
            else if (argv[i][0] == '-' || name) {
                errf("coverage: unexpected argument '%s'", argv[i]);
                fprintf(stderr, "pontes: %s", u);
                return EXIT_USAGE;
            } else name = argv[i];
        }
        if (!name) {
            fprintf(stderr, "pontes: %s", u);
            return EXIT_USAGE;
        }
        if (!(a = find_api(name))) return EXIT_USAGE;
        return cmd_coverage(a, json);
    }
    if (strcmp(cmd, "roundtrip") == 0) {
        bool strict = false, pretty = false;
        const char *pos[2] = {NULL, NULL};
        int npos = 0;
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--strict") == 0) strict = true;
            else if (strcmp(argv[i], "--pretty") == 0) pretty = true;
            else if (argv[i][0] == '-' || npos == 2) {
                errf("roundtrip: unexpected argument '%s'", argv[i]);
                fprintf(stderr, "pontes: %s", u);
                return EXIT_USAGE;
            } else pos[npos++] = argv[i];
        }
        if (npos != 2) {
            fprintf(stderr, "pontes: %s", u);
            return EXIT_USAGE;
        }
        if (!(a = find_api(pos[0]))) return EXIT_USAGE;
        return cmd_roundtrip(a, pos[1], strict, pretty);
    }
    /* call */
    if (argc < 4) {
        fprintf(stderr, "pontes: %s", u);
        return EXIT_USAGE;
    }
    if (!(a = find_api(argv[2]))) return EXIT_USAGE;
    return cmd_call(a, argc - 3, argv + 3);
}
