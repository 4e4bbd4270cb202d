#!/usr/bin/env python3
"""Tests of the `pontes` tool and `pontes-demo` (one case per ctest test).

usage: test_cli.py --pontes PATH --demo PATH --root SOURCE_DIR CASE

The `call_*` and `demo` cases start tools/mock/mock_server.py on a free port and stop it
at the end. Exit 0 = pass; any failure prints what was expected and exits 1.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ARGS = None
UNKNOWN_UUID = "0badc0de-1111-4222-8333-944455556666"


class Failure(Exception):
    pass


def check(cond, what, proc=None):
    if not cond:
        detail = ""
        if proc is not None:
            detail = "\n  exit code: %r\n  stdout: %r\n  stderr: %r" % (
                proc.returncode, proc.stdout[:2000], proc.stderr[:2000])
        raise Failure(what + detail)


def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTES_")}
    return env


def run(argv, stdin=None, timeout=60):
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, env=clean_env())


def pontes(*args, stdin=None):
    return run([ARGS.pontes] + list(args), stdin=stdin)


def spec():
    with open(os.path.join(ARGS.root, "generated", "eccor", "openapi.json"), encoding="utf-8") as f:
        return json.load(f)


def response_example(doc, op_id, status="200"):
    for item in doc["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == op_id:
                resp = op["responses"][status]
                for media in (resp.get("content") or {}).values():
                    if "example" in media:
                        return media["example"]
                    for ex in (media.get("examples") or {}).values():
                        if "value" in ex:
                            return ex["value"]
    raise Failure("no %s example for %s in the spec" % (status, op_id))


class Mock:
    """tools/mock/mock_server.py on a free port, for the duration of a `with` block."""

    def __enter__(self):
        self.dir = tempfile.TemporaryDirectory()
        port_file = os.path.join(self.dir.name, "port")
        self.log = open(os.path.join(self.dir.name, "mock.log"), "w+")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ARGS.root, "tools", "mock", "mock_server.py"),
             "--spec", getattr(self, "spec", None) or os.path.join(ARGS.root, "generated", "eccor", "openapi.json"),
             "--port", "0", "--port-file", port_file, "--quiet"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        port = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    port = int(text)
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        if port is None:
            self.__exit__(None, None, None)
            raise Failure("the mock server did not start")
        self.url = "http://127.0.0.1:%d" % port
        self.token_url = self.url + "/oauth2/token"
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if exc and exc[0] is not None:
            self.log.seek(0)
            sys.stderr.write("--- mock server log ---\n" + self.log.read()[-4000:])
        self.log.close()
        self.dir.cleanup()
        return False

    def call(self, *args, stdin=None):
        return pontes("call", "eccor", *args, "--base-url", self.url, "--token-url", self.token_url,
                      "--client-id", "pontes-demo", "--client-secret", "pontes-demo-secret", stdin=stdin)


# ---- cases --------------------------------------------------------------------

def case_version():
    p = pontes("--version")
    check(p.returncode == 0 and p.stdout.startswith("pontes "), "--version prints the version", p)
    first_server = spec()["servers"][0]["url"]
    check("eccor: " in p.stdout and "base URL " + first_server in p.stdout,
          "--version names each API's default base URL, the spec's first server", p)
    p = pontes("help")
    check(p.returncode == 0 and "roundtrip" in p.stdout, "help prints the usage", p)
    p = pontes()
    check(p.returncode == 2, "no command is a usage error (2)", p)
    p = pontes("frobnicate")
    check(p.returncode == 2, "an unknown command is a usage error (2)", p)
    p = pontes("ops", "nosuchapi")
    check(p.returncode == 2 and "eccor" in p.stderr, "an unknown API lists the known ones, exit 2", p)


def case_ops():
    p = pontes("ops", "eccor")
    check(p.returncode == 0, "ops exits 0", p)
    lines = [l for l in p.stdout.splitlines() if l and not l[0].isspace()]
    check(len(lines) == 13, "ops eccor lists 13 operations (got %d)" % len(lines), p)
    ids = [l.split()[0] for l in lines]
    for want in ("createToken", "listProducts", "getNaturalPerson", "submitCreditNoteApproval"):
        check(want in ids, "ops lists %s" % want, p)
    get = [l for l in lines if l.startswith("getNaturalPerson")][0]
    check("GET" in get and "/v1/NaturalPerson/{personId}" in get and "Get a natural person" in get,
          "operation line: operationId METHOD /path — summary", p)
    check("personId (path, required)" in p.stdout, "parameters are listed as name (in, required)", p)


def case_schemas():
    p = pontes("schemas", "eccor")
    check(p.returncode == 0, "schemas exits 0", p)
    names = p.stdout.split()
    for want in ("NaturalPerson", "ProductPage", "Uuid", "AmortizationSimulation"):
        check(want in names, "schemas lists %s" % want, p)


def case_roundtrip_valid():
    doc = spec()
    for schema, op_id in (("NaturalPerson", "getNaturalPerson"), ("ProductPage", "listProducts"),
                          ("AmortizationSimulation", "simulateAmortization"), ("Uuid", "createNaturalPerson")):
        value = response_example(doc, op_id)
        p = pontes("roundtrip", "eccor", schema, stdin=json.dumps(value))
        check(p.returncode == 0, "roundtrip %s exits 0" % schema, p)
        check(p.stderr == "", "roundtrip %s prints nothing on stderr" % schema, p)
        check(p.stdout.endswith("\n") and p.stdout.count("\n") == 1,
              "roundtrip %s prints one line of compact JSON" % schema, p)
        try:
            out = json.loads(p.stdout)
        except ValueError as e:
            raise Failure("roundtrip %s printed invalid JSON: %s\n%s" % (schema, e, p.stdout[:500]))
        check(out == value, "roundtrip %s gives semantically equal JSON" % schema, p)


def case_roundtrip_invalid():
    p = pontes("roundtrip", "eccor", "ProductPage", stdin='{"page":"zero"}')
    check(p.returncode == 1, "invalid input exits 1", p)
    lines = p.stderr.splitlines()
    check(len(lines) == 1, "exactly one stderr line (got %d)" % len(lines), p)
    check("$.page" in lines[0], "the line names the JSON path $.page", p)
    check(lines[0].startswith("pontes: roundtrip ProductPage: "), "the line starts with 'pontes: roundtrip ProductPage: '", p)
    check(p.stdout == "", "nothing on stdout", p)
    p = pontes("roundtrip", "eccor", "ProductPage", stdin='{"page": 0, "data": [')
    check(p.returncode == 1 and len(p.stderr.splitlines()) == 1, "malformed JSON exits 1 with one line", p)


def case_roundtrip_strict():
    doc = spec()
    # a conforming document: the same output with and without --strict, no warnings
    value = response_example(doc, "listProducts")
    p = pontes("roundtrip", "eccor", "ProductPage", "--strict", stdin=json.dumps(value))
    check(p.returncode == 0 and p.stderr == "", "--strict accepts a conforming document silently", p)
    check(json.loads(p.stdout) == value, "--strict round-trips it", p)
    # a deviation: tolerated with a warning naming the path by default, an error with --strict
    bad = json.loads(json.dumps(value))
    bad["data"][0]["surprise"] = 12345678901234567890123
    del bad["data"][0]["id"]
    p = pontes("roundtrip", "eccor", "ProductPage", stdin=json.dumps(bad))
    check(p.returncode == 1, "tolerant: a missing required member still fails the re-encode (exit 1)", p)
    check("warning: 2 deviations" in p.stderr, "tolerant: the deviation count is a warning on stderr", p)
    check("warning: $.data[0].id: missing required member" in p.stderr, "tolerant: each deviation's path", p)
    check("warning: $.data[0].surprise: unknown member" in p.stderr, "tolerant: unknown members are listed", p)
    del bad["data"][0]["surprise"]
    bad["data"][0]["id"] = value["data"][0]["id"]
    bad["data"][0]["surprise"] = 12345678901234567890123
    p = pontes("roundtrip", "eccor", "ProductPage", stdin=json.dumps(bad))
    check(p.returncode == 0, "tolerant: an unknown member is kept (exit 0)", p)
    check("12345678901234567890123" in p.stdout, "tolerant: the unknown member's number keeps its exact text", p)
    check(p.stderr.splitlines()[0].startswith("pontes: roundtrip ProductPage: warning: 1 deviation"),
          "tolerant: one warning line with the count", p)
    p = pontes("roundtrip", "eccor", "ProductPage", "--strict", stdin=json.dumps(bad))
    check(p.returncode == 1 and p.stdout == "", "--strict: a deviation exits 1, nothing on stdout", p)
    lines = p.stderr.splitlines()
    check(len(lines) == 1 and "$.data[0].surprise" in lines[0] and "unknown member" in lines[0],
          "--strict: one line naming the JSON path", p)
    p = pontes("roundtrip", "eccor", "ProductPage", "--frobnicate", stdin="{}")
    check(p.returncode == 2, "an unknown roundtrip option is a usage error (2)", p)
    p = pontes("help")
    check("--strict" in p.stdout, "help mentions roundtrip --strict", p)


def case_roundtrip_unknown_schema():
    p = pontes("roundtrip", "eccor", "NaturalPersn", stdin="{}")
    check(p.returncode == 2, "unknown schema exits 2", p)
    check("NaturalPerson" in p.stderr, "close names are suggested", p)


COMMANDS = ("ops", "schemas", "call", "roundtrip", "help", "--version")


def case_help():
    """`pontes <cmd> --help` (and -h, and `pontes help <cmd>`) for every command."""
    for cmd in COMMANDS:
        for flag in ("--help", "-h"):
            p = pontes(cmd, flag)
            check(p.returncode == 0, "%s %s exits 0" % (cmd, flag), p)
            check(p.stdout.startswith("usage: pontes " + ("help" if cmd == "help" else cmd)),
                  "%s %s prints the command's usage" % (cmd, flag), p)
            check(p.stderr == "", "%s %s prints nothing on stderr" % (cmd, flag), p)
        if cmd != "help":
            p = pontes("help", cmd)
            check(p.returncode == 0 and p.stdout == pontes(cmd, "--help").stdout, "help %s = %s --help" % (cmd, cmd), p)
    # --help after other arguments, too
    p = pontes("call", "eccor", "listProducts", "--help")
    check(p.returncode == 0 and "--pretty" in p.stdout and "--mock" in p.stdout and "--base-url" in p.stdout,
          "call ... --help lists the call options", p)
    p = pontes("roundtrip", "eccor", "ProductPage", "--help")
    check(p.returncode == 0 and "--strict" in p.stdout and "--pretty" in p.stdout, "roundtrip --help lists its options", p)
    p = pontes("schemas", "--help")
    check("<Schema>" in p.stdout, "schemas --help mentions the Schema argument", p)
    p = pontes("help", "frobnicate")
    check(p.returncode == 2, "help of an unknown command is a usage error (2)", p)


def case_pretty():
    value = response_example(spec(), "listProducts")
    value["data"][0]["surprise"] = {"big": 12345678901234567890123, "s": "a,b:{c}\"", "e": [], "o": {}}
    p = pontes("roundtrip", "eccor", "ProductPage", "--pretty", stdin=json.dumps(value))
    check(p.returncode == 0, "roundtrip --pretty exits 0", p)
    lines = p.stdout.splitlines()
    check(len(lines) > 10 and lines[0] == "{" and lines[-1] == "}", "--pretty prints indented JSON over many lines", p)
    check(lines[1].startswith('  "') and any(l.startswith('      "') for l in lines), "two spaces per level", p)
    check(json.loads(p.stdout) == value, "--pretty output is the same JSON", p)
    check("12345678901234567890123" in p.stdout, "--pretty keeps exact number text", p)
    check('"e": []' in p.stdout and '"o": {}' in p.stdout, "empty arrays and objects stay on one line", p)
    compact = pontes("roundtrip", "eccor", "ProductPage", stdin=json.dumps(value))
    check(json.loads(compact.stdout) == json.loads(p.stdout), "pretty and compact agree", compact)
    p = pontes("roundtrip", "eccor", "ProductPage", "--strict", "--pretty", stdin=json.dumps(response_example(spec(), "listProducts")))
    check(p.returncode == 0 and p.stdout.count("\n") > 5, "--strict and --pretty combine", p)
    with Mock() as m:
        p = m.call("listProducts", "--pretty")
        check(p.returncode == 0 and p.stdout.startswith("{\n  ") and "data" in json.loads(p.stdout),
              "call --pretty prints indented JSON", p)


def case_schema_describe():
    p = pontes("schemas", "eccor", "ProductPage")
    check(p.returncode == 0, "schemas eccor ProductPage exits 0", p)
    check(p.stdout.startswith("ProductPage: object"), "the first line names the schema and its kind", p)
    check(any(l.split()[:3] == ["data", "array", "of"] and "Product" in l for l in p.stdout.splitlines()),
          "members with their types (data: array of Product)", p)
    doc = spec()
    schemas = doc["components"]["schemas"]
    # a schema with required members and an enum member, found from the spec itself
    for name, sch in schemas.items():
        props = sch.get("properties") or {}
        if sch.get("required") and any("$ref" in v for v in props.values()):
            break
    p = pontes("schemas", "eccor", name)
    check(p.returncode == 0, "schemas eccor %s exits 0" % name, p)
    req = sch["required"][0]
    line = [l for l in p.stdout.splitlines() if l.split() and l.split()[0] == req]
    check(line and "required" in line[0], "required member %s.%s is flagged required" % (name, req), p)
    for name, sch in schemas.items():
        if "enum" in sch and sch.get("type") == "string":
            break
    p = pontes("schemas", "eccor", name)
    check(p.returncode == 0 and all(v in p.stdout for v in sch["enum"]),
          "enum schema %s lists its values" % name, p)
    p = pontes("schemas", "eccor", "NaturalPerson")
    check("nullable" in p.stdout and "values: " in p.stdout, "nullable flags and enum member values are shown", p)
    check("string (date-time)" in p.stdout, "formats are shown", p)
    p = pontes("schemas", "eccor", "NoSuchSchemaX")
    check(p.returncode == 2, "an unknown schema is a usage error (2)", p)


def case_schema_names():
    """Schema names as written in the spec: exact first, then case-insensitive, then ignoring separators."""
    doc = spec()
    names = pontes("schemas", "eccor").stdout.split()
    for spec_name, sch in doc["components"]["schemas"].items():
        # objects, unions and string enums have descriptors (an integer enum is an int32)
        if not ("properties" in sch or "oneOf" in sch or "anyOf" in sch or sch.get("type") == "string" and "enum" in sch):
            continue
        p = pontes("schemas", "eccor", spec_name)
        check(p.returncode == 0, "the spec's schema name %s is found" % spec_name, p)
    p = pontes("schemas", "eccor", "productpage")
    check(p.returncode == 0 and p.stdout.startswith("ProductPage:"), "lower-case name found (case-insensitive)", p)
    p = pontes("schemas", "eccor", "PRODUCT_PAGE")
    check(p.returncode == 0 and p.stdout.startswith("ProductPage:"), "separators and case ignored last", p)
    value = response_example(doc, "listProducts")
    p = pontes("roundtrip", "eccor", "productPage", stdin=json.dumps(value))
    check(p.returncode == 0 and json.loads(p.stdout) == value, "roundtrip takes the same names", p)
    check("ProductPage" in names, "registry lists ProductPage", p)
    for name in names:
        p = pontes("schemas", "eccor", name)
        check(p.returncode == 0 and p.stdout.startswith(name + ":"), "listed schema %s is described" % name, p)
    enum = [n for n, sch in doc["components"]["schemas"].items() if sch.get("type") == "string" and "enum" in sch][0]
    p = pontes("roundtrip", "eccor", enum, stdin="{}")
    check(p.returncode == 2 and "enum" in p.stderr, "roundtrip of an enum schema is a clear usage error", p)


def case_call_usage_errors():
    p = pontes("call", "eccor", "getNaturalPerson", "nope=1")
    check(p.returncode == 2 and "nope" in p.stderr, "an unknown parameter is a usage error (2)", p)
    p = pontes("call", "eccor", "getNaturalPerson")
    check(p.returncode == 2 and "personId" in p.stderr, "a missing required parameter is a usage error (2)", p)
    p = pontes("call", "eccor", "getNaturalPersonX", "personId=1")
    check(p.returncode == 2 and "getNaturalPerson" in p.stderr, "an unknown operation is a usage error (2)", p)
    p = pontes("call", "eccor", "listProducts", "--frobnicate")
    check(p.returncode == 2, "an unknown option is a usage error (2)", p)
    p = pontes("call", "eccor", "simulateAmortization", "--body", "-", stdin='{"amortization": 5}')
    check(p.returncode == 1 and "$.amortization" in p.stderr, "an invalid body names the JSON path, exit 1", p)


def case_call_credentials():
    """No silent defaults: a missing credential is named; the base URL defaults to the spec's first server."""
    p = pontes("call", "eccor", "listProducts")
    check(p.returncode == 2, "no credentials is a usage error (2)", p)
    check("missing credentials" in p.stderr and "uy3Auth" in p.stderr, "the error names the security scheme", p)
    check("--client-id" in p.stderr and "--client-secret" in p.stderr and "--bearer" in p.stderr and "--mock" in p.stderr,
          "the error says what to pass", p)
    p = pontes("call", "eccor", "listProducts", "--client-id", "x")
    check(p.returncode == 2 and "--client-secret" in p.stderr, "a client id without its secret is named", p)
    p = pontes("call", "eccor", "listProducts", "--client-id", "x", "--client-secret", "y")
    check(p.returncode == 2 and "--token-url" in p.stderr, "OAuth2 credentials without a token URL are named", p)
    p = pontes("call", "eccor", "listProducts", "--mock", "--base-url", "http://127.0.0.1:1")
    check(p.returncode == 2 and "--mock" in p.stderr, "--mock excludes --base-url", p)


