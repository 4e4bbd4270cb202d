/* libFuzzer entry point for the codec (built with -DPONTES_FUZZ=ON and clang).
 * Decodes arbitrary bytes with several descriptor sets; whatever decodes must
 * encode, and the encoding must decode again and re-encode to the same text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixtures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const pontes_type *t, const uint8_t *data, size_t size, unsigned max_depth) {
    pontes_decode_options o = PONTES_DECODE_OPTIONS_INIT;
    o.max_depth = max_depth;
    o.reject_unknown = (size & 1) != 0;
    void *v = NULL;
    pontes_error err = PONTES_ERROR_INIT;
    int rc = pontes_decode(t, (const char *)data, size, &o, &v, &err);
    if (rc != PONTES_OK) {
        if (v || !err.message || !err.json_path || err.json_path[0] != '$') abort();
        pontes_error_clear(&err);
        return;
    }
    char *enc = NULL;
    size_t len = 0;
    rc = pontes_encode(t, v, &enc, &len, &err);
    if (rc == PONTES_OK) {
        void *v2 = NULL;
        if (pontes_decode(t, enc, len, &o, &v2, NULL) != PONTES_OK) abort(); /* same options */
        char *enc2 = NULL;
        size_t len2 = 0;
        if (pontes_encode(t, v2, &enc2, &len2, NULL) != PONTES_OK) abort();
        if (len2 != len || memcmp(enc, enc2, len) != 0) abort();
        pontes_json_free(enc2);
        pontes_free(v2);
        pontes_json_free(enc);
    } else if (rc != PONTES_EENCODE && rc != PONTES_ERANGE) {
        abort(); /* a decoded value encodes, or fails with a codec error */
    }
    pontes_error_clear(&err);
    pontes_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check(&fx_all_type, data, size, 64);
    check(&fx_sid_type, data, size, 64);
    check(&fx_strings_box_type, data, size, 64);
    check(&fx_text_box_type, data, size, 64);
    check(&fx_node_type, data, size, 8);
    return 0;
}
