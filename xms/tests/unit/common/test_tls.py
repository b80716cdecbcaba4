"""TLS contexts that check a pin during the handshake itself."""

import socket
import ssl
import threading

from xms.common import tls
from xms.tests import base
from xms.tests import certs


class RecordingServer:
    """A one-shot TLS server on 127.0.0.1 that keeps what it decrypts."""

    def __init__(self, cert):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert.cert_file, cert.key_file)
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.port = self.listener.getsockname()[1]
        self.received = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _addr = self.listener.accept()
        conn.settimeout(10)
        try:
            with self.ctx.wrap_socket(conn, server_side=True) as tls_conn:
                while True:
                    data = tls_conn.recv(4096)
                    if not data:
                        break
                    self.received.extend(data)
                    tls_conn.sendall(b'ok')
        except OSError:
            pass
        finally:
            conn.close()
            self.listener.close()

    def done(self):
        self.thread.join(10)
        return bytes(self.received)


class ClientContextTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.cert = certs.Certificate(self.state_path, name='real')
        self.other = certs.Certificate(self.state_path, name='other')

    def send(self, ctx, cert, payload=b'password=secret'):
        server = RecordingServer(cert)
        with socket.create_connection(('127.0.0.1', server.port)) as sock:
            with ctx.wrap_socket(sock, server_hostname='127.0.0.1') as conn:
                conn.sendall(payload)
                conn.recv(2)
        return server.done()

    def test_pin_accepts_the_pinned_certificate(self):
        ctx = tls.client_context(pin=self.cert.thumbprint().lower())
        self.assertEqual(b'password=secret', self.send(ctx, self.cert))
        self.assertEqual(self.cert.pem.strip(), ctx.peer_pem.strip())

    def test_pin_refuses_another_before_a_byte_is_sent(self):
        ctx = tls.client_context(pin=self.cert.thumbprint())
        server = RecordingServer(self.other)
        sock = socket.create_connection(('127.0.0.1', server.port))
        exc = self.assertRaises(tls.PinMismatch, ctx.wrap_socket, sock,
                                server_hostname='127.0.0.1')
        self.assertEqual(self.cert.thumbprint(), exc.expected)
        self.assertEqual(self.other.thumbprint(), exc.actual)
        self.assertIsInstance(exc, ssl.SSLCertVerificationError)
        self.assertIn(self.other.thumbprint(), exc.verify_message)
        self.assertEqual(b'', server.done())
        self.assertIsNone(ctx.peer_der)

    def test_ca_verifies_chain_and_host(self):
        ctx = tls.client_context(ca_cert=self.cert.pem,
                                 pin=self.other.thumbprint())
        self.assertEqual(ssl.CERT_REQUIRED, ctx.verify_mode)
        self.assertTrue(ctx.check_hostname)
        self.assertEqual(b'x', self.send(ctx, self.cert, b'x'))
        server = RecordingServer(self.other)
        with socket.create_connection(('127.0.0.1', server.port)) as sock:
            self.assertRaises(ssl.SSLCertVerificationError, ctx.wrap_socket,
                              sock, server_hostname='127.0.0.1')
        self.assertEqual(b'', server.done())

    def test_system_store_by_default(self):
        ctx = tls.client_context()
        self.assertEqual(ssl.CERT_REQUIRED, ctx.verify_mode)
        self.assertTrue(ctx.check_hostname)
        self.assertIsNone(ctx.pin)
        server = RecordingServer(self.cert)
        with socket.create_connection(('127.0.0.1', server.port)) as sock:
            self.assertRaises(ssl.SSLCertVerificationError, ctx.wrap_socket,
                              sock, server_hostname='127.0.0.1')
        self.assertEqual(b'', server.done())

    def test_verify_off_accepts_anything(self):
        ctx = tls.client_context(verify=False)
        self.assertEqual(ssl.CERT_NONE, ctx.verify_mode)
        self.assertEqual(b'y', self.send(ctx, self.other, b'y'))

    def test_thumbprints(self):
        self.assertEqual(self.cert.thumbprint(), tls.thumbprint(self.cert.der))
        self.assertEqual(self.cert.thumbprint('sha1'),
                         tls.sha1_thumbprint_of_pem(self.cert.pem))
        self.assertEqual(20 * 3 - 1, len(tls.sha1_thumbprint_of_pem(
            self.cert.pem)))

    def test_presented_thumbprint(self):
        server = RecordingServer(self.other)
        self.assertEqual(self.other.thumbprint(),
                         tls.presented_thumbprint('127.0.0.1', server.port))
        self.assertEqual(b'', server.done())

    def test_normalize_thumbprint(self):
        self.assertEqual('AB:CD:0F', tls.normalize_thumbprint('abcd0f'))
        self.assertEqual('AB:CD', tls.normalize_thumbprint('ab:cd'))
        self.assertIsNone(tls.normalize_thumbprint(None))
