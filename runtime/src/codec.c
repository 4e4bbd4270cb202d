/*
 * Table-driven JSON codec: walks the descriptor tables emitted by the generator
 * (pontes_type / pontes_message / pontes_field / pontes_enum_desc /
 * pontes_union_desc) over a cJSON document.
 *
 * Decoding is zero-copy: the arena adopts the parsed cJSON document and decoded
 * strings point into it. Errors carry the JSON path of the offending node; the
 * path is built lazily while the error unwinds, so successful decodes pay nothing
 * for it.
 *
 * Also here: pontes_buf, base64, UTF-8 validation, enum helpers and the built-in
 * primitive types.
 */
#include "internal.h"
#include "upload.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TWO53 9007199254740992.0 /* 2^53 */

#if defined(__GNUC__)
#define PONTES_PREFETCH(p) __builtin_prefetch(p)
#else
#define PONTES_PREFETCH(p) ((void)0)
#endif
#define DEFAULT_MAX_DEPTH 64u

/* ====================================================================== */
/* built-in types                                                          */
/* ====================================================================== */

const pontes_type pontes_type_bool = {PONTES_KIND_BOOL, 0, sizeof(bool), "bool", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_int32 = {PONTES_KIND_INT32, 0, sizeof(int32_t), "int32", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_int64 = {PONTES_KIND_INT64, 0, sizeof(int64_t), "int64", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_double = {PONTES_KIND_DOUBLE, 0, sizeof(double), "double", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_string = {PONTES_KIND_STRING, 0, sizeof(const char *), "string", NULL, NULL, NULL,
                                        NULL};
const pontes_type pontes_type_bytes = {PONTES_KIND_BYTES, 0, sizeof(pontes_bytes), "bytes", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_file = {PONTES_KIND_FILE, 0, sizeof(pontes_file), "file", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_any = {PONTES_KIND_ANY, 0, sizeof(const cJSON *), "any", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_date = {PONTES_KIND_STRING, PONTES_T_FMT_DATE, sizeof(const char *), "date", NULL, NULL,
                                      NULL, NULL};
const pontes_type pontes_type_date_time = {PONTES_KIND_STRING, PONTES_T_FMT_DATE_TIME, sizeof(const char *),
                                           "date-time", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_uuid = {PONTES_KIND_STRING, PONTES_T_FMT_UUID, sizeof(const char *), "uuid", NULL, NULL,
                                      NULL, NULL};
const pontes_type pontes_type_decimal = {PONTES_KIND_DECIMAL, 0, sizeof(pontes_decimal), "decimal", NULL, NULL, NULL,
                                         NULL};
const pontes_type pontes_type_decimal_string = {PONTES_KIND_DECIMAL, PONTES_T_DECIMAL_STRING, sizeof(pontes_decimal),
                                                "decimal string", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_int32_or_string = {PONTES_KIND_INT32, PONTES_T_OR_STRING, sizeof(int32_t),
                                                "int32 or string", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_int64_or_string = {PONTES_KIND_INT64, PONTES_T_OR_STRING, sizeof(int64_t),
                                                "int64 or string", NULL, NULL, NULL, NULL};
const pontes_type pontes_type_double_or_string = {PONTES_KIND_DOUBLE, PONTES_T_OR_STRING, sizeof(double),
                                                 "number or string", NULL, NULL, NULL, NULL};

static const char *kind_name(pontes_kind k) {
    switch (k) {
    case PONTES_KIND_BOOL: return "bool";
    case PONTES_KIND_INT32: return "int32";
    case PONTES_KIND_INT64: return "int64";
    case PONTES_KIND_DOUBLE: return "double";
    case PONTES_KIND_STRING: return "string";
    case PONTES_KIND_BYTES: return "bytes";
    case PONTES_KIND_FILE: return "file";
    case PONTES_KIND_ENUM: return "enum";
    case PONTES_KIND_OBJECT: return "object";
    case PONTES_KIND_ARRAY: return "array";
    case PONTES_KIND_MAP: return "map";
    case PONTES_KIND_UNION: return "union";
    case PONTES_KIND_ANY: return "any";
    case PONTES_KIND_DECIMAL: return "decimal";
    }
    return "?";
}

static const char *type_name(const pontes_type *t) {
    if (t->name) return t->name;
    if (t->kind == PONTES_KIND_OBJECT && t->msg && t->msg->name) return t->msg->name;
    if (t->kind == PONTES_KIND_ENUM && t->en && t->en->name) return t->en->name;
    if (t->kind == PONTES_KIND_UNION && t->un && t->un->name) return t->un->name;
    return kind_name(t->kind);
}

static int is_pointer_kind(pontes_kind k) {
    return k == PONTES_KIND_STRING || k == PONTES_KIND_OBJECT || k == PONTES_KIND_UNION || k == PONTES_KIND_ANY;
}

#define JTYPE(j) ((j)->type & 0xFF)

/* Member names are short: an inline loop beats a call to strcmp. */
static inline bool name_eq(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* ====================================================================== */
/* enum helpers                                                            */
/* ====================================================================== */

const char *pontes_enum_to_string(const pontes_enum_desc *en, int value) {
    if (!en || value < 1 || (size_t)value > en->count) return NULL;
    return en->values[value - 1];
}

int pontes_enum_from_string(const pontes_enum_desc *en, const char *s) {
    if (!en || !s) return 0;
    for (size_t i = 0; i < en->count; i++) {
        const char *v = en->values[i];
        if (v && v[0] == s[0] && name_eq(v, s)) return (int)(i + 1);
    }
    return 0;
}

/* ====================================================================== */
/* pontes_buf                                                              */
/* ====================================================================== */

void pontes_buf_init(pontes_buf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

void pontes_buf_free(pontes_buf *b) {
    if (!b) return;
    free(b->data);
    pontes_buf_init(b);
}

/* Make room for extra more bytes plus a NUL. */
static int buf_grow(pontes_buf *b, size_t extra) {
    if (b->failed) return PONTES_ENOMEM;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return PONTES_ENOMEM;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return PONTES_OK;
    size_t nc = b->cap ? b->cap : 256;
    while (nc < need) {
        if (nc > SIZE_MAX / 2) {
            nc = need;
            break;
        }
        nc *= 2;
    }
    char *nd = realloc(b->data, nc);
    if (!nd) {
        b->failed = 1;
        return PONTES_ENOMEM;
    }
    b->data = nd;
    b->cap = nc;
    return PONTES_OK;
}

/* Fast check: room for extra bytes and a NUL. */
static inline int buf_need(pontes_buf *b, size_t extra) {
    if (b->cap - b->len > extra && !b->failed) return PONTES_OK;
    return buf_grow(b, extra);
}

static inline int buf_put(pontes_buf *b, const void *data, size_t len) {
    if (buf_need(b, len)) return PONTES_ENOMEM;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return PONTES_OK;
}

static void buf_terminate(pontes_buf *b) {
    if (b->data && b->len < b->cap) b->data[b->len] = '\0';
}

int pontes_buf_append(pontes_buf *b, const void *data, size_t len) {
    if (!b) return PONTES_EINVAL;
    if (buf_need(b, len)) return PONTES_ENOMEM;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return PONTES_OK;
}

int pontes_buf_puts(pontes_buf *b, const char *s) {
    if (!s) return PONTES_EINVAL;
    return pontes_buf_append(b, s, strlen(s));
}

int pontes_buf_printf(pontes_buf *b, const char *fmt, ...) {
    if (!b || !fmt) return PONTES_EINVAL;
    if (buf_need(b, 64)) return PONTES_ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->data[b->len] = '\0';
        return PONTES_EINVAL;
    }
    if ((size_t)n >= room) {
        if (buf_need(b, (size_t)n)) {
            b->data[b->len] = '\0';
            return PONTES_ENOMEM;
        }
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
    return PONTES_OK;
}

/* ====================================================================== */
/* UTF-8                                                                   */
/* ====================================================================== */

#if defined(__SSE2__) && !defined(PONTES_NO_SIMD)
#include <emmintrin.h> /* pontes_utf8_valid, the decoder's scanners */
#endif

/* Length of the valid multi-byte sequence at p (p[0] >= 0x80), or 0. */
static inline size_t utf8_seq(const unsigned char *p, size_t avail) {
    unsigned c = p[0];
    if (c < 0xC2) return 0; /* continuation byte, or overlong 2-byte lead */
    if (c < 0xE0) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80) return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0;  /* overlong */
        if (c == 0xED && p[1] >= 0xA0) return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
        if (c == 0xF4 && p[1] >= 0x90) return 0; /* > U+10FFFF */
        return 4;
    }
    return 0;
}

int pontes_utf8_valid(const char *s, size_t len, size_t *bad_offset) {
    const unsigned char *start = (const unsigned char *)s, *p = start, *end = start + len;
    if (!s) return len == 0;
    while (p < end) {
#if defined(__SSE2__) && !defined(PONTES_NO_SIMD)
        while ((size_t)(end - p) >= 64) { /* ASCII runs, 64 bytes a step (SSE2) */
            __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
            __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
            __m128i v3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
            if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(v0, v1), _mm_or_si128(v2, v3)))) break;
            p += 64;
        }
#endif
        while ((size_t)(end - p) >= 32) {
            uint64_t w[4];
            memcpy(w, p, 32);
            if ((w[0] | w[1] | w[2] | w[3]) & UINT64_C(0x8080808080808080)) break;
            p += 32;
        }
        while ((size_t)(end - p) >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (w & UINT64_C(0x8080808080808080)) break;
            p += 8;
        }
        while (p < end && *p < 0x80) p++;
        if (p >= end) break;
        size_t n = utf8_seq(p, (size_t)(end - p));
        if (!n) {
            if (bad_offset) *bad_offset = (size_t)(p - start);
            return 0;
        }
        p += n;
    }
    return 1;
}

/* ====================================================================== */
/* base64                                                                  */
/* ====================================================================== */

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encoded_len(size_t n) { return (n / 3 + (n % 3 != 0)) * 4; }

static void b64_encode_to(char *o, const uint8_t *d, size_t n) {
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];
        *o++ = b64_alpha[v >> 18];
        *o++ = b64_alpha[(v >> 12) & 63];
        *o++ = b64_alpha[(v >> 6) & 63];
        *o++ = b64_alpha[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)d[i] << 16;
        *o++ = b64_alpha[v >> 18];
        *o++ = b64_alpha[(v >> 12) & 63];
        *o++ = '=';
        *o++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8;
        *o++ = b64_alpha[v >> 18];
        *o++ = b64_alpha[(v >> 12) & 63];
        *o++ = b64_alpha[(v >> 6) & 63];
        *o++ = '=';
    }
}

char *pontes_base64_encode(const uint8_t *data, size_t len, size_t *out_len) {
    if (out_len) *out_len = 0;
    if (!data && len) return NULL;
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3) return NULL;
    size_t n = b64_encoded_len(len);
    char *o = malloc(n + 1);
    if (!o) return NULL;
    if (len) b64_encode_to(o, data, len);
    o[n] = '\0';
    if (out_len) *out_len = n;
    return o;
}

size_t pontes_base64_encode_to(char *out, const uint8_t *data, size_t len) {
    if (len) b64_encode_to(out, data, len);
    return b64_encoded_len(len);
}

/* 0..63, or -1: both the standard and the URL-safe alphabet. */
static int b64_val(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

int pontes_base64_decode(pontes_arena *a, const char *s, size_t len, pontes_bytes *out) {
    if (!a || !out || (!s && len)) return PONTES_EINVAL;
    out->data = NULL;
    out->len = 0;
    size_t n = len;
    if (n && s[n - 1] == '=') {
        n--;
        if (n && s[n - 1] == '=') n--;
        if (len % 4 != 0) return PONTES_EDECODE; /* padding present: must be complete */
    }
    if (n % 4 == 1) return PONTES_EDECODE;
    size_t olen = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    uint8_t *o = pontes_arena_alloc(a, olen);
    if (!o) return PONTES_ENOMEM;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k = 0;
    for (; i + 4 <= n; i += 4) {
        int v0 = b64_val(p[i]), v1 = b64_val(p[i + 1]), v2 = b64_val(p[i + 2]), v3 = b64_val(p[i + 3]);
        if ((v0 | v1 | v2 | v3) < 0) return PONTES_EDECODE;
        uint32_t v = (uint32_t)v0 << 18 | (uint32_t)v1 << 12 | (uint32_t)v2 << 6 | (uint32_t)v3;
        o[k++] = (uint8_t)(v >> 16);
        o[k++] = (uint8_t)(v >> 8);
        o[k++] = (uint8_t)v;
    }
    size_t rem = n - i;
    if (rem) {
        int v0 = b64_val(p[i]), v1 = b64_val(p[i + 1]);
        int v2 = rem == 3 ? b64_val(p[i + 2]) : 0;
        if ((v0 | v1 | v2) < 0) return PONTES_EDECODE;
        uint32_t v = (uint32_t)v0 << 18 | (uint32_t)v1 << 12 | (uint32_t)v2 << 6;
        o[k++] = (uint8_t)(v >> 16);
        if (rem == 3) o[k++] = (uint8_t)(v >> 8);
    }
    out->data = o;
    out->len = k;
    return PONTES_OK;
}

/* ====================================================================== */
/* number formatting                                                       */
/* ====================================================================== */

static const char dec_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/* Number of decimal digits of u. */
static inline size_t u64_digits(uint64_t u) {
    size_t n = 1;
    for (;;) {
        if (u < 10) return n;
        if (u < 100) return n + 1;
        if (u < 1000) return n + 2;
        if (u < 10000) return n + 3;
        u /= 10000;
        n += 4;
    }
}

/* Decimal text of v into out (>= 21 bytes); returns the length. No NUL. Two digits a step,
 * written from the end. */
static inline size_t fmt_i64(char *out, int64_t v) {
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t k = v < 0;
    out[0] = '-';
    size_t n = k + u64_digits(u);
    char *p = out + n;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        p -= 2;
        memcpy(p, dec_pairs + 2 * r, 2);
    }
    if (u >= 10) memcpy(p - 2, dec_pairs + 2 * u, 2);
    else p[-1] = (char)('0' + u);
    return n;
}

/* Shortest of %.15g/%.16g/%.17g that round-trips, with '.' as decimal point
 * whatever LC_NUMERIC says. v must be finite. out >= 32 bytes. Returns the length. */
static size_t fmt_double(char *out, double v) {
    if (v == 0.0 && !signbit(v)) {
        out[0] = '0';
        return 1;
    }
    if (fabs(v) < 1e15 && v == (double)(int64_t)v && v != 0.0) return fmt_i64(out, (int64_t)v);
    char tmp[40];
    int n = snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v) {
        n = snprintf(tmp, sizeof tmp, "%.16g", v);
        if (strtod(tmp, NULL) != v) n = snprintf(tmp, sizeof tmp, "%.17g", v);
    }
    if (n < 0) n = 0;
    size_t len = (size_t)n;
    const struct lconv *lc = localeconv();
    const char *dp = lc ? lc->decimal_point : NULL;
    if (dp && dp[0] && !(dp[0] == '.' && dp[1] == '\0')) {
        size_t dl = strlen(dp);
        char *at = strstr(tmp, dp);
        if (at) {
            *at = '.';
            memmove(at + 1, at + dl, len - (size_t)(at - tmp) - dl + 1);
            len -= dl - 1;
        }
    }
    memcpy(out, tmp, len);
    return len;
}

int pontes_codec_format_int(char *buf, size_t cap, int64_t v) {
    if (!buf || cap < 22) return PONTES_EINVAL;
    size_t n = fmt_i64(buf, v);
    buf[n] = '\0';
    return PONTES_OK;
}

int pontes_codec_format_double(char *buf, size_t cap, double v) {
    if (!buf || cap < 32) return PONTES_EINVAL;
    if (!isfinite(v)) {
        buf[0] = '\0';
        return PONTES_EENCODE;
    }
    size_t n = fmt_double(buf, v);
    buf[n] = '\0';
    return PONTES_OK;
}

/* ====================================================================== */
/* string formats: date, date-time, uuid                                   */
/* ====================================================================== */

static bool digits(const char *s, size_t n, unsigned *v) {
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        x = x * 10 + (unsigned)(s[i] - '0');
    }
    *v = x;
    return true;
}

/* RFC 3339 full-date: YYYY-MM-DD with a real month and day (leap years counted). */
static bool fmt_date_ok(const char *s, size_t n) {
    unsigned y, m, d;
    if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return false;
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
    return true;
}

/* RFC 3339 date-time: full-date "T" HH:MM:SS[.frac] ("Z" / +HH:MM / -HH:MM); 't' and 'z'
 * are accepted too (RFC 3339 section 5.6, note). Second 60 is a leap second. A full-date
 * alone (YYYY-MM-DD) is accepted too: providers put date-only values in date-time members
 * (BCTT's own request examples do), and it names a day exactly; it is kept as received. */
static bool fmt_date_time_ok(const char *s, size_t n) {
    unsigned h, mi, se;
    if (n == 10) return fmt_date_ok(s, n);
    if (n < 20 || !fmt_date_ok(s, 10) || (s[10] != 'T' && s[10] != 't')) return false;
    if (s[13] != ':' || s[16] != ':' || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
        !digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 60)
        return false;
    size_t i = 19;
    if (s[i] == '.') {
        size_t st = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return false;
    }
    if (i >= n) return false;
    if (s[i] == 'Z' || s[i] == 'z') return i + 1 == n;
    if ((s[i] != '+' && s[i] != '-') || n - i != 6 || s[i + 3] != ':' || !digits(s + i + 1, 2, &h) ||
        !digits(s + i + 4, 2, &mi))
        return false;
    return h <= 23 && mi <= 59;
}

static bool is_hex(char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'); }

/* 8-4-4-4-12 hex digits (either case). */
static bool fmt_uuid_ok(const char *s, size_t n) {
    if (n != 36) return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!is_hex(s[i])) {
            return false;
        }
    }
    return true;
}

/* NULL when s[0..n) matches the format flags of a STRING type, else "invalid date" etc. */
static const char *fmt_check(uint32_t flags, const char *s, size_t n) {
    if ((flags & PONTES_T_FMT_DATE) && !fmt_date_ok(s, n)) return "invalid date";
    if ((flags & PONTES_T_FMT_DATE_TIME) && !fmt_date_time_ok(s, n)) return "invalid date-time";
    if ((flags & PONTES_T_FMT_UUID) && !fmt_uuid_ok(s, n)) return "invalid uuid";
    return NULL;
}

static const char *fmt_name(uint32_t flags) {
    if (flags & PONTES_T_FMT_DATE) return "date";
    if (flags & PONTES_T_FMT_DATE_TIME) return "date-time";
    return "uuid";
}

/* ====================================================================== */
/* lazily built error (shared by decoder and encoder)                      */
/* ====================================================================== */

typedef struct perr {
    int status;
    char *path; /* malloc'd; segments prepended while unwinding */
    size_t plen;
    char msg[256];
    char expected[256];
    int syntax; /* a JSON syntax error: reported at "$", no path segments */
} perr;

static void perr_init(perr *e) {
    e->status = 0;
    e->path = NULL;
    e->plen = 0;
    e->msg[0] = '\0';
    e->expected[0] = '\0';
    e->syntax = 0;
}

static void perr_clear(perr *e) {
    free(e->path);
    perr_init(e);
}

static int perr_set(perr *e, int status, const char *expected, const char *fmt, ...) PONTES_PRINTF(4, 5);
static int perr_set(perr *e, int status, const char *expected, const char *fmt, ...) {
    perr_clear(e);
    e->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (expected) snprintf(e->expected, sizeof e->expected, "%s", expected);
    return status;
}

static int perr_nomem(perr *e) { return perr_set(e, PONTES_ENOMEM, NULL, "out of memory"); }

static void perr_prepend(perr *e, const char *seg, size_t n) {
    if (!e->status || (e->syntax && seg[0] != '$')) return;
    char *np = malloc(e->plen + n + 1);
    if (!np) return; /* best effort */
    memcpy(np, seg, n);
    if (e->plen) memcpy(np + n, e->path, e->plen);
    np[n + e->plen] = '\0';
    free(e->path);
    e->path = np;
    e->plen += n;
}

static int is_ident(const char *k) {
    if (!k) return 0;
    unsigned char c = (unsigned char)k[0];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')) return 0;
    for (const char *p = k + 1; *p; p++) {
        c = (unsigned char)*p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    }
    return 1;
}

/* Append the path segment of member name k[0..n): ".key", or ["key"] when k is not
 * an identifier (escaped; invalid UTF-8 shown as \xNN so the text stays valid UTF-8). */
static void path_key_seg(pontes_buf *b, const char *k, size_t n) {
    char tmp[64];
    if (n < sizeof tmp) {
        memcpy(tmp, k, n);
        tmp[n] = '\0';
        if (is_ident(tmp)) {
            pontes_buf_append(b, ".", 1);
            pontes_buf_append(b, k, n);
            return;
        }
    } else {
        size_t i = 0;
        unsigned char c0 = (unsigned char)k[0];
        if ((c0 >= 'A' && c0 <= 'Z') || (c0 >= 'a' && c0 <= 'z') || c0 == '_') {
            for (i = 1; i < n; i++) {
                unsigned char c = (unsigned char)k[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) break;
            }
        }
        if (i == n) {
            pontes_buf_append(b, ".", 1);
            pontes_buf_append(b, k, n);
            return;
        }
    }
    pontes_buf_append(b, "[\"", 2);
    const unsigned char *p = (const unsigned char *)k, *e = p + n;
    for (; p < e; p++) {
        if (*p == '"' || *p == '\\') {
            char t[2] = {'\\', (char)*p};
            pontes_buf_append(b, t, 2);
        } else if (*p < 0x20) {
            pontes_buf_printf(b, "\\u%04x", *p);
        } else if (*p >= 0x80) {
            size_t q = utf8_seq(p, (size_t)(e - p));
            if (q) {
                pontes_buf_append(b, p, q);
                p += q - 1;
            } else {
                pontes_buf_printf(b, "\\x%02X", *p);
            }
        } else {
            pontes_buf_append(b, p, 1);
        }
    }
    pontes_buf_append(b, "\"]", 2);
}

/* Prepend ".key" or ["key"]. */
static void perr_key(perr *e, const char *k) {
    if (!e->status) return;
    if (!k) k = "";
    pontes_buf b;
    pontes_buf_init(&b);
    path_key_seg(&b, k, strlen(k));
    if (!b.failed && b.data) perr_prepend(e, b.data, b.len);
    pontes_buf_free(&b);
}

static void perr_index(perr *e, size_t i) {
    if (!e->status) return;
    char seg[32];
    int n = snprintf(seg, sizeof seg, "[%zu]", i);
    perr_prepend(e, seg, (size_t)n);
}

/* Move the error into err (path gets its "$"); returns the status. */
static int perr_finish(perr *e, pontes_error *err) {
    int st = e->status;
    perr_prepend(e, "$", 1);
    if (err) {
        const char *path = e->path ? e->path : "$";
        pontes_err_set(err, st, "%s: %s", path, e->msg);
        pontes_err_set_str(err, &err->json_path, path, (size_t)-1);
        pontes_err_set_str(err, &err->expected, e->expected[0] ? e->expected : NULL, (size_t)-1);
    }
    perr_clear(e);
    return st;
}

/* ====================================================================== */
/* decoder: one pass over the JSON text, straight into the structs          */
/* ====================================================================== */
/*
 * The decoder reads the JSON text once and writes the values into structs in the
 * arena: no intermediate tree, no per-node malloc, strings copied once into the
 * arena. cJSON is used only for values kept as JSON (kind ANY, unknown members,
 * unknown union variants): their text span is handed to cJSON_ParseWithLength.
 * UTF-8 is validated over the whole input first, so the scanners below only need
 * to look at ASCII structure. Syntax errors report the byte offset with path "$".
 */

typedef struct dctx {
    pontes_arena *a;
    perr e;
    const char *base; /* start of the input, for byte offsets */
    const char *p;    /* current position */
    const char *end;
    unsigned depth, max_depth;
    unsigned skip_depth; /* nesting of a value being skipped or kept as JSON */
    bool reject_unknown;
    bool strict;    /* every deviation is an error */
    bool one_of_error; /* an exactly-one-of constraint not met is an error even when tolerant (webhooks) */
    size_t unknown; /* deviations (unknown members / enum values, ...) seen: union variant scoring */
    char dp;        /* the C library's decimal point in the current locale */
    bool wire_string; /* the number dec_value just decoded came as a JSON string (PONTES_T_OR_STRING) */
    pontes_deviations *dev;                    /* tolerant mode: where deviations are recorded, or NULL */
    size_t dev_off[PONTES_DEVIATIONS_KEPT];    /* byte offset of the value each kept deviation is about */
    const char *dev_suffix[PONTES_DEVIATIONS_KEPT]; /* member name appended to that value's path, or NULL */
} dctx;

/* Index of a duplicated key (the second occurrence), or SIZE_MAX. */
static size_t find_dup_key(const char *const *keys, size_t n) {
    if (n < 2) return SIZE_MAX;
    if (n <= 24) {
        for (size_t i = 1; i < n; i++)
            for (size_t k = 0; k < i; k++)
                if (keys[i][0] == keys[k][0] && strcmp(keys[i], keys[k]) == 0) return i;
        return SIZE_MAX;
    }
    /* open-addressing hash set of indexes */
    size_t cap = 64;
    while (cap < n * 2) cap *= 2;
    size_t *tab = malloc(cap * sizeof *tab);
    if (!tab) { /* fall back to the quadratic scan */
        for (size_t i = 1; i < n; i++)
            for (size_t k = 0; k < i; k++)
                if (strcmp(keys[i], keys[k]) == 0) return i;
        return SIZE_MAX;
    }
    for (size_t i = 0; i < cap; i++) tab[i] = SIZE_MAX;
    size_t dup = SIZE_MAX;
    for (size_t i = 0; i < n && dup == SIZE_MAX; i++) {
        uint64_t h = UINT64_C(1469598103934665603);
        for (const unsigned char *p = (const unsigned char *)keys[i]; *p; p++) h = (h ^ *p) * UINT64_C(1099511628211);
        size_t slot = (size_t)h & (cap - 1);
        for (;;) {
            if (tab[slot] == SIZE_MAX) {
                tab[slot] = i;
                break;
            }
            if (strcmp(keys[tab[slot]], keys[i]) == 0) {
                dup = i;
                break;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    free(tab);
    return dup;
}

static int decode_fail(pontes_error *err, int status, const char *fmt, ...) PONTES_PRINTF(3, 4);
static int decode_fail(pontes_error *err, int status, const char *fmt, ...) {
    perr e;
    perr_init(&e);
    e.status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    return perr_finish(&e, err);
}

static int dec_value(dctx *c, const pontes_type *t, void *s);
static int dec_message(dctx *c, const pontes_message *m, unsigned char *obj);
static int dec_union(dctx *c, const pontes_union_desc *u, unsigned char *us);

/* ---- scanning fast paths ----------------------------------------------
 * Strings and whitespace are scanned 16 bytes at a time with SSE2 (x86-64 always has it)
 * and 8 at a time (SWAR, loads by memcpy) otherwise; -DPONTES_NO_SIMD selects the portable
 * path (tests build both). No load reaches past c->end, not even harmlessly: the last
 * bytes of the input are read in smaller words or one by one. UTF-8 is validated over the
 * whole input first (pontes_utf8_valid), so bytes from 0x80 are plain string bytes here. */
#if defined(__SSE2__) && !defined(PONTES_NO_SIMD)
#include <emmintrin.h>
#define DEC_SSE2 1
#else
#define DEC_SSE2 0
#endif
#if defined(__GNUC__)
#define DEC_CTZ 1 /* __builtin_ctz / __builtin_ctzll */
#else
#define DEC_CTZ 0
#endif
#if DEC_CTZ && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DEC_SWAR_LE 1 /* the first flagged byte of a SWAR mask is its lowest */
#else
#define DEC_SWAR_LE 0
#endif
#if defined(__GNUC__)
#define DEC_LIKELY(x) __builtin_expect(!!(x), 1)
#define DEC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define DEC_NOINLINE __attribute__((noinline))
#define DEC_INLINE inline __attribute__((always_inline))
#else
#define DEC_INLINE inline
#define DEC_LIKELY(x) (x)
#define DEC_UNLIKELY(x) (x)
#define DEC_NOINLINE
#endif

#define DEC_LO UINT64_C(0x0101010101010101)
#define DEC_HI UINT64_C(0x8080808080808080)

/* 0: plain string byte; 1: '"', '\\' or a control character (bytes from 0x80: 0) */
static const unsigned char str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* Non-zero iff one of the 8 bytes of w is '"', '\\' or below 0x20. Each term is exact about
 * whether such a byte exists; it may also flag bytes after (above) a true hit, never before
 * one, so on little-endian the lowest flag is the first stop byte. */
static inline uint64_t str_stop_word(uint64_t w) {
    uint64_t q = w ^ (DEC_LO * '"'), bs = w ^ (DEC_LO * '\\');
    return (((w - DEC_LO * 0x20) & ~w) | ((q - DEC_LO) & ~q) | ((bs - DEC_LO) & ~bs)) & DEC_HI;
}

/* The first byte in [q, e) that is '"', '\\' or a control character, or e. */
static DEC_INLINE const unsigned char *str_find_stop(const unsigned char *q, const unsigned char *e) {
#if DEC_SSE2
    const __m128i vq = _mm_set1_epi8('"'), vb = _mm_set1_epi8('\\'), v1f = _mm_set1_epi8(0x1F);
    while (e - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vb)),
                                 _mm_cmpeq_epi8(_mm_max_epu8(v, v1f), v1f)); /* unsigned v <= 0x1F */
        unsigned mm = (unsigned)_mm_movemask_epi8(m);
        if (mm) {
#if DEC_CTZ
            return q + __builtin_ctz(mm);
#else
            while (!str_stop[*q]) q++;
            return q;
#endif
        }
        q += 16;
    }
#endif
    while (e - q >= 8) {
        uint64_t w;
        memcpy(&w, q, 8);
        uint64_t m = str_stop_word(w);
        if (m) {
#if DEC_SWAR_LE
            return q + (__builtin_ctzll(m) >> 3);
#else
            while (!str_stop[*q]) q++; /* a stop byte is among these 8 */
            return q;
#endif
        }
        q += 8;
    }
    while (q < e && !str_stop[*q]) q++;
    return q;
}

/* Whitespace run at c->p (any length), then as peek. */
static DEC_NOINLINE int peek_ws(dctx *c) {
    const char *p = c->p, *e = c->end;
#if DEC_SSE2
    const __m128i sp = _mm_set1_epi8(' '), nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), tb = _mm_set1_epi8('\t');
    while (e - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, nl)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, tb)));
        unsigned mm = (unsigned)_mm_movemask_epi8(m) ^ 0xFFFFu; /* the non-whitespace bytes */
        if (mm) {
#if DEC_CTZ
            p += __builtin_ctz(mm);
#else
            while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
#endif
            c->p = p;
            return (unsigned char)*p;
        }
        p += 16;
    }
