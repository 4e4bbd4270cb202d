"""Routing of a request (method, path) to one operation of the served APIs.

Every API's path templates are tried on the path as received and, when the spec's first
``servers`` URL has a base path that prefixes it, on the path without that base.  Of the
matches, the most specific wins: as received over base-stripped, then more literal
characters, then fewer parameters.  No match: 404; a match for other methods only: 405 with
``Allow``.
"""

from .errors import MockError


def route(apis, method, path):
    """Returns (operation, path_params) or raises MockError(404/405)."""
    allowed = set()
    best = None
    for api in apis:
        candidates = [path]
        if api.base_path and path.startswith(api.base_path + "/"):
            candidates.append(path[len(api.base_path):])
        for cand in candidates:
            for op in api.operations:
                params = op.match(cand)
                if params is None:
                    continue
                if op.method != method:
                    allowed.add(op.method)
                    continue
                key = (cand == path, op.literal_len, -len(op.param_names))
                if best is None or key > best[0]:
                    best = (key, op, params)
    if best:
        return best[1], best[2]
    if allowed:
        raise MockError(405, {"error": "method_not_allowed",
                              "message": "%s not allowed; allowed: %s" % (method, ", ".join(sorted(allowed)))},
                        {"Allow": ", ".join(sorted(allowed))})
    raise MockError(404, {"error": "not_found", "message": "no operation matches %s %s" % (method, path)})
