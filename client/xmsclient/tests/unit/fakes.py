"""Fakes of the unit tests: an HTTP server speaking the XMS API's
protocol (version document, error shape) and an OSC app around a fake
client."""

import http.server
import io
import json
import threading
from unittest import mock

from xmsclient.common import base

JOB_ID = '11111111-2222-3333-4444-555555555555'
VM_ID = '22222222-3333-4444-5555-666666666666'
SOURCE_ID = '33333333-4444-5555-6666-777777777777'
WAVE_ID = '44444444-5555-6666-7777-888888888888'


class Api(http.server.ThreadingHTTPServer):
    """A loopback server answering from ``routes``:
    ``{(method, path): (status, body)}``; it records each request."""

    def __init__(self, routes, versions=('1.0', '1.0')):
        self.routes = routes
        self.versions = versions
        self.requests = []
        super().__init__(('127.0.0.1', 0), _Handler)
        self.url = 'http://127.0.0.1:%d' % self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):

    def log_message(self, *args):
        pass

    def _answer(self, method):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        server = self.server
        server.requests.append({
            'method': method, 'path': self.path,
            'headers': dict(self.headers),
            'body': json.loads(body) if body else None})
        if self.path == '/':
            low, high = server.versions
            status, doc = 200, {'default_version': {
                'id': 'v1', 'min_version': low, 'version': high}}
        else:
            status, doc = server.routes.get(
                (method, self.path),
                (404, {'error': {'code': 404, 'title': 'Not Found',
                                 'message': 'No route %s' % self.path,
                                 'field': None, 'request_id': 'req-1'}}))
        data = b'' if doc is None else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        self._answer('GET')

    def do_POST(self):  # noqa: N802
        self._answer('POST')

    def do_PUT(self):  # noqa: N802
        self._answer('PUT')

    def do_PATCH(self):  # noqa: N802
        self._answer('PATCH')

    def do_DELETE(self):  # noqa: N802
        self._answer('DELETE')


class TtyBuffer(io.StringIO):
    def __init__(self, tty=False):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def resource(info):
    return base.Resource(None, info)


def source(**extra):
    info = {'uuid': SOURCE_ID, 'name': 'vc1', 'type': 'vmware',
            'host': 'vc.example', 'port': 443, 'username': 'admin',
            'datacenter': None, 'verify_tls': True, 'ca_cert': None,
            'thumbprint': None, 'status': 'connected',
            'status_reason': None, 'status_checked_at': None,
            'product_name': 'VMware vCenter Server',
            'product_version': '8.0', 'product_build': '1',
            'api_type': 'VirtualCenter',
            'discovery': {'status': 'completed', 'started_at': None,
                          'finished_at': None, 'error': None},
            'project_id': 'p', 'created_at': 't0', 'updated_at': 't1',
            'links': []}
    info.update(extra)
    return resource(info)


def job(state='running', phase='export', percent=50.0, **extra):
    info = {'uuid': JOB_ID, 'vm_id': VM_ID, 'vm_name': 'web1',
            'source_id': SOURCE_ID, 'wave_id': WAVE_ID, 'type': 'cold',
            'state': state, 'phase': phase, 'target': {'flavor_id': 'm1'},
            'progress': {'bytes_done': int(percent * 10 * 1024 * 1024),
                         'bytes_total': 1000 * 1024 * 1024,
                         'percent': percent, 'rate_bps': 50 * 1024 * 1024,
                         'eta_seconds': 10},
            'lag': {'last_sync_at': None, 'next_sync_at': None,
                    'seconds': None, 'pending_bytes': None},
            'incremental_syncs': 0, 'error': None, 'worker_host': 'w1',
            'allowed_actions': ['cancel'], 'keep_target': False,
            'override_block': False, 'override_reason': None,
            'sync_interval': None, 'shutdown_timeout': None,
            'target_resources': None, 'project_id': 'p', 'user_id': 'u',
            'started_at': None, 'finished_at': None, 'created_at': 't0',
            'updated_at': 't1', 'links': [],
            'disks': [{'device_key': 2000, 'percent': percent,
                       'bytes_done': 1, 'bytes_total': 2,
                       'rate_bps': None}],
            'syncs': []}
    info.update(extra)
    return resource(info)


def app(tty=False):
    """An OSC app stand-in with a mock ``migration`` client."""
    fake = mock.Mock()
    fake.stdout = TtyBuffer(tty)
    fake.client_manager.migration = mock.Mock()
    return fake
