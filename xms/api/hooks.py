"""Pecan hooks: configuration and the request context on every request."""

from pecan import hooks

from xms.api import validation
from xms.common import context as xms_context
from xms.common import policy
from xms.conf import CONF


class ConfigHook(hooks.PecanHook):
    """Attach the public endpoint so links are right behind a proxy."""

    def before(self, state):
        state.request.app_public_endpoint = CONF.api.public_endpoint


class ContextHook(hooks.PecanHook):
    """Build the RequestContext from keystonemiddleware's headers.

    With ``auth_strategy = noauth`` the same headers are set by
    :class:`xms.api.middleware.NoAuthMiddleware`.
    """

    def before(self, state):
        ctx = xms_context.RequestContext.from_environ(
            state.request.environ)
        # role:admin alone is any project's admin: only the cloud admin
        # persona sees every project.
        ctx.is_admin = policy.is_cloud_admin(ctx)
        state.request.context = ctx


class NoContentHook(hooks.PecanHook):
    """A 204 answer has no body (the JSON renderer would send "null")."""

    def after(self, state):
        if state.response.status_int == 204:
            state.response.body = b''
            del state.response.content_type


class JSONBodyHook(hooks.PecanHook):
    """Decode a JSON body with the validation layer before Pecan does.

    Pecan parses JSON bodies itself while routing, answering a generic
    400 on bytes that are not UTF-8 and a 500 on deep nesting; decoding
    first gives those bodies the validation layer's message instead.
    """

    def on_route(self, state):
        request = state.request
        if (request.content_type or '').lower() in (
                'application/json', 'application/javascript'):
            validation.json_body(request)
