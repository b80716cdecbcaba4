"""One error format for every 4xx and 5xx answer of the API.

Every error body is::

    {"error": {"code": 400, "title": "Bad Request",
               "message": "port: 70000 is greater than the maximum of 65535",
               "field": "port", "request_id": "req-..."}}

``field`` names the request field (JSON body path, query or path
parameter) that is wrong, or is null when the error is not about one
field. :class:`ErrorHook` formats errors raised inside the Pecan app;
:class:`ErrorFormatMiddleware` reformats the ones produced by middleware
(``auth_token``'s 401, the body size limit's 413, routing's 404/405) so
clients parse one shape only.
"""

import json

from keystoneauth1 import exceptions as ks_exc
from oslo_db import exception as db_exc
from oslo_log import log as logging
import oslo_messaging as messaging
from pecan import hooks
from sqlalchemy import exc as sa_exc
import webob
import webob.exc

from xms.api import versions
from xms.common import exception
from xms.conf import CONF

LOG = logging.getLogger(__name__)


def _title(code):
    return webob.exc.status_map.get(code, webob.exc.HTTPError).title


def error_body(code, message, field=None, request_id=None):
    return {'error': {'code': code, 'title': _title(code),
                      'message': message, 'field': field,
                      'request_id': request_id}}


def error_response(code, message, field=None, request_id=None,
                   headers=None):
    resp = webob.Response(status=code, content_type='application/json',
                          charset='utf-8')
    resp.text = json.dumps(error_body(code, message, field, request_id))
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _request_id(environ):
    return environ.get('openstack.request_id')


def _unavailable(exc):
    """The dependency an unexpected exception says is down, or None.

    Outages of the database, the message broker and Keystone are the
    operator's to fix and the client's to retry: they answer 503 with
    ``Retry-After`` rather than 500, and say which one is down.
    """
    if isinstance(exc, (db_exc.DBConnectionError, sa_exc.TimeoutError)):
        return 'database'
    if isinstance(exc, messaging.MessageDeliveryFailure):
        return 'message broker'
    if isinstance(exc, messaging.MessagingTimeout):
        return 'conductor service'
    if isinstance(exc, (ks_exc.ConnectionError,
                        ks_exc.ServiceUnavailable)):
        return 'identity service (Keystone)'
    return None


def _field(exc):
    """The request field an XMS exception is about, if any."""
    field = getattr(exc, 'field', None)
    if field:
        return field
    if isinstance(exc, exception.InvalidParameterValue):
        return exc.kwargs.get('name')
    if isinstance(exc, exception.SourceAlreadyExists):
        return 'name'
    return None


class ErrorHook(hooks.PecanHook):
    """Turn exceptions raised by controllers into formatted responses.

    An :class:`~xms.common.exception.XmsException` keeps its status and
    message; any other exception is a 500 whose details stay in the log,
    since they may hold internals a user must not see.
    """

    priority = 1

    def on_error(self, state, exc):
        request = state.request
        rid = _request_id(request.environ)
        headers = versions.response_headers(request)
        service = _unavailable(exc)
        if service is not None:
            LOG.warning('Request %s refused, the %s is unreachable: %s',
                        rid, service, exc)
            exc = exception.DependencyUnavailable(
                service=service, reason=type(exc).__name__)
        if isinstance(exc, exception.XmsException):
            code = exc.code
            message = exc.message
            field = _field(exc)
            if code == 503:
                headers['Retry-After'] = str(CONF.api.retry_after)
            elif code >= 500:
                LOG.error('Request %s failed: %s', rid, message)
        elif isinstance(exc, webob.exc.HTTPException):
            code = exc.code
            if code < 400:
                return None
            message = exc.explanation or exc.title
            if code == 404:
                message = 'The resource could not be found.'
            elif code == 405:
                message = 'Method %s is not allowed on %s.' % (
                    request.method, request.path)
            field = None
        else:
            LOG.error('Unexpected error in request %s', rid,
                      exc_info=(type(exc), exc, exc.__traceback__))
            code = 500
            message = ('The server failed to handle the request; the '
                       'operator can find request %s in the logs.' % rid)
            field = None
        return error_response(code, message, field, rid, headers)


class ErrorFormatMiddleware:
    """Reformat error answers of middleware into the API's error shape."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        resp = req.get_response(self.app)
        if resp.status_code >= 400 and not self._formatted(resp):
            message = self._message(resp)
            new = error_response(resp.status_code, message, None,
                                 _request_id(environ))
            for key in ('WWW-Authenticate', 'x-openstack-request-id',
                        'Allow'):
                if key in resp.headers:
                    new.headers[key] = resp.headers[key]
            resp = new
        return resp(environ, start_response)

    @staticmethod
    def _formatted(resp):
        if resp.content_type != 'application/json':
            return False
        try:
            body = json.loads(resp.body)
        except ValueError:
            return False
        return isinstance(body, dict) and 'field' in (body.get('error')
                                                     or {})

    @staticmethod
    def _message(resp):
        if resp.status_code == 413:
            return 'The request body is larger than the API accepts.'
        if resp.status_code == 401:
            return ('Authentication required: send a valid Keystone '
                    'token in X-Auth-Token.')
        if resp.content_type == 'application/json':
            try:
                body = json.loads(resp.body)
                if isinstance(body.get('error'), dict):
                    return str(body['error'].get('message'))
            except (ValueError, AttributeError):
                pass
        return resp.status.split(' ', 1)[-1]
