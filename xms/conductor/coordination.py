"""Which conductor runs the periodic work: a leader elected with tooz.

Every conductor serves RPC; only the leader runs the periodic work (the
sync scheduler and dispatch retries, the trust revoker, the snapshot
reaper, the purge). The election is a tooz lock named
``[coordination]/election_name`` on ``[coordination]/backend_url``: the
conductor that holds it leads. On etcd (tooz's ``etcd3+http`` driver,
the etcd the jobboard uses) the lock is a key bound to a lease of
``[coordination]/lease_ttl`` seconds, so a leader that dies (kill -9, a
host gone) loses it by itself when the lease expires, and another
conductor takes it on its next election round, every
``[coordination]/heartbeat_interval`` seconds. tooz's etcd driver has no
leader-election API of its own (``watch_elected_as_leader`` is not
implemented), hence the lock.

**Leadership is a lease, counted locally.** A leader is leader only
until ``lease_ttl`` seconds (less one heartbeat interval of margin) after
it *sent* its last successful refresh: :meth:`Election.is_leader` checks
that deadline on every call, so a leader that cannot refresh (etcd
unreachable, a long pause, SIGSTOP) stops claiming leadership before its
lock can have expired in etcd, even if its election thread has not run
since. tooz's etcd lock refresh does not report an expired lease, which
is one more reason not to trust it alone.

**Two leaders, briefly.** A periodic pass started just before the
deadline still runs to its end, so for the length of one pass an old
and a new leader may both act. Every periodic action is therefore safe
twice: posting a flow is a conditional update of the job's flow lock
(``active_flow`` NULL -> name), revoking a trust is a conditional update
of ``trust_id``, removing a snapshot XMS recorded marks its row and a
vSphere removal of a snapshot already gone is a no-op, and the purge
deletes rows by key (deleting them twice deletes nothing).

Without ``backend_url`` (xms-all-in-one, a single conductor) the
conductor is its own leader: run only one conductor then.
"""

import threading
import time
from urllib import parse

from oslo_log import log as logging

from xms.conf import CONF

LOG = logging.getLogger(__name__)


def _backend_url(conf):
    """The backend URL with the lock TTL and a socket timeout set.

    tooz takes the etcd lock's lease TTL from the URL (``lock_timeout``);
    a socket timeout well under the TTL keeps a hung etcd call from
    outlasting the lease it should refresh.
    """
    url = conf.coordination.backend_url
    parts = parse.urlsplit(url)
    query = dict(parse.parse_qsl(parts.query))
    ttl = conf.coordination.lease_ttl
    query.setdefault('lock_timeout', str(ttl))
    query.setdefault('membership_timeout', str(ttl))
    query.setdefault('timeout', str(max(1, ttl // 3)))
    return parse.urlunsplit(parts._replace(query=parse.urlencode(query)))


class Election:
    """This conductor's place in the leader election.

    :param member_id: this conductor's name in the election (its host).
    :param on_change: called with True/False from the election thread
        when this conductor becomes or stops being the leader (logging,
        tests); it must not block.
    :param clock: monotonic clock (tests pass a fake).
    """

    def __init__(self, member_id=None, on_change=None, conf=CONF,
                 clock=time.monotonic):
        self.member_id = member_id or conf.host
        self.conf = conf
        self.on_change = on_change
        self.clock = clock
        self.standalone = not conf.coordination.backend_url
        self.interval = conf.coordination.heartbeat_interval
        # Leadership ends this long after the last refresh was sent: one
        # interval before etcd may drop the lock.
        self.hold = max(conf.coordination.lease_ttl - self.interval,
                        conf.coordination.lease_ttl / 2.0)
        self._coordinator = None
        self._lock = None
        self._leader_until = None
        self._was_leader = False
        self._stop = threading.Event()
        self._thread = None

    # -- state -----------------------------------------------------------

    def is_leader(self):
        """Whether this conductor may run periodic work right now."""
        if self.standalone:
            return True
        until = self._leader_until
        return until is not None and self.clock() < until

    # -- lifecycle -------------------------------------------------------

    def start(self):
        if self.standalone:
            LOG.info('No [coordination]/backend_url: conductor %s runs the '
                     'periodic work alone', self.member_id)
            self._notify(True)
            return
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='xms-election')
        self._thread.start()

    def stop(self):
        """Resign: release the lock so another conductor leads at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 10)
        self._resign()
        self._disconnect()

    # -- the election thread ---------------------------------------------

    def _run(self):
        while not self._stop.is_set():
            try:
                self.run_round()
            except Exception as exc:  # noqa: BLE001 - next round retries
                LOG.warning('Leader election round of %s failed: %s',
                            self.member_id, exc)
            self._stop.wait(self.interval)

    def run_round(self):
        """One election round: refresh the lock we hold or try to take it.

        Any failure loses nothing by itself: leadership ends at its
        deadline unless a later refresh succeeds.
        """
        try:
            self._round()
        finally:
            self._notify(self.is_leader())

    def _round(self):
        if self._coordinator is None:
            self._connect()
        sent = self.clock()
        if self._lock is not None and self._leader_until is not None:
            if self.clock() >= self._leader_until:
                # Too late to refresh: etcd may have given the lock away.
                LOG.warning('Conductor %s: leadership lease lapsed, '
                            'standing for election again', self.member_id)
                self._resign()
                return
            if self._lock.heartbeat():
                self._leader_until = sent + self.hold
            else:
                self._leader_until = None
            return
        self._lock = self._coordinator.get_lock(
            self.conf.coordination.election_name.encode())
        if self._lock.acquire(blocking=False):
            self._leader_until = sent + self.hold
        else:
            self._lock = None

    def _connect(self):
        from tooz import coordination as tooz_coordination

        coordinator = tooz_coordination.get_coordinator(
            _backend_url(self.conf), self.member_id.encode())
        coordinator.start(start_heart=False)
        self._coordinator = coordinator

    def _resign(self):
        self._leader_until = None
        lock, self._lock = self._lock, None
        if lock is not None:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - the lease expires anyway
                LOG.warning('Conductor %s: could not release the leader '
                            'lock; it expires with its lease',
                            self.member_id)
        self._notify(False)

    def _disconnect(self):
        coordinator, self._coordinator = self._coordinator, None
        if coordinator is not None:
            try:
                coordinator.stop()
            except Exception:  # noqa: BLE001 - stopping anyway
                LOG.debug('Coordinator stop failed', exc_info=True)

    def _notify(self, leader):
        if leader == self._was_leader:
            return
        self._was_leader = leader
        if leader:
            LOG.info('Conductor %s is the leader: it runs the periodic work',
                     self.member_id)
        else:
            LOG.info('Conductor %s is not the leader: periodic work stops',
                     self.member_id)
        if self.on_change is not None:
            self.on_change(leader)
