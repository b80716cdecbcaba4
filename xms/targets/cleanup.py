"""Delete what a job created in the target, after a cancel or failure.

Used by the worker's revert path and by job deletion. It never raises:
each failure is logged and returned, so one stuck resource does not hide
the others. Resources are found both from the job's recorded
``target_resources`` and by the job's metadata in the target, so a
resource created just before a crash (and never recorded) goes too.
"""

from oslo_log import log as logging

from xms.targets import base

LOG = logging.getLogger(__name__)


def cleanup(context, job, resources=None, keep_target=None,
            storage=None, attach=None, network=None, compute=None):
    """Delete the instance, ports and volumes of ``job``.

    :param resources: ``{'instance': id, 'ports': [ids],
        'volumes': [ids]}``; defaults to the job's ``target_resources``.
    :param keep_target: keep everything; defaults to the job's
        ``keep_target``.
    :param storage, attach, network, compute: drivers; the configured
        ones by default.
    :returns: ``{'deleted': {...}, 'errors': [str]}``.
    """
    if keep_target is None:
        keep_target = bool(base.field(job, 'keep_target', False))
    job_id = base.field(job, 'id')
    if keep_target:
        LOG.info('Job %s keeps its target resources', job_id)
        return {'deleted': {}, 'errors': [], 'kept': True}
    resources = dict(resources or base.field(job, 'target_resources')
                     or {})
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

    instances = {resources.get('instance'), _safe(compute.find_instance,
                                                  context, job)} - {None}
    for instance_id in instances:
        if _try('instance %s' % instance_id, compute.delete_instance,
                context, instance_id):
            deleted['instance'] = instance_id
    ports = list(dict.fromkeys(list(resources.get('ports') or [])
                               + (_safe(network.list_ports, context, job)
                                  or [])))
    if ports and _try('ports %s' % ', '.join(ports), network.delete_ports,
                      context, ports):
        deleted['ports'] = ports
    volumes = list(dict.fromkeys(list(resources.get('volumes') or [])
                                 + (_safe(storage.list_volumes, context,
                                          job) or [])))
    for volume_id in volumes:
        _try('attachment of volume %s' % volume_id, attach.detach,
             context, volume_id)
        if _try('volume %s' % volume_id, storage.delete_volume, context,
                volume_id):
            deleted['volumes'].append(volume_id)
    LOG.info('Job %s: target cleanup deleted %s (%d error(s))', job_id,
             deleted, len(errors))
    return {'deleted': deleted, 'errors': errors, 'kept': False}


def _safe(func, *args):
    try:
        return func(*args)
    except Exception as exc:
        LOG.warning('Target lookup %s failed: %s',
                    getattr(func, '__name__', func), exc)
        return None
