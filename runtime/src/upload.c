/* Streaming uploads: file sources (a path or a caller's read callback) that a pontes_file
 * (multipart part, binary body) or a pontes_bytes (base64 member of a JSON body) points at,
 * the x-pontes-file checks (max_bytes, magic) made before anything is sent, and the readers
 * that feed curl while the request is sent: a multipart part streams its source as is; a
 * JSON body is sent as a sequence "text, base64 of source 1, text, ..." with an exact
 * Content-Length, the base64 encoded chunk by chunk (memory stays constant). */
#define _POSIX_C_SOURCE 200809L
#include "client_priv.h"
#include "upload.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SRC_TAG 0x50465352u /* "PFSR" */
#define HEAD_MAX 64         /* bytes of a callback source kept to check its magic */
#define CHUNK 49152         /* bytes read from a source at a time (a multiple of 3) */

struct pontes_file_source {
    uint32_t tag;
    char *path;          /* path source, or NULL */
    pontes_read_fn read; /* callback source */
    void *user;
    uint64_t size;
    /* callback sources: the first bytes, read once to check the magic and then served
       from here, so that the callback sees one sequential pass from offset 0 */
    unsigned char head[HEAD_MAX];
    size_t head_len;
    bool head_read;
};

/* ---- public API ----------------------------------------------------------- */
int pontes_file_source_path(pontes_file_source **out, const char *path) {
    if (!out) return PONTES_EINVAL;
    *out = NULL;
    if (!path || !*path) return PONTES_EINVAL;
    pontes_file_source *s = calloc(1, sizeof *s);
    if (!s) return PONTES_ENOMEM;
    s->tag = SRC_TAG;
    s->path = pontes_cl_strdup(path);
    if (!s->path) {
        free(s);
        return PONTES_ENOMEM;
    }
    *out = s;
    return PONTES_OK;
}

int pontes_file_source_callback(pontes_file_source **out, pontes_read_fn read, void *user, uint64_t size) {
    if (!out) return PONTES_EINVAL;
    *out = NULL;
    if (!read) return PONTES_EINVAL;
    pontes_file_source *s = calloc(1, sizeof *s);
    if (!s) return PONTES_ENOMEM;
    s->tag = SRC_TAG;
    s->read = read;
    s->user = user;
    s->size = size;
    *out = s;
    return PONTES_OK;
}

void pontes_file_source_free(pontes_file_source *src) {
    if (!src) return;
    src->tag = 0;
    free(src->path);
    free(src);
}

int pontes_file_set_source(pontes_file *f, const pontes_file_source *src) {
    if (!f || !src) return PONTES_EINVAL;
    f->data = (const uint8_t *)(const void *)src;
    f->len = PONTES_FILE_STREAM;
    return PONTES_OK;
}

int pontes_bytes_set_source(pontes_bytes *b, const pontes_file_source *src) {
    if (!b || !src) return PONTES_EINVAL;
    b->data = (const uint8_t *)(const void *)src;
    b->len = PONTES_FILE_STREAM;
    return PONTES_OK;
}

const pontes_file_source *pontes_up_source(const void *data, size_t len) {
    if (len != PONTES_FILE_STREAM || !data) return NULL;
    return (const pontes_file_source *)data;
}

const pontes_file_source *pontes_file_get_source(const pontes_file *f) {
    return f ? pontes_up_source(f->data, f->len) : NULL;
}
const pontes_file_source *pontes_bytes_get_source(const pontes_bytes *b) {
    return b ? pontes_up_source(b->data, b->len) : NULL;
}

/* ---- readers ---------------------------------------------------------------- */
/* One sequential pass over a source's `size` bytes. */
typedef struct reader {
    pontes_file_source *src;
    uint64_t size, pos;
    int fd;
} reader;

static void rd_init(reader *r, const pontes_file_source *src, uint64_t size) {
    r->src = (pontes_file_source *)(uintptr_t)src; /* the head cache is the source's own */
    r->size = size;
    r->pos = 0;
    r->fd = -1;
}

static void rd_close(reader *r) {
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
}

