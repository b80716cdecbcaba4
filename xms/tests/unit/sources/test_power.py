"""Guest shutdown, timeout and hard power-off."""

from pyVmomi import vim

from xms.sources.vsphere import power
from xms.tests import base


class FakeVm:
    _moId = 'vm-1'

    def __init__(self, state, tools='guestToolsRunning', obeys=True,
                 refuses=False):
        self.state = state
        self.tools = tools
        self.obeys = obeys
        self.refuses = refuses
        self.calls = []

    def ShutdownGuest(self):
        self.calls.append('shutdown')
        if self.refuses:
            raise vim.fault.ToolsUnavailable()
        if self.obeys:
            self.state = 'poweredOff'

    def PowerOffVM_Task(self):
        self.calls.append('poweroff')
        return 'off'

    def PowerOnVM_Task(self):
        self.calls.append('poweron')
        return 'on'


class FakeSession:
    def __init__(self, vm):
        self.vm = vm

    def prop(self, obj, path, default=None):
        return {'runtime.powerState': self.vm.state,
                'guest.toolsRunningStatus': self.vm.tools}.get(path, default)

    def wait_for_task(self, task, target=None):
        self.vm.state = {'off': 'poweredOff', 'on': 'poweredOn'}[task]


class TestPower(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(power_poll_interval=0.05, group='vsphere')

    def _off(self, vm, timeout=0.2):
        return power.power_off(FakeSession(vm), vm, timeout)

    def test_guest_shutdown(self):
        vm = FakeVm('poweredOn')
        self.assertEqual('guest_shutdown', self._off(vm))
        self.assertEqual(['shutdown'], vm.calls)

    def test_guest_ignores_shutdown(self):
        vm = FakeVm('poweredOn', obeys=False)
        self.assertEqual('hard_power_off', self._off(vm))
        self.assertEqual(['shutdown', 'poweroff'], vm.calls)
        self.assertEqual('poweredOff', vm.state)

    def test_no_tools(self):
        vm = FakeVm('poweredOn', tools='guestToolsNotRunning')
        self.assertEqual('hard_power_off', self._off(vm))
        self.assertEqual(['poweroff'], vm.calls)

    def test_tools_refuse(self):
        vm = FakeVm('poweredOn', refuses=True)
        self.assertEqual('hard_power_off', self._off(vm))
        self.assertEqual(['shutdown', 'poweroff'], vm.calls)

    def test_zero_timeout_is_hard(self):
        vm = FakeVm('poweredOn')
        self.assertEqual('hard_power_off', self._off(vm, timeout=0))
        self.assertEqual(['poweroff'], vm.calls)

    def test_already_off_and_power_on(self):
        vm = FakeVm('poweredOff')
        self.assertEqual('already_off', self._off(vm))
        self.assertTrue(power.power_on(FakeSession(vm), vm))
        self.assertFalse(power.power_on(FakeSession(vm), vm))
        self.assertEqual('poweredOn', power.state(FakeSession(vm), vm))