def case_call_mock():
    p = pontes("call", "eccor", "listProducts", "--mock", "--verbose")
    check(p.returncode == 0, "call --mock exits 0 (mock started on a free port, default credentials)", p)
    check("data" in json.loads(p.stdout), "call --mock prints the mock's answer", p)
    check("mock server on http://127.0.0.1:" in p.stderr and "HTTP 200" in p.stderr, "--verbose names the mock's URL", p)
    p = pontes("call", "eccor", "getNaturalPerson", "personId=" + UNKNOWN_UUID, "--mock")
    check(p.returncode == 1 and "RECORD_NOT_EXISTS_OR_MISSING_PERMISSION" in p.stderr,
          "call --mock: provider errors as usual", p)
    env = clean_env()
    env["PONTES_MOCK"] = "/nonexistent/mock_server.py"
    p = subprocess.run([ARGS.pontes, "call", "eccor", "listProducts", "--mock"], capture_output=True, text=True,
                       timeout=60, env=env)
    check(p.returncode == 1 and "/nonexistent/mock_server.py" in p.stderr and "PONTES_MOCK" in p.stderr,
          "a missing mock server is a clear error", p)


def case_call_list_products():
    with Mock() as m:
        p = m.call("listProducts", "--verbose")
        check(p.returncode == 0, "call listProducts exits 0", p)
        out = json.loads(p.stdout)
        check(isinstance(out, dict) and "data" in out and out["data"], "listProducts prints a JSON with \"data\"", p)
        check("HTTP 200" in p.stderr, "--verbose prints HTTP <status> on stderr", p)


