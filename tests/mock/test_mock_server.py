"""Tests of the mock server (tools/mock/mock_server.py) with the ECCOR state module
(stdlib unittest; only 127.0.0.1 networking).

Run from the repository root:  python3 -m unittest discover -s tests/mock -v

The ECCOR spec is taken from (first found):
  $PONTES_MOCK_ECCOR_SPEC, generated/eccor/openapi.json, specs/eccor-fgts.yaml (converted with PyYAML).
The petstore test uses /work/shared/specs-public/petstore3.yaml or $PONTES_MOCK_PETSTORE_SPEC
(JSON, or YAML converted with PyYAML).
"""

import base64
import http.client
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "tools", "mock", "mock_server.py")
CLIENT_ID, CLIENT_SECRET = "pontes-demo", "pontes-demo-secret"
SEEDED_PERSON = "311ae9b2-a751-4819-a9f0-6d839b373172"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def json_spec(candidates, tmpdir, name):
    """Returns (path_to_json_spec, reason_if_none)."""
    reasons = []
    for path in candidates:
        if not path:
            continue
        if not os.path.exists(path):
            reasons.append("%s does not exist" % path)
            continue
        if path.endswith(".json"):
            return path, None
        try:
            import yaml
        except ImportError:
            reasons.append("%s is YAML and PyYAML is not installed" % path)
            continue
        try:
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f)
        except Exception as e:  # noqa
            reasons.append("%s: cannot parse YAML: %s" % (path, e))
            continue
        out = os.path.join(tmpdir, name + ".json")
        with open(out, "w", encoding="utf-8") as f:
            json.dump(data, f, default=str, ensure_ascii=False)
        return out, None
    return None, "; ".join(reasons)


