#!/usr/bin/env python3
"""OpenAPI-driven mock HTTP server for the Pontes client-generator tests.

Standard library only at run time.  It reads the JSON form of OpenAPI 3.0/3.1
documents (``generated/<api>/openapi.json``), routes requests by method and path
template (the ``servers`` base path is ignored), authenticates them against the
documented security schemes, validates parameters and bodies against the
schemas, and answers with the documented examples.  The ECCOR FGTS operations
(recognised by operationId) are stateful so that a whole credit flow can be
exercised end to end; see ``EccorState``.

Usage:
    python3 tools/mock_server.py --spec generated/eccor/openapi.json \
        [--spec other.json] [--host 127.0.0.1] [--port 0] [--port-file FILE] \
        [--client-id ID --client-secret SECRET] [--token-ttl SECONDS] [--quiet] \
        [--tls-cert CERT.pem --tls-key KEY.pem [--tls-client-ca CA.pem]]

With --tls-cert it serves HTTPS; with --tls-client-ca it also requires a client
certificate signed by that CA (mutual TLS, as PSD2 APIs do).

Admin endpoints (no authentication; the server only listens on loopback):
    POST /__admin/reset                    reset all state (tokens, records, log)
    POST /__admin/expire-tokens            expire every issued access token now
    GET  /__admin/requests                 last 200 API requests (Authorization redacted)
    GET  /__admin/state                    dump of the stateful records
    POST /__admin/webhooks/{creditNoteId}  deliver the webhook events of a credit note
    POST /__admin/credit-notes/{id}/status set a credit note's status: {"status": 13}
"""

import argparse
import base64
import binascii
import collections
import copy
import datetime
import email.parser
import email.policy
import json
import math
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 32 * 1024 * 1024
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_MIME_RE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$")
INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}
BR_TZ = datetime.timezone(datetime.timedelta(hours=-3))


def correlation_id():
    return "#" + secrets.token_hex(16)


def now_br():
    return datetime.datetime.now(BR_TZ).isoformat(timespec="microseconds")


def is_json_mime(mime):
    return bool(JSON_MIME_RE.match(mime or ""))


class MockError(Exception):
    """Raised by handlers to answer with a given status and (JSON) body."""

    def __init__(self, status, body=None, headers=None):
        Exception.__init__(self, status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def form_error(errors, message="Não foi possível validar os dados do formulário", status=400):
    """ECCOR-style INVALID_FORM error. errors: list of (key, message)."""
    return MockError(status, {
        "code": "INVALID_FORM",
        "message": message,
        "details": {"formErrors": [{"message": m, "key": k} for k, m in errors]},
        "correlationId": correlation_id(),
    })


def record_not_found(resource_id, permission, resource):
    return MockError(403, {
        "code": "RECORD_NOT_EXISTS_OR_MISSING_PERMISSION",
        "message": "Acesso negado. Registro não existe ou você não possui o nível de "
                   "permissão necessário para acessá-lo",
        "details": {"resourceId": resource_id, "permissionType": permission, "resource": resource},
        "correlationId": correlation_id(),
    })


# ---------------------------------------------------------------------------
# Document access and JSON-Schema validation
# ---------------------------------------------------------------------------

class Document:
    """An OpenAPI document with local $ref resolution."""

    def __init__(self, data, path):
        if not isinstance(data, dict) or "paths" not in data and "webhooks" not in data:
            raise ValueError("%s: not an OpenAPI document (no 'paths')" % path)
        self.data = data
        self.path = path
        ver = str(data.get("openapi", ""))
        if not ver.startswith("3."):
            raise ValueError("%s: only OpenAPI 3.x is supported (openapi=%r)" % (path, ver))
        self.is31 = ver.startswith("3.1")

    def pointer(self, ref):
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ValueError("unsupported $ref %r (only local references)" % (ref,))
        node = self.data
        frag = urllib.parse.unquote(ref[1:])
        if frag in ("", "/"):
            return node
        for tok in frag.lstrip("/").split("/"):
            tok = tok.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(tok)]
            else:
                node = node[tok]
        return node

    def deref(self, node):
        """Follow $ref chains of a non-schema object (parameter, response, example...)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            node = self.pointer(node["$ref"])
            seen += 1
            if seen > 64:
                raise ValueError("$ref loop")
        return node


def json_type_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def type_matches(value, t):
    jt = json_type_of(value)
    if t == jt:
        return True
    if t == "number" and jt == "integer":
        return True
    if t == "integer" and jt == "number" and math.isfinite(value) and float(value).is_integer():
        return True
    return False


def json_equal(a, b):
    """Equality with JSON semantics (true != 1, 1 == 1.0)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def join_path(base, key):
    if isinstance(key, int):
        return "%s[%d]" % (base, key)
    return key if not base else base + "." + key


def valid_datetime(s):
    m = DATETIME_RE.match(s)
    if not m:
        return False
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    try:
        datetime.date(y, mo, d)
    except ValueError:
        return False
    if h > 23 or mi > 59 or se > 60:
        return False
    if m.group(9) and (int(m.group(9)) > 23 or int(m.group(10)) > 59):
        return False
    return True


def valid_date(s):
    m = DATE_RE.match(s)
    if not m:
        return False
    try:
        datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return True
    except ValueError:
        return False


