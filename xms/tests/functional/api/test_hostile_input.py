"""Hostile input over a real socket: the embedded server (``xms-api``),
keystonemiddleware and a real Keystone, MariaDB and RabbitMQ.

Chunked, oversized, deeply nested, wrongly typed, not UTF-8, unknown
fields, path separators and control characters: 0 answers 5xx, every 4xx
names the field and says why, nothing is created; a chunked body is read
like any other. The figures are printed.
"""

import http.client
import json
import select
import socket

from xms.api import app
from xms.api import server
from xms.tests import chunked as chunked_coding
from xms.tests.functional.api import base

LIMIT = 114688  # [oslo_middleware]/max_request_body_size default
VM = '7c9e6679-7425-40de-944b-e07fc1f90ae7'


def chunked(data, size=1000):
    return chunked_coding.encode(data, size)


def source(**values):
    body = {'name': 'vc-hostile', 'host': 'vc.example.org',
            'username': 'svc', 'password': 'Sup3rSecret!'}
    body.update(values)
    return json.dumps(body).encode('utf-8')


def job(**target):
    return json.dumps({'vm_ids': [VM], 'type': 'cold',
                       'target': target}).encode('utf-8')


class TestHostileInput(base.KeystoneAPITestCase):

    def setUp(self):
        super().setUp()
        self.server = server.APIServer(app.setup_app(), '127.0.0.1', 0)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.token = self.tokens['manager']

    # --- raw HTTP ---

    def _head(self, method, path, headers):
        lines = ['%s %s HTTP/1.1' % (method, path),
                 'Host: 127.0.0.1:%d' % self.server.port,
                 'X-Auth-Token: %s' % self.token,
                 'Content-Type: application/json', 'Connection: close']
        lines += ['%s: %s' % kv for kv in headers.items()]
        return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')

    def send(self, method, path, payload=b'', headers=None):
        """Send bytes as they are; stop sending once the server answers
        (it refuses an oversized body without reading it all).

        :returns: ``(status, error dict or body, bytes sent)``.
        """
        sock = socket.create_connection(('127.0.0.1', self.server.port),
                                        timeout=30)
        data = self._head(method, path, headers or {}) + payload
        sent = 0
        try:
            while sent < len(data):
                readable, _w, _x = select.select([sock], [], [], 0)
                if readable:
                    break
                sent += sock.send(data[sent:sent + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b''
        try:
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                answer += part
        except ConnectionResetError:
            pass
        sock.close()
        head, _sep, body = answer.partition(b'\r\n\r\n')
        status = int(head.split(b' ', 2)[1])
        body = json.loads(body) if body else None
        return status, (body or {}).get('error', body), sent

    def count(self, collection):
        conn = http.client.HTTPConnection('127.0.0.1', self.server.port,
                                          timeout=30)
        conn.request('GET', '/v1/%s?limit=1000' % collection,
                     headers={'X-Auth-Token': self.token})
        items = json.loads(conn.getresponse().read())[collection]
        conn.close()
        return len(items)

    # --- the cases ---

    def cases(self):
        """(name, method, path, payload, headers, status, field)."""
        big = source(name='vc-big', password='x' * (10 * 1024 * 1024))
        nested = b'{"name": ' + b'[' * 5000 + b']' * 5000 + b'}'
        return [
            ('chunked, over the limit', 'POST', '/v1/sources',
             chunked(big, 65536), {'Transfer-Encoding': 'chunked'},
             413, 'body'),
            ('declared 10 MiB', 'POST', '/v1/sources', big,
             {'Content-Length': str(len(big))}, 413, 'body'),
            ('broken chunking', 'POST', '/v1/sources', b'zz\r\n{}\r\n',
             {'Transfer-Encoding': 'chunked'}, 400, 'body'),
            ('chunked and Content-Length', 'POST', '/v1/sources',
             chunked(source()), {'Transfer-Encoding': 'chunked',
                                 'Content-Length': '5'}, 400,
             'Content-Length'),
            ('not UTF-8', 'POST', '/v1/sources',
             b'{"name": "vc\xff\xfe", "host": "h"}',
             {}, 400, 'body'),
            ('chunked, not UTF-8', 'POST', '/v1/sources',
             chunked(b'{"name": "\xc3\x28"}', 4),
             {'Transfer-Encoding': 'chunked'}, 400, 'body'),
            ('nested 5000 deep', 'POST', '/v1/sources', nested,
             {}, 400, 'body'),
            ('not JSON', 'POST', '/v1/sources', b'{"name": ',
             {}, 400, 'body'),
            ('NaN', 'POST', '/v1/sources', b'{"port": NaN}',
             {}, 400, 'body'),
            ('wrong type', 'POST', '/v1/sources', source(name=5), {},
             400, 'name'),
            ('wrong type, nested', 'POST', '/v1/jobs',
             job(network_mapping={'a': 1}), {}, 400,
             'target.network_mapping'),
            ('unknown field', 'POST', '/v1/sources', source(colour='red'),
             {}, 400, 'colour'),
            ('unknown nested field', 'POST', '/v1/jobs', job(command='sh'),
             {}, 400, 'target.command'),
            ('name ../../etc/passwd', 'POST', '/v1/sources',
             source(name='../../etc/passwd'), {}, 400, 'name'),
            ('name with backslash', 'POST', '/v1/sources',
             source(name='..\\..\\boot.ini'), {}, 400, 'name'),
            ('name with NUL', 'POST', '/v1/sources', source(name='vc\x00'),
             {}, 400, 'name'),
            ('name with ANSI escape', 'POST', '/v1/sources',
             source(name='vc\x1b[2J'), {}, 400, 'name'),
            ('name with newline', 'POST', '/v1/sources',
             source(name='vc\nFAKE LOG LINE'), {}, 400, 'name'),
            ('instance name with /', 'POST', '/v1/jobs',
             job(instance_name='../../x'), {}, 400, 'target.instance_name'),
            ('flavor with /', 'POST', '/v1/jobs',
             job(flavor_id='../os-hypervisors'), {}, 400,
             'target.flavor_id'),
            ('volume type with control character', 'POST', '/v1/jobs',
             job(disk_volume_types={'2000': 'ssd\x07'}), {}, 400,
             'target.disk_volume_types.2000'),
            ('security group with /', 'POST', '/v1/jobs',
             job(security_groups=['default', 'a/b']), {}, 400,
             'target.security_groups[1]'),
            ('datacenter with control character', 'POST', '/v1/sources',
             source(datacenter='DC1\x00'), {}, 400, 'datacenter'),
            ('path not UTF-8', 'GET', '/v1/sources/%ff', b'', {}, 400,
             'path'),
            ('query not UTF-8', 'GET', '/v1/sources?name=%c3%28', b'', {},
             400, 'query'),
            ('unknown query parameter', 'GET', '/v1/jobs?rm=1', b'', {},
             400, 'rm'),
        ]

    def test_hostile_bodies(self):
        before = {c: self.count(c) for c in ('sources', 'jobs')}
        rows, problems = [], []
        for name, method, path, payload, headers, status, field in \
                self.cases():
            if 'Content-Length' not in headers and \
                    'Transfer-Encoding' not in headers:
                headers = dict(headers, **{'Content-Length':
                                           str(len(payload))})
            got, error, sent = self.send(method, path, payload, headers)
            error = error if isinstance(error, dict) else {}
            rows.append('%-36s %3d  %-30s %9d  %s' % (
                name, got, error.get('field'), sent,
                (error.get('message') or '')[:70]))
            if got >= 500:
                problems.append('%s: %d' % (name, got))
            elif (got, error.get('field')) != (status, field):
                problems.append('%s: %d %s (wanted %d %s)' % (
                    name, got, error.get('field'), status, field))
            elif not (error.get('message') or '').startswith(field + ':'):
                problems.append('%s: message does not start with %s' % (
                    name, field))
        after = {c: self.count(c) for c in ('sources', 'jobs')}
        self.print_figures('hostile-input', '%-36s %3s  %-30s %9s  %s\n%s\n'
                           '%d cases, %d unexpected, created: %s' % (
                               'case', 'got', 'field', 'bytes', 'message',
                               '\n'.join(rows), len(rows), len(problems),
                               {c: after[c] - before[c] for c in after}))
        self.assertEqual([], problems)
        self.assertEqual(before, after)
        # The oversized chunked body was refused after the limit, not
        # read to its end.
        _s, _e, sent = self.send(
            'POST', '/v1/sources', chunked(source(password='x' * 10 ** 7),
                                           65536),
            {'Transfer-Encoding': 'chunked'})
        self.assertLess(sent, 10 ** 7)

    def test_chunked_body_read_like_any_other(self):
        body = source(name='vc-chunked')
        status, answer, _sent = self.send(
            'POST', '/v1/sources', chunked(body, 7),
            {'Transfer-Encoding': 'chunked'})
        self.assertEqual(201, status, answer)
        self.assertEqual('vc-chunked', answer['name'])
        # And exactly as with a Content-Length.
        status, answer, _sent = self.send(
            'POST', '/v1/sources', source(name='vc-length'),
            {'Content-Length': str(len(source(name='vc-length')))})
        self.assertEqual(201, status, answer)
