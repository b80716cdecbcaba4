"""The source driver interface and its loader.

A source driver is everything XMS asks of a hypervisor platform it
migrates from: test a connection, discover VMs, snapshot them, track and
query their changed blocks, power them off and on, and tell the data path
where a disk's bytes can be read. Drivers are loaded by stevedore from
the ``xms.source`` entry point group, named by ``sources.type``
(``vmware``).
"""

import abc
import threading

from stevedore import driver as stevedore_driver

from xms.sources import exception

NAMESPACE = 'xms.source'

# Changed Block Tracking exists from virtual hardware version 7 on.
CBT_MIN_HARDWARE_VERSION = 7

_drivers = {}
_lock = threading.Lock()


class SourceDriver(metaclass=abc.ABCMeta):
    """What XMS needs from a source platform.

    Every method takes the request context first (for DB access) and the
    ``Source`` row; VMs are named by their platform id (``vm_moref``).
    """

    @abc.abstractmethod
    def test_connection(self, context, source):
        """Open a session, report the endpoint, close it.

        Updates the source's status columns either way.

        :returns: ``{product_name, version, build, api_type}``.
        """

    @abc.abstractmethod
    def discover(self, context, source):
        """Scan the source's inventory into the DB.

        :returns: ``{vms, added, updated, missing}``.
        """

    @abc.abstractmethod
    def create_snapshot(self, context, source, vm_moref, job_id, purpose,
                        quiesce=False):
        """Record then take a snapshot of a VM for a job; return its row."""

    @abc.abstractmethod
    def remove_snapshot(self, context, source, snapshot):
        """Remove a snapshot XMS took (a ``Snapshot`` row or its id)."""

    @abc.abstractmethod
    def reap_snapshots(self, context):
        """Remove every leaked XMS snapshot; return a summary dict."""

    @abc.abstractmethod
    def enable_cbt(self, context, source, vm_moref):
        """Enable changed block tracking; True if it was off."""

    @abc.abstractmethod
    def get_change_ids(self, context, source, vm_moref, snapshot_moref):
        """``{device_key: change_id}`` recorded by a snapshot."""

    @abc.abstractmethod
    def query_changed_areas(self, context, source, vm_moref,
                            snapshot_moref, device_key, change_id):
        """``[(start, length), ...]`` changed since ``change_id``.

        :raises ChangeIdReset: when the caller must copy the disk in full.
        """

    @abc.abstractmethod
    def power_off(self, context, source, vm_moref, timeout=None):
        """Guest shutdown, wait ``timeout`` s, then hard power-off."""

    @abc.abstractmethod
    def power_on(self, context, source, vm_moref):
        """Power a VM on."""

    @abc.abstractmethod
    def power_state(self, context, source, vm_moref):
        """``poweredOn``, ``poweredOff`` or ``suspended``."""

    @abc.abstractmethod
    def disk_url(self, context, source, vm_moref, snapshot_moref,
                 device_key):
        """Where the data path reads a disk of a snapshot over HTTPS."""


def hardware_version_number(value):
    """``'vmx-13'`` -> 13; None when unknown or unreadable."""
    if not value:
        return None
    try:
        return int(str(value).rsplit('-', 1)[-1])
    except ValueError:
        return None


def get_driver(source_type='vmware'):
    """The (process-wide) driver instance for a source type.

    :raises SourceDriverNotFound: for a type no entry point provides.
    """
    with _lock:
        driver = _drivers.get(source_type)
        if driver is None:
            try:
                manager = stevedore_driver.DriverManager(
                    NAMESPACE, source_type, invoke_on_load=True)
            except Exception:  # noqa: BLE001 - stevedore's NoMatches & co
                raise exception.SourceDriverNotFound(
                    source_type=source_type)
            driver = _drivers[source_type] = manager.driver
        return driver
