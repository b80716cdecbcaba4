"""What every XMS process does at start-up and while it runs.

:func:`prepare_service` parses configuration and sets up logging;
:func:`preflight_checks` proves the database and broker answer, so a
misconfigured process exits with one clear line instead of a traceback
(see :mod:`xms.cmd`). :class:`Heartbeat` keeps the process's row in the
``workers`` table fresh from a native thread.
"""

import threading

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log as logging
import sqlalchemy as sa
from stevedore import named

from xms import version
from xms.common import context as xms_context
from xms.common import exception
from xms.common import rpc
from xms.conf import CONF
from xms.conf import opts as xms_opts
from xms.db import api as db_api
from xms.db import migration

LOG = logging.getLogger(__name__)

# Configuration namespaces whose options a config file may set; anything
# else in a file is a typo that would otherwise be ignored silently.
CONFIG_NAMESPACES = ('xms', 'castellan.config',
                     'keystonemiddleware.auth_token', 'oslo.db',
                     'oslo.log', 'oslo.messaging', 'oslo.middleware.cors',
                     'oslo.middleware.http_proxy_to_wsgi',
                     'oslo.middleware.sizelimit', 'oslo.policy')


def prepare_service(argv, default_config_files=None):
    """Parse the command line and config files, then set up logging.

    :raises ConfigInvalid: for unparsable files or unknown options.
    """
    logging.register_options(CONF)
    _register_library_opts(CONF)
    xms_opts.set_defaults()
    try:
        CONF(argv[1:], project='xms', version=version.version_string(),
             default_config_files=default_config_files)
    except cfg.Error as exc:
        raise exception.ConfigInvalid(error=exc)
    check_unknown_options(CONF)
    logging.setup(CONF, 'xms')


def _register_library_opts(conf):
    """Register oslo.messaging's options before they are first read.

    oslo.messaging registers them only when a transport is created; the
    broker check at start-up reads ``transport_url`` before that.
    """
    from oslo_messaging import opts as messaging_opts

    for group, options in messaging_opts.list_opts():
        for opt in options:
            try:
                conf.register_opt(opt, group=group)
            except cfg.DuplicateOptError:
                pass


def _known_options():
    known = {}
    # Only XMS's namespaces are imported: importing every package's
    # module would run their import-time code, and python-manilaclient
    # (pulled by python-openstackclient, e.g. on a devstack host) parses
    # the global CONF with no arguments when imported, which made every
    # XMS command fail with "the following arguments are required".
    manager = named.NamedExtensionManager('oslo.config.opts',
                                          names=CONFIG_NAMESPACES,
                                          invoke_on_load=False)
    for ext in manager:
        for group, options in ext.plugin():
            group = getattr(group, 'name', group) or 'DEFAULT'
            names = known.setdefault(group.lower(), set())
            for opt in options:
                names.add(opt.dest)
                names.add(opt.name.replace('-', '_'))
                for dep in opt.deprecated_opts:
                    if dep.name:
                        names.add(dep.name.replace('-', '_'))
    # keystoneauth plugin options are loaded by plugin name at runtime.
    for group in ('keystone_authtoken', 'service_auth'):
        known.setdefault(group, set()).add('*')
    return known


def check_unknown_options(conf):
    """Refuse options no XMS component knows, naming file and option.

    :raises ConfigInvalid: on the first unknown section or option.
    """
    files = list(conf.config_file or [])
    for directory in conf.config_dir or []:
        files.extend(cfg._get_config_dir_files(directory))
    if not files:
        return
    known = _known_options()
    for path in files:
        sections = {}
        try:
            cfg.ConfigParser(path, sections).parse()
        except cfg.ParseError as exc:
            raise exception.ConfigInvalid(error=exc)
        for section, values in sections.items():
            names = known.get(section.lower())
            if names is None:
                raise exception.ConfigInvalid(
                    error='unknown section [%s] in %s; see the options in '
                          'etc/xms/xms.conf.sample' % (section, path))
            if '*' in names:
                continue
            for key in values:
                if key.replace('-', '_') not in names:
                    raise exception.ConfigInvalid(
                        error='unknown option "%s" in section [%s] of %s; '
                              'see etc/xms/xms.conf.sample for the valid '
                              'options' % (key, section, path))


