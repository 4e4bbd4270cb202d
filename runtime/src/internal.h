/* Internal runtime interfaces shared by the runtime's translation units. Not installed. */
#ifndef PONTES_INTERNAL_H
#define PONTES_INTERNAL_H

#include "pontes/pontes.h"

#include <stdarg.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#if defined(__GNUC__)
#define PONTES_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PONTES_PRINTF(a, b)
#endif

/* ---- arena: one per decoded value; freed with pontes_free(root) ---- */
typedef struct pontes_arena pontes_arena;

/* The free span of the arena's current block: the first member of struct pontes_arena
 * (arena.c), so that the decoder can bump-allocate inline (pontes_arena_take). */
typedef struct pontes_arena_span {
    unsigned char *cur, *lim;
} pontes_arena_span;
#define PONTES_ARENA_ALIGN ((size_t)_Alignof(max_align_t))
/* pontes_arena_take when the current block has no room (a new block). */
void *pontes_arena_take_slow(pontes_arena *a, size_t size);
/* size bytes (not zeroed), max-aligned. NULL on ENOMEM or overflow. */
static inline void *pontes_arena_take(pontes_arena *a, size_t size) {
    pontes_arena_span *sp = (pontes_arena_span *)(void *)a;
    size_t need = (size + PONTES_ARENA_ALIGN - 1) & ~(PONTES_ARENA_ALIGN - 1); /* 0: size 0 or overflow */
    if (need - 1 < (size_t)(sp->lim - sp->cur)) {
        void *p = sp->cur;
        sp->cur += need;
        return p;
    }
    return pontes_arena_take_slow(a, size);
}
/* Grow the allocation old of old_size bytes (NULL/0: none) to new_size bytes, the new part
 * zeroed when zero is true (else left as it is: the caller writes it): in place when old is
 * the arena's last allocation and the block has room, else a new allocation with the old
 * bytes copied (the old one is not freed). NULL on ENOMEM or overflow. */
void *pontes_arena_grow(pontes_arena *a, void *old, size_t old_size, size_t new_size, bool zero);

/* New arena whose first block can hold about size_hint bytes. NULL on ENOMEM. */
pontes_arena *pontes_arena_new(size_t size_hint);
/* Zeroed, max-aligned memory. NULL on ENOMEM or overflow. */
void *pontes_arena_alloc(pontes_arena *a, size_t size);
/* Zeroed array of n elements of size each (overflow-checked). */
void *pontes_arena_calloc(pontes_arena *a, size_t n, size_t size);
/* Copy of s[0..len) plus NUL. */
char *pontes_arena_strndup(pontes_arena *a, const char *s, size_t len);
/* The root value: allocated so that pontes_free(root) finds the arena. Call once. */
void *pontes_arena_alloc_root(pontes_arena *a, size_t size);
/* The arena takes ownership of a parsed cJSON tree (deleted when the arena is
 * destroyed); any number of trees. PONTES_ENOMEM if it cannot record it. */
int pontes_arena_adopt_json(pontes_arena *a, cJSON *doc);
/* Destroy an arena (and everything in it). */
void pontes_arena_destroy(pontes_arena *a);
/* Number of malloc calls made by the arena so far (for the benchmark). */
size_t pontes_arena_block_count(const pontes_arena *a);
/* The arena that owns root (as returned by pontes_arena_alloc_root), or NULL. */
pontes_arena *pontes_arena_of(void *root);

/* ---- error helpers (error.c) ---- */
/* Reset err (freeing what it holds); NULL-safe. */
void pontes_err_reset(pontes_error *err);
/* Set status + formatted message; returns status. NULL-safe (just returns status). */
int pontes_err_set(pontes_error *err, int status, const char *fmt, ...) PONTES_PRINTF(3, 4);
int pontes_err_vset(pontes_error *err, int status, const char *fmt, va_list ap);
/* Replace one string member of err with a malloc'd copy of s[0..len) (len (size_t)-1: strlen). */
void pontes_err_set_str(pontes_error *err, const char **member, const char *s, size_t len);
/* Append one provider field error. */
int pontes_err_add_field(pontes_error *err, const char *key, const char *message);
/* the provider's error date (pontes_error_provider_date), kept in err->priv_ */
void pontes_err_set_date(pontes_error *err, const char *s, size_t len);
const char **pontes_err_date_slot(pontes_error *err); /* NULL when the error has no private storage */
/* Split err->provider_code into the parts of d (pontes_error_code_part) when it is such a code;
 * otherwise (or d NULL) the error has no parts. Call after provider_code is final (redacted). */
