/*
 * pontes — runtime for generated C clients of Portuguese-language financial partner APIs.
 *
 * This header is the whole public surface of the hand-written runtime: the
 * arena, the table-driven JSON codec, the rich error object, the HTTP client
 * (transport, auth, retries, log hook) and the request builder used by the
 * generated per-API libraries (pontes::eccor, ...).
 *
 * Conventions (libgit2 / SQLite / libcurl style)
 *   - every function returns an int status: PONTES_OK (0) or a negative PONTES_E* code;
 *     results come back through out-parameters;
 *   - every object the library allocates has exactly one matching free function;
 *   - the library never prints: errors are reported through pontes_error and
 *     pontes_client_last_error(); diagnostics through the optional log hook,
 *     which never sees Authorization values or client secrets.
 *
 * Threading model
 *   - pontes_global_init() runs curl_global_init once (thread-safe, idempotent);
 *     it is called implicitly by pontes_client_new(). There is no other global state.
 *   - A pontes_client (and so an eccor_client, ...) must be used by one thread at a
 *     time; it owns one CURL easy handle (one reused connection) and its token cache.
 *     Use one client per thread, or serialise access with your own mutex. Misuse is
 *     detected, not undefined: a call made while another thread's call (or a request
 *     being built, from pontes_request_new to its send or free) holds the client
 *     returns PONTES_EBUSY at once and leaves that client's last error alone (it
 *     belongs to the other call). pontes_client_free must still not race a call.
 *
 * Time limits
 *   - timeout_ms bounds a whole call: every attempt, every wait between retries and any
 *     OAuth2 token fetch the call makes. A retry whose wait (backoff or Retry-After)
 *     does not fit in what is left is not made: the last answer is returned instead.
 *     attempt_timeout_ms (optional) limits one attempt; connect_timeout_ms one connect.
 *     ETIMEOUT messages say how many attempts were made ("timed out after 3 attempts,
 *     10 s limit: ...").
 *
 * Secrets
 *   - Values that become header lines (tokens, API keys, Basic credentials, the user
 *     agent, header parameters, and access tokens returned by a token endpoint) are
 *     refused if they hold a control byte other than HTAB (EINVAL; EAUTH for a token
 *     from a server); the message names the field, never the value.
 *   - Every secret the client holds (and the plain client secret / Basic password it
 *     was given) is replaced by "[REDACTED]" in everything the error object exposes
 *     (message, provider_code, provider_message, request_id, field_errors, body) and in
 *     log lines, so a server that echoes a credential does not leak it through pontes.
 *   - The same holds, for the duration of a call, for the values of request-body members
 *     marked secret in the spec (format: password, x-pontes-secret: true; PONTES_F_SECRET),
 *     e.g. an end user's password sent in a JSON body.
 *   - Decoded values (anything returned by *_decode or an operation) are immutable
 *     and independent of the client: they may be read from any number of threads
 *     and freed from any thread, once.
 *   - Descriptor tables (pontes_type, pontes_message, ...) are const and shareable.
 *   - Caveat: cJSON records the position of the last parse error in a global; pontes
 *     never reads it, but concurrent decodes race on that write inside cJSON.
 */
#ifndef PONTES_PONTES_H
#define PONTES_PONTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ---------------------------------------------------------- */
#define PONTES_VERSION_MAJOR 0
#define PONTES_VERSION_MINOR 1
#define PONTES_VERSION_PATCH 0
#define PONTES_VERSION "0.1.0"
#define PONTES_VERSION_NUMBER \
    (PONTES_VERSION_MAJOR * 10000 + PONTES_VERSION_MINOR * 100 + PONTES_VERSION_PATCH)

/* ---- export ----------------------------------------------------------- */
#if defined(_WIN32) && defined(PONTES_SHARED)
#  ifdef PONTES_BUILDING
#    define PONTES_EXTERN(type) extern __declspec(dllexport) type
#  else
#    define PONTES_EXTERN(type) extern __declspec(dllimport) type
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define PONTES_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#  define PONTES_EXTERN(type) extern type
#endif

struct cJSON;

/** Initialise libcurl once for the process (thread-safe, idempotent). Called by
 *  pontes_client_new(); call it yourself first if your program needs curl_global_init
 *  to run at a known point (e.g. before starting threads). */
PONTES_EXTERN(int) pontes_global_init(void);

/** Runtime version as a number (PONTES_VERSION_NUMBER of the linked library). */
PONTES_EXTERN(int) pontes_version_number(void);
PONTES_EXTERN(const char *) pontes_version(void);

/* ---- status codes ----------------------------------------------------- */
typedef enum pontes_status {
    PONTES_OK = 0,
    PONTES_EINVAL = -1,     /**< bad argument from the caller (NULL, missing required field, ...) */
    PONTES_ENOMEM = -2,     /**< allocation failed */
    PONTES_EHTTP = -3,      /**< server answered with a non-success HTTP status */
    PONTES_ETRANSPORT = -4, /**< connection/TLS/protocol failure (see curl_code) */
    PONTES_ETIMEOUT = -5,   /**< connect or total timeout expired */
    PONTES_EDECODE = -6,    /**< JSON invalid or not matching the schema (see json_path) */
    PONTES_EENCODE = -7,    /**< a value cannot be encoded (see json_path) */
    PONTES_EAUTH = -8,      /**< credentials rejected or token could not be obtained */
    PONTES_ETOOBIG = -9,    /**< response body larger than max_response_bytes */
    PONTES_ERANGE = -10,    /**< number outside the range of its C type (int32, int64, double, decimal) */
    PONTES_EBUSY = -11,     /**< the client is being used by another thread at the same time */
    /** the provider reported a failure inside a successful HTTP response: a 2xx body whose
     *  envelope (x-pontes-envelope: e.g. Best Bank's returnCode/returnMsg) holds a code other
     *  than the success value. http_status is the 2xx status, provider_code / provider_message
     *  the envelope's code and message (as text), body the raw body. */
    PONTES_EPROVIDER = -12
} pontes_status;

/** Short English name of a status code ("PONTES_EDECODE", ...). Never NULL. */
PONTES_EXTERN(const char *) pontes_status_name(int status);

/* ---- presence: absent, null and value are three states ---------------- */
typedef uint8_t pontes_presence;
#define PONTES_ABSENT ((pontes_presence)0) /**< not in the JSON object */
#define PONTES_NULL   ((pontes_presence)1) /**< present as JSON null */
#define PONTES_SET    ((pontes_presence)2) /**< present with a value */

/** Set a struct member and mark it present in one statement:
 *    PONTES_PUT(person, name, "NILCE");  PONTES_PUT(person, total_income, 0);
 *  (for a pointer obj use PONTES_PUT(*obj, ...)). PONTES_PUT_NULL sends JSON null
 *  (nullable members only); PONTES_CLEAR leaves the member out of the JSON. */
#define PONTES_PUT(obj, member, val) ((void)((obj).member = (val), (obj).has_##member = PONTES_SET))
#define PONTES_PUT_NULL(obj, member) ((void)((obj).has_##member = PONTES_NULL))
/** The same for a string-enum member: PONTES_PUT_ENUM(acct, type, ECCOR_BANK_ACCOUNT_TYPE_...). */
#define PONTES_PUT_ENUM(obj, member, val) ((void)((obj).member.value = (val), (obj).has_##member = PONTES_SET))
#define PONTES_CLEAR(obj, member) ((void)((obj).has_##member = PONTES_ABSENT))

/* ---- the error object ------------------------------------------------- */
typedef struct pontes_field_error {
    const char *key;     /**< the provider's field path, e.g. "registrationNumber", "[0].Type" */
    const char *message; /**< the provider's message for it */
} pontes_field_error;

typedef struct pontes_error {
    int status;                /**< PONTES_E* code, PONTES_OK when there is no error */
    const char *message;       /**< one-line English summary made by pontes; never NULL after an error */
    long http_status;          /**< HTTP status of the response, 0 when none was received */
    const char *provider_code; /**< provider's error code ("INVALID_FORM", OAuth "invalid_scope"), or NULL */
    const char *provider_message;     /**< provider's human message, or NULL */
    const pontes_field_error *field_errors; /**< provider's per-field errors */
    size_t field_error_count;
    const char *request_id;    /**< correlation/request id (body or response header), or NULL */
    int curl_code;             /**< CURLcode when status is ETRANSPORT/ETIMEOUT, else 0 */
    const char *curl_message;  /**< curl's error text, or NULL */
    const char *json_path;     /**< for EDECODE/EENCODE/ERANGE: where, e.g. "$.data[0].id" */
    const char *expected;      /**< for EDECODE: what the schema expected there ("string", "int64", ...) */
    const char *operation_id;  /**< the operation being called, or NULL */
    const char *body;          /**< raw response body of a failed call (NUL-terminated), or NULL */
    size_t body_len;
    unsigned attempts;         /**< how many times the request was sent */
    void *priv_;               /**< internal storage; do not touch */
} pontes_error;

/** Static initializer for a caller-owned error. */
#define PONTES_ERROR_INIT {0, NULL, 0, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL}

/** Release what an error holds and reset it to PONTES_ERROR_INIT. Safe on a cleared error. */
PONTES_EXTERN(void) pontes_error_clear(pontes_error *err);

/** The provider's error date/time as its error body gave it (the member named by the
 *  `date` key of the API's x-pontes-errors, e.g. Best Bank's "ErrorDate":
 *  "2021-01-26T11:21:38.9419034Z"), verbatim text (a number is given as its JSON text);
 *  NULL when the body had none, the API maps no date, or err is NULL. Owned by the error
 *  (valid until it is cleared or, for the client's last error, until the next call), and
 *  redacted like every other string of the error. Stored outside pontes_error's layout. */
PONTES_EXTERN(const char *) pontes_error_provider_date(const pontes_error *err);

/** Part `part` (a name of the API's x-pontes-status-code parts, e.g. "category") of the error's
 *  provider_code, as text with its leading zeros: BCTT's "040102" gives "04" for "category",
 *  "01" for "field" and "02" for "error". Set for a failed call of an API with
 *  x-pontes-status-code whose provider_code (read through x-pontes-errors from an error body,
 *  or an envelope's code) is exactly such a code (all digits, the parts' total length); NULL
 *  otherwise, for an unknown part name, or when err is NULL. Owned by the error (valid until
 *  it is cleared or, for the client's last error, until the next call); stored outside
 *  pontes_error's layout. */
PONTES_EXTERN(const char *) pontes_error_code_part(const pontes_error *err, const char *part);
/** The same by position (0 = the first part); *name (may be NULL) gets the part's name. NULL
 *  when there are no parts or index is out of range. */
PONTES_EXTERN(const char *) pontes_error_code_part_at(const pontes_error *err, size_t index, const char **name);

/* ---- values ----------------------------------------------------------- */

/** format: byte — bytes that travel as base64 text in JSON. */
typedef struct pontes_bytes {
    const uint8_t *data;
    size_t len;
} pontes_bytes;

/** format: binary — a file part of a multipart/form-data body. */
typedef struct pontes_file {
    const uint8_t *data;
    size_t len;
    const char *filename;     /**< may be NULL ("file" is sent) */
    const char *content_type; /**< may be NULL ("application/octet-stream") */
} pontes_file;

