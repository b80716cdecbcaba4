"""The XMS WSGI application and its middleware stack.

From the outside in: request id, proxy headers, CORS, the request body
(read once whatever its framing, within the size limit), health check,
authentication (keystonemiddleware ``auth_token``, or ``noauth`` for
tests and the all-in-one default), then the Pecan app.
Version discovery (``/``) and ``/healthcheck`` are reachable without a
token.
"""

from keystonemiddleware import auth_token
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
import pecan

from xms.api import errors
from xms.api import hooks
from xms.api import middleware
from xms.api import versions
from xms.common import policy
from xms.conf import CONF

PUBLIC_PATHS = ('/', '/v1', '/v1/', '/v1/openapi.json')


class _PublicRoutesAuth:
    """Run ``auth_token`` except on version discovery."""

    def __init__(self, app, auth_app):
        self.app = app
        self.auth_app = auth_app

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '/') in PUBLIC_PATHS:
            return self.app(environ, start_response)
        return self.auth_app(environ, start_response)


class _Healthcheck:
    """Send ``/healthcheck`` to oslo.middleware's health check.

    Recent oslo.middleware releases deploy the health check as an app
    that answers every path, so the path is routed here.
    """

    PATH = '/healthcheck'

    def __init__(self, app, check_app):
        self.app = app
        self.check_app = check_app

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '/') == self.PATH:
            return self.check_app(environ, start_response)
        return self.app(environ, start_response)


def setup_app(conf=CONF, extra_hooks=()):
    """Build the WSGI application from configuration."""
    app_hooks = [hooks.JSONBodyHook(), hooks.ConfigHook(),
                 hooks.ContextHook(),
                 versions.MicroversionHook(), errors.ErrorHook(),
                 hooks.NoContentHook()]
    app_hooks += list(extra_hooks)
    policy.init(conf)
    app = pecan.make_app('xms.api.controllers.root.RootController',
                         hooks=app_hooks,
                         force_canonical=False,
                         guess_content_type_from_ext=False)
    if conf.api.auth_strategy == 'keystone':
        app = _PublicRoutesAuth(
            app, auth_token.AuthProtocol(app, {'oslo_config_config': conf}))
    else:
        app = middleware.NoAuthMiddleware(app)
    app = _Healthcheck(app, healthcheck.Healthcheck(
        app, {'backends': 'disable_by_file', 'oslo_config_project': 'xms'}))
    app = middleware.RequestInput(app, conf)
    # Outside the body reader and auth_token, so every 4xx they answer
    # gets the API's error format too.
    app = errors.ErrorFormatMiddleware(app)
    app = cors.CORS(app, conf)
    if conf.api.enable_proxy_headers_parsing:
        app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    app = request_id.RequestId(app)
    return app
