"""WSGI middleware that is XMS's own."""

import webob.dec


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
        req.headers.setdefault('X-Roles', 'admin,member,reader')
        req.headers['X-Identity-Status'] = 'Confirmed'
        return req.get_response(self.app)
