"""Client side of the conductor RPC API (server: conductor/manager.py).

Every method takes the request context first and IDs after it: never a
source password or any other secret, since messages cross the broker and
may be logged by it.

API version history:

* 1.0 - test_source, discover_source, run_preflights, start_job,
  sync_job, cutover_job, cancel_job, retry_job, delete_job
* 1.1 - run_preflights takes ``target_facts`` (the target's answers the
  API gathered with the user's token, which messages no longer carry)
"""

import oslo_messaging as messaging

from xms.common import rpc
from xms.conf import CONF


class ConductorAPI:
    """The API's (and other services') door to the conductors."""

    RPC_API_VERSION = '1.1'

    def __init__(self, topic=None, retry=None):
        """:param retry: reconnections a message may take while the
            broker is unreachable before the call raises
            ``MessageDeliveryFailure`` (None: oslo.messaging's default,
            retry forever). The API bounds it so that a request answers
            503 instead of hanging."""
        target = messaging.Target(topic=topic or CONF.conductor.topic,
                                  version='1.0')
        self.client = rpc.get_client(target)
        self.retry = retry

    def _cast(self, context, method, **kwargs):
        self.client.prepare(version='1.0', retry=self.retry).cast(
            context, method, **kwargs)

    def test_source(self, context, source_id, timeout=None):
        """Open a session to the source and report what it is.

        :returns: ``{'status', 'product_name', 'version', 'build',
            'api_type'}``.
        """
        cctxt = self.client.prepare(version='1.0', timeout=timeout,
                                    retry=self.retry)
        return cctxt.call(context, 'test_source', source_id=source_id)

    def discover_source(self, context, source_id):
        self._cast(context, 'discover_source', source_id=source_id)

    def run_preflights(self, context, preflight_ids, target_facts=None):
        """Run preflights in a conductor.

        :param target_facts: the answers of
            :func:`xms.preflight.target.gather`, or None when the
            preflights have no target to inspect.
        """
        self.client.prepare(version='1.1', retry=self.retry).cast(
            context, 'run_preflights', preflight_ids=list(preflight_ids),
            target_facts=target_facts)

    def start_job(self, context, job_id):
        self._cast(context, 'start_job', job_id=job_id)

    def sync_job(self, context, job_id):
        self._cast(context, 'sync_job', job_id=job_id)

    def cutover_job(self, context, job_id):
        self._cast(context, 'cutover_job', job_id=job_id)

    def cancel_job(self, context, job_id, keep_target=False):
        self._cast(context, 'cancel_job', job_id=job_id,
                   keep_target=keep_target)

    def retry_job(self, context, job_id):
        self._cast(context, 'retry_job', job_id=job_id)

    def delete_job(self, context, job_id):
        self._cast(context, 'delete_job', job_id=job_id)


_API = None


def get_api():
    """The process-wide client (created after :func:`rpc.init`).

    Its messages give up after ``[api] rpc_cast_retry`` reconnections.
    """
    global _API
    if _API is None:
        _API = ConductorAPI(retry=CONF.api.rpc_cast_retry)
    return _API


def reset():
    global _API
    _API = None
