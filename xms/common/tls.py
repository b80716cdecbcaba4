"""TLS trust of a source endpoint, checked on the connection that uses it.

vSphere shows certificate thumbprints as colon-separated upper-case hex
(``AB:CD:...``); users paste them in any case, with or without colons.

A pin is only worth something when it is checked on the very connection
that then carries the password or the session cookie: a check on a side
connection lets a man in the middle answer that one honestly and
intercept the next. :func:`client_context` therefore builds an
``ssl.SSLContext`` whose sockets compare the peer certificate's SHA-256
with the pin as the last step of their handshake, before the caller can
write a byte; a mismatch raises :class:`PinMismatch` and closes the
socket. The context also remembers the certificate it accepted, so that
another client of the same server (nbdkit curl, VDDK) can be told to
trust exactly that certificate on its own connection.
"""

import hashlib
import re
import socket
import ssl


def normalize_thumbprint(value):
    """``ab:CD:..`` or ``abcd..`` -> ``AB:CD:...``; None when empty."""
    hexs = re.sub(r'[^0-9a-fA-F]', '', value or '').upper()
    if not hexs:
        return None
    return ':'.join(hexs[i:i + 2] for i in range(0, len(hexs), 2))


def thumbprint(der, algorithm='sha256'):
    """Thumbprint of a DER certificate in vSphere's ``AB:CD:..`` form.

    :param algorithm: ``sha256`` (our pins) or ``sha1`` (what VDDK
        expects).
    """
    return normalize_thumbprint(hashlib.new(algorithm, der).hexdigest())


class PinMismatch(ssl.SSLCertVerificationError):
    """The peer presented a certificate other than the pinned one.

    A subclass of ``ssl.SSLCertVerificationError`` so that every caller
    that handles an untrusted certificate handles this one too.
    """

    def __init__(self, expected, actual):
        super().__init__(
            'certificate SHA-256 thumbprint %s does not match the pinned '
            '%s' % (actual, expected))
        self.expected = expected
        self.actual = actual
        self.verify_message = str(self)


class _CheckedSocket(ssl.SSLSocket):
    """An SSL socket that lets its context judge the finished handshake.

    ``SSLSocket`` calls ``do_handshake`` while wrapping a connected socket
    and closes it when that raises, so nothing can be sent on a socket
    whose certificate the context refused.
    """

    def do_handshake(self, block=False):
        super().do_handshake(block)
        self.context.accept_peer(self.getpeercert(binary_form=True))


class TrustContext(ssl.SSLContext):
    """A client context that checks a pin and remembers the peer.

    Build it with :func:`client_context`.
    """

    sslsocket_class = _CheckedSocket
    pin = None
    #: DER of the last certificate a handshake accepted.
    peer_der = None

    def accept_peer(self, der):
        """Refuse ``der`` unless it matches the pin (when there is one).

        :raises PinMismatch: with both thumbprints.
        """
        if self.pin:
            actual = thumbprint(der or b'')
            if actual != self.pin:
                raise PinMismatch(self.pin, actual)
        self.peer_der = der

    @property
    def peer_pem(self):
        """PEM of the accepted certificate, or None before a handshake."""
        if not self.peer_der:
            return None
        return ssl.DER_cert_to_PEM_cert(self.peer_der)


def client_context(ca_cert=None, pin=None, verify=True):
    """The TLS client context for a source endpoint.

    Trust, in order: ``ca_cert`` (normal chain and host name
    verification against that CA only), else ``pin`` (the certificate's
    SHA-256 must equal it; chain and host name are not checked: the pin
    names the one certificate to accept), else, when ``verify``, the
    system CA store; ``verify=False`` with neither accepts any
    certificate.

    :param ca_cert: PEM of the CA certificate(s) to trust.
    :param pin: SHA-256 thumbprint, any case, colons optional.
    :param verify: False to accept any certificate when there is no CA
        and no pin.
    :returns: a :class:`TrustContext`.
    """
    ctx = TrustContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_cert:
        ctx.load_verify_locations(cadata=ca_cert)
        return ctx
    pin = normalize_thumbprint(pin)
    if pin or not verify:
        ctx.check_hostname = False
        # The pin is checked by accept_peer after the handshake.
        ctx.verify_mode = ssl.CERT_NONE  # noqa: S501 - pinned or asked
        ctx.pin = pin
        return ctx
    ctx.load_default_certs()
    return ctx


def sha1_thumbprint_of_pem(pem):
    """SHA-1 thumbprint of a PEM certificate (VDDK's ``thumbprint=``)."""
    return thumbprint(ssl.PEM_cert_to_DER_cert(pem), 'sha1')


def presented_thumbprint(host, port, timeout=10):
    """SHA-256 thumbprint of the certificate ``host:port`` presents now.

    For error messages only: it tells an operator which certificate a
    refused connection met. Nothing is sent and nothing is trusted on
    this connection.

    :returns: the thumbprint, or None when no TLS connection is made.
    """
    ctx = client_context(verify=False)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            with ctx.wrap_socket(sock, server_hostname=host):
                pass
    except OSError:
        return None
    return thumbprint(ctx.peer_der) if ctx.peer_der else None
