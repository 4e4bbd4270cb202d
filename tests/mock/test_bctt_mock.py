"""Tests of the mock server with the BCTT Partners Portal state module (tools/mock/pontes_mock/apis/bctt.py),
over real HTTP on 127.0.0.1 (stdlib unittest).

Run from the repository root:  python3 -m unittest discover -s tests/mock -p test_bctt_mock.py -v

Spec: $PONTES_MOCK_BCTT_SPEC or generated/bctt/openapi.json.
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
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "tools", "mock", "mock_server.py")
SPEC = os.environ.get("PONTES_MOCK_BCTT_SPEC") or os.path.join(ROOT, "generated", "bctt", "openapi.json")
LOGIN = "/API/partnersPortal/authentication"
CREDS = {"xClientID": "pontes-demo-client", "xClientSecret": "pontes-demo-secret", "xBrokerUID": "12345",
         "xUsername": "user@example.com"}
OTHER = dict(CREDS, xBrokerUID="67890", xUsername="ana.silva@example.com")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
CODE_RE = re.compile(r"^[0-9]{6}$")


class Mock:
    def __init__(self, extra=()):
        self.tmp = tempfile.mkdtemp(prefix="pontes-bctt-")
        port_file = os.path.join(self.tmp, "port")
        self.stderr_path = os.path.join(self.tmp, "stderr")
        self.stderr = open(self.stderr_path, "w+")
        cmd = [sys.executable, SERVER, "--spec", SPEC, "--port", "0", "--port-file", port_file, "--quiet"]
        self.proc = subprocess.Popen(cmd + list(extra), stdout=subprocess.DEVNULL, stderr=self.stderr, cwd=ROOT)
        deadline = time.time() + 15
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("mock server did not start")
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read())

    def errors(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Receiver:
    """A local HTTP receiver of partner notifications; answers the statuses queued in `answers` (then 200)."""

    def __init__(self):
        self.got = []
        self.answers = []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                outer.got.append((self.path, self.headers.get("Content-Type"), json.loads(raw)))
                st = outer.answers.pop(0) if outer.answers else 200
                self.send_response(st)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path="/bctt/notify"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def wait(self, n, timeout=10):
        deadline = time.time() + timeout
        while len(self.got) < n and time.time() < deadline:
            time.sleep(0.02)
        return self.got

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class BcttMockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(SPEC):
            raise unittest.SkipTest("%s does not exist" % SPEC)
        with open(SPEC, encoding="utf-8") as f:
            cls.spec = json.load(f)
        cls.ops = {}
        for path, item in cls.spec["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    cls.ops[op["operationId"]] = (method.upper(), path)
        cls.mock = Mock()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def setUp(self):
        self.call("POST", "/__admin/reset")
        self.tok = None

    # -- helpers ---------------------------------------------------------------------------
    def call(self, method, path, headers=None, body=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.mock.port, timeout=60)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        text = resp.read()
        conn.close()
        parsed = json.loads(text) if text else None
        return resp.status, parsed, text, resp

    def admin(self, name, body=None, method="POST"):
        st, out, text, _ = self.call(method, "/__admin/bctt/" + name, body=body if method == "POST" else None)
        self.assertEqual(st, 200, text)
        return out

    def state(self):
        return self.admin("state", method="GET")

    def login(self, creds=CREDS):
        st, body, text, _ = self.call("POST", LOGIN, creds)
        self.assertEqual(st, 200, text)
        return body["sessionToken"] if isinstance(body, dict) else body

    def path(self, op_id, **params):
        method, template = self.ops[op_id]
        query = params.pop("query", None)
        path = re.sub(r"\{(\w+)\}", lambda m: urllib.parse.quote(str(params[m.group(1)]), safe=""), template)
        if query:
            path += "?" + urllib.parse.urlencode(query)
        return method, path

    def op(self, op_id, body=None, token=None, headers=None, **params):
        method, path = self.path(op_id, **params)
        if token is None:
            token = self.tok = self.tok or self.login()
        h = {"Authorization": "Bearer " + token} if token else {}
        h.update(headers or {})
        return self.call(method, path, h, body)

    def ok(self, op_id, body=None, code=None, **params):
        st, out, text, _ = self.op(op_id, body, **params)
        self.assertTrue(200 <= st < 300, "%s: %s %s" % (op_id, st, text[:600]))
        if code is not None:
            self.assertEqual(out["operationStatus"]["operationStatusCode"], code, text)
        return out

    def assertEnvelope(self, res, status, code):
        st, body, text, _ = res
        self.assertEqual(st, status, text[:600])
        self.assertIn("operationStatus", body, text)
        self.assertEqual(body["operationStatus"]["operationStatusCode"], code, text)
        self.assertRegex(body["operationStatus"]["operationStatusCode"], CODE_RE)
        self.assertTrue(body["operationStatus"]["operationStatusMessage"])
        return body

    def new_simulation(self, validate=True, **fields):
        body = {"loanAmount": 180000, "loanDurationMonths": 360}
        body.update(fields)
        out = self.ok("SimulationCreate", body, "020702")
        sid = out["additionalData"]["simulationUniqueID"]
        self.assertIsInstance(out["additionalData"]["simulationNumber"], int)
        if validate:
            self.ok("SimulationValidate", code="020707", simulationUniqueId=sid)
        return sid, out["additionalData"]["simulationNumber"]

    def new_process(self, **extra):
        sid, _ = self.new_simulation()
        body = {"simulationUniqueId": sid, "keyBorrowerEmail": "john.doe@example.com", "keyBorrowerName": "John Doe",
                "keyBorrowerIdentificationDocTypeId": 1, "keyBorrowerIdentificationDocNumber": "AB123456"}
        body.update(extra)
        out = self.ok("ProcessCreate", body, "020102")
        return out["additionalData"]["processUniqueID"], out["additionalData"]["processNumber"], sid

    def add_document(self, pid, content=PDF, **extra):
        body = {"documentTitle": "Form DL 44", "documentTypeID": 924, "fileName": "form.pdf",
                "documentObservations": "Scanned copy", "documentContent": base64.b64encode(content).decode()}
        body.update(extra)
        return self.op("DocumentCreate", body, processUniqueId=pid)

    # -- authentication ----------------------------------------------------------------------
    def test_auth_answer_shapes(self):
        st, body, text, resp = self.call("POST", LOGIN, CREDS)
        self.assertEqual(st, 200, text)
        self.assertEqual(set(body), {"sessionToken"})
        tok = body["sessionToken"]
        parts = tok.split(".")
        self.assertEqual(len(parts), 3)
        self.assertTrue(tok.startswith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."), tok)
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        self.assertEqual((payload["sub"], payload["brokerUID"]), ("user@example.com", "12345"))
        self.assertNotEqual(self.login(), tok)  # fresh every time
        self.admin("config", {"auth_answer": "string"})
        st, body, text, _ = self.call("POST", LOGIN, CREDS)
        self.assertEqual(st, 200)
        self.assertIsInstance(body, str)
        self.assertTrue(text.startswith(b'"eyJ'), text)
        self.assertEqual(self.op("CountriesGet", token=body)[0], 200)
        self.assertEqual(self.state()["logins"], 3)

    def test_auth_header_aliases(self):
        guide = {"xClientID": "pontes-demo-client", "xClientSecret": "pontes-demo-secret", "brokerID": "12345",
                 "username": "user@example.com"}
        commons = {"x-client-id": "pontes-demo-client", "x-client-secret": "pontes-demo-secret",
                   "correlationId": "67890", "xUsername": "ana.silva@example.com"}
        for creds in (guide, commons):
            self.assertEqual(self.call("POST", LOGIN, creds)[0], 200, creds)
        self.assertEqual(self.state()["loginsByUser"], {"12345:user@example.com": 1, "67890:ana.silva@example.com": 1})

    def test_auth_failures(self):
        cases = [(dict(CREDS, xClientSecret="nope"), "010101"), ({k: v for k, v in CREDS.items() if k != "xClientID"},
                                                                   "010101"),
                 (dict(CREDS, xBrokerUID="99999"), "010201"), (dict(CREDS, xUsername="ana.silva@example.com"), "010301"),
                 ({k: v for k, v in CREDS.items() if k != "xUsername"}, "010301")]
        for creds, code in cases:
            body = self.assertEnvelope(self.call("POST", LOGIN, creds), 401, code)
            self.assertNotIn("sessionToken", body)
        self.admin("config", {"disabled_brokers": ["12345"]})
        self.assertEnvelope(self.call("POST", LOGIN, CREDS), 401, "010201")
        self.admin("config", {"disabled_brokers": [], "disabled_users": ["USER@example.com"]})
        self.assertEnvelope(self.call("POST", LOGIN, CREDS), 401, "010301")
        st = self.state()
        self.assertEqual((st["logins"], st["failedLogins"]), (0, 7))

    def test_session_required(self):
        st, _, text, resp = self.call("GET", self.path("CountriesGet")[1])
        self.assertEnvelope((st, json.loads(text), text, resp), 401, "010401")
        self.assertIn("Bearer", resp.getheader("WWW-Authenticate"))
        self.assertEnvelope(self.op("CountriesGet", token="eyJ.forged.token"), 401, "010402")
        tok = self.login()
        self.assertEqual(self.call("GET", self.path("CountriesGet")[1], {"sessionToken": tok})[0], 200)
        self.assertEqual(self.op("CountriesGet", token=tok, headers={"Authorization": "Basic abc"})[0], 401)

    def test_idle_expiry_and_renewal(self):
        tok = self.login()
        for _ in range(3):  # each call renews the 30 minutes
            self.admin("clock", {"advance": 1799})
            self.assertEqual(self.op("CountriesGet", token=tok)[0], 200)
        self.admin("clock", {"advance": 1800})
        self.assertEnvelope(self.op("CountriesGet", token=tok), 401, "010403")
        self.assertEnvelope(self.op("CountriesGet", token=tok), 401, "010402")  # forgotten
        tok2 = self.login()
        self.assertEqual(self.op("CountriesGet", token=tok2)[0], 200)
        self.assertEqual(self.state()["logins"], 2)
        # a shorter timeout; a call answered 400 was authenticated, so it renews too
        self.admin("config", {"idle_timeout": 60})
        self.admin("clock", {"advance": 59})
        self.assertEqual(self.op("ProcessDetail", token=tok2, processUniqueId="00000000-0000-4000-8000-000000000000")[0],
                         400)
        self.admin("clock", {"advance": 59})
        self.assertEqual(self.op("CountriesGet", token=tok2)[0], 200)
        self.admin("clock", {"advance": 60})
        self.assertEqual(self.op("CountriesGet", token=tok2)[0], 401)

    def test_command_line_flags(self):
        mock = Mock(["--bctt-client-id", "cid", "--bctt-client-secret", "csecret", "--bctt-user", "777:me@x.pt",
                     "--bctt-auth-answer", "string", "--bctt-idle-timeout", "100", "--bctt-callback-attempts", "1"])
        self.addCleanup(mock.stop)
        creds = {"xClientID": "cid", "xClientSecret": "csecret", "xBrokerUID": "777", "xUsername": "me@x.pt"}
        conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=30)
        conn.request("POST", LOGIN, headers=creds)
        r = conn.getresponse()
        tok = json.loads(r.read())
        self.assertEqual(r.status, 200)
        self.assertIsInstance(tok, str)
        conn.request("POST", LOGIN, headers=CREDS)  # the demo credentials are not configured there
        r = conn.getresponse()
        self.assertEqual((r.status, json.loads(r.read())["operationStatus"]["operationStatusCode"]), (401, "010101"))
        conn.request("GET", "/__admin/bctt/state")
        st = json.loads(conn.getresponse().read())
        conn.close()
        self.assertEqual((st["config"]["idle_timeout"], st["config"]["callback_attempts"], st["config"]["users"]),
                         (100, 1, {"777": ["me@x.pt"]}))

    def test_expire_sessions(self):
        a, b = self.login(), self.login(OTHER)
        self.assertEqual(self.admin("expire-session", {"token": a}), {"expired": 1})
        self.assertEnvelope(self.op("CountriesGet", token=a), 401, "010403")
        self.assertEqual(self.op("CountriesGet", token=b)[0], 200)
        st, out, _, _ = self.call("POST", "/__admin/expire-tokens")
        self.assertEqual(st, 200)
        self.assertGreaterEqual(out["expired"], 1)
        self.assertEqual(self.op("CountriesGet", token=b)[0], 401)

    # -- the broker flow ----------------------------------------------------------------------
    def test_simulation_flow(self):
        sid, num = self.new_simulation(validate=False, propertyAmount=250000)
        d = self.ok("SimulationDetail", simulationUniqueId=sid)
        self.assertEqual((d["simulationUniqueID"], d["simulationNumber"], d["simulationStatusID"]), (sid, num, 1))
        self.ok("SimulationUpdate", {"loanAmount": 190000}, "020701", simulationUniqueId=sid)
        d = self.ok("SimulationDetail", simulationUniqueId=sid)
        self.assertEqual((d["loanSimulationDetail"]["loanAmount"], d["propertySimulationDetail"]["estimatedValue"]),
                         (190000, 250000))
        self.assertEqual(d["loanSimulationDetail"]["ltvEstimated"], 76.0)
        self.assertGreater(d["loanSimulationDetail"]["monthlyInstallmentAmount"], 0)
        self.ok("SimulationValidate", code="020707", simulationUniqueId=sid)
        self.assertEqual(self.ok("SimulationDetail", simulationUniqueId=sid)["simulationStatusID"], 2)
        esis = base64.b64decode(self.ok("SimulationESISGet", simulationUniqueId=sid,
                                        query={"ignoreRules": "false"})["esis"])
        self.assertTrue(esis.startswith(b"%PDF-1.4") and esis.rstrip().endswith(b"%%EOF"), esis[:40])
        self.assertIn(b"Simula", esis)
        self.ok("SimulationESISEmail", code="020706", simulationUniqueId=sid,
                query={"ignoreRules": "true", "sendAddress": "cliente@example.com"})
        self.assertEnvelope(self.op("SimulationESISEmail", simulationUniqueId=sid,
                                    query={"ignoreRules": "true", "sendAddress": "not-an-address"}), 400, "040901")
        self.assertEqual([(e["kind"], e["sendAddress"]) for e in self.state()["esisEmails"]],
                         [("simulation", "cliente@example.com")])
        for i in range(3):
            self.ok("SimulationsMessageCreate", {"subject": "s%d" % i, "text": "t%d" % i}, "020902", simulationUniqueId=sid)
        page = self.ok("SimulationsMessageList", simulationUniqueId=sid, query={"pageNumber": 1, "pageSize": 2})
        self.assertEqual((page["totalCount"], page["count"]), (3, 2))
        self.ok("SimulationCancel", code="020704", simulationUniqueId=sid)
        self.assertEnvelope(self.op("SimulationCancel", simulationUniqueId=sid), 400, "040302")
        self.assertEnvelope(self.op("SimulationDetail", simulationUniqueId="00000000-0000-4000-8000-000000000001"),
                            400, "040301")
        # an unvalidated simulation cannot become a process
        sid2, _ = self.new_simulation(validate=False)
        self.assertEnvelope(self.op("ProcessCreate", {
            "simulationUniqueId": sid2, "keyBorrowerEmail": "a@example.com", "keyBorrowerName": "A",
            "keyBorrowerIdentificationDocTypeId": 1, "keyBorrowerIdentificationDocNumber": "X"}), 400, "040302")

    def test_process_flow(self):
        pid, number, sid = self.new_process(borrowerName="Jane Doe", borrowerEmail="jane.doe@example.com")
        self.assertEqual(self.ok("SimulationDetail", simulationUniqueId=sid)["simulationStatusID"], 3)
        d = self.ok("ProcessDetail", processUniqueId=pid)
        self.assertEqual((d["processUniqueID"], d["processNumber"], d["processStatusID"], d["processStatusDescription"]),
                         (pid, number, 1, "In Creation"))
        self.assertEqual(d["loanProcessDetail"]["loanAmount"], 180000)
        self.ok("ProcessUpdate", {"loanAmount": 200300, "loanDurationMonths": 360, "productSchemeId": 1,
                                  "loanPurposeId": 1, "productPurposeId": 2, "hasCrossSelling": True, "branchId": 213},
                "020101", processUniqueId=pid)
        d = self.ok("ProcessDetail", processUniqueId=pid)
        self.assertEqual((d["loanProcessDetail"]["loanAmount"], d["loanProcessDetail"]["productSchemeDescription"],
                          d["branchID"], d["branchDescription"]), (200300, "GENERAL", 213, "LOJA VIRTUAL CC"))
        kinds = sorted(b["borrowerTypeDescription"] for b in d["borrowersProcessList"])
        self.assertEqual(kinds, ["Borrower", "KeyBorrower"])
        key = next(b for b in d["borrowersProcessList"] if b["borrowerTypeID"] == 1)["borrowerUniqueID"]
        # borrowers
        out = self.ok("BorrowerCreate", {"borrowerTypeId": 3, "keyBorrowerRelationId": 3}, "020202", processUniqueId=pid)
        guarantor = out["additionalData"]["borrowerUniqueID"]
        g = self.ok("BorrowerGet", processUniqueId=pid, borrowerUniqueId=guarantor)
        self.assertEqual((g["borrowerTypeDescription"], g["keyBorrowerRelationDescription"]), ("Guarantor", "Parent"))
        self.ok("BorrowerUpdate", {"borrowerTypeId": 3, "keyBorrowerRelationId": 1}, "020201",
                processUniqueId=pid, borrowerUniqueId=guarantor)
        self.assertEqual(self.ok("BorrowerGet", processUniqueId=pid, borrowerUniqueId=guarantor)
                         ["keyBorrowerRelationDescription"], "Spouse")
        self.assertEqual(len(self.borrowers(pid)), 3)
        self.assertEnvelope(self.op("BorrowerDelete", processUniqueId=pid, borrowerUniqueId=key), 400, "040402")
        self.ok("BorrowerDelete", code="020205", processUniqueId=pid, borrowerUniqueId=guarantor)
        self.assertEnvelope(self.op("BorrowerGet", processUniqueId=pid, borrowerUniqueId=guarantor), 400, "040401")
        self.assertEqual(len(self.borrowers(pid)), 2)
        # property
        prop = self.ok("PropertyList", processUniqueId=pid)
        self.ok("PropertyUpdate", {"districtId": 1, "countyId": 1, "parishId": 4186, "zipCode": "3780-001",
                                   "address": "Rua Exemplo 123", "grossBuiltArea": 120.5, "yearBuilt": 1998},
                "020401", processUniqueId=pid, propertyUniqueId=prop["propertyUniqueID"])
        prop = self.ok("PropertyList", processUniqueId=pid)
        self.assertEqual((prop["districtDescription"], prop["countyDescription"], prop["parishDescription"]),
                         ("Aveiro", "ANADIA", "AVELAS DE CAMINHO"))
        self.assertEnvelope(self.op("PropertyUpdate", {"zipCode": "1000-001"}, processUniqueId=pid,
                                    propertyUniqueId="00000000-0000-4000-8000-000000000002"), 400, "040601")
        # submit needs a document
        self.assertEnvelope(self.op("ProcessSubmit", processUniqueId=pid), 400, "040801")
        self.assertEnvelope(self.add_document(pid, documentContent="%%% not base64"), 400, "040502")
        st, out, text, _ = self.add_document(pid)
        self.assertEqual(st, 200, text)
        doc = out["additionalData"]["documentUniqueID"]
        g = self.ok("DocumentGet", processUniqueId=pid, documentUniqueId=doc)
        self.assertEqual((g["fileName"], g["title"], base64.b64decode(g["content"])), ("form.pdf", "Form DL 44", PDF))
        self.ok("DocumentUpdate", {"documentTitle": "Form DL 44 (assinado)", "documentContent":
                                   base64.b64encode(PDF + b"2").decode()}, "020301", processUniqueId=pid,
                documentUniqueId=doc)
        g = self.ok("DocumentGet", processUniqueId=pid, documentUniqueId=doc)
        self.assertEqual((g["title"], base64.b64decode(g["content"])), ("Form DL 44 (assinado)", PDF + b"2"))
        d = self.ok("ProcessDetail", processUniqueId=pid)
        self.assertEqual([(x["typeID"], x["typeDescription"]) for x in d["documentsProcessList"]],
                         [(924, "Formulário DL 44 CH Jovem")])
        st, out, text, _ = self.add_document(pid, fileName="irs.pdf", documentTypeID=904)
        other = out["additionalData"]["documentUniqueID"]
        self.ok("DocumentDelete", code="020305", processUniqueId=pid, documentUniqueId=other)
        self.assertEnvelope(self.op("DocumentGet", processUniqueId=pid, documentUniqueId=other), 400, "040501")
        # messages and ESIS
        self.ok("ProcessesMessageCreate", {"subject": "Documentos", "text": "Enviados os documentos."}, "020502",
                processUniqueId=pid)
        msgs = self.ok("ProcessesMessageList", processUniqueId=pid)
        self.assertEqual((msgs["totalCount"], msgs["count"]), (1, 1))
        self.assertTrue(base64.b64decode(self.ok("ProcessESISGet", processUniqueId=pid,
                                                 query={"ignoreRules": "true"})["esis"]).startswith(b"%PDF-"))
        self.ok("ProcessESISEmail", code="020106", processUniqueId=pid,
                query={"ignoreRules": "false", "sendAddress": "john.doe@example.com"})
        self.assertEqual(self.state()["esisEmails"][-1]["sendAddress"], "john.doe@example.com")
        # submit, then nothing "In Creation"-only works any more
        self.ok("ProcessSubmit", code="020103", processUniqueId=pid)
        self.assertEqual(self.ok("ProcessDetail", processUniqueId=pid)["processStatusDescription"], "In Review")
        self.assertEnvelope(self.op("ProcessSubmit", processUniqueId=pid), 400, "040202")
        self.assertEnvelope(self.op("ProcessUpdate", {"loanAmount": 1}, processUniqueId=pid), 400, "040202")
        self.assertEnvelope(self.op("ProcessCancel", {"processCancelReasonID": 1}, processUniqueId=pid), 400, "040202")
        # the new process heads the list
        first = self.ok("ProcessList", query={"lineCount": 1})["listProcessDetail"][0]
        self.assertEqual((first["processUniqueId"], first["processNumber"], first["processStatusId"]),
                         (pid, str(number), "2"))
        # another broker does not see it
        self.assertEnvelope(self.op("ProcessDetail", token=self.login(OTHER), processUniqueId=pid), 400, "040201")

    def borrowers(self, pid):
        out = self.ok("BorrowerList", processUniqueId=pid)
        return out if isinstance(out, list) else next(v for v in out.values() if isinstance(v, list))

    def test_cancel_is_delete_with_body(self):
        pid, _, _ = self.new_process()
        self.assertEnvelope(self.op("ProcessCancel", processUniqueId=pid), 400, "040102")
        self.assertEnvelope(self.op("ProcessCancel", {"processCancelReasonID": 99}, processUniqueId=pid), 400, "040701")
        method, _ = self.path("ProcessCancel", processUniqueId=pid)
        self.assertEqual(method, "DELETE")
        self.ok("ProcessCancel", {"processCancelReasonID": 1}, "020104", processUniqueId=pid)
        d = self.ok("ProcessDetail", processUniqueId=pid)
        self.assertEqual(d["processStatusDescription"], "Cancelled")
        self.assertIn("Desistência do Cliente", d["notesProcessList"][-1]["comment"])
        self.assertEnvelope(self.op("ProcessesMessageCreate", {"text": "x"}, processUniqueId=pid), 400, "040202")

    def test_submit_needs_key_borrower_in_creation(self):
        pid, _, _ = self.new_process()
        self.assertEqual(self.add_document(pid)[0], 200)
        st, out, text, _ = self.op("ProcessList", query={"lineCount": 250, "filterProcessStatusId": 1})
        self.assertEqual(st, 200, text)
        self.assertEqual([x["processUniqueId"] for x in out["listProcessDetail"]][:1], [pid])
        self.ok("ProcessSubmit", code="020103", processUniqueId=pid)

    # -- pagination --------------------------------------------------------------------------
    def walk(self, op_id, member, id_key, n, **query):
        seen, pages, cursor = [], 0, None
        while True:
            q = dict(query, lineCount=n)
            if cursor:
                q["nextRecord"] = cursor
            out = self.ok(op_id, query=q)
            pages += 1
            items = out[member]
            self.assertLessEqual(len(items), n)
            seen.extend(items)
            self.assertIsInstance(out["totalRecords"], int)
            if not out["hasMoreResults"] or not items:
                break
            cursor = items[-1][id_key]
            self.assertLess(pages, 1000)
        return seen, pages, out

    def test_process_list_keyset_walk(self):
        seen, pages, last = self.walk("ProcessList", "listProcessDetail", "processUniqueId", 7)
        self.assertEqual(len(seen), 250)
        self.assertEqual(pages, 36)
        self.assertEqual(last["totalRecords"], 250)
        ids = [x["processUniqueId"] for x in seen]
        self.assertEqual(len(set(ids)), 250)
        numbers = [x["processNumber"] for x in seen]
        self.assertTrue(all(isinstance(v, str) and v.isdigit() for v in numbers))
        self.assertEqual([int(v) for v in numbers], list(range(1250, 1000, -1)))
        for x in seen:
            for k in ("processStatusId", "branchId", "simulationNumber"):
                self.assertRegex(x[k], r"^[0-9]+$")
        # the same walk twice gives the same pages (deterministic seeds)
        again, _, _ = self.walk("ProcessList", "listProcessDetail", "processUniqueId", 100)
        self.assertEqual([x["processUniqueId"] for x in again], ids)
        # previousRecord: the page before a record
        before = self.ok("ProcessList", query={"lineCount": 5, "previousRecord": ids[20]})["listProcessDetail"]
        self.assertEqual([x["processUniqueId"] for x in before], ids[15:20])
        self.assertEnvelope(self.op("ProcessList", query={"nextRecord": "00000000-0000-4000-8000-000000000003"}),
                            400, "041501")
        self.assertEqual(self.op("ProcessList", query={"lineCount": 0})[0], 400)
        # numbers as numbers on request (the codec's other form)
        self.admin("config", {"list_numbers": "mixed"})
        forms = {type(x["processNumber"]) for x in self.ok("ProcessList", query={"lineCount": 4})["listProcessDetail"]}
        self.assertEqual(forms, {int, str})
        # filters
        out = self.ok("ProcessList", query={"filterProcessStatusId": 8, "lineCount": 500})
        self.assertTrue(out["listProcessDetail"] and all(x["processStatusId"] in ("8", 8) for x in out["listProcessDetail"]))
        self.assertEqual(out["totalRecords"], len(out["listProcessDetail"]))
        name = seen[10]["keyBorrowerName"]
        hits = self.ok("ProcessList", query={"filterByText": name.upper(), "lineCount": 500})["listProcessDetail"]
        self.assertIn(seen[10]["processUniqueId"], [x["processUniqueId"] for x in hits])

    def test_simulation_list_keyset_walk(self):
        self.new_simulation()
        member = self.sim_member()
        seen, pages, last = self.walk("SimulationList", member, "simulationUniqueId", 100)
        self.assertEqual((len(seen), pages, last["totalRecords"]), (251, 3, 251))
        self.assertEqual(len({x["simulationUniqueId"] for x in seen}), 251)
        self.assertEqual([int(x["simulationNumber"]) for x in seen], list(range(5251, 5000, -1)))
        self.assertTrue(all(isinstance(x["simulationNumber"], str) for x in seen))  # like the Process List items
        out = self.ok("SimulationList", query={"filterSimulationStatus": 2, "lineCount": 10})
        self.assertEqual(out["totalRecords"], 1)

    def sim_member(self):
        out = self.ok("SimulationList", query={"lineCount": 1})
        return next(k for k, v in out.items() if isinstance(v, list))

    def test_page_style_messages(self):
        newest = self.ok("ProcessList", query={"lineCount": 1})["listProcessDetail"][0]["processUniqueId"]
        got, num = [], 1
        while True:
            out = self.ok("ProcessesMessageList", processUniqueId=newest, query={"pageNumber": num, "pageSize": 20})
            items = next(v for v in out.values() if isinstance(v, list))
            self.assertEqual((out["totalCount"], out["count"]), (45, len(items)))
            got.extend(items)
            if len(items) < 20:
                break
            num += 1
        self.assertEqual((num, len(got)), (3, 45))
        self.assertEqual(len({m["subject"] for m in got}), 45)
        nt = self.ok("NotificationTypesGet", query={"pageNumber": 2, "pageSize": 3})
        self.assertEqual((nt["totalCount"], nt["count"], [x["id"] for x in nt["notificationTypes"]]), (7, 3, [4, 5, 6]))
        self.assertEqual(self.ok("NotificationTypesGet")["count"], 7)

    # -- taxonomies ----------------------------------------------------------------------------
    def test_taxonomies(self):
        tax = [o for o, (m, p) in self.ops.items() if p.startswith("/v1/taxonomy/")]
        self.assertEqual(len(tax), 45)
        for op_id in tax:
            out = self.ok(op_id)
            items = out if isinstance(out, list) else out["notificationTypes"]
            self.assertTrue(items, op_id)
            for x in items:
                self.assertIsInstance(x["id"], int, op_id)
                self.assertTrue(x["description"], op_id)
        def find(op_id, ident, **q):
            return next(x for x in self.ok(op_id, query=q or None) if x["id"] == ident)
        self.assertEqual(find("DistrictsGet", 1)["description"], "Aveiro")
        self.assertEqual(find("CountiesGet", 1)["description"], "ANADIA")
        self.assertEqual(find("ParishesGet", 4186)["description"], "AVELAS DE CAMINHO")
        self.assertEqual(find("DocumentTypesGet", 924)["description"], "Formulário DL 44 CH Jovem")
        for op_id, ident, text in (("ProductSchemesGet", 1, "GENERAL"), ("LoanPurposesGet", 1, "ACQUISITION"),
                                   ("ProductPurposesGet", 2, "FIRST RESIDENCE"), ("IndexTypeSubCategoriesGet", 1, "FIXED"),
                                   ("PropertyTypologiesGet", 1, "Flat"), ("KeyBorrowerRelationsGet", 1, "Spouse"),
                                   ("WorkflowStatesProposalGet", 1, "In Creation")):
            self.assertEqual(find(op_id, ident)["description"], text)
        counties = self.ok("CountiesGet", query={self.filter_name("CountiesGet"): 1})
        self.assertEqual(len(counties), 19)
        parishes = find("CountyWithParishesGet", 1)["parishes"]
        self.assertIn({"id": 4186, "description": "AVELAS DE CAMINHO"}, parishes)
        pt = find("CountryWithDistrictsGet", 1)
        self.assertEqual((pt["description"], pt["districts"][0]), ("Portugal", {"id": 1, "description": "Aveiro"}))
        self.assertEqual(self.ok("ParishesGet", query={self.filter_name("ParishesGet"): 999999}), [])

    def filter_name(self, op_id):
        method, path = self.ops[op_id]
        params = self.spec["paths"][path][method.lower()].get("parameters") or []
        names = [p["name"] for p in params if p.get("in") == "query"]
        self.assertEqual(len(names), 1, names)
        return names[0]

    # -- partner callbacks -------------------------------------------------------------------
    def partner(self):
        return self.state()["partners"]["12345"]

    def register(self, nt, url):
        return self.op("CallbackUpdate", {self.url_member(): url}, partnerUniqueID=self.partner(), notificationType=nt)

    def url_member(self):
        method, path = self.ops["CallbackUpdate"]
        rb = self.spec["paths"][path][method.lower()].get("requestBody") or {}
        schema = next(iter((rb.get("content") or {}).values()), {}).get("schema") or {}
        while "$ref" in schema:
            node = self.spec
            for part in schema["$ref"][2:].split("/"):
                node = node[part]
            schema = node
        names = [k for k in (schema.get("properties") or {}) if "url" in k.lower()]
        return names[0] if names else "callbackUrl"

    def test_callbacks_offset_list_and_delete(self):
        partner = self.partner()
        for nt in range(1, 6):
            self.assertEnvelope(self.register(nt, "https://partner.example.com/bctt/%d" % nt), 200, "020801")
        self.assertEnvelope(self.register(2, "https://partner.example.com/bctt/2b"), 200, "020801")
        out = self.ok("CallbackList", partnerUniqueID=partner, query={"offset": 2, "limit": 2})
        items = out["callbacks"]
        self.assertEqual((out["totalCount"], [x["notificationType"] for x in items]), (5, [3, 4]))
        walk, off = [], 0
        while True:
            page = self.ok("CallbackList", partnerUniqueID=partner, query={"offset": off, "limit": 2})["callbacks"]
            walk.extend(page)
            off += len(page)
            if len(page) < 2:
                break
        self.assertEqual([x["notificationType"] for x in walk], [1, 2, 3, 4, 5])
        self.assertEqual(walk[1][self.url_member()], "https://partner.example.com/bctt/2b")
        self.assertEnvelope(self.register(99, "https://partner.example.com/x"), 400, "041101")
        self.assertEnvelope(self.register(1, "http://partner.example.com/x"), 400, "041401")
        self.assertEnvelope(self.op("CallbackList", partnerUniqueID="00000000-0000-4000-8000-000000000004"), 400,
                            "041301")
        self.ok("CallbackDelete", code="020805", partnerUniqueID=partner, notificationType=3)
        self.assertEnvelope(self.op("CallbackDelete", partnerUniqueID=partner, notificationType=3), 404, "031101")
        self.assertEqual(self.ok("CallbackList", partnerUniqueID=partner)["totalCount"], 4)

    def test_callback_delivery(self):
        rx = Receiver()
        self.addCleanup(rx.stop)
        partner = self.partner()
        pid, _, sid = self.new_process()
        self.assertEqual(self.register(3, rx.url("/cb/3"))[0], 200)
        echo = {"notificationTypeID": 3, "processUniqueId": pid, "rawBody": {"messageSubject": "Olá", "n": 1}}
        out = self.ok("CallbackEcho", echo, "020810", partnerUniqueID=partner)
        self.assertEqual((out["additionalData"]["delivered"], out["additionalData"]["attempts"]), (True, 1))
        path, ctype, event = rx.wait(1)[0]
        self.assertEqual((path, ctype), ("/cb/3", "application/json"))
        self.assertEqual(event, echo)
        self.assertEnvelope(self.op("CallbackEcho", dict(echo, simulationUniqueId=sid), partnerUniqueID=partner),
                            400, "041201")
        self.assertEnvelope(self.op("CallbackEcho", {"notificationTypeID": 3, "rawBody": {}}, partnerUniqueID=partner),
                            400, "041201")
        self.assertEnvelope(self.op("CallbackEcho", dict(echo, notificationTypeID=5), partnerUniqueID=partner),
                            400, "041102")
        # the receiver fails once: the delivery is retried
        rx.answers = [500]
        out = self.ok("CallbackEcho", {"notificationTypeID": 3, "simulationUniqueId": sid, "rawBody": {}},
                      partnerUniqueID=partner)
        self.assertEqual((out["additionalData"]["delivered"], out["additionalData"]["attempts"]), (True, 2))
        self.assertEqual(rx.wait(3)[2][2], {"notificationTypeID": 3, "simulationUniqueId": sid, "rawBody": {}})
        # the admin trigger, and the notifications the mock sends by itself (process status)
        rec = self.admin("notify", {"notificationTypeID": 3, "processUniqueId": pid, "rawBody": {"x": 1}})
        self.assertTrue(rec["delivered"])
        self.assertEqual(self.register(1, rx.url("/cb/1"))[0], 200)
        self.assertEqual(self.add_document(pid)[0], 200)
        self.ok("ProcessSubmit", processUniqueId=pid)
        got = rx.wait(5)
        self.assertEqual(got[4][0], "/cb/1")
        self.assertEqual(got[4][2], {"notificationTypeID": 1, "processUniqueId": pid,
                                     "rawBody": {"processStatusID": 2, "processStatusDescription": "In Review"}})
        self.assertEqual(len(self.state()["deliveries"]), 4)

    # -- the spec's own request examples ----------------------------------------------------------
    def example(self, op_id, name=None):
        method, path = self.ops[op_id]
        media = self.spec["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]
        exs = media.get("examples") or {}
        ex = exs[name] if name else next(iter(exs.values()))
        return json.loads(json.dumps(ex["value"]))

    def test_spec_request_examples(self):
        out = self.ok("SimulationCreate", self.example("SimulationCreate"), "020702")
        sid = out["additionalData"]["simulationUniqueID"]
        self.ok("SimulationValidate", code="020707", simulationUniqueId=sid)
        body = dict(self.example("ProcessCreate"), simulationUniqueId=sid)
        self.assertEqual(body["keyBorrowerIdentificationDocExpirationDate"], "2028-12-31")  # date-only: accepted
        self.assertEnvelope(self.op("ProcessCreate", dict(body, keyBorrowerIdentificationDocExpirationDate="2028-13-45")),
                            400, "040101")
        self.assertEnvelope(self.op("ProcessCreate", dict(body, keyBorrowerIdentificationDocExpirationDate="soon")),
                            400, "040101")
        pid = self.ok("ProcessCreate", body, "020102")["additionalData"]["processUniqueID"]
        self.ok("ProcessUpdate", self.example("ProcessUpdate"), "020101", processUniqueId=pid)
        self.ok("BorrowerCreate", self.example("BorrowerCreate"), "020202", processUniqueId=pid)
        self.assertEqual(len(self.borrowers(pid)), 3)
        prop = self.ok("PropertyList", processUniqueId=pid)["propertyUniqueID"]
        self.ok("PropertyUpdate", self.example("PropertyUpdate"), "020401", processUniqueId=pid, propertyUniqueId=prop)
        doc = self.ok("DocumentCreate", self.example("DocumentCreate"), "020302", processUniqueId=pid)
        g = self.ok("DocumentGet", processUniqueId=pid, documentUniqueId=doc["additionalData"]["documentUniqueID"])
        self.assertTrue(base64.b64decode(g["content"]).startswith(b"%PDF-"))
        self.ok("ProcessesMessageCreate", self.example("ProcessesMessageCreate"), "020502", processUniqueId=pid)
        partner = self.partner()
        self.ok("CallbackUpdate", self.example("CallbackUpdate"), "020801", partnerUniqueID=partner, notificationType=1)
        echo = dict(self.example("CallbackEcho", "processEvent"), processUniqueId=pid)
        out = self.ok("CallbackEcho", echo, "020810", partnerUniqueID=partner)
        self.assertFalse(out["additionalData"]["delivered"])  # an https URL: never delivered by the mock
        self.ok("ProcessCancel", self.example("ProcessCancel"), "020104", processUniqueId=pid)

    # -- failure injection, errors ------------------------------------------------------------
    def test_failure_mid_pagination(self):
        self.admin("fail", {"operationId": "ProcessList", "status": 500, "skip": 1})
        p1 = self.ok("ProcessList", query={"lineCount": 10})
        cursor = p1["listProcessDetail"][-1]["processUniqueId"]
        self.assertEnvelope(self.op("ProcessList", query={"lineCount": 10, "nextRecord": cursor}), 500, "050002")
        p2 = self.ok("ProcessList", query={"lineCount": 10, "nextRecord": cursor})  # only once
        self.assertEqual(p2["listProcessDetail"][0]["processNumber"], "1240")
        self.assertEqual(self.state()["injections"], [])
        # a custom body and count
        self.admin("fail", {"operationId": "CountriesGet", "status": 503, "count": 2, "body": {"oops": True}})
        self.assertEqual(self.op("CountriesGet")[:2], (503, {"oops": True}))
        self.assertEqual(self.op("CountriesGet")[0], 503)
        self.assertEqual(self.op("CountriesGet")[0], 200)
        self.assertEqual(self.call("POST", "/__admin/bctt/fail", body={"operationId": "Nope"})[0], 400)

    def test_empty_success_body(self):
        pid, _, _ = self.new_process()
        self.admin("fail", {"operationId": "ProcessUpdate", "status": 200, "empty": True})
        st, body, text, _ = self.op("ProcessUpdate", {"loanAmount": 123456}, processUniqueId=pid)
        self.assertEqual((st, text), (200, b""))
        self.assertEqual(self.ok("ProcessDetail", processUniqueId=pid)["loanProcessDetail"]["loanAmount"], 123456)
        self.admin("fail", {"operationId": "ProcessSubmit", "status": 204, "empty": True})
        self.assertEqual(self.add_document(pid)[0], 200)
        st, _, text, _ = self.op("ProcessSubmit", processUniqueId=pid)
        self.assertEqual((st, text), (204, b""))
        self.assertEqual(self.ok("ProcessDetail", processUniqueId=pid)["processStatusID"], 2)

    def test_error_envelopes(self):
        self.login()
        st, body, text, _ = self.call("GET", "/v1/no-such-thing")
        self.assertEnvelope((st, body, text, None), 404, "030001")
        st, body, text, _ = self.call("PATCH", "/v1/processes")
        self.assertEnvelope((st, body, text, None), 405, "030002")
        st, body, text, _ = self.call("POST", self.path("ProcessCreate")[1], {
            "Authorization": "Bearer " + self.login(), "Content-Type": "application/json"}, raw=b"{not json")
        self.assertEqual(st, 400, text)
        self.assertRegex(body["operationStatus"]["operationStatusCode"], r"^0401\d\d$")

    def test_state_per_broker(self):
        other = self.login(OTHER)
        mine = self.ok("ProcessList", query={"lineCount": 3})["listProcessDetail"]
        theirs = self.op("ProcessList", token=other, query={"lineCount": 3})[1]["listProcessDetail"]
        self.assertNotEqual([x["processUniqueId"] for x in mine], [x["processUniqueId"] for x in theirs])
        self.assertEqual(self.op("ProcessList", token=other, query={"lineCount": 1})[1]["totalRecords"], 250)
        st = self.state()
        self.assertEqual(set(st["brokers"]), {"12345", "67890"})
        self.assertNotEqual(st["partners"]["12345"], st["partners"]["67890"])
        # the other broker's partner id is refused
        self.assertEnvelope(self.op("CallbackList", partnerUniqueID=st["partners"]["67890"]), 400, "041301")

    def test_zz_responses_fit_the_spec(self):
        """After every test above: the mock never warned that a stateful answer does not fit the spec."""
        self.test_process_flow()
        self.setUp()
        self.test_simulation_flow()
        warnings = [line for line in self.mock.errors().splitlines() if "does not match its schema" in line]
        self.assertEqual(warnings, [])