#endif
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    c->p = p;
    return p < e ? (unsigned char)*p : -1;
}

/* The next byte after whitespace (c->p moved to it), or -1 at the end of the input. */
static DEC_INLINE int peek(dctx *c) {
    const char *p = c->p;
    if (DEC_LIKELY(p < c->end && (unsigned char)*p > ' ')) return (unsigned char)*p; /* no whitespace */
    return peek_ws(c);
}

/* A syntax error: "invalid JSON at byte N (...)", reported at path "$". */
static int dec_syntax(dctx *c, const char *what) {
    perr_set(&c->e, PONTES_EDECODE, NULL, "invalid JSON at byte %zu (%s)", (size_t)(c->p - c->base), what);
    c->e.syntax = 1;
    return PONTES_EDECODE;
}

static const char *next_type_name(dctx *c) {
    int ch = peek(c);
    switch (ch) {
    case '{': return "object";
    case '[': return "array";
    case '"': return "string";
    case 't':
    case 'f': return "boolean";
    case 'n': return "null";
    default: return (ch == '-' || (ch >= '0' && ch <= '9')) ? "number" : NULL;
    }
}

static int dec_mismatch_name(dctx *c, const char *tn) {
    const char *got = next_type_name(c);
    if (!got) return dec_syntax(c, c->p < c->end ? "unexpected character" : "unexpected end of input");
    return perr_set(&c->e, PONTES_EDECODE, tn, "expected %s, got %s", tn, got);
}

static int dec_mismatch(dctx *c, const pontes_type *t) { return dec_mismatch_name(c, type_name(t)); }

static int dec_enter(dctx *c) {
    if (++c->depth > c->max_depth) {
        c->depth--;
        return perr_set(&c->e, PONTES_EDECODE, NULL, "nesting deeper than %u levels", c->max_depth);
    }
    return PONTES_OK;
}

static int dec_literal(dctx *c, const char *lit, size_t n) {
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0) return dec_syntax(c, "invalid literal");
    c->p += n;
    return PONTES_OK;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        v <<= 4;
        if (ch >= '0' && ch <= '9') v |= (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f') v |= (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F') v |= (unsigned)(ch - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* scan_string from its first stop byte q (not a closing quote, or the end of the input). */
static DEC_NOINLINE const char *scan_string_rest(dctx *c, const unsigned char *q, bool *escaped) {
    const unsigned char *e = (const unsigned char *)c->end;
    for (;;) {
        if (q >= e) {
            c->p = c->end;
            dec_syntax(c, "unterminated string");
            return NULL;
        }
        if (*q == '"') return (const char *)q;
        if (*q == '\\') {
            *escaped = true;
            if (q + 1 >= e) {
                c->p = c->end;
                dec_syntax(c, "unterminated string");
                return NULL;
            }
            unsigned char x = q[1];
            if (x == 'u') {
                unsigned v;
                if (e - q < 6 || !hex4((const char *)q + 2, &v)) {
                    c->p = (const char *)q;
                    dec_syntax(c, "invalid \\u escape");
                    return NULL;
                }
                q += 6;
            } else if (x == '"' || x == '\\' || x == '/' || x == 'b' || x == 'f' || x == 'n' || x == 'r' ||
                       x == 't') {
                q += 2;
            } else {
                c->p = (const char *)q;
                dec_syntax(c, "invalid escape");
                return NULL;
            }
            q = str_find_stop(q, e);
            continue;
        }
        c->p = (const char *)q;
        dec_syntax(c, "control character in string");
        return NULL;
    }
}

/* Find the end of the string starting after the opening quote at s: returns the
 * position of the closing quote (NULL on a syntax error, c->p moved to the fault),
 * *escaped tells whether a backslash was seen. */
static DEC_INLINE const char *scan_string(dctx *c, const char *s, bool *escaped) {
    const unsigned char *q = str_find_stop((const unsigned char *)s, (const unsigned char *)c->end);
    *escaped = false;
    if (DEC_LIKELY(q < (const unsigned char *)c->end && *q == '"')) return (const char *)q;
    return scan_string_rest(c, q, escaped);
}

static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Unescape s[0..n) (already scanned) into o; returns the length, or SIZE_MAX with
 * the error set (lone surrogate, \u0000 which a C string cannot hold). */
static size_t unescape(dctx *c, const char *s, size_t n, char *o, bool allow_nul) {
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        char ch = s[i];
        if (ch != '\\') {
            o[k++] = ch;
            i++;
            continue;
        }
        char x = s[i + 1];
        i += 2;
        switch (x) {
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            unsigned cp;
            hex4(s + i, &cp);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u' && hex4(s + i + 2, &lo) && lo >= 0xDC00 &&
                    lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    c->p = s + i - 6;
                    dec_syntax(c, "unpaired UTF-16 surrogate in \\u escape");
                    return SIZE_MAX;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                c->p = s + i - 6;
                dec_syntax(c, "unpaired UTF-16 surrogate in \\u escape");
                return SIZE_MAX;
            } else if (cp == 0 && !allow_nul) {
                c->p = s + i - 6;
                perr_set(&c->e, PONTES_EDECODE, "string", "string contains \\u0000, which a C string cannot hold");
                return SIZE_MAX;
            }
            k += put_utf8(o + k, cp);
            break;
        }
        default: o[k++] = x; break; /* " \ / */
        }
    }
    o[k] = '\0';
    return k;
}

/* Copy the scanned string s..q (q at the closing quote) into the arena, unescaping
 * it when needed; c->p moves past the closing quote. */
static DEC_NOINLINE int dec_string_span(dctx *c, const char *s, const char *q, bool escaped, const char **out,
                                        size_t *len) {
    size_t n = (size_t)(q - s);
    char *o = pontes_arena_strndup(c->a, s, n); /* unescaping only shrinks */
    if (!o) return perr_nomem(&c->e);
    if (escaped) {
        n = unescape(c, s, n, o, false);
        if (n == SIZE_MAX) return PONTES_EDECODE;
    }
    c->p = q + 1;
    *out = o;
    if (len) *len = n;
    return PONTES_OK;
}

