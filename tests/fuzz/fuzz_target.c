/* libFuzzer entry point (-DPONTES_FUZZ=ON with clang; see tools/fuzz.sh). */
#include "fuzz_schemas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_schemas_one(data, size);
    return 0;
}
