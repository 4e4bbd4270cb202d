/* Arena allocator: one per decoded value, freed with one call. */
#include "internal.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN (alignof(max_align_t))
#define ARENA_MAGIC 0x504f4e54u /* "PONT" */
#define ARENA_MIN_BLOCK 1024u

typedef struct block {
    struct block *next;
    size_t cap;
    size_t used;
    alignas(max_align_t) unsigned char data[];
} block;

typedef struct adopted {
    cJSON *doc;
    struct adopted *next;
} adopted;

struct pontes_arena {
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
    b->used = 0;
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
    a->docs = NULL;
    a->blocks = 2;
    return a;
}

static void *arena_raw(pontes_arena *a, size_t size) {
    if (size > SIZE_MAX - ARENA_ALIGN) return NULL;
    size_t need = align_up(size ? size : 1);
    block *b = a->head;
    if (b->cap - b->used < need) {
        size_t cap = b->cap * 2;
        if (cap < need) cap = need;
        block *nb = block_new(cap);
        if (!nb) return NULL;
        nb->next = b;
        a->head = nb;
        a->blocks++;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

void *pontes_arena_alloc(pontes_arena *a, size_t size) {
    void *p = arena_raw(a, size);
    if (p) memset(p, 0, size);
    return p;
}

void *pontes_arena_calloc(pontes_arena *a, size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    return pontes_arena_alloc(a, n * size);
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
