"""Typed errors of the XMS client.

The API answers every error with one JSON shape, ``{"error": {"code",
"title", "message", "field", "request_id"}}``; :func:`from_response`
turns it into the exception of its HTTP status, carrying the API's own
message, so a caller (the CLI, the dashboard) can show one readable
line without parsing anything.
"""


class ClientException(Exception):
    """Base of every error this library raises."""


class UnsupportedVersion(ClientException):
    """The API version asked for is outside what client or server
    support."""


class ConnectionError(ClientException):  # noqa: A001 - keystoneauth's name
    """The API could not be reached."""


class HttpError(ClientException):
    """An error answer of the API.

    :ivar http_status: the HTTP status code.
    :ivar message: the API's message (one line).
    :ivar field: the request field the API names as wrong, or None.
    :ivar request_id: the API's request id, for the operator's logs.
    """

    http_status = None
    title = 'HTTP error'

    def __init__(self, message=None, http_status=None, field=None,
                 request_id=None, method=None, url=None, title=None):
        self.http_status = http_status or self.http_status
        self.message = message or self.title
        self.field = field
        self.request_id = request_id
        self.method = method
        self.url = url
        if title:
            self.title = title
        super().__init__(self.message)

    def __str__(self):
        text = '%s (HTTP %s)' % (self.message, self.http_status)
        if self.request_id:
            text += ' (Request-ID: %s)' % self.request_id
        return text


class BadRequest(HttpError):
    http_status = 400
    title = 'Bad Request'


class Unauthorized(HttpError):
    http_status = 401
    title = 'Unauthorized'


class Forbidden(HttpError):
    http_status = 403
    title = 'Forbidden'


class NotFound(HttpError):
    http_status = 404
    title = 'Not Found'


class MethodNotAllowed(HttpError):
    http_status = 405
    title = 'Method Not Allowed'


class NotAcceptable(HttpError):
    http_status = 406
    title = 'Not Acceptable'


class Conflict(HttpError):
    http_status = 409
    title = 'Conflict'


class RequestEntityTooLarge(HttpError):
    http_status = 413
    title = 'Request Entity Too Large'


class UnsupportedMediaType(HttpError):
    http_status = 415
    title = 'Unsupported Media Type'


class InternalServerError(HttpError):
    http_status = 500
    title = 'Internal Server Error'


class ServiceUnavailable(HttpError):
    http_status = 503
    title = 'Service Unavailable'


_BY_STATUS = {cls.http_status: cls for cls in (
    BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed,
    NotAcceptable, Conflict, RequestEntityTooLarge, UnsupportedMediaType,
    InternalServerError, ServiceUnavailable)}


def _error_doc(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    if isinstance(body, dict) and isinstance(body.get('error'), dict):
        return body['error']
    if isinstance(body, dict):
        # keystonemiddleware's 401 and other WSGI layers.
        for value in body.values():
            if isinstance(value, dict) and 'message' in value:
                return value
    return {}


def from_response(response, method=None, url=None):
    """The exception of an error answer (a ``requests`` response)."""
    status = response.status_code
    doc = _error_doc(response)
    message = doc.get('message')
    if not message:
        text = (response.text or '').strip().splitlines()
        message = text[0][:300] if text else response.reason
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else HttpError
    return cls(message=message, http_status=status, field=doc.get('field'),
               request_id=doc.get('request_id') or
               response.headers.get('x-openstack-request-id'),
               method=method, url=url, title=doc.get('title'))
