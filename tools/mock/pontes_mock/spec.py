"""The API model: an OpenAPI document, its operations (method, path template, parameters,
request body, security) and its examples.

``load_spec`` reads ``generated/<api>/openapi.json`` (YAML only if PyYAML happens to be
installed).  ``Api.name`` is the spec's ``info.title``; ``Api.key`` is its ``x-pontes-api``
(the name per-API state modules are found by, see plugins.py).
"""

import copy
import json
import re
import urllib.parse

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_MIME_RE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def is_json_mime(mime):
    return bool(JSON_MIME_RE.match(mime or ""))


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
        self.key = self.data.get("x-pontes-api")  # names the per-API state module
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
