"""Tests of the mock's generic core (tools/mock/pontes_mock) without any API state module,
and of the per-API state interface (plugins.py), on small inline specs.

Run from the repository root:  python3 -m unittest discover -s tests/mock -v
"""

import copy
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MOCK_DIR = os.path.join(ROOT, "tools", "mock")
sys.path.insert(0, MOCK_DIR)

from pontes_mock import Answer, ApiState, MockError, admin_json, register  # noqa: E402
from pontes_mock.cli import parse_args  # noqa: E402
from pontes_mock.plugins import state_class_for  # noqa: E402
from pontes_mock.server import MockServer  # noqa: E402
from pontes_mock.spec import Api, Document  # noqa: E402

TINY = {
    "openapi": "3.0.3",
    "info": {"title": "Tiny", "version": "1"},
    "x-pontes-api": "coretest_tiny",
    "servers": [{"url": "http://localhost/api/v1"}],
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        "schemas": {"Thing": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "minLength": 2},
            "n": {"type": "integer", "format": "int32"}}}},
    },
    "paths": {
        "/things/{id}": {
            "get": {"operationId": "getThing",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Thing"},
                        "example": {"name": "example thing", "n": 7}}}}}},
            "delete": {"operationId": "deleteThing",
                       "parameters": [{"name": "id", "in": "path", "required": True,
                                       "schema": {"type": "integer"}}],
                       "responses": {"204": {"description": "gone"}}},
        },
        "/things": {
            "post": {"operationId": "createThing", "security": [{"key": []}],
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Thing"}}}},
                     "responses": {"201": {"description": "created", "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Thing"}}}}}},
        },
    },
}


class Served:
    """An in-process MockServer on a free loopback port, for a `with` block."""

    def __init__(self, *docs):
        self.apis = [Api(Document(copy.deepcopy(d), "inline")) for d in docs]

    def __enter__(self):
        opts = parse_args(["--spec", "inline", "--quiet"])
        self.server = MockServer(("127.0.0.1", 0), self.apis, opts)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.port = self.server.server_address[1]
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            h = dict(headers or {})
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                h.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            payload = resp.read()
            parsed = json.loads(payload) if payload else None
            return resp.status, parsed, resp
        finally:
            conn.close()


def form_keys(body):
    return [e["key"] for e in body["details"]["formErrors"]]


class GenericCore(unittest.TestCase):
    """Tiny spec, no state module: everything comes from the spec."""

    @classmethod
    def setUpClass(cls):
        cls.s = Served(TINY).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.s.__exit__(None, None, None)

    def test_example_answer(self):
        for path in ("/things/5", "/api/v1/things/5"):  # with and without the servers base path
            status, body, resp = self.s.request("GET", path)
            self.assertEqual(status, 200, path)
            self.assertEqual(body, {"name": "example thing", "n": 7})
            self.assertTrue(resp.getheader("Content-Type").startswith("application/json"))

    def test_no_content(self):
        status, body, _ = self.s.request("DELETE", "/things/5")
        self.assertEqual((status, body), (204, None))

    def test_routing_404_405(self):
        status, body, _ = self.s.request("GET", "/nothing/here")
        self.assertEqual(status, 404)
        self.assertEqual(body["error"], "not_found")
        status, body, resp = self.s.request("PUT", "/things/5")
        self.assertEqual(status, 405)
        self.assertEqual(resp.getheader("Allow"), "DELETE, GET")

    def test_parameter_validation(self):
        status, body, _ = self.s.request("GET", "/things/abc")
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "INVALID_FORM")
        self.assertEqual(form_keys(body), ["id"])

    def test_security_scheme(self):
        status, _, _ = self.s.request("POST", "/things", {"name": "ok"})
        self.assertEqual(status, 401)

    def test_body_validation(self):
        status, body, _ = self.s.request("POST", "/things", {"name": "x", "n": 2**40},
                                         {"X-Key": "k"})
        self.assertEqual(status, 400)
        self.assertEqual(sorted(form_keys(body)), ["n", "name"])
        status, body, _ = self.s.request("POST", "/things", {}, {"X-Key": "k"})
        self.assertEqual((status, form_keys(body)), (400, ["name"]))

    def test_synthesised_answer(self):
        # no example for 201: a minimal value valid against the schema
        status, body, _ = self.s.request("POST", "/things", {"name": "ok"}, {"X-Key": "k"})
        self.assertEqual((status, body), (201, {"name": "xx"}))

    def test_admin_without_state(self):
        self.s.request("GET", "/things/1")
        self.assertEqual(self.s.request("GET", "/__admin/state")[:2], (200, {}))
        self.assertEqual(self.s.request("POST", "/__admin/webhooks/x")[0], 404)
        status, log, _ = self.s.request("GET", "/__admin/requests")
        self.assertEqual(status, 200)
        self.assertTrue(any(e["operationId"] == "getThing" for e in log))