static const char *src_name(const pontes_file_source *s) { return s->path ? s->path : "the read callback"; }

/* Read up to cap bytes (never past size); 0 only when pos == size. -1: msg filled. */
static int64_t rd_read(reader *r, void *buf, size_t cap, char *msg, size_t mcap) {
    uint64_t left = r->size - r->pos;
    if (left == 0 || cap == 0) return 0;
    if (cap > left) cap = (size_t)left;
    pontes_file_source *s = r->src;
    int64_t got;
    if (s->path) {
        if (r->fd < 0) {
            r->fd = open(s->path, O_RDONLY | O_CLOEXEC);
            if (r->fd < 0) {
                snprintf(msg, mcap, "cannot open %s: %s", s->path, strerror(errno));
                return -1;
            }
            if (r->pos && lseek(r->fd, (off_t)r->pos, SEEK_SET) < 0) {
                snprintf(msg, mcap, "cannot seek in %s: %s", s->path, strerror(errno));
                return -1;
            }
        }
        ssize_t n;
        do n = read(r->fd, buf, cap);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            snprintf(msg, mcap, "reading %s failed after %" PRIu64 " of %" PRIu64 " bytes: %s", s->path, r->pos,
                     r->size, strerror(errno));
            return -1;
        }
        got = n;
    } else if (r->pos < s->head_len) {
        size_t n = s->head_len - (size_t)r->pos;
        if (n > cap) n = cap;
        memcpy(buf, s->head + r->pos, n);
        got = (int64_t)n;
    } else {
        got = s->read(s->user, r->pos, buf, cap);
        if (got < 0 || (uint64_t)got > cap) {
            snprintf(msg, mcap, "the read callback failed after %" PRIu64 " of %" PRIu64 " bytes (returned %" PRId64 ")",
                     r->pos, r->size, got);
            return -1;
        }
    }
    if (got == 0) {
        snprintf(msg, mcap, "%s ended after %" PRIu64 " of %" PRIu64 " bytes%s", src_name(s), r->pos, r->size,
                 s->path ? " (the file shrank after it was checked)" : "");
        return -1;
    }
    r->pos += (uint64_t)got;
    return got;
}

/* Fill buf with exactly n bytes (n <= size - pos). */
static int rd_full(reader *r, unsigned char *buf, size_t n, char *msg, size_t mcap) {
    size_t have = 0;
    while (have < n) {
        int64_t g = rd_read(r, buf + have, n - have, msg, mcap);
        if (g <= 0) return -1;
        have += (size_t)g;
    }
    return 0;
}

/* ---- checks ------------------------------------------------------------------ */
/* printable rendering of the first bytes of a file, for messages */
static void show_bytes(char *out, size_t cap, const unsigned char *p, size_t n) {
    size_t o = 0;
    if (cap == 0) return;
    out[0] = '\0';
    if (n == 0) {
        snprintf(out, cap, "(empty)");
        return;
    }
    o += (size_t)snprintf(out + o, cap - o, "\"");
    for (size_t i = 0; i < n && i < 8 && o + 6 < cap; i++) {
        unsigned char ch = p[i];
        if (ch >= 0x20 && ch < 0x7F && ch != '"' && ch != '\\') out[o++] = (char)ch;
        else o += (size_t)snprintf(out + o, cap - o, "\\x%02X", ch);
    }
    if (o + 2 < cap) {
        out[o++] = '"';
        out[o] = '\0';
    }
}

static int check_rules(const pontes_type *t, uint64_t size, const unsigned char *head, size_t head_len, char *msg,
                       size_t mcap) {
    if (!t || !(t->flags & PONTES_T_FILE_RULE)) return PONTES_OK;
    const pontes_file_type *ft = (const pontes_file_type *)(const void *)t;
    if (ft->max_bytes && size > ft->max_bytes) {
        snprintf(msg, mcap, "the file is %" PRIu64 " bytes, over the limit of %" PRIu64 " bytes", size, ft->max_bytes);
        return PONTES_EINVAL;
    }
    if (ft->magic && ft->magic_len) {
        size_t ml = ft->magic_len;
        if (head_len < ml || memcmp(head, ft->magic, ml) != 0) {
            char want[64], got[64];
            show_bytes(want, sizeof want, (const unsigned char *)ft->magic, ml);
            show_bytes(got, sizeof got, head, head_len < 8 ? head_len : 8);
            snprintf(msg, mcap, "the file does not start with %s (it starts with %s): not the expected file type", want,
                     got);
            return PONTES_EINVAL;
        }
    }
    return PONTES_OK;
}

