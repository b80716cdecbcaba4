"""``/v1/jobs``: migrations (one VM each; several make a wave) and their
actions."""

from xmsclient.common import base
from xmsclient.v1 import events


class Job(base.Resource):
    pass


class Wave(base.Resource):
    """The answer of a create: ``wave_id`` and its ``jobs``."""

    def __init__(self, manager, info):
        super().__init__(manager, info)
        self.jobs = [manager._wrap(j) for j in info.get('jobs', [])]

    @property
    def id(self):
        return self._info.get('wave_id')


class JobManager(base.Manager):
    resource_class = Job
    collection = 'jobs'
    key = 'jobs'

    def create(self, vm_ids, type, **fields):  # noqa: A002 - the API's name
        """Create one job per VM (a wave); returns a :class:`Wave`.

        ``fields``: ``target``, ``sync_interval``, ``shutdown_timeout``,
        ``keep_target``, ``override_block``, ``override_reason``.
        """
        body = dict(fields, vm_ids=list(vm_ids), type=type)
        return Wave(self, self.api.call('POST', self._path(), body=body))

    def delete(self, job_id):
        """Delete a finished job; returns the API's acceptance."""
        return self.api.call('DELETE', self._path(job_id))

    def _action(self, job_id, action, body=None):
        return self.api.call('POST', self._path(job_id, action),
                             body=body or {})

    def sync(self, job_id):
        return self._action(job_id, 'sync')

    def cutover(self, job_id):
        return self._action(job_id, 'cutover')

    def cancel(self, job_id, keep_target=False):
        return self._action(job_id, 'cancel',
                            {'keep_target': True} if keep_target else None)

    def retry(self, job_id):
        return self._action(job_id, 'retry')

    def events(self, job_id, limit=None, marker=None, **filters):
        """The job's events, newest first."""
        manager = events.EventManager(self.api)
        return manager._list(self._path(job_id, 'events'), limit=limit,
                             marker=marker, **filters)
