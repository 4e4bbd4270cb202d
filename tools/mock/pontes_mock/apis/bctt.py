"""BCTT Partners Portal (x-pontes-api: bctt): sessions, simulations, processes, callbacks, taxonomies.

Serves the 82 operations of /work/notes/bctt-contract.md (spec: generated/bctt/openapi.json).  Every
answer of this API, errors included, is JSON; every error body is the operationStatus envelope
{"operationStatus": {"operationStatusCode": "<6 digits>", "operationStatusMessage": "..."}} (with
"additionalData": {"errors": [{"field", "message"}]} on schema validation errors).

Authentication (POST /API/partnersPortal/authentication, no body)
    Headers, any of the documented names (HTTP header names are case-insensitive):
        master id      xClientID (API reference, guide) | x-client-id (API Commons)
        master secret  xClientSecret | x-client-secret
        broker         xBrokerUID (API reference) | brokerID (guide) | correlationId (API Commons)
        user           xUsername (API reference) | username (guide)
    An alias is copied to the API-reference name before validation, so the spec's header parameters
    are satisfied whichever name the client used.  Checks (the three 401 causes of reference §2.2):
        client id / secret not the configured pair (or missing)   401 010101
        broker unknown to the master, or its API access disabled  401 010201
        user not of that broker, or its API access disabled       401 010301
    200: a fresh random JWT-looking token (three base64url parts, header {"alg":"HS256","typ":"JWT"},
    payload {sub, brokerUID, iat, jti}), as {"sessionToken": "<token>"} (--bctt-auth-answer object,
    the default) or as the bare JSON string "<token>" (--bctt-auth-answer string); admin config
    "auth_answer" switches it per test.  Every successful login is counted (admin state "logins").

Sessions
    Every /v1 operation needs "Authorization: Bearer <token>" of a live session (API Commons'
    "sessionToken: <token>" header is accepted too).  A session ends after --bctt-idle-timeout seconds
    (default 1800 = the documented 30 minutes) of INACTIVITY measured on the mock's clock (real time
    plus an offset the tests move: admin "clock"); every successful authentication of a request renews
    it.  No absolute lifetime.  Refusals (401, WWW-Authenticate: Bearer):
        no Authorization / not Bearer                              401 010401
        unknown token (never issued, or expired and forgotten)     401 010402
        session idle for idle_timeout seconds or more              401 010403  (then forgotten: 010402)

State: per broker (the session's broker), made on first use with deterministic seeds:
    250 processes (processNumber 1001..1250, in states 2..9; the newest, 1250, has 45 messages), each
    with its simulation (simulationNumber 5001..5250, state 3 "Converted to Process"); the seeds of
    broker 12345 are the same on every run (random.Random("bctt-seed-<broker>")).

Simulations (workflow states 1 In Simulation, 2 Validated, 3 Converted to Process, 4 Cancelled)
    Create   -> state 1; additionalData {simulationUniqueID, simulationNumber} (numbers from 5251)
    Update (PATCH, merge) only in states 1-2 (back to 1); Validate -> 2 (needs a loanAmount > 0 and
    loanDurationMonths 12..600 when given); Cancel (DELETE) only in states 1-2 -> 4.
    Detail = the stored members plus ids, status, dates.  ESIS Get -> {"esis": <Base64 of a small real
    PDF naming the simulation>}; ESIS Email records sendAddress (admin state "esisEmails").
    Messages: page style like the process messages.
Processes (workflow states: taxonomy WorkflowStatesProposalGet, 1 In Creation ... 9 Awaits Documents)
    Create: from a Validated simulation of the broker (-> state 3 of the simulation), DECISION: the new
    process is "In Creation" (1) (the Create page says "In Acceptance", Update/Submit/Cancel need "In
    Creation"; a process must be workable after Create).  Makes the KeyBorrower (type 1) and, with
    borrowerName, a second borrower (type 2, relation 1 Spouse), and an empty primary property.
    additionalData {processUniqueID, processNumber} (numbers from 1251).
    Update (PUT, partial), Submit (-> 2 "In Review"; needs a KeyBorrower and at least one document),
    Cancel (DELETE with the JSON body {"processCancelReasonID": n}, required, a Proposal Cancel Reasons
    id -> 7 "Cancelled"): only "In Creation".  Borrowers / documents / property / messages may be
    changed in any state but Cancelled (7).  The KeyBorrower cannot be deleted (040402).
    Documents: Base64 content (documentContent in, content out), title, fileName, type (taxonomy
    Document Types: typeDescription and category from it), observations; status 2 "Active".
    Property List answers the ONE primary property; Property Update needs its propertyUniqueId.
Pagination
    ProcessList / SimulationList (keyset): newest first (by number); lineCount (default 20, 1..500),
    nextRecord = the unique id of the last item received -> the items after it; previousRecord = an id
    -> the lineCount items before it; an unknown cursor -> 400 041501.  Answers totalRecords (all
    matching), hasMoreResults (more after this page).  Filters: filterByText (name, tax id, branch,
    number; case-insensitive), filterProcessStatusId, filterHasCreditDecisionId (1 / 0),
    filterContractDateStart / To; filterSimulationStatus, filterStatusLastDateFrom / To.
    Process List items carry processNumber, processStatusId, branchId, simulationNumber AS STRINGS
    ("1234", as documented); admin config list_numbers "number" / "mixed" (odd processNumbers as
    numbers) changes that.
    Messages (process and simulation) and NotificationTypesGet (page): pageNumber (default 1),
    pageSize (default 20, 1..500) -> {totalCount, count, <items>}.  CallbackList (offset): offset
    (default 0), limit (default 20, 1..500) -> {totalCount, callbacks}.
Partner callbacks
    partnerUniqueID: one per broker, uuid5(NAMESPACE_URL, "bctt-partner:<broker>") (broker 12345:
    PARTNER_12345 below; admin state shows it); another id -> 400 041301.  CallbackUpdate (PUT,
    body member with the URL) registers / replaces the URL of a notification type (taxonomy
    NotificationTypesGet, 1..7; other -> 400 041101).  The real service requires a public HTTPS URL;
    the mock accepts https://... (never delivered to) and http://127.0.0.1|localhost|[::1]:<port>
    (delivered to) — anything else 400 041401.  CallbackDelete of an absent one -> 404 031101.
    CallbackEcho {notificationTypeID, processUniqueId xor simulationUniqueId, rawBody}: both (or
    neither) -> 400 041201; no callback for the type -> 400 041102; else the notification (the same
    three members) is POSTed to the registered URL (up to --bctt-callback-attempts tries, default 3,
    until a 2xx) and Echo answers 020810 with additionalData {delivered, attempts, lastStatus}.
    Process Submit / Cancel and Simulation Validate / Cancel notify types 1 / 4 by themselves
    (rawBody {processStatusID, processStatusDescription} / {simulationStatusID, simulationStatusDescription},
    like the spec's Echo examples) when a callback is registered, in a background thread.
    Every delivery is logged (admin "deliveries").

Leniencies (ApiState.tolerate; everything else the spec says is enforced by the core's validation)
    a date-only value ("2028-12-31", as the documented Process Create example sends) in a date-time
    member or parameter is accepted; callbackUrl's `^https://` pattern is waived for http loopback URLs.

Success codes (operationStatusCode; category 02, resource, action):
    020101 ProcessUpdate        020102 ProcessCreate          020103 ProcessSubmit      020104 ProcessCancel
    020106 ProcessESISEmail     020201 BorrowerUpdate         020202 BorrowerCreate     020205 BorrowerDelete
    020301 DocumentUpdate       020302 DocumentCreate         020305 DocumentDelete     020401 PropertyUpdate
    020502 ProcessesMessageCreate                             020701 SimulationUpdate   020702 SimulationCreate
    020704 SimulationCancel     020706 SimulationESISEmail    020707 SimulationValidate
    020902 SimulationsMessageCreate                           020801 CallbackUpdate     020805 CallbackDelete
    020810 CallbackEcho
Error codes (category 01 authentication, 03 not found, 04 validation (field, error), 05 server):
    010101 010201 010301 010401 010402 010403  (above)
    030001 404 no such endpoint      030002 405 method not allowed     031101 404 callback not found
    040101 400 the request does not match the spec (additionalData.errors lists the problems)
    040102 400 a required member is missing / empty                    040103 400 an invalid value
    040104 415 unsupported Content-Type                                040105 413 body too large
    040201 400 process unknown / not of the broker                     040202 400 process not in a state allowing it
    040301 400 simulation unknown / not of the broker                  040302 400 simulation not in a state allowing it
    040401 400 borrower not of the process     040402 400 the KeyBorrower cannot be deleted
    040501 400 document not of the process     040502 400 documentContent is not Base64
    040601 400 property not of the process     040701 400 processCancelReasonID missing / unknown
    040801 400 submit: no document             040802 400 submit: no KeyBorrower
    040901 400 sendAddress not an e-mail address
    041101 400 unsupported notification type   041102 400 no callback registered for the type
    041201 400 Echo needs exactly one of processUniqueId / simulationUniqueId
    041301 400 partner unknown / not of the broker                     041401 400 callback URL not accepted
    041501 400 unknown keyset cursor           041502 400 page size / offset out of range
    050001 500 internal error of the mock      050002 <status> injected failure (admin "fail")

Flags: --bctt-client-id (pontes-demo-client), --bctt-client-secret (pontes-demo-secret),
--bctt-user BROKER:USERNAME (repeatable; default 12345:user@example.com and 67890:ana.silva@example.com),
--bctt-auth-answer object|string, --bctt-idle-timeout SECONDS (1800), --bctt-callback-attempts N (3).

Admin endpoints (all POST with a JSON object body unless noted; POST /__admin/reset restores the flags,
forgets sessions and state; POST /__admin/expire-tokens ends every session):
    /__admin/bctt/config  {"auth_answer": "object"|"string", "idle_timeout": s, "list_numbers":
                           "string"|"number"|"mixed", "disabled_brokers": [...], "disabled_users": [...],
                           "callback_attempts": n}  -> the configuration
    /__admin/bctt/clock   {"advance": seconds} | {"set_offset": seconds} -> {"now", "offset"} (GET: the same)
    /__admin/bctt/expire-session {"token": T} (or {} for every session) -> {"expired": n}
    /__admin/bctt/fail    {"operationId": op, "status": 500, "count": 1, "skip": 0, "body": {...}?,
                           "empty": false} -> the pending injections.  After `skip` normal answers the next
                           `count` requests of op are answered `status` with the envelope 050002 (or `body`)
                           and have no effect; with "empty": true (a 2xx status, e.g. 200 or 204) the
                           operation runs normally and its answer is sent with an EMPTY body.
                           {"clear": true} removes every injection.
    /__admin/bctt/notify  {"broker"?: "12345", "notificationTypeID", "processUniqueId" | "simulationUniqueId",
                           "rawBody"?} -> the delivery record (the same delivery as CallbackEcho)
    GET /__admin/bctt/state -> {logins, loginsByUser, failedLogins, sessions, config, clock, partners,
                           esisEmails, deliveries, injections, brokers: {broker: {processes, simulations}}}
    GET /__admin/state shows the same under the spec's title.
"""

