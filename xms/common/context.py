"""The request context that travels with every API call and RPC message."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """XMS request context.

    It carries only identity (user, project, roles, token for the API
    side, trust id when a worker acts for a job) and never a source
    password: it is serialised into every RPC message.
    """

    def __init__(self, trust_id=None, **kwargs):
        super().__init__(**kwargs)
        self.trust_id = trust_id
        # ``(job_id, epoch)`` when the context writes for a claimed flow
        # (xms.common.fencing); never serialised, it is this process's.
        self.fence = None

    def to_dict(self):
        values = super().to_dict()
        values['trust_id'] = self.trust_id
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault('trust_id', values.get('trust_id'))
        return super().from_dict(values, **kwargs)

    def to_policy_values(self):
        values = super().to_policy_values()
        values['project_id'] = self.project_id
        return values

    def elevated(self):
        """A copy with the admin role, for internal service work."""
        ctx = self.__class__.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles = list(ctx.roles) + ['admin']
        return ctx


def get_admin_context():
    """Context for work no user asked for (periodic tasks, start-up)."""
    return RequestContext(is_admin=True, roles=['admin'], overwrite=False)
