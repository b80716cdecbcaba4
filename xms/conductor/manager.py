"""The conductor's RPC endpoints (server side of conductor/rpcapi.py).

The conductor owns every job state transition. RPC methods take the
request context first and IDs after it, never secrets.

The job actions below only validate the request against the state
machine and record it as an event for now; the orchestration layer fills
them with flows. Keep them small: they are the seam it plugs into.
"""

import importlib

from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils

from xms.common import events
from xms.common import exception
from xms.common import states
from xms.db import api as db_api

LOG = logging.getLogger(__name__)


def _sources():
    # Imported when used: the drivers pull in pyvmomi, which the API and
    # most tests never need.
    return importlib.import_module('xms.sources.base')


def _jobs():
    # The orchestration layer (flows, jobboard) loads TaskFlow: imported
    # when a job action first runs.
    return importlib.import_module('xms.conductor.jobs')


class ConductorManager:
    """RPC endpoint of xms-conductor.

    API version history:

    * 1.0 - initial version: test_source, discover_source, run_preflights,
      start_job, sync_job, cutover_job, cancel_job, retry_job, delete_job
    * 1.1 - run_preflights takes target_facts
    """

    RPC_API_VERSION = '1.1'

    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, host):
        self.host = host

    # --- sources ---

    def test_source(self, context, source_id):
        """Open a vSphere session, report product, version and build.

        The driver decrypts the password (in this process only) and
        records the source's status; this adds the event users see.
        """
        source = db_api.source_get(context, source_id)
        try:
            driver = _sources().get_driver(source.type)
            info = dict(driver.test_connection(context, source) or {})
        except exception.XmsException as exc:
            events.record(context, 'source', 'test_failed', exc.message,
                          resource_uuid=source.uuid, severity='warning',
                          project_id=source.project_id)
            raise
        result = {'status': 'connected',
                  'product_name': info.get('product_name'),
                  'version': info.get('version'),
                  'build': info.get('build'),
                  'api_type': info.get('api_type')}
        events.record(context, 'source', 'tested',
                      'Connected to %s %s (build %s)' % (
                          result['product_name'], result['version'],
                          result['build']),
                      resource_uuid=source.uuid,
                      project_id=source.project_id)
        return result

    def discover_source(self, context, source_id):
        """Scan the source's inventory.

        The driver keeps the source's discovery status and times; a
        failure is recorded here as an event and, should the driver not
        have done it, on the source.
        """
        source = db_api.source_get(context, source_id)
        LOG.info('Discovery of source %s started', source.uuid)
        try:
            driver = _sources().get_driver(source.type)
            driver.discover(context, source)
        except Exception as exc:
            known = isinstance(exc, exception.XmsException)
            reason = (exc.message if known
                      else 'unexpected error, see the conductor log')
            LOG.warning('Discovery of source %s failed: %s', source.uuid,
                        reason, exc_info=not known)
            db_api.source_update(context, source.id, {
                'discovery_status': 'failed', 'discovery_error': reason,
                'discovery_finished_at': timeutils.utcnow()})
            events.record(context, 'source', 'discovery_failed', reason,
                          resource_uuid=source.uuid, severity='error',
                          project_id=source.project_id)
            return
        events.record(context, 'source', 'discovered',
                      'Inventory scan of %s finished' % source.name,
                      resource_uuid=source.uuid,
                      project_id=source.project_id)

    # --- preflights ---

    def run_preflights(self, context, preflight_ids, target_facts=None):
        """Run each preflight; one failure does not stop the others.

        :param target_facts: the target's answers the API gathered with
            the user's token (the context here carries none); without
            them the configured inspector is asked directly.
        """
        engine = importlib.import_module('xms.preflight.engine')
        target = importlib.import_module('xms.preflight.target')
        if target_facts is not None:
            inspector = target.RecordedInspector(target_facts)
        else:
            inspector = target.get_inspector()
        probes = {}  # each source of the wave is probed once
        for preflight_id in preflight_ids:
            try:
                engine.run_preflight(context, preflight_id,
                                     inspector=inspector, probes=probes)
            except Exception as exc:
                reason = (exc.message
                          if isinstance(exc, exception.XmsException)
                          else 'unexpected error, see the conductor log')
                LOG.warning('Preflight %s failed: %s', preflight_id,
                            reason, exc_info=True)
                db_api.preflight_update(context, preflight_id, {
                    'status': 'failed', 'error': reason,
                    'finished_at': timeutils.utcnow()})

    # --- jobs ---

    def _job_action(self, context, job_id, action, message, **payload):
        job = db_api.job_get(context, job_id)
        states.check_action(action, job.uuid, job.type, job.state,
                            job.incremental_syncs)
        events.record(context, 'job', '%s_requested' % action, message,
                     job=job, payload=payload or None)
        LOG.info('Job %s: %s requested', job.uuid, action)
        return job

    def start_job(self, context, job_id):
        job = db_api.job_get(context, job_id)
        if job.state != states.QUEUED:
            raise exception.ActionNotAllowed(
                action='start', job=job.uuid, state=job.state,
                reason='only queued jobs start')
        events.record(context, 'job', 'start_requested',
                      'Job queued for a worker slot', job=job)
        LOG.info('Job %s: start requested', job.uuid)
        _jobs().start(context, job.id)

    def sync_job(self, context, job_id):
        self._job_action(context, job_id, states.SYNC, 'Sync requested')
        _jobs().sync(context, job_id)

    def cutover_job(self, context, job_id):
        self._job_action(context, job_id, states.CUTOVER,
                         'Cutover requested')
        _jobs().cutover(context, job_id)

    def cancel_job(self, context, job_id, keep_target=False):
        self._job_action(context, job_id, states.CANCEL,
                         'Cancel requested', keep_target=keep_target)
        _jobs().cancel(context, job_id, keep_target)

    def retry_job(self, context, job_id):
        self._job_action(context, job_id, states.RETRY, 'Retry requested')
        _jobs().retry(context, job_id)

    def delete_job(self, context, job_id):
        """Clean a finished job's target up, then delete it and its trust.

        See :func:`xms.conductor.jobs.delete`.
        """
        _jobs().delete(context, job_id)