import base64
import binascii
import copy
import datetime
import json
import random
import re
import secrets
import threading
import time
import uuid

from .. import webhooks
from ..errors import MockError
from ..plugins import Answer, ApiState, admin_json, register
from ..schema import valid_date
from . import bctt_data as data

DEMO_CLIENT_ID = "pontes-demo-client"
DEMO_CLIENT_SECRET = "pontes-demo-secret"
DEMO_USERS = ["12345:user@example.com", "67890:ana.silva@example.com"]
IDLE_TIMEOUT = 1800
SEED_COUNT = 250
SEED_MESSAGES = 45
FIRST_PROCESS, FIRST_SIMULATION = 1001, 5001
MAX_PAGE = 500
ADMIN = "/__admin/bctt/"
LOGIN_PATH_SUFFIX = "/authentication"
PARTNER_NS = uuid.NAMESPACE_URL
PARTNER_12345 = str(uuid.uuid5(PARTNER_NS, "bctt-partner:12345"))
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

HEADER_ALIASES = [  # (API-reference name, aliases)
    ("xClientID", ("x-client-id",)),
    ("xClientSecret", ("x-client-secret",)),
    ("xBrokerUID", ("brokerID", "correlationId")),
    ("xUsername", ("username",)),
]

SUCCESS = {
    "ProcessUpdate": ("020101", "Process Updated successfully"),
    "ProcessCreate": ("020102", "Process Created successfully"),
    "ProcessSubmit": ("020103", "Process Submitted successfully"),
    "ProcessCancel": ("020104", "Process Canceled successfully"),
    "ProcessESISEmail": ("020106", "ESIS sent by email successfully"),
    "BorrowerUpdate": ("020201", "Borrower Updated successfully"),
    "BorrowerCreate": ("020202", "Borrower Created successfully"),
    "BorrowerDelete": ("020205", "Borrower Deleted successfully"),
    "DocumentUpdate": ("020301", "Document Updated successfully"),
    "DocumentCreate": ("020302", "Document Created successfully"),
    "DocumentDelete": ("020305", "Document Deleted successfully"),
    "PropertyUpdate": ("020401", "Property Updated successfully"),
    "ProcessesMessageCreate": ("020502", "Message Created successfully"),
    "SimulationUpdate": ("020701", "Simulation Updated successfully"),
    "SimulationCreate": ("020702", "Simulation Created successfully"),
    "SimulationCancel": ("020704", "Simulation Canceled successfully"),
    "SimulationESISEmail": ("020706", "ESIS sent by email successfully"),
    "SimulationValidate": ("020707", "Simulation Validated successfully"),
    "SimulationsMessageCreate": ("020902", "Message Created successfully"),
    "CallbackUpdate": ("020801", "Callback Updated successfully"),
    "CallbackDelete": ("020805", "Callback Removed successfully"),
    "CallbackEcho": ("020810", "Notification sent"),
}

# nested / filtered taxonomies: op -> (items, parent member, query parameter names, child key, children, child parent member)
NESTED = {
    "CountryWithDistrictsGet": (data.COUNTRIES, None, (), "districts", data.DISTRICTS_PT, "countryId"),
    "DistrictsWithCountiesGet": (data.DISTRICTS_PT, "countryId", ("countryId", "countryID"), "counties",
                                 data.COUNTIES, "districtId"),
    "CountyWithParishesGet": (data.COUNTIES, "districtId", ("districtId", "districtID"), "parishes",
                              data.PARISHES, "countyId"),
    "DistrictsGet": (data.DISTRICTS_PT, "countryId", ("countryId", "countryID"), None, None, None),
    "CountiesGet": (data.COUNTIES, "districtId", ("districtId", "districtID"), None, None, None),
    "ParishesGet": (data.PARISHES, "countyId", ("countyId", "countyID"), None, None, None),
}


def envelope(code, message, additional=None):
    out = {"operationStatus": {"operationStatusCode": code, "operationStatusMessage": message}}
    if additional is not None:
        out["additionalData"] = additional
    return out


def err(status, code, message, additional=None, headers=None):
    return MockError(status, envelope(code, message, additional), headers)


def unauthorized(code, message):
    return err(401, code, message, headers={"WWW-Authenticate": 'Bearer realm="bctt"'})


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def tax_item(x):
    return {"id": x["id"], "description": x["description"]}


def describe(table, ident):
    for x in table:
        if x["id"] == ident:
            return x["description"]
    return None


def response_name(key):
    """The response spelling of a request member (§3.7: requests ...Id, responses ...ID)."""
    return key[:-2] + "ID" if key.endswith("Id") else key


class Broker:
    """One broker's records."""

    def __init__(self, broker):
        self.broker = broker
        self.partner = str(uuid.uuid5(PARTNER_NS, "bctt-partner:%s" % broker))
        self.processes = {}     # processUniqueID -> record
        self.simulations = {}   # simulationUniqueID -> record
        self.callbacks = {}     # notificationType (int) -> {notificationType, callbackUrl, ...}
        self.next_process = FIRST_PROCESS + SEED_COUNT
        self.next_simulation = FIRST_SIMULATION + SEED_COUNT


