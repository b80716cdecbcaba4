"""WSGI middleware that is XMS's own."""

import io
from urllib import parse as urlparse

from oslo_middleware import sizelimit
import webob.dec

from xms.api import errors


class NoAuthMiddleware:
    """Trust the caller: only for unit tests and the all-in-one default.

    The request acts as an admin of the project in ``X-Project-Id``
    (default ``xms``), so an all-in-one deployment on loopback needs no
    Keystone. Never enable it on a listening address others can reach.
    """

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify
    def __call__(self, req):
        project = req.headers.get('X-Project-Id', 'xms')
        req.headers['X-Project-Id'] = project
        req.headers.setdefault('X-User-Id', 'noauth')
        req.headers.setdefault('X-Roles', 'admin,manager,member,reader')
        req.headers['X-Identity-Status'] = 'Confirmed'
        return req.get_response(self.app)


class BodyTooLarge(Exception):
    """More bytes than ``[oslo_middleware]/max_request_body_size``."""


class BadChunking(Exception):
    """A ``Transfer-Encoding: chunked`` body that does not parse."""


def _read_limited(stream, limit):
    """Read ``stream`` to its end, but never more than ``limit`` bytes."""
    parts, size = [], 0
    while True:
        data = stream.read(min(65536, limit + 1 - size))
        if not data:
            return b''.join(parts)
        size += len(data)
        if size > limit:
            raise BodyTooLarge()
        parts.append(data)


def _read_line(stream):
    line = stream.readline(1026)
    if not line.endswith(b'\n'):
        raise BadChunking()
    return line


def _dechunk(stream, limit):
    """Decode a chunked body (RFC 9112 section 7.1), up to ``limit``."""
    parts, size = [], 0
    while True:
        head = _read_line(stream).split(b';', 1)[0].strip()
        try:
            length = int(head, 16)
        except ValueError:
            raise BadChunking()
        if length < 0:
            raise BadChunking()
        if length == 0:
            while _read_line(stream).strip():  # trailer fields
                pass
            return b''.join(parts)
        size += length
        if size > limit:
            raise BodyTooLarge()
        data = stream.read(length)
        if len(data) != length or _read_line(stream).strip():
            raise BadChunking()
        parts.append(data)


class RequestInput:
    """Read the request body once, whatever framing it came in.

    A WSGI server hands over a body in one of three ways: with a
    ``Content-Length``; de-chunked and marked ``wsgi.input_terminated``
    (gunicorn, mod_wsgi, uwsgi with chunked input); or, as the standard
    library's ``wsgiref`` does, as the raw chunked
    stream with no length at all, which WebOb reads as empty. This reads
    all three the same way, counts the bytes actually read against
    ``[oslo_middleware]/max_request_body_size`` (413 past it, without
    reading further), and gives the application a body with a
    ``Content-Length``, so everything after it sees one kind of request.

    It also refuses a path or query string that does not decode as UTF-8
    (400 naming ``path`` or ``query``), which the routing would otherwise
    answer with a generic 400.
    """

    def __init__(self, app, conf):
        conf.register_opts(sizelimit.OPTS, group='oslo_middleware')
        self.app = app
        self.conf = conf

    def __call__(self, environ, start_response):
        for field, raw in (
                ('path', environ.get('PATH_INFO', '').encode('latin-1')),
                ('query', urlparse.unquote_to_bytes(
                    environ.get('QUERY_STRING', '')))):
            try:
                raw.decode('utf-8')
            except UnicodeDecodeError:
                return self._error(
                    environ, start_response, 400,
                    '%s: is not valid UTF-8 once percent-decoded.' % field,
                    field)
        limit = self.conf.oslo_middleware.max_request_body_size
        stream = environ.get('wsgi.input')
        length = environ.get('CONTENT_LENGTH') or ''
        chunked = 'chunked' in environ.get(
            'HTTP_TRANSFER_ENCODING', '').lower()
        if chunked and length.strip():
            # Two framings that may disagree: the way requests are
            # smuggled past proxies (refused even when the server
            # de-chunked the body and ignored the length).
            return self._error(
                environ, start_response, 400,
                'Content-Length: must not come with '
                'Transfer-Encoding: chunked.', 'Content-Length')
        try:
            if environ.get('wsgi.input_terminated'):
                # The server framed the body (de-chunked it): read to EOF.
                try:
                    body = _read_limited(stream, limit)
                except ValueError:
                    # cheroot's de-chunking reader on a broken framing.
                    raise BadChunking()
            elif chunked:
                body = _dechunk(stream, limit)
            elif length.strip():
                try:
                    length = int(length)
                except ValueError:
                    length = -1
                if length < 0:
                    return self._error(environ, start_response, 400,
                                       'Content-Length: must be a number '
                                       'of bytes.', 'Content-Length')
                if length > limit:
                    raise BodyTooLarge()
                body = stream.read(length) if length else b''
            else:
                body = b''
        except BodyTooLarge:
            return self._error(
                environ, start_response, 413,
                'body: is larger than the API accepts; send at most %d '
                'bytes ([oslo_middleware]/max_request_body_size).' % limit,
                'body')
        except BadChunking:
            return self._error(
                environ, start_response, 400,
                'body: is not valid chunked transfer encoding.', 'body')
        environ['wsgi.input'] = io.BytesIO(body)
        environ['CONTENT_LENGTH'] = str(len(body))
        environ.pop('HTTP_TRANSFER_ENCODING', None)
        environ.pop('wsgi.input_terminated', None)
        return self.app(environ, start_response)

    @staticmethod
    def _error(environ, start_response, code, message, field):
        resp = errors.error_response(code, message, field,
                                     environ.get('openstack.request_id'))
        return resp(environ, start_response)
