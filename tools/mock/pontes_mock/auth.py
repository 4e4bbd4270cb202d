"""Authentication against the documented security schemes.

The OAuth2 client-credentials token endpoint (a path ending in /oauth2/token, or a flow's
tokenUrl) checks HTTP Basic client credentials (--client-id / --client-secret) and issues
opaque bearer tokens with the requested scopes, valid --token-ttl seconds.  Operations are
authenticated against their ``security`` requirements: bearer (oauth2, openIdConnect,
http bearer; scopes checked for oauth2), http basic (the client credentials), apiKey
(present in its header / query / cookie).  Unknown scheme types are not enforced.
"""

import base64
import secrets
import threading
import time
import urllib.parse

from .errors import MockError, correlation_id


class Tokens:
    """The access tokens issued so far (shared by every API the server serves)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.tokens = {}

    def clear(self):
        with self.lock:
            self.tokens.clear()

    def expire_all(self):
        with self.lock:
            n = len(self.tokens)
            for tok in self.tokens:
                self.tokens[tok]["expires"] = 0
        return n

    def issue(self, scopes, ttl):
        token = secrets.token_urlsafe(32)
        with self.lock:
            now = time.time()
            for t in [t for t, v in self.tokens.items() if v["expires"] < now - 3600]:
                del self.tokens[t]
            self.tokens[token] = {"expires": now + ttl, "scopes": set(scopes)}
        return token

    def check(self, token, scopes, check_scopes):
        """False if unknown or expired; MockError 403 if a required scope is missing."""
        with self.lock:
            tok = self.tokens.get(token)
            if tok is None or tok["expires"] <= time.time():
                return False
            if scopes and check_scopes and not set(scopes) <= tok["scopes"]:
                raise MockError(403, {
                    "code": "MISSING_RESOURCE_PERMISSION",
                    "message": "Acesso negado. Você não possui o nível de permissão necessário "
                               "para acessar este recurso",
                    "details": {"permissionType": "Scope", "resource": " ".join(scopes)},
                    "correlationId": correlation_id()})
        return True


def basic_credentials(opts):
    return base64.b64encode(("%s:%s" % (opts.client_id, opts.client_secret))
                            .encode("utf-8")).decode("ascii")


def token_endpoint(server, op, headers, body):
    """Returns the token response body; raises MockError for a refused request."""
    auth = headers.get("Authorization") or ""
    expected = basic_credentials(server.opts)
    scheme, _, cred = auth.partition(" ")
    if scheme.lower() != "basic" or not secrets.compare_digest(cred.strip(), expected):
        raise MockError(401, {"error": "invalid_client"}, {"WWW-Authenticate": 'Basic realm="token"'})
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise MockError(400, {"error": "invalid_request",
                              "error_description": "Content-Type must be application/x-www-form-urlencoded"})
    try:
        form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise MockError(400, {"error": "invalid_request"})
    grant = form.get("grant_type", [""])[-1]
    if not grant:
        raise MockError(400, {"error": "invalid_request"})
    if grant != "client_credentials":
        raise MockError(400, {"error": "unsupported_grant_type"})
    scope = form.get("scope", [""])[-1].split()
    scopes = op.api.scopes or set()
    for api in server.apis:
        scopes = scopes | api.scopes
    if scopes and any(s not in scopes for s in scope):
        raise MockError(400, {"error": "invalid_scope"})
    granted = scope or sorted(scopes)
    ttl = server.opts.token_ttl
    token = server.tokens.issue(granted, ttl)
    return {"access_token": token, "expires_in": ttl, "token_type": "Bearer"}


def authenticate(server, op, headers, request_target):
    """Returns if one of op's security requirements is met; raises MockError 401/403."""
    if not op.security:
        return
    challenges = []
    for requirement in op.security:
        if not isinstance(requirement, dict):
            continue
        ok = True
        for name, scopes in requirement.items():
            scheme = op.api.schemes.get(name) or {}
            if not satisfies(server, headers, request_target, scheme, scopes or [], challenges):
                ok = False
        if ok:
            return
    out = {}
    if challenges:
        out["WWW-Authenticate"] = challenges[0]
    raise MockError(401, None, out)


def satisfies(server, headers, request_target, scheme, scopes, challenges):
    stype = scheme.get("type")
    auth = headers.get("Authorization") or ""
    kind, _, cred = auth.partition(" ")
    cred = cred.strip()
    if stype == "oauth2" or stype == "openIdConnect" or (
            stype == "http" and str(scheme.get("scheme", "")).lower() == "bearer"):
        challenges.append("Bearer")
        if kind.lower() != "bearer" or not cred:
            return False
        return server.tokens.check(cred, scopes, stype == "oauth2")
    if stype == "http" and str(scheme.get("scheme", "")).lower() == "basic":
        challenges.append('Basic realm="api"')
        expected = basic_credentials(server.opts)
        return kind.lower() == "basic" and secrets.compare_digest(cred, expected)
    if stype == "apiKey":
        where, name = scheme.get("in"), scheme.get("name", "")
        if where == "header":
            return bool(headers.get(name))
        if where == "query":
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(request_target).query, keep_blank_values=True)
            return bool(q.get(name, [""])[-1])
        if where == "cookie":
            return ("%s=" % name) in (headers.get("Cookie") or "")
        return False
    if stype == "mutualTLS":
        return False
    return True  # unknown scheme types are not enforced
