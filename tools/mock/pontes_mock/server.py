"""The HTTP server of the generic core: one ThreadingHTTPServer for every loaded spec.

A request is routed (routing.py), its body read (Content-Length or chunked, at most
MAX_BODY), then either an admin request (admin.py) or an API request: the token endpoint
answered or the caller authenticated (auth.py, or the state's authenticate()), parameters and
body validated (validate.py; the state's tolerate() may accept some problems), then the API's state module asked (plugins.py) and, if it has
no answer, the documented example (or a value synthesised from the schema) sent.  A path no
operation matches is offered to the states' page().  Every error the core answers is first
offered to the API state's error() (its own error body).  Every request is logged for
/__admin/requests.  Errors never crash the server: a handler bug answers 500.

Bodies over MAX_BODY are answered 413 after reading and discarding them (up to DRAIN_MAX
bytes; beyond that, or for a request that sent "Expect: 100-continue", the 413 is sent
without reading the body and the connection is closed), so that the client reads the answer
instead of a reset connection.
"""

import collections
import json
import re
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import admin, auth, jsontext, tls
from .errors import MockError
from .plugins import Answer, ApiState, Request, state_class_for
from .routing import route
from .schema import Synth, Validator
from .spec import is_json_mime
from .validate import validate_request

MAX_BODY = 32 * 1024 * 1024   # a 20 MiB file in Base64 inside JSON (~28 MiB) fits
DRAIN_MAX = 128 * 1024 * 1024  # an oversized body up to this size is read (and dropped) before the 413


def from_state(fn, *args):
    """Call a state hook; a MockError it raises is marked as the state's own."""
    try:
        return fn(*args)
    except MockError as e:
        e.from_state = True
        raise


class MockServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, apis, opts):
        if ":" in addr[0]:
            import socket
            self.address_family = socket.AF_INET6
        self.apis = apis
        self.opts = opts
        self.lock = threading.RLock()
        self.tokens = auth.Tokens()
        self.log = collections.deque(maxlen=200)
        self.states = {}  # id(api) -> ApiState
        for api in apis:
            cls = state_class_for(api)
            if cls is not None:
                self.states[id(api)] = cls(api, self)
        self.tls = tls.server_context(opts)
        ThreadingHTTPServer.__init__(self, addr, Handler)

    def finish_request(self, request, client_address):
        if self.tls is None:
            return ThreadingHTTPServer.finish_request(self, request, client_address)
        conn = tls.handshake(self.tls, request, client_address, self.opts.quiet)
        if conn is None:
            return
        try:
            ThreadingHTTPServer.finish_request(self, conn, client_address)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def reset(self):
        self.tokens.clear()
        with self.lock:
            self.log.clear()
        for st in self.states.values():
            st.reset()

    def warn(self, msg):
        # spec/shape warnings are printed even with --quiet
        sys.stderr.write("mock_server: warning: %s\n" % msg)
        sys.stderr.flush()

    def check_response_shape(self, op_id, value):
        """Log (never fail) when a synthesised stateful response does not fit the spec schema."""
        for api in self.apis:
            op = api.by_id.get(op_id)
            if not op:
                continue
            _, resp = op.success_response()
            for mt, media in (resp.get("content") or {}).items():
                schema = (api.doc.deref(media) or {}).get("schema")
                if schema is not None:
                    errs = Validator(api.doc, "response").errors(value, schema)
                    if errs:
                        self.warn("%s response does not match its schema: %s"
                                  % (op_id, "; ".join("%s: %s" % e for e in errs[:5])))
                return


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PontesMock/1.0"

    def version_string(self):
        return self.server_version

    def parse_request(self):
        self.reject_body = False
        return BaseHTTPRequestHandler.parse_request(self)

    def handle_expect_100(self):
        """Expect: 100-continue with a Content-Length over MAX_BODY: no 100 Continue; the
        413 is sent without reading the body (read_body)."""
        try:
            n = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            n = 0
        if n > MAX_BODY:
            self.reject_body = True
            return True
        return BaseHTTPRequestHandler.handle_expect_100(self)

    # silence the default logging; we log ourselves
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    # -- plumbing -----------------------------------------------------------------
    def record_request(self, status):
        ctx = getattr(self, "log_ctx", None)
        if not ctx or ctx["recorded"]:
            return
        ctx["recorded"] = True
        hdrs = {}
        for k, v in self.headers.items():
            if k.lower() == "authorization":
                v = (v.split(" ", 1)[0] + " ***") if v else "***"
            hdrs[k] = v
        srv = self.server
        with srv.lock:
            srv.log.append({"method": self.command, "path": ctx["path"], "query": ctx["query"],
                            "headers": hdrs, "bodyLength": len(ctx["body"]), "status": status,
                            "operationId": self.op_id, "time": time.time()})

    def send(self, status, body=None, content_type="application/json; charset=utf-8", headers=None):
        if body is None:
            payload = b""
        elif isinstance(body, bytes):
            payload = body
        elif isinstance(body, str) and not content_type.startswith("application/json"):
            payload = body.encode("utf-8")
        else:
            payload = jsontext.dumps(body).encode("utf-8")
        # Log before answering, so a client that reads /__admin/requests right after
        # this response always sees this request.
        self.record_request(status)
        self.send_response(status)
        self.send_header("X-Request-Id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if payload:
            self.send_header("Content-Type", content_type)
        if status != 204 and not 100 <= status < 200:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(payload)
        self.status_sent = status

    def too_large(self):
        return MockError(413, {"error": "payload_too_large", "limit": MAX_BODY})

    def discard(self, n):
        """Read and drop n bytes; False if the connection ended first."""
        while n > 0:
            data = self.rfile.read(min(n, 1 << 20))
            if not data:
                return False
            n -= len(data)
        return True

    def read_body(self):
        if self.reject_body:
            self.close_connection = True
            raise self.too_large()
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            total = 0
            over = False
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise MockError(400, {"error": "bad_request", "message": "truncated chunked body"})
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise MockError(400, {"error": "bad_request", "message": "bad chunk size"})
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                total += size
                if total > MAX_BODY and not over:
                    over = True
                    chunks = []
                if total > DRAIN_MAX:
                    self.close_connection = True
                    raise self.too_large()
                if over:
                    if not self.discard(size):
                        self.close_connection = True
                        raise MockError(400, {"error": "bad_request", "message": "truncated chunk"})
                else:
                    data = self.rfile.read(size)
                    if len(data) < size:
                        self.close_connection = True
                        raise MockError(400, {"error": "bad_request", "message": "truncated chunk"})
                    chunks.append(data)
                self.rfile.readline(3)
            if over:
                raise self.too_large()
            return b"".join(chunks)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        try:
            n = int(cl)
            if n < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise MockError(400, {"error": "bad_request", "message": "invalid Content-Length"})
        if n > MAX_BODY:
            if n > DRAIN_MAX or not self.discard(n):
                self.close_connection = True
            raise self.too_large()
        data = self.rfile.read(n) if n else b""
        if len(data) < n:
            self.close_connection = True
            raise MockError(400, {"error": "bad_request", "message": "truncated body"})
        return data

    def dispatch(self):
        self.status_sent = None
        self.op_id = None
        start = time.time()
        body = b""
        target = self.path
        if re.match(r"^https?://", target, re.I):  # absolute-form request target
            parts = urllib.parse.urlsplit(target)
            target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        path, _, query = target.split("#", 1)[0].partition("?")
        path = path or "/"
        self.log_ctx = {"path": path, "query": query, "body": b"", "recorded": path.startswith("/__admin/")}
        is_admin = path.startswith("/__admin/")
        self.op = None
        self.routed = None
        try:
            try:
                if not is_admin:
                    try:
                        self.routed = route(self.server.apis, self.command, path)
                        self.op = self.routed[0]
                        self.op_id = self.op.operation_id
                    except MockError as e:
                        self.routed = e
                body = self.read_body()
                self.log_ctx["body"] = body
                if is_admin:
                    admin.dispatch(self, path, body)
                else:
                    self.api_request(path, query, body)
            except MockError as e:
                self.send_error_answer(e if is_admin else self.api_error(e, path))
            except (BrokenPipeError, ConnectionResetError):
                raise
            except Exception as e:  # never crash on bad input
                traceback.print_exc()
                if self.status_sent is not None:
                    self.close_connection = True
                    return
                err = MockError(500, {"error": "internal_error", "message": "%s: %s" % (type(e).__name__, e)})
                self.send_error_answer(err if is_admin else self.api_error(err, path))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        except Exception:  # e.g. a failing send of the error answer
            traceback.print_exc()
            self.close_connection = True
        finally:
            srv = self.server
            self.record_request(self.status_sent)  # if send() never ran (e.g. a broken pipe)
            if not srv.opts.quiet:
                sys.stderr.write("%s %s %s -> %s %s (%.1f ms)\n" % (
                    self.client_address[0], self.command, self.path, self.status_sent,
                    self.op_id or "", (time.time() - start) * 1000))
                sys.stderr.flush()

    def send_error_answer(self, e):
        if self.status_sent is not None:
            self.close_connection = True
            return
        if isinstance(e, MockError) and e.status == 401 and e.body is None:
            self.send(401, None, headers=e.headers)
        else:
            self.send(e.status, e.body, headers=e.headers)

    def api_error(self, exc, path):
        """exc, or the error the API's state sends instead (ApiState.error); a state's own
        MockError is sent as raised."""
        srv = self.server
        if getattr(exc, "from_state", False):
            return exc
        if self.op is not None:
            st = srv.states.get(id(self.op.api))
            candidates = [st] if st is not None else []
        else:
            candidates = list(srv.states.values())
        for st in candidates:
            try:
                other = st.error(self.op, exc, path)
            except Exception:
                traceback.print_exc()
                continue
            if other is not None:
                if not isinstance(other, MockError):
                    srv.warn("%s: error() must return a MockError or None" % st.api.name)
                    continue
                return other
        return exc

    # -- admin ----------------------------------------------------------------------

    def api_request(self, path, query, body):
        srv = self.server
        if isinstance(self.routed, MockError):
            if self.routed.status == 404:
                for st in srv.states.values():
                    answer = from_state(st.page, self.command, path, query, self.headers, body)
                    if answer is not None:
                        return self.answer(None, answer)
            raise self.routed
        op, path_params = self.routed
        self.op_id = op.operation_id
        if op.is_token_endpoint:
            out = auth.token_endpoint(srv, op, self.headers, body)
            return self.send(200, out, content_type="application/json;charset=UTF-8",
                             headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
        st = srv.states.get(id(op.api))
        if not (st is not None and from_state(st.authenticate, op, self.headers, self.path)):
            auth.authenticate(srv, op, self.headers, self.path)
        tolerate = None
        if st is not None and type(st).tolerate is not ApiState.tolerate:
            def tolerate(key, message, value):
                return bool(from_state(st.tolerate, op, key, message, value))
        params, parsed = validate_request(op, self.headers, path_params, query, body, tolerate)
        if st is not None:
            answer = from_state(st.handle, op.operation_id, Request(op, self.command, path, query,
                                                                    self.headers, params, parsed, body))
            if answer is not None:
                return self.answer(op, answer)
        return self.respond(op)

    def answer(self, op, answer):
        if not isinstance(answer, Answer):
            raise TypeError("%s: a state's handle() must return an Answer or None, not %s"
                            % (op.operation_id if op else "page", type(answer).__name__))
        if answer.status is None and op is not None:
            return self.respond(op, answer.body, use_value=True, extra_headers=answer.headers)
        status = 200 if answer.status is None else answer.status
        if answer.content_type:
            body = answer.body
            if isinstance(body, str):
                body = body.encode("utf-8")
            return self.send(status, body, content_type=answer.content_type, headers=answer.headers)
        return self.send(status, answer.body, headers=answer.headers)

    def respond(self, op, value=None, use_value=False, extra_headers=None):
        status, resp = op.success_response()
        content = resp.get("content") or {}
        headers = {}
        for hname, h in (resp.get("headers") or {}).items():
            h = op.doc.deref(h)
            if hname.lower() in ("content-type", "content-length") or not isinstance(h, dict):
                continue
            ok, v = op.api.example_value(h)
            if not ok and isinstance(h.get("schema"), dict):
                s = h["schema"]
                if "example" in s or "default" in s or (isinstance(s.get("examples"), list) and s["examples"]):
                    ok, v = True, Synth(op.doc).value(s)
            if ok and v is not None:
                headers[hname] = v if isinstance(v, str) else json.dumps(v)
        headers.update(extra_headers or {})
        if status == 204 or not content:
            return self.send(status, None, headers=headers)
        key = self.negotiate(content)
        media = op.doc.deref(content[key]) or {}
        mt = key.split(";")[0].strip().lower()
        if use_value:
            if value is None:
                return self.send(status, None, headers=headers)
        else:
            ok, value = op.api.example_value(media)
            if not ok:
                value = Synth(op.doc).value(media.get("schema") or {})
        if is_json_mime(mt):
            return self.send(status, value, content_type=mt + "; charset=utf-8", headers=headers)
        if isinstance(value, (dict, list)):
            return self.send(status, value, content_type="application/json; charset=utf-8", headers=headers)
        if isinstance(value, bytes):
            return self.send(status, value, content_type=mt, headers=headers)
        text = "" if value is None else str(value)
        ctype = mt + ("; charset=utf-8" if mt.startswith("text/") or mt.endswith("xml") else "")
        return self.send(status, text.encode("utf-8"), content_type=ctype, headers=headers)

    def negotiate(self, content):
        keys = list(content.keys())
        accept = (self.headers.get("Accept") or "").lower()
        if accept:
            for part in accept.split(","):
                want = part.split(";")[0].strip()
                if want in ("*/*", ""):
                    break
                for k in keys:
                    kk = k.lower().split(";")[0].strip()
                    if kk == want or (want.endswith("/*") and kk.startswith(want[:-1])):
                        return k
        for k in keys:
            if is_json_mime(k.lower().split(";")[0].strip()):
                return k
        return keys[0]
