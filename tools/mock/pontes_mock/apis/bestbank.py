"""Best Bank Open Banking v2 (x-pontes-api: bestbank): consent, tokens, accounts, payments.

Authentication (every operation; the spec's schemes: the `oauth-params` one on Authorization,
the `static-header` one on Certificate; which extra parameter an operation needs comes from its
security requirement's roles, `code` or `access_token`):
    Authorization: OAuth k=v,k=v   no quotes needed (surrounding "..." tolerated), spaces around
        items tolerated, unknown parameters ignored; oauth_consumer_key always, code= on Token,
        access_token= on CheckOperationByID / Balance / Transactions.
    not "OAuth ..."                        400 Incorrect Authorization Scheme.
    header missing, empty, an item without
      "=" or value, no consumer key, no
      code / access_token where needed     400 Missing one or more variables in the authorization header request.
    unknown consumer key                   401 Certificate error   (decision: the consumer key and the
        certificate together identify the registered application; §4 has no other message for it)
    oauth_signature present and the consumer key has a secret (KEY:SECRET; a KEY given without one is
    not verified): verified —
        HMAC-SHA256 keyed with the secret over the §2.4 base string (every parameter but the
        signature, sorted by name, name%3Durlencode(value)%26..., then oauth_consumer_secret%3D<secret>,
        escapes upper-case), Base64, URL-encoded; compared after URL-decoding.  A wrong one:
                                           400 Incorrect Authorization Scheme.  (decision)
        oauth_timestamp / oauth_version are tolerated and signed like any parameter (no clock window).
        --bestbank-require-signature: an unsigned request is 400 Missing one or more variables...
    Certificate missing or not accepted    401 Certificate error  (checked on every operation, Balance and
        Transactions included: the spec puts the certificate in every security requirement)
    code unknown / already used / of another consumer key / older than 10 minutes
                                           400 Invalid Token.
    access_token unknown / expired / of another consumer key
                                           400 Invalid Token.
    access_token superseded (a newer token was issued to the same consumer key and user)
                                           400 EGEN003
    Checks run in that order, before the parameters and body are validated.

Other errors (every body is {Message, ErrorDate, ErrorID}; ErrorDate has 7 fraction digits, ErrorID
is 32 fresh hex digits):
    missing/empty redirect_uri or state header, bad response_type   400 Missing input value
    body not valid JSON or not one of the InitiatePayment variants  400 Missing one or more variables in the body request.
    unknown path under /api/v2/OAuth or /api/v2/Operation, bad {Type}, wrong method
                                                                    400 URL not found.
    Balance/Account/{ID} or Transactions of an unknown ID           401 No account found. Maybe you are passing a wrong account id.
    a card ID on Balance/Account/{ID}, or a {Type} that does not fit the ID (Transactions)
                                                                    401 EACC002
    payment amount not a positive decimal (e.g. "0", "-1", "x")     401 Invalid amount.
    transfer whose creditor and debtor IBAN are the same fixture account
                                                                    401 The creditor account and the debitor account is the same.
    CheckOperationByID with a blank ID (e.g. %20)                   401 Id is required
    CheckOperationByID of the spec's example operations (1-BQOCJB, the documented consent): the example,
        verbatim, for every consumer key.
    CheckOperationByID of an unknown ID (or another consumer key's): HTTP 200 with the envelope
        {"outputData": null, "returnCode": "1", "returnMsg": "Payment Not Found."}  (decision)
    a bug in the mock                                               417 We apologize but an unexpected error occured...

Consent flow: Initiate (headers redirect_uri, state) answers {"LoginUrl": "<base>/__bestbank/login?
login_token=<64 hex>&state=<state>&oper_id=<1-XXXXXX>"} where <base> is --bestbank-public-url or
http(s)://<the request's Host>.  GET (or POST) of that URL "logs the user in" (query `user=` picks the
user, default `sandbox-user`; `error=<code>` forces an error redirect) and answers 302 with
Location: <redirect_uri>?code=<32 hex>&state=<state>&oper_id=<id>  (error: ?error=<code>&state=<state>).
A login token works once (then 400, text/html).  POST /__admin/bestbank/login {"login_url": ...} does the
same and answers the redirect as JSON.  Token (Authorization code=...) answers {"access_token": <32 hex>,
"expires_in": <now + lifetime, ABSOLUTE epoch seconds>}; the code works once; issuing a token cancels
the earlier live tokens of the same consumer key and user (EGEN003).

Payment flow: InitiatePayment (redirect_uri header; body validated against the spec's oneOf) creates an
operation and answers {"LoginUrl": "<base>/__bestbank/login?login_token=...&oper_id=..."}; the login
redirects to <redirect_uri>?oper_id=<id> (error: ?error=<code>&oper_id=<id>) and executes the payment (a
debtor IBAN of a fixture account, with or without PT50, is debited: balances and a Debit movement).
CheckOperationByID (access token of any user of the same consumer key) reports consents (oper_type
"0") and payments (oper_type "1", oper_sub_type TRF_EC / TRF_INTERB / TRF_INTERN / PS / PC / PE /
PSS, null for Santa Casa, PCOM for top-ups; amount a 4-decimal number) in the envelope; `status` is
INIT before the login, then AUTHORIZED (consent) / EXECUTED (payment), or REJECTED after an error
redirect.  TopsUpsGetPaymentInfo answers the spec's catalogue example.

Fixture accounts (every user sees the same ones; amounts are written with their digits, e.g. 995.0000):
    0-MDAwMDAxMDI2  Account     Conta Digital   IBAN PT50006500010000000620154  EUR  Balance 995.0000, Available 0.0, Booked 995.0000
    0-MDAwMDAxMDI3  Account     Conta Poupança  IBAN PT50006500010000000620162  EUR  Balance 12345.6789, Available 12000.5000, Booked 12345.6789
    1-MDAwMDAxMDI2  CreditCard  BestBankSandbox card 5247729000001026           null Balance 995.0000, Available 0.0, Booked 0.0
  Transactions: 0-MDAwMDAxMDI2 and 1-MDAwMDAxMDI2 the documented examples (4 and 2 movements, e.g.
  Amount 1000.0000 / -1000.0000 / -5.0000, Date "1598349684"); 0-MDAwMDAxMDI3: 0.0001 Credit, -1234.5678 Debit.

Flags: --bestbank-consumer-key KEY:SECRET (repeatable; default pontes-demo-consumer-key:pontes-demo-secret-key),
--bestbank-certificate VALUE (repeatable; default the documented value 9dFpJUCnQc...8X8FD==; `*` accepts any
non-empty value), --bestbank-require-signature, --bestbank-token-ttl SECONDS (default --token-ttl),
--bestbank-public-url URL.

Admin endpoints (besides the core's; POST /__admin/expire-tokens also expires these tokens):
    POST /__admin/bestbank/login  {"login_url": URL | "login_token": T, "user": U?, "error": E?}
         -> {"location", "code", "state", "oper_id", "error"} (the login without a browser)
    POST /__admin/bestbank/config {"certificates": [...], "add_certificates": [...],
         "consumers": {key: secret}, "require_signature": bool, "token_ttl": seconds,
         "login_error": "access_denied" | null, "login_error_count": n (default 1)}
         -> the configuration (login_error makes the next n logins redirect with ?error=...)
    POST /__admin/bestbank/expire-token {"access_token": T}   expire one token
    POST /__admin/reset restores the fixtures and the command-line configuration.
"""

