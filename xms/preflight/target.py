"""What preflight asks of the target cloud, behind a small interface.

Target-side checks (quota, network existence, flavor fit) need the target
OpenStack cloud. They ask a :class:`TargetInspector` instead of calling
OpenStack themselves, so the preflight engine has no OpenStack dependency
and tests can answer with a fake. The OpenStack implementation is
registered in the ``xms.preflight.target`` entry point group and chosen
with ``[preflight]/target_inspector``; with none configured (or no target
spec given) target-side checks report Warn "not checked".

A target spec is the ``target_spec`` of a preflight (or job): a dict with,
among others, ``project_id``, ``flavor`` (id or name, optional),
``network_mapping`` and ``volume_type``.

A preflight has no trust, only the requesting user's token, and the token
never leaves the API (RPC messages carry none). So the API asks the
target its questions once with :func:`gather` and sends the answers to
the conductor, which runs the checks with a :class:`RecordedInspector`.
"""

import abc

from oslo_log import log as logging
from stevedore import driver as stevedore_driver

from xms.conf import CONF

LOG = logging.getLogger(__name__)

NAMESPACE = 'xms.preflight.target'


class TargetInspector(metaclass=abc.ABCMeta):
    """Read-only questions about the target cloud of a target spec."""

    @abc.abstractmethod
    def quotas(self, context, target_spec):
        """Quotas of the target project.

        :returns: ``{resource: {'limit': int, 'in_use': int,
            'reserved': int}}`` for ``instances``, ``cores``, ``ram`` (MiB),
            ``volumes`` and ``gigabytes``; a negative limit means
            unlimited.
        """

    @abc.abstractmethod
    def networks(self, context, target_spec):
        """Networks the target project can use.

        :returns: list of ``{'id': str, 'name': str}``.
        """

    @abc.abstractmethod
    def flavors(self, context, target_spec):
        """Flavors the target project can use.

        :returns: list of ``{'id', 'name', 'vcpus', 'ram' (MiB),
            'disk' (GiB)}``.
        """


QUESTIONS = ('quotas', 'networks', 'flavors')


class TargetNotInspected(Exception):
    """The target did not answer a question when the API asked it."""


def gather(inspector, context, target_spec):
    """Ask every question of :data:`QUESTIONS` now, with ``context``.

    :returns: a JSON-able dict ``{question: {'answer': ...}}``, or
        ``{question: {'error': message}}`` for a question the target
        refused (the check that needs it reports the message).
    """
    facts = {}
    for question in QUESTIONS:
        try:
            facts[question] = {'answer': getattr(inspector, question)(
                context, target_spec)}
        except Exception as exc:  # noqa: BLE001 - reported by the check
            LOG.warning('Target question %s failed: %s', question, exc)
            facts[question] = {'error': str(exc)}
    return facts


class RecordedInspector(TargetInspector):
    """Answers gathered by :func:`gather` (in the API), replayed."""

    def __init__(self, facts):
        self._facts = facts or {}

    def _replay(self, question):
        entry = self._facts.get(question) or {
            'error': 'the API did not ask the target about %s' % question}
        if 'error' in entry:
            raise TargetNotInspected(entry['error'])
        return entry['answer']

    def quotas(self, context, target_spec):
        return self._replay('quotas')

    def networks(self, context, target_spec):
        return self._replay('networks')

    def flavors(self, context, target_spec):
        return self._replay('flavors')


def get_inspector():
    """The configured inspector, or None when none is configured."""
    name = CONF.preflight.target_inspector
    if not name:
        return None
    manager = stevedore_driver.DriverManager(NAMESPACE, name,
                                             invoke_on_load=True)
    return manager.driver