static size_t magic_need(const pontes_type *t) {
    if (!t || !(t->flags & PONTES_T_FILE_RULE)) return 0;
    const pontes_file_type *ft = (const pontes_file_type *)(const void *)t;
    if (!ft->magic) return 0;
    return ft->magic_len < HEAD_MAX ? ft->magic_len : HEAD_MAX;
}

int pontes_up_check(const pontes_type *t, const uint8_t *data, size_t len, uint64_t *size_out, char *msg,
                    size_t mcap) {
    *size_out = 0;
    const pontes_file_source *cs = pontes_up_source(data, len);
    if (!cs) {
        if (!data && len) {
            snprintf(msg, mcap, "NULL data with non-zero length");
            return PONTES_EINVAL;
        }
        *size_out = len;
        return check_rules(t, len, data, len, msg, mcap);
    }
    pontes_file_source *s = (pontes_file_source *)(uintptr_t)cs;
    if (s->tag != SRC_TAG) {
        snprintf(msg, mcap, "len is PONTES_FILE_STREAM but data is not a pontes_file_source");
        return PONTES_EINVAL;
    }
    size_t need = magic_need(t);
    unsigned char head[HEAD_MAX];
    size_t hl = 0;
    if (s->path) {
        int fd = open(s->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(msg, mcap, "cannot open %s: %s", s->path, strerror(errno));
            return PONTES_EINVAL;
        }
        struct stat st;
        if (fstat(fd, &st) != 0) {
            snprintf(msg, mcap, "cannot stat %s: %s", s->path, strerror(errno));
            close(fd);
            return PONTES_EINVAL;
        }
        if (!S_ISREG(st.st_mode)) {
            snprintf(msg, mcap, "%s is not a regular file (its size must be known before sending)", s->path);
            close(fd);
            return PONTES_EINVAL;
        }
        *size_out = (uint64_t)st.st_size;
        while (hl < need) {
            ssize_t n = pread(fd, head + hl, need - hl, (off_t)hl);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                snprintf(msg, mcap, "cannot read %s: %s", s->path, strerror(errno));
                close(fd);
                return PONTES_EINVAL;
            }
            if (n == 0) break;
            hl += (size_t)n;
        }
        close(fd);
    } else {
        *size_out = s->size;
        if (need && !s->head_read) {
            size_t want = s->size < HEAD_MAX ? (size_t)s->size : HEAD_MAX;
            reader r;
            rd_init(&r, s, want);
            s->head_len = 0; /* read through the callback, not the (empty) cache */
            if (rd_full(&r, s->head, want, msg, mcap) != 0) return PONTES_EINVAL;
            s->head_len = want;
            s->head_read = true;
        }
        hl = s->head_len < need ? s->head_len : need;
        memcpy(head, s->head, hl);
    }
    return check_rules(t, *size_out, head, hl, msg, mcap);
}

/* ---- multipart parts ----------------------------------------------------------- */
typedef struct part_rd {
    reader r;
    pontes_upload *up;
    const char *member;
} part_rd;

struct pontes_upload {
    /* JSON / raw body: text with the streamed values spliced in at segs[i].off */
    const char *text;
    size_t text_len;
    struct seg {
        size_t off;
        const pontes_file_source *src;
        uint64_t size;
        bool b64;
    } *segs;
    size_t nsegs, cap;
    uint64_t total;
    /* read state */
    size_t si, tpos;
    bool in_seg;
    reader rd;
    char *out;            /* base64 of the chunk being sent */
    size_t out_len, out_pos;
    unsigned char *in;    /* the chunk read from the source */
    /* the first failure of a source while sending */
    bool failed;
    char msg[320];
};

