/* Arena allocator: one per decoded value, freed with one call. */
#include "internal.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN (alignof(max_align_t))
_Static_assert(ARENA_ALIGN == PONTES_ARENA_ALIGN, "PONTES_ARENA_ALIGN");
#define ARENA_MAGIC 0x504f4e54u /* "PONT" */
#define ARENA_MIN_BLOCK 1024u

typedef struct block {
    struct block *next;
    size_t cap; /* bytes of data; what is used is up to a->span.cur (head) or all (older blocks) */
    alignas(max_align_t) unsigned char data[];
} block;

typedef struct adopted {
    cJSON *doc;
    struct adopted *next;
} adopted;

struct pontes_arena {
    pontes_arena_span span; /* free part of head: [cur, lim) (first member: pontes_arena_take) */
    block *head;      /* current block (allocation happens here) */
    adopted *docs;    /* adopted cJSON trees (records live in the arena) */
    size_t blocks;    /* malloc calls made, arena header included */
};

/* What sits right before the root value. */
typedef struct root_tag {
    alignas(max_align_t) uint32_t magic;
    pontes_arena *arena;
} root_tag;

static size_t align_up(size_t n) { return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1); }

static block *block_new(size_t cap) {
    if (cap > SIZE_MAX - sizeof(block)) return NULL;
    block *b = malloc(sizeof(block) + cap);
    if (!b) return NULL;
    b->next = NULL;
    b->cap = cap;
    return b;
}

pontes_arena *pontes_arena_new(size_t size_hint) {
    pontes_arena *a = malloc(sizeof *a);
    if (!a) return NULL;
    size_t cap = size_hint < ARENA_MIN_BLOCK ? ARENA_MIN_BLOCK : align_up(size_hint);
    a->head = block_new(cap);
    if (!a->head) {
        free(a);
        return NULL;
    }
    a->span.cur = a->head->data;
    a->span.lim = a->head->data + cap;
    a->docs = NULL;
    a->blocks = 2;
    return a;
}

/* A new head block with room for need bytes (the rest of the old head is left unused). */
static int arena_new_block(pontes_arena *a, size_t need) {
    size_t cap = a->head->cap > SIZE_MAX / 2 ? SIZE_MAX : a->head->cap * 2;
    if (cap < need) cap = need;
    block *nb = block_new(cap);
    if (!nb) return 0;
    nb->next = a->head;
    a->head = nb;
    a->blocks++;
    a->span.cur = nb->data;
    a->span.lim = nb->data + cap;
    return 1;
}

void *pontes_arena_take_slow(pontes_arena *a, size_t size) {
    if (size > SIZE_MAX - ARENA_ALIGN) return NULL;
    size_t need = align_up(size ? size : 1);
    if ((size_t)(a->span.lim - a->span.cur) < need && !arena_new_block(a, need)) return NULL;
    void *p = a->span.cur;
    a->span.cur += need;
    return p;
}

static void *arena_raw(pontes_arena *a, size_t size) { return pontes_arena_take(a, size); }

void *pontes_arena_alloc(pontes_arena *a, size_t size) {
    void *p = arena_raw(a, size);
    if (p) memset(p, 0, size);
    return p;
}

void *pontes_arena_calloc(pontes_arena *a, size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    return pontes_arena_alloc(a, n * size);
}

void *pontes_arena_grow(pontes_arena *a, void *old, size_t old_size, size_t new_size, bool zero) {
    if (new_size > SIZE_MAX - ARENA_ALIGN) return NULL;
    unsigned char *o = old;
    if (o && old_size <= new_size && o + align_up(old_size ? old_size : 1) == a->span.cur &&
        align_up(new_size) <= (size_t)(a->span.lim - o)) { /* the last allocation: extend it */
        a->span.cur = o + align_up(new_size ? new_size : 1);
        if (zero) memset(o + old_size, 0, new_size - old_size);
        return o;
    }
    unsigned char *p = arena_raw(a, new_size);
    if (!p) return NULL;
    size_t keep = old_size < new_size ? old_size : new_size;
    if (keep) memcpy(p, o, keep);
    if (zero) memset(p + keep, 0, new_size - keep);
    return p;
}

char *pontes_arena_strndup(pontes_arena *a, const char *s, size_t len) {
    if (len == SIZE_MAX) return NULL;
    char *p = arena_raw(a, len + 1);
    if (!p) return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void *pontes_arena_alloc_root(pontes_arena *a, size_t size) {
    if (size > SIZE_MAX - sizeof(root_tag)) return NULL;
    root_tag *t = pontes_arena_alloc(a, sizeof(root_tag) + size);
    if (!t) return NULL;
    t->magic = ARENA_MAGIC;
    t->arena = a;
    return (unsigned char *)t + sizeof(root_tag);
}

pontes_arena *pontes_arena_of(void *root) {
    if (!root) return NULL;
    root_tag *t = (root_tag *)(void *)((unsigned char *)root - sizeof(root_tag));
    if (t->magic != ARENA_MAGIC) return NULL;
    return t->arena;
}

int pontes_arena_adopt_json(pontes_arena *a, cJSON *doc) {
    adopted *r = arena_raw(a, sizeof *r);
    if (!r) return PONTES_ENOMEM;
    r->doc = doc;
    r->next = a->docs;
    a->docs = r;
    return PONTES_OK;
}

size_t pontes_arena_block_count(const pontes_arena *a) { return a ? a->blocks : 0; }

void pontes_arena_destroy(pontes_arena *a) {
    if (!a) return;
    for (adopted *r = a->docs; r; r = r->next) cJSON_Delete(r->doc);
    block *b = a->head;
    while (b) {
        block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void pontes_free(void *value) {
    pontes_arena *a = pontes_arena_of(value);
    if (!a) return;
    /* Clear the tag so a double free is caught as a no-op rather than a crash
       where possible (the memory is released below, so this is best effort). */
    root_tag *t = (root_tag *)(void *)((unsigned char *)value - sizeof(root_tag));
    t->magic = 0;
    pontes_arena_destroy(a);
}
