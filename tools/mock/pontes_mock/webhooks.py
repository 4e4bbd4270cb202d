"""Delivery of webhook events (JSON POSTs) to a loopback receiver, for per-API states."""

import json
import urllib.error
import urllib.parse
import urllib.request

from .errors import MockError
from .schema import Validator


def check_url(url):
    """Raises MockError 400 unless url is an http:// URL on 127.0.0.1 / localhost / ::1."""
    if not isinstance(url, str):
        raise MockError(400, {"error": "bad_request", "message": "'url' is required"})
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise MockError(400, {"error": "bad_request",
                              "message": "webhooks are only delivered to http://127.0.0.1 / localhost"})


def post(server, api, url, event, schema=None):
    """POSTs event as JSON to url.  Returns (HTTP status or None, error text or None).

    With a schema, a payload that does not match it is reported as a warning (and sent)."""
    if schema is not None:
        errs = Validator(api.doc, "request").errors(event, schema)
        if errs:
            server.warn("webhook payload does not match its schema: %s"
                        % "; ".join("%s: %s" % e for e in errs[:5]))
    data = json.dumps(event, ensure_ascii=False).encode("utf-8")
    r = urllib.request.Request(url, data=data, method="POST",
                               headers={"Content-Type": "application/json",
                                        "User-Agent": "PontesMock-Webhook/1.0"})
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(r, timeout=10) as resp:
            resp.read()
            return resp.status, None
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, OSError) as e:
        return None, str(e)
