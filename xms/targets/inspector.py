"""The OpenStack answer to preflight's questions about the target.

Implements :class:`xms.preflight.target.TargetInspector` (entry point
``openstack`` in ``xms.preflight.target``) with the same session the
target drivers use: the job's trust when the context carries one,
otherwise the requesting user's token, scoped to the target spec's
project. Everything is read-only.

It also offers :meth:`OpenStackInspector.problems`, the target-side
refusals in one call (missing NIC mapping, missing network, quota), for
callers that want plain messages rather than preflight checks.
"""

import copy

from xms.preflight import target as preflight_target
from xms.targets import base
from xms.targets import flavors as flavor_choice
from xms.targets import nic_mapping
from xms.targets import quotas
from xms.targets import session


def _scoped(context, target_spec):
    project = (target_spec or {}).get('project_id')
    if project and not getattr(context, 'trust_id', None) and \
            project != context.project_id:
        context = copy.copy(context)
        context.project_id = project
    return context


class OpenStackInspector(preflight_target.TargetInspector):

    def _conn(self, context, target_spec):
        return session.connection(_scoped(context, target_spec))

    def quotas(self, context, target_spec):
        conn = self._conn(context, target_spec)
        result = quotas.usage(quotas.absolute_limits(conn.compute),
                              quotas.NOVA_LIMITS)
        result.update(quotas.usage(
            quotas.absolute_limits(conn.block_storage),
            quotas.CINDER_LIMITS))
        return result

    def networks(self, context, target_spec):
        conn = self._conn(context, target_spec)
        return [{'id': n.id, 'name': n.name}
                for n in conn.network.networks()]

    def flavors(self, context, target_spec):
        conn = self._conn(context, target_spec)
        return [{'id': f.id, 'name': f.name, 'vcpus': f.vcpus,
                 'ram': f.ram, 'disk': f.disk}
                for f in conn.compute.flavors(details=True)]

    def problems(self, context, target_spec, disks=(), nics=(), cpus=None,
                 memory_mb=None):
        """Every target-side reason the migration cannot start.

        :param disks: source disks (``capacity_bytes``).
        :param nics: source NICs.
        :returns: list of messages; empty when the target is ready.
        """
        spec = target_spec or {}
        problems = []
        mapping = spec.get('network_mapping')
        for nic in nic_mapping.unmapped(nics, mapping):
            problems.append(str(base.NetworkMappingMissing(
                nic=base.field(nic, 'device_key'))))
        networks = self.networks(context, spec) if nics else []
        known = {n['id'] for n in networks} | {n['name'] for n in networks}
        for nic in nics:
            network = nic_mapping.network_for(nic, mapping)
            if network and network not in known:
                problems.append(str(base.NetworkNotFound(
                    network=network,
                    project=spec.get('project_id') or context.project_id)))
        wanted = {'volumes': len(disks),
                  'gigabytes': sum(base.round_up_gib(
                      base.field(d, 'capacity_bytes') or 0) for d in disks)}
        if cpus or memory_mb:
            wanted['instances'] = 1
            flavor = spec.get('flavor_id')
            available = self.flavors(context, spec)
            if flavor:
                chosen = next((f for f in available
                               if flavor in (f['id'], f['name'])), None)
                if chosen is None:
                    problems.append('Flavor %s does not exist in the '
                                    'target project.' % flavor)
            else:
                try:
                    chosen = flavor_choice.best_flavor(available, cpus,
                                                       memory_mb)
                except base.FlavorNotFound as exc:
                    problems.append(str(exc))
                    chosen = None
            if chosen:
                wanted['cores'] = int(chosen['vcpus'])
                wanted['ram'] = int(chosen['ram'])
        problems.extend(str(e) for e in quotas.shortfalls(
            self.quotas(context, spec), wanted,
            spec.get('project_id') or context.project_id))
        return problems