import base64
import copy
import datetime
import decimal
import hashlib
import hmac
import html
import re
import secrets
import string
import threading
import time
import urllib.parse
import uuid

from ..errors import MockError
from ..plugins import Answer, ApiState, admin_json, register

D = decimal.Decimal
DEMO_CERTIFICATE = "9dFpJUCnQcwe80aAOHx7YWYlqisICXNnVSKiaiA9vGO8YnzlZoJcUVPJ/rZ68X8FD=="
DEMO_CONSUMER = "pontes-demo-consumer-key:pontes-demo-secret-key"
DEFAULT_USER = "sandbox-user"
LOGIN_PATH = "/__bestbank/login"
CODE_TTL = 600

MSG_MISSING_AUTH = "Missing one or more variables in the authorization header request."
MSG_SCHEME = "Incorrect Authorization Scheme."
MSG_INVALID_TOKEN = "Invalid Token."
MSG_CERT = "Certificate error"
MSG_CANCELLED = "EGEN003"
MSG_BODY = "Missing one or more variables in the body request."
MSG_INPUT = "Missing input value"
MSG_URL = "URL not found."
MSG_UNEXPECTED = "We apologize but an unexpected error occured. Please try again later."
MSG_NO_ACCOUNT = "No account found. Maybe you are passing a wrong account id."
MSG_INVALID_ACCOUNT = "EACC002"
MSG_AMOUNT = "Invalid amount."
MSG_SAME = "The creditor account and the debitor account is the same."
MSG_ID_REQUIRED = "Id is required"
NOT_FOUND_CODE, NOT_FOUND_MSG = "1", "Payment Not Found."
ERROR_KEYS = {"Message", "ErrorDate", "ErrorID"}