def case_call_unknown_person():
    with Mock() as m:
        p = m.call("getNaturalPerson", "personId=" + UNKNOWN_UUID)
        check(p.returncode == 1, "an unknown person exits 1", p)
        check(p.stderr.startswith("pontes: getNaturalPerson: "), "the error starts with 'pontes: getNaturalPerson: '", p)
        check("RECORD_NOT_EXISTS_OR_MISSING_PERMISSION" in p.stderr, "the provider code is on stderr", p)
        check(p.stdout == "", "nothing on stdout", p)


def case_call_body_roundtrip():
    """A full call with a body from stdin and a bare-string response (createNaturalPerson -> Uuid)."""
    body = {"registrationNumber": "00805349960", "name": "Teste CLI", "email": "cli@example.com",
            "phone": "11999999999",
            "bankAccounts": [{"operationTypeValue": "Pix", "pixKeyTypeValue": "NaturalRegistrationNumber",
                              "keyPix": "00805349960"}]}
    with Mock() as m:
        p = m.call("createNaturalPerson", "--body", "-", stdin=json.dumps(body))
        check(p.returncode == 0, "createNaturalPerson with --body - exits 0", p)
        pid = json.loads(p.stdout)
        check(isinstance(pid, str) and len(pid) == 36, "createNaturalPerson prints the new ID as a JSON string", p)
        p = m.call("getNaturalPerson", "personId=" + pid)
        check(p.returncode == 0, "getNaturalPerson of the new person exits 0", p)
        got = json.loads(p.stdout)
        check(got.get("id") == pid and got.get("name") == "Teste CLI", "the new person is returned", p)
        p = m.call("listNaturalPersons", "registrationNumber=00805349960")
        check(p.returncode == 0 and "data" in json.loads(p.stdout), "a query parameter is accepted", p)


