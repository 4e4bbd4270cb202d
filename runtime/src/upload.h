/* Streaming uploads (upload.c): file sources behind pontes_file / pontes_bytes, the
 * x-pontes-file checks, and the readers that feed curl. Not installed. */
#ifndef PONTES_UPLOAD_H
#define PONTES_UPLOAD_H

#include "internal.h"

/* Per-call state of a streamed body: the segments of a JSON / raw body, and the first
 * failure of a source while sending (multipart parts report here too). */
typedef struct pontes_upload pontes_upload;

/* The source data/len point at (len == PONTES_FILE_STREAM), or NULL. */
const pontes_file_source *pontes_up_source(const void *data, size_t len);
/* Check a BYTES/FILE value before sending: for a source, open the path and take its size
 * (a callback source: its size, and its first bytes when a magic is to be checked); then
 * the x-pontes-file rules of t (PONTES_T_FILE_RULE). *size_out: the content's size.
 * PONTES_EINVAL with msg (no member name) on failure. */
int pontes_up_check(const pontes_type *t, const uint8_t *data, size_t len, uint64_t *size_out, char *msg,
                    size_t mcap);

int pontes_up_new(pontes_upload **out);
void pontes_up_free(pontes_upload *up);
/* Whether a source failed while sending (msg: the member and what happened). */
bool pontes_up_failed(const pontes_upload *up, const char **msg);
/* A streamed value at byte offset off of the body text: its base64 (b64) or raw bytes. */
int pontes_up_add_segment(pontes_upload *up, size_t off, const pontes_file_source *src, uint64_t size, bool b64);
size_t pontes_up_segments(const pontes_upload *up);
/* The body text the segments are spliced into (not copied: keep it alive). */
void pontes_up_set_text(pontes_upload *up, const char *text, size_t len);
uint64_t pontes_up_body_len(const pontes_upload *up);
void pontes_up_rewind(pontes_upload *up);
/* Outside a request: append the base64 of the whole source to b (EINVAL: msg). */
/* Base64 of data[0..len) into out (room for 4 * ceil(len / 3) bytes); returns the length (codec.c). */
size_t pontes_base64_encode_to(char *out, const uint8_t *data, size_t len);
/* pontes_encode with streamed values recorded in *up (created when the value holds a
 * source; NULL otherwise) instead of read into the text (codec.c). */
int pontes_codec_encode_up(const pontes_type *t, const void *value, char **out, size_t *out_len,
                           pontes_upload **up, pontes_error *err);
int pontes_up_materialize_b64(pontes_buf *b, const pontes_file_source *src, uint64_t size, char *msg, size_t mcap);

#ifdef CURLINC_CURL_H
/* curl read / seek callbacks of a spliced body (arg: the pontes_upload) */
size_t pontes_up_read(char *buf, size_t size, size_t nitems, void *arg);
int pontes_up_seek(void *arg, curl_off_t offset, int origin);
/* Make part stream src (size bytes); failures are recorded in up under member's name. */
int pontes_up_mime_part(pontes_upload *up, curl_mimepart *part, const pontes_file_source *src, uint64_t size,
                        const char *member);
#endif

#endif