class Validator:
    """A small JSON-Schema validator covering what OpenAPI 3.0/3.1 documents use.

    mode is "request" (readOnly properties are not required) or "response"
    (writeOnly properties are not required).
    """

    def __init__(self, doc, mode="request"):
        self.doc = doc
        self.mode = mode
        self.depth = 0

    def errors(self, value, schema, path=""):
        out = []
        self._validate(value, schema, path, out)
        return out

    def is_valid(self, value, schema):
        return not self.errors(value, schema)

    def _validate(self, v, s, path, out):
        if s is True or s is None:
            return
        if s is False:
            out.append((path, "no value is allowed here"))
            return
        if not isinstance(s, dict):
            return
        self.depth += 1
        try:
            if self.depth > 200:
                out.append((path, "schema nesting too deep"))
                return
            if "$ref" in s:
                target = self.doc.pointer(s["$ref"])
                self._validate(v, target, path, out)
                if len(s) == 1:
                    return
            self._validate_keywords(v, s, path, out)
        finally:
            self.depth -= 1

    def _validate_keywords(self, v, s, path, out):
        # type / nullable
        types = s.get("type")
        nullable = s.get("nullable") is True
        if v is None and nullable:
            return
        if types is not None:
            tlist = types if isinstance(types, list) else [types]
            if not any(type_matches(v, t) for t in tlist):
                out.append((path, "invalid type: expected %s, got %s"
                            % (" or ".join(tlist), json_type_of(v))))
                return
        if "const" in s and not json_equal(v, s["const"]):
            out.append((path, "must be %s" % json.dumps(s["const"], ensure_ascii=False)))
        if isinstance(s.get("enum"), list) and not any(json_equal(v, e) for e in s["enum"]):
            out.append((path, "must be one of %s" % json.dumps(s["enum"], ensure_ascii=False)))
        if isinstance(v, str):
            self._string(v, s, path, out)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            self._number(v, s, path, out)
        elif isinstance(v, list):
            self._array(v, s, path, out)
        elif isinstance(v, dict):
            self._object(v, s, path, out)
        for sub in s.get("allOf") or []:
            self._validate(v, sub, path, out)
        if "anyOf" in s:
            best = None
            for sub in s["anyOf"]:
                errs = self.errors(v, sub, path)
                if not errs:
                    best = None
                    break
                if best is None or len(errs) < len(best):
                    best = errs
            else:
                out.extend(best or [(path, "does not match any allowed schema")])
        if "oneOf" in s:
            self._one_of(v, s, path, out)
        if "not" in s and self.is_valid(v, s["not"]):
            out.append((path, "must not match the excluded schema"))

    def _one_of(self, v, s, path, out):
        disc = s.get("discriminator")
        if isinstance(disc, dict) and isinstance(v, dict) and disc.get("propertyName"):
            prop = disc["propertyName"]
            if prop not in v:
                out.append((join_path(path, prop), "required"))
                return
            val = v[prop]
            target = None
            mapping = disc.get("mapping") or {}
            if isinstance(val, str) and val in mapping:
                ref = mapping[val]
                if not ref.startswith("#"):
                    ref = "#/components/schemas/" + ref
                target = {"$ref": ref}
            else:
                for sub in s["oneOf"]:
                    ref = sub.get("$ref", "") if isinstance(sub, dict) else ""
                    if isinstance(val, str) and ref.rsplit("/", 1)[-1] == val:
                        target = sub
                        break
            if target is None:
                allowed = sorted(mapping) or [sub.get("$ref", "").rsplit("/", 1)[-1]
                                              for sub in s["oneOf"] if isinstance(sub, dict)]
                out.append((join_path(path, prop), "must be one of %s" % json.dumps(allowed)))
                return
            self._validate(v, target, path, out)
            return
        matches = 0
        best = None
        for sub in s["oneOf"]:
            errs = self.errors(v, sub, path)
            if not errs:
                matches += 1
            elif best is None or len(errs) < len(best):
                best = errs
        if matches == 0:
            out.extend(best or [(path, "does not match any allowed schema")])
        elif matches > 1:
            out.append((path, "matches more than one allowed schema (oneOf)"))

    def _string(self, v, s, path, out):
        if "minLength" in s and len(v) < s["minLength"]:
            out.append((path, "must have at least %d characters" % s["minLength"]))
        if "maxLength" in s and len(v) > s["maxLength"]:
            out.append((path, "must have at most %d characters" % s["maxLength"]))
        if "pattern" in s:
            try:
                if not re.search(s["pattern"], v):
                    out.append((path, "does not match pattern %s" % s["pattern"]))
            except re.error:
                pass
        fmt = s.get("format")
        if fmt == "uuid" and not UUID_RE.match(v):
            out.append((path, "must be a UUID"))
        elif fmt == "date" and not valid_date(v):
            out.append((path, "must be a date (YYYY-MM-DD)"))
        elif fmt == "date-time" and not valid_datetime(v):
            out.append((path, "must be an RFC 3339 date-time"))
        elif fmt == "byte":
            try:
                base64.b64decode(v, validate=True)
            except (binascii.Error, ValueError):
                out.append((path, "must be base64"))

    def _number(self, v, s, path, out):
        fmt = s.get("format")
        if fmt in INT_RANGES and isinstance(v, int):
            lo, hi = INT_RANGES[fmt]
            if not lo <= v <= hi:
                out.append((path, "out of %s range" % fmt))
        if isinstance(v, float) and not math.isfinite(v):
            out.append((path, "must be finite"))
            return
        mn, mx = s.get("minimum"), s.get("maximum")
        emn, emx = s.get("exclusiveMinimum"), s.get("exclusiveMaximum")
        if isinstance(mn, (int, float)):
            if emn is True and v <= mn:
                out.append((path, "must be greater than %s" % mn))
            elif v < mn:
                out.append((path, "must be at least %s" % mn))
        if isinstance(mx, (int, float)):
            if emx is True and v >= mx:
                out.append((path, "must be less than %s" % mx))
            elif v > mx:
                out.append((path, "must be at most %s" % mx))
        if isinstance(emn, (int, float)) and not isinstance(emn, bool) and v <= emn:
            out.append((path, "must be greater than %s" % emn))
        if isinstance(emx, (int, float)) and not isinstance(emx, bool) and v >= emx:
            out.append((path, "must be less than %s" % emx))
        mo = s.get("multipleOf")
        if isinstance(mo, (int, float)) and mo > 0:
            q = v / mo
            if abs(q - round(q)) > 1e-9:
                out.append((path, "must be a multiple of %s" % mo))

    def _array(self, v, s, path, out):
        if "minItems" in s and len(v) < s["minItems"]:
            out.append((path, "must have at least %d items" % s["minItems"]))
        if "maxItems" in s and len(v) > s["maxItems"]:
            out.append((path, "must have at most %d items" % s["maxItems"]))
        if s.get("uniqueItems"):
            seen = set()
            for item in v:
                k = json.dumps(item, sort_keys=True)
                if k in seen:
                    out.append((path, "items must be unique"))
                    break
                seen.add(k)
        prefix = s.get("prefixItems") or []
        for i, item in enumerate(v):
            if i < len(prefix):
                self._validate(item, prefix[i], join_path(path, i), out)
            elif "items" in s:
                self._validate(item, s["items"], join_path(path, i), out)

    def _schema_flag(self, sub, flag):
        try:
            seen = 0
            while isinstance(sub, dict) and "$ref" in sub and seen < 32:
                if sub.get(flag) is True:
                    return True
                sub = self.doc.pointer(sub["$ref"])
                seen += 1
            return isinstance(sub, dict) and sub.get(flag) is True
        except (KeyError, ValueError, IndexError):
            return False

    def _object(self, v, s, path, out):
        props = s.get("properties") or {}
        for name in s.get("required") or []:
            if name not in v:
                sub = props.get(name)
                if self.mode == "request" and self._schema_flag(sub, "readOnly"):
                    continue
                if self.mode == "response" and self._schema_flag(sub, "writeOnly"):
                    continue
                out.append((join_path(path, name), "required"))
        if "minProperties" in s and len(v) < s["minProperties"]:
            out.append((path, "must have at least %d properties" % s["minProperties"]))
        if "maxProperties" in s and len(v) > s["maxProperties"]:
            out.append((path, "must have at most %d properties" % s["maxProperties"]))
        pprops = s.get("patternProperties") or {}
        addl = s.get("additionalProperties", True)
        for name, val in v.items():
            sub_path = join_path(path, name)
            matched = False
            if name in props:
                matched = True
                self._validate(val, props[name], sub_path, out)
            for pat, sub in pprops.items():
                try:
                    if re.search(pat, name):
                        matched = True
                        self._validate(val, sub, sub_path, out)
                except re.error:
                    pass
            if not matched:
                if addl is False:
                    out.append((sub_path, "unknown property"))
                elif isinstance(addl, dict):
                    self._validate(val, addl, sub_path, out)


class Synth:
    """Builds a minimal valid value from a schema (used when no example exists)."""

    def __init__(self, doc):
        self.doc = doc

    def value(self, s, depth=0):
        if depth > 20 or not isinstance(s, dict):
            return None
        if "$ref" in s:
            return self.value(self.doc.pointer(s["$ref"]), depth + 1)
        for key in ("const", "default", "example"):
            if key in s:
                return copy.deepcopy(s[key])
        if isinstance(s.get("examples"), list) and s["examples"]:
            return copy.deepcopy(s["examples"][0])
        if s.get("enum"):
            return copy.deepcopy(s["enum"][0])
        if s.get("allOf"):
            merged = {}
            for sub in s["allOf"]:
                part = self.value(sub, depth + 1)
                if isinstance(part, dict):
                    merged.update(part)
                elif part is not None:
                    return part
            base = {k: v for k, v in s.items() if k != "allOf"}
            if base.get("properties") or base.get("required"):
                extra = self.value(base, depth + 1)
                if isinstance(extra, dict):
                    merged.update(extra)
            return merged
        for key in ("oneOf", "anyOf"):
            if s.get(key):
                return self.value(s[key][0], depth + 1)
        t = s.get("type")
        if isinstance(t, list):
            non_null = [x for x in t if x != "null"]
            t = non_null[0] if non_null else "null"
        if t is None:
            t = "object" if "properties" in s else None
        if t == "object":
            props = s.get("properties") or {}
            obj = {}
            for name in s.get("required") or []:
                obj[name] = self.value(props.get(name, {}), depth + 1)
            return obj
        if t == "array":
            n = s.get("minItems", 0)
            return [self.value(s.get("items", {}), depth + 1) for _ in range(n)]
        if t == "string":
            fmt = s.get("format")
            if fmt == "uuid":
                return str(uuid.uuid4())
            if fmt == "date-time":
                return now_br()
            if fmt == "date":
                return datetime.date.today().isoformat()
            return "x" * max(s.get("minLength", 0), 0) or "string"
        if t == "integer":
            return int(s.get("minimum", 0) or 0)
        if t == "number":
            return s.get("minimum", 0) or 0
        if t == "boolean":
            return False
        return None


# ---------------------------------------------------------------------------
# API model: operations, routing
# ---------------------------------------------------------------------------

