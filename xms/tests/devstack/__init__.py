"""devstack/ run outside devstack, for the plugin's tests.

devstack cannot run on the test machine, so :func:`run_plugin` sources
``devstack/settings`` and ``devstack/plugin.sh`` phase by phase in one
bash process, as ``stack.sh``/``unstack.sh``/``clean.sh`` do, with
devstack's functions replaced by the recorders of ``fakes.sh``. The
:class:`Record` it returns is what the plugin would have done, in order:
the unit tests assert on it, and the functional test writes the recorded
``xms.conf`` and starts the real services from it, so the configuration
the plugin writes is proven to work, not only to be written.
"""

import os
import subprocess

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                   '..'))
FAKES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     'fakes.sh')
SEP = '\x1f'

#: The phases of one stack.sh, then unstack.sh and clean.sh.
STACK = (('stack', 'install'), ('stack', 'post-config'),
         ('stack', 'extra'))
ALL_PHASES = STACK + (('unstack',), ('clean',))

#: What stack.sh would have in its environment: devstack's defaults for
#: a single-node devstack.
DEVSTACK_ENV = {
    'STACK_USER': 'stack',
    'SERVICE_HOST': '192.0.2.10',
    'HOST_IP': '192.0.2.10',
    'SERVICE_PROTOCOL': 'http',
    'REGION_NAME': 'RegionOne',
    'SERVICE_PASSWORD': 'service-secret',
    'SERVICE_PROJECT_NAME': 'service',
    'SERVICE_DOMAIN_NAME': 'Default',
    'KEYSTONE_SERVICE_URI': 'http://192.0.2.10/identity',
    'ENABLE_DEBUG_LOG_LEVEL': 'True',
    'SERVICE_TIMEOUT': '60',
    'SSL_BUNDLE_FILE': '/opt/stack/data/ca-bundle.pem',
    'MEMCACHE_SERVERS': 'localhost:11211',
    'HORIZON_DIR': '/opt/stack/horizon',
    'XMS_FAKE_DB_URL': 'mysql+pymysql://root:db-secret@127.0.0.1',
    'XMS_FAKE_TRANSPORT_URL':
        'rabbit://stackrabbit:rabbit-secret@192.0.2.10:5672/',
    # devstack's default services plus the plugin's (devstack/settings
    # enables xms-api, xms-cond, xms-worker and xms-vcsim).
    'ENABLED_SERVICES': 'key,mysql,rabbit,etcd3,g-api,n-api,n-cpu,'
                        'c-api,c-sch,c-vol,q-svc,placement-api',
}


class Record:
    """The calls the plugin made, in order, as tuples ``(name, *args)``;
    ``('phase', ...)`` marks the start of each phase."""

    def __init__(self, calls, workdir, output):
        self.calls = calls
        self.workdir = workdir
        self.output = output

    def phase(self, *name):
        """The calls of one phase."""
        inside, found = [], False
        for call in self.calls:
            if call[0] == 'phase':
                found = tuple(call[1:]) == name
            elif found:
                inside.append(call)
        return inside

    def index(self, *call):
        """Where ``call`` (a prefix of a recorded call) first happened."""
        for number, each in enumerate(self.calls):
            if each[:len(call)] == call:
                return number
        raise AssertionError('never called: %r' % (call,))

    def ini(self, path):
        """``{section: {option: value}}`` as the recorded ``iniset`` calls
        would have written ``path``."""
        doc = {}
        for call in self.calls:
            if call[0] == 'iniset' and call[1] == path:
                doc.setdefault(call[2], {})[call[3]] = call[4]
        return doc

    @property
    def conf_dir(self):
        return os.path.join(self.workdir, 'etc')

    @property
    def xms_conf(self):
        return os.path.join(self.conf_dir, 'xms.conf')


def _tree(workdir):
    """``$DEST/xms``: the repository, with tools/vcsim/build.sh and the
    console scripts replaced by recorders."""
    dest = os.path.join(workdir, 'dest')
    xms = os.path.join(dest, 'xms')
    os.makedirs(os.path.join(xms, 'tools', 'vcsim'))
    for name in ('devstack', 'etc', 'xms', 'bindep.txt', 'client',
                 'dashboard'):
        os.symlink(os.path.join(TOP, name), os.path.join(xms, name))
    bin_dir = os.path.join(workdir, 'bin')
    os.makedirs(bin_dir)
    recorders = [(os.path.join(xms, 'tools', 'vcsim', 'build.sh'),
                  'vcsim-build')]
    recorders += [(os.path.join(bin_dir, name), name)
                  for name in ('xms-manage', 'xms-api', 'xms-conductor',
                               'xms-worker', 'uwsgi')]
    for path, name in recorders:
        with open(path, 'w') as f:
            f.write('#!/bin/bash\n{ printf %%s %s; for a in "$@"; do'
                    ' printf "\\x1f%%s" "$a"; done; echo; }'
                    ' >> "$XMS_RECORD"\n' % name)
        os.chmod(path, 0o700)
    return dest, bin_dir


def run_plugin(workdir, phases=ALL_PHASES, env=None, services=()):
    """Source devstack/settings, then plugin.sh for each phase.

    :param workdir: an empty directory; the configuration directory
        (``XMS_CONF_DIR``) and devstack's ``DATA_DIR`` are below it.
    :param env: variables of local.conf (or devstack's) to override.
    :param services: more services enabled (``horizon``, ...).
    :returns: :class:`Record`.
    :raises subprocess.CalledProcessError: if bash fails (errexit is on,
        as in stack.sh).
    """
    dest, bin_dir = _tree(workdir)
    # What the recorded ``sudo install -d`` would have made.
    os.makedirs(os.path.join(workdir, 'etc'))
    record = os.path.join(workdir, 'record')
    open(record, 'w').close()
    environ = {'PATH': os.environ['PATH'], 'HOME': workdir,
               'LANG': 'C.UTF-8'}
    environ.update(DEVSTACK_ENV)
    environ.update({'DEST': dest, 'DATA_DIR': os.path.join(workdir, 'data'),
                    'HORIZON_DIR': os.path.join(workdir, 'horizon'),
                    'XMS_CONF_DIR': os.path.join(workdir, 'etc'),
                    'XMS_RECORD': record, 'XMS_FAKE_BIN': bin_dir})
    if services:
        environ['ENABLED_SERVICES'] += ',' + ','.join(services)
    environ.update(env or {})
    lines = ['set -o errexit', 'source %s' % FAKES,
             'source "$DEST/xms/devstack/settings"']
    for phase in phases:
        lines.append('_rec phase %s' % ' '.join(phase))
        lines.append('source "$DEST/xms/devstack/plugin.sh" %s'
                     % ' '.join(phase))
    result = subprocess.run(['bash', '-c', '\n'.join(lines)], env=environ,
                            capture_output=True, text=True, timeout=60,
                            check=False)
    if result.returncode:
        raise subprocess.CalledProcessError(
            result.returncode, 'devstack plugin', result.stdout,
            result.stderr)
    with open(record) as f:
        calls = [tuple(line.rstrip('\n').split(SEP)) for line in f]
    return Record(calls, workdir, result.stdout + result.stderr)