ACCOUNTS = [
    {"ID": "0-MDAwMDAxMDI2", "Balance": "995.0000", "BalanceAvailable": "0.0", "BalanceBooked": "995.0000",
     "Currency": "EUR", "AccountType": "Account", "Product": "Conta Digital",
     "AccountNumber": {"Type": "IBAN", "Value": "PT50006500010000000620154"}},
    {"ID": "0-MDAwMDAxMDI3", "Balance": "12345.6789", "BalanceAvailable": "12000.5000",
     "BalanceBooked": "12345.6789", "Currency": "EUR", "AccountType": "Account", "Product": "Conta Poupança",
     "AccountNumber": {"Type": "IBAN", "Value": "PT50006500010000000620162"}},
    {"ID": "1-MDAwMDAxMDI2", "Balance": "995.0000", "BalanceAvailable": "0.0", "BalanceBooked": "0.0",
     "Currency": None, "AccountType": "CreditCard", "Product": "BestBankSandbox",
     "AccountNumber": {"Type": "CreditCard", "Value": "5247729000001026"}},
]
# Balance, Type, Description, Date, Amount, MovimentCurrency, TransactionNumber
TRANSACTIONS = {
    "0-MDAwMDAxMDI2": [
        ("1000.0", "Credit", "Sandbox Virtual Main Account Bank", "1598349684", "1000.0000", "EUR", "10036"),
        ("2000.0", "Credit", "", "1598372709", "5.0000", "EUR", "10037"),
        ("2005.0", "Debit", "Sandbox Virtual Main Account Bank", "1598349684", "-1000.0000", "EUR", "10038"),
        ("1005.0", "Debit", "", "1598372709", "-5.0000", "EUR", "10039"),
    ],
    "0-MDAwMDAxMDI3": [
        ("12345.6789", "Credit", "Juros", "1700000000", "0.0001", "EUR", "20001"),
        ("11111.1111", "Debit", "Pagamento de servicos", "1700086400", "-1234.5678", "EUR", "20002"),
    ],
    "1-MDAwMDAxMDI2": [
        ("1000.0", "Debit", "PAYMENT NOS Movies", "1530403200", "-10.0", None, "2"),
        ("990.0", "Credit", "REFUND Soccer Team Donative", "1529193600", "10.0", None, "3"),
    ],
}
TX_KEYS = ("Balance", "Type", "Description", "Date", "Amount", "MovimentCurrency", "TransactionNumber")
AMOUNT_RE = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def error_date():
    """ISO-8601 UTC with 7 fraction digits (100 ns ticks), as the bank writes it."""
    ns = time.time_ns()
    stamp = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % (ns % 10**9 // 100)


def bank_error(status, message):
    return MockError(status, {"Message": message, "ErrorDate": error_date(), "ErrorID": uuid.uuid4().hex})


def dotnet_urlencode(value):
    """.NET HttpUtility.UrlEncode (space as '+', unreserved -_.!*() kept); escapes upper-case."""
    return urllib.parse.quote_plus(value, safe="-_.!*()")


def base_string(params, secret):
    """The §2.4 signature base string of the parameters (all but oauth_signature)."""
    parts = ["%s%%3D%s%%26" % (k, dotnet_urlencode(params[k])) for k in sorted(params) if k != "oauth_signature"]
    text = "".join(parts) + "oauth_consumer_secret%3D" + secret
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), text)


