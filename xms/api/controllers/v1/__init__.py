"""API v1: the resources of XMS under ``/v1``."""

import pecan

from xms.api.controllers.v1 import events
from xms.api.controllers.v1 import jobs
from xms.api.controllers.v1 import preflights
from xms.api.controllers.v1 import sources
from xms.api.controllers.v1 import vms
from xms.api.controllers.v1 import workers


class V1Controller:
    """``/v1``: version document, resources and the OpenAPI description."""

    sources = sources.SourcesController()
    vms = vms.VmsController()
    preflights = preflights.PreflightsController()
    jobs = jobs.JobsController()
    events = events.EventsController()
    workers = workers.WorkersController()

    @pecan.expose('json')
    def index(self):
        from xms.api.controllers import root
        doc = root.version_document(root.public_url())
        base = root.public_url().rstrip('/') + '/v1/'
        doc['resources'] = {
            name: {'href': base + name}
            for name in ('sources', 'vms', 'preflights', 'jobs', 'events',
                         'workers')}
        doc['links'].append({'href': base + 'openapi.json',
                             'rel': 'describedby',
                             'type': 'application/openapi+json'})
        return doc

    @pecan.expose('json')
    def openapi(self):
        from xms.api import openapi
        return openapi.document()


pecan.route(V1Controller, 'openapi.json', V1Controller.openapi)
