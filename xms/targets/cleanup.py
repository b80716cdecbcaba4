"""Delete what a job created in the target: the one cleanup of XMS.

The cancel flow (``xms.worker.tasks.target.DeleteTarget``), the delete
of a failed or cancelled job (``xms.conductor.jobs.delete``) and the
tests all call :func:`cleanup`, so what "cleaned up" means is decided
here once.

Resources are found both from the job's recorded ``target_resources``
(and its disks' volumes) and by the job's metadata and port names in the
target, so a resource created just before a crash, and never recorded,
goes too. :func:`cleanup` never raises: every failure, a failed lookup
included (a lookup that failed may hide resources), is logged and
returned in ``errors``, and one stuck resource does not stop the others.
A caller that must not report success on a partial result raises
:class:`CleanupIncomplete` from it (:func:`check`).
"""

from oslo_log import log as logging

from xms.common import exception
from xms.common.i18n import _
from xms.targets import base

LOG = logging.getLogger(__name__)


class CleanupIncomplete(exception.XmsException):
    msg_fmt = _('Target cleanup of job %(job)s left resources behind: '
                '%(errors)s')
    code = 500


def _no_record(event_type, message, **payload):
    return None


def cleanup(context, job, resources=None, keep_target=None,
            storage=None, attach=None, network=None, compute=None,
            record=None):
    """Delete the instance, ports and volumes of ``job``.

    :param job: a job row or a dict with ``id`` (and optionally
        ``keep_target``, ``target_resources`` and ``disks``).
    :param resources: ``{'instance': id, 'ports': [ids],
        'volumes': [ids]}``; defaults to the job's ``target_resources``.
    :param keep_target: keep everything; defaults to the job's
        ``keep_target``.
    :param storage, attach, network, compute: drivers; the configured
        ones by default.
    :param record: ``record(event_type, message, **payload)``, called once
        per deleted resource (``instance_deleted``, ``port_deleted``,
        ``volume_deleted``) so the job's events say what went.
    :returns: ``{'deleted': {'instance': id or None, 'ports': [...],
        'volumes': [...]}, 'errors': [str], 'kept': bool}``.
    """
    record = record or _no_record
    if keep_target is None:
        keep_target = bool(base.field(job, 'keep_target', False))
    job_id = base.job_ref(job)
    if keep_target:
        LOG.info('Job %s keeps its target resources', job_id)
        return {'deleted': {}, 'errors': [], 'kept': True}
    if resources is None:
        resources = base.field(job, 'target_resources')
    resources = dict(resources or {})
    storage = storage or base.get_storage_driver()
    attach = attach or base.get_attach_driver()
    network = network or base.get_network_driver()
    compute = compute or base.get_compute_driver()
    errors = []
    deleted = {'instance': None, 'ports': [], 'volumes': []}

    def _try(what, func, *args):
        try:
            func(*args)
            return True
        except Exception as exc:
            LOG.warning('Job %s: could not delete %s: %s', job_id, what,
                        exc)
            errors.append('%s: %s' % (what, exc))
            return False

    def _lookup(what, func):
        try:
            return list(filter(None, _as_list(func(context, job))))
        except Exception as exc:
            LOG.warning('Job %s: could not look up its %s in the target: '
                        '%s', job_id, what, exc)
            errors.append(_('looking up %(what)s: %(exc)s')
                          % {'what': what, 'exc': exc})
            return []

    instances = _unique([resources.get('instance')]
                        + _lookup('instance', compute.find_instance))
    for instance_id in instances:
        if _try('instance %s' % instance_id, compute.delete_instance,
                context, instance_id):
            deleted['instance'] = instance_id
            record('instance_deleted',
                   _('Target instance %s deleted') % instance_id,
                   instance=instance_id)
    ports = _unique(list(resources.get('ports') or [])
                    + _lookup('ports', network.list_ports))
    for port_id in ports:
        if _try('port %s' % port_id, network.delete_ports, context,
                [port_id]):
            deleted['ports'].append(port_id)
            record('port_deleted', _('Target port %s deleted') % port_id,
                   port=port_id)
    disks = base.field(job, 'disks') or ()
    volumes = _unique(list(resources.get('volumes') or [])
                      + [base.field(d, 'volume_id') for d in disks]
                      + _lookup('volumes', storage.list_volumes))
    for volume_id in volumes:
        _try('attachment of volume %s' % volume_id, attach.detach,
             context, volume_id)
        if _try('volume %s' % volume_id, storage.delete_volume, context,
                volume_id):
            deleted['volumes'].append(volume_id)
            record('volume_deleted',
                   _('Target volume %s deleted') % volume_id,
                   volume=volume_id)
    LOG.info('Job %s: target cleanup deleted %s (%d error(s))', job_id,
             deleted, len(errors))
    return {'deleted': deleted, 'errors': errors, 'kept': False}


def check(job_uuid, result):
    """Raise :class:`CleanupIncomplete` when ``result`` has errors.

    :param result: what :func:`cleanup` returned.
    """
    if result['errors']:
        raise CleanupIncomplete(job=job_uuid,
                                errors='; '.join(result['errors']))
    return result


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


def _unique(ids):
    return list(dict.fromkeys(i for i in ids if i))
