"""Errors and the error bodies of the generic core.

A handler (core or per-API state) raises ``MockError`` to answer with a status and a JSON
body.  ``form_error`` builds the validation-error body the core uses for every API: the
``code`` / ``message`` / ``details.formErrors[]`` / ``correlationId`` shape that the pontes
runtime reads into ``pontes_error`` (the first specs' provider format).
"""

import datetime
import secrets

# Timestamps the mock makes up (synthesised date-times, per-API records) carry this offset.
LOCAL_TZ = datetime.timezone(datetime.timedelta(hours=-3))


def correlation_id():
    return "#" + secrets.token_hex(16)


def now_local():
    """The current time, ISO 8601 with microseconds, in LOCAL_TZ."""
    return datetime.datetime.now(LOCAL_TZ).isoformat(timespec="microseconds")


class MockError(Exception):
    """Raised by handlers to answer with a given status and (JSON) body."""

    def __init__(self, status, body=None, headers=None):
        Exception.__init__(self, status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def form_error(errors, message="Não foi possível validar os dados do formulário", status=400):
    """INVALID_FORM error. errors: list of (key, message)."""
    return MockError(status, {
        "code": "INVALID_FORM",
        "message": message,
        "details": {"formErrors": [{"message": m, "key": k} for k, m in errors]},
        "correlationId": correlation_id(),
    })
