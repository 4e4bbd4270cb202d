#!/usr/bin/env python3
"""OpenAPI-driven mock HTTP server for the Pontes tests, demo and CLI (standard library only).

    python3 tools/mock/mock_server.py --spec generated/eccor/openapi.json \
        [--spec other.json] [--host 127.0.0.1] [--port 0] [--port-file FILE] \
        [--client-id ID --client-secret SECRET] [--token-ttl SECONDS] [--quiet] \
        [--tls-cert CERT.pem --tls-key KEY.pem [--tls-client-ca CA.pem]]

The server is the package pontes_mock next to this script (see README.md here).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pontes_mock.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
