"""Self-signed TLS certificates for tests (an impostor server, a pin)."""

import datetime
import hashlib
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class Certificate:
    """A self-signed server certificate and its key, written to files.

    :param directory: where ``<name>.pem`` and ``<name>.key`` go.
    :param host: the IP address or DNS name the certificate names (CN
        and subjectAltName), so only a pin can tell it from another.
    """

    def __init__(self, directory, name='server', host='127.0.0.1'):
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
        try:
            alt = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            alt = x509.DNSName(host)
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(subject).issuer_name(subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=2))
                .add_extension(x509.SubjectAlternativeName([alt]),
                               critical=False)
                .add_extension(x509.BasicConstraints(ca=True,
                                                     path_length=None),
                               critical=True)
                .sign(key, hashes.SHA256()))
        self.der = cert.public_bytes(serialization.Encoding.DER)
        self.pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.cert_file = os.path.join(directory, name + '.pem')
        self.key_file = os.path.join(directory, name + '.key')
        with open(self.cert_file, 'w') as f:
            f.write(self.pem)
        fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     0o600)
        with os.fdopen(fd, 'wb') as f:
            f.write(key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))

    def thumbprint(self, algorithm='sha256'):
        """``AB:CD:..`` thumbprint, as vSphere shows it."""
        digest = hashlib.new(algorithm, self.der).hexdigest().upper()
        return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))
