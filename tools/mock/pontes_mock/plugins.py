"""The per-API state interface (see ../README.md).

The generic core answers every operation from the spec's examples.  An API whose operations
must remember things (records created, statuses, webhooks) gets one module
``pontes_mock/apis/<x-pontes-api>.py`` defining a subclass of ``ApiState`` decorated with
``@register("<x-pontes-api>")``.  When the server loads a spec whose ``x-pontes-api`` is
``<name>``, it imports ``pontes_mock.apis.<name>`` (if it exists) and makes one instance of
the registered class for that API.  A spec without (or with another) ``x-pontes-api`` gets
the first registered class whose ``recognises(api)`` says yes.

For each authenticated, validated request the core calls ``state.handle(operation_id,
request)``: return ``None`` to let the core answer with the documented example, an
``Answer`` to answer with that value, or raise ``MockError`` for an error answer.
"""

import importlib
import json
import pkgutil
import re

from .errors import MockError

REGISTRY = {}  # x-pontes-api name -> ApiState subclass


def register(name):
    """Class decorator: the ApiState subclass that serves the API named name."""
    def deco(cls):
        if not issubclass(cls, ApiState):
            raise TypeError("%s is not an ApiState" % cls.__name__)
        cls.api_key = name
        REGISTRY[name] = cls
        return cls
    return deco


class Request:
    """An authenticated, validated API request, as ``ApiState.handle`` sees it.

    operation: spec.Operation; method, path, query: as received; headers: the message's
    headers; params: {name: value} of the declared parameters present, coerced to their schema
    types; body: the parsed body (JSON value, form dict, multipart dict, bytes) or None;
    raw_body: the bytes received."""

    def __init__(self, operation, method, path, query, headers, params, body, raw_body):
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.params = params
        self.body = body
        self.raw_body = raw_body


class Answer:
    """A state's answer.  status None = the operation's documented success status and media
    type (body None = no body); any other status sends body as JSON (decimal.Decimal numbers
    written verbatim, jsontext.Raw as the given JSON text), or as is when content_type is
    given (bytes or str), e.g. Answer("<html>...", 200, content_type="text/html")."""

    def __init__(self, body=None, status=None, headers=None, content_type=None):
        self.body = body
        self.status = status
        self.headers = headers or {}
        self.content_type = content_type


class ApiState:
    """Base class of a per-API state module (one instance per loaded spec)."""

    api_key = None  # set by @register

    def __init__(self, api, server):
        self.api = api          # spec.Api: doc, operations, by_id, examples
        self.server = server    # server.MockServer: warn(), check_response_shape(), apis

    @classmethod
    def recognises(cls, api):
        """Whether to serve a spec that has no x-pontes-api module (default: no)."""
        return False

    def reset(self):
        """POST /__admin/reset: forget everything."""

    def handle(self, operation_id, request):
        """An Answer, or None for the example answer; may raise MockError."""
        return None

    def admin(self, method, path, body):
        """Another /__admin/... request (body: bytes).  An Answer, or None if not this
        state's; a MockError 404 lets the next state try (the last one is answered)."""
        return None

    def dump(self):
        """A JSON-able view for GET /__admin/state (key: the spec's info.title), or None."""
        return None

    # -- optional hooks (the defaults keep the generic behaviour) -------------------------
    @classmethod
    def add_arguments(cls, parser):
        """Add this API's command-line flags to the argparse parser (read them from
        self.server.opts with getattr(opts, name, default): a server may be made without
        them)."""

    def authenticate(self, op, headers, target):
        """Authenticate a request for op (before validation) in the API's own way: return
        True when done (the core's check of op's security is skipped), None to let the core
        check it; raise MockError to refuse."""
        return None

    def tolerate(self, op, key, message, value):
        """A validation problem the API accepts after all (e.g. a date-only value the real
        server takes in a date-time field): key is the parameter name or the body member's
        path ("a.b[0]"), message the validator's text, value the offending value.  True drops
        the problem (default: False, every problem is refused)."""
        return False

    def error(self, op, exc, path):
        """The core refused a request (routing, body size, authentication, validation,
        an internal error; not a MockError a state hook raised itself): return a MockError
        to send instead of exc (the API's own error body), or None to send exc.  op is None when no operation matched path (then every
        state is asked in turn, the first answer wins)."""
        return None

    def page(self, method, path, query, headers, body):
        """A request no API operation matches (e.g. a login page the state links to):
        an Answer, or None (then 404)."""
        return None

    def expire_tokens(self):
        """POST /__admin/expire-tokens: expire the tokens this state issued itself; returns
        how many."""
        return 0


def admin_json(body):
    """The JSON object of an admin request body ({} when empty); MockError 400 otherwise."""
    try:
        req = json.loads(body.decode("utf-8")) if body else {}
    except (ValueError, UnicodeDecodeError):
        raise MockError(400, {"error": "bad_request", "message": "admin body must be JSON"})
    if not isinstance(req, dict):
        raise MockError(400, {"error": "bad_request", "message": "admin body must be a JSON object"})
    return req


def _import_api_module(name):
    full = "%s.apis.%s" % (__package__, name)
    try:
        importlib.import_module(full)
        return True
    except ModuleNotFoundError as e:
        if e.name != full:
            raise
        return False


def all_state_classes():
    """Every registered state class, after importing every module of apis/."""
    from . import apis
    for mod in pkgutil.iter_modules(apis.__path__):
        _import_api_module(mod.name)
    return list(REGISTRY.values())


def state_class_for(api):
    """The ApiState subclass for api, or None (examples only)."""
    key = api.key
    if isinstance(key, str) and re.match(r"^[a-z_][a-z0-9_]*$", key):
        if key not in REGISTRY:
            _import_api_module(key)
        if key in REGISTRY:
            return REGISTRY[key]
    from . import apis
    for mod in pkgutil.iter_modules(apis.__path__):
        _import_api_module(mod.name)
    for cls in REGISTRY.values():
        if cls.recognises(api):
            return cls
    return None