def case_demo():
    with Mock() as m:
        p = run([ARGS.demo, "--base-url", m.url, "--token-url", m.token_url], timeout=120)
        check(p.returncode == 0, "pontes-demo exits 0 against the mock", p)
        check("R$" in p.stdout, "pontes-demo prints amounts in reais (R$)", p)
        check("submitted for approval" in p.stdout, "pontes-demo reaches the approval step", p)
        check(p.stderr == "", "pontes-demo prints nothing on stderr on success", p)


class Recorder:
    """A tiny local HTTP server (a thread) that records each request and answers 200 with a
    small bizAPIs report: the file-upload cases depend on nothing but the CLI and the spec."""

    def __enter__(self):
        import http.server
        import threading
        rec = self
        self.requests = []

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                rec.requests.append((self.path, dict(self.headers), body))
                out = b'{"requestId":"rec-1","withoutCreditResponsibility":true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def make_pdf(path, n, head=b"%PDF-1.4\n"):
    import random
    data = head + random.Random(n).randbytes(n - len(head))
    with open(path, "wb") as f:
        f.write(data)
    return data


def case_call_file_upload():
    """file=@PATH: multipart part streamed from the file (byte-identical), or with
    --content-type application/json the base64 member encoded from the file; x-pontes-file
    limits refuse a non-PDF / oversize / missing file before anything is sent."""
    import base64
    with tempfile.TemporaryDirectory() as tmp, Recorder() as srv:
        pdf = os.path.join(tmp, "map.pdf")
        data = make_pdf(pdf, 300001)
        common = ["--base-url", srv.url, "--bearer", "k"]
        p = pontes("call", "bizapis", "extractCreditResponsibility", "file=@" + pdf, *common)
        check(p.returncode == 0 and json.loads(p.stdout)["requestId"] == "rec-1", "multipart upload", p)
        check(len(srv.requests) == 1, "one request")
        path, headers, body = srv.requests[0]
        ctype = headers.get("Content-Type", "")
        check(ctype.startswith("multipart/form-data; boundary="), "multipart content type: %r" % ctype)
        boundary = ctype.split("boundary=", 1)[1].encode()
        parts = body.split(b"--" + boundary)
        part = [x for x in parts if b'name="file"' in x.split(b"\r\n\r\n", 1)[0]]
        check(len(part) == 1, "one part named file")
        head, content = part[0].split(b"\r\n\r\n", 1)
        check(content[:-2] == data, "the part is the file, byte for byte (%d vs %d bytes)" % (len(content) - 2, len(data)))
        check(b'filename="map.pdf"' in head and b"Content-Type: application/pdf" in head, "part headers: %r" % head)

        p = pontes("call", "bizapis", "extractCreditResponsibility", "file=@" + pdf,
                   "--content-type", "application/json", *common)
        check(p.returncode == 0, "base64 upload", p)
        path, headers, body = srv.requests[1]
        check(headers.get("Content-Type", "").startswith("application/json"), "JSON content type")
        check(base64.b64decode(json.loads(body)["file"]) == data, "the base64 member decodes to the file")

        p = pontes("call", "bizapis", "extractCreditResponsibility", "file=@-", *common, stdin="%PDF-1.4\nfrom stdin\n")
        check(p.returncode == 0, "file=@- (stdin)", p)
        check(b"\r\n\r\n%PDF-1.4\nfrom stdin\n\r\n--" in srv.requests[2][2], "the stdin part")
        check(b'filename="stdin"' in srv.requests[2][2], "the stdin part's file name")
        notpdf = os.path.join(tmp, "map.zip")
        make_pdf(notpdf, 1000, b"PK\x03\x04")
        big = os.path.join(tmp, "big.pdf")
        with open(big, "wb") as f:
            f.write(b"%PDF-1.4\n")
            f.truncate(20971521)
        for args, want in (
                (["file=@" + notpdf], 'does not start with "%PDF-"'),
                (["file=@" + notpdf, "--content-type", "application/json"], 'does not start with "%PDF-"'),
                (["file=@" + big], "20971521 bytes, over the limit of 20971520"),
                (["file=@" + big, "--content-type", "application/json"], "20971521 bytes"),
                (["file=@" + os.path.join(tmp, "nope.pdf")], "nope.pdf: No such file or directory")):
            p = pontes("call", "bizapis", "extractCreditResponsibility", *args, *common)
            check(p.returncode == 1 and want in p.stderr, "refused: %s" % want, p)
        check(len(srv.requests) == 3, "nothing sent for refused files (%d requests)" % len(srv.requests))

        p = pontes("call", "bizapis", "extractCreditResponsibility", "file=x.pdf", "--content-type",
                   "multipart/form-data", *common)
        check(p.returncode == 2 and "file=@PATH" in p.stderr, "a file member needs @PATH", p)
        p = pontes("call", "bizapis", "extractCreditResponsibility", "file=@" + pdf, "--content-type", "text/csv",
                   *common)
        check(p.returncode == 2 and "multipart/form-data" in p.stderr, "unknown --content-type", p)
        p = pontes("call", "bizapis", "extractCreditResponsibility", "month=03", "year=2024", "user=u",
                   "password=secret", *common)
        check(p.returncode == 0, "credentials as members", p)
        body = json.loads(srv.requests[-1][2])
        check(body == {"month": "03", "year": "2024", "user": "u", "password": "secret"}, "credentials body %r" % body)


# ---- Best Bank: OAuth-params + Certificate (two schemes in one requirement) -------------

BB_CONSUMER_KEY = "pontes-demo-consumer-key"
BB_CERTIFICATE = "9dFpJUCnQcwe80aAOHx7YWYlqisICXNnVSKiaiA9vGO8YnzlZoJcUVPJ/rZ68X8FD=="


class BestBankMock(Mock):
    """The mock with the Best Bank spec (its state module accepts the demo consumer key and
    the documented certificate value by default)."""

    def __enter__(self):
        self.spec = os.path.join(ARGS.root, "generated", "bestbank", "openapi.json")
        return Mock.__enter__(self)

    def admin(self, method, path, body=None):
        import urllib.request
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        with urllib.request.urlopen(req, timeout=20) as r:
            return json.loads(r.read() or b"null")

    def requests(self):
        return [e for e in self.admin("GET", "/__admin/requests") if e.get("path", "").startswith("/api/")]

    def bb(self, *args, stdin=None):
        return pontes("call", "bestbank", *args, "--base-url", self.url, stdin=stdin)


