"""vSphere sessions: one per source per process, TLS pinned, renewed.

A session is opened on first use of a source and kept in a process-wide
cache keyed by the source's id and a hash of everything that identifies
its credential and trust (host, port, user, encrypted password, CA,
thumbprint, verify flag), so that a rotated credential or a new pin opens
a new session while every job of an unchanged source shares one. The
password is decrypted only here, right before ``Login``, and never kept.

TLS trust, in order: the source's CA certificate (PEM), else its SHA-256
thumbprint, else the system CA store; ``verify_tls=False`` disables
checking only when the source says so. The trust is checked by the SSL
context of the SDK connections themselves
(:func:`xms.common.tls.client_context`), during each handshake and before
the first request byte, so neither the password nor the session cookie
can reach a server other than the trusted one.
:meth:`Session.peer_certificate` hands the certificate accepted there to
the data path, which makes its own connections trust exactly that
certificate.

pyvmomi 9 reads a property of a managed object with the ``Fetch`` call,
which vcsim 0.24 answers by crashing when the property is unset, and it
refuses some ``TaskInfo`` values vcsim returns. Everything here therefore
reads properties through ``PropertyCollector.RetrievePropertiesEx`` and
waits for tasks by polling ``info.state`` and ``info.error`` only: both
work the same way against a real vCenter.
"""

import atexit
import hashlib
import socket
import ssl
import threading
import time

from oslo_log import log as logging
from oslo_utils import timeutils
from pyVim import connect
from pyVmomi import vim
from pyVmomi import vmodl

from xms.common import credentials
from xms.common import tls
from xms.common.tls import normalize_thumbprint
from xms.conf import CONF
from xms.sources import exception

LOG = logging.getLogger(__name__)

# Objects per RetrievePropertiesEx page; the rest comes with
# ContinueRetrievePropertiesEx.
RETRIEVE_PAGE_SIZE = 1000


def session_key(source):
    """The cache key of a source's session: id plus a credential hash."""
    digest = hashlib.sha256()
    for value in (source.host, source.port, source.username,
                  source.password_encrypted, source.ca_cert,
                  normalize_thumbprint(source.thumbprint),
                  bool(source.verify_tls)):
        digest.update(repr(value).encode('utf-8'))
        digest.update(b'\0')
    return (source.id, digest.hexdigest())


class _SourceInfo:
    """What a session keeps of a source row: everything but the secret
    in clear (the ciphertext is kept to log in again on expiry)."""

    def __init__(self, source):
        self.id = source.id
        self.uuid = source.uuid
        self.host = source.host
        self.port = source.port or 443
        self.username = source.username
        self.password_encrypted = source.password_encrypted
        self.datacenter = source.datacenter
        self.verify_tls = bool(source.verify_tls)
        self.ca_cert = source.ca_cert
        self.thumbprint = normalize_thumbprint(source.thumbprint)


