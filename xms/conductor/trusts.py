"""Revocation of the Keystone trusts of finished jobs.

A job carries a trust so that workers can act in its project long after
the user's token expired. Once the job is ``completed`` or ``cancelled``
nothing will act for it again, so the conductor revokes the trust on its
next periodic pass; a failed job keeps its trust, since a retry needs it,
and deleting a job revokes it at once (``ConductorManager.delete_job``).

Keystone lets the trustor or an admin revoke a trust; the XMS service user
therefore needs the admin role in its project (as Nova's and Cinder's
service users have) or the revocation is logged and retried on the next
pass.
"""

from oslo_log import log as logging

from xms.common import context as xms_context
from xms.common import events
from xms.common import exception
from xms.common import states
from xms.db import api as db_api

LOG = logging.getLogger(__name__)

# States after which no flow runs for the job without a new trust.
REVOKE_STATES = (states.COMPLETED, states.CANCELLED)


def revoke_finished(context=None, keystone=None):
    """Revoke the trusts of completed and cancelled jobs.

    :param keystone: the module that talks to Keystone (tests pass a fake).
    :returns: the number of trusts revoked.
    """
    if keystone is None:
        from xms.common import keystone
    context = context or xms_context.get_admin_context()
    revoked = 0
    for job in db_api.job_list(context, filters={
            'state': list(REVOKE_STATES)}):
        if not job.trust_id:
            continue
        if not keystone.delete_trust(context, job.trust_id):
            continue
        try:
            db_api.job_update(context, job.id, {'trust_id': None},
                              expected={'trust_id': job.trust_id})
        except exception.ConcurrentUpdate:
            continue
        events.record(context, 'job', 'trust_revoked',
                      'Keystone trust revoked: the job is %s' % job.state,
                      job=job)
        LOG.info('Job %s (%s): trust %s revoked', job.uuid, job.state,
                 job.trust_id)
        revoked += 1
    return revoked