def case_call_bestbank_flow():
    """initiate -> LoginUrl; consent through /__admin/bestbank/login; token --code -> the token;
    balance --access-token -> amounts verbatim (995.0000)."""
    with BestBankMock() as m:
        auth = ["--consumer-key", BB_CONSUMER_KEY, "--certificate", BB_CERTIFICATE]
        p = m.bb("initiate", "redirect_uri=http://localhost/cb", "state=cli-state-1", *auth)
        check(p.returncode == 0, "initiate exits 0", p)
        login = json.loads(p.stdout).get("LoginUrl", "")
        check(login.startswith(m.url + "/"), "initiate prints the mock's LoginUrl", p)
        seen = m.requests()[-1]
        hdrs = {k.lower(): v for k, v in seen["headers"].items()}
        check(hdrs.get("certificate") == BB_CERTIFICATE, "the Certificate header was sent: %r" % hdrs)
        check("authorization" in hdrs, "the Authorization header was sent: %r" % hdrs)

        done = m.admin("POST", "/__admin/bestbank/login", {"login_url": login})
        code = done.get("code")
        check(code and done.get("state") == "cli-state-1", "the mock's login gives a code: %r" % done)

        p = m.bb("token", *auth)
        check(p.returncode == 2 and "--code" in p.stderr, "token without --code names it, exit 2", p)
        p = m.bb("token", "--code", code, *auth, "--verbose")
        check(p.returncode == 0, "token --code exits 0", p)
        tok = json.loads(p.stdout)
        token = tok.get("access_token")
        check(token and isinstance(tok.get("expires_in"), int) and tok["expires_in"] > time.time(),
              "token prints the access token and its absolute expiry", p)
        check(code not in p.stderr and BB_CONSUMER_KEY not in p.stderr, "--verbose never logs the code or the key", p)

        p = m.bb("balance", "Type=Account", *auth)
        check(p.returncode == 2 and "--access-token" in p.stderr, "balance without --access-token names it", p)
        p = m.bb("balance", "Type=Account", "--access-token", token,
                 "--token-expires-at", str(tok["expires_in"]), *auth)
        check(p.returncode == 0, "balance --access-token exits 0", p)
        check('"Balance":995.0000' in p.stdout.replace(" ", ""), "amounts verbatim (995.0000)", p)
        check("12345.6789" in p.stdout, "the second account's balance", p)

        # the environment fallbacks
        env = clean_env()
        env.update({"PONTES_CONSUMER_KEY": BB_CONSUMER_KEY, "PONTES_CERTIFICATE": BB_CERTIFICATE,
                    "PONTES_ACCESS_TOKEN": token, "PONTES_BASE_URL": m.url})
        q = subprocess.run([ARGS.pontes, "call", "bestbank", "balanceOfAccount", "ID=0-MDAwMDAxMDI2"],
                           capture_output=True, text=True, timeout=60, env=env)
        check(q.returncode == 0 and "995.0000" in q.stdout, "PONTES_CONSUMER_KEY / _CERTIFICATE / _ACCESS_TOKEN", q)

        # an expired --token-expires-at: refused by the runtime, nothing sent
        n = len(m.requests())
        p = m.bb("balance", "Type=Account", "--access-token", token, "--token-expires-at", "1000", *auth)
        check(p.returncode == 1 and len(m.requests()) == n, "an expired token is not sent", p)
        p = m.bb("balance", "Type=Account", "--token-expires-at", "soon", "--access-token", token, *auth)
        check(p.returncode == 2 and "--token-expires-at" in p.stderr, "a bad --token-expires-at, exit 2", p)


def case_call_bestbank_credentials():
    """A missing certificate / consumer key is named before any request; --certificate-file
    derives the header from a certificate (a wrong one: the mock's Certificate error)."""
    with BestBankMock() as m, tempfile.TemporaryDirectory() as tmp:
        p = m.bb("initiate", "redirect_uri=http://localhost/cb", "state=s", "--consumer-key", BB_CONSUMER_KEY)
        check(p.returncode == 2, "a missing certificate is exit 2", p)
        check("certificate" in p.stderr and "--certificate VALUE" in p.stderr and "--certificate-file" in p.stderr,
              "the error names the certificate scheme and its options", p)
        check("bestbankOAuth + certificate" in p.stderr, "the error names the requirement's two schemes", p)
        check("--consumer-key" not in p.stderr, "only what is missing is named", p)
        p = m.bb("initiate", "redirect_uri=http://localhost/cb", "state=s", "--certificate", BB_CERTIFICATE)
        check(p.returncode == 2 and "--consumer-key" in p.stderr, "a missing consumer key is named", p)
        p = m.bb("initiate", "redirect_uri=http://localhost/cb", "state=s", "--consumer-key", BB_CONSUMER_KEY,
                 "--certificate", BB_CERTIFICATE, "--sign")
        check(p.returncode == 2 and "--secret-key" in p.stderr, "--sign without --secret-key is named", p)
        p = m.bb("initiate", "redirect_uri=http://localhost/cb", "state=s", "--consumer-key", BB_CONSUMER_KEY,
                 "--certificate", BB_CERTIFICATE, "--certificate-file", "/nonexistent.pem")
        check(p.returncode == 2 and "not both" in p.stderr, "--certificate and --certificate-file exclude each other", p)
        check(m.requests() == [], "nothing was sent for the refused commands")

        p = m.bb("initiate", "redirect_uri=http://localhost/cb", "state=s", "--consumer-key", BB_CONSUMER_KEY,
                 "--certificate-file", os.path.join(tmp, "missing.pem"))
        check(p.returncode == 1 and "missing.pem" in p.stderr, "an unreadable certificate file is named", p)
        check(m.requests() == [], "nothing was sent for an unreadable certificate file")
        pem = os.path.join(tmp, "cert.pem")
        key = os.path.join(tmp, "key.pem")
        g = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem,
                            "-days", "1", "-subj", "/CN=pontes-cli-test"], capture_output=True, text=True)
        check(g.returncode == 0, "openssl made a certificate: %s" % g.stderr)
        spki = subprocess.run(["openssl", "x509", "-in", pem, "-pubkey", "-noout"], capture_output=True, text=True)
        want = "".join(l for l in spki.stdout.splitlines() if not l.startswith("-----"))
        p = m.bb("initiate", "redirect_uri=http://localhost/cb", "state=s", "--consumer-key", BB_CONSUMER_KEY,
                 "--certificate-file", pem)
        check(p.returncode == 1 and "Certificate error" in p.stderr, "an unknown certificate: the mock's error", p)
        sent = {k.lower(): v for k, v in m.requests()[-1]["headers"].items()}
        check(sent.get("certificate") == want, "the header is the Base64 of the public key: %r" % sent.get("certificate"))
        m.admin("POST", "/__admin/bestbank/config", {"add_certificates": [want]})
        p = m.bb("initiate", "redirect_uri=http://localhost/cb", "state=s", "--consumer-key", BB_CONSUMER_KEY,
                 "--certificate-file", pem)
        check(p.returncode == 0 and "LoginUrl" in p.stdout, "an accepted certificate file", p)
        p = pontes("call", "bestbank", "initiate", "--help")
        check(p.returncode == 0 and all(o in p.stdout for o in (
            "--consumer-key", "--secret-key", "--sign", "--code", "--access-token", "--token-expires-at",
            "--certificate VALUE", "--certificate-file")), "call --help documents the options", p)
        p = pontes("help")
        check("--certificate-file" in p.stdout and "PONTES_CONSUMER_KEY" in p.stdout, "help documents them too", p)