/* ---- streaming file sources (uploads without loading the file) ----------
 * A pontes_file (multipart part, binary body) or pontes_bytes (base64 in JSON) normally
 * holds the bytes in memory. It can instead point at a streaming source, which pontes reads
 * while the request is sent, chunk by chunk: the file is never held in memory (a multipart
 * part streams it as is; a JSON base64 member is encoded chunk by chunk into the body as it
 * is sent, with an exact Content-Length, so memory stays constant whatever the file size).
 *
 * The marker (the layout of pontes_file / pontes_bytes is unchanged): `len ==
 * PONTES_FILE_STREAM` and `data` pointing at the pontes_file_source. Set it with
 * pontes_file_set_source / pontes_bytes_set_source, never by hand; filename and
 * content_type of a pontes_file keep their meaning. The source stays yours: free it with
 * pontes_file_source_free after the call (for a batch, after pontes_batch_run). A path
 * source may be used by several calls, also at once; a callback source by one call at a
 * time (it keeps the first bytes it read for the x-pontes-file check).
 *
 *   pontes_file_source *src;
 *   if (pontes_file_source_path(&src, "map.pdf") != PONTES_OK) ...;
 *   bizapis_credit_responsibility_upload up = BIZAPIS_CREDIT_RESPONSIBILITY_UPLOAD_INIT;
 *   pontes_file_set_source(&up.file, src);
 *   up.file.filename = "map.pdf";
 *   up.file.content_type = "application/pdf";
 *   up.has_file = PONTES_SET;
 *   rc = bizapis_extract_credit_responsibility_multipart(c, &up, &out);
 *   pontes_file_source_free(src);
 *
 * Checks before any byte is sent: a path is opened and its size taken (a missing or
 * unreadable file is PONTES_EINVAL naming the member and the path); members with
 * x-pontes-file limits in the spec (max_bytes, magic) are checked for streamed and
 * in-memory data alike, so an oversize or wrong-type file fails with PONTES_EINVAL (the
 * member, the size and the limit, or what the file starts with) and nothing is sent.
 * A source that fails while it is sent (a read error, a callback returning -1, a file
 * that shrank) ends the call with PONTES_EINVAL naming the member and the byte offset.
 * A retry sends the body again from the start (a path is reopened; a callback is asked
 * for offset 0 again).
 *
 * Outside a request, pontes_encode (and the generated _encode) of a value holding a
 * source reads the source whole into the JSON text (base64) — the same bytes, in memory;
 * it does not apply the x-pontes-file limits (a decoded value always encodes again). */
typedef struct pontes_file_source pontes_file_source;
/** `len` of a pontes_file / pontes_bytes whose `data` points at a pontes_file_source. */
#define PONTES_FILE_STREAM SIZE_MAX

/** Read callback of a source: copy up to cap bytes of the content, starting at byte
 *  `offset`, into buf. Return the number of bytes copied (> 0), 0 at the end of the
 *  content, or -1 on failure (the call then fails with PONTES_EINVAL). Offsets increase
 *  by what you returned; they start again from 0 only when the request is sent again (a
 *  retry): a source that cannot go back returns -1 then. Called on the thread that runs
 *  the call. */
typedef int64_t (*pontes_read_fn)(void *user, uint64_t offset, void *buf, size_t cap);

/** A source that reads the file at `path` (copied) when the request is sent. The file is
 *  not opened here: it is opened (and its size taken) by each call that sends it, before
 *  anything is sent. PONTES_EINVAL for a NULL or empty path, PONTES_ENOMEM. */
PONTES_EXTERN(int) pontes_file_source_path(pontes_file_source **out, const char *path);
/** A source whose `size` bytes come from `read` (see pontes_read_fn). The size is
 *  required: it is checked against the member's limit before sending and sent as the
 *  Content-Length; a callback that ends early (returns 0 before `size` bytes) fails the
 *  call, and bytes past `size` are never asked for. PONTES_EINVAL for a NULL read. */
PONTES_EXTERN(int) pontes_file_source_callback(pontes_file_source **out, pontes_read_fn read, void *user,
                                               uint64_t size);
/** Free a source (NULL is a no-op). Not while a call that uses it runs. */
PONTES_EXTERN(void) pontes_file_source_free(pontes_file_source *src);
/** Point f at src (data = src, len = PONTES_FILE_STREAM; filename and content_type are left
 *  as they are). PONTES_EINVAL for NULL arguments. */
PONTES_EXTERN(int) pontes_file_set_source(pontes_file *f, const pontes_file_source *src);
/** Point b (a base64 member of a JSON body) at src: the body carries the base64 of the
 *  source's content. PONTES_EINVAL for NULL arguments. */
PONTES_EXTERN(int) pontes_bytes_set_source(pontes_bytes *b, const pontes_file_source *src);
/** The source f / b points at, or NULL when it holds bytes in memory (or is NULL). */
PONTES_EXTERN(const pontes_file_source *) pontes_file_get_source(const pontes_file *f);
PONTES_EXTERN(const pontes_file_source *) pontes_bytes_get_source(const pontes_bytes *b);

/**
 * format: decimal (or x-pontes-money: true) — an exact decimal number, for money:
 * value = coef × 10^-scale. Amounts never pass through a double: the codec reads and
 * writes the digits itself.
 *
 *   - scale is 0..PONTES_DECIMAL_MAX_SCALE and keeps trailing zeros: 995.0000 is
 *     {9950000, 4} and encodes again as 995.0000; 0 is {0, 0}, "0.00" {0, 2}, -0.01 {-1, 2}.
 *   - Text accepted (on the wire and by pontes_decimal_parse): exactly a JSON number,
 *     -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? — no '+', no leading zeros, no
 *     blanks, no ".5" / "5.". In pontes_type_decimal_string the same text sits inside a
 *     JSON string ("995.00").
 *   - Plain decimal text (no exponent) encodes back byte-identically, except "-0" /
 *     "-0.00", which become "0" / "0.00" (there is no negative zero).
 *   - An exponent is converted exactly, in strict and tolerant decoding alike; the
 *     canonical text written back is plain decimal with scale = fraction digits minus
 *     the exponent (at least 0): 1.50e1 -> 15.0, 1e3 -> 1000, 25e-3 -> 0.025.
 *   - Never rounded: a coefficient beyond the int64 range (more than 19 digits, or
 *     19 digits above 9223372036854775807, leading zeros not counted) or a scale above
 *     PONTES_DECIMAL_MAX_SCALE is PONTES_ERANGE, naming the JSON path when decoding.
 * pontes_type_decimal travels as a JSON number, pontes_type_decimal_string as a JSON
 * string holding the text; both decode and encode the same pontes_decimal.
 */
typedef struct pontes_decimal {
    int64_t coef;   /**< the digits as an integer, with the sign */
    int32_t scale;  /**< digits after the decimal point, 0..PONTES_DECIMAL_MAX_SCALE */
} pontes_decimal;
#define PONTES_DECIMAL_MAX_SCALE 38
/** A buffer this big holds the text of any valid pontes_decimal (and its NUL). */
#define PONTES_DECIMAL_TEXT_MAX 48
/** Static initializer: {coef, scale}, e.g. PONTES_DECIMAL(99500, 2) is 995.00. */
#define PONTES_DECIMAL(coef, scale) {(int64_t)(coef), (int32_t)(scale)}

/** Layout shared by every generated string-enum type: value 0 means "unknown",
 *  and raw then holds the wire text so it survives a round trip.
 *  Encoding: a non-zero value is sent as its wire text (raw is ignored); value 0 with
 *  raw set is sent as the raw text unchecked (forward compatibility: a value the server
 *  knows but this client's spec does not yet); value 0 with raw NULL is PONTES_EENCODE. */
typedef struct pontes_enum {
    int value;
    const char *raw;
} pontes_enum;

/** Layout shared by every list (JSON array) type. */
typedef struct pontes_list {
    void *items;
    size_t count;
} pontes_list;

/** Layout shared by every map (additionalProperties) type. */
typedef struct pontes_map {
    const char **keys;
    void *values;
    size_t count;
} pontes_map;

/** Unknown object members, kept so that they survive a round trip. Each item is a
 *  cJSON node whose ->string is the member name. Owned by the decoded value.
 *
 *  Numbers in JSON kept as cJSON (unknown members, PONTES_KIND_ANY values, unknown
 *  union variants) keep their exact text: each number node is a cJSON_Number (valuedouble
 *  the nearest double, so cJSON_IsNumber / cJSON_GetNumberValue work) whose valuestring
 *  is additionally a copy of the number's text as received, e.g. "12345678901234567890123"
 *  or "-0" (allocated with the cJSON hooks; cJSON_Delete frees it). The encoder writes a
 *  number node's valuestring verbatim when it holds one JSON number, else valuedouble.
 *  If you change valuedouble of such a node, also free and clear (or update) valuestring. */
typedef struct pontes_extra {
    const struct cJSON **items;
    size_t count;
} pontes_extra;

/** Ready-made list types for primitive elements. */
typedef struct pontes_string_list { const char **items; size_t count; } pontes_string_list;
typedef struct pontes_int32_list { int32_t *items; size_t count; } pontes_int32_list;
typedef struct pontes_int64_list { int64_t *items; size_t count; } pontes_int64_list;
typedef struct pontes_double_list { double *items; size_t count; } pontes_double_list;
typedef struct pontes_bool_list { bool *items; size_t count; } pontes_bool_list;
typedef struct pontes_bytes_list { pontes_bytes *items; size_t count; } pontes_bytes_list;
typedef struct pontes_any_list { const struct cJSON **items; size_t count; } pontes_any_list;
typedef struct pontes_string_map { const char **keys; const char **values; size_t count; } pontes_string_map;
typedef struct pontes_decimal_list { pontes_decimal *items; size_t count; } pontes_decimal_list;

/* ---- numbers that may travel as strings --------------------------------
 * A schema `type: [integer, string]` whose string branch is a digit pattern (e.g.
 * pattern '^-?[0-9]+$' of any length; format int32 / int64) is a plain int32_t / int64_t
 * member, and `type: [number, string]` with a numeric pattern a double (without such a
 * pattern, or with a fixed width such as [0-9]{6} whose leading zeros matter, a multi-type
 * schema stays a union that keeps the text): the decoder
 * accepts a JSON number or a JSON string holding the number ("1234", "-7"; for a double the
 * JSON number grammar, "12.5"), and remembers which form each value came in, so that the
 * encoder writes it back the same way ("1234" stays "1234", 1234 stays 1234).
 *   - The form lives in a member right after the presence flag: `pontes_wire_form wire_x;`
 *     after `pontes_presence has_x;` (has_x keeps its three values: has_x == PONTES_SET
 *     works as for any member). A value you set yourself has wire_x == PONTES_WIRE_NUMBER
 *     (zero) and is sent as a number; set wire_x = PONTES_WIRE_STRING to send "1234".
 *   - Lists and maps of such numbers carry one form per element: `const pontes_wire_form
 *     *wire` after `count` (NULL: every element a number; a list you build by appending has
 *     NULL, so it is sent as numbers).
 *   - String text: an optional '-' and decimal digits for integers (leading zeros are
 *     accepted: "007" is 7 and is written back as "7"), exact over the whole int64 range;
 *     a value outside the C type (int32 "2147483648") is PONTES_ERANGE as for a number.
 *     Any other text ("12a", "", " 1", "1.5", "+1") is a type mismatch: PONTES_EDECODE in
 *     strict and tolerant mode alike, as any JSON type the schema does not allow.
 *   - A union variant of such a type has no room for the form: it decodes both forms and
 *     encodes as a number. */
typedef uint8_t pontes_wire_form;
#define PONTES_WIRE_NUMBER ((pontes_wire_form)0) /**< a JSON number (the default) */
#define PONTES_WIRE_STRING ((pontes_wire_form)1) /**< a JSON string holding the number */
typedef struct pontes_int32_wire_list { int32_t *items; size_t count; const pontes_wire_form *wire; } pontes_int32_wire_list;
typedef struct pontes_int64_wire_list { int64_t *items; size_t count; const pontes_wire_form *wire; } pontes_int64_wire_list;
typedef struct pontes_double_wire_list { double *items; size_t count; const pontes_wire_form *wire; } pontes_double_wire_list;
/** Layout shared by every list / map of numbers-or-strings (see above). */
typedef struct pontes_wire_list { void *items; size_t count; const pontes_wire_form *wire; } pontes_wire_list;
typedef struct pontes_wire_map { const char **keys; void *values; size_t count; const pontes_wire_form *wire; } pontes_wire_map;

/* ---- building lists and maps (request values) ---------------------------
 * One rule: a list or map you grow with these functions (or the generated
 * <prefix>_<elem>_array_append / PONTES_APPEND / PONTES_MAP_PUT) owns its items/keys/values
 * arrays, malloc'ed and grown by doubling; pontes_list_free / pontes_map_free (or the
 * generated <type>_clear) frees those arrays and zeroes the list, never the elements: the
 * strings and structs the elements point to stay yours. Start from a zeroed list; do not
 * append to, or free, a list whose items point to your own array or that belongs to a
 * decoded value (decoded values are freed as a whole with their _free).
 *
 *   eccor_natural_person_input in = {0};
 *   PONTES_APPEND(in, bank_accounts, &acct);   // appends and marks has_bank_accounts SET
 *   ...send...
 *   pontes_list_free(&in.bank_accounts);
 *
 * The macros evaluate obj and member more than once and return PONTES_OK or PONTES_ENOMEM. */