@register("bctt")
class BcttState(ApiState):
    """Sessions, per-broker simulations / processes / callbacks, taxonomies of BCTT."""

    @classmethod
    def add_arguments(cls, parser):
        g = parser.add_argument_group("BCTT Partners Portal (x-pontes-api: bctt)")
        g.add_argument("--bctt-client-id", metavar="ID", help="master client id (default %s)" % DEMO_CLIENT_ID)
        g.add_argument("--bctt-client-secret", metavar="SECRET",
                       help="master client secret (default %s)" % DEMO_CLIENT_SECRET)
        g.add_argument("--bctt-user", action="append", metavar="BROKER:USERNAME",
                       help="a broker of the master and one of its users (repeatable; default %s)"
                            % " and ".join(DEMO_USERS))
        g.add_argument("--bctt-auth-answer", choices=("object", "string"),
                       help="Authenticate answers {\"sessionToken\": T} (object, default) or the bare string")
        g.add_argument("--bctt-idle-timeout", type=int, metavar="SECONDS",
                       help="session idle timeout (default %d)" % IDLE_TIMEOUT)
        g.add_argument("--bctt-callback-attempts", type=int, metavar="N",
                       help="delivery attempts of a notification (default 3)")

    def __init__(self, api, server):
        ApiState.__init__(self, api, server)
        self.lock = threading.RLock()
        self.session_scheme = None
        for name, sch in api.schemes.items():
            if (sch.get("x-pontes-auth") or {}).get("style") == "session":
                self.session_scheme = name
        self.login_ops = {op.operation_id for op in api.operations
                          if op.template.rstrip("/").endswith(LOGIN_PATH_SUFFIX) and op.method == "POST"}
        self.taxonomy_of = {}  # spec operationId -> our table key (case-insensitive match)
        known = {k.lower(): k for k in list(data.TAXONOMIES) + list(NESTED)}
        for op in api.operations:
            if op.operation_id.lower() in known:
                self.taxonomy_of[op.operation_id] = known[op.operation_id.lower()]
        self.reset()

    # -- configuration ------------------------------------------------------------------
    def reset(self):
        opts = self.server.opts
        with self.lock:
            self.client_id = getattr(opts, "bctt_client_id", None) or DEMO_CLIENT_ID
            self.client_secret = getattr(opts, "bctt_client_secret", None) or DEMO_CLIENT_SECRET
            self.users = {}
            for item in getattr(opts, "bctt_user", None) or DEMO_USERS:
                b, _, u = item.partition(":")
                self.users.setdefault(b.strip(), set()).add(u.strip())
            self.auth_answer = getattr(opts, "bctt_auth_answer", None) or "object"
            t = getattr(opts, "bctt_idle_timeout", None)
            self.idle_timeout = IDLE_TIMEOUT if t is None else t
            a = getattr(opts, "bctt_callback_attempts", None)
            self.callback_attempts = 3 if a is None else max(1, a)
            self.list_numbers = "string"
            self.disabled_brokers, self.disabled_users = set(), set()
            self.offset = 0.0
            self.sessions = {}
            self.logins, self.failed_logins, self.logins_by_user = 0, 0, {}
            self.brokers = {}
            self.esis_emails = []
            self.deliveries = []
            self.injections = []

    def config_view(self):
        return {"auth_answer": self.auth_answer, "idle_timeout": self.idle_timeout,
                "list_numbers": self.list_numbers, "client_id": self.client_id,
                "users": {b: sorted(u) for b, u in self.users.items()},
                "disabled_brokers": sorted(self.disabled_brokers), "disabled_users": sorted(self.disabled_users),
                "callback_attempts": self.callback_attempts}

    def now(self):
        return time.time() + self.offset

    # -- hooks --------------------------------------------------------------------------
    def owns(self, path):
        base = self.api.base_path
        for p in (path, path[len(base):] if base and path.startswith(base + "/") else None):
            if p and (p.startswith("/v1/") or p.startswith("/API/partnersPortal/")):
                return True
        return False

    def authenticate(self, op, headers, target):
        if op.operation_id in self.login_ops:
            for name, aliases in HEADER_ALIASES:
                if headers.get(name) is None:
                    for a in aliases:
                        if headers.get(a) is not None:
                            headers[name] = headers.get(a)
                            break
            self.check_credentials(headers)
            return True
        if not op.security:
            return None
        self.check_session(headers)
        return True

    def check_credentials(self, headers):
        cid = (headers.get("xClientID") or "").strip()
        secret = (headers.get("xClientSecret") or "").strip()
        broker = (headers.get("xBrokerUID") or "").strip()
        user = (headers.get("xUsername") or "").strip()
        with self.lock:
            problem = None
            if not cid or not secret or not (secrets.compare_digest(cid, self.client_id)
                                             and secrets.compare_digest(secret, self.client_secret)):
                problem = ("010101", "Invalid master credentials (xClientID / xClientSecret)")
            elif broker not in self.users or broker in self.disabled_brokers:
                problem = ("010201", "The broker does not belong to the master or has no API access")
            elif user.lower() not in {u.lower() for u in self.users[broker]} or user.lower() in self.disabled_users:
                problem = ("010301", "The user does not belong to the broker or has no API access")
            if problem:
                self.failed_logins += 1
                raise unauthorized(*problem)

    def check_session(self, headers):
        value = (headers.get("Authorization") or "").strip()
        scheme, _, token = value.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            token = (headers.get("sessionToken") or "").strip()
            if not token:
                raise unauthorized("010401", "Authorization: Bearer <session token> is required")
        with self.lock:
            s = self.sessions.get(token)
            if s is None:
                raise unauthorized("010402", "Invalid session token")
            now = self.now()
            if s["expired"] or now - s["lastUsed"] >= self.idle_timeout:
                del self.sessions[token]
                raise unauthorized("010403", "Session expired after %d seconds of inactivity" % self.idle_timeout)
            s["lastUsed"] = now
            s["requests"] += 1
            return s

    def expire_tokens(self):
        with self.lock:
            n = len(self.sessions)
            for s in self.sessions.values():
                s["expired"] = True
            return n

    def tolerate(self, op, key, message, value):
        # the documented ProcessCreate example sends "2028-12-31" in date-time members: accepted
        if message == "must be an RFC 3339 date-time" and isinstance(value, str) and valid_date(value):
            return True
        # callbackUrl: the spec requires https://; for tests the mock also takes http loopback URLs
        if key == "callbackUrl" and str(message).startswith("does not match pattern") and isinstance(value, str):
            try:
                webhooks.check_url(value)
                return True
            except MockError:
                return False
        return False

    def error(self, op, exc, path):
        if op is not None and op.api is not self.api:
            return None
        if op is None and not self.owns(path):
            return None
        body = exc.body
        if isinstance(body, dict) and "operationStatus" in body:
            return None
        st = exc.status
        if st == 404:
            return err(404, "030001", "No such endpoint")
        if st == 405:
            return err(405, "030002", "Method not allowed", headers=exc.headers)
        if st == 413:
            return err(413, "040105", "The request body is too large")
        if st == 415:
            return err(415, "040104", "Content-Type must be application/json")
        if st >= 500:
            return err(500, "050001", "Unexpected error")
        if st in (401, 403):
            return unauthorized("010401", "Authorization: Bearer <session token> is required")
        problems = []
        if isinstance(body, dict):
            problems = [{"field": e.get("key"), "message": e.get("message")}
                        for e in (body.get("details") or {}).get("formErrors") or [] if isinstance(e, dict)]
        if op is not None and op.operation_id == "CallbackEcho" and any(
                "oneOf" in str(p["message"]) or (p["field"] in ("processUniqueId", "simulationUniqueId")
                                                 and p["message"] == "required") for p in problems):
            return err(400, "041201", "Exactly one of processUniqueId or simulationUniqueId is required",
                       {"errors": problems})
        if op is not None and op.operation_id == "CallbackUpdate" and any(
                p["field"] == "callbackUrl" and str(p["message"]).startswith("does not match pattern") for p in problems):
            return err(400, "041401", "The callback URL must be HTTPS (the mock also accepts http://127.0.0.1 / "
                                      "localhost for tests)", {"errors": problems})
        text = "; ".join("%s: %s" % (p["field"], p["message"]) for p in problems[:5]) or "invalid request"
        code = "040102" if problems and all(p["message"] in ("required", "request body is required")
                                            or str(p["message"]).startswith("required") for p in problems) else "040101"
        return err(400, code, "Invalid request: " + text, {"errors": problems})

    # -- dispatch -----------------------------------------------------------------------
    def handle(self, op_id, request):
        inj = self.take_injection(op_id)
        if inj is not None and not inj["empty"]:
            body = inj["body"] if inj["body"] is not None else envelope("050002", "Injected failure")
            return Answer(body, status=inj["status"])
        answer = self.dispatch(op_id, request)
        if answer is not None and answer.status is None and answer.body is not None:
            self.server.check_response_shape(op_id, answer.body)
        if inj is not None:  # empty 2xx: the operation ran, its body is dropped
            return Answer(None, status=inj["status"])
        return answer

    def dispatch(self, op_id, request):
        if op_id in self.login_ops:
            return self.op_login(request)
        if op_id in self.taxonomy_of:
            return self.op_taxonomy(self.taxonomy_of[op_id], request)
        fn = getattr(self, "op_" + op_id, None)
        if fn is None:
            return None  # served from the spec's example / schema
        session = self.check_session_of(request)
        with self.lock:
            b = self.broker(session["broker"])
            return fn(request, b, session)

    def check_session_of(self, request):
        value = (request.headers.get("Authorization") or "").strip()
        scheme, _, token = value.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        token = token or (request.headers.get("sessionToken") or "").strip()
        with self.lock:
            s = self.sessions.get(token)
            if s is None:  # expired between the two looks (admin)
                raise unauthorized("010402", "Invalid session token")
            return s

    def take_injection(self, op_id):
        with self.lock:
            for inj in self.injections:
                if inj["operationId"] != op_id:
                    continue
                if inj["skip"] > 0:
                    inj["skip"] -= 1
                    return None
                inj["count"] -= 1
                if inj["count"] <= 0:
                    self.injections.remove(inj)
                return inj
        return None

    def ok(self, op_id, additional=None):
        code, msg = SUCCESS[op_id]
        return Answer(envelope(code, msg, additional))

    # -- broker state -------------------------------------------------------------------
    def broker(self, broker):
        b = self.brokers.get(broker)
        if b is None:
            b = self.brokers[broker] = Broker(broker)
            self.seed(b)
        return b

    def seed(self, b):
        rng = random.Random("bctt-seed-%s" % b.broker)
        base = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.timezone.utc).timestamp()
        for i in range(SEED_COUNT):
            created = base + i * 86400 * 0.9 + rng.randint(0, 36000)
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            name = "%s %s %s" % (first, rng.choice(data.LAST_NAMES), last)
            loan = rng.randrange(60000, 450000, 500)
            value = int(round(loan / rng.uniform(0.6, 0.9), -3))
            branch = rng.choice(data.BRANCHES)
            sim = self.new_simulation(b, FIRST_SIMULATION + i, created, {
                "loanAmount": loan, "loanDurationMonths": rng.choice([240, 300, 360, 420, 480]),
                "propertyAmount": value, "productSchemeId": 1, "loanPurposeId": 1, "productPurposeId": 2,
                "keyBorrowerName": name, "keyBorrowerTaxId": data.nif(rng), "branchId": branch["id"]})
            sim["statusID"] = data.SIM_CONVERTED
            status = rng.choice([2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 9])
            p = self.new_process(b, FIRST_PROCESS + i, sim, created + 3600, {
                "keyBorrowerName": name, "keyBorrowerEmail": "%s.%s@example.com" % (
                    data.upper_plain(first).lower(), data.upper_plain(last).lower()),
                "keyBorrowerIdentificationDocTypeId": 1,
                "keyBorrowerIdentificationDocNumber": "%08d" % rng.randint(10000000, 39999999)}, rng=rng)
            p["statusID"] = status
            p["lastActionDate"] = created + 86400 * rng.randint(1, 20)
            p["hasCreditDecision"] = status in (5, 6, 8)
            p["hasInsurance"] = rng.random() < 0.6
            p["ltvReal"] = round(loan / value * 100, 1) if status in (5, 8) else 0
            if status == data.PROC_CONTRACTED:
                p["contractDate"] = p["lastActionDate"]
            if status == 5:
                p["scheduledContractDate"] = p["lastActionDate"] + 86400 * 14
            if i == SEED_COUNT - 1:
                for m in range(SEED_MESSAGES):
                    p["messages"].append({"subject": "Pedido de documentação %d" % (m + 1),
                                          "text": "Mensagem %d do gestor sobre o processo." % (m + 1),
                                          "date": iso(created + 3600 * (m + 2)), "userName": "gestor.bctt"})

    def new_simulation(self, b, number, created, body):
        sid = str(uuid.UUID(int=random.Random("sim-%s-%d" % (b.broker, number)).getrandbits(128), version=4))
        rec = {"simulationUniqueID": sid, "simulationNumber": number, "statusID": data.SIM_DRAFT,
               "creationDate": created, "lastActionDate": created, "fields": {}, "messages": [],
               "processUniqueID": None}
        self.merge_fields(rec["fields"], body)
        b.simulations[sid] = rec
        return rec

    @staticmethod
    def merge_fields(fields, body):
        for k, v in (body or {}).items():
            fields[k] = copy.deepcopy(v)

    def new_process(self, b, number, sim, created, body, rng=None):
        rng = rng or random.Random()
        pid = str(uuid.UUID(int=random.Random("proc-%s-%d" % (b.broker, number)).getrandbits(128), version=4))
        f = sim["fields"]
        branch = f.get("branchId") if describe(data.BRANCHES, f.get("branchId")) else 213
        rec = {"processUniqueID": pid, "processNumber": number, "simulationUniqueID": sim["simulationUniqueID"],
               "simulationNumber": sim["simulationNumber"], "creationDate": created, "lastActionDate": created,
               "branchID": branch, "statusID": data.PROC_IN_CREATION,
               "loan": {k: f[k] for k in ("loanAmount", "loanDurationMonths", "productSchemeId", "loanPurposeId",
                                          "productPurposeId", "hasCrossSelling") if k in f},
               "borrowers": {}, "documents": {}, "messages": [], "notes": [],
               "property": {"propertyUniqueID": str(uuid.UUID(int=rng.getrandbits(128), version=4))},
               "hasCreditDecision": False, "hasInsurance": False, "propertyAmount": f.get("propertyAmount"),
               "keyBorrowerTaxId": f.get("keyBorrowerTaxId")}
        if f.get("propertyAmount") is not None:
            rec["property"]["acquisitionAmount"] = f["propertyAmount"]
        kb = {"borrowerUniqueID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
              "borrowerTypeID": data.KEY_BORROWER}
        for src, dst in (("keyBorrowerName", "name"), ("keyBorrowerEmail", "email"),
                         ("keyBorrowerResidence", "residence"),
                         ("keyBorrowerIdentificationDocTypeId", "identificationDocTypeID"),
                         ("keyBorrowerIdentificationDocNumber", "identificationDocNumber"),
                         ("keyBorrowerIdentificationDocExpirationDate", "identificationDocExpirationDate")):
            if body.get(src) is not None:
                kb[dst] = body[src]
        rec["borrowers"][kb["borrowerUniqueID"]] = kb
        if body.get("borrowerName"):
            other = {"borrowerUniqueID": str(uuid.uuid4()), "borrowerTypeID": 2, "keyBorrowerRelationID": 1}
            for src, dst in (("borrowerName", "name"), ("borrowerEmail", "email"), ("borrowerResidence", "residence"),
                             ("borrowerIdentificationDocTypeId", "identificationDocTypeID"),
                             ("borrowerIdentificationDocNumber", "identificationDocNumber"),
                             ("borrowerIdentificationDocExpirationDate", "identificationDocExpirationDate")):
                if body.get(src) is not None:
                    other[dst] = body[src]
            rec["borrowers"][other["borrowerUniqueID"]] = other
        b.processes[pid] = rec
        return rec

    # -- lookups ------------------------------------------------------------------------
    def process(self, b, request, writable=False, in_creation=False):
        pid = str(request.params.get("processUniqueId") or "").lower()
        p = b.processes.get(pid)
        if p is None:
            raise err(400, "040201", "The process does not exist or does not belong to the broker")
        if in_creation and p["statusID"] != data.PROC_IN_CREATION:
            raise err(400, "040202", "The process is not In Creation (it is %s)"
                      % describe(data.PROCESS_STATES, p["statusID"]))
        if writable and p["statusID"] == data.PROC_CANCELLED:
            raise err(400, "040202", "The process is Cancelled")
        return p

    def simulation(self, b, request):
        sid = str(request.params.get("simulationUniqueId") or "").lower()
        s = b.simulations.get(sid)
        if s is None:
            raise err(400, "040301", "The simulation does not exist or does not belong to the broker")
        return s

    def touch(self, rec):
        rec["lastActionDate"] = self.now()

    # -- views --------------------------------------------------------------------------
    def key_borrower(self, p):
        for x in p["borrowers"].values():
            if x["borrowerTypeID"] == data.KEY_BORROWER:
                return x
        return None

    def borrower_view(self, x):
        out = {"borrowerUniqueID": x["borrowerUniqueID"], "borrowerTypeID": x["borrowerTypeID"],
               "borrowerTypeDescription": describe(data.BORROWER_TYPES, x["borrowerTypeID"])}
        if x.get("keyBorrowerRelationID") is not None:
            out["keyBorrowerRelationID"] = x["keyBorrowerRelationID"]
            out["keyBorrowerRelationDescription"] = describe(data.TAXONOMIES["KeyBorrowerRelationsGet"],
                                                             x["keyBorrowerRelationID"])
        for k, v in x.items():
            if k not in out and k != "keyBorrowerRelationID":
                out[k] = v
        return out

    def document_view(self, d, content=False):
        out = {"documentUniqueID": d["documentUniqueID"], "title": d.get("title"), "fileName": d.get("fileName"),
               "statusID": 2, "statusDescription": describe(data.DOCUMENT_STATUSES, 2)}
        if d.get("typeID") is not None:
            cat = data.DOCUMENT_CATEGORY_OF.get(d["typeID"], 1)
            out.update({"typeID": d["typeID"], "typeDescription": describe(data.DOCUMENT_TYPES, d["typeID"]),
                        "categoryID": cat, "categoryDescription": describe(data.DOCUMENT_CATEGORIES, cat)})
        if d.get("observations") is not None:
            out["observations"] = d["observations"]
        out["isMandatory"] = d.get("typeID") == 924
        if content:
            out["content"] = d["content"]
        return {k: v for k, v in out.items() if v is not None}

    def property_view(self, p):
        prop = p["property"]
        out = {"propertyUniqueID": prop["propertyUniqueID"]}
        for k, v in prop.items():
            if k == "propertyUniqueID":
                continue
            out[response_name(k)] = v
        for key, table in (("districtID", data.DISTRICTS), ("countyID", data.COUNTIES), ("parishID", data.PARISHES),
                           ("typologyID", data.TAXONOMIES["PropertyTypologiesGet"])):
            if out.get(key) is not None:
                out[key[:-2] + "Description"] = describe(table, out[key])
        return out

    def loan_view(self, p):
        loan = {response_name(k): v for k, v in p["loan"].items()}
        amount, months = loan.get("loanAmount"), loan.get("loanDurationMonths")
        if isinstance(amount, (int, float)) and isinstance(months, int) and amount > 0 and months > 0:
            tan = 4.2
            r = tan / 1200
            inst = round(amount * r / (1 - (1 + r) ** -months), 2)
            loan.update({"tan": tan, "taeg": 4.106 if tan == 4.2 else tan, "interestRateTypeID": 1,
                         "interestRateTypeDescription": "FIXED", "indexTypeSubCategoryID": 1,
                         "indexTypeSubCategoryDescription": "FIXED", "indexType": "Fixa 30 anos",
                         "monthlyInstallmentAmount": inst, "mtic": round(inst * months + amount * 0.006 + 510, 2)})
        ltv = self.ltv(p)
        if ltv is not None:
            loan["ltvEstimated"] = ltv
        for key, op in (("productSchemeID", "ProductSchemesGet"), ("loanPurposeID", "LoanPurposesGet"),
                        ("productPurposeID", "ProductPurposesGet")):
            if loan.get(key) is not None:
                loan[key[:-2] + "Description"] = describe(data.TAXONOMIES[op], loan[key])
        return loan

    def process_detail(self, p):
        return {"processUniqueID": p["processUniqueID"], "processNumber": p["processNumber"],
                "simulationUniqueID": p["simulationUniqueID"], "simulationNumber": p["simulationNumber"],
                "creationDate": iso(p["creationDate"]), "lastActionDate": iso(p["lastActionDate"]),
                "branchID": p["branchID"], "branchDescription": describe(data.BRANCHES, p["branchID"]),
                "processStatusID": p["statusID"],
                "processStatusDescription": describe(data.PROCESS_STATES, p["statusID"]),
                "loanProcessDetail": self.loan_view(p),
                "borrowersProcessList": [{k: v for k, v in self.borrower_view(x).items()
                                          if k.startswith(("borrower", "keyBorrower"))}
                                         for x in p["borrowers"].values()],
                "propertyProcessDetail": self.property_view(p),
                "documentsProcessList": [self.document_view(d) for d in p["documents"].values()],
                "notesProcessList": list(p["notes"])}

    def number_form(self, n):
        if self.list_numbers == "number" or (self.list_numbers == "mixed" and n % 2):
            return n
        return str(n)

    def process_item(self, p):
        kb = self.key_borrower(p) or {}
        number = self.number_form(p["processNumber"])
        fix = (lambda v: v if isinstance(number, int) else str(v))
        out = {"processUniqueId": p["processUniqueID"], "processNumber": number,
               "keyBorrowerName": kb.get("name"), "keyBorrowerTaxId": p.get("keyBorrowerTaxId"),
               "loanAmount": p["loan"].get("loanAmount"), "lastActionDate": iso(p["lastActionDate"]),
               "processStatusId": fix(p["statusID"]),
               "processStatusDescription": describe(data.PROCESS_STATES, p["statusID"]),
               "hasCreditDecision": p["hasCreditDecision"], "branchId": fix(p["branchID"]),
               "branchDescription": describe(data.BRANCHES, p["branchID"]),
               "propertyAmount": p.get("propertyAmount"), "simulationUniqueId": p["simulationUniqueID"],
               "simulationNumber": fix(p["simulationNumber"]), "hasInsurance": p["hasInsurance"],
               "ltvEstimated": self.ltv(p), "ltvReal": p.get("ltvReal", 0)}
        if p.get("contractDate"):
            out["contractDate"] = iso(p["contractDate"])
        if p.get("scheduledContractDate"):
            out["scheduledContractDate"] = iso(p["scheduledContractDate"])
        return {k: v for k, v in out.items() if v is not None}

    @staticmethod
    def ltv(p):
        loan, value = p["loan"].get("loanAmount"), p.get("propertyAmount")
        if isinstance(loan, (int, float)) and isinstance(value, (int, float)) and value:
            return round(loan / value * 100, 1)
        return None

    def simulation_item(self, s):
        """A SimulationList item (numbers as strings, like the Process List items)."""
        f = s["fields"]
        fix = (lambda v: v) if self.number_form(s["simulationNumber"]) == s["simulationNumber"] else str
        branch = f.get("branchId") if describe(data.BRANCHES, f.get("branchId")) else None
        out = {"simulationUniqueId": s["simulationUniqueID"], "simulationNumber": fix(s["simulationNumber"]),
               "keyBorrowerName": f.get("keyBorrowerName"), "keyBorrowerTaxId": f.get("keyBorrowerTaxId"),
               "loanAmount": f.get("loanAmount"), "simulationStatusId": fix(s["statusID"]),
               "simulationStatusDescription": describe(data.SIMULATION_STATES, s["statusID"]),
               "statusLastDate": iso(s["lastActionDate"]),
               "branchId": None if branch is None else fix(branch),
               "branchDescription": describe(data.BRANCHES, branch)}
        return {k: v for k, v in out.items() if v is not None}

    def simulation_view(self, s):
        """SimulationDetail: the loan data entered, figures computed from it, default borrower,
        property, insurance and bank charges."""
        f = s["fields"]
        loan = self.loan_view({"loan": {k: v for k, v in f.items() if k not in ("branchId", "propertyAmount")
                                        and not k.startswith("keyBorrower")}, "propertyAmount": f.get("propertyAmount")})
        amount = f.get("loanAmount") if isinstance(f.get("loanAmount"), (int, float)) else 0
        charges = [round(amount * 0.006, 2), 230.0, 280.0]  # stamp duty 0.6 %, evaluation, dossier
        out = {"simulationUniqueID": s["simulationUniqueID"], "simulationNumber": s["simulationNumber"],
               "creationDate": iso(s["creationDate"]), "simulationStatusID": s["statusID"],
               "simulationStatusDescription": describe(data.SIMULATION_STATES, s["statusID"]),
               "loanSimulationDetail": loan,
               "borrowersSimulationList": [{"borrowerTypeID": data.KEY_BORROWER,
                                            "borrowerTypeDescription": describe(data.BORROWER_TYPES, 1)}],
               "propertySimulationDetail": {k: v for k, v in {"estimatedValue": f.get("propertyAmount")}.items()
                                            if v is not None},
               "insuranceSimulationList": [{"type": "Vida", "monthlyCost": round(amount * 0.00018, 2)},
                                           {"type": "Multirriscos", "monthlyCost": 21.35}],
               "bankChargesSimulationList": [{"amount": a} for a in charges],
               "lastActionDate": iso(s["lastActionDate"])}
        if s.get("processUniqueID"):
            out["processUniqueID"] = s["processUniqueID"]
        return out

    # -- pagination helpers --------------------------------------------------------------
    def int_param(self, request, name, default, lo=1, hi=MAX_PAGE):
        v = request.params.get(name)
        if v is None or v == "":
            return default
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise err(400, "041502", "%s must be an integer from %d to %d" % (name, lo, hi))
        return v

    def keyset(self, request, records, key):
        """(page, hasMore) of records (ordered) by lineCount / nextRecord / previousRecord."""
        n = self.int_param(request, "lineCount", 20)
        ids = [r[key] for r in records]
        nxt, prev = request.params.get("nextRecord"), request.params.get("previousRecord")
        if nxt not in (None, ""):
            try:
                i = ids.index(str(nxt).lower()) + 1
            except ValueError:
                raise err(400, "041501", "nextRecord %r is not a record of this list" % nxt)
            page = records[i:i + n]
            return page, i + n < len(records)
        if prev not in (None, ""):
            try:
                j = ids.index(str(prev).lower())
            except ValueError:
                raise err(400, "041501", "previousRecord %r is not a record of this list" % prev)
            page = records[max(0, j - n):j]
            return page, True
        return records[:n], n < len(records)

    def paged(self, request, items, member):
        num = self.int_param(request, "pageNumber", 1, 1, 10**6)
        size = self.int_param(request, "pageSize", 20)
        page = items[(num - 1) * size: num * size]
        return {"totalCount": len(items), "count": len(page), member: page}

    # -- authentication -----------------------------------------------------------------
    def op_login(self, request):
        broker = request.headers.get("xBrokerUID").strip()
        user = request.headers.get("xUsername").strip()
        now = self.now()
        payload = {"sub": user, "brokerUID": broker, "iat": int(now), "jti": str(uuid.uuid4())}
        token = ".".join([b64url(b'{"alg":"HS256","typ":"JWT"}'),
                          b64url(json.dumps(payload, separators=(",", ":")).encode()),
                          b64url(secrets.token_bytes(32))])
        with self.lock:
            self.sessions[token] = {"broker": broker, "user": user, "created": now, "lastUsed": now,
                                    "expired": False, "requests": 0}
            self.logins += 1
            key = "%s:%s" % (broker, user)
            self.logins_by_user[key] = self.logins_by_user.get(key, 0) + 1
            shape = self.auth_answer
        return Answer(token if shape == "string" else {"sessionToken": token})

    # -- taxonomies ---------------------------------------------------------------------
    def op_taxonomy(self, op_id, request):
        self.check_session_of(request)
        if op_id in data.TAXONOMIES:
            return Answer([tax_item(x) for x in data.TAXONOMIES[op_id]])
        rows, parent, qnames, child_key, children, child_parent = NESTED[op_id]
        want = None
        for q in qnames:
            if request.params.get(q) not in (None, ""):
                want = request.params[q]
        out = []
        for x in rows:
            if want is not None and x.get(parent) != want:
                continue
            item = tax_item(x)
            if child_key:
                item[child_key] = [tax_item(c) for c in children if c[child_parent] == x["id"]]
            out.append(item)
        return Answer(out)

    def op_NotificationTypesGet(self, request, b, session):
        return Answer(self.paged(request, [tax_item(x) for x in data.NOTIFICATION_TYPES], "notificationTypes"))

    # -- simulations --------------------------------------------------------------------
    def op_SimulationCreate(self, request, b, session):
        body = request.body if isinstance(request.body, dict) else {}
        s = self.new_simulation(b, b.next_simulation, self.now(), body)
        b.next_simulation += 1
        s["user"] = session["user"]
        return self.ok("SimulationCreate", {"simulationUniqueID": s["simulationUniqueID"],
                                            "simulationNumber": s["simulationNumber"]})

    def op_SimulationDetail(self, request, b, session):
        return Answer(self.simulation_view(self.simulation(b, request)))

    def op_SimulationList(self, request, b, session):
        text = str(request.params.get("filterByText") or "").lower()
        status = request.params.get("filterSimulationStatus")
        dfrom, dto = request.params.get("filterStatusLastDateFrom"), request.params.get("filterStatusLastDateTo")
        rows = []
        for s in sorted(b.simulations.values(), key=lambda s: -s["simulationNumber"]):
            f = s["fields"]
            if text and not any(text in str(v).lower() for v in (
                    f.get("keyBorrowerName"), f.get("keyBorrowerTaxId"), s["simulationNumber"],
                    describe(data.BRANCHES, f.get("branchId")))):
                continue
            if status not in (None, "") and s["statusID"] != status:
                continue
            if dfrom and iso(s["lastActionDate"]) < str(dfrom)[:10]:
                continue
            if dto and iso(s["lastActionDate"])[:10] > str(dto)[:10]:
                continue
            rows.append(s)
        page, more = self.keyset(request, rows, "simulationUniqueID")
        return Answer({"totalRecords": len(rows), "hasMoreResults": more,
                       self.list_member("SimulationList", "listSimulationDetail"):
                           [self.simulation_item(s) for s in page]})

    def editable_simulation(self, b, request):
        s = self.simulation(b, request)
        if s["statusID"] not in (data.SIM_DRAFT, data.SIM_VALIDATED):
            raise err(400, "040302", "The simulation is %s" % describe(data.SIMULATION_STATES, s["statusID"]))
        return s

    def op_SimulationUpdate(self, request, b, session):
        s = self.editable_simulation(b, request)
        self.merge_fields(s["fields"], request.body if isinstance(request.body, dict) else {})
        s["statusID"] = data.SIM_DRAFT
        self.touch(s)
        return self.ok("SimulationUpdate")

    def op_SimulationValidate(self, request, b, session):
        s = self.editable_simulation(b, request)
        f = s["fields"]
        amount, months = f.get("loanAmount"), f.get("loanDurationMonths")
        if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount <= 0:
            raise err(400, "040102", "loanAmount: a positive amount is required to validate the simulation")
        if months is not None and (not isinstance(months, int) or not 12 <= months <= 600):
            raise err(400, "040103", "loanDurationMonths: must be from 12 to 600")
        s["statusID"] = data.SIM_VALIDATED
        self.touch(s)
        self.auto_notify(b, data.NOTIFY_SIMULATION_STATUS, "simulationUniqueId", s)
        return self.ok("SimulationValidate")

    def op_SimulationCancel(self, request, b, session):
        s = self.editable_simulation(b, request)
        s["statusID"] = data.SIM_CANCELLED
        s["cancel"] = request.body if isinstance(request.body, dict) else None
        self.touch(s)
        self.auto_notify(b, data.NOTIFY_SIMULATION_STATUS, "simulationUniqueId", s)
        return self.ok("SimulationCancel")

    def op_SimulationESISGet(self, request, b, session):
        s = self.simulation(b, request)
        return Answer({"esis": self.esis(b, "Simulação n.º %d" % s["simulationNumber"], s["fields"])})

    def op_SimulationESISEmail(self, request, b, session):
        s = self.simulation(b, request)
        return self.esis_email(request, b, "simulation", s["simulationUniqueID"], "SimulationESISEmail")

    def op_SimulationsMessageList(self, request, b, session):
        s = self.simulation(b, request)
        return Answer(self.paged(request, list(s["messages"]), self.list_member("SimulationsMessageList", "messages")))

    def op_SimulationsMessageCreate(self, request, b, session):
        s = self.simulation(b, request)
        self.add_message(request, session, s["messages"])
        self.touch(s)
        return self.ok("SimulationsMessageCreate")

    # -- processes ----------------------------------------------------------------------
    def op_ProcessCreate(self, request, b, session):
        body = request.body if isinstance(request.body, dict) else {}
        for k in ("simulationUniqueId", "keyBorrowerEmail", "keyBorrowerName", "keyBorrowerIdentificationDocNumber"):
            if not isinstance(body.get(k), str) or not body[k].strip():
                raise err(400, "040102", "%s is required" % k)
        if not isinstance(body.get("keyBorrowerIdentificationDocTypeId"), int):
            raise err(400, "040102", "keyBorrowerIdentificationDocTypeId is required")
        s = b.simulations.get(body["simulationUniqueId"].lower())
        if s is None:
            raise err(400, "040301", "The simulation does not exist or does not belong to the broker")
        if s["statusID"] != data.SIM_VALIDATED:
            raise err(400, "040302", "The simulation must be Validated to create a process (it is %s)"
                      % describe(data.SIMULATION_STATES, s["statusID"]))
        p = self.new_process(b, b.next_process, s, self.now(), body)
        b.next_process += 1
        p["user"] = session["user"]
        s["statusID"] = data.SIM_CONVERTED
        s["processUniqueID"] = p["processUniqueID"]
        self.touch(s)
        return self.ok("ProcessCreate", {"processUniqueID": p["processUniqueID"], "processNumber": p["processNumber"]})

    def op_ProcessDetail(self, request, b, session):
        return Answer(self.process_detail(self.process(b, request)))

    def op_ProcessUpdate(self, request, b, session):
        p = self.process(b, request, in_creation=True)
        body = request.body if isinstance(request.body, dict) else {}
        if "branchId" in body:
            if describe(data.BRANCHES, body["branchId"]) is None:
                raise err(400, "040103", "branchId: unknown branch")
            p["branchID"] = body["branchId"]
        for k, v in body.items():
            if k != "branchId":
                p["loan"][k] = v
        self.touch(p)
        return self.ok("ProcessUpdate")

    def op_ProcessList(self, request, b, session):
        text = str(request.params.get("filterByText") or "").lower()
        status = request.params.get("filterProcessStatusId")
        credit = request.params.get("filterHasCreditDecisionId")
        dfrom, dto = request.params.get("filterContractDateStart"), request.params.get("filterContractDateTo")
        rows = []
        for p in sorted(b.processes.values(), key=lambda p: -p["processNumber"]):
            kb = self.key_borrower(p) or {}
            if text and not any(text in str(v).lower() for v in (
                    kb.get("name"), p.get("keyBorrowerTaxId"), p["processNumber"],
                    describe(data.BRANCHES, p["branchID"]))):
                continue
            if status not in (None, "") and p["statusID"] != status:
                continue
            if credit not in (None, "") and bool(credit) != p["hasCreditDecision"]:
                continue
            if (dfrom or dto) and not p.get("contractDate"):
                continue
            if dfrom and iso(p["contractDate"]) < str(dfrom)[:10]:
                continue
            if dto and iso(p["contractDate"])[:10] > str(dto)[:10]:
                continue
            rows.append(p)
        page, more = self.keyset(request, rows, "processUniqueID")
        return Answer({"totalRecords": len(rows), "hasMoreResults": more,
                       "listProcessDetail": [self.process_item(p) for p in page]})

    def op_ProcessSubmit(self, request, b, session):
        p = self.process(b, request, in_creation=True)
        if self.key_borrower(p) is None:
            raise err(400, "040802", "The process has no KeyBorrower")
        if not p["documents"]:
            raise err(400, "040801", "The process has no document")
        p["statusID"] = data.PROC_IN_REVIEW
        self.touch(p)
        self.auto_notify(b, data.NOTIFY_PROCESS_STATUS, "processUniqueId", p)
        return self.ok("ProcessSubmit")

    def op_ProcessCancel(self, request, b, session):
        p = self.process(b, request, in_creation=True)
        body = request.body if isinstance(request.body, dict) else {}
        reason = body.get("processCancelReasonID")
        if not isinstance(reason, int) or isinstance(reason, bool):
            raise err(400, "040701", "processCancelReasonID is required")
        if describe(data.TAXONOMIES["ProposalCancelReasonsGet"], reason) is None:
            raise err(400, "040701", "processCancelReasonID %d is not a Proposal Cancel Reason" % reason)
        p["statusID"] = data.PROC_CANCELLED
        p["cancelReasonID"] = reason
        p["notes"].append({"comment": "Cancelled: %s" % describe(data.TAXONOMIES["ProposalCancelReasonsGet"], reason),
                           "date": iso(self.now()), "userName": session["user"]})
        self.touch(p)
        self.auto_notify(b, data.NOTIFY_PROCESS_STATUS, "processUniqueId", p)
        return self.ok("ProcessCancel")

    # borrowers
    def borrower(self, p, request):
        x = p["borrowers"].get(str(request.params.get("borrowerUniqueId") or "").lower())
        if x is None:
            raise err(400, "040401", "The borrower does not belong to the process")
        return x

    def borrower_fields(self, x, body):
        for k, v in body.items():
            x[response_name(k)] = copy.deepcopy(v)
        rel = x.get("keyBorrowerRelationID")
        if rel is not None and describe(data.TAXONOMIES["KeyBorrowerRelationsGet"], rel) is None:
            raise err(400, "040103", "keyBorrowerRelationId: unknown relation")
        if describe(data.BORROWER_TYPES, x.get("borrowerTypeID")) is None:
            raise err(400, "040103", "borrowerTypeId: unknown borrower type")

    def op_BorrowerList(self, request, b, session):
        p = self.process(b, request)
        items = [self.borrower_view(x) for x in p["borrowers"].values()]
        member = self.list_member("BorrowerList", None)
        return Answer({member: items} if member else items)

    def op_BorrowerGet(self, request, b, session):
        return Answer(self.borrower_view(self.borrower(self.process(b, request), request)))

    def op_BorrowerCreate(self, request, b, session):
        p = self.process(b, request, writable=True)
        body = request.body if isinstance(request.body, dict) else {}
        x = {"borrowerUniqueID": str(uuid.uuid4()), "borrowerTypeID": 2}
        self.borrower_fields(x, body)
        if x["borrowerTypeID"] == data.KEY_BORROWER and self.key_borrower(p) is not None:
            raise err(400, "040103", "borrowerTypeId: the process already has a KeyBorrower")
        p["borrowers"][x["borrowerUniqueID"]] = x
        self.touch(p)
        return self.ok("BorrowerCreate", {"borrowerUniqueID": x["borrowerUniqueID"]})

    def op_BorrowerUpdate(self, request, b, session):
        p = self.process(b, request, writable=True)
        x = self.borrower(p, request)
        before = copy.deepcopy(x)
        try:
            self.borrower_fields(x, request.body if isinstance(request.body, dict) else {})
            if before["borrowerTypeID"] == data.KEY_BORROWER and x["borrowerTypeID"] != data.KEY_BORROWER:
                raise err(400, "040103", "borrowerTypeId: the KeyBorrower stays the KeyBorrower")
            if before["borrowerTypeID"] != data.KEY_BORROWER and x["borrowerTypeID"] == data.KEY_BORROWER:
                raise err(400, "040103", "borrowerTypeId: the process already has a KeyBorrower")
        except MockError:
            x.clear()
            x.update(before)
            raise
        self.touch(p)
        return self.ok("BorrowerUpdate")

    def op_BorrowerDelete(self, request, b, session):
        p = self.process(b, request, writable=True)
        x = self.borrower(p, request)
        if x["borrowerTypeID"] == data.KEY_BORROWER:
            raise err(400, "040402", "The KeyBorrower cannot be deleted")
        del p["borrowers"][x["borrowerUniqueID"]]
        self.touch(p)
        return self.ok("BorrowerDelete")

    # documents
    def document(self, p, request):
        d = p["documents"].get(str(request.params.get("documentUniqueId") or "").lower())
        if d is None:
            raise err(400, "040501", "The document does not belong to the process")
        return d

    def document_fields(self, d, body, creating):
        if "documentContent" in body or creating:
            text = body.get("documentContent")
            if not isinstance(text, str) or not text.strip():
                raise err(400, "040102", "documentContent is required")
            try:
                raw = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
            except (binascii.Error, ValueError):
                raise err(400, "040502", "documentContent is not Base64")
            d["content"] = base64.b64encode(raw).decode("ascii")
            d["size"] = len(raw)
        if "documentTypeID" in body or "documentTypeId" in body:
            t = body.get("documentTypeID", body.get("documentTypeId"))
            if describe(data.DOCUMENT_TYPES, t) is None:
                raise err(400, "040103", "documentTypeID: unknown document type")
            d["typeID"] = t
        for src, dst in (("documentTitle", "title"), ("title", "title"), ("fileName", "fileName"),
                         ("documentObservations", "observations"), ("observations", "observations")):
            if src in body:
                d[dst] = body[src]
        if creating and not d.get("fileName"):
            raise err(400, "040102", "fileName is required")

    def op_DocumentList(self, request, b, session):
        p = self.process(b, request)
        items = [self.document_view(d) for d in p["documents"].values()]
        member = self.list_member("DocumentList", None)
        return Answer({member: items} if member else items)

    def op_DocumentGet(self, request, b, session):
        return Answer(self.document_view(self.document(self.process(b, request), request), content=True))

    def op_DocumentCreate(self, request, b, session):
        p = self.process(b, request, writable=True)
        d = {"documentUniqueID": str(uuid.uuid4())}
        self.document_fields(d, request.body if isinstance(request.body, dict) else {}, True)
        d.setdefault("title", d["fileName"])
        p["documents"][d["documentUniqueID"]] = d
        self.touch(p)
        return self.ok("DocumentCreate", {"documentUniqueID": d["documentUniqueID"]})

    def op_DocumentUpdate(self, request, b, session):
        p = self.process(b, request, writable=True)
        d = self.document(p, request)
        new = copy.deepcopy(d)
        self.document_fields(new, request.body if isinstance(request.body, dict) else {}, False)
        d.update(new)
        self.touch(p)
        return self.ok("DocumentUpdate")

    def op_DocumentDelete(self, request, b, session):
        p = self.process(b, request, writable=True)
        d = self.document(p, request)
        del p["documents"][d["documentUniqueID"]]
        self.touch(p)
        return self.ok("DocumentDelete")

    # property
    def op_PropertyList(self, request, b, session):
        return Answer(self.property_view(self.process(b, request)))

    def op_PropertyUpdate(self, request, b, session):
        p = self.process(b, request, writable=True)
        if str(request.params.get("propertyUniqueId") or "").lower() != p["property"]["propertyUniqueID"]:
            raise err(400, "040601", "The property does not belong to the process")
        body = request.body if isinstance(request.body, dict) else {}
        for key, table in (("districtId", data.DISTRICTS), ("countyId", data.COUNTIES), ("parishId", data.PARISHES)):
            if body.get(key) is not None and describe(table, body[key]) is None:
                raise err(400, "040103", "%s: unknown %s" % (key, key[:-2]))
        for k, v in body.items():
            p["property"][k] = copy.deepcopy(v)
        self.touch(p)
        return self.ok("PropertyUpdate")

    # messages
    def add_message(self, request, session, messages):
        body = request.body if isinstance(request.body, dict) else {}
        if not isinstance(body.get("text"), str) or not body["text"].strip():
            raise err(400, "040102", "text is required")
        message = {"subject": body.get("subject"), "text": body["text"], "date": iso(self.now()),
                   "userName": session["user"]}
        messages.insert(0, {k: v for k, v in message.items() if v is not None})  # no subject: absent, not null

    def op_ProcessesMessageList(self, request, b, session):
        p = self.process(b, request)
        return Answer(self.paged(request, list(p["messages"]), self.list_member("ProcessesMessageList", "messages")))

    def op_ProcessesMessageCreate(self, request, b, session):
        p = self.process(b, request, writable=True)
        self.add_message(request, session, p["messages"])
        self.touch(p)
        return self.ok("ProcessesMessageCreate")

    # ESIS
    def esis(self, b, title, fields):
        lines = ["FINE - Ficha de Informação Normalizada Europeia (ESIS)", "Banco CTT - Portal de Parceiros (mock)",
                 title, "Intermediário de crédito: %s" % b.broker]
        for k in ("loanAmount", "loanDurationMonths", "propertyAmount"):
            if fields.get(k) is not None:
                lines.append("%s: %s" % (k, fields[k]))
        return base64.b64encode(data.make_pdf(lines)).decode("ascii")

    def op_ProcessESISGet(self, request, b, session):
        p = self.process(b, request)
        return Answer({"esis": self.esis(b, "Processo n.º %d" % p["processNumber"], p["loan"])})

    def esis_email(self, request, b, kind, ident, op_id):
        addr = str(request.params.get("sendAddress") or "").strip()
        if not EMAIL_RE.match(addr):
            raise err(400, "040901", "sendAddress is not an e-mail address")
        self.esis_emails.append({"broker": b.broker, "kind": kind, "id": ident, "sendAddress": addr,
                                 "ignoreRules": request.params.get("ignoreRules"), "date": iso(self.now())})
        return self.ok(op_id)

    def op_ProcessESISEmail(self, request, b, session):
        p = self.process(b, request)
        return self.esis_email(request, b, "process", p["processUniqueID"], "ProcessESISEmail")

    # -- callbacks ----------------------------------------------------------------------
    def partner(self, b, request):
        if str(request.params.get("partnerUniqueID") or "").lower() != b.partner:
            raise err(400, "041301", "The partner does not exist or is not the caller's")

    def notification_type(self, value):
        if describe(data.NOTIFICATION_TYPES, value) is None:
            raise err(400, "041101", "Unsupported notification type %r" % (value,))
        return value

    def callback_url_member(self, body):
        for k in ("callbackUrl", "callbackURL", "url", "URL", "endpoint"):
            if isinstance(body.get(k), str):
                return k, body[k]
        for k, v in body.items():
            if isinstance(v, str) and "url" in k.lower():
                return k, v
        return None, None

    def op_CallbackUpdate(self, request, b, session):
        self.partner(b, request)
        nt = self.notification_type(request.params.get("notificationType"))
        body = request.body if isinstance(request.body, dict) else {}
        key, url = self.callback_url_member(body)
        if url is None:
            raise err(400, "040102", "callbackUrl is required")
        if not url.lower().startswith("https://"):
            try:
                webhooks.check_url(url)
            except MockError:
                raise err(400, "041401", "The callback URL must be HTTPS (the mock also accepts "
                                         "http://127.0.0.1 / localhost for tests)")
        b.callbacks[nt] = {"notificationType": nt, key: url}
        return self.ok("CallbackUpdate")

    def op_CallbackList(self, request, b, session):
        self.partner(b, request)
        off = self.int_param(request, "offset", 0, 0, 10**6)
        lim = self.int_param(request, "limit", 20)
        rows = [copy.deepcopy(b.callbacks[k]) for k in sorted(b.callbacks)]
        return Answer({"totalCount": len(rows), self.list_member("CallbackList", "callbacks"): rows[off:off + lim]})

    def op_CallbackDelete(self, request, b, session):
        self.partner(b, request)
        nt = request.params.get("notificationType")
        if nt not in b.callbacks:
            raise err(404, "031101", "No callback configuration for notification type %r" % (nt,))
        del b.callbacks[nt]
        return self.ok("CallbackDelete")

    def op_CallbackEcho(self, request, b, session):
        self.partner(b, request)
        body = request.body if isinstance(request.body, dict) else {}
        rec = self.notification(b, body)
        self.lock.release()  # never hold the lock while POSTing (the receiver may call the mock)
        try:
            self.deliver(rec)
        finally:
            self.lock.acquire()
        return self.ok("CallbackEcho", {"delivered": rec["delivered"], "attempts": len(rec["attempts"]),
                                        "lastStatus": rec["attempts"][-1]["status"] if rec["attempts"] else None})

    def notification(self, b, body):
        """A delivery record for body {notificationTypeID, processUniqueId xor simulationUniqueId, rawBody}."""
        nt = body.get("notificationTypeID")
        if not isinstance(nt, int) or isinstance(nt, bool):
            raise err(400, "040102", "notificationTypeID is required")
        self.notification_type(nt)
        has_p, has_s = body.get("processUniqueId") is not None, body.get("simulationUniqueId") is not None
        if has_p == has_s:
            raise err(400, "041201", "Exactly one of processUniqueId or simulationUniqueId is required (%s given)"
                      % ("both" if has_p else "neither"))
        cb = b.callbacks.get(nt)
        if cb is None:
            raise err(400, "041102", "No callback registered for notification type %d" % nt)
        _, url = self.callback_url_member(cb)
        event = {"notificationTypeID": nt}
        event["processUniqueId" if has_p else "simulationUniqueId"] = body["processUniqueId" if has_p else
                                                                           "simulationUniqueId"]
        event["rawBody"] = copy.deepcopy(body.get("rawBody") if body.get("rawBody") is not None else {})
        rec = {"broker": b.broker, "url": url, "event": event, "attempts": [], "delivered": False,
               "date": iso(self.now())}
        self.deliveries.append(rec)
        del self.deliveries[:-200]
        return rec

    def deliver(self, rec):
        schema = None
        hooks = self.api.data.get("webhooks") or {}
        for item in hooks.values():
            post = (self.api.doc.deref(item) or {}).get("post") or {}
            for media in ((self.api.doc.deref(post.get("requestBody")) or {}).get("content") or {}).values():
                schema = (self.api.doc.deref(media) or {}).get("schema")
        if not rec["url"].lower().startswith("http://"):
            with self.lock:
                rec["attempts"].append({"status": None, "error": "not delivered: the mock only delivers to "
                                                                 "http://127.0.0.1 / localhost"})
            return rec
        with self.lock:
            attempts = self.callback_attempts
        for _ in range(attempts):
            status, error = webhooks.post(self.server, self.api, rec["url"], rec["event"], schema)
            with self.lock:
                rec["attempts"].append({"status": status, "error": error})
                if status is not None and 200 <= status < 300:
                    rec["delivered"] = True
                    break
        return rec

    def auto_notify(self, b, nt, id_member, rec):
        if nt not in b.callbacks:
            return
        kind = "process" if id_member == "processUniqueId" else "simulation"
        table = data.PROCESS_STATES if kind == "process" else data.SIMULATION_STATES
        n = self.notification(b, {"notificationTypeID": nt, id_member: rec[kind + "UniqueID"],
                                  "rawBody": {kind + "StatusID": rec["statusID"],
                                              kind + "StatusDescription": describe(table, rec["statusID"])}})
        threading.Thread(target=self.deliver, args=(n,), daemon=True).start()

    # -- spec helpers -------------------------------------------------------------------
    def list_member(self, op_id, default):
        """The member of op's 200 body holding its items (x-pontes-pagination items, else the only array
        member), or default; None when the body is the array."""
        op = self.api.by_id.get(op_id)
        if op is None:
            return default
        pg = op.op.get("x-pontes-pagination")
        if isinstance(pg, dict) and pg.get("items"):
            return None if pg["items"] == "$" else pg["items"]
        _, resp = op.success_response()
        for media in (resp.get("content") or {}).values():
            schema = (self.api.doc.deref(media) or {}).get("schema") or {}
            while isinstance(schema, dict) and "$ref" in schema:
                schema = self.api.doc.pointer(schema["$ref"])
            if not isinstance(schema, dict):
                break
            if schema.get("type") == "array":
                return None
            arrays = [k for k, v in (schema.get("properties") or {}).items()
                      if isinstance(v, dict) and (v.get("type") == "array" or "items" in v)]
            if len(arrays) == 1:
                return arrays[0]
        return default

    # -- admin --------------------------------------------------------------------------
    def admin(self, method, path, body):
        if not path.startswith(ADMIN):
            return None
        name = path[len(ADMIN):]
        if method == "GET" and name == "state":
            return Answer(self.dump(), 200)
        if method == "GET" and name == "clock":
            with self.lock:
                return Answer({"now": iso(self.now()), "epoch": self.now(), "offset": self.offset}, 200)
        if method != "POST":
            raise MockError(405, {"error": "method_not_allowed", "message": "use POST"}, {"Allow": "POST"})
        req = admin_json(body)
        try:
            return self.admin_post(name, req)
        except (TypeError, ValueError, AttributeError, KeyError) as e:
            raise MockError(400, {"error": "bad_request", "message": "bad admin value: %s" % e})

    def admin_post(self, name, req):
        with self.lock:
            if name == "config":
                if "auth_answer" in req:
                    if req["auth_answer"] not in ("object", "string"):
                        raise ValueError("auth_answer must be object or string")
                    self.auth_answer = req["auth_answer"]
                if "idle_timeout" in req:
                    self.idle_timeout = float(req["idle_timeout"])
                if "list_numbers" in req:
                    if req["list_numbers"] not in ("string", "number", "mixed"):
                        raise ValueError("list_numbers must be string, number or mixed")
                    self.list_numbers = req["list_numbers"]
                if "disabled_brokers" in req:
                    self.disabled_brokers = set(map(str, req["disabled_brokers"]))
                if "disabled_users" in req:
                    self.disabled_users = {str(u).lower() for u in req["disabled_users"]}
                if "callback_attempts" in req:
                    self.callback_attempts = max(1, int(req["callback_attempts"]))
                return Answer(self.config_view(), 200)
            if name == "clock":
                if "advance" in req:
                    self.offset += float(req["advance"])
                if "set_offset" in req:
                    self.offset = float(req["set_offset"])
                return Answer({"now": iso(self.now()), "epoch": self.now(), "offset": self.offset}, 200)
            if name == "expire-session":
                if req.get("token"):
                    s = self.sessions.get(str(req["token"]))
                    if s is None:
                        raise MockError(404, {"error": "not_found", "message": "unknown session token"})
                    s["expired"] = True
                    return Answer({"expired": 1}, 200)
                return Answer({"expired": self.expire_tokens()}, 200)
            if name == "fail":
                if req.get("clear"):
                    self.injections = []
                    return Answer({"injections": []}, 200)
                op_id = str(req["operationId"])
                if op_id not in self.api.by_id:
                    raise MockError(400, {"error": "bad_request", "message": "unknown operationId %r" % op_id})
                empty = bool(req.get("empty", False))
                status = int(req.get("status", 200 if empty else 500))
                if empty and not 200 <= status < 300:
                    raise ValueError("empty needs a 2xx status")
                if not 200 <= status < 600:
                    raise ValueError("status must be an HTTP status")
                self.injections.append({"operationId": op_id, "status": status, "count": int(req.get("count", 1)),
                                        "skip": int(req.get("skip", 0)), "empty": empty, "body": req.get("body")})
                return Answer({"injections": copy.deepcopy(self.injections)}, 200)
            if name == "notify":
                b = self.broker(str(req.get("broker") or next(iter(self.users))))
                rec = self.notification(b, req)
        if name == "notify":
            self.deliver(rec)
            return Answer(copy.deepcopy(rec), 200)
        raise MockError(404, {"error": "not_found", "message": "unknown admin endpoint %s" % name})

    def dump(self):
        with self.lock:
            now = self.now()
            return {
                "api": self.api_key, "config": self.config_view(),
                "clock": {"now": iso(now), "epoch": now, "offset": self.offset},
                "logins": self.logins, "loginsByUser": dict(self.logins_by_user), "failedLogins": self.failed_logins,
                "sessions": [{"broker": s["broker"], "user": s["user"], "idleSeconds": now - s["lastUsed"],
                              "requests": s["requests"], "expired": s["expired"] or now - s["lastUsed"] >= self.idle_timeout,
                              "tokenTail": t[-8:]} for t, s in self.sessions.items()],
                "partners": {b: str(uuid.uuid5(PARTNER_NS, "bctt-partner:%s" % b)) for b in self.users},
                "esisEmails": copy.deepcopy(self.esis_emails),
                "deliveries": copy.deepcopy(self.deliveries),
                "injections": copy.deepcopy(self.injections),
                "brokers": {k: {"processes": len(b.processes), "simulations": len(b.simulations),
                                "callbacks": sorted(b.callbacks)} for k, b in self.brokers.items()},
            }