# ---- BCTT: session credentials, --all over the pagination -------------------

BCTT_SESSION = ["--session-credential", "client_id=pontes-demo-client",
                "--session-credential", "client_secret=pontes-demo-secret",
                "--session-credential", "broker_id=12345",
                "--session-credential", "username=user@example.com"]


class BcttMock(BestBankMock):
    """The mock with the BCTT spec (its module: demo login pontes-demo-client /
    pontes-demo-secret, broker 12345, user user@example.com; 250 seeded processes)."""

    def __enter__(self):
        self.spec = os.path.join(ARGS.root, "generated", "bctt", "openapi.json")
        return Mock.__enter__(self)

    def requests(self):
        return [e for e in self.admin("GET", "/__admin/requests")
                if e.get("path", "").startswith(("/v1/", "/API/"))]

    def bctt(self, *args, env=None):
        e = clean_env()
        e.update(env or {})
        return subprocess.run([ARGS.pontes, "call", "bctt"] + list(args) + ["--base-url", self.url],
                              capture_output=True, text=True, timeout=60, env=e)


def case_call_bctt_session():
    """A /v1 operation with --session-credential: the tool logs in by itself (one login),
    PONTES_SESSION_* fallbacks, --session-header, the login operation itself, missing roles."""
    with BcttMock() as m:
        p = m.bctt("ProcessList", "lineCount=1", *BCTT_SESSION, "--verbose")
        check(p.returncode == 0, "ProcessList with session credentials exits 0", p)
        doc = json.loads(p.stdout)
        check(doc["totalRecords"] == 250 and len(doc["listProcessDetail"]) == 1, "one item of 250", p)
        pid = doc["listProcessDetail"][0]["processUniqueId"]
        check("pontes-demo-secret" not in p.stderr and "pontes-demo-client" not in p.stderr,
              "--verbose never prints the client id or secret", p)
        reqs = m.requests()
        check([r["path"] for r in reqs] == ["/API/partnersPortal/authentication", "/v1/processes"],
              "one login, then the call: %r" % [r["path"] for r in reqs])
        auth = {k.lower(): v for k, v in reqs[1]["headers"].items()}.get("authorization", "")
        check(auth.startswith("Bearer "), "the call carries the session token: %r" % auth)

        env = {"PONTES_SESSION_CLIENT_ID": "pontes-demo-client", "PONTES_SESSION_CLIENT_SECRET": "pontes-demo-secret",
               "PONTES_SESSION_BROKER_ID": "12345", "PONTES_SESSION_USERNAME": "user@example.com",
               "PONTES_SESSION_HEADER_BROKER_ID": "brokerID"}
        p = m.bctt("ProcessDetail", "processUniqueId=" + pid, "--session-header", "username=username", env=env)
        check(p.returncode == 0 and json.loads(p.stdout)["processUniqueID"] == pid,
              "ProcessDetail with PONTES_SESSION_* credentials", p)
        login = [r for r in m.requests() if r["path"].endswith("/authentication")][-1]
        names = {k.lower() for k in login["headers"]}
        # (the mock copies an alias to the API-reference name, so xBrokerUID shows in its log too)
        check({"brokerid", "username", "xclientid", "xclientsecret"} <= names,
              "--session-header / PONTES_SESSION_HEADER_*: the login sends brokerID and username: %r" % names)

        p = m.bctt("Authenticate", *BCTT_SESSION)
        check(p.returncode == 0 and json.loads(p.stdout)["sessionToken"].startswith("ey"),
              "Authenticate takes its headers from the session credentials", p)
        token = json.loads(p.stdout)["sessionToken"]
        n = len(m.requests())
        p = m.bctt("ProcessList", "lineCount=1", "--bearer", token)
        check(p.returncode == 0 and [r["path"] for r in m.requests()[n:]] == ["/v1/processes"],
              "--bearer on a session scheme: the token as is, no login", p)
        p = m.bctt("ProcessList", "--session-credential", "client_id=x", "--session-credential", "username=u")
        check(p.returncode == 2 and "client_secret=" in p.stderr and "PONTES_SESSION_BROKER_ID" in p.stderr
              and "client_id=" not in p.stderr.split("needs", 1)[-1], "the missing roles are named, exit 2", p)
        p = m.bctt("ProcessList", "--session-credential", "password=hunter2")
        check(p.returncode == 2 and "unknown role 'password'" in p.stderr and "client_secret" in p.stderr
              and "hunter2" not in p.stderr, "an unknown role: the roles listed, the value not printed", p)


def case_call_bctt_wrong_secret():
    """A wrong client secret: the login's 401 is a clear error, exit 1, the secret never printed."""
    with BcttMock() as m:
        bad = [a if a != "client_secret=pontes-demo-secret" else "client_secret=WrongSecret-4242" for a in BCTT_SESSION]
        p = m.bctt("ProcessList", "lineCount=1", *bad, "--verbose")
        check(p.returncode == 1, "a wrong secret exits 1", p)
        check("WrongSecret-4242" not in p.stderr + p.stdout, "the secret is not printed", p)
        check("010101" in p.stderr and ("401" in p.stderr or "auth" in p.stderr.lower()),
              "the error names the login's refusal (401, code 010101)", p)
        check([r["path"] for r in m.requests()] == ["/API/partnersPortal/authentication"],
              "nothing but the login was sent")


def case_call_bctt_all():
    """--all walks every page: the 250 seeded processes as one JSON array; other list styles;
    an operation without pagination is a usage error."""
    with BcttMock() as m:
        p = m.bctt("ProcessList", "--all", "lineCount=100", *BCTT_SESSION)
        check(p.returncode == 0, "ProcessList --all exits 0", p)
        items = json.loads(p.stdout)
        check(isinstance(items, list) and len(items) == 250, "250 items (%d)" % len(items), p)
        nums = [int(i["processNumber"]) for i in items]
        check(nums == list(range(1250, 1000, -1)), "every process once, newest first", p)
        check(isinstance(items[0]["processNumber"], str), "numbers as strings keep their wire form", p)
        pages = [r for r in m.requests() if r["path"] == "/v1/processes"]
        check(len(pages) == 3, "3 pages of 100 (%d)" % len(pages))
        p = m.bctt("ProcessList", "--all", *BCTT_SESSION, "--pretty")
        check(p.returncode == 0 and len(json.loads(p.stdout)) == 250, "default page size: 250 items too", p)
        p = m.bctt("ProcessesMessageList", "processUniqueId=" + items[0]["processUniqueId"], "pageSize=10",
                   "--all", *BCTT_SESSION)
        check(p.returncode == 0 and len(json.loads(p.stdout)) == 45, "page style: the 45 messages of 1250", p)
        p = m.bctt("NotificationTypesGet", "--all", *BCTT_SESSION)
        check(p.returncode == 0 and len(json.loads(p.stdout)) == 7, "NotificationTypesGet --all: 7 types", p)
        # an error in the middle of the walk: exit 1 with the provider's error, no partial array
        m.admin("POST", "/__admin/bctt/fail", {"operationId": "ProcessList", "status": 500, "count": 1, "skip": 1})
        p = m.bctt("ProcessList", "--all", "lineCount=100", *BCTT_SESSION)
        check(p.returncode == 1 and p.stdout == "" and "050002" in p.stderr,
              "a failing second page: exit 1, the error printed, nothing on stdout", p)
        p = m.bctt("ProcessDetail", "processUniqueId=" + items[0]["processUniqueId"], "--all", *BCTT_SESSION)
        check(p.returncode == 2 and "x-pontes-pagination" in p.stderr and "ProcessList" in p.stderr,
              "--all on an operation without pagination: exit 2, the list operations named", p)