class Operation:
    def __init__(self, api, method, template, path_item, op):
        self.api = api
        self.doc = api.doc
        self.method = method.upper()
        self.template = template
        self.op = op
        self.operation_id = op.get("operationId") or "%s %s" % (self.method, template)
        params = {}
        for p in (path_item.get("parameters") or []) + (op.get("parameters") or []):
            p = self.doc.deref(p)
            if isinstance(p, dict) and "name" in p and "in" in p:
                params[(p["in"], p["name"] if p["in"] != "header" else p["name"].lower())] = p
        self.params = list(params.values())
        self.request_body = self.doc.deref(op.get("requestBody")) if op.get("requestBody") else None
        pattern = ""
        self.param_names = []
        for part in re.split(r"(\{[^}/]+\})", template):
            if part.startswith("{") and part.endswith("}"):
                name = part[1:-1]
                group = "p%d" % len(self.param_names)
                self.param_names.append(name)
                pattern += "(?P<%s>[^/]+)" % group
            else:
                pattern += re.escape(part)
        self.regex = re.compile("^" + pattern + "/?$")
        self.literal_len = len(re.sub(r"\{[^}/]+\}", "", template))
        self.security = op["security"] if "security" in op else api.doc.data.get("security") or []
        self.is_token_endpoint = (template.rstrip("/").endswith("/oauth2/token")
                                  or template in api.token_paths)

    def match(self, path):
        m = self.regex.match(path)
        if not m:
            return None
        return {name: urllib.parse.unquote(m.group("p%d" % i))
                for i, name in enumerate(self.param_names)}

    def success_response(self):
        responses = self.op.get("responses") or {}
        for code, resp in responses.items():
            c = str(code)
            if c.startswith("2"):
                status = int(c) if c.isdigit() else 200
                return status, self.doc.deref(resp)
        if "default" in responses:
            return 200, self.doc.deref(responses["default"])
        return 200, {}


class Api:
    def __init__(self, doc):
        self.doc = doc
        self.data = doc.data
        self.name = (self.data.get("info") or {}).get("title") or doc.path
        schemes = (self.data.get("components") or {}).get("securitySchemes") or {}
        self.schemes = {k: doc.deref(v) for k, v in schemes.items()}
        self.token_paths = set()
        self.scopes = set()
        for sch in self.schemes.values():
            if sch.get("type") == "oauth2":
                for flow in (sch.get("flows") or {}).values():
                    self.scopes.update((flow.get("scopes") or {}).keys())
                    if flow.get("tokenUrl"):
                        self.token_paths.add(urllib.parse.urlsplit(flow["tokenUrl"]).path or "/")
        self.base_path = ""
        servers = self.data.get("servers") or []
        if servers and isinstance(servers[0], dict):
            url = servers[0].get("url", "")
            url = re.sub(r"\{[^}]*\}", "", url)
            self.base_path = urllib.parse.urlsplit(url).path.rstrip("/")
        self.operations = []
        for template, item in (self.data.get("paths") or {}).items():
            item = doc.deref(item)
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    self.operations.append(Operation(self, method, template, item, item[method]))
        self.by_id = {op.operation_id: op for op in self.operations}

    def example_value(self, media):
        """First usable example of a media-type object, or (False, None)."""
        media = self.doc.deref(media) or {}
        for ex in (media.get("examples") or {}).values():
            ex = self.doc.deref(ex)
            if not isinstance(ex, dict) or ex.get("x-pontes-invalid") or "value" not in ex:
                continue
            return True, copy.deepcopy(ex["value"])
        if "example" in media:
            return True, copy.deepcopy(media["example"])
        return False, None

    def all_examples(self, media):
        media = self.doc.deref(media) or {}
        out = []
        for ex in (media.get("examples") or {}).values():
            ex = self.doc.deref(ex)
            if isinstance(ex, dict) and not ex.get("x-pontes-invalid") and "value" in ex:
                out.append(copy.deepcopy(ex["value"]))
        if not out and "example" in media:
            out.append(copy.deepcopy(media["example"]))
        return out

    def response_example(self, op_id, status_prefix="2"):
        op = self.by_id.get(op_id)
        if not op:
            return None
        for code, resp in (op.op.get("responses") or {}).items():
            if str(code).startswith(status_prefix):
                resp = self.doc.deref(resp)
                for mt, media in (resp.get("content") or {}).items():
                    ok, val = self.example_value(media)
                    if ok:
                        return val
        return None

    def request_example(self, op_id):
        op = self.by_id.get(op_id)
        if not op or not op.request_body:
            return None
        for media in (op.request_body.get("content") or {}).values():
            ok, val = self.example_value(media)
            if ok:
                return val
        return None


def load_spec(path):
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml  # noqa: only for development convenience
        except ImportError:
            raise SystemExit("mock_server: %s is YAML but PyYAML is not installed; "
                             "pass the JSON form (generated/<api>/openapi.json)" % path)
        data = yaml.safe_load(raw.decode("utf-8"))
        data = json.loads(json.dumps(data, default=str))  # YAML dates -> strings
    else:
        data = json.loads(raw.decode("utf-8"))
    return Document(data, path)


# ---------------------------------------------------------------------------
# Parameter coercion and body parsing
# ---------------------------------------------------------------------------

def resolved_schema(doc, s, depth=0):
    """Follow $ref and merge simple allOf to find the effective type/properties."""
    if not isinstance(s, dict) or depth > 20:
        return {}
    if "$ref" in s:
        return resolved_schema(doc, doc.pointer(s["$ref"]), depth + 1)
    if s.get("allOf"):
        merged = {k: v for k, v in s.items() if k != "allOf"}
        props = dict(merged.get("properties") or {})
        req = list(merged.get("required") or [])
        for sub in s["allOf"]:
            r = resolved_schema(doc, sub, depth + 1)
            props.update(r.get("properties") or {})
            req.extend(r.get("required") or [])
            if "type" in r and "type" not in merged:
                merged["type"] = r["type"]
        merged["properties"] = props
        merged["required"] = req
        return merged
    return s


def schema_types(doc, s):
    r = resolved_schema(doc, s)
    t = r.get("type")
    if t is None:
        for key in ("oneOf", "anyOf"):
            for sub in r.get(key) or []:
                st = schema_types(doc, sub)
                if st:
                    return st
        return []
    return t if isinstance(t, list) else [t]


def coerce_scalar(doc, raw, schema):
    """Convert a string from a query/path/header/form field to the schema's type."""
    types = schema_types(doc, schema)
    for t in types:
        if t == "integer":
            if re.match(r"^[+-]?\d+$", raw):
                return int(raw)
        elif t == "number":
            try:
                f = float(raw)
                if math.isfinite(f):
                    return int(raw) if re.match(r"^[+-]?\d+$", raw) else f
            except ValueError:
                pass
        elif t == "boolean":
            if raw.lower() in ("true", "false"):
                return raw.lower() == "true"
        elif t == "null":
            if raw in ("", "null"):
                return None
        elif t in ("string", "object", "array"):
            return raw
    if not types:
        return raw
    return raw  # leave as string: the validator reports the type mismatch


def coerce_param(doc, param, values):
    """values: list of raw strings (repeated query keys). Returns a Python value."""
    schema = param.get("schema") or {}
    if "content" in param and not schema:
        mt, media = next(iter(param["content"].items()))
        schema = media.get("schema") or {}
        if is_json_mime(mt):
            try:
                return json.loads(values[-1])
            except ValueError:
                return values[-1]
    types = schema_types(doc, schema)
    if "array" in types:
        items = resolved_schema(doc, schema).get("items") or {}
        explode = param.get("explode", param.get("style", "form") == "form")
        raw = values if explode or len(values) > 1 else values[0].split(",") if values[0] != "" else []
        return [coerce_scalar(doc, x, items) for x in raw]
    return coerce_scalar(doc, values[-1], schema)


def media_type_match(ctype, content):
    """Pick the media-type key of content that accepts the request Content-Type."""
    if not ctype:
        return None
    keys = list(content.keys())
    lk = {k.lower().split(";")[0].strip(): k for k in keys}
    if ctype in lk:
        return lk[ctype]
    major = ctype.split("/")[0]
    if major + "/*" in lk:
        return lk[major + "/*"]
    if is_json_mime(ctype):
        for k in lk:
            if is_json_mime(k):
                return lk[k]
    if "*/*" in lk:
        return lk["*/*"]
    return None


def parse_multipart(ctype_header, body):
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype_header.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
    if not msg.is_multipart():
        raise ValueError("not a multipart body")
    fields = {}
    for part in msg.iter_parts():
        disp = part.get("Content-Disposition", "")
        name = part.get_param("name", header="content-disposition")
        if not name or "form-data" not in disp.lower():
            raise ValueError("multipart part without Content-Disposition: form-data; name=...")
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields.setdefault(name, []).append({
            "filename": filename, "content_type": part.get_content_type(), "data": payload})
    return fields


