"""Table-driven tests of every preflight check.

Each row: (case, check class, VM overrides, mode, target spec, inspector,
extra CheckInput arguments, expected status, text the message contains).
"""

from xms.preflight import base
from xms.preflight.checks import compute
from xms.preflight.checks import guest
from xms.preflight.checks import network
from xms.preflight.checks import readiness
from xms.preflight.checks import storage
from xms.tests import base as test_base
from xms.tests.unit.preflight import fakes

P, W, B = base.PASS, base.WARN, base.BLOCK
SPEC = {'project_id': 'p',
        'network_mapping': [{'source_network': '*', 'network_id': 'net-1'}]}
INS = fakes.Inspector
GIB = fakes.GIB

CASES = [
    # -- compute ---------------------------------------------------------
    ('bios', compute.FirmwareCheck, {}, 'cold', None, None, {}, P, 'BIOS'),
    ('uefi', compute.FirmwareCheck, {'firmware': 'efi'}, 'cold', None,
     None, {}, P, 'UEFI'),
    ('firmware unknown', compute.FirmwareCheck, {'firmware': None}, 'cold',
     None, None, {}, W, 'unknown'),
    ('secure boot n/a on bios', compute.SecureBootCheck,
     {'secure_boot': None}, 'cold', None, None, {}, P, 'BIOS'),
    ('uefi no secure boot', compute.SecureBootCheck, {'firmware': 'efi'},
     'cold', None, None, {}, P, 'without'),
    ('secure boot recorded', compute.SecureBootCheck,
     {'firmware': 'efi', 'secure_boot': True}, 'cold', None, None, {}, W,
     'Secure Boot is enabled'),
    ('hw 13', compute.HardwareVersionCheck, {}, 'cold', None, None, {}, P,
     '13'),
    ('hw 4 too old', compute.HardwareVersionCheck,
     {'hardware_version': 'vmx-04'}, 'cold', None, None, {}, B, 'older'),
    ('hw 7 oldest', compute.HardwareVersionCheck,
     {'hardware_version': 'vmx-07'}, 'cold', None, None, {}, P, '7'),
    ('hw 99 too new', compute.HardwareVersionCheck,
     {'hardware_version': 'vmx-99'}, 'cold', None, None, {}, W, 'newer'),
    ('hw unknown', compute.HardwareVersionCheck,
     {'hardware_version': None}, 'cold', None, None, {}, W, 'unknown'),
    ('linux', compute.GuestOsFamilyCheck, {}, 'cold', None, None, {}, P,
     'linuxGuest'),
    ('windows', compute.GuestOsFamilyCheck,
     {'guest_family': 'windowsGuest'}, 'cold', None, None, {}, P,
     'windowsGuest'),
    ('solaris', compute.GuestOsFamilyCheck,
     {'guest_family': 'solarisGuest'}, 'cold', None, None, {}, B,
     'cannot run'),
    ('family unknown', compute.GuestOsFamilyCheck,
     {'guest_family': None}, 'cold', None, None, {}, W, 'not known'),
    ('flavor no target', compute.FlavorFitCheck, {}, 'cold', None, INS(),
     {}, W, 'Not checked'),
    ('flavor no inspector', compute.FlavorFitCheck, {}, 'cold', SPEC, None,
     {}, W, 'Not checked'),
    ('flavor best match', compute.FlavorFitCheck, {}, 'cold', SPEC, INS(),
     {}, P, 'm1.medium'),
    ('flavor none big enough', compute.FlavorFitCheck, {'num_cpus': 64},
     'cold', SPEC, INS(), {}, B, 'No flavor'),
    ('flavor explicit fits', compute.FlavorFitCheck, {}, 'cold',
     dict(SPEC, flavor='m1.large'), INS(), {}, P, 'm1.large fits'),
    ('flavor explicit small', compute.FlavorFitCheck, {}, 'cold',
     dict(SPEC, flavor='f1'), INS(), {}, W, 'smaller'),
    ('flavor_id of the API', compute.FlavorFitCheck, {}, 'cold',
     dict(SPEC, flavor_id='f3'), INS(), {}, P, 'm1.large fits'),
    ('flavor explicit missing', compute.FlavorFitCheck, {}, 'cold',
     dict(SPEC, flavor='x9'), INS(), {}, B, 'does not exist'),
    # -- storage ---------------------------------------------------------
    ('one disk', storage.DisksCheck, {}, 'cold', None, None, {}, P,
     '1 disk(s), 10.0 GiB'),
    ('no disk', storage.DisksCheck, {'disks': []}, 'cold', None, None, {},
     B, 'no virtual disk'),
    ('zero size', storage.DisksCheck,
     {'disks': [fakes.disk(capacity_bytes=0)]}, 'cold', None, None, {}, B,
     'no size'),
    ('plain disks', storage.SpecialDisksCheck, {}, 'warm', None, None, {},
     P, 'No RDM'),
    ('rdm', storage.SpecialDisksCheck, {'disks': [fakes.disk(is_rdm=True)]},
     'cold', None, None, {}, B, 'raw device mapping'),
    ('multi-writer', storage.SpecialDisksCheck,
     {'disks': [fakes.disk(sharing='sharingMultiWriter')]}, 'cold', None,
     None, {}, B, 'multi-writer'),
    ('independent cold', storage.SpecialDisksCheck,
     {'disks': [fakes.disk(disk_mode='independent_persistent')]}, 'cold',
     None, None, {}, W, 'independent'),
    ('independent warm', storage.SpecialDisksCheck,
     {'disks': [fakes.disk(disk_mode='independent_persistent')]}, 'warm',
     None, None, {}, B, 'independent'),
    ('no snapshots', storage.SnapshotsCheck, {}, 'cold', None, None, {}, P,
     'No existing'),
    ('snapshots', storage.SnapshotsCheck, {'snapshot_count': 3}, 'cold',
     None, None, {}, W, '3 snapshot'),
    ('consolidation', storage.SnapshotsCheck,
     {'consolidation_needed': True, 'snapshot_count': 1}, 'cold', None,
     None, {}, B, 'consolidation'),
    ('volume quota no target', storage.VolumeQuotaCheck, {}, 'cold', None,
     None, {}, W, 'Not checked'),
    ('volume quota fits', storage.VolumeQuotaCheck, {}, 'cold', SPEC, INS(),
     {}, P, '1 volume(s) and 10 GiB'),
    ('gigabytes short', storage.VolumeQuotaCheck,
     {'disks': [fakes.disk(capacity_bytes=2000 * GIB)]}, 'cold', SPEC,
     INS(), {}, B, 'gigabytes needs 2000, 1000 free'),
    ('volumes short', storage.VolumeQuotaCheck, {}, 'cold', SPEC,
     INS(quotas={'volumes': {'limit': 5, 'in_use': 5},
                 'gigabytes': {'limit': -1, 'in_use': 0}}), {}, B,
     'volumes needs 1, 0 free'),
    ('volume quota unreported', storage.VolumeQuotaCheck, {}, 'cold', SPEC,
     INS(quotas={}), {}, W, 'did not report'),
    # -- network ---------------------------------------------------------
    ('no nic', network.NicMappingCheck, {'nics': []}, 'cold', SPEC, None,
     {}, W, 'no network adapter'),
    ('mapping no target', network.NicMappingCheck, {}, 'cold', None, None,
     {}, W, 'Not checked'),
    ('mapped by default', network.NicMappingCheck, {}, 'cold', SPEC, None,
     {}, P, 'Every NIC'),
    ('mapped by mac', network.NicMappingCheck, {}, 'cold',
     {'network_mapping': [{'source_network': '00:50:56:00:00:01',
                           'network_id': 'net-1'}]}, None, {}, P,
     'Every NIC'),
    ('mapped by device key', network.NicMappingCheck, {}, 'cold',
     {'network_mapping': [{'source_network': '4000', 'network_id': 'net-1',
                           'keep_mac': True}]}, None, {}, P,
     'Every NIC'),
    ('mapped by port group', network.NicMappingCheck, {}, 'cold',
     {'network_mapping': [{'source_network': 'VM Network',
                           'network_id': 'net-1'}]}, None, {}, P,
     'Every NIC'),
    ('unmapped', network.NicMappingCheck,
     {'nics': [fakes.nic(), fakes.nic(device_key=4001, label='nic2',
                                      network_name='DMZ',
                                      mac_address='00:50:56:00:00:02')]},
     'cold', {'network_mapping': [{'source_network': '4000',
                                   'network_id': 'net-1'}]}, None, {}, B,
     'nic2'),
    ('networks no target', network.TargetNetworksCheck, {}, 'cold', None,
     INS(), {}, W, 'Not checked'),
    ('networks exist', network.TargetNetworksCheck, {}, 'cold', SPEC, INS(),
     {}, P, 'net-1'),
    ('network by mac', network.TargetNetworksCheck, {},
     'cold', {'network_mapping': [{'source_network': '00:50:56:00:00:01',
                                   'network_id': 'net-1'}]}, INS(), {}, P,
     'net-1'),
    ('network missing', network.TargetNetworksCheck, {}, 'cold',
     {'network_mapping': [{'source_network': '*', 'network_id': 'dmz'}]},
     INS(), {}, B, 'dmz'),
    ('vmxnet3', network.AdapterTypesCheck, {}, 'cold', None, None, {}, P,
     'virtio'),
    ('sriov', network.AdapterTypesCheck,
     {'nics': [fakes.nic(adapter_type='sriov')]}, 'cold', None, None, {},
     W, 'sriov'),
    # -- guest -----------------------------------------------------------
    ('linux convertible', guest.ConversionSupportCheck, {}, 'cold', None,
     None, {}, P, 'Linux'),
    ('windows without virtio-win', guest.ConversionSupportCheck,
     {'guest_family': 'windowsGuest'}, 'cold', None, None, {}, B,
     'virtio-win'),
    ('other guest', guest.ConversionSupportCheck,
     {'guest_family': 'otherGuest', 'guest_full_name': 'FreeBSD'}, 'cold',
     None, None, {}, B, 'FreeBSD'),
    ('convert_guest off', guest.ConversionSupportCheck, {}, 'cold',
     {'convert_guest': False}, None, {}, W, 'off'),
    ('conversion off', guest.ConversionSupportCheck, {}, 'cold',
     {'convert': False}, None, {}, W, 'off'),
    ('tools running', guest.ToolsCheck, {}, 'cold', None, None, {}, P,
     'running'),
    ('tools not running', guest.ToolsCheck, {'tools_status': 'notRunning'},
     'cold', None, None, {}, W, 'not running'),
    ('tools missing', guest.ToolsCheck, {'tools_status': 'notInstalled'},
     'cold', None, None, {}, W, 'not installed'),
    ('linux no windows specifics', guest.WindowsSpecificsCheck, {}, 'cold',
     None, None, {}, P, 'Not a Windows'),
    ('windows specifics', guest.WindowsSpecificsCheck,
     {'guest_family': 'windowsGuest'}, 'cold', None, None, {}, W,
     'BitLocker'),
    # -- readiness -------------------------------------------------------
    ('present', readiness.VmPresentCheck, {}, 'cold', None, None, {}, P,
     'seen'),
    ('missing', readiness.VmPresentCheck, {'missing': True}, 'cold', None,
     None, {}, B, 'not found'),
    ('cold running', readiness.PowerStateCheck, {}, 'cold', None, None, {},
     W, 'powers it off'),
    ('cold off', readiness.PowerStateCheck, {'power_state': 'poweredOff'},
     'cold', None, None, {}, P, 'powered off'),
    ('warm running', readiness.PowerStateCheck, {}, 'warm', None, None, {},
     P, 'running'),
    ('warm off', readiness.PowerStateCheck, {'power_state': 'poweredOff'},
     'warm', None, None, {}, W, 'cold one'),
    ('suspended', readiness.PowerStateCheck, {'power_state': 'suspended'},
     'warm', None, None, {}, B, 'suspended'),
    ('cbt cold', readiness.CbtCheck, {'hardware_version': 'vmx-04'}, 'cold',
     None, None, {}, P, 'not needed'),
    ('cbt warm old hw', readiness.CbtCheck, {'hardware_version': 'vmx-04'},
     'warm', None, None, {}, B, 'version 7'),
    ('cbt warm rdm', readiness.CbtCheck,
     {'disks': [fakes.disk(is_rdm=True)]}, 'warm', None, None, {}, B,
     'Raw device'),
    ('cbt enabled', readiness.CbtCheck, {'cbt_enabled': True}, 'warm', None,
     None, {}, P, 'is enabled'),
    ('cbt available', readiness.CbtCheck, {}, 'warm', None, None, {}, P,
     'enables it'),
    ('cbt off with snapshots', readiness.CbtCheck, {'snapshot_count': 1},
     'warm', None, None, {}, W, 'snapshots'),
    ('probe ok', readiness.SourceReachableCheck, {}, 'cold', None, None,
     {'source_probe': {'reachable': True}}, P, 'answers'),
    ('probe failed', readiness.SourceReachableCheck, {}, 'cold', None, None,
     {'source_probe': {'reachable': False, 'reason': 'refused'}}, B,
     'refused'),
    ('stored connected', readiness.SourceReachableCheck, {}, 'cold', None,
     None, {'source': fakes.source()}, P, 'connected'),
    ('stored error', readiness.SourceReachableCheck, {}, 'cold', None, None,
     {'source': fakes.source(status='error', status_reason='bad pw')}, B,
     'bad pw'),
    ('never tested', readiness.SourceReachableCheck, {}, 'cold', None, None,
     {'source': fakes.source(status='unknown')}, W, 'never tested'),
    ('compute quota no target', readiness.ComputeQuotaCheck, {}, 'cold',
     None, None, {}, W, 'Not checked'),
    ('compute quota fits', readiness.ComputeQuotaCheck, {}, 'cold', SPEC,
     INS(), {}, P, '2 cores and 4096 MiB'),
    ('compute quota flavor size', readiness.ComputeQuotaCheck, {}, 'cold',
     dict(SPEC, flavor='m1.large'), INS(), {}, P, '4 cores and 8192'),
    ('cores short', readiness.ComputeQuotaCheck, {}, 'cold', SPEC,
     INS(quotas={'instances': {'limit': 10, 'in_use': 0},
                 'cores': {'limit': 10, 'in_use': 9},
                 'ram': {'limit': -1, 'in_use': 0}}), {}, B,
     'cores needs 2, 1 free'),
    ('instances reserved', readiness.ComputeQuotaCheck, {}, 'cold', SPEC,
     INS(quotas={'instances': {'limit': 2, 'in_use': 1, 'reserved': 1},
                 'cores': {'limit': -1, 'in_use': 0},
                 'ram': {'limit': -1, 'in_use': 0}}), {}, B,
     'instances needs 1, 0 free'),
]