int pontes_up_new(pontes_upload **out) {
    *out = calloc(1, sizeof **out);
    if (!*out) return PONTES_ENOMEM;
    (*out)->rd.fd = -1;
    return PONTES_OK;
}

void pontes_up_free(pontes_upload *up) {
    if (!up) return;
    rd_close(&up->rd);
    free(up->segs);
    free(up->out);
    free(up->in);
    free(up);
}

bool pontes_up_failed(const pontes_upload *up, const char **msg) {
    if (!up || !up->failed) return false;
    if (msg) *msg = up->msg;
    return true;
}

static void up_fail(pontes_upload *up, const char *member, const char *m) {
    if (up->failed) return;
    up->failed = true;
    snprintf(up->msg, sizeof up->msg, "%s%s%s", member ? member : "", member ? ": " : "", m);
}

static size_t part_read(char *buf, size_t size, size_t nitems, void *arg) {
    part_rd *p = arg;
    size_t cap = size * nitems;
    if (p->r.pos == p->r.size) {
        rd_close(&p->r);
        return 0;
    }
    char m[256];
    int64_t g = rd_read(&p->r, buf, cap, m, sizeof m);
    if (g < 0) {
        rd_close(&p->r);
        up_fail(p->up, p->member, m);
        return CURL_READFUNC_ABORT;
    }
    return (size_t)g;
}

static int part_seek(void *arg, curl_off_t offset, int origin) {
    part_rd *p = arg;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > p->r.size) return CURL_SEEKFUNC_CANTSEEK;
    if ((uint64_t)offset == p->r.pos) return CURL_SEEKFUNC_OK;
    if (!p->r.src->path && offset != 0) return CURL_SEEKFUNC_CANTSEEK;
    rd_close(&p->r); /* reopened (and positioned) by the next read */
    p->r.pos = (uint64_t)offset;
    return CURL_SEEKFUNC_OK;
}

static void part_free(void *arg) {
    part_rd *p = arg;
    rd_close(&p->r);
    free(p);
}

int pontes_up_mime_part(pontes_upload *up, curl_mimepart *part, const pontes_file_source *src, uint64_t size,
                        const char *member) {
    part_rd *p = calloc(1, sizeof *p);
    if (!p) return PONTES_ENOMEM;
    rd_init(&p->r, src, size);
    p->up = up;
    p->member = member;
    if (size > (uint64_t)INT64_MAX ||
        curl_mime_data_cb(part, (curl_off_t)size, part_read, part_seek, part_free, p) != CURLE_OK) {
        free(p);
        return PONTES_ENOMEM;
    }
    return PONTES_OK;
}

/* ---- spliced JSON / raw bodies ---------------------------------------------------- */
static uint64_t b64_len(uint64_t n) { return (n / 3 + (n % 3 != 0)) * 4; }

int pontes_up_add_segment(pontes_upload *up, size_t off, const pontes_file_source *src, uint64_t size, bool b64) {
    if (size > (UINT64_MAX / 4) * 3 - 3) return PONTES_ENOMEM;
    if (up->nsegs == up->cap) {
        size_t nc = up->cap ? up->cap * 2 : 2;
        struct seg *ns = realloc(up->segs, nc * sizeof *ns);
        if (!ns) return PONTES_ENOMEM;
        up->segs = ns;
        up->cap = nc;
    }
    up->segs[up->nsegs++] = (struct seg){off, src, size, b64};
    up->total += b64 ? b64_len(size) : size;
    return PONTES_OK;
}

size_t pontes_up_segments(const pontes_upload *up) { return up ? up->nsegs : 0; }

void pontes_up_set_text(pontes_upload *up, const char *text, size_t len) {
    up->text = text;
    up->text_len = len;
}

uint64_t pontes_up_body_len(const pontes_upload *up) { return up->text_len + up->total; }

void pontes_up_rewind(pontes_upload *up) {
    rd_close(&up->rd);
    up->si = up->tpos = 0;
    up->in_seg = false;
    up->out_len = up->out_pos = 0;
}

/* Produce the next piece of segment si into up->out (base64) or straight into dst (raw).
 * Returns bytes written to dst (raw), 0 with out filled (b64), or -1. */
