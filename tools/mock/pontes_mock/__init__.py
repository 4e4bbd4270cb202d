"""pontes_mock: an OpenAPI-driven mock HTTP server (Python standard library only).

Generic core (knows no particular API):
    spec.py      the OpenAPI document, its operations and examples
    routing.py   method + path -> operation
    auth.py      token endpoint (OAuth2 client credentials) and security schemes
    validate.py  parameters and bodies against the schemas
    schema.py    the JSON Schema validator and value synthesis
    server.py    the HTTP server: request reading, dispatch, example answers, request log
    admin.py     /__admin/* endpoints
    tls.py       HTTPS and mutual TLS
    webhooks.py  delivering webhook events to a loopback receiver
    plugins.py   the per-API state interface (ApiState, Answer, Request, register)
    cli.py       command line (__main__.py: python3 -m pontes_mock)
Per-API state, one module each, found by the spec's x-pontes-api:
    apis/<x-pontes-api>.py
"""

from .errors import MockError, form_error  # noqa: F401
from .plugins import Answer, ApiState, Request, admin_json, register  # noqa: F401
