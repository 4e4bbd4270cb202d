/* Replays a committed corpus through the schema fuzz harness (fuzz_schemas.c) without
 * libFuzzer, plus a bounded number of deterministic mutations of each file; every input
 * sits in a heap buffer of exactly its length so that ASan/valgrind see stray reads.
 *
 * Corpus layout (tests/fuzz/corpus/): <api>/<Schema>/<file>, each file the JSON text only,
 * so that the corpus survives schemas and APIs being added (the 2-byte selector of the
 * harness input is derived from the names at run time). Directories of APIs or schemas
 * this build does not have are skipped (counted).
 *
 *   fuzz_schemas_replay [-m N] ROOT...        replay every ROOT/<api>/<Schema>/<file> (N mutations each, default 20)
 *   fuzz_schemas_replay [-m N] --raw PATH...  replay raw harness inputs (2-byte selector + JSON): files or dirs
 *   fuzz_schemas_replay --export ROOT OUT     write ROOT as raw harness inputs into OUT (for libFuzzer)
 *   fuzz_schemas_replay --import IN ROOT      store the raw inputs of IN under ROOT/<api>/<Schema>/ (new files only)
 *   fuzz_schemas_replay --list                list api, global index and schema name
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_schemas.h"

static unsigned long long inputs, files, skipped;

static int read_file(const char *path, uint8_t **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    if (!b) abort();
    for (;;) {
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap);
            if (!b) abort();
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return -1;
    }
    *data = b;
    *size = n;
    return 0;
}

static int write_file(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, size, f) == size;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* snprintf that refuses to truncate a path. */
#define PATHF(buf, ...)                                                   \
    do {                                                                  \
        int n_ = snprintf(buf, sizeof buf, __VA_ARGS__);             \
        if (n_ < 0 || (size_t)n_ >= sizeof buf) {                         \
            fprintf(stderr, "fuzz_schemas_replay: path too long\n");      \
            exit(1);                                                      \
        }                                                                 \
    } while (0)

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Sorted entries of a directory, without "." names; returns count or -1. */
static int list_dir(const char *path, struct dirent ***out) {
    struct dirent **e;
    int n = scandir(path, &e, NULL, alphasort);
    if (n < 0) return -1;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (e[i]->d_name[0] == '.') free(e[i]);
        else e[k++] = e[i];
    }
    *out = e;
    return k;
}

static void run_exact(const uint8_t *d, size_t n) {
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) abort();
    if (n) memcpy(exact, d, n);
    fuzz_schemas_one(exact, n);
    free(exact);
    inputs++;
}

static uint64_t rng;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t fnv1a(const uint8_t *d, size_t n) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) h = (h ^ d[i]) * 1099511628211u;
    return h;
}

/* The input itself, then `mutations` deterministic edits of its JSON part (the selector kept). */
static void run_with_mutations(const uint8_t *d, size_t n, long mutations) {
    static const char pieces[] = "{}[]\",:0123456789.-+eEtrufalsn\\/ \x80\xc3\xff";
    static const char *const tokens[] = {"null", "true", "0", "-1", "1e309", "9223372036854775808", "\"\"",
                                         "\"x\"", "{}", "[]", "\"2024-02-30\"", "\"\\u0000\"", "\"\\ud800\"",
                                         "1.5", "\"AAAA\""};
    run_exact(d, n);
    if (n < 2) return;
    uint8_t *buf = malloc(2 * n + 64);
    if (!buf) abort();
    rng = fnv1a(d, n) | 1;
    for (long i = 0; i < mutations; i++) {
        size_t m = n;
        memcpy(buf, d, n);
        int edits = 1 + (int)(next() % 3);
        for (int e = 0; e < edits; e++) {
            size_t body = m - 2, at = 2 + (body ? next() % body : 0);
            switch (next() % 5) {
            case 0: if (at < m) buf[at] = (uint8_t)pieces[next() % (sizeof pieces - 1)]; break;
            case 1: if (at < m) { memmove(buf + at, buf + at + 1, m - at - 1); m--; } break;
            case 2: if (m < 2 * n + 32) { memmove(buf + at + 1, buf + at, m - at); buf[at] = (uint8_t)pieces[next() % (sizeof pieces - 1)]; m++; } break;
            case 3: { /* replace a run up to the next delimiter with a token */
                const char *tok = tokens[next() % (sizeof tokens / sizeof tokens[0])];
                size_t tl = strlen(tok), end = at;
                while (end < m && !strchr(",}]:", buf[end])) end++;
                if (m - (end - at) + tl > 2 * n + 60) break;
                memmove(buf + at + tl, buf + end, m - end);
                memcpy(buf + at, tok, tl);
                m = m - (end - at) + tl;
                break;
            }
            default: m = at; break; /* truncate */
            }
        }
        run_exact(buf, m);
    }
    free(buf);
}