static int64_t seg_step(pontes_upload *up, char *dst, size_t cap) {
    struct seg *sg = &up->segs[up->si];
    char m[256];
    if (!up->in_seg) {
        rd_init(&up->rd, sg->src, sg->size);
        up->in_seg = true;
    }
    if (!sg->b64) {
        int64_t g = rd_read(&up->rd, dst, cap, m, sizeof m);
        if (g < 0) up_fail(up, NULL, m);
        return g;
    }
    if (!up->in && !(up->in = malloc(CHUNK))) {
        up_fail(up, NULL, "out of memory");
        return -1;
    }
    if (!up->out && !(up->out = malloc(CHUNK / 3 * 4))) {
        up_fail(up, NULL, "out of memory");
        return -1;
    }
    uint64_t left = up->rd.size - up->rd.pos;
    size_t n = left < CHUNK ? (size_t)left : CHUNK;
    if (rd_full(&up->rd, up->in, n, m, sizeof m) != 0) {
        up_fail(up, NULL, m);
        return -1;
    }
    up->out_len = pontes_base64_encode_to(up->out, up->in, n);
    up->out_pos = 0;
    return 0;
}

size_t pontes_up_read(char *buf, size_t size, size_t nitems, void *arg) {
    pontes_upload *up = arg;
    size_t cap = size * nitems, w = 0;
    if (up->failed) return CURL_READFUNC_ABORT;
    while (w < cap) {
        if (up->out_pos < up->out_len) {
            size_t n = up->out_len - up->out_pos;
            if (n > cap - w) n = cap - w;
            memcpy(buf + w, up->out + up->out_pos, n);
            up->out_pos += n;
            w += n;
            continue;
        }
        size_t stop = up->si < up->nsegs ? up->segs[up->si].off : up->text_len;
        if (!up->in_seg && up->tpos < stop) {
            size_t n = stop - up->tpos;
            if (n > cap - w) n = cap - w;
            memcpy(buf + w, up->text + up->tpos, n);
            up->tpos += n;
            w += n;
            continue;
        }
        if (up->si >= up->nsegs) break; /* the end */
        if (up->in_seg && up->rd.pos == up->rd.size) {
            rd_close(&up->rd);
            up->in_seg = false;
            up->si++;
            continue;
        }
        int64_t g = seg_step(up, buf + w, cap - w);
        if (g < 0) {
            rd_close(&up->rd);
            return CURL_READFUNC_ABORT;
        }
        w += (size_t)g;
    }
    return w;
}

int pontes_up_seek(void *arg, curl_off_t offset, int origin) {
    pontes_upload *up = arg;
    if (origin != SEEK_SET || offset != 0) return CURL_SEEKFUNC_CANTSEEK;
    pontes_up_rewind(up);
    return CURL_SEEKFUNC_OK;
}

/* Outside a request (pontes_encode): the base64 of the whole source into b. */
int pontes_up_materialize_b64(pontes_buf *b, const pontes_file_source *src, uint64_t size, char *msg, size_t mcap) {
    if (size > (uint64_t)(SIZE_MAX / 2)) {
        snprintf(msg, mcap, "the file is too large to encode in memory");
        return PONTES_ENOMEM;
    }
    unsigned char *in = malloc(CHUNK);
    if (!in) return PONTES_ENOMEM;
    char *out = malloc(CHUNK / 3 * 4);
    if (!out) {
        free(in);
        return PONTES_ENOMEM;
    }
    reader r;
    rd_init(&r, src, size);
    int rc = PONTES_OK;
    while (rc == PONTES_OK && r.pos < r.size) {
        uint64_t left = r.size - r.pos;
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        if (rd_full(&r, in, n, msg, mcap) != 0) {
            rc = PONTES_EINVAL;
            break;
        }
        size_t ol = pontes_base64_encode_to(out, in, n);
        if (pontes_buf_append(b, out, ol) != PONTES_OK) rc = PONTES_ENOMEM;
    }
    rd_close(&r);
    free(out);
    free(in);
    return rc;
}