PONTES_EXTERN(int) pontes_list_grow(void *list, size_t elem_size);  /**< room for one more item */
PONTES_EXTERN(int) pontes_list_append(void *list, size_t elem_size, const void *elem);
PONTES_EXTERN(void) pontes_list_free(void *list);
PONTES_EXTERN(int) pontes_map_grow(void *map, size_t value_size);   /**< room for one more entry */
PONTES_EXTERN(void) pontes_map_free(void *map);
#define PONTES_APPEND(obj, member, val)                                                             \
    (pontes_list_grow(&(obj).member, sizeof *(obj).member.items) != PONTES_OK ? PONTES_ENOMEM         \
     : ((obj).member.items[(obj).member.count++] = (val), (obj).has_##member = PONTES_SET, PONTES_OK))
#define PONTES_MAP_PUT(obj, member, key, val)                                                      \
    (pontes_map_grow(&(obj).member, sizeof *(obj).member.values) != PONTES_OK ? PONTES_ENOMEM         \
     : ((obj).member.keys[(obj).member.count] = (key), (obj).member.values[(obj).member.count++] = (val), \
        (obj).has_##member = PONTES_SET, PONTES_OK))

/* ---- descriptor tables (emitted by the generator, walked by the codec) ---- */
typedef enum pontes_kind {
    PONTES_KIND_BOOL = 1, /**< bool */
    PONTES_KIND_INT32,    /**< int32_t */
    PONTES_KIND_INT64,    /**< int64_t; the whole int64 range, exactly (the codec reads the digits) */
    PONTES_KIND_DOUBLE,   /**< double */
    PONTES_KIND_STRING,   /**< const char * (NUL-terminated UTF-8) */
    PONTES_KIND_BYTES,    /**< pontes_bytes, base64 text on the wire */
    PONTES_KIND_FILE,     /**< pontes_file; only in multipart bodies (JSON: base64) */
    PONTES_KIND_ENUM,     /**< pontes_enum layout; string enum */
    PONTES_KIND_OBJECT,   /**< pointer to a struct described by msg */
    PONTES_KIND_ARRAY,    /**< pontes_list layout; element type elem */
    PONTES_KIND_MAP,      /**< pontes_map layout; value type elem */
    PONTES_KIND_UNION,    /**< pointer to a union struct described by un */
    PONTES_KIND_ANY,      /**< const cJSON * (any JSON value; numbers keep their text, see pontes_extra) */
    PONTES_KIND_DECIMAL   /**< pontes_decimal; a JSON number, or (PONTES_T_DECIMAL_STRING) a string of decimal text */
} pontes_kind;

typedef struct pontes_type pontes_type;
typedef struct pontes_message pontes_message;
typedef struct pontes_enum_desc pontes_enum_desc;
typedef struct pontes_union_desc pontes_union_desc;

/* field flags */
#define PONTES_F_REQUIRED   0x01u /**< must be present (decode error / encode error when absent) */
#define PONTES_F_NULLABLE   0x02u /**< JSON null is allowed */
#define PONTES_F_READ_ONLY  0x04u /**< readOnly in the spec (informational) */
#define PONTES_F_WRITE_ONLY 0x08u /**< writeOnly in the spec (informational) */
/** format: password or x-pontes-secret: true. When a request body is sent, the string values of
 *  secret members (also nested, in lists/maps, union variants, and every string under a secret
 *  object/list member; other kinds are not collected) are secrets of that call: redacted from
 *  every log line and every string of the error object, like the client's own credentials
 *  (also in their JSON-escaped and percent-encoded forms), and wiped when the call ends. As for
 *  every known secret, values shorter than 4 bytes are not redacted (they would mask any text). */
#define PONTES_F_SECRET     0x10u
/** The member's type has PONTES_T_OR_STRING and the struct has a pontes_wire_form member
 *  right after the presence member (at presence_offset + 1), where the decoder records the
 *  form the value came in and the encoder reads it (see pontes_wire_form). Without this
 *  flag such a member decodes both forms and encodes as a number. */
#define PONTES_F_WIRE_FORM  0x20u

/* type flags */
#define PONTES_T_ELEM_NULLABLE 0x01u /**< ARRAY/MAP: elements may be null (pointer kinds only: stored as NULL) */
/* STRING formats the codec checks (strict decode, and every encode of a request body) */
#define PONTES_T_FMT_DATE      0x10u /**< format: date (RFC 3339 full-date, YYYY-MM-DD) */
/** format: date-time (RFC 3339 date-time; a date alone, "2028-12-31", is accepted too, in strict
 *  decoding and on encode: providers send date-only values in date-time members) */
#define PONTES_T_FMT_DATE_TIME 0x20u
#define PONTES_T_FMT_UUID      0x40u /**< format: uuid (8-4-4-4-12 hex digits) */
#define PONTES_T_FMT_MASK      0x70u
/** DECIMAL: the value travels as a JSON string holding decimal text ("995.00"), not a number */
#define PONTES_T_DECIMAL_STRING 0x80u

struct pontes_type {
    pontes_kind kind;
    uint32_t flags;                 /**< PONTES_T_* */
    size_t size;                    /**< sizeof the C storage of one value of this type */
    const char *name;               /**< for messages: "string", "int64", "Product", ... */
    const pontes_type *elem;        /**< ARRAY, MAP */
    const pontes_message *msg;      /**< OBJECT */
    const pontes_enum_desc *en;     /**< ENUM */
    const pontes_union_desc *un;    /**< UNION */
};

/** BYTES / FILE with PONTES_T_FILE_RULE: the type is the `base` of a pontes_file_type, which
 *  adds the limits of x-pontes-file in the spec. The request checks them before sending
 *  (PONTES_EINVAL); decoding ignores them. */
#define PONTES_T_FILE_RULE 0x100u
/** INT32 / INT64 / DOUBLE: the value may also travel as a JSON string holding the number
 *  (`type: [integer, string]`, `[number, string]`; see pontes_wire_form). ARRAY / MAP whose
 *  element type has it: the container has the pontes_wire_list / pontes_wire_map layout
 *  (one form per element). */
#define PONTES_T_OR_STRING 0x200u
typedef struct pontes_file_type {
    pontes_type base;           /**< kind BYTES or FILE, flags with PONTES_T_FILE_RULE */
    uint64_t max_bytes;         /**< largest file accepted (decoded size), 0: no limit */
    const char *magic;          /**< bytes the file must start with, or NULL */
    size_t magic_len;
} pontes_file_type;

typedef struct pontes_field {
    const char *name;          /**< JSON member name */
    uint32_t flags;            /**< PONTES_F_* */
    uint32_t offset;           /**< offsetof the value member */
    uint32_t presence_offset;  /**< offsetof the pontes_presence member */
    const pontes_type *type;
    const char *key;     /**< the ready JSON key bytes `"name":` (escaped), or NULL: the runtime builds it */
    uint32_t key_len;    /**< strlen(key) */
    uint32_t name_len;   /**< strlen(name) (0 with key NULL: unknown, the runtime measures) */
} pontes_field;

/* message flags */
#define PONTES_M_BOX 0x01u /**< the struct boxes a single non-object value: fields[0] with name NULL */
/** With PONTES_M_BOX, a STRING box of a text body (application/jwt, application/jose...): decoding
 *  stores the whole input text (valid UTF-8, no NUL), encoding writes the text itself, not JSON. */
#define PONTES_M_TEXT 0x04u
/** the struct starts with `size_t _size` (sizeof as its builder compiled it, set by the generated
 *  _INIT macro; the decoder sets it): the encoder reads no member past it (an older caller's
 *  struct is smaller), and refuses 0 (a struct not initialised with its _INIT macro). */
#define PONTES_M_SIZED 0x02u

struct pontes_message {
    const char *name;          /**< schema name, e.g. "NaturalPerson" */
    uint32_t flags;            /**< PONTES_M_* */
    size_t size;               /**< sizeof the struct */
    const pontes_field *fields;
    size_t field_count;
    uint32_t extra_offset;     /**< offsetof the pontes_extra member, or PONTES_NO_EXTRA */
};
#define PONTES_NO_EXTRA UINT32_MAX

/** One alternative of an exactly-one-of constraint: the members (indexes into the
 *  message's fields) that must all be present for the alternative to hold. */
typedef struct pontes_required_set {
    const uint32_t *fields;
    size_t count;
} pontes_required_set;

/** `oneOf: [{required: [a]}, {required: [b]}]` on an object schema (alternatives that only
 *  list required members: JSON Schema's "exactly one of a, b"): exactly one alternative
 *  must hold (a member counts as present when it is in the JSON, also as null).
 *  Decoding: none or several holding is a deviation ("exactly one of a, b: both present" /
 *  "...: none present", at the object's path) in tolerant mode, PONTES_EDECODE in strict
 *  mode (and always for a webhook receiver). Encoding: always PONTES_EENCODE naming the
 *  members. */
typedef struct pontes_one_of {
    const pontes_required_set *alts;
    size_t count;
} pontes_one_of;

/** A message with PONTES_M_ONE_OF is the `base` of a pontes_message_one_of, which adds its
 *  exactly-one-of constraints (all must hold); pontes_message keeps its layout. */
#define PONTES_M_ONE_OF 0x08u
typedef struct pontes_message_one_of {
    pontes_message base;          /**< flags with PONTES_M_ONE_OF */
    const pontes_one_of *one_of;
    size_t one_of_count;
} pontes_message_one_of;

struct pontes_enum_desc {
    const char *name;          /**< schema name */
    const char *const *values; /**< wire strings; values[i] has C value i + 1 */
    size_t count;
};

/* A union struct has this layout (generated types name the union members):
 *   struct { int kind; const cJSON *raw; union { ... } u; }
 * kind 0 = unknown variant (raw holds the JSON), kind i + 1 = variants[i]. */
typedef struct pontes_union_head {
    int kind;
    const struct cJSON *raw;
} pontes_union_head;

struct pontes_union_desc {
    const char *name;                   /**< schema name */
    size_t size;                        /**< sizeof the union struct */
    uint32_t value_offset;              /**< offsetof(struct, u) */
    const pontes_type *const *variants; /**< storage of variant i is at value_offset */
    const char *const *variant_names;   /**< for messages */
    size_t count;
    const char *discriminator;          /**< property name, or NULL (then: best-matching variant) */
    const char *const *mapping;         /**< discriminator value of variant i (count entries) */
};

/* Built-in primitive types. */
PONTES_EXTERN(const pontes_type) pontes_type_bool;
PONTES_EXTERN(const pontes_type) pontes_type_int32;
PONTES_EXTERN(const pontes_type) pontes_type_int64;
PONTES_EXTERN(const pontes_type) pontes_type_double;
PONTES_EXTERN(const pontes_type) pontes_type_string;
PONTES_EXTERN(const pontes_type) pontes_type_bytes;
PONTES_EXTERN(const pontes_type) pontes_type_file;
PONTES_EXTERN(const pontes_type) pontes_type_any;
/* Strings with a checked format (STRING kind with a PONTES_T_FMT_* flag), used by the
 * generator for format: date / date-time / uuid. */
PONTES_EXTERN(const pontes_type) pontes_type_date;      /**< "2024-01-31" */
PONTES_EXTERN(const pontes_type) pontes_type_date_time; /**< "2024-01-31T10:20:30Z", "...30.5+01:00", "2024-01-31" */
PONTES_EXTERN(const pontes_type) pontes_type_uuid;      /**< "5088c941-7ec7-4ea9-a41f-ac6f041bec62" */
/* Exact decimals (pontes_decimal), used by the generator for format: decimal and
 * x-pontes-money: true — on type: number, and on type: string. */
PONTES_EXTERN(const pontes_type) pontes_type_decimal;        /**< JSON number: 995.0000 */
PONTES_EXTERN(const pontes_type) pontes_type_decimal_string; /**< JSON string: "995.00" */
/* Numbers that may travel as strings (PONTES_T_OR_STRING), used by the generator for
 * `type: [integer, string]` with a digit pattern and `type: [number, string]`. */
PONTES_EXTERN(const pontes_type) pontes_type_int32_or_string;  /**< 1234 or "1234" */
PONTES_EXTERN(const pontes_type) pontes_type_int64_or_string;
PONTES_EXTERN(const pontes_type) pontes_type_double_or_string; /**< 12.5 or "12.5" */

/* ---- codec ------------------------------------------------------------ */

/** How many deviations a pontes_deviations keeps in full (it counts all of them). */
#define PONTES_DEVIATIONS_KEPT 8

/** Deviations from the schema that a tolerant (non-strict) decode accepted: a
 *  required member missing (decoded as absent), a null where the schema does not
 *  allow it (decoded as PONTES_NULL), an unknown member or enum value (kept), a
 *  string that does not match its format (kept as text). Nothing is lost: each is
 *  counted, and the first PONTES_DEVIATIONS_KEPT are described. */
typedef struct pontes_deviation {
    char path[160];            /**< JSON path, e.g. "$.data[3].id" (truncated with "..." if longer) */
    char what[96];             /**< e.g. "missing required member", "null for a non-nullable int64" */
} pontes_deviation;

typedef struct pontes_deviations {
    size_t count;              /**< every deviation seen */
    size_t kept;               /**< entries filled in first[] (<= PONTES_DEVIATIONS_KEPT) */
    pontes_deviation first[PONTES_DEVIATIONS_KEPT];
} pontes_deviations;

/** Decode options; pass NULL for the defaults (tolerant, depth 64). */
typedef struct pontes_decode_options {
    unsigned version;          /**< PONTES_DECODE_OPTIONS_VERSION (1 is accepted: the fields up to max_depth) */
    bool reject_unknown;       /**< treat unknown object members as an error (default: keep them) */
    unsigned max_depth;        /**< default 64 */
    /* version 2 */
    bool strict;               /**< schema-test mode: every deviation is an error (unknown members and
                                    enum values, missing required members, unexpected nulls, invalid
                                    date / date-time / uuid / byte text), naming the JSON path */
    pontes_deviations *deviations; /**< optional out: tolerated deviations (reset by the call) */
} pontes_decode_options;
#define PONTES_DECODE_OPTIONS_VERSION 2
#define PONTES_DECODE_OPTIONS_INIT {PONTES_DECODE_OPTIONS_VERSION, false, 64, false, NULL}

/**
 * Decode JSON text into a freshly allocated value of type t (kind OBJECT or UNION;
 * the generator boxes every other top-level type into a PONTES_M_BOX message).
 * The whole result lives in one arena: release it with pontes_free(*out).
 * The input must be valid UTF-8 JSON; integers for INT32/INT64 must be integral and
 * in range of their C type (exact over the whole int64 range). Wrong JSON types,
 * malformed JSON, invalid UTF-8 and out-of-range numbers are always errors; the
 * deviations listed at pontes_deviations are errors only with opts->strict.
 * Tolerant (default) decoding of each deviation:
 *   - a missing required member: presence PONTES_ABSENT ("missing required member");
 *   - null for a non-nullable member: presence PONTES_NULL; a null element of a list or
 *     map of a pointer kind (string, object, union): stored as NULL; where there is no
 *     storage for null (e.g. an element of an int64 list) it stays a type error
 *     ("null for a non-nullable string");
 *   - an unknown member: kept in pontes_extra ("unknown member"; reject_unknown makes it
 *     an error in either mode); an unknown enum value: value 0, raw the text
 *     ("unknown enum value \"X\"", long values cut); an unknown or missing discriminator
 *     value: union kind 0, raw the JSON ("unknown discriminator value \"X\"");
 *   - a date / date-time / uuid string not matching its format: kept as text
 *     ("invalid date-time").
 * Each is counted in opts->deviations when given (reset at the start of the call; the
 * paths of the first PONTES_DEVIATIONS_KEPT are filled in, also when the decode fails).
 * With opts->strict each is PONTES_EDECODE naming the JSON path (format byte must be
 * valid base64 in both modes). A union without a discriminator takes the variant with
 * the fewest deviations; when none matches, the error is the one of the variant that got
 * furthest into the value. Options of version 1 are read up to max_depth (non-strict).
 * On failure *out is NULL and err (if not NULL) carries status, message, json_path
 * and expected.
 */
PONTES_EXTERN(int) pontes_decode(const pontes_type *t, const char *json, size_t len,
                                 const pontes_decode_options *opts, void **out, pontes_error *err);

/** Free a value returned by pontes_decode or by an operation (the whole arena). NULL is a no-op. */
PONTES_EXTERN(void) pontes_free(void *value);

/**
 * Encode value (pointer to the struct of an OBJECT/UNION type t) as compact JSON.
 * Fields with presence PONTES_ABSENT are omitted; PONTES_NULL writes null.
 * Unknown members kept in pontes_extra are written back. Integers are never
 * written in exponent form (int64: the whole range). Encoding is always checked, whatever
 * the decode policy: a required member absent, null (PONTES_NULL, or a NULL pointer) for
 * a non-nullable member or list/map element, and a string of a PONTES_T_FMT_* type not
 * matching its format are PONTES_EENCODE naming the JSON path. *out is NUL-terminated;
 * free it with pontes_json_free.
 */
PONTES_EXTERN(int) pontes_encode(const pontes_type *t, const void *value, char **out,
                                 size_t *out_len, pontes_error *err);

PONTES_EXTERN(void) pontes_json_free(char *json);

/* ---- webhook receivers (requests the provider sends to you) -------------
 * For each entry of a spec's top-level `webhooks:` the generator emits
 *   int <api>_<webhook>_receive(const char *body, size_t len, const pontes_header *headers,
 *                               size_t header_count, const pontes_decode_options *opts,
 *                               <api>_<webhook>_notification **out, pontes_error *err);
 *   void <api>_<webhook>_notification_free(<api>_<webhook>_notification *n);
 * Feed it the raw body (and the headers) your HTTPS endpoint received; it returns the
 * decoded notification in one arena (one _free). The notification struct holds
 *   const char *raw_body; size_t raw_body_len;  the body byte for byte (NUL added)
 *   <body type> *body;                          the decoded body
 *   const char *content_type;                   the Content-Type received, or NULL
 *   const char *<header>;                       each header the webhook declares (or NULL)
 * Errors (err filled; *out NULL; never a crash): an empty body, invalid UTF-8 / JSON, a
 * value that is not the body's type (an object), a schema mismatch (deviations as for
 * responses: tolerant by default, recorded in opts->deviations; errors with opts->strict),
 * an exactly-one-of constraint not met (always an error here), a declared required header
 * missing (a deviation, or an error when strict), and a Content-Type other than the
 * webhook's media type (parameters such as charset=utf-8 are accepted; another charset is
 * not). All are PONTES_EDECODE; err->http_status is the status to answer the sender with
 * (415 for the Content-Type, else 400). NULL arguments: PONTES_EINVAL. */

/** One header of a received request: name (matched case-insensitively) and value. */
typedef struct pontes_header {
    const char *name;
    const char *value;
} pontes_header;

/** A header a webhook declares (parameters in: header). */
typedef struct pontes_webhook_header_desc {
    const char *name;              /**< as declared, e.g. "X-Signature" */
    bool required;
    uint32_t offset;               /**< offsetof its const char * member in the notification */
} pontes_webhook_header_desc;

/** A webhook of an API (emitted by the generator). */
typedef struct pontes_webhook_desc {
    const char *name;              /**< the key under `webhooks:`, e.g. "partnerNotification" */
    const char *method;            /**< "POST" */
    const char *content_type;      /**< the body's media type, e.g. "application/json" */
    const pontes_type *body_type;  /**< OBJECT or UNION */
    size_t size;                   /**< sizeof the notification struct */
    uint32_t raw_body_offset;      /**< offsetof(const char *raw_body) */
    uint32_t raw_body_len_offset;  /**< offsetof(size_t raw_body_len) */
    uint32_t body_offset;          /**< offsetof(<body type> *body) */
    uint32_t content_type_offset;  /**< offsetof(const char *content_type) */
    const pontes_webhook_header_desc *headers;
    size_t header_count;
} pontes_webhook_desc;

/** The generic receiver behind the generated {api}_{webhook}_receive (see above). *out is
 *  a notification struct of w->size bytes; free it with pontes_free. headers may be NULL
 *  when header_count is 0; a header with a NULL name or value is skipped. */
PONTES_EXTERN(int) pontes_webhook_receive(const pontes_webhook_desc *w, const char *body, size_t len,
                                          const pontes_header *headers, size_t header_count,
                                          const pontes_decode_options *opts, void **out, pontes_error *err);

/* ---- Base64 documents (files that travel as Base64 text inside JSON) ----- */

/** Decode the Base64 text b64[0..len) (standard alphabet, padded or not; whitespace and
 *  line breaks anywhere are ignored) into the file at path, streaming (libcrypto
 *  EVP_Decode*): the bytes are written to a temporary file in the same directory, which is
 *  renamed to path only when the whole text decoded (an existing file is replaced); on any
 *  error nothing is left behind. *size (may be NULL) gets the number of bytes written.
 *  PONTES_EINVAL for NULL arguments (b64 may be NULL when len is 0) or text that is not
 *  Base64 (the message says where); an I/O failure (unwritable directory, disk full) is
 *  PONTES_EINVAL naming the path and errno's text; PONTES_ENOMEM. err may be NULL. */
PONTES_EXTERN(int) pontes_base64_to_file(const char *b64, size_t len, const char *path, uint64_t *size,
                                         pontes_error *err);
/** The file at path as Base64 text (standard alphabet, padded, no line breaks), e.g. for a
 *  document body member of type string. *out is NUL-terminated, *out_len (may be NULL) its
 *  length; free it with pontes_json_free. PONTES_EINVAL naming the path when it cannot be
 *  read, PONTES_ENOMEM. */
PONTES_EXTERN(int) pontes_file_to_base64(const char *path, char **out, size_t *out_len, pontes_error *err);

/* ---- exact decimals (pontes_decimal, see there) ------------------------ */

/** Parse decimal text s[0..len) (the JSON number grammar, see pontes_decimal) into *out.
 *  PONTES_OK; PONTES_EINVAL when it is not such text (or an argument is NULL);
 *  PONTES_ERANGE when it does not fit exactly (never rounded). */
PONTES_EXTERN(int) pontes_decimal_parse(const char *s, size_t len, pontes_decimal *out);
/** Write d as plain decimal text ("995.0000", "-0.01", "0") into buf, NUL-terminated.
 *  PONTES_EINVAL when an argument is NULL, d->scale is outside 0..PONTES_DECIMAL_MAX_SCALE
 *  or cap is too small (PONTES_DECIMAL_TEXT_MAX always suffices; buf is then ""). */
PONTES_EXTERN(int) pontes_decimal_to_text(const pontes_decimal *d, char *buf, size_t cap);
/** d in minor units with minor_digits decimals (2 for centavos: 995.00 -> 99500,
 *  995.0000 -> 99500, 995 -> 99500), exactly. PONTES_ERANGE when that would drop a
 *  non-zero digit (995.001 with 2) or overflow int64; PONTES_EINVAL for NULL arguments,
 *  minor_digits outside 0..PONTES_DECIMAL_MAX_SCALE or an invalid d->scale. */
PONTES_EXTERN(int) pontes_decimal_to_minor(const pontes_decimal *d, int minor_digits, int64_t *out);
/** The decimal of minor units: {minor, minor_digits} (99500, 2 -> 995.00). minor_digits
 *  must be 0..PONTES_DECIMAL_MAX_SCALE (else the result does not encode: PONTES_EENCODE). */
PONTES_EXTERN(pontes_decimal) pontes_decimal_from_minor(int64_t minor, int minor_digits);
/** Numeric order of two decimals: -1, 0 or 1 (995.00 == 995.0000, -0.01 < 0). Exact over
 *  the whole range, whatever the scales. NULL sorts before any decimal. */
PONTES_EXTERN(int) pontes_decimal_cmp(const pontes_decimal *a, const pontes_decimal *b);

/** Unix epoch seconds as a string of digits ("1598349684", as some APIs send them) to a
 *  time_t. Digits only (no sign, blanks or fraction; at least one digit). PONTES_EINVAL
 *  for anything else (or NULL), PONTES_ERANGE when it does not fit in time_t. */
PONTES_EXTERN(int) pontes_epoch_to_time(const char *s, time_t *out);

/** Look up the wire text of a string-enum value (NULL if out of range). */
PONTES_EXTERN(const char *) pontes_enum_to_string(const pontes_enum_desc *en, int value);
/** Map wire text to a value (0 if unknown). */
PONTES_EXTERN(int) pontes_enum_from_string(const pontes_enum_desc *en, const char *s);

/* ---- logging ---------------------------------------------------------- */
typedef enum pontes_log_level {
    PONTES_LOG_DEBUG = 0,
    PONTES_LOG_INFO = 1,
    PONTES_LOG_WARN = 2,
    PONTES_LOG_ERROR = 3
} pontes_log_level;

/** Log hook. message is one line, already redacted (Authorization values, tokens,
 *  client secrets and passwords are replaced by "[REDACTED]"). */
typedef void (*pontes_log_fn)(void *user, pontes_log_level level, const char *message);

/* ---- client ----------------------------------------------------------- */
typedef struct pontes_client pontes_client;

typedef struct pontes_client_options {
    unsigned version;             /**< PONTES_CLIENT_OPTIONS_VERSION */
    const char *base_url;         /**< e.g. "https://api.uy3.com.br"; NULL: the spec's first server */
    long connect_timeout_ms;      /**< default 10000 */
    long timeout_ms;              /**< the whole call: every attempt and every wait between attempts
                                       (and an OAuth2 token fetch it triggers); default 60000 */
    size_t max_response_bytes;    /**< default 64 MiB; larger bodies fail with PONTES_ETOOBIG */
    unsigned max_retries;         /**< retries for idempotent calls and 429/503; default 2 */
    long retry_base_ms;           /**< first backoff, default 200 (doubles, with jitter) */
    long retry_max_ms;            /**< cap on one wait, incl. Retry-After; default 30000 */
    const char *ca_file;          /**< extra CA bundle (PEM); NULL: system store. TLS verification is always on. */
    const char *client_cert;      /**< client certificate (PEM file) for mutual TLS, or NULL */
    const char *client_key;       /**< its private key (PEM file), or NULL */
    const char *client_key_password; /**< or NULL */
    const char *user_agent;       /**< default "pontes/VERSION" */
    pontes_log_fn log;            /**< optional log hook */
    void *log_user;
    pontes_log_level log_level;   /**< minimum level passed to the hook; default INFO */
    /* version 2 */
    bool strict_response_validation; /**< decode responses strictly (see pontes_decode_options.strict);
                                          default false: deviations are tolerated and recorded */
    long attempt_timeout_ms;      /**< limit of one attempt; default 0: the rest of timeout_ms */
} pontes_client_options;
#define PONTES_CLIENT_OPTIONS_VERSION 2
#define PONTES_CLIENT_OPTIONS_INIT {PONTES_CLIENT_OPTIONS_VERSION, NULL, 10000, 60000, \
    64u * 1024u * 1024u, 2, 200, 30000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, PONTES_LOG_INFO, false, 0}

/** How an API reports errors in its bodies: JSON member names (dotted paths for
 *  nesting, e.g. "details.formErrors"). Emitted by the generator from x-pontes-errors. */
typedef struct pontes_error_model {
    const char *code;           /**< e.g. "code" or "error" */
    const char *message;        /**< e.g. "message" or "error_description" */
    const char *field_errors;   /**< array of objects, e.g. "details.formErrors" */
    const char *field_key;      /**< member of each field error, e.g. "key" */
    const char *field_message;  /**< e.g. "message" */
    const char *request_id;     /**< e.g. "correlationId" */
    const char *request_id_header; /**< e.g. "X-Request-Id" */
    const char *date;           /**< e.g. "ErrorDate": see pontes_error_provider_date */
    /* appended (0.x): */
    /** x-pontes-status-code of the API, or NULL: provider codes made of named parts (see
     *  pontes_error_code_part) */
    const struct pontes_status_code_desc *status_code;
} pontes_error_model;

/** One part of a status code (x-pontes-status-code parts): its name and its number of digits. */
typedef struct pontes_code_part {
    const char *name;           /**< e.g. "category" */
    unsigned digits;            /**< e.g. 2 */
} pontes_code_part;

/** x-pontes-status-code (API root, emitted by the generator as PREFIX_status_code): a
 *  fixed-width code of decimal digits that travels as a string (leading zeros count) and is
 *  made of named parts, e.g. BCTT's operationStatus.operationStatusCode "040102": category 04,
 *  field 01, error 02. The API's provider errors use it too (pontes_error_code_part); on
 *  success, split a code read from a response with pontes_status_code_part (or the generated
 *  PREFIX_status_code_part). */
typedef struct pontes_status_code_desc {
    const char *member;         /**< dotted path of the code in a body: "operationStatus.operationStatusCode" */
    const char *message;        /**< dotted path of its message, or NULL */
    const pontes_code_part *parts;
    size_t part_count;
    size_t length;              /**< the code's length: the sum of the parts' digits */
} pontes_status_code_desc;

/** PONTES_OK when code is a code of d: exactly d->length characters, all decimal digits (ASCII);
 *  PONTES_EINVAL otherwise (wrong length, a non-digit, NULL arguments, a d without parts). */
PONTES_EXTERN(int) pontes_status_code_check(const pontes_status_code_desc *d, const char *code);
/** Copy part `part` (by name) of code into buf, NUL-terminated, with its leading zeros
 *  ("040102", "field" -> "01"). PONTES_EINVAL when pontes_status_code_check fails, no part has
 *  that name, or cap is too small for the part and its NUL (buf is then "" when cap > 0). */
PONTES_EXTERN(int) pontes_status_code_part(const pontes_status_code_desc *d, const char *code, const char *part,
                                           char *buf, size_t cap);
/** The same by position: part index (0-based) of code; *name (may be NULL) gets its name. */
PONTES_EXTERN(int) pontes_status_code_part_at(const pontes_status_code_desc *d, const char *code, size_t index,
                                              const char **name, char *buf, size_t cap);

/** Static description of an API (emitted by the generator). */
typedef struct pontes_api {
    const char *name;                   /**< "eccor" */
    const char *title;
    const char *version;                /**< the spec's info.version */
    const char *default_base_url;       /**< first server, variables substituted */
    const pontes_error_model *errors;   /**< how to read provider errors (may be NULL) */
    /* appended (0.x): */
    const struct pontes_auth_profile *const *auth_profiles; /**< x-pontes-auth profiles of the schemes, or NULL */
    size_t auth_profile_count;
} pontes_api;

/** Create a client for an API. opts may be NULL (defaults). Free with pontes_client_free. */
PONTES_EXTERN(int) pontes_client_new(pontes_client **out, const pontes_api *api,
                                     const pontes_client_options *opts);
PONTES_EXTERN(void) pontes_client_free(pontes_client *c);

/** The error of the last failed call on this client (status PONTES_OK after a success).
 *  Valid until the next call on the client. Never NULL for a non-NULL client. */
PONTES_EXTERN(const pontes_error *) pontes_client_last_error(const pontes_client *c);

/** Deviations from the spec tolerated while decoding the last response (count 0 when
 *  there were none, or in strict mode, where they are errors). Valid until the next
 *  call on the client. Never NULL for a non-NULL client. */
PONTES_EXTERN(const pontes_deviations *) pontes_client_last_deviations(const pontes_client *c);

/** Set the base URL used for operations of a given server group (NULL group: the API's
 *  main servers; otherwise the x-pontes-server-group of an operation, e.g. "auth"). */
PONTES_EXTERN(int) pontes_client_set_server(pontes_client *c, const char *group, const char *base_url);

/** Response compression. The client offers the encodings of these bits in an
 *  Accept-Encoding request header, and libcurl decodes a response the server compressed
 *  with one of them before the runtime sees the body (max_response_bytes caps the decoded
 *  size). The default is PONTES_ENCODING_DEFAULT (gzip and deflate: zlib decodes them
 *  cheaply, and large JSON shrinks 5-10x on the wire); 0 offers none (identity only: no
 *  Accept-Encoding header, a compressed answer is not decoded). Offering costs a request
 *  header line only: a small or uncompressed response pays nothing for it, a compressed
 *  one the decoding. PONTES_ENCODING_BR / _ZSTD add brotli / zstd (larger decoder state per
 *  response: worth it for large bodies only). Applies to the calls made after it (batches
 *  too). PONTES_EINVAL: unknown bits, or an encoding this build of libcurl cannot decode. */
#define PONTES_ENCODING_GZIP 0x1u /**< gzip and deflate */
#define PONTES_ENCODING_BR 0x2u   /**< brotli */
#define PONTES_ENCODING_ZSTD 0x4u /**< zstd */
#define PONTES_ENCODING_DEFAULT PONTES_ENCODING_GZIP
PONTES_EXTERN(int) pontes_client_set_compression(pontes_client *c, unsigned encodings);
/** The PONTES_ENCODING_* bits the client offers (0 for NULL). */
PONTES_EXTERN(unsigned) pontes_client_compression(const pontes_client *c);

/* ---- auth ------------------------------------------------------------- */

/** Static bearer token for the security scheme `scheme` (http bearer or oauth2). */
PONTES_EXTERN(int) pontes_client_set_bearer(pontes_client *c, const char *scheme, const char *token);

/** HTTP Basic for the security scheme `scheme`: either user+password, or a ready
 *  base64 token (basic_token, as some providers hand it out) with user NULL. */
PONTES_EXTERN(int) pontes_client_set_basic(pontes_client *c, const char *scheme, const char *user,
                                           const char *password, const char *basic_token);

/** API key (header or query, as the spec's apiKey scheme says) for `scheme`. */
PONTES_EXTERN(int) pontes_client_set_api_key(pontes_client *c, const char *scheme, const char *key);

typedef struct pontes_oauth2_options {
    unsigned version;           /**< PONTES_OAUTH2_OPTIONS_VERSION */
    const char *token_url;      /**< full URL of the token endpoint */
    const char *client_id;      /**< with client_secret: sent as HTTP Basic */
    const char *client_secret;
    const char *basic_token;    /**< alternative: the ready base64 Basic credential */
    const char *scope;          /**< space-separated scopes, or NULL */
    long refresh_margin_s;      /**< renew this long before expiry; default 60 */
} pontes_oauth2_options;
#define PONTES_OAUTH2_OPTIONS_VERSION 1
#define PONTES_OAUTH2_OPTIONS_INIT {PONTES_OAUTH2_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 60}

/** OAuth2 client-credentials for security scheme `scheme`: the token is fetched on
 *  first use, cached, renewed refresh_margin_s before expires_in, and fetched again
 *  once when the API answers 401. */
PONTES_EXTERN(int) pontes_client_set_oauth2_client_credentials(pontes_client *c, const char *scheme,
                                                               const pontes_oauth2_options *o);

/** Fetch a token now (normally lazy). */
PONTES_EXTERN(int) pontes_client_authenticate(pontes_client *c, const char *scheme);

/** Wall-clock source: Unix time in seconds (tests fix it; NULL: time()). */
typedef int64_t (*pontes_clock_fn)(void *user);

/* ---- session schemes (x-pontes-auth style session) -------------------------
 * An http bearer scheme whose token comes from a login operation of the API itself
 * (x-pontes-auth login_operation, e.g. BCTT's POST /API/partnersPortal/authentication) and
 * lives for idle_timeout seconds of inactivity. The caller sets the credentials by role
 * (x-pontes-auth credentials: role -> header of the login request); the runtime logs in by
 * itself before a call that needs the scheme when it holds no token, or when the session has
 * been idle (now - time of the last successful authenticated call) for idle_timeout -
 * idle_margin seconds or more. The login is sent with its operation's method, path and server
 * and one header per role (no bearer), within the call's time budget; its 2xx answer is a bare
 * JSON string (the token) or an object whose token_member holds it; anything else, and any
 * non-2xx answer (e.g. 401 for wrong credentials, the provider's message kept), is
 * PONTES_EAUTH. Every authenticated call answered 2xx renews the session. A 401 on an
 * authenticated call drops the token, logs in again once and resends the call once (the
 * server refused it, so this is safe for any method); a second 401 is PONTES_EAUTH. A call
 * of the login operation itself (the generated function) stores its token too, when the
 * client has a session for the scheme (any of these setters made one). Credentials and the
 * token are secrets: redacted from every log line and error string (also their JSON-escaped
 * and percent-encoded forms), wiped when replaced or when the client is freed. */

/** Set the credential of `role` (a key of the scheme's x-pontes-auth credentials, e.g.
 *  "client_id") for session scheme `scheme` (copied; NULL clears it). A new value drops the
 *  session token (the next call logs in). PONTES_EINVAL (message in the last error) for a
 *  scheme that is not a session scheme of the API, an unknown role, or a value holding a
 *  control byte other than HTAB (it would break the header line). Every declared role must
 *  be set before the runtime can log in (else the call is PONTES_EAUTH naming the role). */
PONTES_EXTERN(int) pontes_client_set_session_credential(pontes_client *c, const char *scheme, const char *role,
                                                        const char *value);
/** Send `role` in header `header_name` instead of the spec's (documentation pages disagree on
 *  the names, e.g. xBrokerUID / brokerID / correlationId); NULL restores the spec's.
 *  PONTES_EINVAL for an unknown scheme/role or a name that is not an HTTP token. */
PONTES_EXTERN(int) pontes_client_set_session_header(pontes_client *c, const char *scheme, const char *role,
                                                    const char *header_name);
/** The clock of the session's idle timing (tests; NULL: time()). */
PONTES_EXTERN(int) pontes_client_set_session_clock(pontes_client *c, const char *scheme, pontes_clock_fn clock,
                                                   void *clock_user);
/** Set (e.g. restored from storage) or drop (token NULL) the session token; a token set is
 *  taken as used now. PONTES_EINVAL as for the setters above, or for a token with a control
 *  byte or a space. */
PONTES_EXTERN(int) pontes_client_set_session_token(pontes_client *c, const char *scheme, const char *token);
/** The session's state: *has_token whether a token is held, *last_used (Unix seconds by the
 *  session's clock, 0: never) the time of the last successful authenticated call or login.
 *  Either pointer may be NULL. PONTES_EINVAL when scheme is not a session scheme of the API
 *  (no message: the client is const). */
PONTES_EXTERN(int) pontes_client_session_state(const pontes_client *c, const char *scheme, bool *has_token,
                                               int64_t *last_used);

/* ---- OAuth-params schemes (x-pontes-auth style oauth-params) -------------
 * Banco Best's `Authorization: OAuth key=value,key=value` header (no quotes, no spaces),
 * parameters sorted by name and the signature last: always the consumer key; the one-time
 * `code` on operations whose security requirement lists the role "code" (the token
 * operation); the access token on operations that list "access_token". The token is
 * captured from the scheme's token operation (x-pontes-auth token_operation) when that
 * operation succeeds, with its expiry (x-pontes-auth expires_in: absolute-epoch = Unix time,
 * relative = seconds to live); it is never used at or after that time: such a call fails with
 * PONTES_EAUTH before anything is sent (refresh: none = repeat the consent). A provider error
 * listed in x-pontes-auth token_invalid (e.g. EGEN003, "Invalid Token.") drops the token and
 * is PONTES_EAUTH; no other answer (e.g. a 401 "Certificate error") drops it or re-sends.
 * Consumer key, secret key, code and token are secrets: redacted from logs and errors, wiped
 * when replaced or when the client is freed. */


typedef struct pontes_oauth_params_options {
    unsigned version;           /**< PONTES_OAUTH_PARAMS_OPTIONS_VERSION */
    const char *consumer_key;   /**< required: the application's Consumer Key */
    const char *secret_key;     /**< the Secret Key; required when signing, else may be NULL */
    /** Add oauth_timestamp, oauth_version and oauth_signature (HMAC-SHA256 with the secret
     *  key over the base string, Base64, URL-encoded): 1 on, 0 off, -1 (default) the spec's
     *  x-pontes-auth signature.enabled_by_default (false for Best Bank). */
    int sign;
    pontes_clock_fn clock;      /**< NULL: time(); used for oauth_timestamp and token expiry */
    void *clock_user;
} pontes_oauth_params_options;
#define PONTES_OAUTH_PARAMS_OPTIONS_VERSION 1
#define PONTES_OAUTH_PARAMS_OPTIONS_INIT {PONTES_OAUTH_PARAMS_OPTIONS_VERSION, NULL, NULL, -1, NULL, NULL}

/** Set the consumer key (+ optional secret key, signing, clock) of an oauth-params scheme.
 *  Replaces whatever the scheme held (a token and a code are dropped). PONTES_EINVAL for a
 *  missing key, a value with a control byte, a comma or a space, or sign = 1 without a
 *  secret key. */
PONTES_EXTERN(int) pontes_client_set_oauth_params(pontes_client *c, const char *scheme,
                                                  const pontes_oauth_params_options *o);
/** The one-time `code` of the consent redirect (copied). Sent by the next call whose
 *  requirement lists the role "code" and cleared when that call ends (whatever its
 *  outcome, once a request was attempted). code NULL clears it. */
PONTES_EXTERN(int) pontes_client_set_oauth_params_code(pontes_client *c, const char *scheme, const char *code);
/** Set the access token directly (normally captured from the token operation), valid
 *  until expires_at (Unix seconds; 0: no known expiry). token NULL drops it. */
PONTES_EXTERN(int) pontes_client_set_oauth_params_token(pontes_client *c, const char *scheme, const char *token,
                                                        int64_t expires_at);
/** Whether the scheme holds an access token: PONTES_OK and *expires_at (Unix seconds,
 *  0: unknown) when it does; PONTES_EAUTH when it has none. Expired tokens count as held. */
PONTES_EXTERN(int) pontes_client_oauth_params_token_expiry(const pontes_client *c, const char *scheme,
                                                           int64_t *expires_at);

/** Compute an oauth-params signature (exposed for tests and tools): the base string of
 *  the sorted (name, value) pairs (except the signature) — name%3Durlencode(value)%26 each,
 *  then secret_param%3Dsecret, percent escapes upper-case — HMAC-SHA256 keyed with the
 *  secret, Base64. Any of base_string / base64 / url_encoded may be NULL; each non-NULL one
 *  gets a malloc'd string (free with pontes_secret_free). url_encoded is the Base64 with
 *  + / = percent-encoded in lower case (%2b %2f %3d), as Banco Best's .NET stack writes it.
 *  names need not be sorted. PONTES_EINVAL / PONTES_ENOMEM. */
PONTES_EXTERN(int) pontes_oauth_params_sign(const char *const *names, const char *const *values, size_t n,
                                            const char *secret_param, const char *secret, char **base_string,
                                            char **base64, char **url_encoded);

/** Wipe and free a string pontes returned (states, signatures). NULL is a no-op. */
PONTES_EXTERN(void) pontes_secret_free(char *s);

/** Set an apiKey scheme (e.g. Best Bank's `Certificate` header, x-pontes-auth style
 *  static-header) from an X.509 certificate file, PEM or DER (detected): the value is the
 *  Base64 of the DER SubjectPublicKeyInfo of its public key (what `openssl x509 -pubkey`
 *  prints between the PEM lines). PONTES_EINVAL naming the file when it cannot be read or
 *  holds no certificate. */
PONTES_EXTERN(int) pontes_client_set_api_key_from_certificate(pontes_client *c, const char *scheme,
                                                              const char *path);

/* ---- consent / payment flows (x-pontes-flows; generated <api>_<flow>_start/_finish) ---- */

/** Length of a state made by pontes_flow_new_state: 32 random bytes, base64url, no padding. */
#define PONTES_FLOW_STATE_LEN 43
/** A new cryptographically random state (RAND_bytes; URL-safe: A-Z a-z 0-9 - _), of
 *  PONTES_FLOW_STATE_LEN characters. Free with pontes_secret_free. */
PONTES_EXTERN(int) pontes_flow_new_state(char **out);

/** Names of the query parameters of a redirect (NULL: not expected). */
typedef struct pontes_redirect_names {
    const char *code;              /**< e.g. "code" (required when non-NULL) */
    const char *state;             /**< e.g. "state" (checked when an expected state is given) */
    const char *operation_id;      /**< e.g. "oper_id" (required when non-NULL) */
    const char *error;             /**< e.g. "error": its presence makes the redirect an error */
    const char *error_description; /**< e.g. "error_description" */
} pontes_redirect_names;

/** A parsed redirect (values percent-decoded, '+' as space); members NULL when absent. */
typedef struct pontes_redirect {
    char *code;
    char *state;
    char *operation_id;
    char *error;
    char *error_description;
} pontes_redirect;

/** Parse the redirect URL the application received (its query string: after '?', up to
 *  '#'; a bare query string is accepted too) and check it: an error redirect (error= or
 *  error_description= present) is PONTES_EAUTH with the provider's error in the message,
 *  provider_code and provider_message; with expected_state non-NULL a missing state or one
 *  that differs (compared in constant time) is PONTES_EAUTH; a missing code / operation id
 *  (when names ask for one) is PONTES_EINVAL. err may be NULL. Free with pontes_redirect_free. */
PONTES_EXTERN(int) pontes_redirect_parse(const char *url, const pontes_redirect_names *names,
                                         const char *expected_state, pontes_redirect **out, pontes_error *err);
PONTES_EXTERN(void) pontes_redirect_free(pontes_redirect *r);
/** pontes_redirect_parse reporting into the client's last error (used by generated flows). */
PONTES_EXTERN(int) pontes_client_redirect_parse(pontes_client *c, const char *url, const pontes_redirect_names *names,
                                                const char *expected_state, pontes_redirect **out);

/** Start of a flow: the page to open for the user, and (consent flows) the state to keep
 *  until the redirect comes back. Free with pontes_flow_start_free (wipes the state). */
typedef struct pontes_flow_start {
    char *login_url;
    char *state;                   /**< NULL for flows without a state */
} pontes_flow_start;
PONTES_EXTERN(void) pontes_flow_start_free(pontes_flow_start *s);
/** Used by generated flows: a new pontes_flow_start with copies of login_url (required:
 *  PONTES_EDECODE naming `member` when NULL/empty) and state (may be NULL). */
PONTES_EXTERN(int) pontes_client_flow_start_new(pontes_client *c, const char *login_url, const char *member,
                                                const char *state, pontes_flow_start **out);

/* ---- per-call options and batches ---------------------------------------- */

typedef struct pontes_batch pontes_batch;
typedef struct pontes_request pontes_request; /* a request being built (below) */

/** Options for one call: every generated operation has an `_ex` variant that takes
 *  them as its last argument (NULL: the client's settings). */
typedef struct pontes_call_options {
    unsigned version;            /**< PONTES_CALL_OPTIONS_VERSION */
    long timeout_ms;             /**< whole call (attempts + waits); 0: the client's timeout_ms */
    long attempt_timeout_ms;     /**< one attempt; 0: the client's attempt_timeout_ms */
    int max_retries;             /**< -1: the client's max_retries; 0: no retry */
    /** Sent as `Idempotency-Key: <key>`. The server then deduplicates repeats, so a
     *  non-idempotent call (POST, PATCH) is retried like an idempotent one. */
    const char *idempotency_key;
    /** Extra request headers, "Name: value" each, NULL-terminated array (or NULL).
     *  Names must be tokens, values free of control bytes but HTAB (else EINVAL).
     *  They are added after the operation's own headers. */
    const char *const *headers;
    /** Queue the call in this batch instead of sending it now: the generated function
     *  returns PONTES_OK at once (or a build error), and *out is filled by
     *  pontes_batch_run. The call's index in the batch is the number of calls queued
     *  before it. */
    pontes_batch *batch;
} pontes_call_options;
#define PONTES_CALL_OPTIONS_VERSION 1
#define PONTES_CALL_OPTIONS_INIT {PONTES_CALL_OPTIONS_VERSION, 0, 0, -1, NULL, NULL, NULL}

/** Batch options (NULL: defaults). */
typedef struct pontes_batch_options {
    unsigned version;            /**< PONTES_BATCH_OPTIONS_VERSION */
    unsigned max_concurrency;    /**< calls in flight at once; default 8, at most 256 */
} pontes_batch_options;
#define PONTES_BATCH_OPTIONS_VERSION 1
#define PONTES_BATCH_OPTIONS_INIT {PONTES_BATCH_OPTIONS_VERSION, 8}

/**
 * A batch runs many calls of one client concurrently on the calling thread (curl's
 * multi interface: one connection per call in flight, reused between calls; HTTP/2
 * multiplexing when the server offers it). Queue calls with the `_ex` functions and
 * pontes_call_options.batch, then pontes_batch_run. Each call keeps its own status,
 * error and result; retries, Retry-After, the time budget and OAuth2 renewal work per
 * call as for a single call. Memory in flight is bounded by max_concurrency response
 * buffers; a queued call holds only its encoded request (a multipart body's file data
 * is not copied: keep it valid until pontes_batch_run returns).
 * The client must outlive the batch, and is busy (PONTES_EBUSY for other threads)
 * while pontes_batch_run runs.
 * Memory: transport memory (curl handles, receive buffers, connections) is bounded by
 * max_concurrency: handles are pooled and each keeps its connection for the next call.
 * A finished call keeps a small record (status, HTTP status, error); its result belongs
 * to the caller. To keep the results of a large batch from piling up, set an on_done
 * callback (pontes_batch_set_on_done) and process/free each result as it arrives.
 */
PONTES_EXTERN(int) pontes_batch_new(pontes_batch **out, pontes_client *c, const pontes_batch_options *opts);
/** Run every queued call not run yet; returns when all have finished. PONTES_OK when
 *  every call succeeded, else the status of the first call (by index) that failed. */
PONTES_EXTERN(int) pontes_batch_run(pontes_batch *b);
/** Number of calls queued. */
PONTES_EXTERN(size_t) pontes_batch_count(const pontes_batch *b);
/** Status of call i (PONTES_OK, a PONTES_E* code; PONTES_EINVAL for an i out of range). */
PONTES_EXTERN(int) pontes_batch_status(const pontes_batch *b, size_t i);
/** Error of call i (status PONTES_OK when it succeeded), valid until pontes_batch_free;
 *  NULL for an i out of range. */
PONTES_EXTERN(const pontes_error *) pontes_batch_error(const pontes_batch *b, size_t i);
/** HTTP status of call i's final response (0 if none). */
PONTES_EXTERN(long) pontes_batch_http_status(const pontes_batch *b, size_t i);
/** Queue a built request in a batch instead of sending it (used by generated code:
 *  the `_ex` functions call it when pontes_call_options.batch is set). The request is
 *  consumed. *out is filled when the batch runs. */
PONTES_EXTERN(int) pontes_batch_add(pontes_batch *b, pontes_request *r, void **out);
/** Free the batch (results already handed out through the calls' out pointers stay
 *  the caller's). Calls never run are dropped. Called from an on_done callback, the
 *  batch stops: the calls not finished are dropped, and pontes_batch_run frees it and
 *  returns PONTES_EINVAL. */
PONTES_EXTERN(void) pontes_batch_free(pontes_batch *b);
/** Called by pontes_batch_run (on its thread) for each call as it finishes: i its index,
 *  status its status, result its decoded value (NULL on failure or for an operation
 *  without one), which the callback now owns (free it with the type's _free function or
 *  pontes_free). pontes_batch_error(b, i) and pontes_batch_http_status(b, i) tell the
 *  details; once the callback returns, the batch keeps only the call's status, HTTP
 *  status and attempt count (the error's texts and body are released). */
typedef void (*pontes_batch_done_fn)(pontes_batch *b, size_t i, int status, void *result, void *userdata);
/** Hand each call's result to fn as the call finishes, instead of to the call's out
 *  pointer (which stays NULL): a caller that frees results as they arrive holds at most
 *  max_concurrency of them. Every call is reported once, those that failed in
 *  pontes_batch_add first (status the error they returned). fn NULL: back to out pointers.
 *  The callback must not use the batch's client (it is busy: PONTES_EBUSY) nor call
 *  pontes_batch_run / pontes_batch_add / pontes_batch_set_on_done on b (PONTES_EINVAL).
 *  PONTES_EINVAL for a NULL b, or while the batch runs. */
PONTES_EXTERN(int) pontes_batch_set_on_done(pontes_batch *b, pontes_batch_done_fn fn, void *userdata);

/* ---- operations (used by generated code) ------------------------------ */

typedef enum pontes_param_in {
    PONTES_IN_PATH = 0,
    PONTES_IN_QUERY = 1,
    PONTES_IN_HEADER = 2,
    PONTES_IN_COOKIE = 3
} pontes_param_in;

typedef enum pontes_body_kind {
    PONTES_BODY_NONE = 0,
    PONTES_BODY_JSON = 1,       /**< application/json (and +json) */
    PONTES_BODY_FORM = 2,       /**< application/x-www-form-urlencoded: top-level fields as pairs */
    PONTES_BODY_MULTIPART = 3,  /**< multipart/form-data: FILE fields as file parts, others as text */
    PONTES_BODY_TEXT = 4,       /**< text/plain: a boxed string */
    PONTES_BODY_BINARY = 5      /**< application/octet-stream etc.: a boxed BYTES/FILE */
} pontes_body_kind;

/* operation flags */
#define PONTES_OP_IDEMPOTENT 0x01u /**< GET/HEAD/PUT/DELETE/OPTIONS: may be retried after a failure */
/** x-pontes-idempotent: false (a GET with a side effect, e.g. one that sends an e-mail): besides
 *  not being PONTES_OP_IDEMPOTENT, never resent once the server answered, not even after a
 *  429 or 503 (only a request that never reached the server is sent again), unless the call
 *  has an Idempotency-Key. x-pontes-idempotent: true makes any operation PONTES_OP_IDEMPOTENT. */
#define PONTES_OP_SIDE_EFFECT 0x02u
/** x-pontes-empty-success: true (API root): a 2xx answer with an empty body (Content-Length 0,
 *  or no bytes) is a success even when the operation declares a body: PONTES_OK, and *out is a
 *  freshly allocated value of the body type that is all absent (every has_x PONTES_ABSENT, lists
 *  empty; a union: kind 0, raw NULL), so callers can dereference it; free it with its _free /
 *  pontes_free as any result. In strict mode too (it is what the API declares). Without the
 *  flag such an answer is PONTES_EDECODE ("empty body"). */
#define PONTES_OP_EMPTY_SUCCESS 0x04u

/** One credential of a session scheme (x-pontes-auth credentials: role -> {header, secret}). */
typedef struct pontes_session_role {
    const char *role;                /**< "client_id" */
    const char *header;              /**< header of the login request, e.g. "xClientID" */
    bool secret;                     /**< marked secret (every credential is redacted anyway) */
} pontes_session_role;

/** How the runtime builds a scheme declared with x-pontes-auth (emitted by the generator). */
typedef struct pontes_auth_profile {
    int style;                       /**< PONTES_AUTH_OAUTH_PARAMS / _STATIC_HEADER / _SESSION */
    const char *prefix;              /**< "OAuth " */
    const char *separator;           /**< "," */
    const char *consumer_key_param;  /**< "oauth_consumer_key" */
    const char *code_param;          /**< "code": sent when the requirement lists the role "code" */
    const char *token_param;         /**< "access_token": sent when it lists the role "access_token" */
    const char *token_operation;     /**< operationId whose success response carries the token, or NULL */
    const char *token_member;        /**< its member with the token ("access_token") */
    const char *expires_member;      /**< its member with the expiry ("expires_in"), or NULL */
    int expires;                     /**< PONTES_AUTH_EXPIRES_RELATIVE / PONTES_AUTH_EXPIRES_ABSOLUTE */
    const char *const *token_invalid;/**< provider codes/messages meaning "token invalid or cancelled" */
    size_t token_invalid_count;
    bool sign_default;               /**< signature.enabled_by_default */
    const char *timestamp_param;     /**< "oauth_timestamp" (unix seconds) */
    const char *version_param;       /**< "oauth_version" */
    const char *version;             /**< "1.0" */
    const char *signature_param;     /**< "oauth_signature" (written last) */
    const char *secret_param;        /**< "oauth_consumer_secret": the base string's last pair */
    /* appended (0.x): the scheme's name (every style), and style session (token_operation is
       the login operation, token_member the answer's member with the token, or NULL) */
    const char *scheme;              /**< the securitySchemes name, or NULL */
    const struct pontes_operation *login_op; /**< session: the login operation's descriptor */
    long idle_timeout_s;             /**< session: seconds of inactivity that end the session */
    long idle_margin_s;              /**< session: log in again when idle >= idle_timeout_s - idle_margin_s */
    const pontes_session_role *roles;/**< session: the credentials, by role */
    size_t role_count;
} pontes_auth_profile;
#define PONTES_AUTH_OAUTH_PARAMS 1
#define PONTES_AUTH_STATIC_HEADER 2
#define PONTES_AUTH_SESSION 3
#define PONTES_AUTH_EXPIRES_RELATIVE 0
#define PONTES_AUTH_EXPIRES_ABSOLUTE 1

typedef struct pontes_security_req {
    const char *scheme;        /**< securitySchemes name */
    int type;                  /**< PONTES_SEC_* */
    const char *param_name;    /**< apiKey / oauth-params: header/query name */
    int param_in;              /**< apiKey: PONTES_IN_HEADER / PONTES_IN_QUERY */
    /* appended (0.x): */
    unsigned group;            /**< 0: a requirement by itself (one alternative); n > 0: the
                                    consecutive entries with the same n form ONE requirement,
                                    all of whose schemes are sent */
    const char *const *roles;  /**< the requirement's role (scope) names for this scheme, or NULL */
    size_t role_count;
    const pontes_auth_profile *profile; /**< x-pontes-auth of the scheme, or NULL */
} pontes_security_req;
#define PONTES_SEC_BEARER 1    /**< http bearer, or oauth2 (token as bearer) */
#define PONTES_SEC_BASIC 2
#define PONTES_SEC_API_KEY 3
#define PONTES_SEC_OAUTH_PARAMS 4 /**< x-pontes-auth style oauth-params (profile non-NULL) */

/** x-pontes-envelope on a response's root schema: a 2xx body that reports success or failure
 *  in a member of its own (Best Bank: {"outputData", "returnCode", "returnMsg"}). */
typedef struct pontes_envelope_desc {
    const char *code;             /**< member holding the result code, e.g. "returnCode" */
    const char *message;          /**< member holding its message, e.g. "returnMsg", or NULL */
    const char *success;          /**< the code's text on success, e.g. "0" */
} pontes_envelope_desc;

typedef struct pontes_response_desc {
    int status;                   /**< exact status, or 0 for "default", or 1..5 for "1XX".."5XX" */
    const pontes_type *type;      /**< body type, or NULL for none */
    /** or NULL. For a 2xx: the code member is compared as text with success (a JSON string as
     *  is, a JSON number as its text: 5 is "5", 0 is "0"); any other value is PONTES_EPROVIDER
     *  (checked before the body is decoded). A code that is absent, null or not a string/number
     *  is a deviation (recorded at its path, e.g. $.returnCode; the body decoded as usual) in
     *  tolerant mode, and PONTES_EDECODE in strict mode (strict_response_validation). */
    const pontes_envelope_desc *envelope;
} pontes_response_desc;

typedef struct pontes_operation {
    const char *operation_id;
    const char *method;           /**< "GET", "POST", ... */
    const char *path;             /**< template, e.g. "/v1/NaturalPerson/{personId}" */
    uint32_t flags;               /**< PONTES_OP_* */
    const char *server_group;     /**< NULL: main servers; else the client's server for that group */
    const char *default_server;   /**< the operation's own first server URL (variables substituted), or NULL */
    const pontes_security_req *security; /**< alternatives (see group); the first whose credentials are all set is used */
    size_t security_count;        /**< 0: no auth */
    pontes_body_kind body_kind;
    const char *content_type;     /**< request media type, or NULL */
    const pontes_type *body_type; /**< request body type, or NULL */
    const char *accept;           /**< Accept header, or NULL */
    const pontes_response_desc *responses;
    size_t response_count;
} pontes_operation;

/** Parameter metadata of an operation (for generic callers such as the pontes tool). */
typedef struct pontes_param_desc {
    const char *name;
    pontes_param_in in;
    pontes_kind kind;   /**< STRING, INT64, DOUBLE, BOOL, or ARRAY (of strings: repeated) */
    bool required;
} pontes_param_desc;

/** One entry of a generated API's operation registry ({prefix}_operations[]). */
typedef struct pontes_operation_entry {
    const pontes_operation *op;
    const pontes_param_desc *params; /**< path parameters first, in template order */
    size_t param_count;
    const char *summary;
} pontes_operation_entry;

/* ---- provenance (x-pontes-provenance): what the provider documents ------
 * Each generated API has a const coverage table, <prefix>_coverage(): per operation its
 * provenance class, sources and what is missing / inferred from, the number of its members
 * (parameters, request/response bodies, their properties at any depth) per class, and the
 * members that are not fully documented. Generated from the spec (see docs/architecture.md). */
typedef enum pontes_provenance_class {
    PONTES_PROV_UNSTATED = 0,   /**< the spec says nothing about it */
    PONTES_PROV_DOCUMENTED = 1, /**< documented in full by the provider */
    PONTES_PROV_PARTIAL = 2,    /**< documented partly: `missing` says what is not */
    PONTES_PROV_INFERRED = 3    /**< not documented: inferred (`basis` says from what) */
} pontes_provenance_class;
#define PONTES_PROV_CLASS_COUNT 4

/** "unstated", "documented", "partial", "inferred" (NULL for another value). */
static inline const char *pontes_provenance_name(pontes_provenance_class c) {
    switch (c) {
    case PONTES_PROV_UNSTATED: return "unstated";
    case PONTES_PROV_DOCUMENTED: return "documented";
    case PONTES_PROV_PARTIAL: return "partial";
    case PONTES_PROV_INFERRED: return "inferred";
    }
    return NULL;
}

/** A member of an operation that is not fully documented. */
typedef struct pontes_provenance_member {
    const char *path;               /**< e.g. "query.pageSize", "body.borrowers[].name", "response.200.items[].id" */
    pontes_provenance_class status; /**< PARTIAL or INFERRED */
    const char *note;               /**< what is missing (partial) / what it is inferred from (inferred) */
} pontes_provenance_member;

/** The provenance of one operation. */
typedef struct pontes_provenance_op {
    const char *operation_id;
    const char *method;
    const char *path;
    pontes_provenance_class status;
    const char *const *source;      /**< page tags or URLs of the documentation */
    size_t source_count;
    const char *missing;            /**< partial: what the documentation leaves out, else NULL */
    const char *basis;              /**< inferred: what it is inferred from, else NULL */
    size_t member_counts[PONTES_PROV_CLASS_COUNT]; /**< members per class (index: pontes_provenance_class) */
    const pontes_provenance_member *members; /**< the partial and inferred members */
    size_t member_count;
} pontes_provenance_op;

/** The provenance report of an API (PREFIX_coverage(), PREFIX being the API's prefix). */
typedef struct pontes_coverage {
    const char *api;                /**< "eccor" */
    pontes_provenance_class default_status; /**< the spec root's default (UNSTATED: none) */
    const pontes_provenance_op *ops;
    size_t op_count;
    size_t totals[PONTES_PROV_CLASS_COUNT];        /**< operations per class */
    size_t member_totals[PONTES_PROV_CLASS_COUNT]; /**< members per class, over all operations */
} pontes_coverage;

/** A request being built by a generated operation function. */
typedef struct pontes_request pontes_request;

PONTES_EXTERN(int) pontes_request_new(pontes_request **out, pontes_client *c, const pontes_operation *op);
PONTES_EXTERN(void) pontes_request_free(pontes_request *r);
/** Add a parameter (string value; path values and query values are percent-encoded
 *  by pontes, header values are checked for CR/LF). A query name may repeat. */
PONTES_EXTERN(int) pontes_request_param(pontes_request *r, pontes_param_in in, const char *name,
                                        const char *value);
PONTES_EXTERN(int) pontes_request_param_int(pontes_request *r, pontes_param_in in, const char *name,
                                            int64_t value);
PONTES_EXTERN(int) pontes_request_param_double(pontes_request *r, pontes_param_in in, const char *name,
                                               double value);
PONTES_EXTERN(int) pontes_request_param_bool(pontes_request *r, pontes_param_in in, const char *name,
                                             bool value);
/** Apply per-call options (copied; NULL is a no-op). */
PONTES_EXTERN(int) pontes_request_options(pontes_request *r, const pontes_call_options *o);
/** Set the body: value points to storage of op->body_type (for OBJECT/UNION: the struct). */
PONTES_EXTERN(int) pontes_request_body(pontes_request *r, const void *value);
/**
 * Send the request (retrying as allowed), check the status against op->responses and
 * decode a success body of the matching response's type into *out (free with pontes_free).
 * out may be NULL when the operation has no success body. On failure the client's
 * last error is filled (provider code/message/field errors decoded via the API's error
 * model) and the status returned. The request is consumed: always freed.
 */
PONTES_EXTERN(int) pontes_request_send(pontes_request *r, void **out, long *http_status);

/** Percent-encode for a URL component (RFC 3986 unreserved kept). Free with pontes_json_free. */
PONTES_EXTERN(char *) pontes_percent_encode(const char *s, size_t len);

/* ---- pagination (x-pontes-pagination; generated <api>_<op>_iter_*) -------
 * A list operation described by x-pontes-pagination gets an iterator that walks every page:
 *
 *   bctt_process_list_iter *it;
 *   const bctt_process_detail *p;
 *   int rc = bctt_process_list_iter_new(c, &params, NULL, &it);   // sends nothing yet
 *   while (rc == PONTES_OK && (rc = bctt_process_list_iter_next(it, &p)) == PONTES_OK)
 *       use(p);                          // valid until the next _next / _free call
 *   if (rc != PONTES_ITEROVER) report(bctt_process_list_iter_error(it));
 *   bctt_process_list_iter_free(it);
 *
 * The iterator copies the caller's parameters (strings too) and call options, and sets the
 * cursor / page / offset parameter itself on each request (the caller's value of that
 * parameter, when set, is where the walk starts). A page is fetched only when the previous
 * one is used up, through the operation's own function (auth, retries, timeouts, errors as
 * for one call); the previous page is freed first, so memory is bounded by one page. The
 * client is not held between pages: other calls may be made on it meanwhile (from the same
 * thread). Stops: keyset — has_more false or absent (or, without has_more, a page shorter
 * than the limit asked for) or an empty page; page number and offset — an empty page, a page
 * shorter than the page size (the size asked for; when none was asked for, the first page's
 * length), or the total reached. A server that loops (a keyset cursor seen before) or never
 * ends (more than pontes_pager_set_max_pages pages, default PONTES_PAGER_MAX_PAGES) is an
 * error (PONTES_EDECODE). After an error or the end, _next keeps returning the same code. */

/** Returned by an iterator's _next when there are no more items (positive: not an error). */
#define PONTES_ITEROVER 1
/** Default hard limit of pages one iterator fetches. */
#define PONTES_PAGER_MAX_PAGES 10000

#define PONTES_PAGE_KEYSET 1  /**< cursor_param = cursor_from member of the last item received */
#define PONTES_PAGE_NUMBER 2  /**< page_param = first_page, first_page + 1, ... */
#define PONTES_PAGE_OFFSET 3  /**< offset_param = items received so far */

/** What the runtime asks the generated page function to set for one page. */
typedef struct pontes_page_args {
    size_t index;           /**< 0 for the first page */
    const char *cursor;     /**< keyset: the cursor to send (NULL: the first page, the caller's value is kept) */
    int64_t cursor_int;     /**< keyset with an integer cursor: the same cursor as a number */
    bool set_number;        /**< page / offset: send page_param / offset_param = number */
    int64_t number;
} pontes_page_args;

/** Generated per list operation: call the operation's _ex function with a copy of the
 *  iterator's parameters (state) changed as a says; *out gets the decoded 200 body. */
typedef int (*pontes_page_fn)(pontes_client *c, const void *state, const pontes_page_args *a,
                              const pontes_call_options *opts, void **out);

/** x-pontes-pagination of one list operation (emitted by the generator). */
typedef struct pontes_pagination_desc {
    int style;                    /**< PONTES_PAGE_* */
    const char *operation_id;
    const pontes_type *body_type; /**< the 200 body: an object, or the box of a bare array */
    const char *items;            /**< body member holding the array; NULL: the body is the array ($) */
    const char *cursor_from;      /**< keyset: member of the item whose value is the next cursor */
    const char *has_more;         /**< keyset: boolean body member, or NULL */
    const char *total;            /**< integer body member: the number of items of the whole walk, or NULL */
    const char *count;            /**< page: integer body member: items in this page (informational), or NULL */
    int64_t first_page;           /**< page: number of the first page */
    const char *limit_param;      /**< keyset / offset: page size query parameter, or NULL */
    const char *cursor_param;     /**< keyset */
    const char *page_param;       /**< page */
    const char *size_param;       /**< page: or NULL */
    const char *offset_param;     /**< offset */
    pontes_page_fn fetch;
} pontes_pagination_desc;

/** The iterator behind every generated API_OP_iter (API_OP: the prefix and the operation) (a typedef of it). */
typedef struct pontes_pager pontes_pager;

/** Used by generated _iter_new: a new pager (nothing is sent) with a zeroed state block of
 *  state_size bytes for the generated page function (*state; owned by the pager). opts is
 *  copied (strings and headers too); a batch is PONTES_EINVAL. Errors go to the client's
 *  last error. */
PONTES_EXTERN(int) pontes_pager_new(pontes_pager **out, pontes_client *c, const pontes_pagination_desc *d,
                                    size_t state_size, void **state, const pontes_call_options *opts);
/** Replace *s (a string in the state) by a copy owned by the pager (NULL stays NULL). */
PONTES_EXTERN(int) pontes_pager_keep_string(pontes_pager *pg, const char **s);
/** The same for a string list (its items array and every string). */
PONTES_EXTERN(int) pontes_pager_keep_string_list(pontes_pager *pg, pontes_string_list *l);
/** Fail _iter_new with PONTES_EINVAL: "<operationId>: iterator: <what>" (client's last error). */
PONTES_EXTERN(int) pontes_pager_invalid(pontes_pager *pg, const char *what);
/** Used by generated _iter_new once the state is filled: the page size the caller asked
 *  for (limit / size parameter; <= 0: none) and, page / offset styles, the caller's start
 *  (page number or offset) when has_start. Checks the descriptor against its body type. */
PONTES_EXTERN(int) pontes_pager_begin(pontes_pager *pg, int64_t page_size, bool has_start, int64_t start);
/** The next item: PONTES_OK with *item (object, union, string and any items: the value
 *  itself, which may be NULL for a null element; other items: a pointer to the element),
 *  PONTES_ITEROVER at the end, or a PONTES_E* code (kept: see pontes_pager_error). d must
 *  be the descriptor the pager was made with (else PONTES_EINVAL). *item stays valid until
 *  the next call of pontes_pager_next or pontes_pager_free. */
PONTES_EXTERN(int) pontes_pager_next(pontes_pager *pg, const pontes_pagination_desc *d, const void **item);
/** The total number of items as the last page received gave it (the `total` member), or
 *  -1 when unknown (no page yet, no total in the API or in the page). */
PONTES_EXTERN(int64_t) pontes_pager_total(const pontes_pager *pg);
/** Pages received so far (one successful request each). */
PONTES_EXTERN(size_t) pontes_pager_pages(const pontes_pager *pg);
/** The error that ended the walk (status PONTES_OK while there is none). Owned by the
 *  pager: valid until pontes_pager_free. Never NULL for a non-NULL pager. */
PONTES_EXTERN(const pontes_error *) pontes_pager_error(const pontes_pager *pg);
/** The decoded body of the current page (NULL before the first page and after the end),
 *  valid like the items. */
PONTES_EXTERN(const void *) pontes_pager_page(const pontes_pager *pg);
/** Hard limit on the pages fetched (>= 1; default PONTES_PAGER_MAX_PAGES). */
PONTES_EXTERN(int) pontes_pager_set_max_pages(pontes_pager *pg, size_t max_pages);
/** Free the pager, its current page and its copies (NULL is a no-op). */
PONTES_EXTERN(void) pontes_pager_free(pontes_pager *pg);

#ifdef __cplusplus
}
#endif
#endif /* PONTES_PONTES_H */