/* One JSON file of api/schema: prefix the selector and run. */
static int run_named(const char *api, const char *schema, const char *path, long mutations) {
    size_t g = fuzz_schema_find(api, schema);
    if (g == (size_t)-1) {
        skipped++;
        return 0;
    }
    uint8_t *d;
    size_t n;
    if (read_file(path, &d, &n) != 0) {
        fprintf(stderr, "fuzz_schemas_replay: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *in = malloc(n + 2);
    if (!in) abort();
    in[0] = (uint8_t)(g >> 8);
    in[1] = (uint8_t)g;
    memcpy(in + 2, d, n);
    free(d);
    files++;
    run_with_mutations(in, n + 2, mutations);
    free(in);
    return 0;
}

typedef int (*file_fn)(const char *api, const char *schema, const char *path, void *arg);

/* Calls fn for every ROOT/<api>/<Schema>/<file>. */
static int walk_root(const char *root, file_fn fn, void *arg) {
    struct dirent **apis;
    int na = list_dir(root, &apis);
    if (na < 0) {
        fprintf(stderr, "fuzz_schemas_replay: cannot open %s: %s\n", root, strerror(errno));
        return -1;
    }
    int rc = 0;
    char p1[4096], p2[4096], p3[4096];
    for (int a = 0; a < na; a++) {
        PATHF(p1, "%s/%s", root, apis[a]->d_name);
        struct dirent **schemas;
        int ns = is_dir(p1) ? list_dir(p1, &schemas) : -1;
        for (int s = 0; s < ns; s++) {
            PATHF(p2, "%s/%s", p1, schemas[s]->d_name);
            struct dirent **fs;
            int nf = is_dir(p2) ? list_dir(p2, &fs) : -1;
            for (int f = 0; f < nf; f++) {
                PATHF(p3, "%s/%s", p2, fs[f]->d_name);
                if (rc == 0 && !is_dir(p3) && fn(apis[a]->d_name, schemas[s]->d_name, p3, arg) != 0) rc = -1;
                free(fs[f]);
            }
            if (nf >= 0) free(fs);
            free(schemas[s]);
        }
        if (ns >= 0) free(schemas);
        free(apis[a]);
    }
    free(apis);
    return rc;
}

static int replay_fn(const char *api, const char *schema, const char *path, void *arg) {
    return run_named(api, schema, path, *(long *)arg);
}

static int export_fn(const char *api, const char *schema, const char *path, void *arg) {
    const char *out = arg;
    size_t g = fuzz_schema_find(api, schema);
    if (g == (size_t)-1) {
        skipped++;
        return 0;
    }
    uint8_t *d;
    size_t n;
    if (read_file(path, &d, &n) != 0) return -1;
    uint8_t *in = malloc(n + 2);
    if (!in) abort();
    in[0] = (uint8_t)(g >> 8);
    in[1] = (uint8_t)g;
    memcpy(in + 2, d, n);
    const char *base = strrchr(path, '/');
    char p[4096];
    PATHF(p, "%s/%s-%s-%s", out, api, schema, base ? base + 1 : path);
    int rc = write_file(p, in, n + 2);
    free(in);
    free(d);
    files++;
    return rc;
}

/* Raw inputs: a file, or every file of a directory. */
static int for_raw(const char *path, int (*fn)(const char *path, const uint8_t *d, size_t n, void *arg), void *arg) {
    if (is_dir(path)) {
        struct dirent **fs;
        int nf = list_dir(path, &fs);
        if (nf < 0) return -1;
        int rc = 0;
        for (int f = 0; f < nf; f++) {
            char p[4096];
            PATHF(p, "%s/%s", path, fs[f]->d_name);
            if (rc == 0 && !is_dir(p) && for_raw(p, fn, arg) != 0) rc = -1;
            free(fs[f]);
        }
        free(fs);
        return rc;
    }
    uint8_t *d;
    size_t n;
    if (read_file(path, &d, &n) != 0) {
        fprintf(stderr, "fuzz_schemas_replay: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = fn(path, d, n, arg);
    free(d);
    return rc;
}

static int raw_replay_fn(const char *path, const uint8_t *d, size_t n, void *arg) {
    (void)path;
    files++;
    run_with_mutations(d, n, *(long *)arg);
    return 0;
}

static int mkdir_p(const char *path) {
    char p[4096];
    PATHF(p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) return -1;
            *s = '/';
        }
    }
    return (mkdir(p, 0777) != 0 && errno != EEXIST) ? -1 : 0;
}

static int import_fn(const char *path, const uint8_t *d, size_t n, void *arg) {
    const char *root = arg;
    size_t total = fuzz_schema_total();
    (void)path;
    if (n < 2 || total == 0) return 0;
    size_t g = ((size_t)d[0] << 8 | d[1]) % total;
    const fuzz_api *api;
    const char *name;
    const pontes_type *t;
    if (!fuzz_schema_at(g, &api, &name, &t)) return -1;
    char dir[4096], p[4200];
    PATHF(dir, "%s/%s/%s", root, api->name, name);
    if (mkdir_p(dir) != 0) return -1;
    PATHF(p, "%s/%016llx", dir, (unsigned long long)fnv1a(d + 2, n - 2));
    struct stat st;
    if (stat(p, &st) == 0) return 0;
    /* the same text under another name (a seed)? */
    struct dirent **fs;
    int nf = list_dir(dir, &fs), same = 0;
    for (int f = 0; f < nf; f++) {
        char q[4200];
        uint8_t *e;
        size_t en;
        PATHF(q, "%s/%s", dir, fs[f]->d_name);
        if (!same && read_file(q, &e, &en) == 0) {
            same = en == n - 2 && memcmp(e, d + 2, en) == 0;
            free(e);
        }
        free(fs[f]);
    }
    if (nf >= 0) free(fs);
    if (same) return 0;
    files++;
    return write_file(p, d + 2, n - 2);
}

static int usage(void) {
    fputs("usage: fuzz_schemas_replay [-m N] ROOT... | [-m N] --raw PATH... | --export ROOT OUT |"
          " --import IN ROOT | --list\n",
          stderr);
    return 2;
}

int main(int argc, char **argv) {
    fuzz_schemas_only(getenv("PONTES_FUZZ_API")); /* the same selection as the fuzz target */
    long mutations = 20;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-m") == 0) {
        mutations = atol(argv[i + 1]);
        i += 2;
    }
    if (i >= argc) return usage();
    if (strcmp(argv[i], "--list") == 0) {
        size_t total = fuzz_schema_total();
        for (size_t g = 0; g < total; g++) {
            const fuzz_api *api;
            const char *name;
            const pontes_type *t;
            fuzz_schema_at(g, &api, &name, &t);
            printf("%s %zu %s\n", api->name, g, name);
        }
        return 0;
    }
    if (strcmp(argv[i], "--export") == 0) {
        if (argc != i + 3 || mkdir_p(argv[i + 2]) != 0) return usage();
        if (walk_root(argv[i + 1], export_fn, argv[i + 2]) != 0) return 1;
        printf("fuzz_schemas_replay: exported %llu files (%llu of unknown api/schema skipped)\n", files, skipped);
        return 0;
    }
    if (strcmp(argv[i], "--import") == 0) {
        if (argc != i + 3) return usage();
        if (for_raw(argv[i + 1], import_fn, argv[i + 2]) != 0) return 1;
        printf("fuzz_schemas_replay: imported %llu new files into %s\n", files, argv[i + 2]);
        return 0;
    }
    int raw = 0;
    if (strcmp(argv[i], "--raw") == 0) {
        raw = 1;
        i++;
    }
    for (; i < argc; i++) {
        int rc = raw ? for_raw(argv[i], raw_replay_fn, &mutations) : walk_root(argv[i], replay_fn, &mutations);
        if (rc != 0) {
            printf("0 passed, 1 failed\n");
            return 1;
        }
    }
    printf("fuzz_schemas_replay: %zu APIs, %zu schemas; %llu files (%llu of unknown api/schema skipped), "
           "%llu inputs, no invariant broken\n",
           fuzz_api_count, fuzz_schema_total(), files, skipped, inputs);
    if (files == 0) {
        printf("fuzz_schemas_replay: no corpus files\n0 passed, 1 failed\n");
        return 1;
    }
    printf("1 passed, 0 failed\n");
    return 0;
}