class MockProcess:
    def __init__(self, specs, extra=()):
        self.tmp = tempfile.mkdtemp(prefix="pontes-mock-")
        port_file = os.path.join(self.tmp, "port")
        cmd = [sys.executable, SERVER, "--port", "0", "--port-file", port_file, "--quiet"]
        for s in specs:
            cmd += ["--spec", s]
        cmd += list(extra)
        self.stderr = open(os.path.join(self.tmp, "stderr"), "w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr, cwd=ROOT)
        deadline = time.time() + 15
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                self.stderr.seek(0)
                raise RuntimeError("mock server did not start: %s" % self.stderr.read())
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read().strip())
        line = self.proc.stdout.readline().decode()
        assert line.strip() == "listening on http://127.0.0.1:%d" % self.port, line

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, body=None, headers=None, token=None, raw=None):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        self.conn.request(method, path, body=data, headers=h)
        resp = self.conn.getresponse()
        payload = resp.read()
        parsed = None
        if payload and (resp.getheader("Content-Type") or "").startswith("application/json"):
            parsed = json.loads(payload.decode())
        return resp.status, parsed, payload, resp

    def token(self, scope=None, basic=None):
        form = "grant_type=client_credentials"
        if scope:
            form += "&scope=" + scope
        cred = basic or base64.b64encode(("%s:%s" % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
        return self.request("POST", "/oauth2/token", raw=form.encode(),
                            headers={"Authorization": "Basic " + cred,
                                     "Content-Type": "application/x-www-form-urlencoded"})

    def close(self):
        self.conn.close()


class WebhookListener:
    def __init__(self):
        received = self.received = []

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                received.append((self.path, self.headers.get("Content-Type"), json.loads(self.rfile.read(n))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def first_example(spec, op_id, request=True):
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == op_id:
                if request:
                    content = resolve(spec, op["requestBody"])["content"]
                else:
                    content = next(resolve(spec, r).get("content") for c, r in op["responses"].items()
                                   if str(c).startswith("2"))
                media = next(iter(content.values()))
                for ex in (media.get("examples") or {}).values():
                    ex = resolve(spec, ex)
                    if not ex.get("x-pontes-invalid") and "value" in ex:
                        return ex["value"]
                return media.get("example")
    raise KeyError(op_id)


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        cur = spec
        for tok in node["$ref"][2:].split("/"):
            cur = cur[tok.replace("~1", "/").replace("~0", "~")]
        node = cur
    return node


class EccorMockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pontes-mock-spec-")
        path, why = json_spec([os.environ.get("PONTES_MOCK_ECCOR_SPEC"),
                               os.path.join(ROOT, "generated", "eccor", "openapi.json"),
                               os.path.join(ROOT, "specs", "eccor-fgts.yaml")], cls.tmp, "eccor")
        if path is None:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest("no ECCOR spec available (%s)" % why)
        with open(path, encoding="utf-8") as f:
            cls.spec = json.load(f)
        cls.server = MockProcess([path])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.c = Client(self.server.port)
        status, _, _, _ = self.c.request("POST", "/__admin/reset")
        self.assertEqual(status, 200)
        status, body, _, _ = self.c.token()
        self.assertEqual(status, 200, body)
        self.tok = body["access_token"]

    def tearDown(self):
        self.c.close()

    def api(self, method, path, body=None, **kw):
        return self.c.request(method, path, body=body, token=self.tok, **kw)

    # -- auth -------------------------------------------------------------------------
    def test_token_endpoint(self):
        status, body, _, resp = self.c.token(scope="credit/admin" if self.scopes() else None)
        self.assertEqual(status, 200)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3600)
        self.assertTrue(body["access_token"])
        bad = base64.b64encode(b"pontes-demo:wrong").decode()
        status, body, _, _ = self.c.token(basic=bad)
        self.assertEqual((status, body), (401, {"error": "invalid_client"}))
        status, body, _, _ = self.c.token(scope="credit/uy3")
        self.assertEqual((status, body), (400, {"error": "invalid_scope"}))
        cred = base64.b64encode(("%s:%s" % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
        hdr = {"Authorization": "Basic " + cred, "Content-Type": "application/x-www-form-urlencoded"}
        status, body, _, _ = self.c.request("POST", "/oauth2/token", raw=b"scope=credit%2Fadmin", headers=hdr)
        self.assertEqual((status, body), (400, {"error": "invalid_request"}))
        status, body, _, _ = self.c.request("POST", "/oauth2/token", raw=b"grant_type=password", headers=hdr)
        self.assertEqual((status, body), (400, {"error": "unsupported_grant_type"}))

    def scopes(self):
        out = set()
        for s in self.spec.get("components", {}).get("securitySchemes", {}).values():
            for flow in (s.get("flows") or {}).values():
                out.update(flow.get("scopes") or {})
        return out

    def assert_401_empty(self, status, payload, resp):
        self.assertEqual(status, 401)
        self.assertEqual(payload, b"")
        self.assertEqual(resp.getheader("Content-Length"), "0")
        self.assertEqual(resp.getheader("WWW-Authenticate"), "Bearer")

    def test_401_empty_body(self):
        status, _, payload, resp = self.c.request("GET", "/v1/Product")
        self.assert_401_empty(status, payload, resp)
        status, _, payload, resp = self.c.request("GET", "/v1/Product", token="not-a-token")
        self.assert_401_empty(status, payload, resp)
        status, _, _, _ = self.api("GET", "/v1/Product")
        self.assertEqual(status, 200)
        status, body, _, _ = self.c.request("POST", "/__admin/expire-tokens")
        self.assertEqual(status, 200)
        status, _, payload, resp = self.api("GET", "/v1/Product")
        self.assert_401_empty(status, payload, resp)

    def test_token_ttl_expiry(self):
        srv = MockProcess([self.server_spec_path()], ["--token-ttl", "1"])
        try:
            c = Client(srv.port)
            status, body, _, _ = c.token()
            self.assertEqual(body["expires_in"], 1)
            tok = body["access_token"]
            self.assertEqual(c.request("GET", "/v1/Product", token=tok)[0], 200)
            time.sleep(1.3)
            self.assertEqual(c.request("GET", "/v1/Product", token=tok)[0], 401)
            c.close()
        finally:
            srv.stop()

    def server_spec_path(self):
        path, _ = json_spec([os.environ.get("PONTES_MOCK_ECCOR_SPEC"),
                             os.path.join(ROOT, "generated", "eccor", "openapi.json"),
                             os.path.join(ROOT, "specs", "eccor-fgts.yaml")], self.tmp, "eccor2")
        return path

    # -- routing / robustness -------------------------------------------------------
    def test_routing_and_robustness(self):
        status, body, _, _ = self.api("GET", "/v1/Nope")
        self.assertEqual(status, 404)
        status, body, _, resp = self.api("PATCH", "/v1/Product")
        self.assertEqual(status, 405)
        self.assertIn("GET", resp.getheader("Allow"))
        status, body, _, _ = self.api("POST", "/v1/NaturalPerson", raw=b"{not json",
                                      headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "INVALID_FORM")
        self.assertRegex(body["correlationId"], r"^#[0-9a-f]{32}$")
        status, body, _, _ = self.api("GET", "/v1/NaturalPerson/not-a-uuid")
        self.assertEqual(status, 400)
        self.assertEqual(body["details"]["formErrors"][0]["key"], "personId")
        status, body, _, _ = self.api("POST", "/v1/NaturalPerson", raw=b"x=1",
                                      headers={"Content-Type": "text/plain"})
        self.assertIn(status, (400, 415))
        status, body, _, _ = self.api("POST", "/v1/NaturalPerson", raw=b"")
        self.assertEqual(status, 400)
        # keep-alive: all of the above went through one connection
        status, _, _, _ = self.api("GET", "/v1/Product")
        self.assertEqual(status, 200)
        status, log, _, _ = self.c.request("GET", "/__admin/requests")
        self.assertEqual(status, 200)
        self.assertTrue(log)
        for entry in log:
            auth = entry["headers"].get("Authorization")
            if auth:
                self.assertNotIn(self.tok, auth)
        self.assertEqual(log[-1]["status"], 200)

    def test_validation_error_key_path(self):
        person = first_example(self.spec, "createNaturalPerson")
        person["bankAccounts"] = [
            {"operationTypeValue": "Pix", "pixKeyTypeValue": "Phone", "keyPix": "12980546587"},
            {"operationTypeValue": "Transfer", "account": "1234567", "agency": "1234", "bankCode": "1",
             "accountDigit": "0"}]
        status, body, _, _ = self.api("POST", "/v1/NaturalPerson", person)
        self.assertEqual(status, 400, body)
        self.assertEqual(body["code"], "INVALID_FORM")
        self.assertEqual(body["message"], "Não foi possível validar os dados do formulário")
        keys = [e["key"] for e in body["details"]["formErrors"]]
        self.assertIn("bankAccounts[1].type", keys)
        person = first_example(self.spec, "createNaturalPerson")
        del person["registrationNumber"]
        status, body, _, _ = self.api("POST", "/v1/NaturalPerson", person)
        self.assertEqual(status, 400)
        self.assertIn("registrationNumber", [e["key"] for e in body["details"]["formErrors"]])

    def test_unknown_and_seeded_person(self):
        status, body, _, _ = self.api("GET", "/v1/NaturalPerson/" + SEEDED_PERSON)
        self.assertEqual(status, 200)
        self.assertEqual(body["id"], SEEDED_PERSON)
        other = str(uuid.uuid4())
        status, body, _, _ = self.api("GET", "/v1/NaturalPerson/" + other)
        self.assertEqual(status, 403)
        self.assertEqual(body["code"], "RECORD_NOT_EXISTS_OR_MISSING_PERMISSION")
        self.assertEqual(body["details"], {"resourceId": other, "permissionType": "Read",
                                           "resource": "NaturalPerson"})

    # -- the whole flow ---------------------------------------------------------------
    def test_full_flow(self):
        status, products, _, _ = self.api("GET", "/v1/Product")
        self.assertEqual(status, 200)
        product_id = products["data"][0]["id"]

        create = first_example(self.spec, "createNaturalPerson")
        status, pid, _, _ = self.api("POST", "/v1/NaturalPerson", create)
        self.assertEqual(status, 200, pid)
        self.assertRegex(pid, UUID_RE)
        self.assertNotEqual(pid, SEEDED_PERSON)
        status, person, _, _ = self.api("GET", "/v1/NaturalPerson/" + pid)
        self.assertEqual(status, 200)
        self.assertEqual(person["id"], pid)
        self.assertEqual(person["registrationNumber"], create["registrationNumber"])
        self.assertEqual(len(person["bankAccounts"]), len(create["bankAccounts"]))
        for acc in person["bankAccounts"]:
            self.assertRegex(acc["id"], UUID_RE)

        status, found, _, _ = self.api("GET", "/v1/NaturalPerson?registrationNumber=%s&personDisplay=%s"
                                       % (create["registrationNumber"], create["name"].split()[0].lower()))
        self.assertEqual(status, 200)
        self.assertIn(pid, [p["id"] for p in found["data"]])
        self.assertEqual(found["totalItems"], len(found["data"]))
        status, found, _, _ = self.api("GET", "/v1/NaturalPerson?registrationNumber=99999999999")
        self.assertEqual(found["data"], [])

        update = first_example(self.spec, "updateNaturalPerson")
        update["bankAccounts"] = [dict(a, id=b["id"]) for a, b in
                                  zip(create["bankAccounts"], person["bankAccounts"])]
        update["occupation"] = "ADMINISTRADORA"
        status, _, payload, _ = self.api("PUT", "/v1/NaturalPerson/" + pid, update)
        self.assertEqual((status, payload), (204, b""))
        status, person, _, _ = self.api("GET", "/v1/NaturalPerson/" + pid)
        self.assertEqual(person["occupation"], "ADMINISTRADORA")
        self.assertEqual(len(person["bankAccounts"]), len(create["bankAccounts"]))

        new_accounts = first_example(self.spec, "addBankAccounts")
        status, ids, _, _ = self.api("POST", "/v1/NaturalPerson/%s/BankAccount" % pid, new_accounts)
        self.assertEqual(status, 200)
        self.assertEqual(len(ids), len(new_accounts))
        status, person, _, _ = self.api("GET", "/v1/NaturalPerson/" + pid)
        account_ids = [a["id"] for a in person["bankAccounts"]]
        for i in ids:
            self.assertIn(i, account_ids)

        upd = first_example(self.spec, "updateBankAccount")
        status, _, payload, _ = self.api("PUT", "/v1/NaturalPerson/%s/BankAccount/%s" % (pid, ids[0]), upd)
        self.assertEqual((status, payload), (204, b""))

        doomed = ids[-1]
        path = "/v1/NaturalPerson/%s/BankAccount/%s" % (pid, doomed)
        status, _, payload, _ = self.api("DELETE", path)
        self.assertEqual((status, payload), (204, b""))
        status, person, _, _ = self.api("GET", "/v1/NaturalPerson/" + pid)
        self.assertNotIn(doomed, [a["id"] for a in person["bankAccounts"]])
        status, body, _, _ = self.api("DELETE", path)
        self.assertEqual(status, 403)
        self.assertEqual(body["code"], "RECORD_NOT_EXISTS_OR_MISSING_PERMISSION")

        note = first_example(self.spec, "createCreditNote")
        note.update(productId=product_id, personId=pid, beneficiaryId=pid, bankAccountId=ids[0])
        bad = dict(note, productId=str(uuid.uuid4()))
        status, body, _, _ = self.api("POST", "/v1/CreditNote", bad)
        self.assertEqual(status, 400)
        self.assertEqual(body["details"]["formErrors"][0],
                         {"message": "Produto não encontrado", "key": "productId"})
        status, body, _, _ = self.api("POST", "/v1/CreditNote", dict(note, bankAccountId=doomed))
        self.assertEqual(status, 400)
        self.assertIn("bankAccountId", [e["key"] for e in body["details"]["formErrors"]])

        # a credit note whose payout account is deleted afterwards cannot be submitted
        status, cn1, _, _ = self.api("POST", "/v1/CreditNote", note)
        self.assertEqual(status, 200)
        self.assertRegex(cn1, UUID_RE)
        self.assertEqual(self.api("DELETE", "/v1/NaturalPerson/%s/BankAccount/%s" % (pid, ids[0]))[0], 204)
        status, body, _, _ = self.api("POST", "/v1/CreditNote/%s/SubmitApproval" % cn1)
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "RECORD_IS_DELETED")
        self.assertEqual(body["details"]["recordId"], ids[0])

        account = person["bankAccounts"][0]["id"]
        status, cn, _, _ = self.api("POST", "/v1/CreditNote", dict(note, bankAccountId=account))
        self.assertEqual(status, 200)
        status, _, payload, resp = self.api("POST", "/v1/CreditNote/%s/SubmitApproval" % cn)
        self.assertEqual((status, payload), (200, b""))
        self.assertEqual(resp.getheader("Content-Length"), "0")
        status, body, _, _ = self.api("POST", "/v1/CreditNote/%s/SubmitApproval" % uuid.uuid4())
        self.assertEqual(status, 403)

        revision = first_example(self.spec, "donePaymentRevision")
        status, body, _, _ = self.api("POST", "/v1/CreditNote/%s/donePaymentRevision" % cn, revision)
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "INVALID_ACTION_FOR_STATUS")
        self.assertEqual(body["details"]["currentStatus"], "Draft")

        listener = WebhookListener()
        try:
            url = "http://127.0.0.1:%d/hooks/eccor" % listener.port
            status, body, _, _ = self.c.request("POST", "/__admin/webhooks/" + cn, {
                "url": "http://example.com/x", "transitions": "all"})
            self.assertEqual(status, 400)
            chain = [[0, 1], [1, 8], [8, 2], [2, 12], [12, 3], [3, 13]]
            status, body, _, _ = self.c.request("POST", "/__admin/webhooks/" + cn,
                                                {"url": url, "transitions": chain})
            self.assertEqual(status, 200, body)
            self.assertEqual(body["delivered"], len(chain))
            self.assertEqual(body["statuses"], [204] * len(chain))
            self.assertEqual(len(listener.received), len(chain))
            for (path, ctype, event), (old, new) in zip(listener.received, chain):
                self.assertEqual(path, "/hooks/eccor")
                self.assertEqual(ctype, "application/json")
                self.assertEqual(event["id"], cn)
                self.assertEqual((event["parameters"]["oldStatus"], event["parameters"]["newStatus"]),
                                 (old, new))
            self.assertEqual(listener.received[-1][2]["parameters"]["newStatusDisplay"], "Revisão de Pagamento")
        finally:
            listener.stop()

        status, _, payload, _ = self.api("POST", "/v1/CreditNote/%s/donePaymentRevision" % cn, revision)
        self.assertIn(status, (200, 204))
        status, body, _, _ = self.api("POST", "/v1/CreditNote/%s/donePaymentRevision" % cn, revision)
        self.assertEqual(status, 400)
        self.assertEqual(body["details"]["currentStatus"], "Liquidation")

    def test_webhooks_all_examples(self):
        hook = self.spec["webhooks"]["creditNoteStatusChanged"]
        op = next(v for k, v in hook.items() if isinstance(v, dict) and "requestBody" in v)
        media = next(iter(resolve(self.spec, op["requestBody"])["content"].values()))
        examples = [resolve(self.spec, e) for e in media["examples"].values()]
        examples = [e["value"] for e in examples if not e.get("x-pontes-invalid")]
        cn = first_example(self.spec, "createCreditNote", request=False)  # pre-seeded credit note
        listener = WebhookListener()
        try:
            status, body, _, _ = self.c.request("POST", "/__admin/webhooks/" + cn, {
                "url": "http://127.0.0.1:%d/" % listener.port, "transitions": "all"})
            self.assertEqual(status, 200, body)
            self.assertEqual(body["delivered"], len(examples))
            got = [e for _, _, e in listener.received]
            self.assertEqual([g["parameters"] for g in got], [e["parameters"] for e in examples])
            self.assertTrue(all(g["id"] == cn for g in got))
        finally:
            listener.stop()


class PetstoreMockTest(unittest.TestCase):
    def test_petstore_loads_and_answers(self):
        tmp = tempfile.mkdtemp(prefix="pontes-mock-pet-")
        try:
            path, why = json_spec([os.environ.get("PONTES_MOCK_PETSTORE_SPEC"),
                                   "/work/shared/specs-public/petstore3.yaml"], tmp, "petstore")
            if path is None:
                self.skipTest("no petstore spec (%s)" % why)
            srv = MockProcess([path])
            try:
                c = Client(srv.port)
                status, body, _, _ = c.request("GET", "/user/login?username=u&password=p")
                self.assertEqual(status, 200)
                status, body, _, _ = c.request("GET", "/store/inventory")
                self.assertEqual(status, 401)
                status, body, _, _ = c.request("GET", "/store/inventory", headers={"api_key": "k"})
                self.assertEqual(status, 200)
                status, body, _, _ = c.request("GET", "/pet/12", headers={"api_key": "k"})
                self.assertEqual(status, 200)
                self.assertIn("name", body)
                status, body, _, _ = c.request("GET", "/pet/abc", headers={"api_key": "k"})
                self.assertEqual(status, 400)
                self.assertEqual(body["details"]["formErrors"][0]["key"], "petId")
                status, body, _, _ = c.request("POST", "/pet", {"name": "rex"}, headers={"api_key": "k"})
                self.assertEqual(status, 401)  # /pet POST requires petstore_auth (oauth2)
                c.close()
            finally:
                srv.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
