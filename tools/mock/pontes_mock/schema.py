"""JSON Schema as OpenAPI 3.0/3.1 documents use it: validation and value synthesis.

``Validator`` checks a value against a schema (``mode`` "request" does not require readOnly
properties, "response" does not require writeOnly ones); ``Synth`` builds a minimal valid value
when a spec has no example; ``resolved_schema`` / ``schema_types`` look through $ref and allOf.
"""

import base64
import binascii
import copy
import datetime
import decimal
import json
import math
import re
import uuid

from .errors import now_local

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$")
INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


def json_type_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (float, decimal.Decimal)):
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
                base64.b64decode(re.sub(r"\s+", "", v), validate=True)  # line breaks allowed
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
                return now_local()
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
