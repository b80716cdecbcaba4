"""``/v1/workers``: the conductor and worker pool (operators)."""

import pecan
from pecan import rest

from xms.api import validation
from xms.api.controllers.v1 import utils
from xms.api.schemas import workers as schema
from xms.common import policy
from xms.conf import CONF
from xms.db import api as db_api


def worker_view(worker):
    alive = db_api.worker_is_alive(worker, CONF.conductor.heartbeat_timeout)
    return {
        'host': worker.host,
        'binary': worker.binary,
        'slots': worker.slots or 0,
        'running': worker.running or 0,
        'free_slots': max((worker.slots or 0) - (worker.running or 0), 0)
        if alive else 0,
        'version': worker.version,
        'state': worker.state if alive else 'down',
        'alive': alive,
        'started_at': utils.isotime(worker.started_at),
        'heartbeat_at': utils.isotime(worker.heartbeat_at),
    }


class WorkersController(rest.RestController):

    @pecan.expose('json')
    @validation.validated(query=schema.LIST_QUERY)
    def get_all(self, query):
        ctx = utils.context()
        policy.authorize('xms:workers:list', ctx)
        rows = db_api.worker_list(ctx, binary=query.get('binary'))
        return {'workers': [worker_view(w) for w in rows]}