# -- the per-API state interface --------------------------------------------------------

@register("coretest_stateful")
class Stateful(ApiState):
    def __init__(self, api, server):
        ApiState.__init__(self, api, server)
        self.resets = 0
        self.reset()

    def reset(self):
        self.resets += 1
        self.things = {}

    def handle(self, operation_id, request):
        if operation_id == "createThing":
            if request.body["name"] == "taken":
                raise MockError(409, {"code": "CONFLICT"})
            self.things[request.body["name"]] = request.body
            return Answer(dict(request.body, n=len(self.things)))
        if operation_id == "deleteThing" and request.params["id"] == 99:
            return Answer({"odd": True}, status=202, headers={"X-Odd": "yes"})
        if operation_id == "deleteThing" and request.params["id"] == 666:
            return "not an Answer"
        return None

    def admin(self, method, path, body):
        if path == "/__admin/things" and method == "POST":
            return Answer({"count": len(self.things), "echo": admin_json(body)})
        return None

    def dump(self):
        return {"things": sorted(self.things)}


STATEFUL = dict(copy.deepcopy(TINY), **{"x-pontes-api": "coretest_stateful",
                                        "info": {"title": "Stateful", "version": "1"}})


class StateInterface(unittest.TestCase):
    def test_handle_answer_fallback_error(self):
        with Served(STATEFUL) as s:
            key = {"X-Key": "k"}
            status, body, _ = s.request("POST", "/things", {"name": "first"}, key)
            self.assertEqual((status, body), (201, {"name": "first", "n": 1}))  # documented status
            status, body, _ = s.request("GET", "/things/1")
            self.assertEqual((status, body["name"]), (200, "example thing"))  # None: the example
            status, body, resp = s.request("DELETE", "/things/99")
            self.assertEqual((status, body, resp.getheader("X-Odd")), (202, {"odd": True}, "yes"))
            self.assertEqual(s.request("POST", "/things", {"name": "taken"}, key)[:2],
                             (409, {"code": "CONFLICT"}))
            self.assertEqual(s.request("DELETE", "/things/666")[0], 500)  # a state bug: 500
            # validation runs before the state: an invalid body never reaches handle()
            self.assertEqual(s.request("POST", "/things", {"name": 3}, key)[0], 400)
            self.assertEqual(s.request("GET", "/__admin/state")[1], {"Stateful": {"things": ["first"]}})
            self.assertEqual(s.request("POST", "/__admin/things", {"a": 1})[:2],
                             (200, {"count": 1, "echo": {"a": 1}}))
            self.assertEqual(s.request("POST", "/__admin/things", [1])[0], 400)
            self.assertEqual(s.request("POST", "/__admin/other")[0], 404)
            st = s.server.states[id(s.apis[0])]
            self.assertEqual(s.request("POST", "/__admin/reset")[0], 200)
            self.assertEqual((st.resets, st.things), (2, {}))

    def test_two_apis_one_state(self):
        with Served(TINY, STATEFUL) as s:
            self.assertEqual(len(s.server.states), 1)
            self.assertIsInstance(s.server.states[id(s.apis[1])], Stateful)

    def test_discovery_by_name(self):
        def api(**extra):
            return Api(Document(dict(copy.deepcopy(TINY), **extra), "inline"))
        eccor = state_class_for(api(**{"x-pontes-api": "eccor"}))
        self.assertEqual((eccor.__module__, eccor.api_key), ("pontes_mock.apis.eccor", "eccor"))
        self.assertIs(state_class_for(api(**{"x-pontes-api": "coretest_stateful"})), Stateful)
        self.assertIsNone(state_class_for(api(**{"x-pontes-api": "no_such_api"})))
        self.assertIsNone(state_class_for(api(**{"x-pontes-api": "../bad name"})))
        self.assertIsNone(state_class_for(api()))
        # a spec without its module but with ECCOR operations: recognised by operationId
        paths = {"/p": {"get": {"operationId": "getNaturalPerson", "responses": {"200": {"description": "ok"}}}}}
        self.assertIs(state_class_for(api(paths=paths, **{"x-pontes-api": "other"})), eccor)

    def test_register_needs_api_state(self):
        with self.assertRaises(TypeError):
            register("coretest_bad")(object)


# -- optional hooks: authenticate, error, page, expire_tokens, add_arguments; raw JSON --------

