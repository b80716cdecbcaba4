"""Nova compute: boot the migrated instance from its volumes.

The instance boots from the first volume (the one finalize made
bootable, whose volume image metadata tells Nova the firmware, disk bus
and VIF model), with the other volumes attached and the ports made by the
network driver. Volumes survive instance deletion
(``delete_on_termination`` false): they are the migration's result, and
cleanup deletes them separately when it must.

The server carries ``xms_job_id`` metadata, so a resumed task finds the
server it created rather than booting a second one.
"""

from openstack import exceptions as os_exc
from oslo_log import log as logging

from xms.common.i18n import _
from xms.conf import CONF
from xms.targets import base
from xms.targets import quotas
from xms.targets import session

LOG = logging.getLogger(__name__)


def _fault(server):
    fault = getattr(server, 'fault', None) or {}
    message = fault.get('message') or _('no fault recorded')
    if fault.get('details'):
        message = '%s (%s)' % (message, fault['details'].splitlines()[0])
    return message


class NovaComputeDriver(base.ComputeDriver):

    def list_flavors(self, context):
        conn = session.connection(context)
        return [{'id': f.id, 'name': f.name, 'vcpus': f.vcpus,
                 'ram': f.ram, 'disk': f.disk}
                for f in conn.compute.flavors(details=True)]

    def quota_usage(self, context):
        """``{'instances'|'cores'|'ram': {'limit', 'in_use', ...}}``."""
        return quotas.usage(
            quotas.absolute_limits(session.connection(context).compute),
            quotas.NOVA_LIMITS)

    def check_quota(self, context, flavor):
        """Problems that would stop an instance of ``flavor`` booting."""
        conn = session.connection(context)
        quota = quotas.usage(quotas.absolute_limits(conn.compute),
                             quotas.NOVA_LIMITS)
        wanted = {'instances': 1, 'cores': int(flavor['vcpus']),
                  'ram': int(flavor['ram'])}
        return [str(e) for e in quotas.shortfalls(
            quota, wanted, conn.current_project_id)]

    def _find(self, conn, job_id):
        for server in conn.compute.servers(details=True):
            if (server.metadata or {}).get(base.META_JOB) == str(job_id):
                return server
        return None

    def find_instance(self, context, job):
        server = self._find(session.connection(context),
                            base.job_ref(job))
        return server.id if server else None

    def _wait(self, conn, server, status):
        try:
            return conn.compute.wait_for_server(
                server, status=status, failures=['ERROR'],
                interval=CONF.target.poll_interval,
                wait=CONF.target.boot_timeout)
        except os_exc.ResourceFailure:
            server = conn.compute.get_server(server.id)
            raise base.InstanceBootFailed(instance=server.id,
                                          status=server.status,
                                          fault=_fault(server))
        except os_exc.ResourceTimeout:
            server = conn.compute.get_server(server.id)
            raise base.TargetTimeout(what='Instance', id=server.id,
                                     wanted=status,
                                     timeout=CONF.target.boot_timeout,
                                     status=server.status)

    def create_instance(self, context, job, volumes, ports, flavor,
                        power_on=True):
        conn = session.connection(context)
        job_id = base.job_ref(job)
        if not volumes:
            raise base.TargetError(reason=_('job %s has no volume to boot '
                                            'from') % job_id)
        server = self._find(conn, job_id)
        if server is None:
            flavor_id = flavor['id'] if isinstance(flavor, dict) else flavor
            found = conn.compute.find_flavor(flavor_id, ignore_missing=True)
            if found is None:
                raise base.TargetError(reason=_('flavor %s does not '
                                                'exist') % flavor_id)
            bdm = [{'uuid': vol, 'source_type': 'volume',
                    'destination_type': 'volume', 'boot_index': index,
                    'delete_on_termination': False}
                   for index, vol in enumerate(volumes)]
            attrs = {
                'name': base.instance_name_for(job),
                'flavor_id': found.id,
                'block_device_mapping': bdm,
                'networks': ([{'port': p} for p in ports] if ports
                             else 'none'),
                'metadata': {base.META_JOB: str(job_id)},
            }
            az = base.availability_zone_for(job)
            if az:
                attrs['availability_zone'] = az
            try:
                server = conn.compute.create_server(**attrs)
            except os_exc.HttpException as exc:
                raise base.TargetError(reason=_('Nova refused the instance '
                                                'of job %(job)s: %(exc)s') %
                                       {'job': job_id, 'exc': exc})
            LOG.info('Job %s: instance %s (flavor %s) booting from volume '
                     '%s with %d port(s)', job_id, server.id, found.name,
                     volumes[0], len(ports or ()))
        elif server.status == 'ERROR':
            raise base.InstanceBootFailed(instance=server.id,
                                          status=server.status,
                                          fault=_fault(
                                              conn.compute.get_server(
                                                  server.id)))
        server = self._wait(conn, server, 'ACTIVE'
                            if server.status != 'SHUTOFF' else 'SHUTOFF')
        if not power_on and server.status == 'ACTIVE':
            conn.compute.stop_server(server)
            server = self._wait(conn, server, 'SHUTOFF')
        LOG.info('Job %s: instance %s is %s', job_id, server.id,
                 server.status)
        return server.id

    def delete_instance(self, context, instance_id):
        conn = session.connection(context)
        try:
            server = conn.compute.get_server(instance_id)
        except os_exc.NotFoundException:
            return
        conn.compute.delete_server(server, ignore_missing=True)
        try:
            conn.compute.wait_for_delete(server,
                                         interval=CONF.target.poll_interval,
                                         wait=CONF.target.boot_timeout)
        except os_exc.ResourceTimeout:
            raise base.TargetTimeout(what='Instance', id=instance_id,
                                     wanted='deleted',
                                     timeout=CONF.target.boot_timeout,
                                     status=server.status)
        LOG.info('Instance %s deleted', instance_id)