/* Parse the string at c->p (a '"') into the arena: *out NUL-terminated, *len its length. */
static DEC_INLINE int dec_string(dctx *c, const char **out, size_t *len) {
    bool escaped;
    const char *s = c->p + 1, *q = scan_string(c, s, &escaped);
    if (!q) return PONTES_EDECODE;
    if (DEC_UNLIKELY(escaped)) return dec_string_span(c, s, q, escaped, out, len);
    size_t n = (size_t)(q - s); /* < the input's length: n + 1 cannot overflow */
    char *o = pontes_arena_take(c->a, n + 1);
    if (!o) return perr_nomem(&c->e);
    if (PONTES_ARENA_ALIGN >= 16 && n < 16 && c->end - s >= 16) {
        /* one 16-byte copy: the allocation (rounded up to 16) and the input both have room */
        uint64_t w[2];
        memcpy(w, s, 16);
        memcpy(o, w, 16);
    } else {
        memcpy(o, s, n);
    }
    o[n] = '\0';
    c->p = q + 1;
    *out = o;
    if (len) *len = n;
    return PONTES_OK;
}

/* A member name: points into the input when it has no escapes (then not NUL-terminated). */
static DEC_INLINE int dec_key(dctx *c, const char **k, size_t *klen) {
    const char *s = c->p + 1;
    bool escaped;
    const char *q = scan_string(c, s, &escaped);
    if (!q) return PONTES_EDECODE;
    if (escaped) return dec_string_span(c, s, q, true, k, klen);
    *k = s;
    *klen = (size_t)(q - s);
    c->p = q + 1;
    return PONTES_OK;
}

static DEC_INLINE int dec_colon(dctx *c) {
    if (DEC_LIKELY(c->p < c->end && *c->p == ':')) { /* no whitespace before it */
        c->p++;
        return PONTES_OK;
    }
    if (peek(c) != ':') return dec_syntax(c, "expected ':'");
    c->p++;
    return PONTES_OK;
}

/* Scan a number: returns its length (0: not a number); *is_int when it has no
 * fraction and no exponent. */
static size_t scan_number(const char *p, const char *end, bool *is_int) {
    const char *s = p;
    *is_int = true;
    if (p < end && *p == '-') p++;
    if (p >= end) return 0;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') p++;
    } else {
        return 0;
    }
    if (p < end && *p == '.') {
        *is_int = false;
        p++;
        if (p >= end || *p < '0' || *p > '9') return 0;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *is_int = false;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return 0;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    return (size_t)(p - s);
}

