"""Best-match flavor choice for a source VM's CPUs and RAM.

"Best" is the smallest flavor that fits: at least as many vCPUs and at
least as much RAM as the source, ordered by RAM, then vCPUs, then root
disk, then name, so the same inventory always gives the same answer. The
choice and why it was made are returned so the job can record them.
"""

from xms.targets import base


def _key(flavor):
    return (int(flavor.get('ram') or 0), int(flavor.get('vcpus') or 0),
            int(flavor.get('disk') or 0), str(flavor.get('name') or ''))


def fitting(flavors, cpus, memory_mb):
    """Flavors with at least ``cpus`` vCPUs and ``memory_mb`` MiB RAM,
    smallest first."""
    cpus = int(cpus or 1)
    memory_mb = int(memory_mb or 0)
    fits = [f for f in flavors
            if int(f.get('vcpus') or 0) >= cpus
            and int(f.get('ram') or 0) >= memory_mb]
    return sorted(fits, key=_key)


def best_flavor(flavors, cpus, memory_mb):
    """The smallest flavor of ``flavors`` that fits the source.

    :param flavors: list of ``{'id', 'name', 'vcpus', 'ram', 'disk'}``.
    :returns: the chosen flavor dict plus ``reason``.
    :raises FlavorNotFound: when none fits.
    """
    fits = fitting(flavors, cpus, memory_mb)
    if not fits:
        largest = max(flavors, key=_key) if flavors else None
        detail = ('(largest: %s with %s vCPU, %s MiB).'
                  % (largest['name'], largest['vcpus'], largest['ram'])
                  if largest else '(the project sees no flavor).')
        raise base.FlavorNotFound(cpus=cpus, memory_mb=memory_mb,
                                  detail=detail)
    chosen = dict(fits[0])
    chosen['reason'] = (
        'smallest of %d fitting flavor(s) for %s vCPU and %s MiB RAM: '
        '%s (%s vCPU, %s MiB)' % (len(fits), cpus, memory_mb,
                                  chosen['name'], chosen['vcpus'],
                                  chosen['ram']))
    return chosen