@register("coretest_hooks")
class Hooks(ApiState):
    """Its own auth (X-Key must be "good"), its own error body, a page, decimal amounts."""

    expired = 0

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument("--coretest-hooks-flag", default="dflt")

    def authenticate(self, op, headers, target):
        if headers.get("X-Key") == "good":
            return True
        if headers.get("X-Key") == "core":
            return None  # the core checks op's security (present: accepted)
        raise MockError(401, {"why": "bad key"})

    def error(self, op, exc, path):
        if op is None and not path.startswith("/hooked/"):
            return None
        return MockError(exc.status if exc.status != 404 else 400,
                         {"mine": exc.status, "op": op.operation_id if op else None})

    def page(self, method, path, query, headers, body):
        if path == "/hooked/page":
            return Answer("<p>%s</p>" % query, 302, {"Location": "http://x/?" + query},
                          content_type="text/html; charset=utf-8")
        return None

    def handle(self, operation_id, request):
        import decimal
        from pontes_mock.jsontext import Raw
        if operation_id == "createThing":
            return Answer({"name": "d", "n": decimal.Decimal("995.0000"), "raw": Raw("[1.50, -0.0100]")})
        return None

    def expire_tokens(self):
        Hooks.expired += 1
        return 3

    def tolerate(self, op, key, message, value):
        # a body member (the value looked up by its path) and a path parameter the "real API" takes
        return (key, value) in (("name", "x"), ("id", "abc"))


HOOKS = dict(copy.deepcopy(TINY), **{"x-pontes-api": "coretest_hooks",
                                     "info": {"title": "Hooks", "version": "1"}})
