"""TLS certificate pinning by SHA-256 thumbprint.

vSphere shows certificate thumbprints as colon-separated upper-case hex
(``AB:CD:...``); users paste them in any case, with or without colons.
Both the vSphere session (xms.sources) and the datastore HTTPS reader
(xms.transport) pin against the same normalised form.
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


def peer_thumbprint(host, port, timeout=10):
    """SHA-256 thumbprint of the certificate ``host:port`` presents.

    The connection is not verified on purpose: it only reads the
    certificate so that it can be compared with a pin.

    :raises OSError: or ``ssl.SSLError`` when no TLS connection is made.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # noqa: S501 - read to compare a pin
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with ctx.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    return normalize_thumbprint(hashlib.sha256(der).hexdigest())
