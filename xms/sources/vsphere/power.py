"""Power operations on source VMs.

At cutover the source must stop without losing a write: a guest shutdown
lets the guest flush its caches; only when it does not finish in time (or
VMware Tools are not there to ask) is the VM powered off hard.
"""

import time

from oslo_log import log as logging
from pyVmomi import vim

from xms.conf import CONF

LOG = logging.getLogger(__name__)

POWERED_ON = 'poweredOn'
POWERED_OFF = 'poweredOff'
SUSPENDED = 'suspended'


def state(session, vm):
    """``poweredOn``, ``poweredOff`` or ``suspended``."""
    value = session.prop(vm, 'runtime.powerState')
    return str(value) if value is not None else None


def _wait_off(session, vm, timeout):
    deadline = time.monotonic() + timeout
    while True:
        if state(session, vm) == POWERED_OFF:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(CONF.vsphere.power_poll_interval,
                       max(deadline - time.monotonic(), 0.01)))


def power_off(session, vm, timeout=None):
    """Shut the guest down, wait up to ``timeout`` s, then power off hard.

    :returns: how the VM stopped: ``already_off``, ``guest_shutdown`` or
        ``hard_power_off``.
    """
    if timeout is None:
        timeout = CONF.vsphere.shutdown_timeout
    current = state(session, vm)
    if current == POWERED_OFF:
        return 'already_off'
    if current == POWERED_ON and timeout > 0:
        tools = session.prop(vm, 'guest.toolsRunningStatus')
        if tools in ('guestToolsRunning', 'guestToolsExecutingScripts'):
            try:
                vm.ShutdownGuest()
                if _wait_off(session, vm, timeout):
                    LOG.info('VM %s shut down by its guest', vm._moId)
                    return 'guest_shutdown'
                LOG.warning('VM %s did not shut down in %s s; powering '
                            'it off', vm._moId, timeout)
            except (vim.fault.ToolsUnavailable,
                    vim.fault.InvalidState) as exc:
                LOG.warning('Guest shutdown of VM %s refused (%s); '
                            'powering it off', vm._moId,
                            type(exc).__name__)
        else:
            LOG.warning('VMware Tools are not running in VM %s; powering '
                        'it off without a guest shutdown', vm._moId)
    if state(session, vm) != POWERED_OFF:
        session.wait_for_task(vm.PowerOffVM_Task(), target=vm._moId)
    return 'hard_power_off'


def power_on(session, vm):
    """Power a VM on; no-op if it runs already.

    :returns: True when it was powered on by this call.
    """
    if state(session, vm) == POWERED_ON:
        return False
    session.wait_for_task(vm.PowerOnVM_Task(), target=vm._moId)
    return True