/* strtod on s[0..n) in any locale (the JSON '.' becomes the locale's decimal point). */
static double to_double(dctx *c, const char *s, size_t n) {
    char buf[64], *tmp = buf;
    if (n >= sizeof buf) {
        tmp = malloc(n + 1);
        if (!tmp) return NAN;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (c->dp != '.') {
        char *d = memchr(tmp, '.', n);
        if (d) *d = c->dp;
    }
    double v = strtod(tmp, NULL);
    if (tmp != buf) free(tmp);
    return v;
}

/* Exact magnitude of a JSON integer literal (no fraction/exponent); false when it
 * does not fit in 63 bits. */
static bool int_literal(const char *s, size_t n, bool *neg, uint64_t *mag) {
    *neg = s[0] == '-';
    size_t i = *neg ? 1 : 0;
    if (n - i > 18) return false;
    uint64_t v = 0;
    for (; i < n; i++) v = v * 10 + (uint64_t)(s[i] - '0');
    *mag = v;
    return true;
}

/* The exact value of the (scanned) JSON number s[0..n) as an int64, from its digits:
 * 0 ok, 1 not an integer (1.5, 1e-1), 2 outside int64. 1e3, 1.50e2 and -0.0 are integers. */
static int number_to_i64(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    bool neg = s[0] == '-';
    if (neg) i = 1;
    uint64_t mag = 0;
    long long sig = 0;     /* significant digits taken into mag (plus pending zeros flushed) */
    long long pending = 0; /* zeros after the last non-zero digit, not yet multiplied in */
    long long frac = 0;    /* digits after the decimal point */
    bool big = false;      /* more than 19 significant digits */
    bool in_frac = false;
    for (; i < n; i++) {
        char ch = s[i];
        if (ch == '.') {
            in_frac = true;
            continue;
        }
        if (ch == 'e' || ch == 'E') break;
        if (in_frac) frac++;
        if (ch == '0') {
            if (mag || big) pending++;
            continue;
        }
        if (!big && sig + pending + 1 <= 19) {
            sig += pending + 1;
            for (; pending; pending--) mag *= 10;
            mag = mag * 10 + (uint64_t)(ch - '0');
        } else {
            big = true;
            sig += pending + 1;
            pending = 0;
        }
    }
    long long ex = 0;
    if (i < n) { /* exponent, saturated */
        i++;
        bool eneg = false;
        if (s[i] == '+' || s[i] == '-') eneg = s[i++] == '-';
        for (; i < n; i++)
            if (ex < 1000000) ex = ex * 10 + (s[i] - '0');
        if (eneg) ex = -ex;
    }
    if (!mag && !big) {
        *out = 0;
        return 0;
    }
    long long e10 = pending + ex - frac; /* value = mag * 10^e10 (mag without the pending zeros) */
    if (e10 < 0) return 1;                /* the last significant digit is a fraction digit */
    if (big || sig + e10 > 19) return 2;
    for (; e10; e10--) mag *= 10; /* at most 19 digits: fits in uint64 */
    if (mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) return 2;
    *out = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    return 0;
}

static void short_value(char *out, size_t cap, const char *s);

/* A number of a PONTES_T_OR_STRING type that came as a JSON string (c->p at its '"'):
 * *txt / *n its text (in the input, or an arena copy when it has escapes; not
 * NUL-terminated), c->p past the string, c->wire_string set. The text must be an optional
 * '-' and decimal digits (integer) or a JSON number (double): anything else is a type
 * mismatch (PONTES_EDECODE, c->p left at the string). */
static int dec_num_string(dctx *c, const pontes_type *t, bool integer, const char **txt, size_t *n) {
    const char *at = c->p;
    int rc = dec_key(c, txt, n);
    if (rc) return rc;
    const char *s = *txt;
    size_t len = *n, i = len && s[0] == '-';
    bool ok = i < len, is_int;
    if (integer) {
        for (; ok && i < len; i++) ok = s[i] >= '0' && s[i] <= '9';
    } else {
        ok = len && scan_number(s, s + len, &is_int) == len;
    }
    if (!ok) {
        char tmp[40], sv[48];
        size_t k = len < sizeof tmp - 1 ? len : sizeof tmp - 1;
        memcpy(tmp, s, k);
        tmp[k] = '\0';
        short_value(sv, sizeof sv, tmp);
        c->p = at;
        return perr_set(&c->e, PONTES_EDECODE, type_name(t), "expected %s, got the string \"%s\" (%s)", type_name(t),
                        sv, integer ? "not an integer" : "not a number");
    }
    c->wire_string = true;
    return PONTES_OK;
}

/* Parse a number for an integer type, exactly from its digits over the whole int64
 * range; a literal with a fraction or exponent must still denote an integer. */
/* Fast path of integer decoding: the number at p (before e) when it is an optional '-' and
 * at most 18 digits without a leading zero (or just "0"), not followed by a digit, a fraction
 * or an exponent: true, *out its value and *endp past it. Anything else: false (the full path). */
static DEC_INLINE bool int_fast(const char *p, const char *e, int64_t *out, const char **endp) {
    bool neg = p < e && *p == '-';
    const char *d = p + neg;
    if (d >= e || (unsigned)(*d - '0') > 9) return false;
    const char *q = d, *lim = *d == '0' ? d + 1 : (e - d > 18 ? d + 18 : e);
    uint64_t v = 0;
    while (q < lim && (unsigned)(*q - '0') <= 9) v = v * 10 + (uint64_t)(*q++ - '0');
    if (q < e && ((unsigned)(*q - '0') <= 9 || *q == '.' || *q == 'e' || *q == 'E')) return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    *endp = q;
    return true;
}

static int dec_integer(dctx *c, const pontes_type *t, int64_t *out) {
    int ch = peek(c);
    const char *num = c->p, *ie;
    int64_t iv;
    if (ch != '"' && int_fast(num, c->end, &iv, &ie)) {
        if (t->kind == PONTES_KIND_INT32 && (iv < INT32_MIN || iv > INT32_MAX))
            return perr_set(&c->e, PONTES_ERANGE, type_name(t), "integer out of range for %s", type_name(t));
        c->p = ie;
        *out = iv;
        return PONTES_OK;
    }
    const char *tn = type_name(t);
    size_t n;
    bool is_int, str = ch == '"' && (t->flags & PONTES_T_OR_STRING);
    if (str) {
        int rc = dec_num_string(c, t, true, &num, &n);
        if (rc) return rc;
    } else {
        if (ch != '-' && (ch < '0' || ch > '9')) return dec_mismatch(c, t);
        n = scan_number(c->p, c->end, &is_int);
        if (!n) return dec_syntax(c, "invalid number");
    }
    int64_t v = 0;
    int r = number_to_i64(num, n, &v);
    if (r == 1) return perr_set(&c->e, PONTES_EDECODE, tn, "expected %s, got non-integral number", tn);
    if (r == 2 || (t->kind == PONTES_KIND_INT32 && (v < INT32_MIN || v > INT32_MAX)))
        return perr_set(&c->e, PONTES_ERANGE, tn, "integer out of range for %s%s", tn, str ? " (in a string)" : "");
    if (!str) c->p += n;
    *out = v;
    return PONTES_OK;
}

/* ---- exact decimals -------------------------------------------------- */

/* The exact pontes_decimal of the (scanned) JSON number s[0..n), from its digits:
 * 0 ok, 2 out of range (coefficient beyond int64, scale above PONTES_DECIMAL_MAX_SCALE).
 * Trailing zeros are kept (995.0000 -> {9950000, 4}); an exponent moves the scale
 * (1.50e1 -> {150, 1}, 1e3 -> {1000, 0}). Never rounds. */
static int number_to_decimal(const char *s, size_t n, pontes_decimal *out) {
    size_t i = 0;
    bool neg = s[0] == '-';
    if (neg) i = 1;
    const uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag = 0;
    long long frac = 0;
    bool in_frac = false;
    for (; i < n; i++) {
        char ch = s[i];
        if (ch == '.') {
            in_frac = true;
            continue;
        }
        if (ch == 'e' || ch == 'E') break;
        unsigned d = (unsigned)(ch - '0');
        if (mag > (lim - d) / 10) return 2; /* leading zeros never get here: 0 * 10 + 0 */
        mag = mag * 10 + d;
        if (in_frac) frac++;
    }
    long long ex = 0;
    if (i < n) { /* exponent, saturated far beyond any count of fraction digits */
        i++;
        bool eneg = false;
        if (s[i] == '+' || s[i] == '-') eneg = s[i++] == '-';
        for (; i < n; i++)
            if (ex < 100000000000000000LL) ex = ex * 10 + (s[i] - '0');
        if (eneg) ex = -ex;
    }
    long long scale = frac - ex;
    if (scale < 0) { /* a positive exponent beyond the fraction digits: multiply in */
        if (mag) {
            for (; scale < 0; scale++) {
                if (mag > lim / 10) return 2;
                mag *= 10;
            }
        }
        scale = 0;
    }
    if (scale > PONTES_DECIMAL_MAX_SCALE) return 2;
    out->coef = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    out->scale = (int32_t)scale;
    return 0;
}

static inline uint64_t dec_mag(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

/* Plain decimal text of d into out (>= PONTES_DECIMAL_TEXT_MAX - 1 bytes); d->scale
 * must be valid. Returns the length. No NUL. */
static size_t fmt_decimal(char *out, const pontes_decimal *d) {
    char dg[24];
    size_t nd = 0, k = 0;
    uint64_t u = dec_mag(d->coef);
    do {
        dg[nd++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t sc = (size_t)d->scale;
    if (d->coef < 0) out[k++] = '-';
    if (nd <= sc) {
        out[k++] = '0';
        out[k++] = '.';
        for (size_t z = nd; z < sc; z++) out[k++] = '0';
        while (nd) out[k++] = dg[--nd];
        return k;
    }
    while (nd > sc) out[k++] = dg[--nd];
    if (sc) {
        out[k++] = '.';
        while (nd) out[k++] = dg[--nd];
    }
    return k;
}

static inline bool scale_ok(int32_t scale) { return scale >= 0 && scale <= PONTES_DECIMAL_MAX_SCALE; }

int pontes_decimal_parse(const char *s, size_t len, pontes_decimal *out) {
    if (!s || !out) return PONTES_EINVAL;
    bool is_int;
    if (!len || scan_number(s, s + len, &is_int) != len) return PONTES_EINVAL;
    pontes_decimal d;
    if (number_to_decimal(s, len, &d)) return PONTES_ERANGE;
    *out = d;
    return PONTES_OK;
}

int pontes_decimal_to_text(const pontes_decimal *d, char *buf, size_t cap) {
    if (!buf || !cap) return PONTES_EINVAL;
    buf[0] = '\0';
    if (!d || !scale_ok(d->scale)) return PONTES_EINVAL;
    char tmp[PONTES_DECIMAL_TEXT_MAX];
    size_t n = fmt_decimal(tmp, d);
    if (n >= cap) return PONTES_EINVAL;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return PONTES_OK;
}

int pontes_decimal_to_minor(const pontes_decimal *d, int minor_digits, int64_t *out) {
    if (!d || !out || minor_digits < 0 || minor_digits > PONTES_DECIMAL_MAX_SCALE || !scale_ok(d->scale))
        return PONTES_EINVAL;
    bool neg = d->coef < 0;
    uint64_t mag = dec_mag(d->coef);
    const uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (int s = d->scale; s > minor_digits; s--) { /* drop digits: only zeros */
        if (mag % 10) return PONTES_ERANGE;
        mag /= 10;
    }
    for (int s = d->scale; s < minor_digits; s++) {
        if (mag > lim / 10) return PONTES_ERANGE;
        mag *= 10;
    }
    *out = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    return PONTES_OK;
}

pontes_decimal pontes_decimal_from_minor(int64_t minor, int minor_digits) {
    pontes_decimal d = {minor, (int32_t)minor_digits};
    return d;
}

int pontes_decimal_cmp(const pontes_decimal *a, const pontes_decimal *b) {
    if (!a || !b) return a ? 1 : b ? -1 : 0;
    int sa = (a->coef > 0) - (a->coef < 0), sb = (b->coef > 0) - (b->coef < 0);
    if (sa != sb) return sa < sb ? -1 : 1;
    if (!sa) return 0;
    /* same sign: compare magnitudes, bringing the smaller scale up to the larger one; a
     * magnitude that grows past UINT64_MAX on the way is larger than the other (whose
     * magnitude is at most 2^63). */
    uint64_t ma = dec_mag(a->coef), mb = dec_mag(b->coef);
    int64_t diff = (int64_t)a->scale - (int64_t)b->scale;
    int r = 0;
    if (diff > 0) { /* b has fewer decimals: scale b up */
        for (; diff && !r; diff--) {
            if (mb > UINT64_MAX / 10) r = -1; /* |b| is bigger */
            else mb *= 10;
        }
    } else {
        for (; diff && !r; diff++) {
            if (ma > UINT64_MAX / 10) r = 1;
            else ma *= 10;
        }
    }
    if (!r) r = ma < mb ? -1 : ma > mb;
    return sa < 0 ? -r : r;
}

static void short_value(char *out, size_t cap, const char *s);

/* Decode a DECIMAL: a JSON number, or (PONTES_T_DECIMAL_STRING) a string of decimal text. */
static int dec_decimal(dctx *c, const pontes_type *t, pontes_decimal *out) {
    const char *tn = type_name(t);
    int ch = peek(c);
    if (t->flags & PONTES_T_DECIMAL_STRING) {
        if (ch != '"') return dec_mismatch(c, t);
        const char *txt;
        size_t n;
        int rc = dec_string(c, &txt, &n);
        if (rc) return rc;
        bool is_int;
        if (!n || scan_number(txt, txt + n, &is_int) != n) {
            char sv[48];
            short_value(sv, sizeof sv, txt);
            return perr_set(&c->e, PONTES_EDECODE, tn, "expected decimal text in the string, got \"%s\"", sv);
        }
        if (number_to_decimal(txt, n, out))
            return perr_set(&c->e, PONTES_ERANGE, tn, "decimal out of range (%zu characters; at most an int64 "
                            "coefficient and %d decimals, never rounded)", n, PONTES_DECIMAL_MAX_SCALE);
        return PONTES_OK;
    }
    if (ch != '-' && (ch < '0' || ch > '9')) return dec_mismatch(c, t);
    bool is_int;
    size_t n = scan_number(c->p, c->end, &is_int);
    if (!n) return dec_syntax(c, "invalid number");
    if (number_to_decimal(c->p, n, out))
        return perr_set(&c->e, PONTES_ERANGE, tn, "decimal out of range (%zu characters; at most an int64 "
                        "coefficient and %d decimals, never rounded)", n, PONTES_DECIMAL_MAX_SCALE);
    c->p += n;
    return PONTES_OK;
}

/* The double nearest to the (scanned) JSON number s[0..n). */
static double number_value(dctx *c, const char *s, size_t n, bool is_int) {
    bool neg;
    uint64_t mag;
    if (is_int && n <= 16 && int_literal(s, n, &neg, &mag) && mag < (uint64_t)TWO53)
        return neg ? -(double)mag : (double)mag; /* exact, and much cheaper than strtod */
    return to_double(c, s, n);
}

static int dec_double(dctx *c, const pontes_type *t, double *out) {
    int ch = peek(c);
    bool is_int;
    if (ch == '"' && (t->flags & PONTES_T_OR_STRING)) {
        const char *txt;
        size_t n;
        int rc = dec_num_string(c, t, false, &txt, &n);
        if (rc) return rc;
        scan_number(txt, txt + n, &is_int);
        double v = number_value(c, txt, n, is_int);
        if (!isfinite(v))
            return perr_set(&c->e, PONTES_ERANGE, type_name(t), "number out of range for %s (in a string)",
                            type_name(t));
        *out = v;
        return PONTES_OK;
    }
    if (ch != '-' && (ch < '0' || ch > '9')) return dec_mismatch(c, t);
    size_t n = scan_number(c->p, c->end, &is_int);
    if (!n) return dec_syntax(c, "invalid number");
    double v = number_value(c, c->p, n, is_int);
    if (!isfinite(v)) return perr_set(&c->e, PONTES_ERANGE, type_name(t), "number out of range for %s", type_name(t));
    c->p += n;
    *out = v;
    return PONTES_OK;
}

/* Skip one value (syntax-checked). Values kept as JSON are bounded by cJSON's own
 * nesting limit, not by max_depth (which bounds the descriptor recursion). */
#ifndef CJSON_NESTING_LIMIT
#define CJSON_NESTING_LIMIT 1000
#endif
static int dec_skip(dctx *c) {
    int ch = peek(c);
    switch (ch) {
    case '"': {
        bool escaped;
        const char *q = scan_string(c, c->p + 1, &escaped);
        if (!q) return PONTES_EDECODE;
        c->p = q + 1;
        return PONTES_OK;
    }
    case '{':
    case '[': {
        if (c->skip_depth >= CJSON_NESTING_LIMIT) return dec_syntax(c, "nesting deeper than cJSON's limit");
        c->skip_depth++;
        int rc;
        char close = ch == '{' ? '}' : ']';
        c->p++;
        if (peek(c) == close) {
            c->p++;
            c->skip_depth--;
            return PONTES_OK;
        }
        for (;;) {
            if (ch == '{') {
                if (peek(c) != '"') return dec_syntax(c, "expected a member name");
                const char *k;
                size_t kl;
                if ((rc = dec_key(c, &k, &kl)) != PONTES_OK || (rc = dec_colon(c)) != PONTES_OK) return rc;
            }
            if ((rc = dec_skip(c)) != PONTES_OK) return rc;
            int nx = peek(c);
            c->p++;
            if (nx == ',') continue;
            if (nx == close) break;
            c->p--;
            return dec_syntax(c, ch == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        c->skip_depth--;
        return PONTES_OK;
    }
    case 't': return dec_literal(c, "true", 4);
    case 'f': return dec_literal(c, "false", 5);
    case 'n': return dec_literal(c, "null", 4);
    default: {
        bool is_int;
        size_t n = scan_number(c->p, c->end, &is_int);
        if (!n) return dec_syntax(c, c->p < c->end ? "unexpected character" : "unexpected end of input");
        c->p += n;
        return PONTES_OK;
    }
    }
}

/* A malloc'd (cJSON hooks) copy of the scanned string s..q, unescaped when needed.
 * \u0000 is kept as cJSON keeps it (the C string ends there). */
static int json_strdup(dctx *c, const char *s, const char *q, bool escaped, char **out) {
    size_t n = (size_t)(q - s);
    char *o = cJSON_malloc(n + 1);
    if (!o) return perr_nomem(&c->e);
    if (escaped) {
        if (unescape(c, s, n, o, true) == SIZE_MAX) {
            cJSON_free(o);
            return PONTES_EDECODE;
        }
    } else {
        memcpy(o, s, n);
        o[n] = '\0';
    }
    *out = o;
    return PONTES_OK;
}

/* Append item to a cJSON array/object the way cJSON does (first child's prev is the last). */
static void json_append(cJSON *parent, cJSON *item) {
    if (!parent->child) {
        parent->child = item;
        item->prev = item;
        return;
    }
    cJSON *last = parent->child->prev;
    last->next = item;
    item->prev = last;
    parent->child->prev = item;
}

/* Parse the next value into a new cJSON tree (syntax-checked, one pass). Numbers are
 * cJSON_Number nodes whose valuestring is a copy of their exact text (see pontes_extra).
 * Nesting is bounded by cJSON's own limit, not by max_depth. */
static int dec_build(dctx *c, cJSON **out) {
    *out = NULL;
    int ch = peek(c), rc;
    cJSON *j;
    switch (ch) {
    case '"': {
        bool escaped;
        const char *s = c->p + 1, *q = scan_string(c, s, &escaped);
        if (!q) return PONTES_EDECODE;
        char *txt;
        if ((rc = json_strdup(c, s, q, escaped, &txt)) != PONTES_OK) return rc;
        if (!(j = cJSON_CreateNull())) {
            cJSON_free(txt);
            return perr_nomem(&c->e);
        }
        j->type = cJSON_String;
        j->valuestring = txt;
        c->p = q + 1;
        break;
    }
    case '{':
    case '[': {
        if (c->skip_depth >= CJSON_NESTING_LIMIT) return dec_syntax(c, "nesting deeper than cJSON's limit");
        if (!(j = ch == '{' ? cJSON_CreateObject() : cJSON_CreateArray())) return perr_nomem(&c->e);
        char close = ch == '{' ? '}' : ']';
        c->skip_depth++;
        c->p++;
        rc = PONTES_OK;
        if (peek(c) == close) {
            c->p++;
        } else {
            for (;;) {
                char *key = NULL;
                if (ch == '{') {
                    bool escaped;
                    if (peek(c) != '"') {
                        rc = dec_syntax(c, "expected a member name");
                        break;
                    }
                    const char *s = c->p + 1, *q;
                    if (!(q = scan_string(c, s, &escaped))) {
                        rc = PONTES_EDECODE;
                        break;
                    }
                    if ((rc = json_strdup(c, s, q, escaped, &key)) != PONTES_OK) break;
                    c->p = q + 1;
                    if ((rc = dec_colon(c)) != PONTES_OK) {
                        cJSON_free(key);
                        break;
                    }
                }
                cJSON *item;
                if ((rc = dec_build(c, &item)) != PONTES_OK) {
                    cJSON_free(key);
                    break;
                }
                item->string = key;
                json_append(j, item);
                int nx = peek(c);
                if (nx == ',') {
                    c->p++;
                    continue;
                }
                if (nx == close) {
                    c->p++;
                    break;
                }
                rc = dec_syntax(c, ch == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
                break;
            }
        }
        c->skip_depth--;
        if (rc) {
            cJSON_Delete(j);
            return rc;
        }
        break;
    }
    case 't':
        if ((rc = dec_literal(c, "true", 4)) != PONTES_OK) return rc;
        if (!(j = cJSON_CreateTrue())) return perr_nomem(&c->e);
        break;
    case 'f':
        if ((rc = dec_literal(c, "false", 5)) != PONTES_OK) return rc;
        if (!(j = cJSON_CreateFalse())) return perr_nomem(&c->e);
        break;
    case 'n':
        if ((rc = dec_literal(c, "null", 4)) != PONTES_OK) return rc;
        if (!(j = cJSON_CreateNull())) return perr_nomem(&c->e);
        break;
    default: {
        bool is_int;
        size_t n = scan_number(c->p, c->end, &is_int);
        if (!n) return dec_syntax(c, c->p < c->end ? "unexpected character" : "unexpected end of input");
        char *txt = cJSON_malloc(n + 1);
        if (!txt) return perr_nomem(&c->e);
        memcpy(txt, c->p, n);
        txt[n] = '\0';
        if (!(j = cJSON_CreateNumber(number_value(c, c->p, n, is_int)))) {
            cJSON_free(txt);
            return perr_nomem(&c->e);
        }
        j->valuestring = txt; /* freed by cJSON_Delete */
        c->p += n;
        break;
    }
    }
    *out = j;
    return PONTES_OK;
}

/* Keep the next value as a cJSON tree owned by the arena. */
static int dec_capture(dctx *c, cJSON **out) {
    cJSON *j;
    int rc = dec_build(c, &j);
    if (rc) return rc;
    if (pontes_arena_adopt_json(c->a, j) != PONTES_OK) {
        cJSON_Delete(j);
        return perr_nomem(&c->e);
    }
    *out = j;
    return PONTES_OK;
}

/* A deviation from the schema at the value starting at `at` (suffix: a member name to
 * append to that value's path, or NULL): in strict mode an EDECODE error with the text
 * as message; otherwise counted (union scoring, opts->deviations) and the value kept.
 * Only called when there is a deviation: a conforming document never gets here. */
static int dec_deviation(dctx *c, const char *at, const char *suffix, const char *expected, const char *fmt, ...)
    PONTES_PRINTF(5, 6);
static int dec_deviation(dctx *c, const char *at, const char *suffix, const char *expected, const char *fmt, ...) {
    va_list ap;
    if (c->strict) {
        perr_clear(&c->e);
        c->e.status = PONTES_EDECODE;
        va_start(ap, fmt);
        vsnprintf(c->e.msg, sizeof c->e.msg, fmt, ap);
        va_end(ap);
        if (expected) snprintf(c->e.expected, sizeof c->e.expected, "%s", expected);
        if (suffix) perr_key(&c->e, suffix);
        return PONTES_EDECODE;
    }
    c->unknown++;
    pontes_deviations *d = c->dev;
    if (!d) return PONTES_OK;
    d->count++;
    if (d->kept < PONTES_DEVIATIONS_KEPT) {
        size_t k = d->kept++;
        va_start(ap, fmt);
        vsnprintf(d->first[k].what, sizeof d->first[k].what, fmt, ap);
        va_end(ap);
        d->first[k].path[0] = '\0'; /* filled in at the end (dev_resolve_paths) */
        c->dev_off[k] = (size_t)(at - c->base);
        c->dev_suffix[k] = suffix;
    }
    return PONTES_OK;
}

/* A short, printable excerpt of s for a deviation text (long values are cut). */
static void short_value(char *out, size_t cap, const char *s) {
    size_t n = strlen(s), k = 0, lim = 32;
    for (size_t i = 0; i < n && i < lim && k + 1 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[k++] = (ch < 0x20 || ch == '"' || ch == '\\' || ch == 0x7f) ? '?' : (char)ch;
    }
    if (n > lim) {
        while (k && ((unsigned char)out[k - 1] & 0xC0) == 0x80) k--; /* drop a cut UTF-8 sequence */
        if (k && (unsigned char)out[k - 1] >= 0xC0) k--;
        if (k + 4 <= cap) {
            memcpy(out + k, "...", 3);
            k += 3;
        }
    }
    out[k] = '\0';
}

/* Check the format of a decoded string (STRING types with PONTES_T_FMT_* flags). */
static int dec_check_fmt(dctx *c, const pontes_type *t, const char *at, const char *str) {
    const char *bad = fmt_check(t->flags, str, strlen(str));
    if (!bad) return PONTES_OK;
    return dec_deviation(c, at, NULL, fmt_name(t->flags), "%s", bad);
}

/* Prepend a key that is not NUL-terminated to the error path (error path only). */
static void perr_key_n(perr *e, const char *k, size_t n) {
    char *t = malloc(n + 1);
    if (!t) return;
    memcpy(t, k, n);
    t[n] = '\0';
    perr_key(e, t);
    free(t);
}

/* Whether JSON null is a value of t itself (not "no value"): ANY, and unions
 * with an ANY variant. */
static int takes_null(const pontes_type *t) {
    if (t->kind == PONTES_KIND_ANY) return 1;
    if (t->kind == PONTES_KIND_UNION && !t->un->discriminator) {
        for (size_t i = 0; i < t->un->count; i++)
            if (t->un->variants[i]->kind == PONTES_KIND_ANY) return 1;
    }
    return 0;
}

/* An enum value that is not one of t's: a deviation (the raw text is kept). */
static DEC_NOINLINE int dec_enum_unknown(dctx *c, const pontes_type *t, const char *at, const char *raw) {
    char sv[48];
    short_value(sv, sizeof sv, raw);
    return dec_deviation(c, at, NULL, type_name(t), "unknown enum value \"%s\"", sv);
}

/* The common cases of dec_value (c->p at ch, whitespace skipped), with exactly its result:
 * true when done here (*rc the status), false when dec_value must do it. */
static DEC_INLINE bool dec_fast(dctx *c, const pontes_type *t, void *s, int ch, int *rc) {
    switch (t->kind) {
    case PONTES_KIND_STRING: {
        if (ch != '"') return false;
        const char *at = c->p;
        *rc = dec_string(c, (const char **)s, NULL);
        if (!*rc && (t->flags & PONTES_T_FMT_MASK)) *rc = dec_check_fmt(c, t, at, *(const char **)s);
        return true;
    }
    case PONTES_KIND_INT32:
    case PONTES_KIND_INT64: {
        int64_t v;
        const char *ie;
        if (ch == '"' || !int_fast(c->p, c->end, &v, &ie)) return false;
        if (t->kind == PONTES_KIND_INT64) {
            *(int64_t *)s = v;
        } else {
            if (v < INT32_MIN || v > INT32_MAX) return false; /* the error */
            *(int32_t *)s = (int32_t)v;
        }
        c->p = ie;
        *rc = PONTES_OK;
        return true;
    }
    case PONTES_KIND_ENUM: {
        if (ch != '"') return false;
        pontes_enum *e = s;
        const char *at = c->p;
        if ((*rc = dec_string(c, &e->raw, NULL)) != PONTES_OK) return true;
        e->value = pontes_enum_from_string(t->en, e->raw);
        if (!e->value) *rc = dec_enum_unknown(c, t, at, e->raw);
        return true;
    }
    default: return false;
    }
}

/* Null/presence handling shared by object members and box values. */
static DEC_INLINE int dec_field(dctx *c, const pontes_field *f, unsigned char *obj) {
    pontes_presence *p = obj + f->presence_offset;
    void *s = obj + f->offset;
    int ch = peek(c), rc;
    if (ch == 'n') {
        if (!(f->flags & PONTES_F_NULLABLE) && !takes_null(f->type)) {
            if (c->strict) return dec_mismatch(c, f->type);
            if ((rc = dec_deviation(c, c->p, NULL, NULL, "null for a non-nullable %s", type_name(f->type))))
                return rc;
        }
        if (f->flags & PONTES_F_NULLABLE || !takes_null(f->type)) {
            rc = dec_literal(c, "null", 4);
            if (!rc) *p = PONTES_NULL;
            return rc;
        }
    }
    if (DEC_UNLIKELY((f->flags & PONTES_F_WIRE_FORM) && (f->type->flags & PONTES_T_OR_STRING))) {
        c->wire_string = false; /* the form is recorded next to the presence (pontes_wire_form) */
        rc = dec_value(c, f->type, s);
        if (!rc) p[1] = c->wire_string ? PONTES_WIRE_STRING : PONTES_WIRE_NUMBER;
    } else if (!dec_fast(c, f->type, s, ch, &rc)) { /* the common kinds without a call */
        rc = dec_value(c, f->type, s);
    }
    if (!rc) *p = PONTES_SET;
    return rc;
}

static inline bool name_eq_n(const char *name, const char *k, size_t n) {
    size_t i = 0;
    for (; i < n; i++)
        if (name[i] != k[i]) return false; /* also stops at the end of a shorter name */
    return name[i] == '\0';
}

/* Whether field f is named k[0..n): lengths first (the generated name_len, or measured when
 * the descriptor has no ready key), then the bytes. */
static DEC_INLINE bool field_is(const pontes_field *f, const char *k, size_t n) {
    if (f->key) {
        if (f->name_len != n) return false;
        for (size_t i = 0; i < n; i++) /* short names: cheaper than a call to memcmp */
            if (f->name[i] != k[i]) return false;
        return true;
    }
    return (n ? f->name[0] == k[0] : f->name[0] == '\0') && name_eq_n(f->name, k, n);
}

/* Whether the input at p (before e) starts with the n bytes of key (n >= 3: a field's ready
 * `"name":`). Loads stay inside both. */
static DEC_INLINE bool key_at(const char *p, const char *e, const char *key, size_t n) {
    if ((size_t)(e - p) < n) return false;
    if (n >= 8 && n <= 16) { /* two overlapping 8-byte words */
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, p, 8);
        memcpy(&b0, key, 8);
        memcpy(&a1, p + n - 8, 8);
        memcpy(&b1, key + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 4 && n < 8) { /* two overlapping 4-byte words */
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, p, 4);
        memcpy(&b0, key, 4);
        memcpy(&a1, p + n - 4, 4);
        memcpy(&b1, key + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return memcmp(p, key, n) == 0;
}

static DEC_INLINE const pontes_field *find_field(const pontes_message *m, const char *k, size_t n, size_t *next) {
    const pontes_field *f = m->fields;
    size_t cnt = m->field_count, i = *next;
    /* members usually arrive in descriptor order: try the next expected one first */
    if (i < cnt && field_is(&f[i], k, n)) {
        *next = i + 1;
        return &f[i];
    }
    for (i = 0; i < cnt; i++) {
        if (field_is(&f[i], k, n)) {
            *next = i + 1;
            return &f[i];
        }
    }
    return NULL;
}

/* After a member or element: ',' (more) or the closing bracket (done). */
static DEC_INLINE int dec_next(dctx *c, char close, bool *more) {
    int ch = peek(c);
    if (ch == ',') {
        c->p++;
        *more = true;
        return PONTES_OK;
    }
    if (ch == close) {
        c->p++;
        *more = false;
        return PONTES_OK;
    }
    return dec_syntax(c, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
}

/* Grow an arena array (old contents copied; arena memory is not freed). */
static void *arena_grow(pontes_arena *a, void *old, size_t n, size_t cap, size_t elem) {
    if (elem && cap > SIZE_MAX / elem) return NULL;
    return pontes_arena_grow(a, old, n * elem, cap * elem, true); /* in place when old is the last allocation */
}

/* Whether dec_elem writes the whole slot of an element of type et whenever it succeeds (null
 * included), so that item storage need not be zeroed first: scalars without padding and
 * pointers. */
static inline bool elem_fills_slot(const pontes_type *et) {
    switch (et->kind) {
    case PONTES_KIND_BOOL: return et->size == sizeof(bool);
    case PONTES_KIND_INT32: return et->size == sizeof(int32_t);
    case PONTES_KIND_INT64: return et->size == sizeof(int64_t);
    case PONTES_KIND_DOUBLE: return et->size == sizeof(double);
    case PONTES_KIND_STRING:
    case PONTES_KIND_OBJECT:
    case PONTES_KIND_UNION:
    case PONTES_KIND_ANY: return et->size == sizeof(void *);
    default: return false;
    }
}

static int dec_unknown(dctx *c, const pontes_message *m, unsigned char *obj, const char *k, size_t kl,
                       size_t *ex_cap) {
    if (c->reject_unknown || c->strict) return perr_set(&c->e, PONTES_EDECODE, NULL, "unknown member");
    peek(c);
    dec_deviation(c, c->p, NULL, NULL, "unknown member"); /* tolerant: cannot fail */
    if (m->extra_offset == PONTES_NO_EXTRA) return dec_skip(c);
    pontes_extra *ex = (pontes_extra *)(void *)(obj + m->extra_offset);
    for (size_t i = 0; i < ex->count; i++)
        if (name_eq_n(ex->items[i]->string, k, kl)) return perr_set(&c->e, PONTES_EDECODE, NULL, "duplicate member");
    if (ex->count == *ex_cap) {
        size_t nc = *ex_cap ? *ex_cap * 2 : 4;
        const cJSON **items = arena_grow(c->a, (void *)ex->items, ex->count, nc, sizeof *items);
        if (!items) return perr_nomem(&c->e);
        ex->items = items;
        *ex_cap = nc;
    }
    cJSON *j;
    int rc = dec_capture(c, &j);
    if (rc) return rc;
    char *name = pontes_arena_strndup(c->a, k, kl);
    if (!name) return perr_nomem(&c->e);
    j->string = name;
    j->type |= cJSON_StringIsConst; /* the arena owns the name: cJSON_Delete must not free it */
    ex->items[ex->count++] = j;
    return PONTES_OK;
}

/* Exactly-one-of constraints of m (pontes_one_of) over the presence bytes of obj (members
 * at or past avail count as absent). Returns the index of the first constraint not met,
 * or SIZE_MAX; then *held is how many of its alternatives hold and msg the description
 * ("exactly one of a, b: both present"). Shared by the decoder and the encoder. */
static size_t one_of_failed(const pontes_message *m, const unsigned char *obj, size_t avail, size_t *held, char *msg,
                            size_t cap) {
    if (!(m->flags & PONTES_M_ONE_OF)) return SIZE_MAX;
    const pontes_message_one_of *mo = (const pontes_message_one_of *)(const void *)m;
    for (size_t k = 0; k < mo->one_of_count; k++) {
        const pontes_one_of *o = &mo->one_of[k];
        size_t n = 0;
        for (size_t a = 0; a < o->count; a++) {
            const pontes_required_set *rs = &o->alts[a];
            bool all = rs->count > 0;
            for (size_t i = 0; all && i < rs->count; i++) {
                const pontes_field *f = rs->fields[i] < m->field_count ? &m->fields[rs->fields[i]] : NULL;
                all = f && f->presence_offset < avail && obj[f->presence_offset] != PONTES_ABSENT;
            }
            n += all;
        }
        if (n == 1) continue;
        *held = n;
        size_t len = (size_t)snprintf(msg, cap, "exactly one of ");
        for (size_t a = 0; a < o->count && len < cap; a++) {
            const pontes_required_set *rs = &o->alts[a];
            for (size_t i = 0; i < rs->count && len < cap; i++) {
                const pontes_field *f = rs->fields[i] < m->field_count ? &m->fields[rs->fields[i]] : NULL;
                len += (size_t)snprintf(msg + len, cap - len, "%s%s", i ? " + " : (a ? ", " : ""),
                                        f && f->name ? f->name : "?");
            }
        }
        if (len < cap)
            snprintf(msg + len, cap - len, ": %s present",
                     n == 0 ? "none" : (n == 2 && o->count == 2) ? "both" : "several");
        return k;
    }
    return SIZE_MAX;
}

static int dec_message(dctx *c, const pontes_message *m, unsigned char *obj) {
    if (m->flags & PONTES_M_SIZED) memcpy(obj, &m->size, sizeof m->size); /* _size: a full struct */
    if (m->flags & PONTES_M_BOX) {
        if (m->field_count < 1) return perr_set(&c->e, PONTES_EINVAL, NULL, "box message %s has no field", m->name);
        return dec_field(c, &m->fields[0], obj);
    }
    if (peek(c) != '{') return dec_mismatch_name(c, m->name ? m->name : "object");
    int rc = dec_enter(c);
    if (rc) return rc;
    const char *ostart = c->p;
    c->p++;
    size_t ex_cap = 0, next = 0, seen = 0; /* seen: fields decoded (each at most once) */
    bool more = peek(c) != '}';
    if (!more) c->p++;
    while (more) {
        if (peek(c) != '"') {
            rc = dec_syntax(c, "expected a member name");
            goto out;
        }
        const char *k;
        size_t kl;
        /* members mostly come in descriptor order: when the next field or the one after it
           is written exactly as its ready key `"name":` (then valid JSON naming that field,
           colon included), there is nothing to scan */
        const pontes_field *f = NULL;
        if (next < m->field_count) {
            const pontes_field *g = &m->fields[next];
            if (g->key && key_at(c->p, c->end, g->key, g->key_len)) {
                f = g;
                next++;
            } else if (next + 1 < m->field_count && g[1].key && key_at(c->p, c->end, g[1].key, g[1].key_len)) {
                f = g + 1;
                next += 2;
            }
        }
        if (f) {
            k = f->name;
            kl = f->name_len;
            c->p += f->key_len;
        } else {
            if ((rc = dec_key(c, &k, &kl)) != PONTES_OK || (rc = dec_colon(c)) != PONTES_OK) goto out;
            f = find_field(m, k, kl, &next);
        }
        if (f) {
            if (obj[f->presence_offset] != PONTES_ABSENT)
                rc = perr_set(&c->e, PONTES_EDECODE, NULL, "duplicate member");
            else
                rc = dec_field(c, f, obj);
            seen++;
        } else {
            rc = dec_unknown(c, m, obj, k, kl, &ex_cap);
        }
        if (rc) {
            perr_key_n(&c->e, k, kl);
            goto out;
        }
        if ((rc = dec_next(c, '}', &more)) != PONTES_OK) goto out;
    }
    for (size_t i = 0; seen < m->field_count && i < m->field_count; i++) { /* all seen: none missing */
        const pontes_field *f = &m->fields[i];
        if ((f->flags & PONTES_F_REQUIRED) && obj[f->presence_offset] == PONTES_ABSENT &&
            (rc = dec_deviation(c, ostart, f->name, type_name(f->type), "missing required member")) != PONTES_OK)
            goto out;
    }
    if (m->flags & PONTES_M_ONE_OF) {
        char msg[200];
        size_t held;
        if (one_of_failed(m, obj, m->size, &held, msg, sizeof msg) != SIZE_MAX) {
            if (c->one_of_error) {
                rc = perr_set(&c->e, PONTES_EDECODE, "exactly one", "%s", msg);
                goto out;
            }
            if ((rc = dec_deviation(c, ostart, NULL, "exactly one", "%s", msg)) != PONTES_OK) goto out;
        }
    }
    rc = PONTES_OK;
out:
    c->depth--;
    return rc;
}

/* One element of an array or map; slot is its storage. */
static DEC_INLINE int dec_elem(dctx *c, const pontes_type *t, const pontes_type *et, unsigned char *slot) {
    int ch = peek(c), rc;
    if (ch == 'n') {
        if ((t->flags & PONTES_T_ELEM_NULLABLE) && is_pointer_kind(et->kind)) {
            *(void **)(void *)slot = NULL;
            return dec_literal(c, "null", 4);
        }
        if (!takes_null(et)) {
            if (c->strict || !is_pointer_kind(et->kind)) return dec_mismatch(c, et); /* no storage for null */
            dec_deviation(c, c->p, NULL, NULL, "null for a non-nullable %s", type_name(et));
            *(void **)(void *)slot = NULL;
            return dec_literal(c, "null", 4);
        }
    }
    if (dec_fast(c, et, slot, ch, &rc)) return rc;
    return dec_value(c, et, slot);
}

/* Record that element i of a container of numbers-or-strings came as a string: *wire (arena,
 * zeroed = numbers) is made or grown to cap entries first. */
static int dec_wire_mark(dctx *c, unsigned char **wire, size_t *wcap, size_t cap, size_t i) {
    if (*wcap < cap) {
        unsigned char *nw = arena_grow(c->a, *wire, *wcap, cap, 1);
        if (!nw) return perr_nomem(&c->e);
        *wire = nw;
        *wcap = cap;
    }
    (*wire)[i] = PONTES_WIRE_STRING;
    return PONTES_OK;
}

static DEC_NOINLINE int dec_array(dctx *c, const pontes_type *t, pontes_list *l) {
    if (peek(c) != '[') return dec_mismatch(c, t);
    const pontes_type *et = t->elem;
    l->items = NULL;
    l->count = 0;
    bool wf = (et->flags & PONTES_T_OR_STRING) != 0; /* pontes_wire_list: one form per element */
    if (wf) ((pontes_wire_list *)(void *)l)->wire = NULL;
    int rc = dec_enter(c);
    if (rc) return rc;
    c->p++;
    bool fills = elem_fills_slot(et); /* no zeroing of item storage written at once */
    unsigned char *items = NULL, *wire = NULL;
    size_t n = 0, cap = 0, wcap = 0;
    bool more = peek(c) != ']';
    if (!more) c->p++;
    while (more) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            unsigned char *ni = et->size && nc > SIZE_MAX / et->size
                                    ? NULL
                                    : pontes_arena_grow(c->a, items, n * et->size, nc * et->size, !fills);
            if (!ni) {
                rc = perr_nomem(&c->e);
                goto out;
            }
            items = ni;
            cap = nc;
        }
        c->wire_string = false;
        rc = dec_elem(c, t, et, items + n * et->size);
        if (!rc && wf && c->wire_string) rc = dec_wire_mark(c, &wire, &wcap, cap, n);
        if (rc) {
            perr_index(&c->e, n);
            goto out;
        }
        n++;
        if ((rc = dec_next(c, ']', &more)) != PONTES_OK) goto out;
    }
    l->items = items;
    l->count = n;
    if (wf) ((pontes_wire_list *)(void *)l)->wire = wire;
out:
    c->depth--;
    return rc;
}

static int dec_map(dctx *c, const pontes_type *t, pontes_map *mp) {
    if (peek(c) != '{') return dec_mismatch(c, t);
    const pontes_type *et = t->elem;
    mp->keys = NULL;
    mp->values = NULL;
    mp->count = 0;
    bool wf = (et->flags & PONTES_T_OR_STRING) != 0; /* pontes_wire_map: one form per value */
    if (wf) ((pontes_wire_map *)(void *)mp)->wire = NULL;
    int rc = dec_enter(c);
    if (rc) return rc;
    c->p++;
    const char **keys = NULL;
    unsigned char *vals = NULL, *wire = NULL;
    size_t n = 0, cap = 0, wcap = 0;
    bool more = peek(c) != '}';
    if (!more) c->p++;
    while (more) {
        if (peek(c) != '"') {
            rc = dec_syntax(c, "expected a member name");
            goto out;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            const char **nk = arena_grow(c->a, (void *)keys, n, nc, sizeof *keys);
            unsigned char *nv = nk ? arena_grow(c->a, vals, n, nc, et->size) : NULL;
            if (!nv) {
                rc = perr_nomem(&c->e);
                goto out;
            }
            keys = nk;
            vals = nv;
            cap = nc;
        }
        if ((rc = dec_string(c, &keys[n], NULL)) != PONTES_OK || (rc = dec_colon(c)) != PONTES_OK) goto out;
        c->wire_string = false;
        rc = dec_elem(c, t, et, vals + n * et->size);
        if (!rc && wf && c->wire_string) rc = dec_wire_mark(c, &wire, &wcap, cap, n);
        if (rc) {
            perr_key(&c->e, keys[n]);
            goto out;
        }
        n++;
        if ((rc = dec_next(c, '}', &more)) != PONTES_OK) goto out;
    }
    size_t d = find_dup_key(keys, n);
    if (d != SIZE_MAX) {
        rc = perr_set(&c->e, PONTES_EDECODE, NULL, "duplicate member");
        perr_key(&c->e, keys[d]);
        goto out;
    }
    mp->keys = keys;
    mp->values = vals;
    mp->count = n;
    if (wf) ((pontes_wire_map *)(void *)mp)->wire = wire;
out:
    c->depth--;
    return rc;
}

/* Look ahead in the object at c->p for the discriminator member (c->p is restored).
 * *val is its value (arena copy) or NULL when absent; *not_string when it is not a string. */
static int dec_find_discriminator(dctx *c, const char *name, const char **val, const char **got) {
    const char *start = c->p;
    *val = NULL;
    *got = NULL;
    int rc = dec_enter(c);
    if (rc) return rc;
    c->p++;
    size_t nl = strlen(name);
    bool more = peek(c) != '}';
    while (more) {
        if (peek(c) != '"') {
            rc = dec_syntax(c, "expected a member name");
            goto out;
        }
        const char *k;
        size_t kl;
        if ((rc = dec_key(c, &k, &kl)) != PONTES_OK || (rc = dec_colon(c)) != PONTES_OK) goto out;
        if (kl == nl && memcmp(k, name, nl) == 0) {
            if (peek(c) == '"') {
                rc = dec_string(c, val, NULL);
            } else {
                *got = next_type_name(c);
                if (!*got) rc = dec_syntax(c, "unexpected character");
            }
            goto out;
        }
        if ((rc = dec_skip(c)) != PONTES_OK || (rc = dec_next(c, '}', &more)) != PONTES_OK) goto out;
    }
out:
    c->depth--;
    c->p = start;
    return rc;
}

static int dec_union(dctx *c, const pontes_union_desc *u, unsigned char *us) {
    pontes_union_head *h = (pontes_union_head *)(void *)us;
    unsigned char *vs = us + u->value_offset;
    h->kind = 0;
    h->raw = NULL;
    int rc;
    if (u->discriminator) {
        if (peek(c) != '{') return dec_mismatch_name(c, u->name ? u->name : "object");
        const char *dv, *got;
        if ((rc = dec_find_discriminator(c, u->discriminator, &dv, &got)) != PONTES_OK) return rc;
        if (!dv && got) {
            perr_set(&c->e, PONTES_EDECODE, "string", "expected string (discriminator), got %s", got);
            perr_key(&c->e, u->discriminator);
            return PONTES_EDECODE;
        }
        for (size_t i = 0; dv && i < u->count; i++) {
            const char *mv = u->mapping ? u->mapping[i] : NULL;
            if (mv && strcmp(mv, dv) == 0) {
                rc = dec_value(c, u->variants[i], vs);
                if (rc) return rc;
                h->kind = (int)i + 1;
                return PONTES_OK;
            }
        }
        /* unknown or missing discriminator value: kind 0, raw keeps the JSON */
        if (!dv) {
            rc = dec_deviation(c, c->p, u->discriminator, "string", "missing required member (discriminator)");
        } else {
            char sv[48];
            short_value(sv, sizeof sv, dv);
            rc = dec_deviation(c, c->p, u->discriminator, "string", "unknown discriminator value \"%s\"", sv);
        }
        if (rc) return rc;
        cJSON *raw;
        if ((rc = dec_capture(c, &raw)) != PONTES_OK) return rc;
        h->raw = raw;
        return PONTES_OK;
    }

    /* No discriminator: try every variant from the same position; keep the one
       with the fewest deviations (unknown members, ...; an ANY variant only as the
       fallback). When none matches, report the error of the variant that got furthest
       into the value (unless none got past its first byte: then "expected one of"). */
    peek(c);
    const char *start = c->p, *best_end = NULL;
    size_t best = SIZE_MAX, best_score = SIZE_MAX, best_unknown = 0, last_tried = SIZE_MAX, saved = c->unknown;
    size_t dev_count0 = c->dev ? c->dev->count : 0, dev_kept0 = c->dev ? c->dev->kept : 0;
    size_t fail_off = 0;
    perr fail_e;
    perr_init(&fail_e);
    int is_null = start < c->end && *start == 'n';
    for (size_t i = 0; i < u->count; i++) {
        const pontes_type *vt = u->variants[i];
        if (is_null && vt->kind != PONTES_KIND_ANY) continue;
        memset(vs, 0, vt->size);
        c->p = start;
        c->unknown = 0;
        if (c->dev) {
            c->dev->count = dev_count0;
            c->dev->kept = dev_kept0;
        }
        last_tried = i;
        rc = dec_value(c, vt, vs);
        if (rc == PONTES_ENOMEM || c->e.syntax) { /* no variant can do better */
            perr_clear(&fail_e);
            return rc;
        }
        if (rc) {
            size_t off = c->p > start ? (size_t)(c->p - start) : 0;
            if (off > fail_off) {
                perr_clear(&fail_e);
                fail_e = c->e; /* moved */
                perr_init(&c->e);
                fail_off = off;
            } else {
                perr_clear(&c->e);
            }
            continue;
        }
        size_t score = vt->kind == PONTES_KIND_ANY ? SIZE_MAX - 1 : c->unknown;
        if (score < best_score) {
            best = i;
            best_score = score;
            best_unknown = c->unknown;
            best_end = c->p;
            if (!score) break;
        }
    }
    c->unknown = saved;
    if (c->dev && best != last_tried) {
        c->dev->count = dev_count0;
        c->dev->kept = dev_kept0;
    }
    if (best == SIZE_MAX) {
        if (fail_e.status) { /* the best-matching variant's own error */
            perr_clear(&c->e);
            c->e = fail_e;
            c->p = start + fail_off;
            return c->e.status;
        }
        char exp[256];
        size_t k = (size_t)snprintf(exp, sizeof exp, "one of ");
        for (size_t i = 0; i < u->count && k < sizeof exp; i++) {
            const char *vn = u->variant_names && u->variant_names[i] ? u->variant_names[i] : type_name(u->variants[i]);
            k += (size_t)snprintf(exp + k, sizeof exp - k, "%s%s", i ? "|" : "", vn);
        }
        c->p = start;
        return dec_mismatch_name(c, exp);
    }
    perr_clear(&fail_e);
    if (best != last_tried) { /* a later attempt overwrote the storage: decode the winner again */
        memset(vs, 0, u->variants[best]->size);
        c->p = start;
        rc = dec_value(c, u->variants[best], vs);
        if (rc) return rc;
    }
    c->unknown = saved + best_unknown;
    c->p = best_end;
    h->kind = (int)best + 1;
    return PONTES_OK;
}

/* dec_value, every kind and case (dec_value takes the common ones itself). */
static DEC_NOINLINE int dec_value_all(dctx *c, const pontes_type *t, void *s) {
    int rc, ch = peek(c);
    switch (t->kind) {
    case PONTES_KIND_BOOL:
        if (ch == 't') {
            *(bool *)s = true;
            return dec_literal(c, "true", 4);
        }
        if (ch == 'f') {
            *(bool *)s = false;
            return dec_literal(c, "false", 5);
        }
        return dec_mismatch(c, t);
    case PONTES_KIND_INT32:
    case PONTES_KIND_INT64: {
        int64_t v = 0;
        if ((rc = dec_integer(c, t, &v)) != PONTES_OK) return rc;
        if (t->kind == PONTES_KIND_INT64) *(int64_t *)s = v;
        else *(int32_t *)s = (int32_t)v;
        return PONTES_OK;
    }
    case PONTES_KIND_DOUBLE: return dec_double(c, t, s);
    case PONTES_KIND_STRING: {
        if (ch != '"') return dec_mismatch(c, t);
        const char *at = c->p;
        if ((rc = dec_string(c, (const char **)s, NULL)) != PONTES_OK) return rc;
        return (t->flags & PONTES_T_FMT_MASK) ? dec_check_fmt(c, t, at, *(const char **)s) : PONTES_OK;
    }
    case PONTES_KIND_BYTES:
    case PONTES_KIND_FILE: {
        if (ch != '"') return dec_mismatch(c, t);
        const char *txt;
        size_t n;
        if ((rc = dec_string(c, &txt, &n)) != PONTES_OK) return rc;
        pontes_bytes b;
        rc = pontes_base64_decode(c->a, txt, n, &b);
        if (rc == PONTES_ENOMEM) return perr_nomem(&c->e);
        if (rc) return perr_set(&c->e, PONTES_EDECODE, type_name(t), "expected %s (base64), got invalid base64",
                                type_name(t));
        if (t->kind == PONTES_KIND_BYTES) {
            *(pontes_bytes *)s = b;
        } else {
            pontes_file *f = s;
            f->data = b.data;
            f->len = b.len;
            f->filename = NULL;
            f->content_type = NULL;
        }
        return PONTES_OK;
    }
    case PONTES_KIND_ENUM: {
        if (ch != '"') return dec_mismatch(c, t);
        pontes_enum *e = s;
        const char *at = c->p;
        if ((rc = dec_string(c, &e->raw, NULL)) != PONTES_OK) return rc;
        e->value = pontes_enum_from_string(t->en, e->raw);
        if (!e->value) {
            char sv[48];
            short_value(sv, sizeof sv, e->raw);
            return dec_deviation(c, at, NULL, type_name(t), "unknown enum value \"%s\"", sv);
        }
        return PONTES_OK;
    }
    case PONTES_KIND_OBJECT: {
        const pontes_message *m = t->msg;
        unsigned char *obj = pontes_arena_alloc(c->a, m->size);
        if (!obj) return perr_nomem(&c->e);
        if ((rc = dec_message(c, m, obj)) != PONTES_OK) return rc;
        *(void **)s = obj;
        return PONTES_OK;
    }
    case PONTES_KIND_ARRAY: return dec_array(c, t, s);
    case PONTES_KIND_MAP: return dec_map(c, t, s);
    case PONTES_KIND_UNION: {
        const pontes_union_desc *u = t->un;
        unsigned char *us = pontes_arena_alloc(c->a, u->size);
        if (!us) return perr_nomem(&c->e);
        if ((rc = dec_union(c, u, us)) != PONTES_OK) return rc;
        *(void **)s = us;
        return PONTES_OK;
    }
    case PONTES_KIND_ANY: {
        cJSON *j;
        if ((rc = dec_capture(c, &j)) != PONTES_OK) return rc;
        *(const cJSON **)s = j;
        return PONTES_OK;
    }
    case PONTES_KIND_DECIMAL: return dec_decimal(c, t, s);
    }
    return perr_set(&c->e, PONTES_EINVAL, NULL, "invalid type descriptor (kind %d)", (int)t->kind);
}

/* Decode the value at c->p as type t into storage s. The common cases are done here, with
 * exactly the result dec_value_all gives them; everything else goes there. */
static int dec_value(dctx *c, const pontes_type *t, void *s) {
    int rc, ch = peek(c);
    if (dec_fast(c, t, s, ch, &rc)) return rc;
    switch (t->kind) {
    case PONTES_KIND_OBJECT: {
        const pontes_message *m = t->msg;
        unsigned char *obj = pontes_arena_take(c->a, m->size);
        if (!obj) return perr_nomem(&c->e);
        memset(obj, 0, m->size);
        rc = dec_message(c, m, obj);
        if (rc) return rc;
        *(void **)s = obj;
        return PONTES_OK;
    }
    case PONTES_KIND_ARRAY: return dec_array(c, t, s);
    default: break;
    }
    return dec_value_all(c, t, s);
}

static void dctx_init(dctx *c, pontes_arena *a, const pontes_decode_options *opts, const char *json, size_t len) {
    c->a = a;
    perr_init(&c->e);
    c->base = c->p = json;
    c->end = json + len;
    c->depth = 0;
    c->skip_depth = 0;
    c->max_depth = DEFAULT_MAX_DEPTH;
    c->reject_unknown = false;
    c->strict = false;
    c->one_of_error = false;
    c->wire_string = false;
    c->dev = NULL;
    if (opts) {
        /* version 1 callers allocated the fields up to max_depth only: read no further */
        c->max_depth = opts->max_depth ? opts->max_depth : DEFAULT_MAX_DEPTH;
        c->reject_unknown = opts->reject_unknown;
        if (opts->version >= 2) {
            c->strict = opts->strict;
            c->dev = opts->deviations;
        }
    }
    c->unknown = 0;
    const struct lconv *lc = localeconv();
    c->dp = lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point[0] : '.';
}

/* After the root value only whitespace may follow. */
static int dec_finish(dctx *c) {
    if (peek(c) != -1) return dec_syntax(c, "trailing characters");
    return PONTES_OK;
}

/* A decode error that is not a syntax error may have been found before a syntax
 * error further on: the text as a whole being invalid JSON is the better report
 * (and the one a tree-building parser would give). Error path only. */
static void dec_prefer_syntax(dctx *c, const char *json, size_t len) {
    if (c->e.syntax || c->e.status == PONTES_ENOMEM) return;
    dctx s;
    dctx_init(&s, c->a, NULL, json, len);
    int rc = peek(&s) == -1 ? dec_syntax(&s, "empty input") : dec_skip(&s);
    if (!rc) rc = dec_finish(&s);
    if (rc && s.e.syntax) {
        perr_clear(&c->e);
        c->e = s.e;
    } else {
        perr_clear(&s.e);
    }
}

/* The JSON path of the value starting at byte off of the input, plus member suffix,
 * into out[cap] (cut with "..." when longer). Scans from the start of the input: run
 * only for deviations that were kept, after the decode. */
static void dev_path(dctx *c, size_t off, const char *suffix, char *out, size_t cap) {
    pontes_buf b;
    pontes_buf_init(&b);
    pontes_buf_append(&b, "$", 1);
    dctx s;
    dctx_init(&s, c->a, NULL, c->base, (size_t)(c->end - c->base));
    const char *target = c->base + off;
    for (;;) {
        int ch = peek(&s);
        if (s.p >= target || (ch != '{' && ch != '[')) break;
        s.p++;
        bool found = false;
        for (size_t idx = 0;; idx++) {
            int nx = peek(&s);
            const char *k = NULL;
            size_t kl = 0;
            if (nx < 0 || nx == '}' || nx == ']') break;
            if (ch == '{' && (nx != '"' || dec_key(&s, &k, &kl) != PONTES_OK || dec_colon(&s) != PONTES_OK)) break;
            peek(&s);
            const char *v = s.p;
            if (dec_skip(&s) != PONTES_OK || target < s.p) { /* the target is in this value */
                if (ch == '{') path_key_seg(&b, k, kl);
                else pontes_buf_printf(&b, "[%zu]", idx);
                perr_clear(&s.e);
                s.p = v;
                found = true;
                break;
            }
            if (peek(&s) != ',') break;
            s.p++;
        }
        if (!found) break;
    }
    perr_clear(&s.e);
    if (suffix) path_key_seg(&b, suffix, strlen(suffix));
    if (b.failed || !b.data) {
        snprintf(out, cap, "$");
    } else if (b.len < cap) {
        memcpy(out, b.data, b.len + 1);
    } else {
        size_t n = cap - 4;
        while (n && ((unsigned char)b.data[n] & 0xC0) == 0x80) n--; /* do not cut a UTF-8 sequence */
        memcpy(out, b.data, n);
        memcpy(out + n, "...", 4);
    }
    pontes_buf_free(&b);
}

static void dev_resolve_paths(dctx *c) {
    if (!c->dev) return;
    for (size_t i = 0; i < c->dev->kept; i++)
        dev_path(c, c->dev_off[i], c->dev_suffix[i], c->dev->first[i].path, sizeof c->dev->first[i].path);
}

int pontes_codec_decode_into(pontes_arena *a, const pontes_type *t, const char *json, size_t len, void *storage,
                             pontes_error *err) {
    if (!a || !t || !json || !storage)
        return pontes_err_set(err, PONTES_EINVAL, "pontes_codec_decode_into: NULL argument");
    size_t bad = 0;
    if (!pontes_utf8_valid(json, len, &bad)) return decode_fail(err, PONTES_EDECODE, "invalid UTF-8 at byte %zu", bad);
    dctx c;
    dctx_init(&c, a, NULL, json, len);
    int rc;
    if (peek(&c) == 'n' && !takes_null(t))
        rc = dec_mismatch(&c, t);
    else
        rc = dec_value(&c, t, storage);
    if (!rc) rc = dec_finish(&c);
    if (rc) {
        dec_prefer_syntax(&c, json, len);
        return perr_finish(&c.e, err);
    }
    return PONTES_OK;
}

int pontes_codec_empty_value(const pontes_type *t, void **out, pontes_error *err) {
    if (out) *out = NULL;
    if (!t || !out) return pontes_err_set(err, PONTES_EINVAL, "pontes_codec_empty_value: NULL argument");
    if (!((t->kind == PONTES_KIND_OBJECT && t->msg) || (t->kind == PONTES_KIND_UNION && t->un)))
        return pontes_err_set(err, PONTES_EINVAL, "pontes_codec_empty_value: root type must be an object or a union");
    pontes_arena *a = pontes_arena_new(512);
    size_t size = t->kind == PONTES_KIND_OBJECT ? t->msg->size : t->un->size;
    unsigned char *root = a ? pontes_arena_alloc_root(a, size) : NULL; /* zeroed: every member absent */
    if (!root) {
        if (a) pontes_arena_destroy(a);
        return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    if (t->kind == PONTES_KIND_OBJECT && (t->msg->flags & PONTES_M_SIZED)) memcpy(root, &t->msg->size, sizeof t->msg->size);
    *out = root;
    return PONTES_OK;
}

int pontes_decode(const pontes_type *t, const char *json, size_t len, const pontes_decode_options *opts,
                  void **out, pontes_error *err) {
    if (out) *out = NULL;
    pontes_err_reset(err);
    if (opts && opts->version >= 2 && opts->deviations) {
        opts->deviations->count = 0;
        opts->deviations->kept = 0;
    }
    if (!t || !out || (!json && len)) return pontes_err_set(err, PONTES_EINVAL, "pontes_decode: NULL argument");
    if (!((t->kind == PONTES_KIND_OBJECT && t->msg) || (t->kind == PONTES_KIND_UNION && t->un)))
        return pontes_err_set(err, PONTES_EINVAL, "pontes_decode: root type must be an object or a union");
    if (!json) json = "";
    size_t bad = 0;
    if (!pontes_utf8_valid(json, len, &bad)) return decode_fail(err, PONTES_EDECODE, "invalid UTF-8 at byte %zu", bad);
    /* RFC 8259 section 8.1: a parser may ignore a byte order mark (some servers send one) */
    if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0) {
        json += 3;
        len -= 3;
    }
    /* structs plus copied strings come to about the size of the JSON text */
    pontes_arena *a = pontes_arena_new(len + len / 4 + 512);
    if (!a) return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    size_t size = t->kind == PONTES_KIND_OBJECT ? t->msg->size : t->un->size;
    unsigned char *root = pontes_arena_alloc_root(a, size);
    if (!root) {
        pontes_arena_destroy(a);
        return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    if (t->kind == PONTES_KIND_OBJECT && (t->msg->flags & PONTES_M_TEXT)) { /* the body text itself */
        const pontes_field *f = t->msg->field_count ? &t->msg->fields[0] : NULL;
        char *txt = NULL;
        if (!f || f->type->kind != PONTES_KIND_STRING) {
            pontes_arena_destroy(a);
            return pontes_err_set(err, PONTES_EINVAL, "pontes_decode: text box %s must hold a string", t->msg->name);
        }
        if (memchr(json, '\0', len)) {
            pontes_arena_destroy(a);
            return decode_fail(err, PONTES_EDECODE, "NUL byte in a text body");
        }
        if (!(txt = pontes_arena_strndup(a, json, len))) {
            pontes_arena_destroy(a);
            return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
        }
        if (t->msg->flags & PONTES_M_SIZED) memcpy(root, &t->msg->size, sizeof t->msg->size);
        memcpy(root + f->offset, &txt, sizeof txt);
        root[f->presence_offset] = PONTES_SET;
        *out = root;
        return PONTES_OK;
    }
    dctx c;
    dctx_init(&c, a, opts, json, len);
    int rc;
    if (peek(&c) == -1)
        rc = dec_syntax(&c, "empty input");
    else
        rc = t->kind == PONTES_KIND_OBJECT ? dec_message(&c, t->msg, root) : dec_union(&c, t->un, root);
    if (!rc) rc = dec_finish(&c);
    if (c.dev && c.dev->kept) dev_resolve_paths(&c);
    if (rc) {
        dec_prefer_syntax(&c, json, len);
        pontes_arena_destroy(a);
        return perr_finish(&c.e, err);
    }
    *out = root;
    return PONTES_OK;
}

int pontes_codec_decode_opts(pontes_arena *a, const pontes_type *t, const char *json, size_t len,
                             const pontes_decode_options *opts, unsigned flags, void *root, pontes_error *err) {
    if (opts && opts->version >= 2 && opts->deviations) {
        opts->deviations->count = 0;
        opts->deviations->kept = 0;
    }
    if (!a || !t || !root || (!json && len))
        return pontes_err_set(err, PONTES_EINVAL, "pontes_codec_decode_opts: NULL argument");
    if (!((t->kind == PONTES_KIND_OBJECT && t->msg) || (t->kind == PONTES_KIND_UNION && t->un)))
        return pontes_err_set(err, PONTES_EINVAL, "pontes_codec_decode_opts: root type must be an object or a union");
    if (!json) json = "";
    size_t bad = 0;
    if (!pontes_utf8_valid(json, len, &bad)) return decode_fail(err, PONTES_EDECODE, "invalid UTF-8 at byte %zu", bad);
    if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0) { /* a byte order mark, as in pontes_decode */
        json += 3;
        len -= 3;
    }
    dctx c;
    dctx_init(&c, a, opts, json, len);
    c.one_of_error = (flags & PONTES_CODEC_ONE_OF_ERROR) != 0;
    int rc;
    if (peek(&c) == -1)
        rc = dec_syntax(&c, "empty input");
    else
        rc = t->kind == PONTES_KIND_OBJECT ? dec_message(&c, t->msg, root) : dec_union(&c, t->un, root);
    if (!rc) rc = dec_finish(&c);
    if (c.dev && c.dev->kept) dev_resolve_paths(&c);
    if (rc) {
        dec_prefer_syntax(&c, json, len);
        return perr_finish(&c.e, err);
    }
    return PONTES_OK;
}

/* ====================================================================== */
/* encoder                                                                 */
/* ====================================================================== */

typedef struct ectx {
    pontes_buf *b;
    perr e;
    unsigned depth, max_depth;
    /* set by enc_union for the variant object it encodes next: the discriminator member
     * and the value the chosen variant implies (consumed by that object's enc_message) */
    const char *disc_name, *disc_val;
    /* streamed BYTES/FILE values (upload.c): recorded as segments of *up when up is set
     * (a request body), else read into the text */
    pontes_upload **up;
    /* the number enc_value writes next goes as a JSON string (PONTES_T_OR_STRING whose
     * recorded form is PONTES_WIRE_STRING); set and cleared around that one call */
    bool wire_string;
} ectx;

static int enc_value(ectx *c, const pontes_type *t, const void *s, bool null_ok);

static int enc_nomem(ectx *c) { return perr_nomem(&c->e); }

/* 0: copy, 1: escape, 2: UTF-8 lead/continuation (validate) */
static const unsigned char esc_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Fast string scan: the bytes put_string must look at are '"', '\\', those below 0x20 (escaped)
 * and those from 0x80 (UTF-8, validated); runs of other bytes are copied as they are. SSE2
 * looks at 16 bytes at a time (x86-64 always has it), the portable path at 8 (SWAR, loads by
 * memcpy); -DPONTES_NO_SIMD selects the portable path (tests build both). No load reaches
 * past the string's last byte: a short tail is read with overlapping loads or byte by byte. */
#if defined(__SSE2__) && !defined(PONTES_NO_SIMD)
#include <emmintrin.h>
#define ENC_SSE2 1
#else
#define ENC_SSE2 0
#endif
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ENC_LE_CTZ 1 /* the first flagged byte of a SWAR mask by counting trailing zeros */
#else
#define ENC_LE_CTZ 0
#endif

#if defined(__GNUC__)
#define ENC_INLINE inline __attribute__((always_inline))
#define ENC_NOINLINE __attribute__((noinline))
#else
#define ENC_INLINE inline
#define ENC_NOINLINE
#endif

/* buf_need / buf_putc for the encoder: a buffer that failed to grow made its call return
 * PONTES_ENOMEM, which ends the encoding (and pontes_encode checks b->failed at the end). */
static ENC_INLINE int enc_need(pontes_buf *b, size_t extra) {
    return b->cap - b->len > extra ? PONTES_OK : buf_grow(b, extra);
}

static ENC_INLINE int enc_putc(pontes_buf *b, char ch) {
    if (enc_need(b, 1)) return PONTES_ENOMEM;
    b->data[b->len++] = ch;
    return PONTES_OK;
}

#define ENC_LO UINT64_C(0x0101010101010101)
#define ENC_HI UINT64_C(0x8080808080808080)

/* Non-zero iff one of the 8 bytes of w needs a look ('"', '\\', < 0x20, >= 0x80). Each term
 * is exact about whether such a byte exists; a term can also flag bytes above (later in
 * memory, on little-endian) a true hit, never below one, so the lowest flag is a true hit. */
static inline uint64_t esc_word(uint64_t w) {
    uint64_t q = w ^ (ENC_LO * '"'), bs = w ^ (ENC_LO * '\\');
    return (((w - ENC_LO * 0x20) & ~w) | ((q - ENC_LO) & ~q) | ((bs - ENC_LO) & ~bs) | w) & ENC_HI;
}

static inline uint32_t esc_word32(uint32_t w) {
    const uint32_t lo = 0x01010101u, hi = 0x80808080u;
    uint32_t q = w ^ (lo * '"'), bs = w ^ (lo * '\\');
    return (((w - lo * 0x20) & ~w) | ((q - lo) & ~q) | ((bs - lo) & ~bs) | w) & hi;
}

/* Offset of the first byte needing a look in the 8 bytes at p, given esc_word(p) != 0. */
static inline size_t esc_first(uint64_t m, const unsigned char *p) {
#if ENC_LE_CTZ
    (void)p;
    return (size_t)__builtin_ctzll(m) >> 3;
#else
    (void)m;
    size_t k = 0;
    while (!esc_class[p[k]]) k++;
    return k;
#endif
}

#if ENC_SSE2
static inline unsigned esc_mask16(__m128i v) {
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                             _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))); /* signed: also 0x80..0xFF */
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* Copies the longest prefix of s[0..n) without a byte needing a look to o and returns its
 * length (n: none). o has room for n bytes; bytes after the prefix may be written too (copies
 * of s, overwritten by the caller). */
static ENC_INLINE size_t copy_clean(char *o, const unsigned char *s, size_t n) {
    size_t i = 0;
#if ENC_SSE2
    if (n >= 16) {
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            unsigned m = esc_mask16(v);
            _mm_storeu_si128((__m128i *)(void *)(o + i), v);
            if (m) return i + (size_t)__builtin_ctz(m);
        }
        if (i < n) { /* the last 16 bytes, overlapping what was checked */
            size_t j = n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
            unsigned m = esc_mask16(v) >> (i - j);
            _mm_storeu_si128((__m128i *)(void *)(o + j), v);
            if (m) return i + (size_t)__builtin_ctz(m);
        }
        return n;
    }
#endif
#if ENC_LE_CTZ
    if (n > 8 && n < 16) { /* two overlapping 8-byte words (n == 8: the loop below; a shift by 64 is UB) */
        uint64_t w0, w1, m;
        memcpy(&w0, s, 8);
        memcpy(&w1, s + n - 8, 8);
        memcpy(o, &w0, 8);
        m = esc_word(w0);
        if (m) return (size_t)__builtin_ctzll(m) >> 3;
        memcpy(o + n - 8, &w1, 8);
        m = esc_word(w1) >> ((16 - n) * 8); /* the bytes from offset 8 */
        return m ? 8 + ((size_t)__builtin_ctzll(m) >> 3) : n;
    }
#endif
    if (n >= 8) {
        uint64_t w, m;
        for (; i + 8 <= n; i += 8) {
            memcpy(&w, s + i, 8);
            m = esc_word(w);
            memcpy(o + i, &w, 8);
            if (m) return i + esc_first(m, s + i);
        }
        if (i == n) return n;
#if ENC_LE_CTZ
        size_t j = n - 8; /* the last 8 bytes, overlapping what was checked */
        memcpy(&w, s + j, 8);
        m = esc_word(w) >> ((i - j) * 8);
        memcpy(o + j, &w, 8);
        return m ? i + (size_t)__builtin_ctzll(m) / 8 : n;
#endif
    } else if (n >= 4) { /* 4..7 bytes: two overlapping 4-byte words */
        uint32_t w0, w1;
        memcpy(&w0, s, 4);
        memcpy(&w1, s + n - 4, 4);
        if (!(esc_word32(w0) | esc_word32(w1))) {
            memcpy(o, &w0, 4);
            memcpy(o + n - 4, &w1, 4);
            return n;
        }
    }
    for (; i < n && !esc_class[s[i]]; i++) o[i] = (char)s[i];
    return i;
}

static ENC_NOINLINE size_t copy_clean_call(char *o, const unsigned char *s, size_t n) { return copy_clean(o, s, n); }

/* put_string from the first byte needing a look, s[i]: b has room for n - i bytes, the
 * closing quote and the NUL. */
static ENC_NOINLINE int put_string_rest(ectx *c, const unsigned char *s, size_t i, size_t n) {
    pontes_buf *b = c->b;
    while (i < n) {
        unsigned ch = s[i];
        if (ch >= 0x80) {
            size_t k = utf8_seq(s + i, n - i);
            if (!k) return perr_set(&c->e, PONTES_EENCODE, "string", "invalid UTF-8 in string at byte %zu", i);
            memcpy(b->data + b->len, s + i, k);
            b->len += k;
            i += k;
        } else {
            if (enc_need(b, n - i + 6)) return enc_nomem(c);
            char *o = b->data + b->len;
            i++;
            o[0] = '\\';
            switch (ch) {
            case '"': o[1] = '"'; b->len += 2; break;
            case '\\': o[1] = '\\'; b->len += 2; break;
            case '\b': o[1] = 'b'; b->len += 2; break;
            case '\f': o[1] = 'f'; b->len += 2; break;
            case '\n': o[1] = 'n'; b->len += 2; break;
            case '\r': o[1] = 'r'; b->len += 2; break;
            case '\t': o[1] = 't'; b->len += 2; break;
            default:
                o[1] = 'u';
                o[2] = '0';
                o[3] = '0';
                o[4] = "0123456789abcdef"[ch >> 4];
                o[5] = "0123456789abcdef"[ch & 15];
                b->len += 6;
            }
        }
        size_t k = copy_clean_call(b->data + b->len, s + i, n - i);
        b->len += k;
        i += k;
    }
    b->data[b->len++] = '"';
    return PONTES_OK;
}

/* A JSON string: quoted, escaped, valid UTF-8 (else PONTES_EENCODE). Room for the whole
 * string is reserved once; escapes reserve more as they come. */
static int put_string(ectx *c, const char *str, size_t n) {
    pontes_buf *b = c->b;
    const unsigned char *s = (const unsigned char *)str;
    if (n > SIZE_MAX - 8 || enc_need(b, n + 2)) return enc_nomem(c);
    char *o = b->data + b->len;
    o[0] = '"';
    size_t i = copy_clean(o + 1, s, n);
    if (i == n) {
        o[n + 1] = '"';
        b->len += n + 2;
        return PONTES_OK;
    }
    b->len += i + 1;
    return put_string_rest(c, s, i, n);
}

static int put_key(ectx *c, const char *k) {
    int rc = put_string(c, k, strlen(k));
    if (rc) return rc;
    return enc_putc(c->b, ':') ? enc_nomem(c) : PONTES_OK;
}

/* A member's key, after a comma unless first: the generated `"name":` bytes in one copy,
 * or (a descriptor without them: key NULL) escaped here from the name. */
static int put_field_key_slow(ectx *c, const pontes_field *f, bool first) {
    if (!first && enc_putc(c->b, ',')) return enc_nomem(c);
    return put_key(c, f->name);
}

static ENC_INLINE int put_field_key(ectx *c, const pontes_field *f, bool first) {
    if (f->key) {
        size_t n = f->key_len;
        if (enc_need(c->b, n + 1)) return enc_nomem(c);
        char *o = c->b->data + c->b->len;
        o[0] = ',';
        o += !first;
        if (n >= 8 && n <= 16) { /* two overlapping 8-byte copies (keys are short) */
            uint64_t w0, w1;
            memcpy(&w0, f->key, 8);
            memcpy(&w1, f->key + n - 8, 8);
            memcpy(o, &w0, 8);
            memcpy(o + n - 8, &w1, 8);
        } else if (n >= 4 && n < 8) {
            uint32_t w0, w1;
            memcpy(&w0, f->key, 4);
            memcpy(&w1, f->key + n - 4, 4);
            memcpy(o, &w0, 4);
            memcpy(o + n - 4, &w1, 4);
        } else {
            memcpy(o, f->key, n);
        }
        c->b->len += n + !first;
        return PONTES_OK;
    }
    return put_field_key_slow(c, f, first);
}

static int put_lit(ectx *c, const char *s, size_t n) { return buf_put(c->b, s, n) ? enc_nomem(c) : PONTES_OK; }

static int put_int(ectx *c, int64_t v) {
    if (enc_need(c->b, 24)) return enc_nomem(c);
    c->b->len += fmt_i64(c->b->data + c->b->len, v);
    return PONTES_OK;
}

static int put_double(ectx *c, double v, const char *tn) {
    if (!isfinite(v)) return perr_set(&c->e, PONTES_EENCODE, tn, "cannot encode NaN or Infinity");
    if (enc_need(c->b, 40)) return enc_nomem(c);
    c->b->len += fmt_double(c->b->data + c->b->len, v);
    return PONTES_OK;
}

/* A decimal as plain text: a JSON number, or in quotes (PONTES_T_DECIMAL_STRING). */
static int put_decimal(ectx *c, const pontes_type *t, const pontes_decimal *d) {
    if (!scale_ok(d->scale))
        return perr_set(&c->e, PONTES_EENCODE, type_name(t), "decimal scale %ld outside 0..%d", (long)d->scale,
                        PONTES_DECIMAL_MAX_SCALE);
    if (enc_need(c->b, PONTES_DECIMAL_TEXT_MAX + 2)) return enc_nomem(c);
    bool q = (t->flags & PONTES_T_DECIMAL_STRING) != 0;
    char *o = c->b->data + c->b->len;
    if (q) *o++ = '"';
    o += fmt_decimal(o, d);
    if (q) *o++ = '"';
    c->b->len = (size_t)(o - c->b->data);
    return PONTES_OK;
}

static int put_base64(ectx *c, const uint8_t *d, size_t n, const char *tn) {
    if (!d && n) return perr_set(&c->e, PONTES_EENCODE, tn, "NULL data with non-zero length");
    if (n > (SIZE_MAX - 8) / 4 * 3 - 3) return enc_nomem(c);
    size_t m = b64_encoded_len(n);
    if (enc_need(c->b, m + 2)) return enc_nomem(c);
    char *o = c->b->data + c->b->len;
    o[0] = '"';
    if (n) b64_encode_to(o + 1, d, n);
    o[m + 1] = '"';
    c->b->len += m + 2;
    return PONTES_OK;
}

/* A BYTES/FILE value streamed from a source, or one with x-pontes-file rules: checked first
 * (PONTES_EINVAL naming the member: a missing file; in a request body (c->up set), also the
 * size over max_bytes or not the magic — a plain pontes_encode round-trips any value). */
static int put_file(ectx *c, const pontes_type *t, const uint8_t *d, size_t n) {
    char msg[320];
    uint64_t size;
    int rc = pontes_up_check(c->up ? t : NULL, d, n, &size, msg, sizeof msg);
    if (rc) return perr_set(&c->e, rc, type_name(t), "%s", msg);
    const pontes_file_source *src = pontes_up_source(d, n);
    if (!src) return put_base64(c, d, n, type_name(t));
    if (enc_putc(c->b, '"')) return enc_nomem(c);
    if (c->up) {
        if (!*c->up && pontes_up_new(c->up)) return enc_nomem(c);
        if (pontes_up_add_segment(*c->up, c->b->len, src, size, true)) return enc_nomem(c);
    } else {
        rc = pontes_up_materialize_b64(c->b, src, size, msg, sizeof msg);
        if (rc == PONTES_ENOMEM) return enc_nomem(c);
        if (rc) return perr_set(&c->e, rc, type_name(t), "%s", msg);
    }
    return enc_putc(c->b, '"') ? enc_nomem(c) : PONTES_OK;
}

/* Whether s is exactly one JSON number (then a number node's valuestring is written as is). */
static bool is_number_text(const char *s) {
    size_t n = strlen(s);
    bool is_int;
    return n && scan_number(s, s + n, &is_int) == n;
}

/* Writes a cJSON value. A number node with a valuestring holding a JSON number (as the
 * decoder makes them) is written as that text; otherwise integral numbers below 2^53 as
 * integers, others as the shortest round-tripping double. */
static int put_cjson(ectx *c, const cJSON *j, unsigned depth) {
    if (depth > CJSON_NESTING_LIMIT) return perr_set(&c->e, PONTES_EENCODE, NULL, "JSON value nested too deeply");
    switch (JTYPE(j)) {
    case cJSON_False: return put_lit(c, "false", 5);
    case cJSON_True: return put_lit(c, "true", 4);
    case cJSON_NULL: return put_lit(c, "null", 4);
    case cJSON_Number: {
        if (j->valuestring && is_number_text(j->valuestring)) return put_lit(c, j->valuestring, strlen(j->valuestring));
        double v = j->valuedouble;
        if (isfinite(v) && fabs(v) < TWO53 && v == floor(v)) return put_int(c, (int64_t)v);
        return put_double(c, v, "number");
    }
    case cJSON_String:
        if (!j->valuestring) return put_lit(c, "\"\"", 2);
        return put_string(c, j->valuestring, strlen(j->valuestring));
    case cJSON_Raw:
        if (!j->valuestring) return perr_set(&c->e, PONTES_EENCODE, NULL, "raw JSON node without text");
        return put_lit(c, j->valuestring, strlen(j->valuestring));
    case cJSON_Array: {
        if (enc_putc(c->b, '[')) return enc_nomem(c);
        size_t i = 0;
        for (const cJSON *ch = j->child; ch; ch = ch->next, i++) {
            if (i && enc_putc(c->b, ',')) return enc_nomem(c);
            int rc = put_cjson(c, ch, depth + 1);
            if (rc) {
                perr_index(&c->e, i);
                return rc;
            }
        }
        return enc_putc(c->b, ']') ? enc_nomem(c) : PONTES_OK;
    }
    case cJSON_Object: {
        if (enc_putc(c->b, '{')) return enc_nomem(c);
        for (const cJSON *ch = j->child; ch; ch = ch->next) {
            if (ch != j->child && enc_putc(c->b, ',')) return enc_nomem(c);
            if (!ch->string) return perr_set(&c->e, PONTES_EENCODE, NULL, "object member without a name");
            int rc = put_key(c, ch->string);
            if (!rc) rc = put_cjson(c, ch, depth + 1);
            if (rc) {
                perr_key(&c->e, ch->string);
                return rc;
            }
        }
        return enc_putc(c->b, '}') ? enc_nomem(c) : PONTES_OK;
    }
    default: return perr_set(&c->e, PONTES_EENCODE, NULL, "invalid cJSON node (type %d)", j->type);
    }
}

static int enc_enter(ectx *c) {
    if (++c->depth > c->max_depth) {
        c->depth--;
        return perr_set(&c->e, PONTES_EENCODE, NULL, "nesting deeper than %u levels", c->max_depth);
    }
    return PONTES_OK;
}

static int enc_field_value(ectx *c, const pontes_field *f, const unsigned char *obj) {
    pontes_presence p = obj[f->presence_offset];
    if (p == PONTES_NULL) {
        if (!(f->flags & PONTES_F_NULLABLE))
            return perr_set(&c->e, PONTES_EENCODE, type_name(f->type), "null for a non-nullable member");
        return put_lit(c, "null", 4);
    }
    if (p != PONTES_SET) return perr_set(&c->e, PONTES_EENCODE, NULL, "invalid presence value %u", (unsigned)p);
    if ((f->flags & PONTES_F_WIRE_FORM) && (f->type->flags & PONTES_T_OR_STRING) &&
        obj[f->presence_offset + 1] == PONTES_WIRE_STRING) {
        c->wire_string = true;
        int rc = enc_value(c, f->type, obj + f->offset, false);
        c->wire_string = false;
        return rc;
    }
    return enc_value(c, f->type, obj + f->offset, (f->flags & PONTES_F_NULLABLE) != 0);
}

/* enc_field_value with the common cases first: a set string without format, integer or
 * known enum value, written directly. */
static inline int enc_member(ectx *c, const pontes_field *f, const unsigned char *obj) {
    if (obj[f->presence_offset] == PONTES_SET && !(f->flags & PONTES_F_WIRE_FORM)) {
        const pontes_type *t = f->type;
        const void *s = obj + f->offset;
        switch (t->kind) {
        case PONTES_KIND_STRING: {
            const char *str = *(const char *const *)s;
            if (str && !(t->flags & PONTES_T_FMT_MASK)) return put_string(c, str, strlen(str));
            break;
        }
        case PONTES_KIND_INT64: return put_int(c, *(const int64_t *)s);
        case PONTES_KIND_INT32: return put_int(c, *(const int32_t *)s);
        case PONTES_KIND_ENUM: {
            const pontes_enum *e = s;
            const char *txt = e->value ? pontes_enum_to_string(t->en, e->value) : NULL;
            if (txt) return put_string(c, txt, strlen(txt));
            break;
        }
        default: break;
        }
    }
    return enc_field_value(c, f, obj);
}

/* The discriminator member of a variant object: written with the chosen variant's mapping
 * value when the caller left it absent; when set, it must name that variant. */
static int enc_discriminator(ectx *c, const pontes_field *f, const unsigned char *obj, const char *want,
                             bool present) {
    pontes_presence p = present ? obj[f->presence_offset] : PONTES_ABSENT;
    if (p == PONTES_ABSENT) return put_string(c, want, strlen(want));
    const char *have = NULL;
    if (p == PONTES_SET && f->type->kind == PONTES_KIND_STRING) {
        have = *(const char *const *)(const void *)(obj + f->offset);
    } else if (p == PONTES_SET && f->type->kind == PONTES_KIND_ENUM) {
        const pontes_enum *e = (const pontes_enum *)(const void *)(obj + f->offset);
        have = e->value ? pontes_enum_to_string(f->type->en, e->value) : e->raw;
    } else if (p == PONTES_SET) {
        return enc_field_value(c, f, obj); /* not text: cannot disagree with a mapping value */
    }
    if (!have || strcmp(have, want) != 0)
        return perr_set(&c->e, PONTES_EENCODE, want, "discriminator \"%s\" is %s%s%s but the union variant set is \"%s\"",
                        f->name, have ? "\"" : "", have ? have : (p == PONTES_NULL ? "null" : "not set"),
                        have ? "\"" : "", want);
    return enc_field_value(c, f, obj);
}

/* PONTES_M_SIZED (ABI stability): how many bytes of obj the caller has. A struct built against
 * an older header is smaller: members past its _size do not exist for it (absent). */
static int enc_sized(ectx *c, const pontes_message *m, const unsigned char *obj, size_t *avail) {
    *avail = m->size;
    if (!(m->flags & PONTES_M_SIZED)) return PONTES_OK;
    size_t n;
    memcpy(&n, obj, sizeof n);
    if (n < sizeof n)
        return perr_set(&c->e, PONTES_EINVAL, m->name, "struct not initialised: _size is %zu (use its _INIT macro)", n);
    if (n < *avail) *avail = n;
    return PONTES_OK;
}

/* member f is present and inside the caller's struct */
static inline bool enc_has(const pontes_field *f, const unsigned char *obj, size_t avail) {
    return f->presence_offset < avail && f->offset + f->type->size <= avail && obj[f->presence_offset] != PONTES_ABSENT;
}

static int enc_message(ectx *c, const pontes_message *m, const unsigned char *obj) {
    int rc;
    size_t avail;
    if ((rc = enc_sized(c, m, obj, &avail))) return rc;
    const char *disc_name = c->disc_name, *disc_val = c->disc_val; /* for this object only */
    c->disc_name = c->disc_val = NULL;
    if (m->flags & PONTES_M_BOX) {
        if (m->field_count < 1) return perr_set(&c->e, PONTES_EINVAL, NULL, "box message %s has no field", m->name);
        const pontes_field *f = &m->fields[0];
        if (!enc_has(f, obj, avail))
            return perr_set(&c->e, PONTES_EENCODE, type_name(f->type), "missing value");
        if ((m->flags & PONTES_M_TEXT) && f->type->kind == PONTES_KIND_STRING && obj[f->presence_offset] == PONTES_SET) {
            const char *txt = *(const char *const *)(const void *)(obj + f->offset); /* the text itself */
            if (!txt) return perr_set(&c->e, PONTES_EENCODE, "string", "NULL text");
            return put_lit(c, txt, strlen(txt));
        }
        return enc_field_value(c, f, obj);
    }
    if (m->flags & PONTES_M_ONE_OF) {
        char msg[200];
        size_t held;
        if (one_of_failed(m, obj, avail, &held, msg, sizeof msg) != SIZE_MAX)
            return perr_set(&c->e, PONTES_EENCODE, "exactly one", "%s", msg);
    }
    if ((rc = enc_enter(c))) return rc;
    if (enc_putc(c->b, '{')) {
        rc = enc_nomem(c);
        goto out;
    }
    bool first = true, full = avail >= m->size;
    const pontes_field *disc = NULL;
    for (size_t i = 0; disc_name && !disc && i < m->field_count; i++)
        if (m->fields[i].name && strcmp(m->fields[i].name, disc_name) == 0) disc = &m->fields[i];
    if (disc_name && !disc) { /* the variant schema does not declare it: written first */
        first = false;
        rc = put_key(c, disc_name);
        if (!rc) rc = put_string(c, disc_val, strlen(disc_val));
        if (rc) goto out;
    }
    for (size_t i = 0; i < m->field_count; i++) {
        const pontes_field *f = &m->fields[i];
        if (f == disc) {
            rc = put_field_key(c, f, first);
            first = false;
            if (!rc) rc = enc_discriminator(c, f, obj, disc_val, enc_has(f, obj, avail));
            if (rc) {
                perr_key(&c->e, f->name);
                goto out;
            }
            continue;
        }
        /* a whole struct (the usual case) holds every member of its descriptor */
        if (full ? obj[f->presence_offset] == PONTES_ABSENT : !enc_has(f, obj, avail)) {
            if (f->flags & PONTES_F_REQUIRED) {
                rc = perr_set(&c->e, PONTES_EENCODE, type_name(f->type), "missing required member");
                perr_key(&c->e, f->name);
                goto out;
            }
            continue;
        }
        rc = put_field_key(c, f, first);
        first = false;
        if (!rc) rc = enc_member(c, f, obj);
        if (rc) {
            perr_key(&c->e, f->name);
            goto out;
        }
    }
    if (m->extra_offset != PONTES_NO_EXTRA && m->extra_offset + sizeof(pontes_extra) <= avail) {
        const pontes_extra *ex = (const pontes_extra *)(const void *)(obj + m->extra_offset);
        for (size_t i = 0; i < ex->count; i++) {
            const cJSON *x = ex->items ? ex->items[i] : NULL;
            if (!x || !x->string) continue;
            if (!first && enc_putc(c->b, ',')) {
                rc = enc_nomem(c);
                goto out;
            }
            first = false;
            rc = put_key(c, x->string);
            if (!rc) rc = put_cjson(c, x, 0);
            if (rc) {
                perr_key(&c->e, x->string);
                goto out;
            }
        }
    }
    rc = enc_putc(c->b, '}') ? enc_nomem(c) : PONTES_OK;
out:
    c->depth--;
    return rc;
}

static int enc_union(ectx *c, const pontes_union_desc *u, const unsigned char *us) {
    const pontes_union_head *h = (const pontes_union_head *)(const void *)us;
    if (h->kind == 0) {
        if (!h->raw) {
            const char *tn = u->name ? u->name : "union";
            return perr_set(&c->e, PONTES_EENCODE, tn, "union %s has no variant set (kind 0 and no raw JSON)", tn);
        }
        return put_cjson(c, h->raw, 0);
    }
    if (h->kind < 0 || (size_t)h->kind > u->count)
        return perr_set(&c->e, PONTES_EENCODE, u->name, "union variant %d out of range", h->kind);
    const pontes_type *vt = u->variants[h->kind - 1];
    if (u->discriminator && u->mapping && u->mapping[h->kind - 1] && vt->kind == PONTES_KIND_OBJECT) {
        c->disc_name = u->discriminator; /* enc_message derives or checks the member */
        c->disc_val = u->mapping[h->kind - 1];
    }
    int rc = enc_value(c, vt, us + u->value_offset, false);
    c->disc_name = c->disc_val = NULL; /* a NULL variant pointer never reached enc_message */
    return rc;
}

static int enc_elems(ectx *c, const pontes_type *t, const unsigned char *vals, const char *const *keys, size_t n,
                     const pontes_wire_form *wire) {
    const pontes_type *et = t->elem;
    size_t i = 0;
    if (!keys && !wire && et->kind == PONTES_KIND_STRING && !(et->flags & PONTES_T_FMT_MASK)) {
        /* a list of plain strings: written directly (a NULL one by enc_value below) */
        const char *const *strs = (const char *const *)(const void *)vals;
        for (; i < n && strs[i]; i++) {
            if (i && enc_putc(c->b, ',')) return enc_nomem(c);
            int rc = put_string(c, strs[i], strlen(strs[i]));
            if (rc) {
                perr_index(&c->e, i);
                return rc;
            }
        }
    } else if (!keys && et->kind == PONTES_KIND_OBJECT) {
        /* a list of objects: each written directly (a NULL one by enc_value below) */
        const unsigned char *const *objs = (const unsigned char *const *)(const void *)vals;
        for (; i < n && objs[i]; i++) {
            if (i && enc_putc(c->b, ',')) return enc_nomem(c);
            int rc = enc_message(c, et->msg, objs[i]);
            if (rc) {
                perr_index(&c->e, i);
                return rc;
            }
        }
    }
    for (; i < n; i++) {
        if (i && enc_putc(c->b, ',')) return enc_nomem(c);
        int rc = PONTES_OK;
        if (keys) {
            if (!keys[i]) {
                rc = perr_set(&c->e, PONTES_EENCODE, NULL, "NULL map key");
                perr_index(&c->e, i);
                return rc;
            }
            rc = put_key(c, keys[i]);
        }
        if (!rc) {
            c->wire_string = wire && wire[i] == PONTES_WIRE_STRING;
            rc = enc_value(c, et, vals + i * et->size, (t->flags & PONTES_T_ELEM_NULLABLE) != 0);
            c->wire_string = false;
        }
        if (rc) {
            if (keys) perr_key(&c->e, keys[i]);
            else perr_index(&c->e, i);
            return rc;
        }
    }
    return PONTES_OK;
}

static int enc_value(ectx *c, const pontes_type *t, const void *s, bool null_ok) {
    const char *tn;
    switch (t->kind) {
    case PONTES_KIND_BOOL: return *(const bool *)s ? put_lit(c, "true", 4) : put_lit(c, "false", 5);
    case PONTES_KIND_INT32:
    case PONTES_KIND_INT64:
    case PONTES_KIND_DOUBLE: {
        bool q = c->wire_string && (t->flags & PONTES_T_OR_STRING); /* "1234": the form it came in */
        int rc = q && enc_putc(c->b, '"') ? enc_nomem(c) : PONTES_OK;
        if (!rc) rc = t->kind == PONTES_KIND_INT32   ? put_int(c, *(const int32_t *)s)
                      : t->kind == PONTES_KIND_INT64 ? put_int(c, *(const int64_t *)s)
                                                     : put_double(c, *(const double *)s, type_name(t));
        if (!rc && q && enc_putc(c->b, '"')) rc = enc_nomem(c);
        return rc;
    }
    case PONTES_KIND_STRING: {
        const char *str = *(const char *const *)s;
        if (!str) {
            if (null_ok) return put_lit(c, "null", 4);
            return perr_set(&c->e, PONTES_EENCODE, type_name(t), "NULL string for a non-nullable value");
        }
        size_t n = strlen(str);
        if (t->flags & PONTES_T_FMT_MASK) {
            const char *bad = fmt_check(t->flags, str, n);
            if (bad) return perr_set(&c->e, PONTES_EENCODE, fmt_name(t->flags), "%s", bad);
        }
        return put_string(c, str, n);
    }
    case PONTES_KIND_BYTES: {
        const pontes_bytes *bb = s;
        if (bb->len == PONTES_FILE_STREAM || (t->flags & PONTES_T_FILE_RULE)) return put_file(c, t, bb->data, bb->len);
        return put_base64(c, bb->data, bb->len, type_name(t));
    }
    case PONTES_KIND_FILE: {
        const pontes_file *f = s;
        if (f->len == PONTES_FILE_STREAM || (t->flags & PONTES_T_FILE_RULE)) return put_file(c, t, f->data, f->len);
        return put_base64(c, f->data, f->len, type_name(t));
    }
    case PONTES_KIND_ENUM: {
        const pontes_enum *e = s;
        const char *txt;
        tn = type_name(t);
        if (e->value) {
            txt = pontes_enum_to_string(t->en, e->value);
            if (!txt) return perr_set(&c->e, PONTES_EENCODE, tn, "enum value %d out of range for %s", e->value, tn);
        } else {
            txt = e->raw;
            if (!txt) return perr_set(&c->e, PONTES_EENCODE, tn, "enum %s not set (value 0 and no raw text)", tn);
        }
        return put_string(c, txt, strlen(txt));
    }
    case PONTES_KIND_OBJECT: {
        const unsigned char *obj = *(const unsigned char *const *)s;
        if (!obj) {
            if (null_ok) return put_lit(c, "null", 4);
            return perr_set(&c->e, PONTES_EENCODE, type_name(t), "NULL object for a non-nullable value");
        }
        return enc_message(c, t->msg, obj);
    }
    case PONTES_KIND_ARRAY: {
        const pontes_list *l = s;
        if (!l->items && l->count) return perr_set(&c->e, PONTES_EENCODE, type_name(t), "NULL items with count %zu", l->count);
        int rc = enc_enter(c);
        if (rc) return rc;
        if (enc_putc(c->b, '[')) rc = enc_nomem(c);
        const pontes_wire_form *wire =
            (t->elem->flags & PONTES_T_OR_STRING) ? ((const pontes_wire_list *)(const void *)l)->wire : NULL;
        if (!rc) rc = enc_elems(c, t, l->items, NULL, l->count, wire);
        if (!rc && enc_putc(c->b, ']')) rc = enc_nomem(c);
        c->depth--;
        return rc;
    }
    case PONTES_KIND_MAP: {
        const pontes_map *mp = s;
        if ((!mp->keys || !mp->values) && mp->count)
            return perr_set(&c->e, PONTES_EENCODE, type_name(t), "NULL keys/values with count %zu", mp->count);
        int rc = enc_enter(c);
        if (rc) return rc;
        if (enc_putc(c->b, '{')) rc = enc_nomem(c);
        const pontes_wire_form *wire =
            (t->elem->flags & PONTES_T_OR_STRING) ? ((const pontes_wire_map *)(const void *)mp)->wire : NULL;
        if (!rc) rc = enc_elems(c, t, mp->values, mp->keys, mp->count, wire);
        if (!rc && enc_putc(c->b, '}')) rc = enc_nomem(c);
        c->depth--;
        return rc;
    }
    case PONTES_KIND_UNION: {
        const unsigned char *us = *(const unsigned char *const *)s;
        if (!us) {
            if (null_ok) return put_lit(c, "null", 4);
            return perr_set(&c->e, PONTES_EENCODE, type_name(t), "NULL union for a non-nullable value");
        }
        return enc_union(c, t->un, us);
    }
    case PONTES_KIND_ANY: {
        const cJSON *j = *(const cJSON *const *)s;
        if (!j) return put_lit(c, "null", 4);
        return put_cjson(c, j, 0);
    }
    case PONTES_KIND_DECIMAL: return put_decimal(c, t, s);
    }
    return perr_set(&c->e, PONTES_EINVAL, NULL, "invalid type descriptor (kind %d)", (int)t->kind);
}

static void ectx_init(ectx *c, pontes_buf *b) {
    c->b = b;
    perr_init(&c->e);
    c->depth = 0;
    c->max_depth = DEFAULT_MAX_DEPTH;
    c->disc_name = c->disc_val = NULL;
    c->up = NULL;
    c->wire_string = false;
}

int pontes_codec_encode_value(pontes_buf *b, const pontes_type *t, const void *storage, pontes_error *err) {
    if (!b || !t || !storage) return pontes_err_set(err, PONTES_EINVAL, "pontes_codec_encode_value: NULL argument");
    ectx c;
    ectx_init(&c, b);
    int rc = enc_value(&c, t, storage, false);
    if (!rc && b->failed) rc = enc_nomem(&c);
    buf_terminate(b);
    if (rc) return perr_finish(&c.e, err);
    return PONTES_OK;
}

int pontes_encode(const pontes_type *t, const void *value, char **out, size_t *out_len, pontes_error *err) {
    if (out) *out = NULL;
    if (out_len) *out_len = 0;
    pontes_err_reset(err);
    if (!t || !value || !out) return pontes_err_set(err, PONTES_EINVAL, "pontes_encode: NULL argument");
    if (!((t->kind == PONTES_KIND_OBJECT && t->msg) || (t->kind == PONTES_KIND_UNION && t->un)))
        return pontes_err_set(err, PONTES_EINVAL, "pontes_encode: root type must be an object or a union");
    pontes_buf b;
    pontes_buf_init(&b);
    if (buf_grow(&b, 1024)) return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    ectx c;
    ectx_init(&c, &b);
    int rc = enc_value(&c, t, &value, false);
    if (!rc && b.failed) rc = enc_nomem(&c);
    if (rc) {
        pontes_buf_free(&b);
        return perr_finish(&c.e, err);
    }
    b.data[b.len] = '\0';
    *out = b.data;
    if (out_len) *out_len = b.len;
    return PONTES_OK;
}

void pontes_json_free(char *json) { free(json); }

int pontes_codec_encode_up(const pontes_type *t, const void *value, char **out, size_t *out_len, pontes_upload **up,
                           pontes_error *err) {
    *up = NULL;
    if (out) *out = NULL;
    if (out_len) *out_len = 0;
    pontes_err_reset(err);
    if (!t || !value || !out) return pontes_err_set(err, PONTES_EINVAL, "pontes_encode: NULL argument");
    if (!((t->kind == PONTES_KIND_OBJECT && t->msg) || (t->kind == PONTES_KIND_UNION && t->un)))
        return pontes_err_set(err, PONTES_EINVAL, "pontes_encode: root type must be an object or a union");
    pontes_buf b;
    pontes_buf_init(&b);
    if (buf_grow(&b, 1024)) return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    ectx c;
    ectx_init(&c, &b);
    c.up = up;
    int rc = enc_value(&c, t, &value, false);
    if (!rc && b.failed) rc = enc_nomem(&c);
    if (rc) {
        pontes_buf_free(&b);
        pontes_up_free(*up);
        *up = NULL;
        return perr_finish(&c.e, err);
    }
    b.data[b.len] = '\0';
    *out = b.data;
    if (out_len) *out_len = b.len;
    return PONTES_OK;
}

/* ====================================================================== */
/* building lists and maps (see pontes.h: arrays grown by doubling, capacity implied by     */
/* count: 4, 8, 16, ...)                                                                     */
/* ====================================================================== */

/* New capacity when count items are stored and one more is wanted, or 0 when it fits. */
static size_t grow_cap(size_t count) {
    if (count == 0) return 4;
    if (count < 4 || (count & (count - 1)) != 0) return 0;
    return count <= SIZE_MAX / 2 ? count * 2 : SIZE_MAX;
}

static int grow_array(void **arr, size_t count, size_t size) {
    size_t cap = grow_cap(count);
    if (!cap) return *arr ? PONTES_OK : PONTES_EINVAL;
    if (cap == SIZE_MAX || size == 0 || cap > SIZE_MAX / size) return PONTES_ENOMEM;
    void *n = realloc(*arr, cap * size);
    if (!n) return PONTES_ENOMEM;
    *arr = n;
    return PONTES_OK;
}

int pontes_list_grow(void *list, size_t elem_size) {
    pontes_list *l = list;
    if (!l || !elem_size) return PONTES_EINVAL;
    return grow_array(&l->items, l->count, elem_size);
}

int pontes_list_append(void *list, size_t elem_size, const void *elem) {
    if (!elem) return PONTES_EINVAL;
    int rc = pontes_list_grow(list, elem_size);
    if (rc) return rc;
    pontes_list *l = list;
    memcpy((unsigned char *)l->items + l->count * elem_size, elem, elem_size);
    l->count++;
    return PONTES_OK;
}

void pontes_list_free(void *list) {
    pontes_list *l = list;
    if (!l) return;
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

int pontes_map_grow(void *map, size_t value_size) {
    pontes_map *m = map;
    if (!m || !value_size) return PONTES_EINVAL;
    void *keys = (void *)m->keys;
    int rc = grow_array(&keys, m->count, sizeof(const char *));
    m->keys = keys;
    if (!rc) rc = grow_array(&m->values, m->count, value_size);
    return rc;
}

void pontes_map_free(void *map) {
    pontes_map *m = map;
    if (!m) return;
    free((void *)m->keys);
    free(m->values);
    m->keys = NULL;
    m->values = NULL;
    m->count = 0;
}
