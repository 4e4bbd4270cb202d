"""Request validation: parameters (path, query, header, cookie) coerced from text to their
schema types, bodies (JSON, form, multipart) parsed and checked against the schemas.

``validate_request`` returns ``(params, parsed_body)`` or raises the INVALID_FORM error
(415 for an unsupported Content-Type) listing every problem with its JSON path.  An optional
``tolerate(key, message, value)`` drops the problems it returns true for (the per-API state's
``ApiState.tolerate``: a value the real API is known to accept although the spec says otherwise).
"""

import email.parser
import email.policy
import json
import math
import re
import urllib.parse

from .errors import form_error
from .schema import Validator, resolved_schema, schema_types
from .spec import is_json_mime


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


PATH_TOKEN_RE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def value_at(value, path):
    """The member of value at a validator path ("a.b[0].c"); None when absent."""
    for name, index in PATH_TOKEN_RE.findall(path or ""):
        if index:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
        else:
            value = value.get(name) if isinstance(value, dict) else None
    return value


def validate_request(op, headers, path_params, query, body, tolerate=None):
    """Returns (params, parsed_body); raises form_error listing every problem (but those
    tolerate(key, message, value) accepts)."""
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
            h = headers.get_all(name)
            raw = [", ".join(h)] if h else None
        elif where == "cookie":
            raw = None
            for part in (headers.get("Cookie") or "").split(";"):
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
            errors.extend(e for e in val.errors(value, p["schema"], name)
                          if tolerate is None or not tolerate(e[0], e[1], value))
        params[name] = value
    parsed = None
    rb = op.request_body
    if rb is not None:
        content = rb.get("content") or {}
        ctype_header = headers.get("Content-Type") or ""
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
                    errors.extend(e for e in val.errors(parsed, schema, "")
                                  if tolerate is None or not tolerate(e[0], e[1], value_at(parsed, e[0])))
            elif mt == "application/x-www-form-urlencoded":
                try:
                    form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
                except UnicodeDecodeError:
                    raise form_error([("body", "form body is not UTF-8")])
                parsed = validate_form(doc, val, schema, {k: v for k, v in form.items()}, errors)
            elif mt == "multipart/form-data":
                try:
                    fields = parse_multipart(ctype_header, body)
                except Exception as e:
                    raise form_error([("body", "malformed multipart body: %s" % e)])
                parsed = validate_multipart(doc, val, schema, fields, errors)
            else:
                parsed = body
    if errors:
        raise form_error([(k or "body", m) for k, m in errors])
    return params, parsed


def validate_form(doc, val, schema, form, errors):
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


def validate_multipart(doc, val, schema, fields, errors):
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
        if sub is not None and not is_array and len(parts) > 1:
            errors.append((name, "expected one part, got %d" % len(parts)))
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
