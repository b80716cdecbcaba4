"""The ``openstack`` command (python-openstackclient with the
python-xmsclient plugin) against a deployment, as an operator runs it.

:class:`CliTestCase` is a journey (:mod:`xms.tests.functional.journey.
base`: ``xms-api`` behind the mini-cloud's Keystone, conductor and worker
processes, a vcsim VM) whose deployment is registered in Keystone's
catalog as service type ``migration``, in a region of the test's own, so
parallel tests never find each other's API. Every step runs the real
``openstack`` console script in a subprocess with the user's
``OS_*`` variables, like a shell would; :meth:`CliTestCase.pty` runs one
on a pseudo-terminal to capture what a person sees.
"""

import errno
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
import uuid

from xms.tests.functional.fixtures import deployment
from xms.tests.functional.journey import base as journey_base

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')


class CliError(AssertionError):
    """A command did not exit as expected."""


class CliTestCase(journey_base.JourneyTestCase):

    def setUp(self):
        super().setUp()
        self.region = 'xms-cli-%s' % uuid.uuid4().hex[:8]
        self.useFixture(deployment.CatalogEntry(
            self.admin, self.deploy.base_url, self.region, 'XMS CLI test'))
        tenant = self.state['projects']['tenant1']
        common = {'OS_AUTH_URL': self.state['auth_url'],
                  'OS_IDENTITY_API_VERSION': '3',
                  'OS_USER_DOMAIN_ID': 'default',
                  'OS_PROJECT_ID': tenant,
                  'OS_REGION_NAME': self.region,
                  'OS_INTERFACE': 'public',
                  'LANG': 'C.UTF-8', 'PYTHONIOENCODING': 'utf-8'}
        alice = self.state['users']['alice']
        self.member_env = dict(common, OS_USERNAME='alice',
                               OS_PASSWORD=alice['password'],
                               OS_PROJECT_ID=alice['project_id'])
        # The project manager of the journeys (made by the journey's
        # setUp through manager_session).
        self.manager_env = dict(common, OS_USERNAME=deployment.MANAGER,
                                OS_PASSWORD=deployment.MANAGER_PASSWORD)
        #: Every command's output, for the secret sweep.
        self.outputs = []

    def _env(self, env):
        base = {k: v for k, v in os.environ.items()
                if not k.startswith('OS_')}
        return dict(base, **env)

    def cli(self, *args, env=None, stdin=None, expect=0, timeout=600):
        """Run ``openstack <args>``; ``(exit code, stdout, stderr)``.

        :param expect: the exit code wanted (None: any).
        """
        proc = subprocess.run(
            [OPENSTACK] + [str(a) for a in args],
            input=stdin, capture_output=True, text=True, timeout=timeout,
            env=self._env(env or self.member_env))
        self.outputs.append(proc.stdout + proc.stderr)
        if expect is not None and proc.returncode != expect:
            raise CliError('openstack %s: exit %d (wanted %d)\nstdout:\n%s'
                           '\nstderr:\n%s' % (' '.join(map(str, args)),
                                              proc.returncode, expect,
                                              proc.stdout, proc.stderr))
        return proc.returncode, proc.stdout, proc.stderr

    def cli_json(self, *args, env=None, stdin=None):
        return json.loads(self.cli(*(args + ('-f', 'json')), env=env,
                                   stdin=stdin)[1])

    def pty(self, *args, env=None, timeout=600, columns=132,
            interrupt_on=None):
        """Run ``openstack <args>`` on a pseudo-terminal.

        :param interrupt_on: text after which the command gets a SIGINT,
            as Ctrl-C on the terminal sends.
        :returns: ``(exit code, everything written to the terminal)``.
        """
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack('HHHH', 50, columns, 0, 0))
        proc = subprocess.Popen(
            [OPENSTACK] + [str(a) for a in args], stdin=slave, stdout=slave,
            stderr=slave, env=self._env(env or self.member_env),
            close_fds=True)
        os.close(slave)
        chunks = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                if time.monotonic() > deadline:
                    proc.kill()
                    raise CliError('openstack %s: no end after %d s' % (
                        ' '.join(map(str, args)), timeout))
                ready, _w, _x = select.select([master], [], [], 1.0)
                if not ready:
                    if proc.poll() is not None:
                        break
                    continue
                try:
                    data = os.read(master, 65536)
                except OSError as exc:
                    if exc.errno == errno.EIO:  # the child closed it
                        break
                    raise
                if not data:
                    break
                chunks.append(data)
                if interrupt_on and interrupt_on.encode() in b''.join(
                        chunks):
                    proc.send_signal(signal.SIGINT)
                    interrupt_on = None
        finally:
            os.close(master)
        code = proc.wait(timeout=60)
        text = b''.join(chunks).decode('utf-8', 'replace')
        self.outputs.append(text)
        return code, text

    # -- the steps every CLI journey takes ---------------------------------

    def cli_register_and_discover(self):
        """``source create`` (password on stdin) as the manager, then
        ``source test``, ``source discover --wait`` and ``vm show`` as a
        member; the VM's detail."""
        source = self.cli_json(
            'migration', 'source', 'create', 'cli-vcenter', '--host',
            self.sim.host, '--port', self.sim.port, '--username',
            self.sim.username, '--thumbprint', self.sim.thumbprint,
            '--password-stdin', env=self.manager_env,
            stdin=self.password + '\n')
        self.assertEqual(self.sim.host, source['host'])
        self.assertNotIn('password', source)
        self.source_id = source['uuid']
        tested = self.cli_json('migration', 'source', 'test', 'cli-vcenter')
        self.assertTrue(tested['product_name'], tested)
        found = self.cli_json('migration', 'source', 'discover',
                              'cli-vcenter', '--wait', '--poll-interval',
                              '0.5', '--timeout', '180')
        self.assertEqual('completed', found['discovery_status'], found)
        vms = self.cli_json('migration', 'vm', 'list', '--source',
                            'cli-vcenter', '--name', self.VM)
        self.assertEqual([self.VM], [v['Name'] for v in vms])
        return self.cli_json('migration', 'vm', 'show', vms[0]['UUID'])

    def cli_target_args(self, vm):
        """``job create``/``preflight run`` options of the journey's
        target (:meth:`target_spec`)."""
        spec = self.target_spec(vm)
        args = ['--instance-name', spec['instance_name'], '--volume-type',
                spec['volume_type']]
        for entry in spec['network_mapping']:
            text = '%s=%s' % (entry['source_network'], entry['network_id'])
            if entry.get('fixed_ip'):
                text += ',fixed-ip=%s' % entry['fixed_ip']
            if entry.get('keep_mac'):
                text += ',keep-mac'
            for group in entry.get('security_groups') or ():
                text += ',security-group=%s' % group
            args += ['--network-map', text]
        return spec, args

    def cli_preflight(self, vm, mode, target_args):
        rows = self.cli_json('migration', 'preflight', 'run', '--vm',
                             vm['uuid'], '--mode', mode, '--wait',
                             '--poll-interval', '0.5', '--timeout', '300',
                             *target_args)
        self.assertEqual(1, len(rows))
        self.assertIn(rows[0]['Verdict'], ('pass', 'warn'), rows)
        shown = self.cli_json('migration', 'preflight', 'show',
                              rows[0]['UUID'])
        self.assertEqual(rows[0]['Verdict'], shown['verdict'])
        self.assertTrue(shown['checks'])
        return shown