def _safe_db_url(url):
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return '(invalid URL)'


def check_database(require_schema=True):
    """Connect to the database and check its schema revision.

    :raises DatabaseUnavailable: when it cannot connect.
    :raises DatabaseNotSynced: when ``xms-manage db sync`` is needed.
    """
    url = CONF.database.connection
    try:
        engine = db_api.get_engine()
        with engine.connect() as conn:
            conn.execute(sa.text('SELECT 1'))
    except (db_exc.DBError, sa.exc.SQLAlchemyError, ImportError,
            ValueError) as exc:
        reason = getattr(exc, 'inner_exception', None) or exc
        raise exception.DatabaseUnavailable(
            url=_safe_db_url(url), reason=str(reason).splitlines()[0])
    if require_schema:
        current, expected = migration.version(engine), migration.head()
        if current != expected:
            raise exception.DatabaseNotSynced(current=current or 'none',
                                              expected=expected)


def check_messaging(timeout=5):
    """Connect to the broker once.

    oslo.messaging connects lazily and retries forever; a process that
    cannot reach its broker should say so at start instead.

    :raises MessagingUnavailable: when the broker does not answer.
    """
    import kombu

    url = CONF.transport_url
    try:
        parsed = rpc.messaging.TransportURL.parse(CONF, url)
    except rpc.messaging.InvalidTransportURL as exc:
        raise exception.MessagingUnavailable(url='(invalid URL)',
                                             reason=exc)
    if parsed.transport != 'rabbit':
        return
    for host in parsed.hosts:
        kombu_url = 'amqp://%s:%s@%s:%s/%s' % (
            host.username or 'guest', host.password or 'guest',
            host.hostname, host.port or 5672, parsed.virtual_host or '')
        connection = kombu.Connection(kombu_url, connect_timeout=timeout)
        try:
            connection.ensure_connection(max_retries=1, timeout=timeout)
            return
        except Exception as exc:
            last = exc
        finally:
            connection.release()
    raise exception.MessagingUnavailable(url=rpc.safe_transport_url(),
                                         reason=last)


class Heartbeat:
    """Registers a process in ``workers`` and refreshes it periodically.

    :param binary: the process name, e.g. ``xms-conductor``.
    :param slots: capacity to advertise (worker slots).
    :param running: callable returning the number of running jobs.
    """

    def __init__(self, binary, slots=0, running=None, interval=None):
        self.binary = binary
        self.slots = slots
        self.running = running or (lambda: 0)
        self.interval = interval or CONF.conductor.heartbeat_interval
        self.host = CONF.host
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        ctx = xms_context.get_admin_context()
        db_api.worker_register(ctx, self.host, self.binary,
                               slots=self.slots,
                               version=version.version_string())
        LOG.info('%s registered on host %s with %d slot(s)', self.binary,
                 self.host, self.slots)
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='heartbeat-%s' % self.binary)
        self._thread.start()

    def _run(self):
        ctx = xms_context.get_admin_context()
        while not self._stop.wait(self.interval):
            try:
                db_api.worker_heartbeat(ctx, self.host, self.binary,
                                        running=self.running())
            except Exception:
                # A database blip must not kill the process; the next beat
                # retries and the row shows the gap meanwhile.
                LOG.warning('Heartbeat of %s failed', self.binary,
                            exc_info=True)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)
        try:
            db_api.worker_stopped(xms_context.get_admin_context(),
                                  self.host, self.binary)
        except Exception:
            LOG.warning('Could not mark %s stopped', self.binary,
                        exc_info=True)
