"""Tests of the mock server with the Best Bank state module (tools/mock/pontes_mock/apis/bestbank.py),
over real HTTP on 127.0.0.1 (stdlib unittest; no redirect is followed).

Run from the repository root:  python3 -m unittest discover -s tests/mock -p test_bestbank_mock.py -v

Spec: $PONTES_MOCK_BESTBANK_SPEC or generated/bestbank/openapi.json.
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "tools", "mock", "mock_server.py")
SPEC = os.environ.get("PONTES_MOCK_BESTBANK_SPEC") or os.path.join(ROOT, "generated", "bestbank", "openapi.json")
sys.path.insert(0, os.path.join(ROOT, "tools", "mock"))

from pontes_mock.apis import bestbank  # noqa: E402

CK, SECRET = "pontes-demo-consumer-key", "pontes-demo-secret-key"
CERT = "9dFpJUCnQcwe80aAOHx7YWYlqisICXNnVSKiaiA9vGO8YnzlZoJcUVPJ/rZ68X8FD=="
REDIRECT = "http://127.0.0.1:9/loginReturn"
ERROR_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")
OP = "/api/v2/Operation/"


class Mock:
    def __init__(self, extra=()):
        self.tmp = tempfile.mkdtemp(prefix="pontes-bb-")
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
        self.base = "http://127.0.0.1:%d" % self.port

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


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def auth(**params):
    params.setdefault("oauth_consumer_key", CK)
    return "OAuth " + ",".join("%s=%s" % kv for kv in sorted(params.items()))


class BestBankMockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(SPEC):
            raise unittest.SkipTest("%s does not exist" % SPEC)
        cls.mock = Mock()
        with open(SPEC, encoding="utf-8") as f:
            cls.spec = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def setUp(self):
        self.call("POST", "/__admin/reset")

    # -- helpers -------------------------------------------------------------------------
    def call(self, method, path, headers=None, body=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.mock.port, timeout=30)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        text = resp.read()
        conn.close()
        parsed = None
        if text and (resp.getheader("Content-Type") or "").startswith("application/json"):
            parsed = json.loads(text)
        return resp.status, parsed, text, resp

    def op(self, name, token=None, headers=None, cert=CERT, **kw):
        h = {"Authorization": auth(access_token=token) if token else auth()}
        if cert is not None:
            h["Certificate"] = cert
        h.update(headers or {})
        return self.call("POST", OP + name, h, **kw)

    def assertBankError(self, res, status, message):
        st, body, text, _ = res
        self.assertEqual(st, status, text)
        self.assertEqual(set(body), {"Message", "ErrorDate", "ErrorID"}, text)
        self.assertEqual(body["Message"], message)
        self.assertRegex(body["ErrorDate"], ERROR_DATE_RE)
        self.assertRegex(body["ErrorID"], r"^[0-9a-f]{32}$")
        return body

    def initiate(self, state="st-123", redirect=REDIRECT):
        st, body, text, _ = self.call("POST", "/api/v2/OAuth/Initiate", {
            "Authorization": auth(), "Certificate": CERT, "redirect_uri": redirect, "state": state})
        self.assertEqual(st, 200, text)
        return body["LoginUrl"]

    def open_login(self, url):
        """GET the login URL without following the redirect: (status, Location)."""
        try:
            with OPENER.open(url, timeout=30) as r:
                return r.status, r.headers.get("Location")
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Location")

    def consent(self, user=None, state="st-123"):
        url = self.initiate(state)
        if user:
            url += "&user=" + user
        st, loc = self.open_login(url)
        self.assertEqual(st, 302)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
        return q["code"][0], q["oper_id"][0]

    def token(self, code):
        return self.call("POST", "/api/v2/OAuth/Token", {"Authorization": auth(code=code), "Certificate": CERT})

    def access_token(self, user=None):
        code, _ = self.consent(user)
        st, body, text, _ = self.token(code)
        self.assertEqual(st, 200, text)
        return body["access_token"]

    # -- consent ---------------------------------------------------------------------------
    def test_consent_flow(self):
        url = self.initiate("my-state")
        self.assertTrue(url.startswith(self.mock.base + "/__bestbank/login?"), url)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        self.assertEqual(q["state"], ["my-state"])
        self.assertRegex(q["oper_id"][0], r"^1-[A-Z0-9]{6}$")
        st, loc = self.open_login(url)
        self.assertEqual(st, 302)
        self.assertTrue(loc.startswith(REDIRECT + "?"), loc)
        rq = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
        self.assertEqual(set(rq), {"code", "state", "oper_id"})
        self.assertEqual(rq["state"], ["my-state"])
        self.assertEqual(rq["oper_id"], q["oper_id"])
        self.assertRegex(rq["code"][0], r"^[0-9a-f]{32}$")
        # the login token works once
        self.assertEqual(self.open_login(url)[0], 400)
        before = int(time.time())
        st, body, text, _ = self.token(rq["code"][0])
        self.assertEqual(st, 200, text)
        self.assertEqual(set(body), {"access_token", "expires_in"})
        self.assertRegex(body["access_token"], r"^[0-9a-f]{32}$")
        # absolute epoch time, --token-ttl (3600) from now
        self.assertIsInstance(body["expires_in"], int)
        self.assertTrue(before + 3600 <= body["expires_in"] <= int(time.time()) + 3600, body)
        tok = body["access_token"]
        st, env, text, _ = self.op("CheckOperationByID/" + rq["oper_id"][0], tok)
        self.assertEqual(st, 200, text)
        self.assertEqual((env["returnCode"], env["returnMsg"]), ("0", "Sucesso"))
        self.assertEqual(env["outputData"]["oper_type"], "0")
        self.assertEqual(env["outputData"]["status"], "AUTHORIZED")
        self.assertEqual(env["outputData"]["oper_id"], rq["oper_id"][0])
        self.assertEqual(set(env["outputData"]),
                         set(self.spec["components"]["schemas"]["OperationInfo"]["properties"]))
        st, _, text, _ = self.op("Balance/Account", tok)
        self.assertEqual(st, 200, text)

    def test_code_used_twice(self):
        code, _ = self.consent()
        self.assertEqual(self.token(code)[0], 200)
        a = self.assertBankError(self.token(code), 400, "Invalid Token.")
        b = self.assertBankError(self.token("0" * 32), 400, "Invalid Token.")
        self.assertNotEqual(a["ErrorID"], b["ErrorID"])

    def test_newer_token_cancels_older(self):
        old = self.access_token()
        other_user = self.access_token(user="someone-else")
        new = self.access_token()
        self.assertBankError(self.op("Balance/Account", old), 400, "EGEN003")
        self.assertEqual(self.op("Balance/Account", new)[0], 200)
        self.assertEqual(self.op("Balance/Account", other_user)[0], 200)

    def test_expire_tokens(self):
        tok = self.access_token()
        st, body, _, _ = self.call("POST", "/__admin/expire-tokens")
        self.assertEqual((st, body["expired"] >= 1), (200, True))
        self.assertBankError(self.op("Balance/Account", tok), 400, "Invalid Token.")
        self.assertBankError(self.op("Balance/Account", "f" * 32), 400, "Invalid Token.")
        tok = self.access_token()
        self.assertEqual(self.call("POST", "/__admin/bestbank/expire-token", body={"access_token": tok})[0], 200)
        self.assertBankError(self.op("Balance/Account", tok), 400, "Invalid Token.")

    def test_token_ttl_config(self):
        self.call("POST", "/__admin/bestbank/config", body={"token_ttl": 60})
        code, _ = self.consent()
        body = self.token(code)[1]
        self.assertTrue(abs(body["expires_in"] - (time.time() + 60)) < 5, body)

    def test_login_error_redirect(self):
        st, body, _, _ = self.call("POST", "/__admin/bestbank/config", body={"login_error": "access_denied"})
        self.assertEqual((st, body["login_error_count"]), (200, 1))
        url = self.initiate("s1")
        oid = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["oper_id"][0]
        st, loc = self.open_login(url)
        self.assertEqual(st, 302)
        self.assertEqual(urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query),
                         {"error": ["access_denied"], "state": ["s1"]})
        tok = self.access_token()  # only the next login failed
        self.assertEqual(self.op("CheckOperationByID/" + oid, tok)[1]["outputData"]["status"], "REJECTED")
        st, loc = self.open_login(self.initiate("s2") + "&error=login_required")
        self.assertIn("error=login_required", loc)

    def test_admin_login(self):
        url = self.initiate("abc")
        st, body, text, _ = self.call("POST", "/__admin/bestbank/login", body={"login_url": url})
        self.assertEqual(st, 200, text)
        self.assertTrue(body["location"].startswith(REDIRECT + "?code="), body)
        self.assertEqual(body["state"], "abc")
        self.assertEqual(self.token(body["code"])[0], 200)
        self.assertEqual(self.call("POST", "/__admin/bestbank/login", body={"login_url": url})[0], 400)

    def test_initiate_needs_headers(self):
        h = {"Authorization": auth(), "Certificate": CERT, "redirect_uri": REDIRECT}
        self.assertBankError(self.call("POST", "/api/v2/OAuth/Initiate", h), 400, "Missing input value")
        h["state"] = " "
        self.assertBankError(self.call("POST", "/api/v2/OAuth/Initiate", h), 400, "Missing input value")

    # -- auth errors -------------------------------------------------------------------------
    def test_auth_errors(self):
        path = "/api/v2/OAuth/Initiate"
        base = {"Certificate": CERT, "redirect_uri": REDIRECT, "state": "s"}
        for value, status, msg in [
                ("Bearer abc", 400, "Incorrect Authorization Scheme."),
                ("OAuthx oauth_consumer_key=" + CK, 400, "Incorrect Authorization Scheme."),
                (None, 400, "Missing one or more variables in the authorization header request."),
                ("OAuth", 400, "Missing one or more variables in the authorization header request."),
                ("OAuth access_token=abc", 400, "Missing one or more variables in the authorization header request."),
                ("OAuth oauth_consumer_key=", 400, "Missing one or more variables in the authorization header request."),
                ("OAuth oauth_consumer_key=nobody", 401, "Certificate error")]:
            h = dict(base)
            if value is not None:
                h["Authorization"] = value
            self.assertBankError(self.call("POST", path, h), status, msg)
        # quotes and spaces tolerated; timestamp/version tolerated
        h = dict(base, Authorization='OAuth oauth_consumer_key="%s", oauth_timestamp=1700000000, oauth_version=1.0' % CK)
        self.assertEqual(self.call("POST", path, h)[0], 200)
        # Token without code, operations without access_token
        self.assertBankError(self.call("POST", "/api/v2/OAuth/Token", {"Authorization": auth(), "Certificate": CERT}),
                             400, "Missing one or more variables in the authorization header request.")
        self.assertBankError(self.op("Balance/Account"), 400,
                             "Missing one or more variables in the authorization header request.")

    def test_certificate_errors(self):
        tok = self.access_token()
        for cert in (None, "", "d3Jvbmc="):
            self.assertBankError(self.op("Balance/Account", tok, cert=cert), 401, "Certificate error")
            self.assertBankError(self.op("Transactions/Account/0-MDAwMDAxMDI2", tok, cert=cert), 401, "Certificate error")
            self.assertBankError(self.op("TopsUpsGetPaymentInfo", cert=cert), 401, "Certificate error")
        self.assertBankError(self.call("POST", "/api/v2/OAuth/Initiate", {
            "Authorization": auth(), "redirect_uri": REDIRECT, "state": "s"}), 401, "Certificate error")
        st, body, _, _ = self.call("POST", "/__admin/bestbank/config", body={"add_certificates": ["d3Jvbmc="]})
        self.assertIn("d3Jvbmc=", body["certificates"])
        self.assertEqual(self.op("Balance/Account", tok, cert="d3Jvbmc=")[0], 200)
        self.call("POST", "/__admin/bestbank/config", body={"certificates": ["*"]})
        self.assertEqual(self.op("Balance/Account", tok, cert="anything")[0], 200)
        self.assertBankError(self.op("Balance/Account", tok, cert=""), 401, "Certificate error")

    def test_signature(self):
        v = self.spec["components"]["securitySchemes"]["bestbankOAuth"]["x-pontes-auth"]["signature"]["test_vector"]
        self.assertEqual(bestbank.base_string(v["params"], v["secret_key"]), v["base_string"])
        self.assertEqual(bestbank.signature(v["params"], v["secret_key"]), v["base64"])
        tok = self.access_token()
        params = {"access_token": tok, "oauth_consumer_key": CK, "oauth_timestamp": str(int(time.time())),
                  "oauth_version": "1.0"}
        sig = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(),
                     urllib.parse.quote(bestbank.signature(params, SECRET), safe=""))
        # .NET-style lower-case escapes, and upper-case ones, are both accepted
        for s in (sig, urllib.parse.quote(bestbank.signature(params, SECRET), safe="")):
            h = {"Authorization": auth(oauth_signature=s, **params), "Certificate": CERT}
            self.assertEqual(self.call("POST", OP + "Balance/Account", h)[0], 200)
        bad = dict(params, oauth_signature="AAAA")
        self.assertBankError(self.call("POST", OP + "Balance/Account", {"Authorization": auth(**bad),
                                                                         "Certificate": CERT}),
                             400, "Incorrect Authorization Scheme.")
        # a consumer key configured without a secret: signatures are not verified
        self.call("POST", "/__admin/bestbank/config", body={"consumers": {"nosecret": ""}})
        self.assertEqual(self.call("POST", "/api/v2/Operation/TopsUpsGetPaymentInfo", {
            "Authorization": "OAuth oauth_consumer_key=nosecret,oauth_signature=AAAA", "Certificate": CERT})[0], 200)
        self.assertEqual(self.call("POST", "/__admin/bestbank/config", body={"token_ttl": "x"})[0], 400)
        self.call("POST", "/__admin/bestbank/config", body={"require_signature": True})
        self.assertBankError(self.op("Balance/Account", tok), 400,
                             "Missing one or more variables in the authorization header request.")

    # -- accounts ------------------------------------------------------------------------------
    def test_balances_verbatim(self):
        tok = self.access_token()
        st, body, text, _ = self.op("Balance/Account", tok)
        self.assertEqual(st, 200)
        t = text.decode()
        for frag in ('"ID": "0-MDAwMDAxMDI2", "Balance": 995.0000, "BalanceAvailable": 0.0, "BalanceBooked": 995.0000',
                     '"Balance": 12345.6789, "BalanceAvailable": 12000.5000'):
            self.assertIn(frag, t)
        self.assertEqual([b["ID"] for b in body], ["0-MDAwMDAxMDI2", "0-MDAwMDAxMDI3"])
        self.assertEqual(body[0]["AccountNumber"], {"Type": "IBAN", "Value": "PT50006500010000000620154"})
        st, body, text, _ = self.op("Balance/CreditCard", tok)
        self.assertEqual([b["ID"] for b in body], ["1-MDAwMDAxMDI2"])
        self.assertIn('"Currency": null', text.decode())
        st, body, text, _ = self.op("Balance/Account/0-MDAwMDAxMDI3", tok)
        self.assertEqual((st, len(body)), (200, 1))
        self.assertIn('"BalanceBooked": 12345.6789', text.decode())
        # also under the sandbox base path
        self.assertEqual(self.call("POST", "/sandbox" + OP + "Balance/Account/0-MDAwMDAxMDI2",
                                   {"Authorization": auth(access_token=tok), "Certificate": CERT})[0], 200)
        self.assertBankError(self.op("Balance/Account/1-MDAwMDAxMDI2", tok), 401, "EACC002")
        self.assertBankError(self.op("Balance/Account/0-NOPE", tok), 401,
                             "No account found. Maybe you are passing a wrong account id.")
        self.assertBankError(self.op("Balance/Savings", tok), 400, "URL not found.")
        self.assertBankError(self.op("NoSuchOperation", tok), 400, "URL not found.")
        self.assertBankError(self.call("GET", OP + "Balance/Account"), 400, "URL not found.")

    def test_transactions_verbatim(self):
        tok = self.access_token()
        st, body, text, _ = self.op("Transactions/Account/0-MDAwMDAxMDI2", tok)
        self.assertEqual((st, len(body)), (200, 4))
        t = text.decode()
        self.assertIn('{"Balance": 1000.0, "Type": "Credit", "Description": "Sandbox Virtual Main Account Bank", '
                      '"Date": "1598349684", "Amount": 1000.0000, "MovimentCurrency": "EUR", '
                      '"TransactionNumber": "10036"}', t)
        self.assertIn('"Amount": -1000.0000', t)
        self.assertIn('"Amount": -5.0000', t)
        t = self.op("Transactions/Account/0-MDAwMDAxMDI3", tok)[2].decode()
        self.assertIn('"Amount": 0.0001', t)
        self.assertIn('"Amount": -1234.5678', t)
        st, body, text, _ = self.op("Transactions/CreditCard/1-MDAwMDAxMDI2", tok)
        self.assertEqual([x["TransactionNumber"] for x in body], ["2", "3"])
        self.assertIn('"Amount": -10.0, "MovimentCurrency": null', text.decode())
        self.assertBankError(self.op("Transactions/CreditCard/0-MDAwMDAxMDI2", tok), 401, "EACC002")
        self.assertBankError(self.op("Transactions/Account/0-NOPE", tok), 401,
                             "No account found. Maybe you are passing a wrong account id.")

    # -- payments ---------------------------------------------------------------------------------
    def payment_examples(self):
        rb = self.spec["paths"]["/api/v2/Operation/InitiatePayment"]["post"]["requestBody"]
        return rb["content"]["application/json"]["examples"]

    def pay(self, body, redirect=REDIRECT):
        return self.op("InitiatePayment", headers={"redirect_uri": redirect}, body=body)

    def test_payment_flow_every_variant(self):
        tok = self.access_token()
        subtypes = {"insideTransfer": "TRF_EC", "interbankTransfer": "TRF_INTERB",
                    "internationalTransfer": "TRF_INTERN", "servicePayment": "PS", "purchasePayment": "PC",
                    "statePayment": "PE", "santaCasaPayment": None, "socialSecurityPayment": "PSS",
                    "topUpPayment": "PCOM"}
        examples = self.payment_examples()
        self.assertEqual(set(examples), set(subtypes))
        for name, ex in examples.items():
            with self.subTest(name):
                st, body, text, _ = self.pay(ex["value"])
                self.assertEqual(st, 200, text)
                url = body["LoginUrl"]
                oid = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["oper_id"][0]
                st, env, text, _ = self.op("CheckOperationByID/" + oid, tok)
                self.assertEqual(env["outputData"]["status"], "INIT")
                st, loc = self.open_login(url)
                self.assertEqual((st, loc), (302, REDIRECT + "?oper_id=" + oid))
                st, env, text, _ = self.op("CheckOperationByID/" + oid, tok)
                self.assertEqual(st, 200, text)
                self.assertEqual((env["returnCode"], env["returnMsg"]), ("0", "Sucesso"))
                out = env["outputData"]
                self.assertEqual((out["oper_type"], out["oper_sub_type"], out["status"]),
                                 ("1", subtypes[name], "EXECUTED"))
                if name == "insideTransfer":
                    self.assertIn('"amount": 5.0000', text.decode())
                    self.assertEqual(out["destination"], "006500010000000000000")
                    self.assertEqual(out["dest_name"], "Beneficiary name")
                if name == "topUpPayment":
                    self.assertIn('"amount": 10.0000', text.decode())
                    self.assertEqual(out["reference"], "912345678")

    def test_unknown_operation_envelope(self):
        tok = self.access_token()
        st, env, text, _ = self.op("CheckOperationByID/1-NOSUCH", tok)
        self.assertEqual(st, 200, text)
        self.assertEqual(env, {"outputData": None, "returnCode": "1", "returnMsg": "Payment Not Found."})
        self.assertBankError(self.op("CheckOperationByID/%20", tok), 401, "Id is required")
        # the documented example operation is known, answered verbatim
        ex = self.spec["paths"]["/api/v2/Operation/CheckOperationByID/{ID}"]["post"]["responses"]["200"]
        ex = ex["content"]["application/json"]["examples"]["consent"]["value"]
        st, env, text, _ = self.op("CheckOperationByID/1-BQOCJB", tok)
        self.assertEqual((st, env), (200, ex))

    def test_payment_errors(self):
        inside = self.payment_examples()["insideTransfer"]["value"]
        bad = json.loads(json.dumps(inside))
        del bad["creditor"]["account"]["iban"]
        self.assertBankError(self.pay(bad), 400, "Missing one or more variables in the body request.")
        self.assertBankError(self.pay({}), 400, "Missing one or more variables in the body request.")
        self.assertBankError(self.op("InitiatePayment", headers={"redirect_uri": REDIRECT}, raw=b"{",
                                     ), 400, "Missing one or more variables in the body request.")
        self.assertBankError(self.op("InitiatePayment", body=inside), 400, "Missing input value")
        for amount in ("0", "-1", "x", "1e3"):
            bad = json.loads(json.dumps(inside))
            bad["creditor"]["account"]["amount"] = amount
            self.assertBankError(self.pay(bad), 401, "Invalid amount.")
        same = json.loads(json.dumps(inside))
        same["creditor"]["account"]["iban"] = same["debtor"]["iban"] = "006500010000000620154"
        self.assertBankError(self.pay(same), 401, "The creditor account and the debitor account is the same.")

    def test_payment_debits_fixture_account(self):
        tok = self.access_token()
        body = json.loads(json.dumps(self.payment_examples()["statePayment"]["value"]))
        body["debtor"]["iban"] = "PT50006500010000000620162"
        body["creditor"]["state_bill"]["amount"] = "45.6789"
        url = self.pay(body)[1]["LoginUrl"]
        self.assertEqual(self.open_login(url)[0], 302)
        t = self.op("Balance/Account/0-MDAwMDAxMDI3", tok)[2].decode()
        self.assertIn('"Balance": 12300.0000, "BalanceAvailable": 11954.8211, "BalanceBooked": 12300.0000', t)
        txs = self.op("Transactions/Account/0-MDAwMDAxMDI3", tok)
        self.assertEqual(txs[1][-1]["Type"], "Debit")
        self.assertIn('"Amount": -45.6789', txs[2].decode())
        self.call("POST", "/__admin/reset")
        tok = self.access_token()
        self.assertIn('"Balance": 12345.6789', self.op("Balance/Account/0-MDAwMDAxMDI3", tok)[2].decode())

    def test_topups_catalogue(self):
        st, env, text, _ = self.op("TopsUpsGetPaymentInfo")
        self.assertEqual(st, 200, text)
        self.assertEqual(env["returnCode"], "0")
        self.assertEqual(env["outputData"]["ListOfEntities"]["entity"][0]["entityCode"], "10058")

    def test_state_and_requests_logged(self):
        self.access_token()
        st, body, _, _ = self.call("GET", "/__admin/state")
        self.assertEqual(st, 200)
        self.assertIn("Best Bank Open Banking API", body)
        log = self.call("GET", "/__admin/requests")[1]
        self.assertEqual([r["operationId"] for r in log][-3:], ["initiate", None, "token"])
        self.assertEqual(log[-2]["status"], 302)


class BestBankFlagsTest(unittest.TestCase):
    def test_flags(self):
        if not os.path.exists(SPEC):
            self.skipTest("%s does not exist" % SPEC)
        mock = Mock(["--bestbank-consumer-key", "ck2:sk2", "--bestbank-certificate", "Q0VSVA==",
                     "--bestbank-token-ttl", "120", "--bestbank-public-url", "http://bank.example:8080/"])
        try:
            def call(headers):
                conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=30)
                conn.request("POST", "/api/v2/OAuth/Initiate", headers=headers)
                r = conn.getresponse()
                data = json.loads(r.read())
                conn.close()
                return r.status, data
            h = {"Authorization": "OAuth oauth_consumer_key=ck2", "Certificate": "Q0VSVA==",
                 "redirect_uri": REDIRECT, "state": "s"}
            st, body = call(h)
            self.assertEqual(st, 200, body)
            self.assertTrue(body["LoginUrl"].startswith("http://bank.example:8080/__bestbank/login?"))
            st, body = call(dict(h, Certificate=CERT))
            self.assertEqual((st, body["Message"]), (401, "Certificate error"))
            st, body = call(dict(h, Authorization="OAuth oauth_consumer_key=" + CK))
            self.assertEqual((st, body["Message"]), (401, "Certificate error"))
        finally:
            mock.stop()


if __name__ == "__main__":
    unittest.main()
