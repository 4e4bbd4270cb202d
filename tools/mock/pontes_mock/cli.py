"""Command line: python3 tools/mock/mock_server.py --spec generated/<api>/openapi.json ...

Flags (see --help): --spec (repeatable), --host, --port (0 = free port), --port-file,
--client-id / --client-secret, --token-ttl, --quiet, --tls-cert / --tls-key / --tls-client-ca,
and the flags the API state modules add (ApiState.add_arguments; see each module's docstring).
Prints "listening on http(s)://HOST:PORT" once listening; SIGTERM / SIGINT stop it (exit 0).
"""

import argparse
import os
import signal
import sys
import threading

from .plugins import all_state_classes
from .server import MockServer
from .spec import Api, load_spec


def parse_args(argv, prog=None):
    ap = argparse.ArgumentParser(prog=prog, description="OpenAPI-driven mock HTTP server (stdlib only).")
    ap.add_argument("--spec", action="append", required=True,
                    help="OpenAPI document, JSON form (repeatable; .yaml needs PyYAML)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--port-file", help="write the bound port to this file")
    ap.add_argument("--client-id", default="pontes-demo")
    ap.add_argument("--client-secret", default="pontes-demo-secret")
    ap.add_argument("--token-ttl", type=int, default=3600, help="access-token lifetime in seconds")
    ap.add_argument("--quiet", action="store_true", help="no per-request log lines on stderr")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM; chain allowed)")
    ap.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    ap.add_argument("--tls-client-ca", help="require a client certificate signed by this CA (mutual TLS)")
    for cls in all_state_classes():  # each API state module's own flags
        cls.add_arguments(ap)
    return ap.parse_args(argv)


def main(argv=None, prog=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv, prog)
    apis = []
    for path in opts.spec:
        try:
            apis.append(Api(load_spec(path)))
        except (OSError, ValueError, KeyError) as e:
            sys.stderr.write("mock_server: cannot load %s: %s\n" % (path, e))
            return 2
    try:
        server = MockServer((opts.host, opts.port), apis, opts)
    except OSError as e:
        sys.stderr.write("mock_server: cannot listen on %s:%s: %s\n" % (opts.host, opts.port, e))
        return 2
    if opts.tls_cert and not opts.tls_key:
        sys.stderr.write("mock_server: --tls-cert needs --tls-key\n")
        return 2
    port = server.server_address[1]
    host = opts.host if ":" not in opts.host else "[%s]" % opts.host
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, opts.port_file)
    sys.stdout.write("listening on %s://%s:%d\n" % ("https" if opts.tls_cert else "http", host, port))
    sys.stdout.flush()
    while not stop.is_set():
        stop.wait(0.1)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    return 0
