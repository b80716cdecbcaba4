"""xms.db.api.vm_inventory_sync: upsert, in-place update, missing."""

from xms.common import context
from xms.db import api as db_api
from xms.tests import base
from xms.tests.functional.fixtures import database


def _vm(moref, cpus=1, disks=(2000,), nics=(4000,)):
    return {'moref': moref, 'name': 'vm-%s' % moref, 'num_cpus': cpus,
            'disks': [{'device_key': k, 'capacity_bytes': 1024,
                       'label': 'd%d' % k} for k in disks],
            'nics': [{'device_key': k, 'mac_address': 'm%d' % k}
                     for k in nics]}


class TestInventorySync(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database(self.conf.conf, backend='sqlite'))
        self.ctx = context.get_admin_context()
        self.source = db_api.source_create(self.ctx, {
            'project_id': 'p1', 'name': 's', 'host': 'h', 'username': 'u',
            'password_encrypted': 'x'})

    def _vms(self):
        return {vm.moref: vm for vm in db_api.vm_list(self.ctx)}

    def test_add_update_missing(self):
        summary = db_api.vm_inventory_sync(
            self.ctx, self.source, [_vm('a'), _vm('b')])
        self.assertEqual({'vms': 2, 'added': 2, 'updated': 0,
                          'missing': 0}, summary)
        before = self._vms()
        self.assertEqual('p1', before['a'].project_id)
        self.assertEqual([2000], [d.device_key for d in before['a'].disks])

        summary = db_api.vm_inventory_sync(
            self.ctx, self.source,
            [_vm('a', cpus=4, disks=(2000, 2001), nics=())])
        self.assertEqual({'vms': 1, 'added': 0, 'updated': 1,
                          'missing': 1}, summary)
        after = self._vms()
        self.assertEqual(before['a'].uuid, after['a'].uuid)
        self.assertEqual(4, after['a'].num_cpus)
        self.assertEqual([2000, 2001],
                         [d.device_key for d in after['a'].disks])
        self.assertEqual(before['a'].disks[0].id, after['a'].disks[0].id)
        self.assertEqual([], after['a'].nics)
        self.assertTrue(after['b'].missing)
        self.assertFalse(after['a'].missing)

        # A VM that comes back is no longer missing.
        db_api.vm_inventory_sync(self.ctx, self.source,
                                 [_vm('a'), _vm('b')])
        self.assertFalse(self._vms()['b'].missing)

    def test_get_by_moref(self):
        db_api.vm_inventory_sync(self.ctx, self.source, [_vm('a')])
        self.assertEqual('vm-a', db_api.vm_get_by_moref(
            self.ctx, self.source.id, 'a').name)
        from xms.common import exception
        self.assertRaises(exception.VmNotFound, db_api.vm_get_by_moref,
                          self.ctx, self.source.id, 'zz')