def signature(params, secret):
    """Base64 of HMAC-SHA256(secret, base string) (before URL-encoding)."""
    mac = hmac.new(secret.encode("utf-8"), base_string(params, secret).encode("utf-8"), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def parse_oauth(value):
    """{name: value} of an `OAuth k=v,k=v` header; raises the bank's 400s."""
    if value is None or not value.strip():
        raise bank_error(400, MSG_MISSING_AUTH)
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "oauth":
        raise bank_error(400, MSG_SCHEME)
    params = {}
    for item in rest.split(","):
        item = item.strip()
        if not item:
            continue
        k, eq, v = item.partition("=")
        k, v = k.strip(), v.strip()
        if len(v) >= 2 and v[0] == v[-1] == '"':
            v = v[1:-1]
        if not eq or not k or not v:
            raise bank_error(400, MSG_MISSING_AUTH)
        params[k] = v
    return params


def add_query(uri, pairs):
    sep = "&" if "?" in uri else "?"
    return uri + sep + urllib.parse.urlencode(pairs)


def amount4(text):
    """A request amount as the 4-decimal number the bank prints (more decimals are kept)."""
    d = D(text)
    return d.quantize(D("0.0001")) if -d.as_tuple().exponent <= 4 else d


@register("bestbank")
class BestBankState(ApiState):
    """Consents, codes, tokens, payment operations and fixture accounts of Best Bank."""

    @classmethod
    def add_arguments(cls, parser):
        g = parser.add_argument_group("Best Bank (x-pontes-api: bestbank)")
        g.add_argument("--bestbank-consumer-key", action="append", metavar="KEY:SECRET",
                       help="an accepted consumer key and its secret key (repeatable; default %s)" % DEMO_CONSUMER)
        g.add_argument("--bestbank-certificate", action="append", metavar="VALUE",
                       help="an accepted Certificate header value (repeatable; default the documented "
                            "example value; '*' accepts any non-empty value)")
        g.add_argument("--bestbank-require-signature", action="store_true",
                       help="refuse an Authorization header without oauth_signature")
        g.add_argument("--bestbank-token-ttl", type=int, metavar="SECONDS",
                       help="access-token lifetime (default --token-ttl)")
        g.add_argument("--bestbank-public-url", metavar="URL",
                       help="base of the LoginUrl the mock returns (default http(s)://<Host header>)")

    def __init__(self, api, server):
        ApiState.__init__(self, api, server)
        self.lock = threading.RLock()
        self.oauth_scheme = self.cert_scheme = None
        self.token_param, self.code_param, self.key_param = "access_token", "code", "oauth_consumer_key"
        for name, sch in api.schemes.items():
            xa = sch.get("x-pontes-auth") or {}
            if xa.get("style") == "oauth-params":
                self.oauth_scheme = name
                self.token_param = xa.get("token_param", self.token_param)
                self.code_param = xa.get("code_param", self.code_param)
                self.key_param = xa.get("consumer_key_param", self.key_param)
            elif xa.get("style") == "static-header" and sch.get("in") == "header":
                self.cert_scheme = (name, sch.get("name", "Certificate"))
        self.op_info_keys = list(((api.data.get("components") or {}).get("schemas") or {})
                                 .get("OperationInfo", {}).get("properties", {}).keys())
        self.reset()

    # -- configuration / reset --------------------------------------------------------
    def reset(self):
        opts = self.server.opts
        with self.lock:
            self.consumers = {}
            for item in getattr(opts, "bestbank_consumer_key", None) or [DEMO_CONSUMER]:
                k, _, s = item.partition(":")
                self.consumers[k] = s
            self.certificates = set(getattr(opts, "bestbank_certificate", None) or [DEMO_CERTIFICATE])
            self.require_signature = bool(getattr(opts, "bestbank_require_signature", False))
            ttl = getattr(opts, "bestbank_token_ttl", None)
            self.token_ttl = ttl if ttl is not None else getattr(opts, "token_ttl", 3600)
            self.login_error, self.login_error_count = None, 0
            self.operations = {}   # oper_id -> record
            self.logins = {}       # login_token -> oper_id (pending logins)
            self.codes = {}        # code -> {oper_id, user, consumer_key, used, expires}
            self.tokens = {}       # access_token -> {consumer_key, user, expires, cancelled}
            self.accounts = {a["ID"]: {k: (D(v) if k.startswith("Balance") else copy.deepcopy(v))
                                       for k, v in a.items()} for a in ACCOUNTS}
            self.transactions = {i: [dict(zip(TX_KEYS, (D(t[0]),) + t[1:4] + (D(t[4]),) + t[5:]))
                                     for t in txs] for i, txs in TRANSACTIONS.items()}
            self.next_tx = 30001
            # the operations of the spec's CheckOperationByID examples (e.g. the consent 1-BQOCJB),
            # answered verbatim to every consumer key
            op = self.api.by_id.get("checkOperationById")
            if op is not None:
                _, resp = op.success_response()
                for media in (resp.get("content") or {}).values():
                    for env in self.api.all_examples(media):
                        out = env.get("outputData") if isinstance(env, dict) else None
                        if isinstance(out, dict) and isinstance(out.get("oper_id"), str):
                            self.operations.setdefault(out["oper_id"], {
                                "oper_id": out["oper_id"], "kind": "example", "consumer_key": None,
                                "envelope": env})

    def config_view(self):
        return {"consumers": sorted(self.consumers), "certificates": sorted(self.certificates),
                "require_signature": self.require_signature, "token_ttl": self.token_ttl,
                "login_error": self.login_error, "login_error_count": self.login_error_count}

    # -- hooks ------------------------------------------------------------------------
    def owns(self, path):
        base = self.api.base_path
        for p in (path, path[len(base):] if base and path.startswith(base + "/") else None):
            if p and (p.startswith("/api/v2/OAuth/") or p.startswith("/api/v2/Operation/")):
                return True
        return False

    def error(self, op, exc, path):
        if op is None and not self.owns(path):
            return None
        body = exc.body
        if isinstance(body, dict) and set(body) == ERROR_KEYS:
            return None
        if exc.status in (404, 405):
            return bank_error(400, MSG_URL)
        if exc.status >= 500:
            return bank_error(417, MSG_UNEXPECTED)
        if exc.status in (401, 403):
            return bank_error(400, MSG_MISSING_AUTH)
        keys = []
        if isinstance(body, dict):
            keys = [e.get("key") for e in (body.get("details") or {}).get("formErrors") or []
                    if isinstance(e, dict)]
        where = {}
        for p in (op.params if op is not None else []):
            where[p["name"]] = p["in"]
        if any(where.get(k) == "path" for k in keys):
            return bank_error(400, MSG_URL)
        if any(where.get(k) == "header" for k in keys):
            return bank_error(400, MSG_INPUT)
        return bank_error(400, MSG_BODY)

    def roles(self, op):
        """The Authorization roles op needs ([], ['code'], ['access_token']), None if not ours."""
        for req in op.security or []:
            if isinstance(req, dict) and self.oauth_scheme in req:
                return list(req[self.oauth_scheme] or [])
        return None

    def authenticate(self, op, headers, target):
        roles = self.roles(op)
        if roles is None:
            return None
        params = parse_oauth(headers.get("Authorization"))
        needed = [self.key_param] + [self.code_param if r == "code" else self.token_param
                                     for r in roles if r in ("code", "access_token")]
        if any(not params.get(n) for n in needed):
            raise bank_error(400, MSG_MISSING_AUTH)
        ck = params[self.key_param]
        with self.lock:
            secret = self.consumers.get(ck)
            require = self.require_signature
            certs = set(self.certificates)
        if secret is None:
            raise bank_error(401, MSG_CERT)
        sig = params.get("oauth_signature")
        if sig is None:
            if require:
                raise bank_error(400, MSG_MISSING_AUTH)
        elif secret and not hmac.compare_digest(urllib.parse.unquote(sig).encode("utf-8"),
                                     signature(params, secret).encode("utf-8")):
            raise bank_error(400, MSG_SCHEME)
        if self.cert_scheme is not None and any(self.cert_scheme[0] in (r or {}) for r in op.security):
            cert = (headers.get(self.cert_scheme[1]) or "").strip()
            if not cert or ("*" not in certs and cert not in certs):
                raise bank_error(401, MSG_CERT)
        if "access_token" in roles:
            self.check_token(params[self.token_param], ck)
        return True

    def check_token(self, token, ck):
        with self.lock:
            tok = self.tokens.get(token)
            if tok is None or tok["consumer_key"] != ck or tok["expires"] <= time.time():
                raise bank_error(400, MSG_INVALID_TOKEN)
            if tok["cancelled"]:
                raise bank_error(400, MSG_CANCELLED)
            return tok

    def expire_tokens(self):
        with self.lock:
            n = 0
            for tok in self.tokens.values():
                if tok["expires"] > 0:
                    tok["expires"] = 0
                    n += 1
            return n

    # -- helpers ----------------------------------------------------------------------
    def base_url(self, headers):
        public = getattr(self.server.opts, "bestbank_public_url", None)
        if public:
            return public.rstrip("/")
        host = headers.get("Host")
        if not host:
            h, port = self.server.server_address[:2]
            host = "%s:%d" % ("[%s]" % h if ":" in h else h, port)
        return "%s://%s" % ("https" if self.server.tls is not None else "http", host)

    def new_oper_id(self):
        alphabet = string.ascii_uppercase + string.digits
        while True:
            oid = "1-" + "".join(secrets.choice(alphabet) for _ in range(6))
            if oid not in self.operations:
                return oid

    def consumer_key(self, request):
        return parse_oauth(request.headers.get("Authorization")).get(self.key_param)

    def find_account_by_iban(self, iban):
        if not iban:
            return None
        iban = str(iban).upper()
        for acc in self.accounts.values():
            num = acc["AccountNumber"]
            if num["Type"] == "IBAN" and iban in (num["Value"], num["Value"][4:]):
                return acc
        return None

    @staticmethod
    def balance_item(acc):
        return {k: acc[k] for k in ("ID", "Balance", "BalanceAvailable", "BalanceBooked", "Currency",
                                    "AccountType", "Product")} | {"AccountNumber": dict(acc["AccountNumber"])}

    def account(self, aid, want_type):
        acc = self.accounts.get(aid)
        if acc is None:
            raise bank_error(401, MSG_NO_ACCOUNT)
        if acc["AccountType"] != want_type:
            raise bank_error(401, MSG_INVALID_ACCOUNT)
        return acc

    # -- operations -------------------------------------------------------------------
    def handle(self, op_id, request):
        fn = getattr(self, "op_" + op_id, None)
        if fn is None:
            return None
        with self.lock:
            return fn(request)

    def op_initiate(self, request):
        redirect = (request.params.get("redirect_uri") or "").strip()
        state = (request.params.get("state") or "").strip()
        rt = (request.params.get("response_type") or "200").strip()
        if not redirect or not state or not re.match(r"^2[0-9][0-9]$", rt):
            raise bank_error(400, MSG_INPUT)
        oid = self.new_oper_id()
        lt = secrets.token_hex(32)
        self.operations[oid] = {"oper_id": oid, "kind": "consent", "consumer_key": self.consumer_key(request),
                                "state": state, "redirect_uri": redirect, "status": "INIT",
                                "login_token": lt, "created": time.time(), "user": None}
        self.logins[lt] = oid
        url = self.base_url(request.headers) + LOGIN_PATH + "?" + urllib.parse.urlencode(
            {"login_token": lt, "state": state, "oper_id": oid})
        return Answer({"LoginUrl": url}, status=None if rt == "200" else int(rt))

    def op_token(self, request):
        params = parse_oauth(request.headers.get("Authorization"))
        code, ck = params[self.code_param], params[self.key_param]
        c = self.codes.get(code)
        if c is None or c["used"] or c["consumer_key"] != ck or c["expires"] <= time.time():
            if c is not None:
                c["used"] = True
            raise bank_error(400, MSG_INVALID_TOKEN)
        c["used"] = True
        now = time.time()
        for tok in self.tokens.values():
            if tok["consumer_key"] == ck and tok["user"] == c["user"] and tok["expires"] > now:
                tok["cancelled"] = True
        token = secrets.token_hex(16)
        expires = int(now) + int(self.token_ttl)
        self.tokens[token] = {"consumer_key": ck, "user": c["user"], "expires": expires, "cancelled": False,
                              "oper_id": c["oper_id"]}
        return Answer({"access_token": token, "expires_in": expires})

    def op_balance(self, request):
        want = request.params.get("Type")
        return Answer([self.balance_item(a) for a in self.accounts.values() if a["AccountType"] == want])

    def op_balanceOfAccount(self, request):
        return Answer([self.balance_item(self.account(request.params.get("ID", ""), "Account"))])

    def op_transactions(self, request):
        acc = self.account(request.params.get("ID", ""), request.params.get("Type"))
        return Answer([dict(t) for t in self.transactions.get(acc["ID"], [])])

    def op_checkOperationById(self, request):
        oid = (request.params.get("ID") or "").strip()
        if not oid:
            raise bank_error(401, MSG_ID_REQUIRED)
        rec = self.operations.get(oid)
        if rec is not None and rec["kind"] == "example":
            return Answer(copy.deepcopy(rec["envelope"]))
        if rec is None or rec["consumer_key"] != self.consumer_key(request):
            return Answer({"outputData": None, "returnCode": NOT_FOUND_CODE, "returnMsg": NOT_FOUND_MSG})
        out = {k: None for k in self.op_info_keys}
        out.update(rec.get("info") or {})
        out.update({"oper_id": oid, "oper_type": "0" if rec["kind"] == "consent" else "1",
                    "entity_name": "BANCO BEST", "status": rec["status"],
                    "redirect_url": add_query(rec["redirect_uri"], [("oper_id", oid), ("status", rec["status"])]),
                    "oper_date": datetime.datetime.fromtimestamp(rec["created"], datetime.timezone.utc)
                    .strftime("%Y-%m-%dT%H:%M:%S")})
        if rec["kind"] == "consent":
            out["login_token"] = rec["login_token"]
        for k in ("mov_date", "order_num"):
            if rec.get(k) is not None:
                out[k] = rec[k]
        return Answer({"outputData": out, "returnCode": "0", "returnMsg": "Sucesso"})

    def op_initiatePayment(self, request):
        redirect = (request.params.get("redirect_uri") or "").strip()
        if not redirect:
            raise bank_error(400, MSG_INPUT)
        body = request.body
        if not isinstance(body, dict) or not isinstance(body.get("creditor"), dict):
            raise bank_error(400, MSG_BODY)
        info, amount, debtor_acc = self.payment_info(body)
        oid = self.new_oper_id()
        lt = secrets.token_hex(32)
        self.operations[oid] = {"oper_id": oid, "kind": "payment", "consumer_key": self.consumer_key(request),
                                "state": request.params.get("state"), "redirect_uri": redirect, "status": "INIT",
                                "login_token": lt, "created": time.time(), "info": info,
                                "amount": amount, "debtor": debtor_acc["ID"] if debtor_acc else None,
                                "transfer": body["creditor"].get("account") is not None}
        self.logins[lt] = oid
        url = self.base_url(request.headers) + LOGIN_PATH + "?" + urllib.parse.urlencode(
            {"login_token": lt, "oper_id": oid})
        return Answer({"LoginUrl": url})

    def payment_info(self, body):
        """(outputData members, amount Decimal or None, debtor fixture account or None)."""
        cred = body["creditor"]
        debtor = body.get("debtor") if isinstance(body.get("debtor"), dict) else {}
        info = {"home_iban": debtor.get("iban"), "currency": "EUR", "description": cred.get("description"),
                "dest_name": cred.get("name"), "dest_email": cred.get("email"),
                "dest_country": cred.get("country")}
        amount_text = None
        if isinstance(cred.get("account"), dict):
            acc = cred["account"]
            kind = acc.get("type") if isinstance(acc.get("type"), dict) else {}
            info["oper_sub_type"] = ("TRF_INTERN" if kind.get("international") else
                                     "TRF_INTERB" if kind.get("interbank") else "TRF_EC")
            info["destination"] = acc.get("iban")
            info["transfer_type"] = body.get("type") if body.get("type") in ("1", "2") else "1"
            amount_text = acc.get("amount")
            extra = acc.get("info") if isinstance(acc.get("info"), dict) else {}
            for src, dst in (("currency", "currency"), ("urgency_flag", "urgent"), ("nature_code", "transf_reason"),
                             ("expenses_code", "exp_detail"), ("address", "dest_address"), ("swift_code", "swift"),
                             ("bank_name", "bank_name"), ("bank_address", "bank_address"),
                             ("bank_address_city", "bank_city"), ("bank_country_code", "bank_country")):
                if extra.get(src) not in (None, ""):
                    info[dst] = extra[src]
            same = self.find_account_by_iban(acc.get("iban"))
            if same is not None and same is self.find_account_by_iban(debtor.get("iban")):
                raise bank_error(401, MSG_SAME)
        elif isinstance(cred.get("payment_bill"), dict):
            bill = cred["payment_bill"]
            info["oper_sub_type"] = "PS" if "entity" in bill else "PC"
            info["entity"] = bill.get("entity", bill.get("enterprise"))
            info["reference"] = bill.get("reference")
            amount_text = bill.get("amount")
        elif isinstance(cred.get("state_bill"), dict):
            info["oper_sub_type"] = "PE"
            info["reference"] = cred["state_bill"].get("reference")
            amount_text = cred["state_bill"].get("amount")
        elif isinstance(cred.get("santa_casa"), dict):
            info["oper_sub_type"] = None
            info["reference"] = cred["santa_casa"].get("player_card_num")
            amount_text = cred["santa_casa"].get("amount")
        elif isinstance(cred.get("social_security"), dict):
            ss = cred["social_security"]
            info["oper_sub_type"] = "PSS"
            for k in ("regime_type", "reference_year", "reference_month", "beneficiary", "employer",
                      "remuneration_type", "remuneration_units"):
                if ss.get(k) not in (None, ""):
                    info[k] = ss[k]
        elif isinstance(cred.get("topup"), dict):
            tu = cred["topup"]
            info["oper_sub_type"] = "PCOM"
            info["entity"] = tu.get("entity_code")
            info["reference"] = None if tu.get("reference") is None else str(tu.get("reference"))
            if tu.get("amount") is not None:
                amount_text = str(tu["amount"])
        else:
            raise bank_error(400, MSG_BODY)
        amount = None
        if amount_text is not None:
            amount_text = str(amount_text).strip()
            if not AMOUNT_RE.match(amount_text) or D(amount_text) <= 0:
                raise bank_error(401, MSG_AMOUNT)
            amount = amount4(amount_text)
            info["amount"] = amount
        return info, amount, self.find_account_by_iban(debtor.get("iban"))

    # -- the login page ---------------------------------------------------------------
    def page(self, method, path, query, headers, body):
        if path != LOGIN_PATH:
            return None
        if method not in ("GET", "POST"):
            return Answer("method not allowed\n", 405, {"Allow": "GET, POST"}, content_type="text/plain; charset=utf-8")
        q = urllib.parse.parse_qs(query, keep_blank_values=True)
        if method == "POST" and body:
            try:
                q.update(urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                pass
        res = self.login(q.get("login_token", [""])[-1], q.get("user", [DEFAULT_USER])[-1] or DEFAULT_USER,
                         q.get("error", [""])[-1] or None)
        if "failure" in res:
            return Answer("<!doctype html><title>Best Bank mock</title><p>%s</p>\n" % html.escape(res["failure"]),
                          400, content_type="text/html; charset=utf-8")
        loc = res["location"]
        return Answer('<!doctype html><title>Best Bank mock</title><p>Redirecting to <a href="%s">%s</a></p>\n'
                      % (html.escape(loc, quote=True), html.escape(loc)), 302,
                      {"Location": loc, "Cache-Control": "no-store"}, content_type="text/html; charset=utf-8")

    def login(self, login_token, user, error):
        """Log the user in for a pending consent/payment: {location, code, state, oper_id, error}
        or {failure}."""
        with self.lock:
            oid = self.logins.pop(login_token, None) if login_token else None
            if oid is None:
                return {"failure": "unknown or already used login token"}
            rec = self.operations[oid]
            if error is None and self.login_error and self.login_error_count > 0:
                error = self.login_error
                self.login_error_count -= 1
                if self.login_error_count == 0:
                    self.login_error = None
            out = {"oper_id": oid, "state": rec["state"] if rec["kind"] == "consent" else None,
                   "code": None, "error": error}
            if error is not None:
                rec["status"] = "REJECTED"
                pairs = [("error", error)] + ([("state", rec["state"])] if rec["kind"] == "consent"
                                              else [("oper_id", oid)])
            elif rec["kind"] == "consent":
                code = secrets.token_hex(16)
                self.codes[code] = {"oper_id": oid, "user": user, "consumer_key": rec["consumer_key"],
                                    "used": False, "expires": time.time() + CODE_TTL}
                rec["status"], rec["user"] = "AUTHORIZED", user
                out["code"] = code
                pairs = [("code", code), ("state", rec["state"]), ("oper_id", oid)]
            else:
                self.execute_payment(rec)
                pairs = [("oper_id", oid)]
            out["location"] = add_query(rec["redirect_uri"], pairs)
            return out

    def execute_payment(self, rec):
        rec["status"] = "EXECUTED"
        now = time.time()
        rec["mov_date"] = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%d")
        if rec.get("transfer"):
            rec["order_num"] = str(self.next_tx)
        acc = self.accounts.get(rec.get("debtor") or "")
        amount = rec.get("amount")
        if acc is None or amount is None:
            return
        q = D("0.0001")
        for k in ("Balance", "BalanceAvailable", "BalanceBooked"):
            acc[k] = (acc[k] - amount).quantize(q)
        self.transactions.setdefault(acc["ID"], []).append({
            "Balance": acc["Balance"], "Type": "Debit", "Description": (rec.get("info") or {}).get("description") or "",
            "Date": str(int(now)), "Amount": (-amount).quantize(q), "MovimentCurrency": acc["Currency"],
            "TransactionNumber": str(self.next_tx)})
        self.next_tx += 1

    # -- admin ------------------------------------------------------------------------
    def admin(self, method, path, body):
        if not path.startswith("/__admin/bestbank/"):
            return None
        if method != "POST":
            raise MockError(405, {"error": "method_not_allowed", "message": "use POST"}, {"Allow": "POST"})
        req = admin_json(body)
        name = path[len("/__admin/bestbank/"):]
        if name == "login":
            lt = req.get("login_token")
            if not lt and isinstance(req.get("login_url"), str):
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(req["login_url"]).query)
                lt = q.get("login_token", [""])[-1]
            error = req.get("error")
            res = self.login(str(lt or ""), str(req.get("user") or DEFAULT_USER), None if error is None else str(error))
            if "failure" in res:
                raise MockError(400, {"error": "bad_request", "message": res["failure"]})
            return Answer(res, 200)
        if name == "config":
            try:
                return self.configure(req)
            except (TypeError, ValueError, AttributeError) as e:
                raise MockError(400, {"error": "bad_request", "message": "bad config value: %s" % e})
        if name == "expire-token":
            with self.lock:
                tok = self.tokens.get(str(req.get("access_token")))
                if tok is None:
                    raise MockError(404, {"error": "not_found", "message": "unknown access token"})
                tok["expires"] = 0
            return Answer({"expired": 1}, 200)
        raise MockError(404, {"error": "not_found", "message": "unknown admin endpoint %s %s" % (method, path)})

    def configure(self, req):
        with self.lock:
            if "certificates" in req:
                self.certificates = set(map(str, req["certificates"] or []))
            if "add_certificates" in req:
                self.certificates.update(map(str, req["add_certificates"] or []))
            if "consumers" in req:
                self.consumers.update({str(k): str(v) for k, v in req["consumers"].items()})
            if "require_signature" in req:
                self.require_signature = bool(req["require_signature"])
            if "token_ttl" in req:
                self.token_ttl = int(req["token_ttl"])
            if "login_error" in req:
                self.login_error = str(req["login_error"]) if req["login_error"] else None
                self.login_error_count = int(req.get("login_error_count", 1)) if self.login_error else 0
            return Answer(self.config_view(), 200)

    def dump(self):
        with self.lock:
            return {"api": self.api_key, "config": self.config_view(),
                    "operations": {k: {kk: vv for kk, vv in v.items() if kk != "info"} | {"info": v.get("info")}
                                   for k, v in self.operations.items()},
                    "codes": self.codes, "tokens": self.tokens,
                    "accounts": list(self.accounts.values()), "transactions": self.transactions}
