/* libFuzzer entry point (-DPONTES_FUZZ=ON with clang; see tools/fuzz.sh). */
#include "fuzz_schemas.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* PONTES_FUZZ_API=<prefix> fuzzes the schemas of that API only. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_schemas_only(getenv("PONTES_FUZZ_API"));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_schemas_one(data, size);
    return 0;
}