void pontes_err_set_code_parts(pontes_error *err, const pontes_status_code_desc *d);
/* Move everything from src into dst (dst reset first); src is left cleared. */
void pontes_err_move(pontes_error *dst, pontes_error *src);

/* ---- codec helpers (codec.c) ---- */
/* Decode the JSON text json[0..len) as one value of type t into storage (allocations
 * in arena a). The same machinery as pontes_decode, for values that are not a root
 * struct (e.g. a single list). */
int pontes_codec_decode_into(pontes_arena *a, const pontes_type *t, const char *json, size_t len,
                             void *storage, pontes_error *err);
/* A new value of root type t (OBJECT or UNION) with every member absent (zeroed; _size set
 * for PONTES_M_SIZED), in its own arena: pontes_free(*out). For x-pontes-empty-success. */
int pontes_codec_empty_value(const pontes_type *t, void **out, pontes_error *err);
/* Decode json[0..len) as the root value of type t (OBJECT or UNION) into root (zeroed
 * storage of t's struct size, allocated by the caller in a), with decode options (reset
 * and filled as pontes_decode does) and PONTES_CODEC_* flags. Used by webhook.c. */
#define PONTES_CODEC_ONE_OF_ERROR 0x01u /* an exactly-one-of constraint not met is an error, even when tolerant */
int pontes_codec_decode_opts(pontes_arena *a, const pontes_type *t, const char *json, size_t len,
                             const pontes_decode_options *opts, unsigned flags, void *root, pontes_error *err);
/* Growable output buffer used by the encoder and by request bodies. */
typedef struct pontes_buf {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* sticky ENOMEM */
} pontes_buf;
void pontes_buf_init(pontes_buf *b);
void pontes_buf_free(pontes_buf *b);
int pontes_buf_append(pontes_buf *b, const void *data, size_t len);
int pontes_buf_puts(pontes_buf *b, const char *s);
int pontes_buf_printf(pontes_buf *b, const char *fmt, ...) PONTES_PRINTF(2, 3);
/* Encode storage of type t (a value, not a pointer to a struct for OBJECT: pass the
 * address of the member, i.e. for OBJECT a pointer to the struct pointer) onto b. */
int pontes_codec_encode_value(pontes_buf *b, const pontes_type *t, const void *storage,
                              pontes_error *err);
/* Encode an int64 without exponent form (exact over the whole int64 range). */
int pontes_codec_format_int(char *buf, size_t cap, int64_t v);
/* Format a double as the shortest text that round-trips (no NaN/Inf: EENCODE). */
int pontes_codec_format_double(char *buf, size_t cap, double v);
/* Base64 (standard alphabet, padded). */
char *pontes_base64_encode(const uint8_t *data, size_t len, size_t *out_len); /* malloc'd */
int pontes_base64_decode(pontes_arena *a, const char *s, size_t len, pontes_bytes *out);
/* Whole-buffer UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
int pontes_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* ---- client internals (client.c, log.c) ---- */
/* curl_global_init, once per process (pthread_once); called by pontes_client_new. */
int pontes_global_init(void);
/* Test hook: replace the function used to sleep between retries (NULL: the real sleep). */
void pontes__set_sleep_hook(void (*fn)(long ms));
/* Redact a diagnostic line (see log.c): known secret values and values of
 * secret-looking names are replaced by "[REDACTED]". malloc'd; NULL on ENOMEM. */
char *pontes__redact(const char *s, const char *const *secrets, size_t nsecrets);
/* Pass 1 of pontes__redact only (known secret values), over s[0..n) which may hold NULs.
 * malloc'd and NUL-terminated, its length in *out_len; NULL on ENOMEM. */
char *pontes__redact_known(const char *s, size_t n, const char *const *secrets, size_t nsecrets, size_t *out_len);
/* Whether a header/parameter/member name looks like it carries a secret. */
bool pontes__name_is_secret(const char *name, size_t len);

#endif