# ---------------------------------------------------------------------------
# Stateful ECCOR behaviour
# ---------------------------------------------------------------------------

CIVIL_STATUS_PT = {"Married": "Casado", "Widowed": "Viúvo", "Separated": "Separado",
                   "Divorced": "Divorciado", "Single": "Solteiro"}
ACCOUNT_TYPE_PT = {"NaturalCheckingAccount": "Conta Corrente", "LegalCheckingAccount": "Conta Corrente",
                   "NaturalSavingsAccount": "Conta Poupança", "LegalSavingsAccount": "Conta Poupança"}
STATUS_NAMES = {0: "Draft", 1: "ComplianceApproval", 2: "SignaturesCollection", 3: "Liquidation",
                8: "CreditApproval", 12: "SignaturesValidation", 13: "PaymentRevision",
                14: "ManualLiquidation"}
STATUS_PT = {0: "Rascunho", 1: "Aprovação de Compliance", 2: "Coleta de Assinaturas", 3: "Liquidação",
             8: "Aprovação de Crédito", 12: "Validação de Assinaturas", 13: "Revisão de Pagamento",
             14: "Liquidação Manual"}
ECCOR_OPS = ("createNaturalPerson", "getNaturalPerson", "listNaturalPersons", "updateNaturalPerson",
             "addBankAccounts", "updateBankAccount", "deleteBankAccount", "createCreditNote",
             "submitCreditNoteApproval", "donePaymentRevision")
PERSON_INPUT_FIELDS = ("registrationNumber", "civilStatus", "birthDate", "nationality", "email", "phone",
                       "name", "occupation")


