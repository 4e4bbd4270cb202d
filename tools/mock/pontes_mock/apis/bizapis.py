"""bizAPIs credit responsibility (x-pontes-api: bizapis): the three inputs of the one operation.

Authentication: `Authorization: Bearer <API key>` (the spec's http bearer scheme), checked against
--bizapis-api-key (repeatable; default `pontes-demo-bizapis-key`; `*` accepts any non-empty key).
No or another scheme: 401 MISSING_API_KEY; an unknown key: 401 INVALID_API_KEY (both with
WWW-Authenticate: Bearer).  Authentication runs before validation.

Inputs (POST /v2/documents/responsabilidade-credito-details):
    application/json {"month", "year", "user", "password"}   credentials: the map is "fetched"
    application/json {"file": "<Base64 of the PDF>"}          Base64 file (bare Base64; whitespace ignored)
    multipart/form-data, one part `file`                       file upload
Checks on the file (the limits come from the spec's `x-pontes-file` of the `file` members, default
20971520 bytes and `%PDF-`): more than max_bytes (decoded size) -> 413 FILE_TOO_LARGE; not starting with
the magic (an empty file included) -> 400 INVALID_FILE_TYPE; Base64 that does not decode -> 400
INVALID_BASE64; two `file` parts -> 400 MULTIPLE_FILES.  A body over the core's MAX_BODY (32 MiB) is
also 413 FILE_TOO_LARGE: with Content-Length (or chunked, up to 128 MiB) the body is read and dropped
and the answer sent on an open connection; with "Expect: 100-continue" it is answered before the body.

The 200 answer is one of the spec's response examples, with a fresh `requestId` naming the input
(`credentials-<uuid>`, `base64-<uuid>`, `multipart-<uuid>`) and the header X-Pontes-Mock-Input
(credentials / base64 / multipart), so that tests can tell the inputs apart:
    credentials   the wrapped form {data: <report>, file: <Base64 PDF>} (example `wrappedReport`; the
                  report's requestId is set); user "000000000" -> the bare example
                  `withoutCreditResponsibility` (withoutCreditResponsibility: true)
    base64, multipart   the bare report (example `bareReport`; e.g. summary.creditResponsibilityJoint.
                  homeLoan.inDebtAmount 98500.12, totalLoan of the individual group 4510.55)

Errors (every body: {"requestId": <uuid>, "errorCode": "BIZ-nnnn", "errorName", "timestamp":
"<UTC ISO-8601, ms, Z>", "message"}; messages never contain request values, so never a password):
    400 BIZ-4000 INVALID_REQUEST          malformed JSON, no body, neither/both JSON forms, bad month/year
    400 BIZ-4001 INVALID_FILE_TYPE        not a PDF
    400 BIZ-4002 INVALID_BASE64           `file` is not Base64
    400 BIZ-4003 MULTIPLE_FILES           more than one `file` part
    400 BIZ-4004 SOURCE_LOGIN_FAILED      credentials with password "wrong-password" (a trigger for tests)
    401 BIZ-4010 MISSING_API_KEY / BIZ-4011 INVALID_API_KEY
    404 BIZ-4040 NOT_FOUND, 405 BIZ-4050 METHOD_NOT_ALLOWED (paths under /v2/)
    413 BIZ-4130 FILE_TOO_LARGE
    415 BIZ-4150 UNSUPPORTED_MEDIA_TYPE   a Content-Type other than JSON / multipart
    500 BIZ-5000 INTERNAL_ERROR           a bug in the mock
No admin endpoints of its own; GET /__admin/state shows {"api": "bizapis", "received": {kind: count},
"maxBytes"} under the spec's title.
"""

import base64
import binascii
import copy
import datetime
import re
import threading
import uuid

from ..errors import MockError
from ..plugins import Answer, ApiState, register

DEMO_KEY = "pontes-demo-bizapis-key"
DEFAULT_MAX = 20971520
DEFAULT_MAGIC = b"%PDF-"
WRONG_PASSWORD = "wrong-password"
NO_CREDIT_USER = "000000000"
ERROR_KEYS = {"requestId", "errorCode", "errorName", "timestamp", "message"}


def timestamp():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def biz_error(status, code, name, message, headers=None):
    return MockError(status, {"requestId": str(uuid.uuid4()), "errorCode": code, "errorName": name,
                              "timestamp": timestamp(), "message": message}, headers)


