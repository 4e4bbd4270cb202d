"""The /__admin/* endpoints (no authentication; the server listens on loopback only).

Core endpoints, for every API:
    POST /__admin/reset          reset all state (tokens, request log, every API state)
    POST /__admin/expire-tokens  expire every issued access token now (the core's and the
                                 states' own, ApiState.expire_tokens)
    GET  /__admin/requests       last 200 API requests (Authorization redacted)
    GET  /__admin/state          {info.title: dump()} of every API state that has one
Any other /__admin/ path is offered to each API state's admin() in turn (plugins.py);
the first Answer is sent; 404 when none answers.
"""

from .errors import MockError
from .plugins import Answer


def dispatch(handler, path, body):
    srv = handler.server
    m = handler.command
    if path == "/__admin/reset" and m == "POST":
        srv.reset()
        return handler.send(200, {"reset": True})
    if path == "/__admin/expire-tokens" and m == "POST":
        n = srv.tokens.expire_all()
        for st in srv.states.values():
            n += st.expire_tokens() or 0
        return handler.send(200, {"expired": n})
    if path == "/__admin/requests" and m == "GET":
        with srv.lock:
            return handler.send(200, list(srv.log))
    if path == "/__admin/state" and m == "GET":
        out = {}
        for st in srv.states.values():
            view = st.dump()
            if view is not None:
                out[st.api.name] = view
        return handler.send(200, out)
    not_found = None
    for st in srv.states.values():
        try:
            answer = st.admin(m, path, body)
        except MockError as e:
            if e.status != 404:
                raise
            not_found = e
            continue
        if answer is not None:
            if not isinstance(answer, Answer):
                raise TypeError("%s: a state's admin() must return an Answer or None" % st.api.name)
            body = answer.body
            if answer.content_type:
                body = body.encode("utf-8") if isinstance(body, str) else body
                return handler.send(200 if answer.status is None else answer.status, body,
                                    content_type=answer.content_type, headers=answer.headers)
            return handler.send(200 if answer.status is None else answer.status, body,
                                headers=answer.headers)
    if not_found is not None:
        raise not_found
    raise MockError(404, {"error": "not_found", "message": "unknown admin endpoint %s %s" % (m, path)})