class EccorState:
    """Natural persons, bank accounts and credit notes of one ECCOR-like API."""

    def __init__(self, api, server):
        self.api = api
        self.server = server
        self.lock = threading.RLock()
        self.person_template = api.response_example("getNaturalPerson") or {}
        if not isinstance(self.person_template, dict):
            self.person_template = {}
        person_op = api.by_id.get("getNaturalPerson")
        self.person_schema = None
        if person_op:
            _, resp = person_op.success_response()
            for mt, media in (resp.get("content") or {}).items():
                self.person_schema = (self.api.doc.deref(media) or {}).get("schema")
                break
        self.account_templates = {}
        for acc in self.person_template.get("bankAccounts") or []:
            if isinstance(acc, dict):
                self.account_templates.setdefault(acc.get("operationTypeValue"), acc)
        self.reset()

    # -- helpers -------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.persons = {}
            self.deleted_accounts = {}  # account id -> person id
            self.credit_notes = {}
            self.products = set()
            listing = self.api.response_example("listProducts")
            for item in (listing or {}).get("data", []) if isinstance(listing, dict) else []:
                if isinstance(item, dict) and item.get("id"):
                    self.products.add(str(item["id"]).lower())
            if self.person_template.get("id"):
                self.persons[self.person_template["id"].lower()] = copy.deepcopy(self.person_template)
            listing = self.api.response_example("listNaturalPersons")
            for item in (listing or {}).get("data", []) if isinstance(listing, dict) else []:
                if isinstance(item, dict) and item.get("id") and item["id"].lower() not in self.persons:
                    self.persons[item["id"].lower()] = copy.deepcopy(item)
            # credit note of the examples (status 0 = draft)
            cn_id = self.api.response_example("createCreditNote")
            cn_req = self.api.request_example("createCreditNote")
            if isinstance(cn_id, str) and isinstance(cn_req, dict):
                self.credit_notes[cn_id.lower()] = {
                    "id": cn_id, "status": 0, "submitted": False,
                    "personId": str(cn_req.get("personId", "")).lower(),
                    "bankAccountId": str(cn_req.get("bankAccountId", "")).lower(),
                    "request": cn_req, "history": []}

    def _nullable(self, prop):
        """Whether the response schema lets NaturalPerson.<prop> be null."""
        if not self.person_schema:
            return True
        s = resolved_schema(self.api.doc, self.person_schema)
        sub = (s.get("properties") or {}).get(prop)
        if sub is None:
            return True
        return Validator(self.api.doc, "response").is_valid(None, sub)

    def _account(self, given, account_id=None, existing=None):
        if not isinstance(given, dict):
            given = {}
        op_type = given.get("operationTypeValue") or "Transfer"
        tmpl = self.account_templates.get(op_type) or next(iter(self.account_templates.values()), {})
        acc = copy.deepcopy(existing) if existing else copy.deepcopy(tmpl)
        stamp = now_br()
        if existing is None:
            acc["id"] = account_id or str(uuid.uuid4())
            acc["createdAt"] = stamp
        acc["updatedAt"] = stamp
        acc["operationTypeValue"] = op_type
        if op_type == "Pix":
            for k, v in (("bankCode", "0"), ("bankCodeCompe", 0), ("bankCodeDisplay", None),
                         ("bankIspb", None), ("account", None), ("accountDigit", None),
                         ("agency", None), ("agencyDigit", None), ("type", None), ("typeDisplay", None)):
                if k in acc or k in tmpl:
                    acc[k] = v
            acc["pixKeyTypeValue"] = given.get("pixKeyTypeValue")
            acc["keyPix"] = given.get("keyPix")
        else:
            bank = given.get("bankCode")
            acc["bankCode"] = None if bank is None else str(bank)
            if "bankCodeCompe" in acc:
                try:
                    acc["bankCodeCompe"] = int(bank)
                except (TypeError, ValueError):
                    acc["bankCodeCompe"] = 0
            if "bankCodeDisplay" in acc and existing is None and bank != tmpl.get("bankCode"):
                acc["bankCodeDisplay"] = None
            acc["account"] = None if given.get("account") is None else str(given.get("account"))
            acc["accountDigit"] = given.get("accountDigit")
            acc["agency"] = given.get("agency")
            acc["type"] = given.get("type")
            if "typeDisplay" in acc or "typeDisplay" in tmpl:
                acc["typeDisplay"] = ACCOUNT_TYPE_PT.get(given.get("type"))
            if "pixKeyTypeValue" in acc:
                acc["pixKeyTypeValue"] = None
            if "keyPix" in acc:
                acc["keyPix"] = None
        if "jointAccount" in given or "jointAccount" in acc:
            acc["jointAccount"] = bool(given.get("jointAccount", False))
        return acc

    def _apply_person(self, person, body, creating):
        for f in PERSON_INPUT_FIELDS:
            if f in body:
                person[f] = body[f]
            elif creating and f in person and self._nullable(f):
                person[f] = None
        if "civilStatus" in person and ("civilStatusDisplay" in person or "civilStatusDisplay" in body):
            person["civilStatusDisplay"] = CIVIL_STATUS_PT.get(person.get("civilStatus"))
        if "address" in body:
            addr = body["address"]
            if isinstance(addr, dict):
                base = person.get("address") if isinstance(person.get("address"), dict) else \
                    copy.deepcopy(self.person_template.get("address") or {})
                base = dict(base)
                for k in list(base):
                    if k not in addr and k != "ufDisplay":
                        base[k] = None
                base.update(addr)
                if "ufDisplay" in base and addr.get("uf") != (self.person_template.get("address") or {}).get("uf"):
                    base["ufDisplay"] = None
                person["address"] = base
            else:
                person["address"] = None
        elif creating and self._nullable("address"):
            person["address"] = None
        person["updatedAt"] = now_br()

    def _errors_for_accounts(self, accounts, prefix):
        errs = []
        for i, acc in enumerate(accounts):
            if not isinstance(acc, dict):
                continue
            key = "%s[%d]" % (prefix, i) if prefix is not None else None
            if acc.get("operationTypeValue", "Transfer") == "Transfer" and not acc.get("type"):
                errs.append(((key + ".type") if key else "type",
                             "Requerido para tipo de Operação 'Transferência'"))
        return errs

    def person(self, pid, permission="Read"):
        p = self.persons.get(pid.lower())
        if p is None:
            raise record_not_found(pid, permission, "NaturalPerson")
        return p

    def find_account(self, person, aid):
        for acc in person.get("bankAccounts") or []:
            if isinstance(acc, dict) and str(acc.get("id", "")).lower() == aid.lower():
                return acc
        return None

    # -- operations ------------------------------------------------------------
    BODY_TYPES = {"addBankAccounts": list}

    def handle(self, op_id, params, body):
        expected = self.BODY_TYPES.get(op_id, dict)
        if not isinstance(body, expected):
            if body is None and expected is dict:
                body = {}
            else:
                raise form_error([("body", "expected a JSON %s" % ("array" if expected is list else "object"))])
        with self.lock:
            return getattr(self, "op_" + op_id)(params, body)

    def op_createNaturalPerson(self, params, body):
        errs = self._errors_for_accounts(body.get("bankAccounts") or [], "bankAccounts")
        if errs:
            raise form_error(errs)
        pid = str(uuid.uuid4())
        person = copy.deepcopy(self.person_template)
        self._apply_person(person, body, creating=True)
        stamp = now_br()
        person["id"] = pid
        person["createdAt"] = stamp
        person["updatedAt"] = stamp
        if "updatedBy" in person:
            person["updatedBy"] = None
        person["bankAccounts"] = [self._account(a) for a in body.get("bankAccounts") or []]
        self.persons[pid] = person
        self.server.check_response_shape("getNaturalPerson", person)
        return None, pid

    def op_getNaturalPerson(self, params, body):
        return None, copy.deepcopy(self.person(params["personId"]))

    def op_listNaturalPersons(self, params, body):
        def ci(x):
            return (x or "").casefold() if isinstance(x, str) else ""
        out = []
        for p in self.persons.values():
            rn = params.get("registrationNumber")
            if rn and p.get("registrationNumber") != rn:
                continue
            ph = params.get("phone")
            if ph and p.get("phone") != ph:
                continue
            disp = params.get("personDisplay")
            if disp and ci(disp) not in ci(p.get("name")):
                continue
            ss = params.get("searchString")
            if ss and not any(ci(ss) in ci(p.get(k)) for k in ("name", "registrationNumber", "email", "phone")):
                continue
            out.append(copy.deepcopy(p))
        env = self.api.response_example("listNaturalPersons")
        if not isinstance(env, dict):
            env = {"page": 0, "totalPages": 1, "totalItems": 0, "data": [], "paginationToken": None}
        env["page"] = 0
        env["totalPages"] = 1 if out else 0
        env["totalItems"] = len(out)
        env["data"] = out
        if "paginationToken" in env:
            env["paginationToken"] = None
        return None, env

    def op_updateNaturalPerson(self, params, body):
        person = self.person(params["personId"], "Update")
        errs = self._errors_for_accounts(body.get("bankAccounts") or [], "bankAccounts")
        if errs:
            raise form_error(errs)
        self._apply_person(person, body, creating=False)
        if "bankAccounts" in body:
            old = {str(a.get("id", "")).lower(): a for a in person.get("bankAccounts") or []}
            new = []
            for given in body.get("bankAccounts") or []:
                gid = str(given.get("id") or "").lower()
                if gid and gid in old:
                    new.append(self._account(given, existing=old.pop(gid)))
                else:
                    new.append(self._account(given))
            for aid in old:
                self.deleted_accounts[aid] = person["id"].lower()
            person["bankAccounts"] = new
        return None, None

    def op_addBankAccounts(self, params, body):
        person = self.person(params["personId"], "Update")
        errs = self._errors_for_accounts(body, "")
        if errs:
            raise form_error(errs)
        ids = []
        for given in body:
            acc = self._account(given)
            person.setdefault("bankAccounts", []).append(acc)
            ids.append(acc["id"])
        return None, ids

    def op_updateBankAccount(self, params, body):
        person = self.person(params["personId"], "Update")
        acc = self.find_account(person, params["bankAccountId"])
        if acc is None:
            raise record_not_found(params["bankAccountId"], "Update", "BankAccount")
        errs = self._errors_for_accounts([body], None)
        if errs:
            raise form_error(errs)
        updated = self._account(body, existing=acc)
        acc.clear()
        acc.update(updated)
        return None, None

    def op_deleteBankAccount(self, params, body):
        person = self.person(params["personId"], "Delete")
        acc = self.find_account(person, params["bankAccountId"])
        if acc is None:
            raise record_not_found(params["bankAccountId"], "Delete", "BankAccount")
        person["bankAccounts"] = [a for a in person["bankAccounts"] if a is not acc]
        self.deleted_accounts[params["bankAccountId"].lower()] = person["id"].lower()
        return None, None

    def op_createCreditNote(self, params, body):
        errs = []
        product = str(body.get("productId", "")).lower()
        if self.products and product not in self.products:
            errs.append(("productId", "Produto não encontrado"))
        pid = str(body.get("personId", "")).lower()
        person = self.persons.get(pid)
        if person is None:
            errs.append(("personId", "Pessoa não encontrada"))
        bid = str(body.get("beneficiaryId", "") or "").lower()
        if bid and bid not in self.persons:
            errs.append(("beneficiaryId", "Beneficiário não encontrado"))
        aid = str(body.get("bankAccountId", "")).lower()
        if person is not None and self.find_account(person, aid) is None:
            errs.append(("bankAccountId", "Conta bancária não encontrada para a pessoa informada"))
        if errs:
            raise form_error(errs)
        cid = str(uuid.uuid4())
        self.credit_notes[cid] = {"id": cid, "status": 0, "submitted": False, "personId": pid,
                                  "bankAccountId": aid, "request": body, "history": []}
        return None, cid

    def credit_note(self, cid, permission):
        cn = self.credit_notes.get(cid.lower())
        if cn is None:
            raise record_not_found(cid, permission, "CreditNote")
        return cn

    def op_submitCreditNoteApproval(self, params, body):
        cn = self.credit_note(params["creditNoteId"], "SubmitApproval")
        person = self.persons.get(cn["personId"])
        if person is None or self.find_account(person, cn["bankAccountId"]) is None:
            raise MockError(400, {
                "code": "RECORD_IS_DELETED",
                "message": "A conta bancária selecionada foi excluída. Selecione outra conta para prosseguir.",
                "details": {"recordId": cn["bankAccountId"]},
                "correlationId": correlation_id()})
        if cn["status"] != 0:
            raise status_error(cn["status"], "Ação permitida apenas para operações em 'Rascunho'")
        cn["submitted"] = True
        return None, None

    def op_donePaymentRevision(self, params, body):
        cn = self.credit_note(params["creditNoteId"], "LiquidationPaymentRevision")
        if cn["status"] != 13:
            raise status_error(cn["status"], "Ação permitida apenas para operações em 'Revisão de Pagamento'")
        cn["paymentRevision"] = body.get("bankAccount")
        cn["history"].append([13, 3])
        cn["status"] = 3
        return None, None

    # -- webhooks ----------------------------------------------------------------
    def webhook_events(self, cid, transitions):
        hook = ((self.api.data.get("webhooks") or {}).get("creditNoteStatusChanged") or {})
        hook = self.api.doc.deref(hook)
        examples = []
        schema = None
        for method in HTTP_METHODS:
            op = hook.get(method)
            if isinstance(op, dict) and op.get("requestBody"):
                rb = self.api.doc.deref(op["requestBody"])
                for mt, media in (rb.get("content") or {}).items():
                    examples = self.api.all_examples(media)
                    schema = (self.api.doc.deref(media) or {}).get("schema")
                    break
                break
        if not examples:
            raise MockError(400, {"error": "the spec has no webhooks.creditNoteStatusChanged examples"})
        names = dict(STATUS_PT)
        for ex in examples:
            p = ex.get("parameters") if isinstance(ex, dict) else None
            if isinstance(p, dict):
                for k in ("old", "new"):
                    if isinstance(p.get(k + "Status"), int) and p.get(k + "StatusDisplay"):
                        names[p[k + "Status"]] = p[k + "StatusDisplay"]
        if transitions in (None, "all"):
            events = examples
        else:
            events = []
            for pair in transitions:
                old, new = int(pair[0]), int(pair[1])
                ev = next((e for e in examples if (e.get("parameters") or {}).get("oldStatus") == old
                           and (e.get("parameters") or {}).get("newStatus") == new), None)
                if ev is None:
                    ev = copy.deepcopy(next((e for e in examples
                                             if (e.get("parameters") or {}).get("newStatus") == new),
                                            examples[0]))
                    p = ev.setdefault("parameters", {})
                    p.update({"oldStatus": old, "oldStatusDisplay": names.get(old, str(old)),
                              "newStatus": new, "newStatusDisplay": names.get(new, str(new))})
                events.append(copy.deepcopy(ev))
        out = []
        for ev in events:
            ev = copy.deepcopy(ev)
            if isinstance(ev, dict):
                ev["id"] = cid
            out.append(ev)
        return out, schema


