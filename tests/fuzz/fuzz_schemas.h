/* Schema-registry fuzz harness: one entry point over every registered schema of every
 * generated API (table fuzz_apis[], written by tests/fuzz/CMakeLists.txt at configure
 * time from the APIs the build defines). Input: 2 bytes (big-endian) select the schema,
 * index modulo the total schema count over all APIs in table order; the rest is JSON. */
#ifndef PONTES_FUZZ_SCHEMAS_H
#define PONTES_FUZZ_SCHEMAS_H
#include <stddef.h>
#include <stdint.h>

#include <pontes/pontes.h>

typedef struct fuzz_api {
    const char *name; /* C prefix, e.g. "eccor" */
    size_t (*count)(void);
    void (*at)(size_t i, const char **name, const pontes_type **type);
} fuzz_api;

extern const fuzz_api fuzz_apis[];
extern const size_t fuzz_api_count;

/** Total number of schemas over all APIs. */
/** Restrict the harness to one API by name (NULL or "": every API). */
void fuzz_schemas_only(const char *api);
size_t fuzz_schema_total(void);
/** Global index -> API and schema; returns 0 if out of range. */
int fuzz_schema_at(size_t global, const fuzz_api **api, const char **name, const pontes_type **type);
/** Global index of api/schema by name, or (size_t)-1. */
size_t fuzz_schema_find(const char *api, const char *schema);

/** Runs one input through both decode modes; abort()s on a broken invariant. */
void fuzz_schemas_one(const uint8_t *data, size_t size);

#endif