class TestChecks(test_base.TestCase):

    def test_table(self):
        for (case, cls, overrides, mode, spec, inspector, extra, status,
             text) in CASES:
            data = base.CheckInput(fakes.vm(**overrides), mode=mode,
                                   target_spec=spec, inspector=inspector,
                                   **extra)
            result = cls().run(data)
            self.assertEqual(status, result['status'],
                             '%s: %s' % (case, result['message']))
            self.assertIn(text, result['message'], case)
            self.assertEqual(cls.name, result['name'], case)
            self.assertEqual(cls.category, result['category'], case)
            if status != base.PASS:
                self.assertTrue(result['remediation'], case)

    def test_every_check_has_cases_for_each_status_it_gives(self):
        covered = {row[1] for row in CASES}
        from xms.preflight import engine
        registered = {type(c) for c in engine.load_checks()}
        self.assertEqual(registered, covered)

    def test_windows_with_virtio_win(self):
        self.config(virtio_win='/srv/virtio-win.iso', group='conversion')
        data = base.CheckInput(fakes.vm(guest_family='windowsGuest'))
        self.assertEqual(base.PASS,
                         guest.ConversionSupportCheck().run(data)['status'])

    def test_conversion_driver_none(self):
        self.config(driver='none', group='conversion')
        data = base.CheckInput(fakes.vm())
        self.assertEqual(base.WARN,
                         guest.ConversionSupportCheck().run(data)['status'])

    def test_hardware_range_from_config(self):
        self.config(min_hardware_version=10, max_hardware_version=12,
                    group='preflight')
        check = compute.HardwareVersionCheck()
        for version, status in (('vmx-09', base.BLOCK), ('vmx-10', base.PASS),
                                ('vmx-12', base.PASS), ('vmx-13', base.WARN)):
            data = base.CheckInput(fakes.vm(hardware_version=version))
            self.assertEqual(status, check.run(data)['status'], version)

    def test_inspector_asked_once_per_input(self):
        inspector = fakes.Inspector()
        data = base.CheckInput(fakes.vm(), target_spec=SPEC,
                               inspector=inspector)
        readiness.ComputeQuotaCheck().run(data)
        storage.VolumeQuotaCheck().run(data)
        self.assertEqual(1, inspector.calls.count('quotas'))
