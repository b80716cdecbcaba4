"""The oslo.policy enforcer of XMS.

Rules are defined in code (:mod:`xms.policies`); an operator's
``policy.yaml`` may override them. :func:`authorize` is what controllers
call: it raises :class:`~xms.common.exception.PolicyNotAuthorized` (403)
when a rule says no.
"""

import threading

from oslo_config import cfg
from oslo_log import log as logging
from oslo_policy import policy

from xms import policies
from xms.common import exception
from xms.conf import CONF

LOG = logging.getLogger(__name__)

_ENFORCER = None
_LOCK = threading.Lock()


def init(conf=CONF):
    """Create the enforcer once and register the rules in code."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is None:
            # Rules carry scope types (system for the cloud admin, project
            # for everyone); the new defaults are the only defaults we have.
            _ENFORCER = policy.Enforcer(conf)
            _ENFORCER.register_defaults(policies.list_rules())
    return _ENFORCER


def reset():
    """Forget the enforcer (tests change policy between cases)."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is not None:
            _ENFORCER.clear()
        _ENFORCER = None


def get_enforcer():
    return init()


def get_oslo_policy_enforcer():
    """Entry point ``oslo.policy.enforcer`` for oslopolicy-* tools."""
    # The tools parse their own command line; give CONF an empty one so
    # reading options does not fail.
    try:
        CONF([], project='xms')
    except cfg.Error:
        LOG.debug('Configuration already parsed')
    return init()


def authorize(rule, context, target=None):
    """Check ``rule`` for ``context`` against ``target``.

    :param target: values the rule may refer to; ``project_id`` defaults to
        the context's project (creating and listing act in it).
    :raises PolicyNotAuthorized: when the rule does not allow it.
    """
    target = _target(context, target)
    try:
        return get_enforcer().authorize(
            rule, target, context, do_raise=True,
            exc=exception.PolicyNotAuthorized, action=rule)
    except policy.InvalidScope:
        raise exception.PolicyNotAuthorized(action=rule)


def check(rule, context, target=None):
    """Like :func:`authorize` but returns a bool."""
    return get_enforcer().authorize(rule, _target(context, target),
                                    context, do_raise=False)


def is_cloud_admin(context):
    """Whether ``context`` is the cloud admin persona (rule ``admin_api``).

    The API sets ``context.is_admin`` from it, which lets database queries
    see every project.
    """
    return check('admin_api', context)


def _target(context, target):
    target = dict(target or {})
    # A system-scoped token has no project: leave project_id out rather
    # than let "project_id:%(project_id)s" compare None with None.
    if context.project_id:
        target.setdefault('project_id', context.project_id)
    return target
