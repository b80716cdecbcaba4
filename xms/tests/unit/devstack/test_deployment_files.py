"""The files of etc/xms an operator installs (systemd units, logging).

systemd and uwsgi do not run in unit tests; what can go stale is checked
here: every unit starts a console script XMS installs (or uwsgi with the
shipped ini) with the configuration file, and the logging sample loads.
"""

import configparser
import logging.config
import os
import shlex

import fixtures

from xms.tests import base
from xms.tests import devstack

ETC = os.path.join(devstack.TOP, 'etc', 'xms')


def console_scripts():
    conf = configparser.ConfigParser()
    conf.read(os.path.join(devstack.TOP, 'setup.cfg'))
    lines = conf.get('entry_points', 'console_scripts').split('\n')
    return {line.split('=')[0].strip() for line in lines if '=' in line}


class TestSystemdUnits(base.TestCase):

    def unit(self, name):
        parser = configparser.ConfigParser(strict=False,
                                           interpolation=None)
        parser.optionxform = str
        parser.read(os.path.join(ETC, 'systemd', name))
        return parser

    def test_units_start_the_services(self):
        scripts = console_scripts()
        for name, script in (('xms-conductor.service', 'xms-conductor'),
                             ('xms-worker.service', 'xms-worker')):
            argv = shlex.split(self.unit(name)['Service']['ExecStart'])
            self.assertEqual(script, os.path.basename(argv[0]))
            self.assertIn(script, scripts)
            self.assertEqual(['--config-file', '/etc/xms/xms.conf'],
                             argv[1:])
            self.assertEqual('multi-user.target',
                             self.unit(name)['Install']['WantedBy'])

    def test_api_unit_runs_the_shipped_uwsgi_ini(self):
        argv = shlex.split(
            self.unit('xms-api.service')['Service']['ExecStart'])
        self.assertEqual(['uwsgi', '--ini', '/etc/xms/xms-api-uwsgi.ini'],
                         [os.path.basename(argv[0])] + argv[1:])
        self.assertTrue(os.path.exists(os.path.join(
            ETC, 'xms-api-uwsgi.ini')))


class TestLoggingSample(base.TestCase):

    @staticmethod
    def _restore(logger, handlers, level, propagate):
        for handler in logger.handlers:
            if handler not in handlers:
                handler.close()
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate

    def test_sample_loads(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(ETC, 'logging.conf.sample')) as f:
            text = f.read().replace('/var/log/xms/xms.log',
                                    os.path.join(tmp, 'xms.log'))
        path = os.path.join(tmp, 'logging.conf')
        with open(path, 'w') as f:
            f.write(text)
        # fileConfig changes process-wide loggers: put them back.
        for name in ('', 'xms', 'taskflow', 'keystonemiddleware', 'amqp',
                     'urllib3.connectionpool'):
            logger = logging.getLogger(name)
            self.addCleanup(self._restore, logger, list(logger.handlers),
                            logger.level, logger.propagate)
        logging.config.fileConfig(path, disable_existing_loggers=False)
        logger = logging.getLogger('xms.test')
        logger.info('sample loaded')
        for handler in logging.getLogger('xms').handlers:
            handler.flush()
        with open(os.path.join(tmp, 'xms.log')) as f:
            self.assertIn('sample loaded', f.read())