def bctt_request_example(op_id):
    with open(os.path.join(ARGS.root, "generated", "bctt", "openapi.json"), encoding="utf-8") as f:
        doc = json.load(f)
    for item in doc["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == op_id:
                media = op["requestBody"]["content"]["application/json"]
                return media.get("example") or next(iter(media["examples"].values()))["value"]
    raise Failure("no request example for %s" % op_id)


def case_call_bctt_every_operation():
    """`pontes call bctt <op>` for every one of the 82 operations against the mock, in a broker's
    order (simulations, processes and their parts, callbacks, taxonomies): each exits 0 with JSON."""
    import uuid
    with BcttMock() as m:
        tmp = tempfile.TemporaryDirectory()
        done = {}

        def call(op, *params, body=None):
            args = [op] + list(params) + BCTT_SESSION
            if body is not None:
                path = os.path.join(tmp.name, op + ".json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(body, f)
                args += ["--body", path]
            p = m.bctt(*args)
            check(p.returncode == 0, "pontes call bctt %s exits 0" % op, p)
            out = json.loads(p.stdout) if p.stdout.strip() else None
            done[op] = out
            return out

        def status_ok(out, op):
            code = ((out or {}).get("operationStatus") or {}).get("operationStatusCode", "")
            check(code.startswith("02"), "%s answers a success code (%r)" % (op, code))
            return out.get("additionalData") or {}

        call("Authenticate")
        ops = pontes("ops", "bctt")
        names = [l.split()[0] for l in ops.stdout.splitlines() if l and not l.startswith(" ")]
        check(len(names) == 82, "82 BCTT operations (%d)" % len(names), ops)
        for op in names:
            if op.endswith("Get") and op not in ("BorrowerGet", "DocumentGet", "ProcessESISGet", "SimulationESISGet"):
                out = call(op)
                check(isinstance(out, list) or isinstance(out, dict), "%s answers JSON" % op)
        call("SimulationList", "lineCount=5")

        def new_simulation():
            add = status_ok(call("SimulationCreate", body=bctt_request_example("SimulationCreate")), "SimulationCreate")
            return add["simulationUniqueID"]

        sim = new_simulation()
        call("SimulationDetail", "simulationUniqueId=" + sim)
        status_ok(call("SimulationUpdate", "simulationUniqueId=" + sim, body=bctt_request_example("SimulationUpdate")),
                  "SimulationUpdate")
        call("SimulationsMessageCreate", "simulationUniqueId=" + sim,
             body=bctt_request_example("SimulationsMessageCreate"))
        call("SimulationsMessageList", "simulationUniqueId=" + sim)
        call("SimulationESISGet", "simulationUniqueId=" + sim, "ignoreRules=true")
        call("SimulationESISEmail", "simulationUniqueId=" + sim, "ignoreRules=true", "sendAddress=ana@example.com")
        status_ok(call("SimulationValidate", "simulationUniqueId=" + sim), "SimulationValidate")
        status_ok(call("SimulationCancel", "simulationUniqueId=" + new_simulation()), "SimulationCancel")

        def new_process():
            s = new_simulation()
            status_ok(call("SimulationValidate", "simulationUniqueId=" + s), "SimulationValidate")
            body = dict(bctt_request_example("ProcessCreate"), simulationUniqueId=s)
            return status_ok(call("ProcessCreate", body=body), "ProcessCreate")["processUniqueID"]

        pid = new_process()
        pp = "processUniqueId=" + pid
        call("ProcessDetail", pp)
        status_ok(call("ProcessUpdate", pp, body=bctt_request_example("ProcessUpdate")), "ProcessUpdate")
        call("ProcessList", "lineCount=3")
        bid = status_ok(call("BorrowerCreate", pp, body=bctt_request_example("BorrowerCreate")),
                        "BorrowerCreate")["borrowerUniqueID"]
        call("BorrowerList", pp)
        call("BorrowerGet", pp, "borrowerUniqueId=" + bid)
        status_ok(call("BorrowerUpdate", pp, "borrowerUniqueId=" + bid, body=bctt_request_example("BorrowerUpdate")),
                  "BorrowerUpdate")
        doc = status_ok(call("DocumentCreate", pp, body=bctt_request_example("DocumentCreate")),
                        "DocumentCreate")["documentUniqueID"]
        call("DocumentList", pp)
        call("DocumentGet", pp, "documentUniqueId=" + doc)
        status_ok(call("DocumentUpdate", pp, "documentUniqueId=" + doc, body=bctt_request_example("DocumentUpdate")),
                  "DocumentUpdate")
        prop = call("PropertyList", pp)["propertyUniqueID"]
        status_ok(call("PropertyUpdate", pp, "propertyUniqueId=" + prop, body=bctt_request_example("PropertyUpdate")),
                  "PropertyUpdate")
        call("ProcessesMessageCreate", pp, body=bctt_request_example("ProcessesMessageCreate"))
        call("ProcessesMessageList", pp)
        call("ProcessESISGet", pp, "ignoreRules=false")
        call("ProcessESISEmail", pp, "ignoreRules=false", "sendAddress=ana@example.com")
        extra = status_ok(call("DocumentCreate", pp, body=bctt_request_example("DocumentCreate")), "DocumentCreate")
        status_ok(call("DocumentDelete", pp, "documentUniqueId=" + extra["documentUniqueID"]), "DocumentDelete")
        status_ok(call("BorrowerDelete", pp, "borrowerUniqueId=" + bid), "BorrowerDelete")
        status_ok(call("ProcessSubmit", pp), "ProcessSubmit")
        status_ok(call("ProcessCancel", "processUniqueId=" + new_process(),
                       body=bctt_request_example("ProcessCancel")), "ProcessCancel")

        partner = "partnerUniqueID=" + str(uuid.uuid5(uuid.NAMESPACE_URL, "bctt-partner:12345"))
        status_ok(call("CallbackUpdate", partner, "notificationType=1", body=bctt_request_example("CallbackUpdate")),
                  "CallbackUpdate")
        call("CallbackList", partner)
        echo = dict(bctt_request_example("CallbackEcho"), processUniqueId=pid)
        status_ok(call("CallbackEcho", partner, body=echo), "CallbackEcho")
        status_ok(call("CallbackDelete", partner, "notificationType=1"), "CallbackDelete")
        tmp.cleanup()
        missing = sorted(set(names) - set(done))
        check(not missing, "every operation was called; not: %r" % missing)


def case_coverage_bctt():
    """pontes coverage bctt: the BCTT report (8 documented, 19 partial, 55 inferred operations)."""
    p = pontes("coverage", "bctt", "--json")
    check(p.returncode == 0, "coverage bctt --json exits 0", p)
    doc = json.loads(p.stdout)
    check(doc["totals"] == {"documented": 8, "partial": 19, "inferred": 55, "unstated": 0},
          "totals 8/19/55: %r" % doc["totals"], p)
    t = pontes("coverage", "bctt")
    check(t.returncode == 0 and "provenance of 82 operations" in t.stdout.splitlines()[0], "the text report", t)
    check(any(l.startswith("Authenticate ") and " partial " in l for l in t.stdout.splitlines()),
          "Authenticate is partial", t)


# ---- coverage (x-pontes-provenance) ------------------------------------------

def linked_apis():
    p = pontes("--version")
    check(p.returncode == 0, "pontes --version exits 0", p)
    return [line.split(":")[0].strip() for line in p.stdout.splitlines()[1:] if line.startswith("  ")]


def coverage_md_totals(api):
    """{class: (operations, members)} from the Totals table of generated/<api>/<api>-coverage.md."""
    with open(os.path.join(ARGS.root, "generated", api, api + "-coverage.md"), encoding="utf-8") as f:
        text = f.read()
    out = {}
    for k in ("documented", "partial", "inferred", "unstated"):
        for line in text.splitlines():
            if line.startswith("| %s | " % k):
                cells = [c.strip() for c in line.strip("|").split("|")]
                out[k] = (int(cells[1]), int(cells[2]))
                break
    return out


def case_coverage():
    p = pontes("coverage", "eccor")
    check(p.returncode == 0, "pontes coverage eccor exits 0", p)
    lines = p.stdout.splitlines()
    check(lines[0].startswith("eccor: ") and "provenance of 13 operations" in lines[0],
          "the first line names the API and the number of operations", p)
    # totals first: one line per class, operations then members
    rows = {l.split()[0]: l.split()[1:] for l in lines[2:6]}
    check(sorted(rows) == ["documented", "inferred", "partial", "unstated"], "a totals line per class", p)
    check(sum(int(r[0]) for r in rows.values()) == 13, "the operation totals add up to the 13 operations", p)
    check(int(rows["partial"][0]) >= 1, "eccor has partial operations (its spec says what is missing)", p)
    md = coverage_md_totals("eccor")
    for k, r in rows.items():
        check((int(r[0]), int(r[1])) == md[k], "the totals of %s equal eccor-coverage.md's (%r)" % (k, md[k]), p)
    ops = pontes("ops", "eccor")
    for line in ops.stdout.splitlines():
        if line and not line.startswith(" "):
            check(("\n" + line.split()[0] + " ") in ("\n" + p.stdout), "operation %s is listed" % line.split()[0], p)
    check("listProducts" in p.stdout and "request-side paging parameters" in p.stdout,
          "a partial operation says what is missing", p)
    check("members that are partial or inferred:" in p.stdout and
          "response.200.data[].bankComission.type" in p.stdout, "the inferred members are listed with their paths", p)
    h = pontes("coverage", "--help")
    check(h.returncode == 0 and "usage: pontes coverage <api> [--json]" in h.stdout, "coverage --help", h)
    hh = pontes("help")
    check("coverage <api> [--json]" in hh.stdout, "the general usage lists coverage", hh)
    for bad in (["coverage"], ["coverage", "eccor", "--bogus"], ["coverage", "nosuchapi"]):
        b = pontes(*bad)
        check(b.returncode == 2 and b.stdout == "", "%r is a usage error (exit 2)" % bad, b)


def case_coverage_json():
    apis = linked_apis()
    check("eccor" in apis, "eccor is linked (%r)" % apis)
    for api in apis:  # every API the tool links, bctt too once it exists
        p = pontes("coverage", api, "--json")
        check(p.returncode == 0, "pontes coverage %s --json exits 0" % api, p)
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            raise Failure("coverage %s --json is not JSON: %s" % (api, e))
        check(doc["api"] == api, "api is %s" % api, p)
        classes = ["documented", "inferred", "partial", "unstated"]
        check(sorted(doc["totals"]) == classes and sorted(doc["member_totals"]) == classes,
              "totals per provenance class", p)
        ops = doc["operations"]
        check(sum(doc["totals"].values()) == len(ops), "%s: the totals equal the number of operations" % api, p)
        listed = pontes("ops", api)
        n_ops = len({l.split()[0] for l in listed.stdout.splitlines() if l and not l.startswith(" ")})
        check(len(ops) == n_ops, "%s: every operation of `pontes ops` is reported (%d, %d)" % (api, len(ops), n_ops), p)
        for k in classes:
            check(doc["totals"][k] == sum(1 for o in ops if o["provenance"] == k), "%s: totals[%s]" % (api, k), p)
            check(doc["member_totals"][k] == sum(o["member_counts"][k] for o in ops), "%s: member_totals[%s]" % (api, k), p)
        md = coverage_md_totals(api)
        check({k: (doc["totals"][k], doc["member_totals"][k]) for k in classes} == md,
              "%s: the same totals as %s-coverage.md" % (api, api), p)
        for o in ops:
            check(set(o) >= {"operationId", "method", "path", "provenance", "source", "missing", "basis", "members"},
                  "operation keys", p)
            check((o["missing"] is not None) == (o["provenance"] == "partial"), "missing only for partial", p)
            check((o["basis"] is not None) == (o["provenance"] == "inferred"), "basis only for inferred", p)
            listed_members = [m for m in o["members"]]
            check(len(listed_members) == o["member_counts"]["partial"] + o["member_counts"]["inferred"],
                  "%s: every partial/inferred member listed" % o["operationId"], p)
            for m in listed_members:
                check(m["provenance"] in ("partial", "inferred") and m["path"] and m["note"],
                      "member with path and note: %r" % m, p)
    doc = json.loads(pontes("coverage", "eccor", "--json").stdout)
    by = {o["operationId"]: o for o in doc["operations"]}
    check(by["donePaymentRevision"]["provenance"] == "partial" and
          [m["path"] for m in by["donePaymentRevision"]["members"]] == ["response.204"],
          "eccor donePaymentRevision: partial, its 204 response inferred")
    check(by["createCreditNote"]["provenance"] == "documented" and
          by["createCreditNote"]["source"] == ["https://eccoropen.com.br/documentacao"],
          "eccor createCreditNote: documented by the root default, with its source")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--pontes", required=True)
    ap.add_argument("--demo", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    ARGS = ap.parse_args()
    try:
        CASES[ARGS.case]()
    except Failure as e:
        print("FAIL %s: %s" % (ARGS.case, e), file=sys.stderr)
        return 1
    print("ok %s" % ARGS.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
