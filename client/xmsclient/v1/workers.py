"""``/v1/workers``: the conductor and worker pool (cloud admins)."""

from xmsclient import exceptions
from xmsclient.common import base


class Worker(base.Resource):

    @property
    def id(self):
        return self._info.get('host')


class WorkerManager(base.Manager):
    resource_class = Worker
    collection = 'workers'
    key = 'workers'

    def list(self, binary=None):
        return self._list(self._path(), binary=binary)

    def get(self, host):
        for worker in self.list():
            if worker.host == host:
                return worker
        raise exceptions.NotFound('No worker on host %s' % host)
