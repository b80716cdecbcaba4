"""Django settings of the unit tests: Horizon's test settings, the
plugin enabled and its policy file registered as a deployment does, and
policy checks on (Horizon's test settings turn them off)."""

import os

from openstack_dashboard import enabled as _horizon_enabled
from openstack_dashboard.test.settings import *  # noqa: F403

import xms_dashboard.enabled

# Horizon's test settings enabled its own dashboards: enable them again
# together with ours, from the same base applications.
_BASE_APPS = ['django.contrib.contenttypes', 'django.contrib.auth',
              'django.contrib.sessions', 'django.contrib.staticfiles',
              'django.contrib.messages', 'django.contrib.humanize',
              'openstack_auth', 'compressor', 'horizon',
              'openstack_dashboard']
INSTALLED_APPS = list(_BASE_APPS)
settings_utils.update_dashboards(  # noqa: F405
    [_horizon_enabled, xms_dashboard.enabled], HORIZON_CONFIG,  # noqa: F405
    INSTALLED_APPS)

POLICY_CHECK_FUNCTION = 'openstack_auth.policy.check'
_CONF = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'conf')
POLICY_FILES = dict(POLICY_FILES,  # noqa: F405
                    migration=os.path.join(_CONF, 'xms_policy.yaml'))
DEFAULT_POLICY_FILES = dict(
    DEFAULT_POLICY_FILES,  # noqa: F405
    migration=os.path.join(_CONF, 'default_policies', 'xms.yaml'))
XMS_API_URL = 'http://xms.example.test:8980'
