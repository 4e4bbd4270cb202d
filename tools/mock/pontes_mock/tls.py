"""HTTPS and mutual TLS (--tls-cert / --tls-key / --tls-client-ca)."""

import ssl
import sys


def server_context(opts):
    """An SSLContext for opts, or None when --tls-cert is not given."""
    if not getattr(opts, "tls_cert", None):
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
    if getattr(opts, "tls_client_ca", None):
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(opts.tls_client_ca)
    return ctx


def handshake(ctx, request, client_address, quiet):
    """The TLS connection over request, or None (logged unless quiet) if the handshake fails.

    Called in the connection's own thread, so a slow or failing client does not hold up the
    accept loop."""
    try:
        return ctx.wrap_socket(request, server_side=True)
    except OSError as e:
        if not quiet:
            sys.stderr.write("mock_server: TLS handshake with %s failed: %s\n" % (client_address[0], e))
        return None
