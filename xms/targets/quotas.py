"""Quota arithmetic shared by the storage and compute drivers.

Both Cinder and Nova answer ``GET /limits`` for the caller's own project
with absolute limits and usage, which a project member may read (the
per-project quota-set APIs need more rights on some clouds).
"""

from xms.targets import base

# resource -> (limit key, in-use key) of the /limits "absolute" block.
CINDER_LIMITS = {
    'volumes': ('maxTotalVolumes', 'totalVolumesUsed'),
    'gigabytes': ('maxTotalVolumeGigabytes', 'totalGigabytesUsed'),
}
NOVA_LIMITS = {
    'instances': ('maxTotalInstances', 'totalInstancesUsed'),
    'cores': ('maxTotalCores', 'totalCoresUsed'),
    'ram': ('maxTotalRAMSize', 'totalRAMUsed'),
}


def absolute_limits(proxy):
    """The ``absolute`` block of ``GET /limits`` of a service proxy."""
    resp = proxy.get('/limits')
    resp.raise_for_status()
    return resp.json()['limits']['absolute']


def usage(absolute, mapping):
    """``{resource: {'limit', 'in_use', 'reserved'}}`` from /limits."""
    result = {}
    for resource, (limit_key, used_key) in mapping.items():
        if limit_key in absolute:
            result[resource] = {'limit': int(absolute[limit_key]),
                                'in_use': int(absolute.get(used_key) or 0),
                                'reserved': 0}
    return result


def shortfalls(quota, wanted, project):
    """The quotas ``wanted`` does not fit in.

    :param quota: output of :func:`usage`.
    :param wanted: ``{resource: amount}``.
    :returns: list of :class:`base.QuotaExceeded` (not raised).
    """
    errors = []
    for resource, need in sorted(wanted.items()):
        q = quota.get(resource)
        if not need or q is None or q['limit'] < 0:
            continue
        free = q['limit'] - q['in_use'] - q['reserved']
        if need > free:
            errors.append(base.QuotaExceeded(
                quota=resource, project=project, need=need,
                free=max(free, 0), limit=q['limit']))
    return errors
