"""Tests of the mock server with the bizAPIs state module (tools/mock/pontes_mock/apis/bizapis.py),
over real HTTP on 127.0.0.1 (stdlib unittest).

Run from the repository root:  python3 -m unittest discover -s tests/mock -p test_bizapis_mock.py -v

Spec: $PONTES_MOCK_BIZAPIS_SPEC or generated/bizapis/openapi.json.
"""

import base64
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "tools", "mock", "mock_server.py")
SPEC = os.environ.get("PONTES_MOCK_BIZAPIS_SPEC") or os.path.join(ROOT, "generated", "bizapis", "openapi.json")
PATH = "/v2/documents/responsabilidade-credito-details"
KEY = "pontes-demo-bizapis-key"
MAX = 20971520
ERROR_KEYS = {"requestId", "errorCode", "errorName", "timestamp", "message"}
CREDS = {"month": "03", "year": "2024", "user": "123456789", "password": "s3cr3t-pw-xyz"}


def pdf(size=64):
    head = b"%PDF-1.4\n"
    return head + b"x" * (size - len(head))


def multipart(parts, boundary="pontesBoundary1234"):
    out = []
    for name, data in parts:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"map.pdf\"\r\n"
                    "Content-Type: application/pdf\r\n\r\n" % (boundary, name)).encode())
        out.append(data)
        out.append(b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


class Mock:
    def __init__(self, extra=()):
        self.tmp = tempfile.mkdtemp(prefix="pontes-biz-")
        port_file = os.path.join(self.tmp, "port")
        self.stderr = open(os.path.join(self.tmp, "stderr"), "w+")
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


class BizApisMockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(SPEC):
            raise unittest.SkipTest("%s does not exist" % SPEC)
        cls.mock = Mock()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def post(self, raw, ctype="application/json", key=KEY, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.mock.port, timeout=60)
        h = {"Content-Type": ctype}
        if key is not None:
            h["Authorization"] = "Bearer " + key
        h.update(headers or {})
        conn.request("POST", PATH, body=raw, headers=h)
        resp = conn.getresponse()
        text = resp.read()
        conn.close()
        body = json.loads(text) if text else None
        return resp.status, body, text, resp

    def post_json(self, value, **kw):
        return self.post(json.dumps(value).encode(), **kw)

    def assertBizError(self, res, status, name):
        st, body, text, _ = res
        self.assertEqual(st, status, text[:500])
        self.assertEqual(set(body), ERROR_KEYS, text[:500])
        self.assertEqual(body["errorName"], name)
        self.assertRegex(body["errorCode"], r"^BIZ-\d{4}$")
        self.assertRegex(body["timestamp"], r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
        self.assertRegex(body["requestId"], r"^[0-9a-f-]{36}$")
        return body

    # -- the three inputs ------------------------------------------------------------------
    def test_credentials(self):
        st, body, text, resp = self.post_json(CREDS)
        self.assertEqual(st, 200, text)
        self.assertEqual(resp.getheader("X-Pontes-Mock-Input"), "credentials")
        self.assertEqual(set(body), {"data", "file"})
        self.assertTrue(body["data"]["requestId"].startswith("credentials-"))
        self.assertNotIn(b"s3cr3t", text)
        st, body, _, _ = self.post_json(dict(CREDS, user="000000000"))
        self.assertEqual((st, body["withoutCreditResponsibility"]), (200, True))

    def test_base64(self):
        st, body, text, resp = self.post_json({"file": base64.b64encode(pdf()).decode()})
        self.assertEqual(st, 200, text)
        self.assertEqual(resp.getheader("X-Pontes-Mock-Input"), "base64")
        self.assertTrue(body["requestId"].startswith("base64-"))
        self.assertIn(b'"inDebtAmount": 98500.12', text)
        self.assertEqual(body["summary"]["creditResponsibilityIndividual"]["totalLoan"]["inDebtAmount"], 4510.55)
        # line breaks in the Base64 are ignored
        b64 = base64.encodebytes(pdf(200)).decode()
        self.assertIn("\n", b64)
        self.assertEqual(self.post_json({"file": b64})[0], 200)

    def test_multipart(self):
        raw, ctype = multipart([("file", pdf())])
        st, body, text, resp = self.post(raw, ctype)
        self.assertEqual(st, 200, text)
        self.assertEqual(resp.getheader("X-Pontes-Mock-Input"), "multipart")
        self.assertTrue(body["requestId"].startswith("multipart-"))
        self.assertEqual(self.mock_state()["received"]["multipart"] >= 1, True)
        self.assertEqual(self.mock_state()["api"], "bizapis")

    def mock_state(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.mock.port, timeout=10)
        conn.request("GET", "/__admin/state")
        out = json.loads(conn.getresponse().read())
        conn.close()
        return out["bizAPIs Credit Responsibility Details"]

    # -- file checks ---------------------------------------------------------------------------
    def test_not_pdf(self):
        for data in (b"GIF89a not a pdf", b"", b"%PDF"):
            with self.subTest(data=data):
                self.assertBizError(self.post_json({"file": base64.b64encode(data).decode()}), 400,
                                    "INVALID_FILE_TYPE")
                raw, ctype = multipart([("file", data)])
                self.assertBizError(self.post(raw, ctype), 400, "INVALID_FILE_TYPE")
        self.assertBizError(self.post_json({"file": "%%% not base64"}), 400, "INVALID_BASE64")
        self.assertBizError(self.post_json({"file": "data:application/pdf;base64,JVBERi0="}), 400, "INVALID_BASE64")
        raw, ctype = multipart([("file", pdf()), ("file", pdf())])
        self.assertBizError(self.post(raw, ctype), 400, "MULTIPLE_FILES")
        raw, ctype = multipart([("other", pdf())])
        self.assertBizError(self.post(raw, ctype), 400, "INVALID_REQUEST")

    def test_size_limit(self):
        exact = pdf(MAX)
        over = exact + b"x"
        self.assertEqual(self.post_json({"file": base64.b64encode(exact).decode()})[0], 200)
        self.assertBizError(self.post_json({"file": base64.b64encode(over).decode()}), 413, "FILE_TOO_LARGE")
        raw, ctype = multipart([("file", exact)])
        self.assertEqual(self.post(raw, ctype)[0], 200)
        raw, ctype = multipart([("file", over)])
        self.assertBizError(self.post(raw, ctype), 413, "FILE_TOO_LARGE")

    def raw_request(self, head, body=b""):
        sock = socket.create_connection(("127.0.0.1", self.mock.port), timeout=60)
        try:
            sock.sendall(head)
            if body:
                sock.sendall(body)
            resp = http.client.HTTPResponse(sock)
            resp.begin()
            return resp.status, json.loads(resp.read()), resp.getheader("Connection")
        finally:
            sock.close()

    def test_body_over_core_limit(self):
        # 33 MiB with Content-Length: the body is read, the API's 413 answered on an open connection
        n = 33 * 1024 * 1024
        raw, ctype = multipart([("file", pdf(n))])
        head = ("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\n" % (PATH, KEY, ctype, len(raw)))
        st, body, conn = self.raw_request((head + "\r\n").encode(), raw)
        self.assertEqual((st, body["errorName"], conn), (413, "FILE_TOO_LARGE", None))
        self.assertEqual(set(body), ERROR_KEYS)
        # with Expect: 100-continue the 413 comes before the body is sent
        st, body, conn = self.raw_request((head + "Expect: 100-continue\r\n\r\n").encode())
        self.assertEqual((st, body["errorName"], conn), (413, "FILE_TOO_LARGE", "close"))

    # -- auth and validation ------------------------------------------------------------------
    def test_api_key(self):
        self.assertBizError(self.post_json(CREDS, key=None), 401, "MISSING_API_KEY")
        self.assertBizError(self.post_json(CREDS, key="wrong"), 401, "INVALID_API_KEY")
        st, _, _, resp = self.post_json(CREDS, key=None, headers={"Authorization": "Basic eDp5"})
        self.assertEqual((st, resp.getheader("WWW-Authenticate")), (401, "Bearer"))

    def test_validation(self):
        for value in ({}, {"month": "13", "year": "2024", "user": "u", "password": "s3cr3t-pw-xyz"},
                      {"month": "03", "year": "24", "user": "u", "password": "s3cr3t-pw-xyz"},
                      {"month": "03", "user": "u", "password": "s3cr3t-pw-xyz"}, [1], "text"):
            with self.subTest(value=value):
                body = self.assertBizError(self.post_json(value), 400, "INVALID_REQUEST")
                self.assertNotIn("s3cr3t", json.dumps(body))
        self.assertBizError(self.post(b"{not json"), 400, "INVALID_REQUEST")
        self.assertBizError(self.post(b""), 400, "INVALID_REQUEST")
        self.assertBizError(self.post(b"%PDF-1.4", ctype="application/pdf"), 415, "UNSUPPORTED_MEDIA_TYPE")
        self.assertBizError(self.post_json(dict(CREDS, password="wrong-password")), 400, "SOURCE_LOGIN_FAILED")

    def test_not_found(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.mock.port, timeout=10)
        conn.request("GET", PATH, headers={"Authorization": "Bearer " + KEY})
        r = conn.getresponse()
        body = json.loads(r.read())
        self.assertEqual((r.status, body["errorName"]), (405, "METHOD_NOT_ALLOWED"))
        conn.request("POST", "/v2/documents/nothing")
        r = conn.getresponse()
        self.assertEqual((r.status, json.loads(r.read())["errorName"]), (404, "NOT_FOUND"))
        conn.close()


class BizApisFlagsTest(unittest.TestCase):
    def test_api_key_flag(self):
        if not os.path.exists(SPEC):
            self.skipTest("%s does not exist" % SPEC)
        mock = Mock(["--bizapis-api-key", "k1", "--bizapis-api-key", "k2"])
        try:
            for key, status in (("k1", 200), ("k2", 200), (KEY, 401)):
                conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
                conn.request("POST", PATH, body=json.dumps(CREDS),
                             headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                conn.close()
                self.assertEqual(r.status, status, key)
        finally:
            mock.stop()


if __name__ == "__main__":
    unittest.main()
