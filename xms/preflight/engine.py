"""The preflight engine: run every check on a VM, score, give a verdict.

Checks are loaded once per process from the ``xms.preflight.checks``
entry point group. Each gives ``pass``, ``warn`` or ``block``; a category
scores the mean of its checks (pass 100, warn 50, block 0) and the verdict
is the worst status of all checks, so one Block blocks the VM. A check
that crashes yields a Warn that says so: never a Pass nobody verified.

The source is probed (a session is opened) at most once per source and
run, so a wave of VMs on one vCenter costs one login.
"""

import threading

from oslo_log import log as logging
from oslo_utils import timeutils
from stevedore import extension

from xms.conf import CONF
from xms.db import api as db_api
from xms.preflight import base
from xms.preflight import target as target_mod

LOG = logging.getLogger(__name__)

NAMESPACE = 'xms.preflight.checks'
STATUS_POINTS = {base.PASS: 100, base.WARN: 50, base.BLOCK: 0}

_checks = None
_checks_lock = threading.Lock()


def load_checks():
    """Every registered check, ordered by category then name."""
    global _checks
    with _checks_lock:
        if _checks is None:
            manager = extension.ExtensionManager(
                NAMESPACE, invoke_on_load=True,
                on_load_failure_callback=_load_failed)
            order = {c: i for i, c in enumerate(base.CATEGORIES)}
            _checks = sorted((ext.obj for ext in manager),
                             key=lambda c: (order.get(c.category, 99),
                                            c.name))
        return list(_checks)


def _load_failed(manager, entrypoint, exc):
    LOG.error('Preflight check %s could not be loaded: %s', entrypoint,
              exc)


def run_checks(data, checks=None):
    """Run ``checks`` (default: every registered one) on ``data``.

    :returns: ``(verdict, scores, results)``.
    """
    results = []
    for check in checks if checks is not None else load_checks():
        try:
            result = check.run(data)
        except Exception as exc:  # noqa: BLE001 - one check, not the run
            LOG.exception('Preflight check %s failed on VM %s', check.name,
                          getattr(data.vm, 'uuid', '?'))
            result = check.warn(
                'The check could not run: %s' % exc,
                'Run the preflight again; report the error if it stays.')
        results.append(result)
    return verdict_of(results), scores_of(results), results


def verdict_of(results):
    return base.worst(r['status'] for r in results)


def scores_of(results):
    """``{category: 0-100}`` for the five categories."""
    scores = {}
    for category in base.CATEGORIES:
        points = [STATUS_POINTS[r['status']] for r in results
                  if r['category'] == category]
        scores[category] = (round(sum(points) / len(points))
                            if points else 100)
    return scores


def probe_source(context, source, driver=None):
    """Open a session to ``source``: ``{'reachable': bool, 'reason'}``."""
    from xms.sources import base as source_base
    from xms.sources import exception as source_exc
    try:
        driver = driver or source_base.get_driver(source.type)
        driver.test_connection(context, source)
    except source_exc.SourceError as exc:
        return {'reachable': False, 'reason': str(exc)}
    return {'reachable': True, 'reason': None}


def run_preflights(context, preflight_ids, inspector=None, driver=None):
    """Run several preflights (a wave), probing each source once.

    :returns: list of updated ``Preflight`` rows.
    """
    probes = {}
    if inspector is None:
        inspector = target_mod.get_inspector()
    return [run_preflight(context, pid, inspector=inspector,
                          driver=driver, probes=probes)
            for pid in preflight_ids]


def run_preflight(context, preflight_id, inspector=None, driver=None,
                  probes=None):
    """Run one preflight and store its results.

    :param preflight_id: id or uuid of a ``preflights`` row.
    :param inspector: a ``TargetInspector``; default the configured one.
    :param driver: the source driver for the reachability probe
        (default: the source type's driver).
    :param probes: a dict shared by the preflights of one wave, so that
        each source is probed once (source id -> probe result).
    :returns: the updated ``Preflight`` row (status ``completed`` or
        ``failed``).
    """
    preflight = db_api.preflight_get(context, preflight_id)
    db_api.preflight_update(context, preflight.id, {'status': 'running'})
    try:
        vm = db_api.vm_get(context, preflight.vm_id)
        source = db_api.source_get(context, vm.source_id)
        if inspector is None:
            inspector = target_mod.get_inspector()
        probe = None
        if CONF.preflight.probe_source:
            probes = probes if probes is not None else {}
            if source.id not in probes:
                probes[source.id] = probe_source(context, source, driver)
            probe = probes[source.id]
        data = base.CheckInput(vm, source=source, mode=preflight.mode,
                               target_spec=preflight.target_spec,
                               inspector=inspector, source_probe=probe,
                               context=context)
        verdict, scores, results = run_checks(data)
    except Exception as exc:
        LOG.exception('Preflight %s failed', preflight.uuid)
        return db_api.preflight_update(context, preflight.id, {
            'status': 'failed', 'error': str(exc),
            'finished_at': timeutils.utcnow()})
    LOG.info('Preflight %s of VM %s (%s): %s', preflight.uuid, vm.name,
             preflight.mode, verdict)
    return db_api.preflight_update(context, preflight.id, {
        'status': 'completed', 'verdict': verdict, 'scores': scores,
        'checks': results, 'error': None,
        'vm_fingerprint': db_api.vm_fingerprint(vm),
        'finished_at': timeutils.utcnow()})
