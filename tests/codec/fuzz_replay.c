/* A deterministic fuzz smoke test that needs no libFuzzer: it feeds the fuzz target
 * (fuzz_codec.c) every prefix of a set of seed documents — the class of input that found
 * a read past the end — and a fixed number of pseudo-random mutations of them, each in a
 * heap buffer of exactly its length, so that ASan/valgrind see any out-of-bounds read.
 * The target aborts on any broken invariant (decode -> encode -> decode -> encode must be
 * stable). Full fuzzing: -DPONTES_FUZZ=ON with clang (see CMakeLists.txt). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const seeds[] = {
    "{\"id\":\"x\",\"flag\":true,\"i32\":-7,\"i64\":9007199254740991,\"num\":0.0204,\"text\":\"ol\\u00e1 \\ud83d\\ude00\","
    "\"color\":\"blue\",\"child\":{\"id\":\"c\"},\"list\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"sid\":42,"
    "\"any\":{\"k\":[1,null,\"s\"]},\"blob\":\"JVBERi0xLjQ=\",\"zz\":1e3}",
    "{\"sid\":\"str\",\"every\":{\"kind\":\"list\",\"items\":[\"a\"]},\"groups\":{\"g\":[\"x\",\"y\"]}}",
    "[\"a\",\"b\",null,\"\"]",
    "\"just a string\\n\"",
    "{\"child\":{\"child\":{\"child\":{}}}}",
    "{\"id\":\"x\",\"num\":-1.5E-3,\"i32\":2147483647,\"unknown\":[[[]]],\"text\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
};

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void run(const uint8_t *d, size_t n) {
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) abort();
    if (n) memcpy(exact, d, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
}

int main(int argc, char **argv) {
    long mutations = argc > 1 ? atol(argv[1]) : 20000;
    size_t inputs = 0;
    static const char pieces[] = "{}[]\",:0123456789.-eEtrufalsn\\ \x80\xc3\xff";
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        const uint8_t *d = (const uint8_t *)seeds[s];
        size_t n = strlen(seeds[s]);
        for (size_t k = 0; k <= n; k++, inputs++) run(d, k); /* every prefix */
    }
    uint8_t buf[1024];
    for (long i = 0; i < mutations; i++, inputs++) {
        const char *seed = seeds[next() % (sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(seed);
        memcpy(buf, seed, n);
        int edits = 1 + (int)(next() % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = n ? next() % n : 0;
            switch (next() % 4) {
            case 0: buf[at] = (uint8_t)pieces[next() % (sizeof pieces - 1)]; break; /* replace */
            case 1: if (n) { memmove(buf + at, buf + at + 1, n - at - 1); n--; } break;  /* delete */
            case 2: if (n < sizeof buf - 1) { memmove(buf + at + 1, buf + at, n - at); buf[at] = (uint8_t)pieces[next() % (sizeof pieces - 1)]; n++; } break;
            default: n = at; break; /* truncate */
            }
        }
        run(buf, n);
    }
    printf("fuzz_replay: %zu inputs, no invariant broken\n", inputs);
    printf("1 passed, 0 failed\n");
    return 0;
}