def status_error(status, message):
    return MockError(400, {
        "code": "INVALID_ACTION_FOR_STATUS",
        "message": message,
        "details": {"currentStatus": STATUS_NAMES.get(status, str(status))},
        "correlationId": correlation_id()})


# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------

class MockServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, apis, opts):
        if ":" in addr[0]:
            import socket
            self.address_family = socket.AF_INET6
        self.apis = apis
        self.opts = opts
        self.lock = threading.RLock()
        self.tokens = {}
        self.log = collections.deque(maxlen=200)
        self.eccor = {}
        for api in apis:
            if any(op_id in api.by_id for op_id in ECCOR_OPS):
                self.eccor[id(api)] = EccorState(api, self)
        self.tls = None
        if getattr(opts, "tls_cert", None):
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
            if getattr(opts, "tls_client_ca", None):
                ctx.verify_mode = ssl.CERT_REQUIRED
                ctx.load_verify_locations(opts.tls_client_ca)
            self.tls = ctx
        ThreadingHTTPServer.__init__(self, addr, Handler)

    def finish_request(self, request, client_address):
        # TLS handshake in the connection's own thread (a slow or failing client does not
        # hold up the accept loop); a failed handshake just closes the connection.
        if self.tls is None:
            return ThreadingHTTPServer.finish_request(self, request, client_address)
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except OSError as e:
            if not self.opts.quiet:
                sys.stderr.write("mock_server: TLS handshake with %s failed: %s\n" % (client_address[0], e))
            return
        try:
            ThreadingHTTPServer.finish_request(self, conn, client_address)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def reset(self):
        with self.lock:
            self.tokens.clear()
            self.log.clear()
        for st in self.eccor.values():
            st.reset()

    def warn(self, msg):
        if True:  # spec/shape warnings are printed even with --quiet
            sys.stderr.write("mock_server: warning: %s\n" % msg)
            sys.stderr.flush()

    def check_response_shape(self, op_id, value):
        """Log (never fail) when a synthesised stateful response does not fit the spec schema."""
        for api in self.apis:
            op = api.by_id.get(op_id)
            if not op:
                continue
            _, resp = op.success_response()
            for mt, media in (resp.get("content") or {}).items():
                schema = (api.doc.deref(media) or {}).get("schema")
                if schema is not None:
                    errs = Validator(api.doc, "response").errors(value, schema)
                    if errs:
                        self.warn("%s response does not match its schema: %s"
                                  % (op_id, "; ".join("%s: %s" % e for e in errs[:5])))
                return

    def route(self, method, path):
        """Returns (operation, path_params) or raises MockError(404/405)."""
        allowed = set()
        best = None
        for api in self.apis:
            candidates = [path]
            if api.base_path and path.startswith(api.base_path + "/"):
                candidates.append(path[len(api.base_path):])
            for cand in candidates:
                for op in api.operations:
                    params = op.match(cand)
                    if params is None:
                        continue
                    if op.method != method:
                        allowed.add(op.method)
                        continue
                    key = (cand == path, op.literal_len, -len(op.param_names))
                    if best is None or key > best[0]:
                        best = (key, op, params)
        if best:
            return best[1], best[2]
        if allowed:
            raise MockError(405, {"error": "method_not_allowed",
                                  "message": "%s not allowed; allowed: %s" % (method, ", ".join(sorted(allowed)))},
                            {"Allow": ", ".join(sorted(allowed))})
        raise MockError(404, {"error": "not_found", "message": "no operation matches %s %s" % (method, path)})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PontesMock/1.0"

    def version_string(self):
        return self.server_version

    # silence the default logging; we log ourselves
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    # -- plumbing -----------------------------------------------------------------
    def record_request(self, status):
        ctx = getattr(self, "log_ctx", None)
        if not ctx or ctx["recorded"]:
            return
        ctx["recorded"] = True
        hdrs = {}
        for k, v in self.headers.items():
            if k.lower() == "authorization":
                v = (v.split(" ", 1)[0] + " ***") if v else "***"
            hdrs[k] = v
        srv = self.server
        with srv.lock:
            srv.log.append({"method": self.command, "path": ctx["path"], "query": ctx["query"],
                            "headers": hdrs, "bodyLength": len(ctx["body"]), "status": status,
                            "operationId": self.op_id, "time": time.time()})

    def send(self, status, body=None, content_type="application/json; charset=utf-8", headers=None):
        if body is None:
            payload = b""
        elif isinstance(body, bytes):
            payload = body
        elif isinstance(body, str) and not content_type.startswith("application/json"):
            payload = body.encode("utf-8")
        else:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        # Log before answering, so a client that reads /__admin/requests right after
        # this response always sees this request.
        self.record_request(status)
        self.send_response(status)
        self.send_header("X-Request-Id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if payload:
            self.send_header("Content-Type", content_type)
        if status != 204 and not 100 <= status < 200:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(payload)
        self.status_sent = status

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise MockError(400, {"error": "bad_request", "message": "truncated chunked body"})
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise MockError(400, {"error": "bad_request", "message": "bad chunk size"})
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                total += size
                if total > MAX_BODY:
                    self.close_connection = True
                    raise MockError(413, {"error": "payload_too_large", "limit": MAX_BODY})
                data = self.rfile.read(size)
                if len(data) < size:
                    raise MockError(400, {"error": "bad_request", "message": "truncated chunk"})
                chunks.append(data)
                self.rfile.readline(3)
            return b"".join(chunks)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        try:
            n = int(cl)
            if n < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise MockError(400, {"error": "bad_request", "message": "invalid Content-Length"})
        if n > MAX_BODY:
            self.close_connection = True
            raise MockError(413, {"error": "payload_too_large", "limit": MAX_BODY})
        data = self.rfile.read(n) if n else b""
        if len(data) < n:
            self.close_connection = True
            raise MockError(400, {"error": "bad_request", "message": "truncated body"})
        return data

    def dispatch(self):
        self.status_sent = None
        self.op_id = None
        start = time.time()
        body = b""
        target = self.path
        if re.match(r"^https?://", target, re.I):  # absolute-form request target
            parts = urllib.parse.urlsplit(target)
            target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        path, _, query = target.split("#", 1)[0].partition("?")
        path = path or "/"
        self.log_ctx = {"path": path, "query": query, "body": b"", "recorded": path.startswith("/__admin/")}
        try:
            try:
                body = self.read_body()
                self.log_ctx["body"] = body
                if path.startswith("/__admin/"):
                    self.admin(path, body)
                else:
                    self.api_request(path, query, body)
            except MockError as e:
                if e.status == 401 and e.body is None:
                    self.send(401, None, headers=e.headers)
                else:
                    self.send(e.status, e.body, headers=e.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        except Exception as e:  # never crash on bad input
            import traceback
            traceback.print_exc()
            if self.status_sent is None:
                try:
                    self.send(500, {"error": "internal_error", "message": "%s: %s" % (type(e).__name__, e)})
                except OSError:
                    self.close_connection = True
            else:
                self.close_connection = True
        finally:
            srv = self.server
            self.record_request(self.status_sent)  # if send() never ran (e.g. a broken pipe)
            if not srv.opts.quiet:
                sys.stderr.write("%s %s %s -> %s %s (%.1f ms)\n" % (
                    self.client_address[0], self.command, self.path, self.status_sent,
                    self.op_id or "", (time.time() - start) * 1000))
                sys.stderr.flush()

    # -- admin ----------------------------------------------------------------------
    def admin(self, path, body):
        srv = self.server
        m = self.command
        if path == "/__admin/reset" and m == "POST":
            srv.reset()
            return self.send(200, {"reset": True})
        if path == "/__admin/expire-tokens" and m == "POST":
            with srv.lock:
                n = len(srv.tokens)
                for tok in srv.tokens:
                    srv.tokens[tok]["expires"] = 0
            return self.send(200, {"expired": n})
        if path == "/__admin/requests" and m == "GET":
            with srv.lock:
                return self.send(200, list(srv.log))
        if path == "/__admin/state" and m == "GET":
            out = {}
            for st in srv.eccor.values():
                with st.lock:
                    out[st.api.name] = {"persons": st.persons, "creditNotes": st.credit_notes,
                                        "deletedAccounts": st.deleted_accounts,
                                        "products": sorted(st.products)}
            return self.send(200, out)
        mm = re.match(r"^/__admin/credit-notes/([^/]+)/status$", path)
        if mm and m == "POST":
            req = self.admin_json(body)
            st, cn = self.find_credit_note(mm.group(1))
            with st.lock:
                cn["history"].append([cn["status"], int(req.get("status"))])
                cn["status"] = int(req.get("status"))
            return self.send(200, {"id": cn["id"], "status": cn["status"]})
        mm = re.match(r"^/__admin/webhooks/([^/]+)$", path)
        if mm and m == "POST":
            return self.deliver_webhooks(urllib.parse.unquote(mm.group(1)), self.admin_json(body))
        raise MockError(404, {"error": "not_found", "message": "unknown admin endpoint %s %s" % (m, path)})

    def admin_json(self, body):
        try:
            req = json.loads(body.decode("utf-8")) if body else {}
        except (ValueError, UnicodeDecodeError):
            raise MockError(400, {"error": "bad_request", "message": "admin body must be JSON"})
        if not isinstance(req, dict):
            raise MockError(400, {"error": "bad_request", "message": "admin body must be a JSON object"})
        return req

    def find_credit_note(self, cid):
        for st in self.server.eccor.values():
            cn = st.credit_notes.get(cid.lower())
            if cn is not None:
                return st, cn
        raise MockError(404, {"error": "not_found", "message": "unknown credit note %s" % cid})

    def deliver_webhooks(self, cid, req):
        url = req.get("url")
        if not isinstance(url, str):
            raise MockError(400, {"error": "bad_request", "message": "'url' is required"})
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise MockError(400, {"error": "bad_request",
                                  "message": "webhooks are only delivered to http://127.0.0.1 / localhost"})
        transitions = req.get("transitions", "all")
        if transitions != "all" and not (isinstance(transitions, list) and all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, int) for x in p)
                for p in transitions)):
            raise MockError(400, {"error": "bad_request",
                                  "message": "'transitions' must be \"all\" or a list of [old, new] integers"})
        st, cn = self.find_credit_note(cid)
        events, schema = st.webhook_events(cn["id"], transitions)
        statuses = []
        errors = []
        delivered = 0
        for ev in events:
            if schema is not None:
                errs = Validator(st.api.doc, "request").errors(ev, schema)
                if errs:
                    self.server.warn("webhook payload does not match its schema: %s"
                                     % "; ".join("%s: %s" % e for e in errs[:5]))
            data = json.dumps(ev, ensure_ascii=False).encode("utf-8")
            r = urllib.request.Request(url, data=data, method="POST",
                                       headers={"Content-Type": "application/json",
                                                "User-Agent": "PontesMock-Webhook/1.0"})
            code = None
            try:
                with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(r, timeout=10) as resp:
                    resp.read()
                    code = resp.status
            except urllib.error.HTTPError as e:
                code = e.code
            except (urllib.error.URLError, OSError) as e:
                errors.append(str(e))
            statuses.append(code)
            if code is not None and 200 <= code < 300:
                delivered += 1
            p = ev.get("parameters") if isinstance(ev, dict) else None
            if isinstance(p, dict) and isinstance(p.get("newStatus"), int):
                with st.lock:
                    cn["history"].append([cn["status"], p["newStatus"]])
                    cn["status"] = p["newStatus"]
        out = {"delivered": delivered, "statuses": statuses, "creditNoteStatus": cn["status"]}
        if errors:
            out["errors"] = errors
        return self.send(200, out)

    # -- API requests -------------------------------------------------------------------
    def api_request(self, path, query, body):
        srv = self.server
        op, path_params = srv.route(self.command, path)
        self.op_id = op.operation_id
        if op.is_token_endpoint:
            return self.token_endpoint(op, body)
        self.authenticate(op)
        params, parsed = self.validate_request(op, path_params, query, body)
        st = srv.eccor.get(id(op.api))
        if st is not None and op.operation_id in ECCOR_OPS:
            _, value = st.handle(op.operation_id, params, parsed)
            return self.respond(op, value, use_value=True)
        return self.respond(op)

    def token_endpoint(self, op, body):
        srv = self.server
        auth = self.headers.get("Authorization") or ""
        expected = base64.b64encode(("%s:%s" % (srv.opts.client_id, srv.opts.client_secret))
                                    .encode("utf-8")).decode("ascii")
        scheme, _, cred = auth.partition(" ")
        if scheme.lower() != "basic" or not secrets.compare_digest(cred.strip(), expected):
            raise MockError(401, {"error": "invalid_client"}, {"WWW-Authenticate": 'Basic realm="token"'})
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise MockError(400, {"error": "invalid_request",
                                  "error_description": "Content-Type must be application/x-www-form-urlencoded"})
        try:
            form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise MockError(400, {"error": "invalid_request"})
        grant = form.get("grant_type", [""])[-1]
        if not grant:
            raise MockError(400, {"error": "invalid_request"})
        if grant != "client_credentials":
            raise MockError(400, {"error": "unsupported_grant_type"})
        scope = form.get("scope", [""])[-1].split()
        scopes = op.api.scopes or set()
        for api in srv.apis:
            scopes = scopes | api.scopes
        if scopes and any(s not in scopes for s in scope):
            raise MockError(400, {"error": "invalid_scope"})
        granted = scope or sorted(scopes)
        token = secrets.token_urlsafe(32)
        ttl = srv.opts.token_ttl
        with srv.lock:
            now = time.time()
            for t in [t for t, v in srv.tokens.items() if v["expires"] < now - 3600]:
                del srv.tokens[t]
            srv.tokens[token] = {"expires": now + ttl, "scopes": set(granted)}
        return self.send(200, {"access_token": token, "expires_in": ttl, "token_type": "Bearer"},
                         content_type="application/json;charset=UTF-8",
                         headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def authenticate(self, op):
        if not op.security:
            return
        srv = self.server
        challenges = []
        for requirement in op.security:
            if not isinstance(requirement, dict):
                continue
            ok = True
            for name, scopes in requirement.items():
                scheme = op.api.schemes.get(name) or {}
                if not self.satisfies(scheme, scopes or [], challenges):
                    ok = False
            if ok:
                return
        headers = {}
        if challenges:
            headers["WWW-Authenticate"] = challenges[0]
        raise MockError(401, None, headers)

    def satisfies(self, scheme, scopes, challenges):
        srv = self.server
        stype = scheme.get("type")
        auth = self.headers.get("Authorization") or ""
        kind, _, cred = auth.partition(" ")
        cred = cred.strip()
        if stype == "oauth2" or stype == "openIdConnect" or (
                stype == "http" and str(scheme.get("scheme", "")).lower() == "bearer"):
            challenges.append("Bearer")
            if kind.lower() != "bearer" or not cred:
                return False
            with srv.lock:
                tok = srv.tokens.get(cred)
                if tok is None or tok["expires"] <= time.time():
                    return False
                if scopes and stype == "oauth2" and not set(scopes) <= tok["scopes"]:
                    raise MockError(403, {
                        "code": "MISSING_RESOURCE_PERMISSION",
                        "message": "Acesso negado. Você não possui o nível de permissão necessário "
                                   "para acessar este recurso",
                        "details": {"permissionType": "Scope", "resource": " ".join(scopes)},
                        "correlationId": correlation_id()})
            return True
        if stype == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            challenges.append('Basic realm="api"')
            expected = base64.b64encode(("%s:%s" % (srv.opts.client_id, srv.opts.client_secret))
                                        .encode("utf-8")).decode("ascii")
            return kind.lower() == "basic" and secrets.compare_digest(cred, expected)
        if stype == "apiKey":
            where, name = scheme.get("in"), scheme.get("name", "")
            if where == "header":
                return bool(self.headers.get(name))
            if where == "query":
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
                return bool(q.get(name, [""])[-1])
            if where == "cookie":
                return ("%s=" % name) in (self.headers.get("Cookie") or "")
            return False
        if stype == "mutualTLS":
            return False
        return True  # unknown scheme types are not enforced

    def validate_request(self, op, path_params, query, body):
        doc = op.doc
        val = Validator(doc, "request")
        errors = []
        params = {}
        qs = urllib.parse.parse_qs(query, keep_blank_values=True)
        for p in op.params:
            where, name = p["in"], p["name"]
            if where == "path":
                raw = [path_params.get(name, "")]
            elif where == "query":
                raw = qs.get(name)
            elif where == "header":
                if name.lower() in ("accept", "content-type", "authorization"):
                    continue
                h = self.headers.get_all(name)
                raw = [", ".join(h)] if h else None
            elif where == "cookie":
                raw = None
                for part in (self.headers.get("Cookie") or "").split(";"):
                    k, _, v = part.strip().partition("=")
                    if k == name:
                        raw = [urllib.parse.unquote(v)]
            else:
                continue
            if raw is None:
                if p.get("required") or where == "path":
                    errors.append((name, "required"))
                continue
            value = coerce_param(doc, p, raw)
            if value == "" and where == "query" and not p.get("required"):
                params[name] = value
                continue
            if "schema" in p:
                errors.extend(val.errors(value, p["schema"], name))
            params[name] = value
        parsed = None
        rb = op.request_body
        if rb is not None:
            content = rb.get("content") or {}
            ctype_header = self.headers.get("Content-Type") or ""
            ctype = ctype_header.split(";")[0].strip().lower()
            if not body:
                if rb.get("required"):
                    errors.append(("body", "request body is required"))
            else:
                key = media_type_match(ctype, content)
                if key is None:
                    raise form_error([("Content-Type", "unsupported Content-Type %r; expected one of %s"
                                       % (ctype or "(none)", ", ".join(content.keys())))], status=415)
                media = doc.deref(content[key]) or {}
                schema = media.get("schema")
                mt = key.lower().split(";")[0].strip()
                if is_json_mime(mt) or is_json_mime(ctype):
                    try:
                        parsed = json.loads(body.decode("utf-8-sig"),
                                            parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
                    except (ValueError, UnicodeDecodeError) as e:
                        raise form_error([("body", "malformed JSON: %s" % e)])
                    if schema is not None:
                        errors.extend(val.errors(parsed, schema, ""))
                elif mt == "application/x-www-form-urlencoded":
                    try:
                        form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
                    except UnicodeDecodeError:
                        raise form_error([("body", "form body is not UTF-8")])
                    parsed = self.validate_form(doc, val, schema, {k: v for k, v in form.items()}, errors)
                elif mt == "multipart/form-data":
                    try:
                        fields = parse_multipart(ctype_header, body)
                    except Exception as e:
                        raise form_error([("body", "malformed multipart body: %s" % e)])
                    parsed = self.validate_multipart(doc, val, schema, fields, errors)
                else:
                    parsed = body
        if errors:
            raise form_error([(k or "body", m) for k, m in errors])
        return params, parsed

    def validate_form(self, doc, val, schema, form, errors):
        s = resolved_schema(doc, schema) if schema else {}
        props = s.get("properties") or {}
        out = {}
        for name in s.get("required") or []:
            if name not in form:
                errors.append((name, "required"))
        for name, values in form.items():
            sub = props.get(name)
            if sub is None:
                if s.get("additionalProperties") is False:
                    errors.append((name, "unknown field"))
                out[name] = values[-1]
                continue
            value = coerce_param(doc, {"schema": sub, "explode": True}, values)
            errors.extend(val.errors(value, sub, name))
            out[name] = value
        return out

    def validate_multipart(self, doc, val, schema, fields, errors):
        s = resolved_schema(doc, schema) if schema else {}
        props = s.get("properties") or {}
        out = {}
        for name in s.get("required") or []:
            if name not in fields:
                errors.append((name, "required part is missing"))
        for name, parts in fields.items():
            sub = props.get(name)
            rs = resolved_schema(doc, sub) if sub else {}
            is_array = "array" in schema_types(doc, sub) if sub else False
            item = resolved_schema(doc, rs.get("items") or {}) if is_array else rs
            binary = item.get("format") in ("binary", "byte") or "contentMediaType" in item or \
                item.get("contentEncoding") is not None
            values = []
            for i, part in enumerate(parts):
                wants_json = is_json_mime(part["content_type"]) or item.get("type") in ("object", "array")
                if binary or (part["filename"] is not None and not wants_json and sub is None):
                    values.append(part["data"])
                    continue
                try:
                    text = part["data"].decode("utf-8")
                except UnicodeDecodeError:
                    errors.append((name, "part is not UTF-8 text"))
                    continue
                if wants_json:
                    try:
                        values.append(json.loads(text))
                    except ValueError:
                        errors.append((name, "part is not valid JSON"))
                        continue
                elif sub is not None:
                    values.append(coerce_scalar(doc, text, item))
                else:
                    values.append(text)
            if sub is not None and not binary:
                v = values if is_array else (values[-1] if values else None)
                if values:
                    errors.extend(val.errors(v, sub, name))
            elif sub is None and s.get("additionalProperties") is False:
                errors.append((name, "unknown part"))
            out[name] = values if is_array else (values[-1] if values else None)
        return out

    # -- responses ------------------------------------------------------------------------
    def respond(self, op, value=None, use_value=False):
        status, resp = op.success_response()
        content = resp.get("content") or {}
        headers = {}
        for hname, h in (resp.get("headers") or {}).items():
            h = op.doc.deref(h)
            if hname.lower() in ("content-type", "content-length") or not isinstance(h, dict):
                continue
            ok, v = op.api.example_value(h)
            if not ok and isinstance(h.get("schema"), dict):
                s = h["schema"]
                if "example" in s or "default" in s or (isinstance(s.get("examples"), list) and s["examples"]):
                    ok, v = True, Synth(op.doc).value(s)
            if ok and v is not None:
                headers[hname] = v if isinstance(v, str) else json.dumps(v)
        if status == 204 or not content:
            return self.send(status, None, headers=headers)
        key = self.negotiate(content)
        media = op.doc.deref(content[key]) or {}
        mt = key.split(";")[0].strip().lower()
        if use_value:
            if value is None:
                return self.send(status, None, headers=headers)
        else:
            ok, value = op.api.example_value(media)
            if not ok:
                value = Synth(op.doc).value(media.get("schema") or {})
        if is_json_mime(mt):
            return self.send(status, value, content_type=mt + "; charset=utf-8", headers=headers)
        if isinstance(value, (dict, list)):
            return self.send(status, value, content_type="application/json; charset=utf-8", headers=headers)
        if isinstance(value, bytes):
            return self.send(status, value, content_type=mt, headers=headers)
        text = "" if value is None else str(value)
        ctype = mt + ("; charset=utf-8" if mt.startswith("text/") or mt.endswith("xml") else "")
        return self.send(status, text.encode("utf-8"), content_type=ctype, headers=headers)

    def negotiate(self, content):
        keys = list(content.keys())
        accept = (self.headers.get("Accept") or "").lower()
        if accept:
            for part in accept.split(","):
                want = part.split(";")[0].strip()
                if want in ("*/*", ""):
                    break
                for k in keys:
                    kk = k.lower().split(";")[0].strip()
                    if kk == want or (want.endswith("/*") and kk.startswith(want[:-1])):
                        return k
        for k in keys:
            if is_json_mime(k.lower().split(";")[0].strip()):
                return k
        return keys[0]


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description="OpenAPI-driven mock HTTP server (stdlib only).")
    ap.add_argument("--spec", action="append", required=True,
                    help="OpenAPI document, JSON form (repeatable; .yaml needs PyYAML)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--port-file", help="write the bound port to this file")
    ap.add_argument("--client-id", default="pontes-demo")
    ap.add_argument("--client-secret", default="pontes-demo-secret")
    ap.add_argument("--token-ttl", type=int, default=3600, help="access-token lifetime in seconds")
    ap.add_argument("--quiet", action="store_true", help="no per-request log lines on stderr")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM; chain allowed)")
    ap.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    ap.add_argument("--tls-client-ca", help="require a client certificate signed by this CA (mutual TLS)")
    return ap.parse_args(argv)


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    apis = []
    for path in opts.spec:
        try:
            apis.append(Api(load_spec(path)))
        except (OSError, ValueError, KeyError) as e:
            sys.stderr.write("mock_server: cannot load %s: %s\n" % (path, e))
            return 2
    try:
        server = MockServer((opts.host, opts.port), apis, opts)
    except OSError as e:
        sys.stderr.write("mock_server: cannot listen on %s:%s: %s\n" % (opts.host, opts.port, e))
        return 2
    if opts.tls_cert and not opts.tls_key:
        sys.stderr.write("mock_server: --tls-cert needs --tls-key\n")
        return 2
    port = server.server_address[1]
    host = opts.host if ":" not in opts.host else "[%s]" % opts.host
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, opts.port_file)
    sys.stdout.write("listening on %s://%s:%d\n" % ("https" if opts.tls_cert else "http", host, port))
    sys.stdout.flush()
    while not stop.is_set():
        stop.wait(0.1)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