HOOKS["paths"]["/upload"] = {"post": {"operationId": "upload", "requestBody": {"content": {
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"204": {"description": "ok"}}}}


class OptionalHooks(unittest.TestCase):
    def test_hooks(self):
        self.assertEqual(parse_args(["--spec", "x"]).coretest_hooks_flag, "dflt")
        with Served(HOOKS) as s:
            status, body, resp = s.request("POST", "/things", {"name": "ok"}, {"X-Key": "good"})
            self.assertEqual(status, 201)
            self.assertEqual(body, {"name": "d", "n": 995.0, "raw": [1.5, -0.01]})
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            conn.request("POST", "/things", body=b'{"name": "ok"}',
                         headers={"X-Key": "good", "Content-Type": "application/json"})
            text = conn.getresponse().read().decode()
            conn.close()
            self.assertIn('"n": 995.0000', text)   # Decimal written with its digits
            self.assertIn('"raw": [1.50, -0.0100]', text)
            # the state's own errors are sent as raised (error() rewrites the core's only)
            self.assertEqual(s.request("POST", "/things", {"name": "ok"}, {"X-Key": "bad"})[:2],
                             (401, {"why": "bad key"}))
            # core check after the hook declines; a validation error goes through error()
            self.assertEqual(s.request("POST", "/things", {"name": 1}, {"X-Key": "core"})[:2],
                             (400, {"mine": 400, "op": "createThing"}))
            # no operation matches: page(), then error() with op None
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            conn.request("GET", "/hooked/page?a=1")
            r = conn.getresponse()
            self.assertEqual((r.status, r.getheader("Location"), r.read()), (302, "http://x/?a=1", b"<p>a=1</p>"))
            self.assertTrue(r.getheader("Content-Type").startswith("text/html"))
            conn.close()
            self.assertEqual(s.request("GET", "/hooked/none")[:2], (400, {"mine": 404, "op": None}))
            self.assertEqual(s.request("GET", "/other")[0], 404)
            # tolerate(): the problems it accepts are dropped, the others still refused
            self.assertEqual(s.request("POST", "/things", {"name": "x"}, {"X-Key": "good"})[0], 201)
            self.assertEqual(s.request("POST", "/things", {"name": "y"}, {"X-Key": "good"})[:2],
                             (400, {"mine": 400, "op": "createThing"}))
            self.assertEqual(s.request("POST", "/things", {"name": "x", "n": "7"}, {"X-Key": "good"})[0], 400)
            self.assertEqual(s.request("GET", "/things/abc", headers={"X-Key": "good"})[0], 200)
            self.assertEqual(s.request("GET", "/things/abd", headers={"X-Key": "good"})[0], 400)
            self.assertEqual(s.request("POST", "/__admin/expire-tokens")[1], {"expired": 3})
            # a non-array multipart property sent twice
            bnd = "b0undary"
            part = ('--%s\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nx\r\n' % bnd)
            raw = (part * 2 + "--%s--\r\n" % bnd).encode()
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            conn.request("POST", "/upload", body=raw, headers={
                "X-Key": "good", "Content-Type": "multipart/form-data; boundary=" + bnd})
            r = conn.getresponse()
            self.assertEqual((r.status, json.loads(r.read())), (400, {"mine": 400, "op": "upload"}))
            conn.close()


class BodyLimits(unittest.TestCase):
    """Oversized bodies are answered (413, through the state's error()), not dropped."""

    def setUp(self):
        from pontes_mock import server as srvmod
        self.srvmod = srvmod
        self.saved = (srvmod.MAX_BODY, srvmod.DRAIN_MAX)
        srvmod.MAX_BODY, srvmod.DRAIN_MAX = 1000, 5000

    def tearDown(self):
        self.srvmod.MAX_BODY, self.srvmod.DRAIN_MAX = self.saved

    def raw(self, port, head, body=b"", read_100=False):
        import socket
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            sock.sendall(head)
            if body:
                try:
                    sock.sendall(body)
                except OSError:
                    pass
            f = sock.makefile("rb")
            resp = http.client.HTTPResponse(sock)
            resp.begin()
            data = resp.read()
            return resp.status, data, resp.getheader("Connection")
        finally:
            sock.close()

    def test_limits(self):
        with Served(HOOKS) as s:
            head = ("POST /things HTTP/1.1\r\nHost: x\r\nX-Key: good\r\nContent-Type: application/json\r\n"
                    "Content-Length: %d\r\n\r\n")
            # just over the limit with Content-Length: read, dropped, answered; connection kept
            st, data, conn = self.raw(s.port, (head % 1001).encode(), b"x" * 1001)
            self.assertEqual((st, json.loads(data), conn), (413, {"mine": 413, "op": "createThing"}, None))
            # far over the drain limit: answered, then closed
            st, data, conn = self.raw(s.port, (head % 10**9).encode())
            self.assertEqual((st, conn), (413, "close"))
            # Expect: 100-continue: the 413 comes before any body byte is sent
            h = head.replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n")
            st, data, conn = self.raw(s.port, (h % 1001).encode())
            self.assertEqual((st, json.loads(data)["mine"], conn), (413, 413, "close"))
            # chunked over the limit: read to its end, answered
            chunked = ("POST /things HTTP/1.1\r\nHost: x\r\nX-Key: good\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n").encode()
            body = b"".join(b"%x\r\n%s\r\n" % (600, b"y" * 600) for _ in range(3)) + b"0\r\n\r\n"
            st, data, conn = self.raw(s.port, chunked, body)
            self.assertEqual((st, json.loads(data)["mine"], conn), (413, 413, None))
            # within the limit: fine
            st, data, _ = self.raw(s.port, (head % 14).encode(), b'{"name": "ok"}')
            self.assertEqual(st, 201)


class Layout(unittest.TestCase):
    def test_core_knows_no_api(self):
        core = os.path.join(MOCK_DIR, "pontes_mock")
        pat = re.compile(r"eccor|naturalperson|natural_person|creditnote|credit.note|fgts|bestbank|best.bank|"
                         r"bizapis|oauth_consumer|responsabilidade|bctt|partnersportal", re.I)
        for name in sorted(os.listdir(core)):
            if name.endswith(".py"):
                with open(os.path.join(core, name), encoding="utf-8") as f:
                    hits = [i + 1 for i, line in enumerate(f) if pat.search(line)]
                self.assertEqual(hits, [], "%s names an API on lines %s" % (name, hits))

    def test_old_script_gone(self):
        self.assertFalse(os.path.exists(os.path.join(ROOT, "tools", "mock_server.py")))

    def test_command_line(self):
        flags = ["--spec", "--host", "--port", "--port-file", "--client-id", "--client-secret",
                 "--token-ttl", "--quiet", "--tls-cert", "--tls-key", "--tls-client-ca"]
        for cmd in ([sys.executable, os.path.join(MOCK_DIR, "mock_server.py"), "--help"],
                    [sys.executable, "-m", "pontes_mock", "--help"]):
            out = subprocess.run(cmd, cwd=MOCK_DIR, capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            found = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", out.stdout)) - {"--help"}
            self.assertEqual(sorted(found & set(flags)), sorted(flags), cmd)
            # every other flag is an API state module's own, named after it (--<module>-...)
            mods = [n[:-3] for n in os.listdir(os.path.join(MOCK_DIR, "pontes_mock", "apis"))
                    if n.endswith(".py") and n != "__init__.py"]
            for flag in found - set(flags):
                self.assertTrue(any(flag.startswith("--%s-" % m) for m in mods), flag)
        out = subprocess.run([sys.executable, os.path.join(MOCK_DIR, "mock_server.py"),
                              "--spec", "/nonexistent.json"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2)
        self.assertIn("mock_server: cannot load /nonexistent.json", out.stderr)


if __name__ == "__main__":
    unittest.main()
