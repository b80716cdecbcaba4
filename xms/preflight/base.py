"""What a preflight check is, what it reads and what it returns.

A check is a small class registered in the ``xms.preflight.checks`` entry
point group. It reads one :class:`CheckInput` (the VM as discovered, its
source, the migration mode and the target spec, and a
:class:`~xms.preflight.target.TargetInspector` when one is configured)
and returns one result: a status (``pass``, ``warn`` or ``block``), a
message saying what it found and a remediation saying what to do.
Checks never change anything, on the source or the target.
"""

import abc
import math

PASS = 'pass'  # noqa: S105 - a status, not a password
WARN = 'warn'
BLOCK = 'block'
# Worst first: the verdict of a set of results is the worst status.
SEVERITY = {PASS: 0, WARN: 1, BLOCK: 2}

COMPUTE = 'compute'
STORAGE = 'storage'
NETWORK = 'network'
GUEST = 'guest'
READINESS = 'readiness'
CATEGORIES = (COMPUTE, STORAGE, NETWORK, GUEST, READINESS)

COLD = 'cold'
WARM = 'warm'

NOT_CHECKED = 'Not checked: no target given.'
NOT_CHECKED_REMEDIATION = ('Give a target (project, flavor, networks, '
                           'volume type) to have the target cloud checked, '
                           'or configure [preflight]/target_inspector.')

GIB = 1024 ** 3


def worst(statuses):
    """The most severe of ``statuses`` (``pass`` for none)."""
    return max(statuses, key=SEVERITY.__getitem__, default=PASS)


class CheckInput:
    """Everything a check may read, gathered once per VM.

    :param vm: the ``Vm`` row (with ``disks`` and ``nics``).
    :param source: the ``Source`` row, or None.
    :param mode: ``cold`` or ``warm``.
    :param target_spec: dict describing the target, or None.
    :param inspector: a ``TargetInspector``, or None.
    :param source_probe: ``{'reachable': bool, 'reason': str}`` when the
        source was probed for this run, else None.
    :param context: the request context (for the inspector).
    """

    def __init__(self, vm, source=None, mode=COLD, target_spec=None,
                 inspector=None, source_probe=None, context=None):
        self.vm = vm
        self.source = source
        self.mode = mode
        self.target_spec = target_spec or None
        self.inspector = inspector
        self.source_probe = source_probe
        self.context = context
        self._cache = {}

    @property
    def disks(self):
        return list(getattr(self.vm, 'disks', None) or ())

    @property
    def nics(self):
        return list(getattr(self.vm, 'nics', None) or ())

    @property
    def can_inspect_target(self):
        """Whether target-side checks can ask the target cloud."""
        return bool(self.target_spec) and self.inspector is not None

    def _target(self, what):
        if what not in self._cache:
            method = getattr(self.inspector, what)
            self._cache[what] = method(self.context, self.target_spec)
        return self._cache[what]

    def quotas(self):
        return self._target('quotas')

    def networks(self):
        return self._target('networks')

    def flavors(self):
        return self._target('flavors')

    def total_disk_gib(self):
        return sum(math.ceil((d.capacity_bytes or 0) / GIB)
                   for d in self.disks)


class Check(metaclass=abc.ABCMeta):
    """One preflight check. Subclasses set ``name`` and ``category``."""

    name = None
    category = None

    @abc.abstractmethod
    def run(self, data):
        """Assess ``data`` (a :class:`CheckInput`); return a result dict
        made with :meth:`passed`, :meth:`warn` or :meth:`block`."""

    def _result(self, status, message, remediation):
        return {'name': self.name, 'category': self.category,
                'status': status, 'message': message,
                'remediation': remediation}

    def passed(self, message, remediation=None):
        return self._result(PASS, message, remediation)

    def warn(self, message, remediation):
        return self._result(WARN, message, remediation)

    def block(self, message, remediation):
        return self._result(BLOCK, message, remediation)

    def not_checked(self):
        """The result of a target-side check without a target: a Warn,
        never a Pass nobody verified."""
        return self.warn(NOT_CHECKED, NOT_CHECKED_REMEDIATION)


def quota_shortfalls(quotas, needs):
    """Which quota resources cannot take ``needs``.

    :param quotas: ``{resource: {'limit': n, 'in_use': n,
        'reserved': n}}``; a limit below 0 means unlimited.
    :param needs: ``{resource: amount}``.
    :returns: list of ``(resource, need, free)`` that do not fit, and
        list of resources the inspector did not report.
    """
    short, unknown = [], []
    for resource, need in needs.items():
        quota = (quotas or {}).get(resource)
        if quota is None:
            unknown.append(resource)
            continue
        limit = quota.get('limit')
        if limit is None or limit < 0:
            continue
        free = limit - quota.get('in_use', 0) - quota.get('reserved', 0)
        if need > free:
            short.append((resource, need, free))
    return short, unknown
