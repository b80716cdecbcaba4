"""The preflight engine: verdict, scores, failures, storage."""

from xms.common import context
from xms.db import api as db_api
from xms.preflight import base
from xms.preflight import engine
from xms.sources import exception as source_exc
from xms.tests import base as test_base
from xms.tests.functional.fixtures import database
from xms.tests.unit.preflight import fakes


class _Check(base.Check):
    def __init__(self, name, category, status):
        self.name, self.category, self._status = name, category, status

    def run(self, data):
        if self._status == 'crash':
            raise RuntimeError('boom')
        return self._result(self._status, 'm', 'r')


class TestScoring(test_base.TestCase):

    def test_verdict_is_worst(self):
        results = [{'status': s} for s in ('pass', 'warn', 'pass')]
        self.assertEqual('warn', engine.verdict_of(results))
        results.append({'status': 'block'})
        self.assertEqual('block', engine.verdict_of(results))
        self.assertEqual('pass', engine.verdict_of([]))

    def test_scores_per_category(self):
        checks = [_Check('a', base.COMPUTE, 'pass'),
                  _Check('b', base.COMPUTE, 'warn'),
                  _Check('c', base.STORAGE, 'block'),
                  _Check('d', base.NETWORK, 'pass')]
        verdict, scores, results = engine.run_checks(
            base.CheckInput(fakes.vm()), checks)
        self.assertEqual('block', verdict)
        self.assertEqual({'compute': 75, 'storage': 0, 'network': 100,
                          'guest': 100, 'readiness': 100}, scores)
        self.assertEqual(['a', 'b', 'c', 'd'], [r['name'] for r in results])

    def test_crashing_check_is_a_warn_not_a_pass(self):
        verdict, _scores, results = engine.run_checks(
            base.CheckInput(fakes.vm()), [_Check('x', base.GUEST, 'crash')])
        self.assertEqual('warn', verdict)
        self.assertIn('boom', results[0]['message'])

    def test_checks_loaded_from_entry_points(self):
        checks = engine.load_checks()
        self.assertEqual(20, len(checks))
        self.assertEqual(set(base.CATEGORIES),
                         {c.category for c in checks})
        order = [base.CATEGORIES.index(c.category) for c in checks]
        self.assertEqual(sorted(order), order)


class _Driver:
    def __init__(self, fail=False):
        self.fail = fail
        self.calls = 0

    def test_connection(self, context, source):
        self.calls += 1
        if self.fail:
            raise source_exc.SourceUnreachable(source='s', host='h',
                                               port=443, reason='refused')
        return {}


class TestRunPreflight(test_base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database(self.conf.conf, backend='sqlite'))
        self.ctx = context.get_admin_context()
        source = db_api.source_create(self.ctx, {
            'project_id': 'p', 'name': 's', 'host': 'vc', 'username': 'u',
            'password_encrypted': 'x'})
        records = []
        for i in range(2):
            records.append({'moref': 'vm-%d' % i, 'name': 'vm%d' % i,
                            'power_state': 'poweredOff',
                            'hardware_version': 'vmx-13',
                            'guest_family': 'linuxGuest', 'firmware': 'bios',
                            'tools_status': 'running', 'num_cpus': 1,
                            'memory_mb': 512,
                            'disks': [{'device_key': 2000,
                                       'capacity_bytes': 1 << 30,
                                       'disk_mode': 'persistent'}],
                            'nics': []})
        db_api.vm_inventory_sync(self.ctx, source, records)
        self.vms = db_api.vm_list(self.ctx)

    def _create(self, vm, mode='cold'):
        return db_api.preflight_create(self.ctx, {
            'project_id': 'p', 'vm_id': vm.id, 'mode': mode})

    def test_run_and_store(self):
        driver = _Driver()
        ids = [self._create(vm).id for vm in self.vms]
        rows = engine.run_preflights(self.ctx, ids, driver=driver)
        self.assertEqual(1, driver.calls)   # one probe per source
        for row in rows:
            self.assertEqual('completed', row.status)
            self.assertEqual('warn', row.verdict)   # no target given
            self.assertEqual(20, len(row.checks))
            self.assertIsNotNone(row.finished_at)
        self.assertEqual('warn', db_api.vm_get(self.ctx,
                                               self.vms[0].id).verdict)

    def test_unreachable_source_blocks(self):
        row = engine.run_preflight(self.ctx, self._create(self.vms[0]).id,
                                   driver=_Driver(fail=True))
        self.assertEqual('block', row.verdict)
        checks = {c['name']: c for c in row.checks}
        self.assertIn('refused', checks['source_reachable']['message'])

    def test_stored_status_without_probe(self):
        self.config(probe_source=False, group='preflight')
        driver = _Driver()
        row = engine.run_preflight(self.ctx, self._create(self.vms[0]).id,
                                   driver=driver)
        self.assertEqual(0, driver.calls)
        checks = {c['name']: c for c in row.checks}
        self.assertEqual('warn', checks['source_reachable']['status'])

    def test_failure_recorded(self):
        preflight = self._create(self.vms[0])
        self.useFixture(_raise(engine.base, 'CheckInput'))
        row = engine.run_preflight(self.ctx, preflight.id, driver=_Driver())
        self.assertEqual('failed', row.status)
        self.assertIn('no input', row.error)


def _raise(module, attr):
    import fixtures

    def fail(*args, **kwargs):
        raise RuntimeError('no input')

    return fixtures.MonkeyPatch('%s.%s' % (module.__name__, attr), fail)