class Session:
    """A logged-in vSphere session of one source.

    Use :meth:`call` for every request so that an expired session is
    renewed once and the request repeated.
    """

    def __init__(self, source):
        self.source = _SourceInfo(source)
        self.si = None
        self.content = None
        self._lock = threading.RLock()
        self._ctx = None
        self.opened_at = None

    # -- connection ------------------------------------------------------

    def _error_kwargs(self):
        return {'source': self.source.uuid, 'host': self.source.host,
                'port': self.source.port}

    def _ssl_context(self):
        src = self.source
        if not (src.ca_cert or src.thumbprint or src.verify_tls):
            LOG.warning('TLS verification is disabled for source %s '
                        '(%s) by its verify_tls setting',
                        src.uuid, src.host)
        return tls.client_context(ca_cert=src.ca_cert, pin=src.thumbprint,
                                  verify=src.verify_tls)

    def _pin_mismatch(self, exc):
        return exception.SourceThumbprintMismatch(
            expected=exc.expected, actual=exc.actual, **self._error_kwargs())

    def _probe(self):
        """Fail early and clearly when the endpoint does not answer."""
        src = self.source
        try:
            with socket.create_connection(
                    (src.host, src.port),
                    timeout=CONF.vsphere.connect_timeout):
                pass
        except OSError as exc:
            raise exception.SourceUnreachable(reason=str(exc),
                                              **self._error_kwargs())

    def open(self):
        """Log in (again) and remember the session.

        :raises SourceUnreachable, SourceThumbprintMismatch, SourceTLSError,
            SourceAuthenticationFailed: with a message for the user.
        """
        with self._lock:
            self._close_quietly()
            src = self.source
            self._probe()
            ctx = self._ssl_context()
            password = credentials.decrypt(src.password_encrypted, src.uuid)
            try:
                si = connect.SmartConnect(
                    host=src.host, port=src.port, user=src.username,
                    pwd=password, sslContext=ctx,
                    httpConnectionTimeout=CONF.vsphere.connect_timeout)
            except vim.fault.InvalidLogin:
                raise exception.SourceAuthenticationFailed(
                    **self._error_kwargs())
            except tls.PinMismatch as exc:
                raise self._pin_mismatch(exc)
            except ssl.SSLCertVerificationError as exc:
                raise exception.SourceTLSError(
                    reason=exc.verify_message or str(exc),
                    **self._error_kwargs())
            except ssl.SSLError as exc:
                raise exception.SourceTLSError(reason=str(exc),
                                               **self._error_kwargs())
            except vmodl.MethodFault as exc:
                raise exception.SourceError(
                    source=src.uuid, reason=_fault_message(exc))
            except (OSError, Exception) as exc:
                # SmartConnect raises a bare Exception when the endpoint
                # is not a vSphere SDK ("is down or is not a VIM server").
                raise exception.SourceUnreachable(
                    reason=_scrub(str(exc), password),
                    **self._error_kwargs())
            finally:
                del password
            self._ctx = ctx
            self.si = si
            self.content = si.RetrieveContent()
            self.opened_at = timeutils.utcnow()
            LOG.info('Opened vSphere session to %s:%s for source %s',
                     src.host, src.port, src.uuid)
            return self

    def _close_quietly(self):
        si, self.si, self.content = self.si, None, None
        if si is not None:
            try:
                si.content.sessionManager.Logout()
            except Exception:  # noqa: S110 - already gone is fine
                pass

    def close(self):
        with self._lock:
            if self.si is not None:
                LOG.debug('Closing vSphere session of source %s',
                          self.source.uuid)
            self._close_quietly()

    def call(self, func, *args, **kwargs):
        """Run ``func(session, ...)``, renewing an expired session once.

        Connection errors are retried ``[vsphere]/api_retry_count`` times
        with a fresh session.
        """
        retries = CONF.vsphere.api_retry_count
        attempt = 0
        while True:
            si = self._current()
            try:
                return func(self, *args, **kwargs)
            except tls.PinMismatch as exc:
                # A new pooled connection met another certificate.
                raise self._pin_mismatch(exc)
            except vim.fault.NotAuthenticated:
                if attempt >= max(retries, 1):
                    raise
                LOG.info('vSphere session of source %s expired; logging '
                         'in again', self.source.uuid)
            except (TimeoutError, ConnectionError,
                    ssl.SSLEOFError) as exc:
                if attempt >= retries:
                    raise exception.SourceUnreachable(
                        reason=str(exc), **self._error_kwargs())
                LOG.warning('Connection to source %s failed (%s); '
                            'retrying with a new session',
                            self.source.uuid, exc)
            attempt += 1
            with self._lock:
                # Another thread may have renewed it already: only drop
                # the session this call failed on.
                if self.si is si:
                    self._close_quietly()

    def _current(self):
        """The logged-in ``ServiceInstance``, logging in when needed."""
        with self._lock:
            if self.si is None:
                self.open()
            return self.si

    # -- properties ------------------------------------------------------

    def retrieve(self, obj_type, path_set, objs=None, container=None,
                 recursive=True):
        """Read properties of many objects in bulk.

        :param obj_type: a ``vim`` managed object type.
        :param path_set: property paths to read.
        :param objs: objects to read; or
        :param container: a folder or datacenter whose contents (of
            ``obj_type``) are read through a container view.
        :returns: ``{moref value: (obj, {path: value})}``; unset
            properties are absent from the dict.
        """
        pc = self.content.propertyCollector
        view = None
        if objs is None:
            view = self.content.viewManager.CreateContainerView(
                container or self.content.rootFolder, [obj_type], recursive)
            traversal = vmodl.query.PropertyCollector.TraversalSpec(
                name='view', path='view', skip=False,
                type=vim.view.ContainerView)
            obj_specs = [vmodl.query.PropertyCollector.ObjectSpec(
                obj=view, skip=True, selectSet=[traversal])]
        else:
            obj_specs = [vmodl.query.PropertyCollector.ObjectSpec(obj=o)
                         for o in objs]
            if not obj_specs:
                return {}
        spec = vmodl.query.PropertyCollector.FilterSpec(
            objectSet=obj_specs,
            propSet=[vmodl.query.PropertyCollector.PropertySpec(
                type=obj_type, pathSet=list(path_set))])
        result = {}
        try:
            options = vmodl.query.PropertyCollector.RetrieveOptions(
                maxObjects=RETRIEVE_PAGE_SIZE)
            page = pc.RetrievePropertiesEx([spec], options)
            while page is not None:
                for content in page.objects or ():
                    for missing in content.missingSet or ():
                        # vcsim reports an expired session per property
                        # instead of failing the call as vCenter does.
                        if isinstance(missing.fault,
                                      vim.fault.NotAuthenticated):
                            raise missing.fault
                    props = {p.name: p.val for p in content.propSet or ()}
                    result[content.obj._moId] = (content.obj, props)
                if not page.token:
                    break
                page = pc.ContinueRetrievePropertiesEx(page.token)
        finally:
            if view is not None:
                view.Destroy()
        return result

    def props(self, obj, *paths):
        """Properties of one object (``{path: value}``, unset absent)."""
        found = self.retrieve(type(obj), paths, objs=[obj])
        return found.get(obj._moId, (obj, {}))[1]

    def prop(self, obj, path, default=None):
        return self.props(obj, path).get(path, default)

    # -- tasks -----------------------------------------------------------

    def wait_for_task(self, task, target='?', timeout=None):
        """Wait for a task by polling its state; return ``info.result``.

        :raises SourceTaskFailed: with the fault's message on error.
        :raises SourceTaskTimeout: after ``timeout`` seconds.
        """
        interval = CONF.vsphere.task_poll_interval
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            info = self.props(task, 'info.state', 'info.error',
                              'info.descriptionId')
            state = info.get('info.state')
            if state == vim.TaskInfo.State.success:
                try:
                    return self.prop(task, 'info.result')
                except Exception:  # noqa: BLE001 - a result we can't read
                    return None
            if state == vim.TaskInfo.State.error:
                raise exception.SourceTaskFailed(
                    task=info.get('info.descriptionId') or task._moId,
                    target=target,
                    reason=_fault_message(info.get('info.error')))
            if deadline is not None and time.monotonic() > deadline:
                raise exception.SourceTaskTimeout(
                    task=task._moId, target=target, timeout=timeout)
            time.sleep(interval)

    # -- lookups ---------------------------------------------------------

    def about(self):
        return self.content.about

    def vm(self, moref):
        return vim.VirtualMachine(moref, self.si._stub)

    def find_datacenter(self, name=None):
        """The datacenter of the source (or ``name``), or None for all.

        :raises DatacenterNotFound: listing the datacenters that exist.
        """
        name = name if name is not None else self.source.datacenter
        if not name:
            return None
        found = self.retrieve(vim.Datacenter, ['name'])
        for obj, props in found.values():
            if props.get('name') == name:
                return obj
        known = sorted(p.get('name', '?') for _o, p in found.values())
        raise exception.DatacenterNotFound(
            source=self.source.uuid, datacenter=name,
            known=', '.join(known) or '-')

    def cookie(self):
        """The session cookie header value (``vmware_soap_session=...``)."""
        return self.si._stub.cookie

    def peer_certificate(self):
        """PEM of the certificate this session's connections accepted.

        The data path gives it to its own TLS client as the only trusted
        certificate, so the cookie goes to no other server than the one
        the session's trust (CA, pin) accepted.
        """
        return self._ctx.peer_pem if self._ctx is not None else None


def _fault_message(fault):
    if fault is None:
        return 'unknown error'
    msg = getattr(fault, 'localizedMessage', None) or getattr(
        fault, 'msg', None)
    if not msg:
        msg = type(fault).__name__
    return msg


def _scrub(text, secret):
    if secret:
        text = text.replace(secret, '***')
    return text


# --- the per-process cache ----------------------------------------------

_sessions = {}
_sessions_lock = threading.Lock()


def get_session(source):
    """The session of ``source`` in this process, opened on first use."""
    key = session_key(source)
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            # A changed credential or pin: drop the source's old session.
            for old_key in [k for k in _sessions if k[0] == source.id]:
                _sessions.pop(old_key).close()
            session = _sessions[key] = Session(source)
    return session


def drop_session(source):
    """Close and forget the sessions of ``source`` (id or row)."""
    source_id = getattr(source, 'id', source)
    with _sessions_lock:
        for key in [k for k in _sessions if k[0] == source_id]:
            _sessions.pop(key).close()


def close_all():
    """Log out every session (at process shutdown)."""
    with _sessions_lock:
        sessions = list(_sessions.values())
        _sessions.clear()
    for session in sessions:
        session.close()


atexit.register(close_all)

