/* Base64 documents: Base64 text (as it arrives inside JSON, e.g. an ESIS document) to a
 * file, streaming through libcrypto's EVP_Decode*, written to a temporary file in the
 * target's directory and renamed into place only when the whole text decoded; and a file
 * to Base64 text (for document bodies). */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define B64_CHUNK 65536

static bool b64_space(unsigned char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool b64_alpha(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' ||
           ch == '/';
}

/* Check the text: only alphabet characters, then at most two '=', whitespace anywhere;
 * the count of significant characters (in *sig, padding included) must not leave a
 * remainder of 1.
 * Returns the offset of the first bad byte, or SIZE_MAX when the text is fine. */
static size_t b64_check(const char *s, size_t len, size_t *sig, const char **why) {
    size_t n = 0, pad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (b64_space(ch)) continue;
        if (ch == '=') {
            if (++pad > 2 || n % 4 < 2) {
                *why = "misplaced '='";
                return i;
            }
            continue;
        }
        if (!b64_alpha(ch)) {
            *why = "not a Base64 character";
            return i;
        }
        if (pad) {
            *why = "data after the '=' padding";
            return i;
        }
        n++;
    }
    if (n % 4 == 1 || (pad && (n + pad) % 4 != 0)) {
        *why = "truncated (the length is not a whole number of Base64 groups)";
        return len;
    }
    *sig = n + pad; /* a remainder here: unpadded text */
    return SIZE_MAX;
}

int pontes_base64_to_file(const char *b64, size_t len, const char *path, uint64_t *size, pontes_error *err) {
    pontes_err_reset(err);
    if (size) *size = 0;
    if (!path || !*path || (!b64 && len)) return pontes_err_set(err, PONTES_EINVAL, "pontes_base64_to_file: NULL argument");
    if (!b64) b64 = "";
    size_t sig = 0;
    const char *why = NULL;
    size_t bad = b64_check(b64, len, &sig, &why);
    if (bad != SIZE_MAX) {
        if (bad < len)
            return pontes_err_set(err, PONTES_EINVAL, "%s: invalid Base64 at byte %zu: %s", path, bad, why);
        return pontes_err_set(err, PONTES_EINVAL, "%s: invalid Base64: %s", path, why);
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof ".tmp.XXXXXX");
    unsigned char *obuf = malloc(B64_CHUNK / 4 * 3 + 64);
    EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
    if (!tmp || !obuf || !ctx) {
        free(tmp);
        free(obuf);
        EVP_ENCODE_CTX_free(ctx);
        return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int rc = PONTES_OK;
    FILE *f = NULL;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rc = pontes_err_set(err, PONTES_EINVAL, "%s: cannot create a file there: %s", path, strerror(errno));
        goto done;
    }
    if (!(f = fdopen(fd, "wb"))) {
        rc = pontes_err_set(err, PONTES_EINVAL, "%s: %s", path, strerror(errno));
        close(fd);
        goto fail;
    }
    uint64_t total = 0;
    EVP_DecodeInit(ctx);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < B64_CHUNK ? len - off : B64_CHUNK;
        int outl = 0;
        if (EVP_DecodeUpdate(ctx, obuf, &outl, (const unsigned char *)b64 + off, (int)n) < 0) {
            rc = pontes_err_set(err, PONTES_EINVAL, "%s: invalid Base64 near byte %zu", path, off);
            goto fail;
        }
        if (outl > 0 && fwrite(obuf, 1, (size_t)outl, f) != (size_t)outl) {
            rc = pontes_err_set(err, PONTES_EINVAL, "%s: write failed: %s", path, strerror(errno));
            goto fail;
        }
        total += (uint64_t)(outl > 0 ? outl : 0);
        off += n;
    }
    if (sig % 4) { /* unpadded text: add the padding EVP_DecodeFinal wants */
        int outl = 0;
        if (EVP_DecodeUpdate(ctx, obuf, &outl, (const unsigned char *)"==", 4 - (int)(sig % 4)) < 0) {
            rc = pontes_err_set(err, PONTES_EINVAL, "%s: invalid Base64 at the end", path);
            goto fail;
        }
        if (outl > 0 && fwrite(obuf, 1, (size_t)outl, f) != (size_t)outl) {
            rc = pontes_err_set(err, PONTES_EINVAL, "%s: write failed: %s", path, strerror(errno));
            goto fail;
        }
        total += (uint64_t)(outl > 0 ? outl : 0);
    }
    int outl = 0;
    if (EVP_DecodeFinal(ctx, obuf, &outl) < 0) {
        rc = pontes_err_set(err, PONTES_EINVAL, "%s: invalid Base64 at the end", path);
        goto fail;
    }
    if (outl > 0 && fwrite(obuf, 1, (size_t)outl, f) != (size_t)outl) {
        rc = pontes_err_set(err, PONTES_EINVAL, "%s: write failed: %s", path, strerror(errno));
        goto fail;
    }
    total += (uint64_t)(outl > 0 ? outl : 0);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = pontes_err_set(err, PONTES_EINVAL, "%s: write failed: %s", path, strerror(errno));
        goto fail;
    }
    FILE *ff = f;
    f = NULL;
    if (fclose(ff) != 0) {
        rc = pontes_err_set(err, PONTES_EINVAL, "%s: write failed: %s", path, strerror(errno));
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        rc = pontes_err_set(err, PONTES_EINVAL, "%s: cannot rename the decoded file into place: %s", path,
                            strerror(errno));
        goto fail;
    }
    if (size) *size = total;
    goto done;
