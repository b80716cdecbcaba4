"""The XMS WSGI application and its middleware stack.

From the outside in: request id, proxy headers, CORS, body size limit,
health check, authentication (keystonemiddleware ``auth_token``, or
``noauth`` for tests and the all-in-one default), then the Pecan app.
Version discovery (``/``) and ``/healthcheck`` are reachable without a
token.
"""

from keystonemiddleware import auth_token
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import pecan

from xms.api import hooks
from xms.api import middleware
from xms.conf import CONF

PUBLIC_PATHS = ('/', '/v1', '/v1/')


class _PublicRoutesAuth:
    """Run ``auth_token`` except on version discovery."""

    def __init__(self, app, auth_app):
        self.app = app
        self.auth_app = auth_app

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '/') in PUBLIC_PATHS:
            return self.app(environ, start_response)
        return self.auth_app(environ, start_response)


def setup_app(conf=CONF, extra_hooks=()):
    """Build the WSGI application from configuration."""
    app_hooks = [hooks.ConfigHook(), hooks.ContextHook()] + list(extra_hooks)
    app = pecan.make_app('xms.api.controllers.root.RootController',
                         hooks=app_hooks,
                         force_canonical=False,
                         guess_content_type_from_ext=False)
    if conf.api.auth_strategy == 'keystone':
        app = _PublicRoutesAuth(
            app, auth_token.AuthProtocol(app, {'oslo_config_config': conf}))
    else:
        app = middleware.NoAuthMiddleware(app)
    app = healthcheck.Healthcheck(app, {'path': '/healthcheck',
                                        'backends': 'disable_by_file',
                                        'oslo_config_project': 'xms'})
    app = sizelimit.RequestBodySizeLimiter(app, conf)
    app = cors.CORS(app, conf)
    if conf.api.enable_proxy_headers_parsing:
        app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    app = request_id.RequestId(app)
    return app
