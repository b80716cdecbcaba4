"""The v1 client: one manager per API collection."""

from xmsclient.common import http
from xmsclient.v1 import events
from xmsclient.v1 import jobs
from xmsclient.v1 import preflights
from xmsclient.v1 import sources
from xmsclient.v1 import vms
from xmsclient.v1 import workers


class Client:
    """XMS API v1.

    :param session: a keystoneauth1 session.
    :param endpoint_override: the API's URL, instead of the catalog's
        ``migration`` endpoint.
    :param api_version: ``'1.N'`` to pin a microversion, ``'latest'``
        (default) for the highest both sides speak.
    :param kwargs: more keystoneauth adapter options (``interface``,
        ``region_name``, ``service_name``...).
    """

    def __init__(self, session=None, endpoint_override=None,
                 api_version=http.LATEST, **kwargs):
        self.http = http.SessionClient(
            session, api_version=api_version,
            endpoint_override=endpoint_override, **kwargs)
        self.sources = sources.SourceManager(self.http)
        self.vms = vms.VmManager(self.http)
        self.preflights = preflights.PreflightManager(self.http)
        self.jobs = jobs.JobManager(self.http)
        self.events = events.EventManager(self.http)
        self.workers = workers.WorkerManager(self.http)

    @property
    def api_version(self):
        """The negotiated version as ``'1.N'`` (asks the server once)."""
        return http.version_string(self.http.negotiate())