fail:
    if (f) fclose(f);
    unlink(tmp);
done:
    free(tmp);
    free(obuf);
    EVP_ENCODE_CTX_free(ctx);
    return rc;
}

int pontes_file_to_base64(const char *path, char **out, size_t *out_len, pontes_error *err) {
    pontes_err_reset(err);
    if (out) *out = NULL;
    if (out_len) *out_len = 0;
    if (!path || !*path || !out) return pontes_err_set(err, PONTES_EINVAL, "pontes_file_to_base64: NULL argument");
    FILE *f = fopen(path, "rb");
    if (!f) return pontes_err_set(err, PONTES_EINVAL, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return pontes_err_set(err, PONTES_EINVAL, "%s: not a regular file", path);
    }
    uint64_t fsize = (uint64_t)st.st_size;
    if (fsize > (SIZE_MAX - 4) / 4 * 3 - 3) {
        fclose(f);
        return pontes_err_set(err, PONTES_ENOMEM, "%s: too large for Base64 in memory", path);
    }
    size_t cap = ((size_t)fsize + 2) / 3 * 4 + 1, len = 0;
    char *text = malloc(cap);
    unsigned char *in = malloc(B64_CHUNK / 4 * 3 * 4); /* a multiple of 3: no padding mid-text */
    if (!text || !in) {
        free(text);
        free(in);
        fclose(f);
        return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
    }
    const size_t inc = B64_CHUNK / 4 * 3 * 4;
    for (;;) {
        size_t n = fread(in, 1, inc, f);
        if (n == 0) break;
        size_t need = (n + 2) / 3 * 4;
        if (len + need + 1 > cap) { /* the file grew since fstat */
            size_t nc = (len + need + 1) * 2;
            char *t = realloc(text, nc);
            if (!t) {
                free(text);
                free(in);
                fclose(f);
                return pontes_err_set(err, PONTES_ENOMEM, "out of memory");
            }
            text = t;
            cap = nc;
        }
        len += (size_t)EVP_EncodeBlock((unsigned char *)text + len, in, (int)n);
        if (n < inc) break;
    }
    int rerr = ferror(f);
    fclose(f);
    free(in);
    if (rerr) {
        free(text);
        return pontes_err_set(err, PONTES_EINVAL, "%s: read failed", path);
    }
    text[len] = '\0';
    *out = text;
    if (out_len) *out_len = len;
    return PONTES_OK;
}