@register("bizapis")
class BizApisState(ApiState):
    """Validates the three inputs and answers the spec's report examples."""

    @classmethod
    def add_arguments(cls, parser):
        g = parser.add_argument_group("bizAPIs (x-pontes-api: bizapis)")
        g.add_argument("--bizapis-api-key", action="append", metavar="KEY",
                       help="an accepted API key (Bearer; repeatable; default %s; '*' accepts any)" % DEMO_KEY)

    def __init__(self, api, server):
        ApiState.__init__(self, api, server)
        self.lock = threading.RLock()
        self.keys = set(getattr(server.opts, "bizapis_api_key", None) or [DEMO_KEY])
        self.max_bytes, self.magic = DEFAULT_MAX, DEFAULT_MAGIC
        for sch in ((api.data.get("components") or {}).get("schemas") or {}).values():
            xf = ((sch.get("properties") or {}).get("file") or {}).get("x-pontes-file") if isinstance(sch, dict) else None
            if isinstance(xf, dict):
                self.max_bytes = int(xf.get("max_bytes", self.max_bytes))
                if xf.get("magic"):
                    self.magic = str(xf["magic"]).encode("latin-1")
        self.examples = {}
        for op in api.operations:
            _, resp = op.success_response()
            for media in (resp.get("content") or {}).values():
                for name, ex in ((api.doc.deref(media) or {}).get("examples") or {}).items():
                    ex = api.doc.deref(ex)
                    if isinstance(ex, dict) and "value" in ex:
                        self.examples.setdefault(op.operation_id, {})[name] = ex["value"]
        self.reset()

    def reset(self):
        with self.lock:
            self.received = {"credentials": 0, "base64": 0, "multipart": 0}

    def dump(self):
        with self.lock:
            return {"api": self.api_key, "received": dict(self.received), "maxBytes": self.max_bytes}

    def owns(self, path):
        base = self.api.base_path
        return path.startswith("/v2/") or bool(base) and path.startswith(base + "/v2/")

    # -- hooks ------------------------------------------------------------------------
    def authenticate(self, op, headers, target):
        if not op.security:
            return None
        scheme, _, key = (headers.get("Authorization") or "").strip().partition(" ")
        key = key.strip()
        challenge = {"WWW-Authenticate": "Bearer"}
        if scheme.lower() != "bearer" or not key:
            raise biz_error(401, "BIZ-4010", "MISSING_API_KEY", "An API key is required: Authorization: Bearer <API key>",
                            challenge)
        if "*" not in self.keys and key not in self.keys:
            raise biz_error(401, "BIZ-4011", "INVALID_API_KEY", "The API key is not valid for this service",
                            challenge)
        return True

    def error(self, op, exc, path):
        if op is None and not self.owns(path):
            return None
        if isinstance(exc.body, dict) and set(exc.body) == ERROR_KEYS:
            return None
        st = exc.status
        if st == 404:
            return biz_error(404, "BIZ-4040", "NOT_FOUND", "No such endpoint")
        if st == 405:
            return biz_error(405, "BIZ-4050", "METHOD_NOT_ALLOWED", "Method not allowed", exc.headers)
        if st == 413:
            return self.too_large()
        if st == 415:
            return biz_error(415, "BIZ-4150", "UNSUPPORTED_MEDIA_TYPE",
                             "Content-Type must be application/json or multipart/form-data")
        if st >= 500:
            return biz_error(500, "BIZ-5000", "INTERNAL_ERROR", "Unexpected error")
        if st in (401, 403):
            return biz_error(401, "BIZ-4010", "MISSING_API_KEY", "An API key is required", {"WWW-Authenticate": "Bearer"})
        problems = []
        if isinstance(exc.body, dict):
            problems = [(e.get("key"), e.get("message")) for e in (exc.body.get("details") or {}).get("formErrors") or []
                        if isinstance(e, dict)]
        for key, msg in problems:
            if key == "file" and msg == "must be base64":
                return self.bad_base64()
            if key == "file" and str(msg).startswith("expected one part"):
                return biz_error(400, "BIZ-4003", "MULTIPLE_FILES", "Send exactly one file")
        detail = "; ".join("%s: %s" % (k, m) for k, m in problems[:5]) or "invalid request"
        return biz_error(400, "BIZ-4000", "INVALID_REQUEST", detail)

    def too_large(self):
        return biz_error(413, "BIZ-4130", "FILE_TOO_LARGE", "The file is larger than %d bytes" % self.max_bytes)

    def bad_base64(self):
        return biz_error(400, "BIZ-4002", "INVALID_BASE64", "The file is not valid Base64")

    # -- the operation ------------------------------------------------------------------
    def check_file(self, data):
        if len(data) > self.max_bytes:
            raise self.too_large()
        if not data.startswith(self.magic):
            raise biz_error(400, "BIZ-4001", "INVALID_FILE_TYPE", "Only PDF files are accepted")

    def handle(self, op_id, request):
        body = request.body
        if not isinstance(body, dict):
            raise biz_error(400, "BIZ-4000", "INVALID_REQUEST", "the body must be a JSON object or a multipart form")
        ctype = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            data = body.get("file")
            if not isinstance(data, bytes):
                raise biz_error(400, "BIZ-4000", "INVALID_REQUEST", "file: required part is missing")
            self.check_file(data)
            kind = "multipart"
        elif "file" in body:
            text = body.get("file")
            if not isinstance(text, str):
                raise self.bad_base64()
            text = re.sub(r"\s+", "", text)
            if len(text) > (self.max_bytes + 2) // 3 * 4:
                raise self.too_large()
            try:
                data = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise self.bad_base64()
            self.check_file(data)
            kind = "base64"
        else:
            if body.get("password") == WRONG_PASSWORD:
                raise biz_error(400, "BIZ-4004", "SOURCE_LOGIN_FAILED",
                                "The source system refused the given credentials")
            kind = "credentials"
        with self.lock:
            self.received[kind] += 1
        return Answer(self.report(op_id, kind, body), headers={"X-Pontes-Mock-Input": kind})

    def report(self, op_id, kind, body):
        examples = self.examples.get(op_id) or {}
        first = next(iter(examples.values()), {})
        rid = "%s-%s" % (kind, uuid.uuid4())
        if kind == "credentials" and body.get("user") == NO_CREDIT_USER and "withoutCreditResponsibility" in examples:
            out = copy.deepcopy(examples["withoutCreditResponsibility"])
        elif kind == "credentials" and "wrappedReport" in examples:
            out = copy.deepcopy(examples["wrappedReport"])
        else:
            out = copy.deepcopy(examples.get("bareReport", first))
        target = out["data"] if isinstance(out, dict) and isinstance(out.get("data"), dict) else out
        if isinstance(target, dict):
            target["requestId"] = rid
        return out
